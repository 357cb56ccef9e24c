//! `atoll serve`.

use std::net::SocketAddr;

use anyhow::Context;
use atoll::{check_islands_bundle, router, AppState, Dirs};

use super::SiteArgs;

/// Arguments of `atoll serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let site = args.site.load()?;
    let dirs = Dirs {
        public: args.site.public.clone(),
        islands: args.site.islands.clone(),
    };
    let state = AppState::new(&site, dirs);
    if state.pages().iter().any(|page| page.has_islands) {
        check_islands_bundle(&args.site.islands).map_err(anyhow::Error::msg)?;
    }
    let pages = state.pages().len();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let addr = listener.local_addr().context("no local address")?;
        // The first line on stdout is the URL (tests and scripts read it).
        println!(
            "atoll: serving {pages} pages on http://{addr}/ (ready in {} ms)",
            started.elapsed().as_millis()
        );
        axum::serve(listener, router(state))
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("server error")
    })
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
