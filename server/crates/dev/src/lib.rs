//! `atoll dev`: the supervisor of the dev loop (the `atoll-dev` crate).
//!
//! ```text
//! browser ─► trunk serve :8080 ─┬─ files of target/dev/www: pkg/ (Trunk's islands build)
//!                               │   + links to target/dev/site/* (pages written by atoll)
//!                               ├─ /.well-known/trunk/ws   islands rebuilt → reload
//!                               └─ /api/, /status/ ─► this supervisor :3001
//!                                      ├─ /api/_atoll/build, /api/_atoll/dev.js
//!                                      └─ the rest ─► `atoll serve --dev --dev-site …`
//! ```
//!
//! Who rebuilds what:
//! * `content/`, `public/`: `atoll serve --dev` reloads the content, rewrites the
//!   changed pages and tells the tabs (no Rust compiled, no Trunk build);
//! * `islands/`, `index.html`: Trunk rebuilds the WASM bundle and tells the tabs;
//! * `app/`, `server/`, `islands/`, `Cargo.*`: this supervisor runs
//!   `cargo build -p server --bin atoll --message-format=json` ([`BuildCommand`]);
//!   compile errors (file, line, column, message) go to the tabs while the last good
//!   server keeps running; a good build restarts the server, then the tabs reload.
//!
//! Requests that reach the supervisor while the server is being built or restarted
//! wait for it (event streams as long as it takes, others up to two minutes). The
//! supervisor, Trunk, cargo and the server each lead their own process group; on
//! SIGINT, SIGTERM or SIGHUP the supervisor stops them all. Unix only (process groups,
//! and the dev site's symbolic links).
#![deny(missing_docs)]

mod cargo;
mod error;
mod proxy;
mod server;
mod trunk;
mod watch;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::response::sse::Event;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use serde::Serialize;
use tokio::sync::{broadcast, Notify};

pub use cargo::{BuildCommand, BuildOutcome, CompileError};
pub use error::DevError;
pub use trunk::{link_stage_from_env, BIN_ENV, SITE_ENV, TRUNK_TOML_API_PORT};
pub use watch::{ROOT_FILES, SOURCE_DIRS};

/// Where the dev loop's files are and which ports it takes (all on 127.0.0.1).
#[derive(Clone, Debug)]
pub struct Options {
    /// The workspace root (cargo and Trunk run there); relative paths below are
    /// relative to the current folder.
    pub root: PathBuf,
    /// Trunk's port (the browser's).
    pub port: u16,
    /// The supervisor's port, behind Trunk's `/api/` and `/status/` proxies.
    pub api_port: u16,
    /// The content folder.
    pub content: PathBuf,
    /// The static files.
    pub public: PathBuf,
    /// The dev SQLite database (its folder is created).
    pub db: PathBuf,
    /// Where `atoll serve --dev` writes the pages (refused if not empty and without
    /// [`atoll_serve::dev::MARKER`]).
    pub site: PathBuf,
    /// Trunk's dist folder (refused if not empty and without `.trunk-lock`).
    pub dist: PathBuf,
}

impl Options {
    fn absolute(mut self) -> Self {
        for path in [
            &mut self.root,
            &mut self.content,
            &mut self.public,
            &mut self.db,
            &mut self.site,
            &mut self.dist,
        ] {
            if let Ok(absolute) = std::path::absolute(&*path) {
                *path = absolute;
            }
        }
        self
    }
}

/// Prints one line of the supervisor (`atoll dev: …`) on stdout.
pub(crate) fn say(message: &str) {
    println!("atoll dev: {message}");
}

/// The state of the last build, as the build stream's `hello` gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum BuildState {
    Building,
    Ok,
    Failed,
}

#[derive(Clone, Debug)]
struct Status {
    build: BuildState,
    errors: Vec<CompileError>,
    /// The running server's port.
    server: Option<u16>,
    /// A build or a start is under way.
    pending: bool,
    restarts: u64,
}

/// What the build stream tells the tabs.
#[derive(Clone, Debug)]
pub(crate) enum BuildEvent {
    /// The current state (also sent after an up-to-date build).
    Hello,
    /// A build started.
    Building,
    /// The build (or the server's start) failed.
    Failure(Vec<CompileError>),
    /// A new server runs: reload.
    Reload,
    /// The supervisor stops: streams end.
    Closing,
}

/// The supervisor's shared state.
pub(crate) struct Supervisor {
    options: Options,
    /// Differs between two runs of the supervisor: with the restarts, the stamp.
    run: String,
    status: tokio::sync::watch::Sender<Status>,
    events: broadcast::Sender<BuildEvent>,
    /// Cargo's process id while a build runs.
    cargo: Mutex<Option<u32>>,
    server: tokio::sync::Mutex<Option<server::Running>>,
    stopping: AtomicBool,
    client: Client<HttpConnector, Body>,
}

impl Supervisor {
    fn new(options: Options) -> Self {
        let run = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        Self {
            options,
            run: format!("{run:x}"),
            status: tokio::sync::watch::Sender::new(Status {
                build: BuildState::Building,
                errors: Vec::new(),
                server: None,
                pending: true,
                restarts: 0,
            }),
            events: broadcast::channel(64).0,
            cargo: Mutex::new(None),
            server: tokio::sync::Mutex::new(None),
            stopping: AtomicBool::new(false),
            client: Client::builder(hyper_util::rt::TokioExecutor::new()).build_http(),
        }
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    fn send(&self, event: BuildEvent) {
        // No tab open: nobody to tell.
        let _ = self.events.send(event);
    }

    /// The server-sent event for `event`.
    fn event(&self, event: &BuildEvent) -> Event {
        let status = self.status.borrow().clone();
        match event {
            BuildEvent::Hello => Event::default().event("hello").data(
                serde_json::json!({
                    "stamp": format!("{}.{}", self.run, status.restarts),
                    "state": status.build,
                    "errors": status.errors,
                })
                .to_string(),
            ),
            BuildEvent::Building => Event::default()
                .event("building")
                .data(r#"{"what":"server"}"#),
            BuildEvent::Failure(errors) => Event::default()
                .event("failure")
                .data(serde_json::json!({ "errors": errors }).to_string()),
            BuildEvent::Reload => Event::default()
                .event("reload")
                .data(r#"{"reason":"server"}"#),
            BuildEvent::Closing => Event::default().comment("closing"),
        }
    }

    /// The running server's port; while one is being built or started, waits for it
    /// (`forever`, or up to `wait`). None: no server, and none coming until the next
    /// save.
    async fn wait_for_server(&self, forever: bool, wait: Duration) -> Option<u16> {
        let mut status = self.status.subscribe();
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            {
                let now = status.borrow_and_update();
                if let Some(port) = now.server {
                    return Some(port);
                }
                if !forever && !now.pending {
                    return None;
                }
            }
            if forever {
                status.changed().await.ok()?;
            } else {
                tokio::time::timeout_at(deadline, status.changed())
                    .await
                    .ok()?
                    .ok()?;
            }
        }
    }

    /// The arguments of `atoll serve --dev`.
    fn server_args(&self) -> Vec<String> {
        let o = &self.options;
        let path = |p: &PathBuf| p.display().to_string();
        vec![
            "serve".into(),
            "--dev".into(),
            "--dev-site".into(),
            path(&o.site),
            "--dev-link-into".into(),
            path(&o.dist),
            "--addr".into(),
            "127.0.0.1:0".into(),
            "--content".into(),
            path(&o.content),
            "--public".into(),
            path(&o.public),
            "--islands".into(),
            path(&o.dist.join("pkg")),
            "--db".into(),
            path(&o.db),
        ]
    }

    /// Stops the server, starts `bin`, and waits until it listens.
    async fn restart(self: &Arc<Self>, bin: &std::path::Path) -> Result<(), String> {
        let mut slot = self.server.lock().await;
        if let Some(old) = slot.take() {
            self.status.send_modify(|s| s.server = None);
            old.stop().await;
        }
        let running = server::start(bin, &self.server_args(), &self.options.root).await?;
        let port = running.port;
        let mut exited = running.exited.clone();
        *slot = Some(running);
        self.status.send_modify(|s| {
            s.server = Some(port);
            s.restarts += 1;
        });
        let supervisor = Arc::clone(self);
        tokio::spawn(async move {
            let _ = exited.wait_for(|e| *e).await;
            let mut slot = supervisor.server.lock().await;
            if slot.as_ref().is_some_and(|running| running.port == port) {
                *slot = None;
                supervisor.status.send_modify(|s| s.server = None);
                if !supervisor.stopping() {
                    say("the server exited; save a file to rebuild and restart it");
                }
            }
        });
        Ok(())
    }

    /// A build or a start failed: the tabs show `errors`.
    fn fail(&self, errors: Vec<CompileError>) {
        self.status.send_modify(|s| {
            s.build = BuildState::Failed;
            s.errors = errors.clone();
        });
        self.send(BuildEvent::Failure(errors));
    }

    /// Builds each time `trigger` is woken (a save during a build: once more after it),
    /// and restarts the server when the binary changed or none runs.
    async fn build_loop(self: Arc<Self>, trigger: Arc<Notify>) {
        let command = BuildCommand {
            root: self.options.root.clone(),
            package: "server".into(),
            bin: "atoll".into(),
            target_dir: None,
        };
        loop {
            trigger.notified().await;
            if self.stopping() {
                return;
            }
            self.status.send_modify(|s| {
                s.build = BuildState::Building;
                s.pending = true;
            });
            self.send(BuildEvent::Building);
            let started = Instant::now();
            let outcome = {
                let supervisor = Arc::clone(&self);
                let command = command.clone();
                tokio::task::spawn_blocking(move || command.run(&supervisor.cargo)).await
            };
            if self.stopping() {
                return;
            }
            let outcome = outcome.unwrap_or_else(|err| BuildOutcome {
                ok: false,
                errors: vec![CompileError {
                    file: None,
                    line: None,
                    column: None,
                    message: format!("the build task failed: {err}"),
                    rendered: format!("the build task failed: {err}"),
                }],
                fresh: false,
                bin: None,
            });
            if !outcome.ok {
                let first = outcome
                    .errors
                    .first()
                    .and_then(|e| Some(format!(", first: {}:{}", e.file.as_ref()?, e.line?)));
                say(&format!(
                    "the server does not compile ({} error(s){}); the last good server keeps running",
                    outcome.errors.len(),
                    first.unwrap_or_default()
                ));
                self.fail(outcome.errors);
                self.status.send_modify(|s| s.pending = false);
                continue;
            }
            let had_errors = !self.status.borrow().errors.is_empty();
            self.status.send_modify(|s| {
                s.build = BuildState::Ok;
                s.errors.clear();
            });
            let running = self.server.lock().await.is_some();
            if !outcome.fresh || !running {
                say(&format!(
                    "server built in {:.1} s; restarting it",
                    started.elapsed().as_secs_f64()
                ));
                let bin = outcome
                    .bin
                    .unwrap_or_else(|| self.options.root.join("target/debug/atoll"));
                match self.restart(&bin).await {
                    Ok(()) => self.send(BuildEvent::Reload),
                    Err(message) => {
                        say("the server exited at start (see above); fix the cause and save a file to retry");
                        self.fail(vec![CompileError {
                            file: None,
                            line: None,
                            column: None,
                            rendered: message.clone(),
                            message,
                        }]);
                    }
                }
            } else {
                self.send(BuildEvent::Hello);
                if had_errors {
                    self.send(BuildEvent::Reload);
                }
            }
            self.status.send_modify(|s| s.pending = false);
        }
    }

    /// Prints `ready on …` once a server runs and Trunk serves the islands bundle.
    async fn announce_when_ready(self: Arc<Self>) {
        let url = format!("http://127.0.0.1:{}/", self.options.port);
        let bundle: axum::http::Uri = match format!("{url}pkg/islands.js").parse() {
            Ok(uri) => uri,
            Err(_) => return,
        };
        let mut every = tokio::time::interval(Duration::from_millis(250));
        while !self.stopping() {
            every.tick().await;
            if self.status.borrow().server.is_none() {
                continue;
            }
            if let Ok(answer) = self.client.get(bundle.clone()).await {
                if answer.status() == axum::http::StatusCode::OK {
                    say(&format!("ready on {url}"));
                    return;
                }
            }
        }
    }

    /// Stops cargo, the server and Trunk.
    async fn shutdown(&self, trunk: trunk::Trunk) {
        self.stopping.store(true, Ordering::SeqCst);
        self.send(BuildEvent::Closing);
        if let Some(pid) = *self.cargo.lock().expect("cargo lock") {
            server::signal_group(pid, rustix::process::Signal::TERM);
        }
        let server = self.server.lock().await.take();
        let stop_server = async {
            if let Some(server) = server {
                server.stop().await;
            }
        };
        tokio::join!(stop_server, trunk.stop());
    }
}

/// Refuses `dir` if it is not empty and lacks `marker`; creates it if needed, and marks
/// an empty dev site.
fn claim(dir: &std::path::Path, marker: &'static str, what: &'static str) -> Result<(), DevError> {
    std::fs::create_dir_all(dir).map_err(DevError::io("cannot create", dir))?;
    if dir.join(marker).exists() {
        return Ok(());
    }
    let mut entries = std::fs::read_dir(dir).map_err(DevError::io("cannot read", dir))?;
    if entries.next().is_some() {
        return Err(DevError::Refused {
            dir: dir.to_path_buf(),
            what,
            marker,
        });
    }
    if marker == atoll_serve::dev::MARKER {
        let file = dir.join(marker);
        std::fs::write(
            &file,
            "Written by `atoll serve --dev --dev-site` (atoll dev, scripts/dev).\n",
        )
        .map_err(DevError::io("cannot write", file))?;
    }
    Ok(())
}

/// Runs the dev loop until SIGINT, SIGTERM or SIGHUP (exit code 130, 143, 129), or
/// until Trunk exits (1). See the crate docs.
///
/// # Errors
/// A folder refused or not writable, the API port taken, Trunk not installed.
pub async fn run(options: Options) -> Result<u8, DevError> {
    let options = options.absolute();
    claim(
        &options.site,
        atoll_serve::dev::MARKER,
        "the dev site (--site)",
    )?;
    // Trunk empties its dist folder at each build; it leaves .trunk-lock there.
    claim(&options.dist, ".trunk-lock", "Trunk's dist folder (--dist)")?;
    if let Some(parent) = options.db.parent() {
        std::fs::create_dir_all(parent).map_err(DevError::io("cannot create", parent))?;
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.api_port))
        .await
        .map_err(|source| DevError::Listen {
            port: options.api_port,
            source,
        })?;
    let supervisor = Arc::new(Supervisor::new(options));
    let options = &supervisor.options;
    let api = proxy::router(Arc::clone(&supervisor));
    tokio::spawn(async move { axum::serve(listener, api).await });
    say(&format!(
        "API on http://127.0.0.1:{}/ (forwarded to atoll serve --dev)",
        options.api_port
    ));
    // Until the first server writes the pages (a cold build takes minutes), `/` says so.
    let home = options.site.join("index.html");
    if !home.exists() {
        let page = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Building — Atoll dev</title></head>\n\
             <body><main id=\"atoll-dev-building\"><h1>Building the server…</h1><p>This page reloads when it is ready.</p></main>\n\
             <script type=\"module\" src=\"{}\"></script></body></html>\n",
            atoll_serve::dev::SCRIPT_PATH
        );
        std::fs::write(&home, page).map_err(DevError::io("cannot write", &home))?;
    }
    let trunk = trunk::Trunk::start(options)?;
    let trigger = Arc::new(Notify::new());
    let _watcher = watch::spawn(options.root.clone(), Arc::clone(&trigger));
    trigger.notify_one();
    tokio::spawn(Arc::clone(&supervisor).build_loop(trigger));
    tokio::spawn(Arc::clone(&supervisor).announce_when_ready());
    // Links to new top-level pages, in case a page was written while Trunk swapped its
    // folder in (the server links at each write, the hook at each Trunk build).
    let (site, dist) = (options.site.clone(), options.dist.clone());
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        loop {
            every.tick().await;
            let (site, dist) = (site.clone(), dist.clone());
            let _ =
                tokio::task::spawn_blocking(move || atoll_serve::dev::link_entries(&site, &dist))
                    .await;
        }
    });
    let code = tokio::select! {
        code = signalled() => code,
        () = trunk.exited() => {
            say("trunk serve exited; stopping");
            1
        }
    };
    supervisor.shutdown(trunk).await;
    Ok(code)
}

/// The exit code for the first of SIGINT, SIGTERM and SIGHUP.
async fn signalled() -> u8 {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut interrupt), Ok(mut terminate), Ok(mut hangup)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        std::future::pending::<()>().await;
        return 1;
    };
    tokio::select! {
        _ = interrupt.recv() => 130,
        _ = terminate.recv() => 143,
        _ = hangup.recv() => 129,
    }
}
