//! `atoll serve`.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use atoll::listen::ConnectionLimits;
use atoll::outbox::Forwarding;
use atoll::store::Store;
use atoll::{check_islands_bundle, router, AppState, Dirs, Rendering, Services};

use super::SiteArgs;

/// Arguments of `atoll serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
    /// Database of stock, orders, contact messages and webhook ids: a SQLite file
    /// (created on first start), or a PostgreSQL URL (`postgres://user:password@host/db`)
    /// shared by several servers.
    #[arg(
        long,
        value_name = "FILE|URL",
        env = "ATOLL_DB",
        hide_env_values = true,
        default_value = "data/atoll.db"
    )]
    db: String,
    /// Most connections to a PostgreSQL database this server opens.
    #[arg(long, value_name = "N", default_value = "16")]
    db_pool: u32,
    /// After each revalidation, purge the changed pages from the proxy or CDN in front:
    /// `varnish=URL` (a PURGE with `xkey-purge`), `cloudflare=ZONE_ID` or
    /// `fastly=SERVICE_ID` (token in ATOLL_PURGE_TOKEN).
    #[arg(long, value_name = "KIND=TARGET")]
    purge: Option<String>,
    /// API token of `--purge cloudflare=…` or `fastly=…`.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "ATOLL_PURGE_TOKEN",
        hide_env_values = true
    )]
    purge_token: Option<String>,
    /// The purge API's base URL instead of Cloudflare's or Fastly's (a test double, an
    /// API gateway).
    #[arg(long, value_name = "URL")]
    purge_api: Option<reqwest::Url>,
    /// Contact messages accepted per client address and minute (more: 429).
    #[arg(long, value_name = "N", default_value = "5")]
    contact_per_minute: NonZeroU32,
    /// Checkout attempts accepted per client address and minute (more: 429).
    #[arg(long, value_name = "N", default_value = "10")]
    checkout_per_minute: NonZeroU32,
    /// Forward each contact message as JSON to this URL (an email or CRM webhook),
    /// through a durable outbox with retries.
    #[arg(long, value_name = "URL")]
    contact_forward: Option<reqwest::Url>,
    /// Behind a reverse proxy: limit contact messages per address of the last
    /// `X-Forwarded-For` entry (the proxy's) instead of per connection.
    #[arg(long)]
    trust_forwarded_for: bool,
    /// Folder that keeps rendered pages across restarts (not in `--dev`) and image
    /// variants (`images/`, shared with `atoll export --cache-dir`, also in `--dev`).
    #[arg(long, value_name = "DIR", default_value = "data/cache")]
    cache_dir: PathBuf,
    /// Keep rendered pages in memory only (no cache folder for pages; image variants
    /// then go to the user's cache, `~/.cache/atoll`).
    #[arg(long, conflicts_with = "cache_dir")]
    no_cache_dir: bool,
    /// Least milliseconds between two checks of the content for changes (triggered by
    /// stale pages and unknown URLs; webhooks always reload).
    #[arg(long, value_name = "MS", default_value = "1000")]
    reload_interval_ms: u64,
    /// Seconds a CDN may serve an ISR page stale while it revalidates
    /// (`stale-while-revalidate`).
    #[arg(long, value_name = "SECONDS", default_value = "31536000")]
    stale_while_revalidate: u32,
    /// Standard Webhooks secret(s) of POST /api/revalidate: `whsec_<base64>`, several
    /// separated by spaces during a key rotation.
    #[arg(
        long,
        value_name = "SECRET",
        env = "ATOLL_WEBHOOK_SECRET",
        hide_env_values = true
    )]
    webhook_secret: Option<String>,
    /// File holding the webhook secret(s) instead (e.g. a mounted secret).
    #[arg(long, value_name = "FILE", conflicts_with = "webhook_secret")]
    webhook_secret_file: Option<PathBuf>,
    /// GitHub webhook secret: POST /api/revalidate also accepts `X-Hub-Signature-256`.
    #[arg(
        long,
        value_name = "SECRET",
        env = "ATOLL_GITHUB_WEBHOOK_SECRET",
        hide_env_values = true
    )]
    github_webhook_secret: Option<String>,
    /// Secret of GET /api/preview (draft preview).
    #[arg(
        long,
        value_name = "SECRET",
        env = "ATOLL_PREVIEW_SECRET",
        hide_env_values = true
    )]
    preview_secret: Option<String>,
    /// Development: reload open tabs when content/, public/ or the islands bundle change,
    /// show content errors in the browser; pages are kept in memory only.
    #[arg(long)]
    dev: bool,
    /// Development: also keep the pages as files in DIR (written before each reload), for
    /// `trunk serve` to serve them (`scripts/dev`).
    #[arg(long, value_name = "DIR", requires = "dev")]
    dev_site: Option<PathBuf>,
    /// Development: link each top-level entry of --dev-site into DIR (Trunk's dist
    /// folder) before each reload.
    #[arg(long, value_name = "DIR", requires = "dev_site")]
    dev_link_into: Option<PathBuf>,
    /// Seconds a client has to send a whole request head, from its first byte (then
    /// the connection is closed).
    #[arg(long, value_name = "SECONDS", default_value = "10")]
    header_timeout: u64,
    /// Seconds an idle keep-alive connection stays open between requests.
    #[arg(long, value_name = "SECONDS", default_value = "65")]
    keep_alive_timeout: u64,
    /// Seconds a response write may make no progress (a client that stopped reading).
    #[arg(long, value_name = "SECONDS", default_value = "30")]
    send_timeout: u64,
    /// Connections served at once; more wait in the listen backlog (logged).
    #[arg(long, value_name = "N", default_value = "1024")]
    max_connections: std::num::NonZeroUsize,
    /// On SIGTERM or Ctrl-C, seconds in-flight requests get to finish.
    #[arg(long, value_name = "SECONDS", default_value = "10")]
    drain_timeout: u64,
    /// Bearer token required by the content API (/api/content/…); it also allows drafts.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "ATOLL_CONTENT_TOKEN",
        hide_env_values = true
    )]
    content_token: Option<String>,
}

/// What the start builds before the server answers every request.
struct Started {
    state: AppState,
    store: Arc<Store>,
    startup_error: Option<String>,
    content_cache: atoll::content::ContentCache,
    site_writer: Option<atoll::dev::SiteWriter>,
}

/// Listens at once, answering the cache folder's pages (`atoll::warm`) while the
/// content loads; then serves everything from the state.
pub fn run(mut args: ServeArgs) -> anyhow::Result<()> {
    // A CMS's images stay at the CMS unless its settings say `assets = "download"`.
    let assets_root = if args.no_cache_dir {
        atoll::default_cache_dir()
    } else {
        args.cache_dir.clone()
    };
    args.site.cms_assets = Some((assets_root.join("cms-assets"), false));
    let started = std::time::Instant::now();
    return_freed_memory_promptly();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let args = Arc::new(args);
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let addr = listener.local_addr().context("no local address")?;
        // The dev loop keeps pages in memory only: nothing to answer from meanwhile.
        let disk = (!args.no_cache_dir && !args.dev).then(|| atoll::warm::DiskPages {
            dir: args.cache_dir.clone(),
            build_id: atoll::build_id(),
            stale_while_revalidate: args.stale_while_revalidate,
        });
        let (front, ready) = atoll::warm::front(disk);
        // Connections accepted once the state is ready go to its router directly; the
        // front forwards those opened before.
        let (switch, apps) = tokio::sync::watch::channel(front);
        // The first line on stdout is the URL (tests and scripts read it). In `--dev` it
        // comes once the start succeeded: the dev supervisor takes it as "running".
        let address_line = move || {
            println!(
                "atoll: serving on http://{addr}/ (after {} ms)",
                started.elapsed().as_millis()
            );
        };
        if !args.dev {
            address_line();
        }
        let seconds = std::time::Duration::from_secs;
        let limits = ConnectionLimits {
            header_timeout: seconds(args.header_timeout),
            keep_alive_timeout: seconds(args.keep_alive_timeout),
            send_timeout: seconds(args.send_timeout),
            max_connections: args.max_connections.get(),
            drain_timeout: seconds(args.drain_timeout),
        };
        let (stop_serving, mut stopping) = tokio::sync::watch::channel(false);
        let serving_state = Arc::new(std::sync::OnceLock::<AppState>::new());
        let server = {
            let serving_state = Arc::clone(&serving_state);
            tokio::spawn(atoll::listen::serve_switching(
                listener,
                apps,
                limits,
                async move {
                    tokio::select! {
                        () = shutdown_signal() => {}
                        _ = stopping.wait_for(|stop| *stop) => {}
                    }
                    // Dev mode's event streams never end by themselves.
                    if let Some(dev) = serving_state.get().and_then(AppState::dev) {
                        dev.close();
                    }
                },
            ))
        };
        let start = {
            let args = Arc::clone(&args);
            tokio::task::spawn_blocking(move || start(&args))
        };
        let Started {
            state,
            store,
            startup_error,
            content_cache,
            site_writer,
        } = match start.await.context("the start panicked").and_then(|r| r) {
            Ok(started) => started,
            Err(err) => {
                ready.fail(format!("{err:#}"));
                let _ = stop_serving.send(true);
                let _ = server.await;
                return Err(err);
            }
        };
        if args.dev {
            address_line();
        }
        let _ = serving_state.set(state.clone());
        if matches!(
            state.content().source(),
            atoll::snapshot::ContentSource::Files { .. }
        ) {
            state.content().seed_cache(content_cache).await;
        }
        let app = router(state.clone());
        ready.serve(app.clone());
        let _ = switch.send(app);
        if !args.dev {
            state.fill_in_background();
        }
        // Servers sharing a PostgreSQL database revalidate together.
        let listening = atoll::cluster::listen(&state, tokio::runtime::Handle::current());
        tracing::info!(
            "ready in {} ms: every request is answered from the content now",
            started.elapsed().as_millis()
        );
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let outbox = args.contact_forward.clone().map(|url| {
            let mut stopped = stopped.clone();
            tokio::spawn(atoll::outbox::run(
                Arc::clone(&store),
                Forwarding::new(url),
                async move {
                    let _ = stopped.wait_for(|s| *s).await;
                },
            ))
        });
        // Clients whose limits recovered are forgotten every minute (bounded memory).
        let pruning = {
            let state = state.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
                loop {
                    every.tick().await;
                    state.prune_limiters();
                }
            })
        };
        if args.dev {
            if let (Some(message), Some(dev)) = (startup_error, state.dev()) {
                state.content().forget_fingerprint().await;
                dev.report_failure(message);
            }
            tokio::spawn(atoll::dev::watch(state.clone(), site_writer));
        }
        let served = server
            .await
            .context("the server panicked")?
            .context("server error");
        let _ = stop.send(true);
        drop(listening);
        pruning.abort();
        if let Some(outbox) = outbox {
            let _ = outbox.await;
        }
        // Everything acknowledged is already committed; the checkpoint leaves the
        // database file whole without its `-wal` beside it.
        if let Err(error) = store.checkpoint() {
            tracing::warn!("database checkpoint at shutdown failed: {error}");
        }
        let report = served?;
        tracing::info!(
            "stopped after {} connection(s){}",
            report.accepted,
            match report.cut_at_shutdown {
                0 => String::new(),
                n => format!("; {n} cut at the end of the drain time"),
            }
        );
        Ok(())
    })
}

/// Loads the content, opens the database and builds the state: outside `--dev` the
/// pages are read back and rendered in the background ([`AppState::start_unfilled`];
/// a request for one not cached yet renders it), in `--dev` before the first answer.
fn start(args: &ServeArgs) -> anyhow::Result<Started> {
    let started = std::time::Instant::now();
    // In dev mode a broken content folder does not stop the server: the browser shows
    // the error until the file is fixed.
    let (site, content_cache, startup_error) = match args.site.load_cached(None) {
        Ok(loaded) => {
            let cache = atoll::content::ContentCache::from_parts(&loaded.site, &loaded.sources);
            (loaded.site, cache, None)
        }
        Err(err) if args.dev => {
            eprintln!("atoll: {err:#}");
            (
                app::Site::default(),
                Default::default(),
                Some(format!("{err:#}")),
            )
        }
        Err(err) => return Err(err),
    };
    tracing::info!(
        "start: content loaded in {} ms",
        started.elapsed().as_millis()
    );
    let dirs = Dirs {
        public: args.site.public(),
        islands: args.site.islands.clone(),
    };
    let store = if atoll::store::is_postgres_url(&args.db) {
        Store::connect(&args.db, args.db_pool, std::time::Duration::from_secs(5))?
    } else {
        Store::open(std::path::Path::new(&args.db))?
    };
    tracing::info!(database = %store.location(), "database open");
    store
        .sync_catalog(&site.products)
        .context("cannot apply the catalog's stock to the database")?;
    let store = Arc::new(store);
    let services = Services {
        store: Some(Arc::clone(&store)),
        contact_per_minute: args.contact_per_minute,
        checkout_per_minute: args.checkout_per_minute,
        forward_contact: args.contact_forward.is_some(),
        trust_forwarded_for: args.trust_forwarded_for,
    };
    let secrets = match (&args.webhook_secret, &args.webhook_secret_file) {
        (Some(secret), _) => secret.clone(),
        (None, Some(file)) => std::fs::read_to_string(file)
            .with_context(|| format!("cannot read the webhook secret file {}", file.display()))?,
        (None, None) => String::new(),
    };
    let source = args.site.source()?;
    let rendering = Rendering {
        cache_dir: (!args.no_cache_dir && !args.dev).then(|| args.cache_dir.clone()),
        // Image variants are kept in the dev loop too: shared with `atoll export`.
        images_dir: (!args.no_cache_dir).then(|| args.cache_dir.clone()),
        dev: args.dev,
        reload_interval: std::time::Duration::from_millis(if args.dev {
            args.reload_interval_ms.min(200)
        } else {
            args.reload_interval_ms
        }),
        stale_while_revalidate: args.stale_while_revalidate,
        webhook_secrets: atoll::webhook::decode_secrets(&secrets)
            .context("ATOLL_WEBHOOK_SECRET")?,
        github_secret: args
            .github_webhook_secret
            .clone()
            .filter(|s| !s.is_empty())
            .map(String::into_bytes),
        preview_secret: args.preview_secret.clone().filter(|s| !s.is_empty()),
        content_token: args.content_token.clone().filter(|s| !s.is_empty()),
        purger: purger(args)?,
        cms_webhook_secret: match &source {
            atoll::snapshot::ContentSource::Cms { cms, .. } => cms
                .settings
                .as_ref()
                .and_then(|s| std::env::var(s.webhook_secret_env()).ok())
                .filter(|s| !s.is_empty()),
            _ => None,
        },
        ..Rendering::default()
    };
    // The dev site is written from every page right after the start.
    let state = if args.dev {
        AppState::start(source, site, dirs, services, rendering)
    } else {
        // Filled once every request is answered from it (`run`).
        AppState::start_unfilled(source, site, dirs, services, rendering)
    };
    if has_islands(&state) {
        match check_islands_bundle(&args.site.islands) {
            Ok(()) => {}
            // In dev mode Trunk may still be building the bundle (and the search engine
            // module is not needed: the search island uses the API).
            Err(message) if args.dev => tracing::warn!("{message}"),
            Err(message) => return Err(anyhow::Error::msg(message)),
        }
    }
    let mut site_writer = match &args.dev_site {
        Some(dir) => {
            let writer = atoll::dev::SiteWriter::open(dir.clone(), args.site.public())
                .with_context(|| format!("cannot open the dev site {}", dir.display()))?;
            Some(match &args.dev_link_into {
                Some(serve_dir) => writer.link_into(serve_dir.clone()),
                None => writer,
            })
        }
        None => None,
    };
    // On broken content the last good pages stay: the watcher writes once it loads.
    if let (Some(writer), None) = (&mut site_writer, &startup_error) {
        let report = writer
            .write(&state)
            .with_context(|| format!("cannot write the dev site {}", writer.dir().display()))?;
        tracing::info!(
            "dev site {}: {} file(s) written",
            writer.dir().display(),
            report.written.len()
        );
        for (file, err) in &report.failed {
            tracing::error!("dev site: cannot write {}: {err}", file.display());
        }
    }
    Ok(Started {
        state,
        store,
        startup_error,
        content_cache,
        site_writer,
    })
}

/// The purger `--purge` names, if any.
fn purger(args: &ServeArgs) -> anyhow::Result<Option<Arc<dyn atoll::purge::Purger>>> {
    use atoll::purge::PurgerConfig;
    let Some(spec) = &args.purge else {
        return Ok(None);
    };
    let (kind, target) = spec.split_once('=').with_context(|| {
        format!("--purge {spec}: expected KIND=TARGET, e.g. varnish=http://127.0.0.1:6081/")
    })?;
    let token = || {
        args.purge_token
            .clone()
            .filter(|t| !t.is_empty())
            .with_context(|| format!("--purge {kind}=…: set ATOLL_PURGE_TOKEN (or --purge-token) to an API token allowed to purge"))
    };
    let api = |default: &str| -> anyhow::Result<reqwest::Url> {
        Ok(match &args.purge_api {
            Some(url) => url.clone(),
            None => default.parse()?,
        })
    };
    let config = match kind {
        "varnish" => PurgerConfig::Varnish {
            url: target
                .parse()
                .with_context(|| format!("--purge varnish={target}: not a URL"))?,
        },
        "cloudflare" => PurgerConfig::Cloudflare {
            api: api(PurgerConfig::CLOUDFLARE_API)?,
            zone: target.to_owned(),
            token: token()?,
        },
        "fastly" => PurgerConfig::Fastly {
            api: api(PurgerConfig::FASTLY_API)?,
            service: target.to_owned(),
            token: token()?,
        },
        other => {
            anyhow::bail!("--purge {other}=…: unknown kind; expected varnish, cloudflare or fastly")
        }
    };
    let purger = config.build().context("cannot create the purge client")?;
    tracing::info!(
        purger = purger.name(),
        "purging by tag after each revalidation"
    );
    Ok(Some(Arc::from(purger)))
}

/// Whether a page of the site has an island (then the islands bundle must exist): the
/// first page of each route is rendered (the pages themselves may not be yet).
fn has_islands(state: &AppState) -> bool {
    let snapshot = state.snapshot();
    let mut routes = std::collections::HashSet::new();
    atoll::targets::Target::all(&snapshot)
        .iter()
        .filter(|target| match target {
            atoll::targets::Target::Route(page) => routes.insert(page.name()),
            _ => false,
        })
        .any(|target| {
            target
                .render(&snapshot, None)
                .is_some_and(|page| page.has_islands)
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

/// mimalloc's `mi_option_purge_delay` (`mimalloc.h`, v2 and v3; `libmimalloc-sys` has no
/// constant for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Makes mimalloc return freed memory to the system at once instead of after its 10 ms
/// purge delay, which it only checks while the freeing thread keeps allocating: the
/// pool threads that render `atoll serve`'s start-up pages go idle right after, and the
/// server kept ~230 MB it no longer used (10,000 posts: 704 MB RSS after the start,
/// 473 MB with this; requests/s of cached pages unchanged within the machine's noise).
/// Long-running servers only; exports exit instead.
fn return_freed_memory_promptly() {
    // SAFETY: a plain store into mimalloc's option table, made first thing in `run`
    // (before the runtime's threads exist; rayon's idle pool threads do not read
    // options); the value 0 means "purge immediately" (`mimalloc.h`).
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}
