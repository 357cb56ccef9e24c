//! `atoll dev`: the dev loop's supervisor (the `atoll-dev` crate).

use std::path::PathBuf;

use anyhow::Context;

/// Options of `atoll dev` (paths relative to the current folder, the workspace root).
#[derive(Debug, clap::Args)]
pub struct DevArgs {
    /// Trunk's port: the site is on http://127.0.0.1:PORT/.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The supervisor's port, behind Trunk's /api/ and /status/ proxies; another than
    /// 3001 runs Trunk with a copy of Trunk.toml whose proxies point at it.
    #[arg(long, default_value_t = atoll_dev::TRUNK_TOML_API_PORT)]
    api_port: u16,
    /// Content folder.
    #[arg(long, value_name = "DIR", default_value = "content")]
    content: PathBuf,
    /// Static assets [default: public, or static/ of a Zola or Hugo site root].
    #[arg(long, value_name = "DIR")]
    public: Option<PathBuf>,
    /// The dev SQLite database.
    #[arg(long, value_name = "FILE", default_value = "data/dev.db")]
    db: PathBuf,
    /// Where the pages are written for Trunk to serve (emptied and rewritten).
    #[arg(long, value_name = "DIR", default_value = "target/dev/site")]
    site: PathBuf,
    /// Trunk's dist folder (emptied and rewritten by Trunk).
    #[arg(long, value_name = "DIR", default_value = "target/dev/www")]
    dist: PathBuf,
}

/// Runs the dev loop until interrupted; exits with 130/143/129 on SIGINT/SIGTERM/SIGHUP.
pub fn run(args: DevArgs) -> anyhow::Result<()> {
    let options = atoll_dev::Options {
        root: PathBuf::from("."),
        port: args.port,
        api_port: args.api_port,
        content: args.content,
        public: args.public,
        db: args.db,
        site: args.site,
        dist: args.dist,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let code = runtime.block_on(atoll_dev::run(options))?;
    // The server, Trunk and cargo are stopped; background tasks end with the process.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    std::process::exit(code.into())
}
