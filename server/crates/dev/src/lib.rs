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
mod options;
mod out;
mod proxy;
mod server;
mod supervisor;
mod trunk;
mod watch;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

pub use cargo::{BuildCommand, BuildOutcome, CompileError};
pub use error::DevError;
pub use options::Options;
use out::say;
use supervisor::Supervisor;
pub use trunk::{link_stage_from_env, BIN_ENV, SITE_ENV, TRUNK_TOML_API_PORT};
pub use watch::{ROOT_FILES, SOURCE_DIRS};

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
