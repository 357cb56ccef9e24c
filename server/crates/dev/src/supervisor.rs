//! The supervisor's state: the last build, the running server, the build stream's
//! events; the build loop and the restarts.

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

use crate::cargo::{BuildCommand, BuildOutcome, CompileError};
use crate::options::Options;
use crate::out::say;
use crate::{server, trunk};

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
    pub(crate) options: Options,
    /// Differs between two runs of the supervisor: with the restarts, the stamp.
    run: String,
    status: tokio::sync::watch::Sender<Status>,
    pub(crate) events: broadcast::Sender<BuildEvent>,
    /// Cargo's process id while a build runs.
    cargo: Mutex<Option<u32>>,
    server: tokio::sync::Mutex<Option<server::Running>>,
    /// The process id of a server started that has not printed its address yet.
    starting: Mutex<Option<u32>>,
    stopping: AtomicBool,
    pub(crate) client: Client<HttpConnector, Body>,
}

impl Supervisor {
    pub(crate) fn new(options: Options) -> Self {
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
            starting: Mutex::new(None),
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
    pub(crate) fn event(&self, event: &BuildEvent) -> Event {
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
    pub(crate) async fn wait_for_server(&self, forever: bool, wait: Duration) -> Option<u16> {
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
        let mut args: Vec<String> = vec![
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
            "--islands".into(),
            path(&o.dist.join("pkg")),
            "--db".into(),
            path(&o.db),
        ];
        if let Some(public) = &o.public {
            args.extend(["--public".into(), path(public)]);
        }
        args
    }

    /// Stops the server, starts `bin`, and waits until it listens.
    async fn restart(self: &Arc<Self>, bin: &std::path::Path) -> Result<(), String> {
        let mut slot = self.server.lock().await;
        if let Some(old) = slot.take() {
            self.status.send_modify(|s| s.server = None);
            old.stop().await;
        }
        // A shutdown under way (it stops a server that is starting through `starting`).
        if self.stopping() {
            return Err("stopping".to_owned());
        }
        let root = &self.options.root;
        let started = server::start(bin, &self.server_args(), root, &self.starting).await;
        *self.starting.lock().expect("starting lock") = None;
        let running = started?;
        if self.stopping() {
            running.stop().await;
            return Err("stopping".to_owned());
        }
        let port = running.port;
        let pid = running.pid();
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
            if slot.as_ref().is_some_and(|running| running.pid() == pid) {
                *slot = None;
                supervisor.status.send_modify(|s| s.server = None);
                if !supervisor.stopping() {
                    say("the server exited; save a Rust source (app/, server/, islands/) to rebuild and restart it");
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
    pub(crate) async fn build_loop(self: Arc<Self>, trigger: Arc<Notify>) {
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
                        say("the server exited at start (see above); fix the cause and save a Rust source (app/, server/, islands/) to retry");
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
    pub(crate) async fn announce_when_ready(self: Arc<Self>) {
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
    pub(crate) async fn shutdown(&self, trunk: trunk::Trunk) {
        self.stopping.store(true, Ordering::SeqCst);
        self.send(BuildEvent::Closing);
        if let Some(pid) = *self.cargo.lock().expect("cargo lock") {
            server::signal_group(pid, rustix::process::Signal::TERM);
        }
        // A server still starting: its exit ends the start, which frees the slot.
        if let Some(pid) = *self.starting.lock().expect("starting lock") {
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
