//! One file per subcommand.

mod dev;
mod export;
mod revalidate;
mod serve;

use std::path::PathBuf;

use anyhow::Context;
use atoll::cms::CmsSource;
use atoll::content::{load_with_cache, ContentCache, LoadOptions, Loaded};
use atoll::snapshot::ContentSource;

/// The subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Pre-render every page into a folder that any static host or CDN can serve.
    Export(export::ExportArgs),
    /// Serve the site: pages per route (static, ISR, SSR), public files, the islands
    /// bundle and the JSON API.
    Serve(Box<serve::ServeArgs>),
    /// The dev loop: `trunk serve` in front (islands rebuilt, live reload), the API
    /// proxied to `atoll serve --dev`, rebuilt and restarted on Rust edits, with errors
    /// shown in the browser.
    Dev(dev::DevArgs),
    /// Trunk's post_build hook in the dev loop (Trunk.toml): links the pages into Trunk's
    /// staging folder.
    #[command(hide = true)]
    LinkStage,
    /// Ask a running server to revalidate pages: a signed webhook (Standard Webhooks,
    /// secret from ATOLL_WEBHOOK_SECRET).
    Revalidate(revalidate::RevalidateArgs),
}

/// Runs a subcommand.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Export(args) => export::run(args),
        Command::Serve(args) => serve::run(*args),
        Command::Revalidate(args) => revalidate::run(args),
        Command::Dev(args) => dev::run(args),
        Command::LinkStage => Ok(atoll_dev::link_stage_from_env()?),
    }
}

/// Options shared by the subcommands: where the site's files are.
#[derive(Debug, clap::Args)]
pub struct SiteArgs {
    /// Content folder: site.toml, posts/, docs/, pages/, products/; or the root of a
    /// Zola or Hugo site (config.toml or hugo.toml beside content/ and static/).
    #[arg(long, value_name = "DIR", default_value = "content")]
    pub content: PathBuf,
    /// Static assets copied or served as they are [default: public, or static/ of a Zola
    /// or Hugo site root].
    #[arg(long = "public", value_name = "DIR")]
    pub public_arg: Option<PathBuf>,
    /// The islands bundle built by Trunk (islands.js, islands_bg.wasm, loader.js).
    #[arg(long, value_name = "DIR", default_value = "target/islands")]
    pub islands: PathBuf,
    /// Override `base_url` of site.toml (absolute URL used in canonical links).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Include entries marked `draft: true` (preview builds; they are marked noindex).
    #[arg(long)]
    pub drafts: bool,
    /// Read posts and products from this headless CMS (an HTTP API speaking Atoll's
    /// content API, e.g. another Atoll server) instead of content/posts and
    /// content/products.
    #[arg(long, value_name = "URL", env = "ATOLL_CMS_URL")]
    pub cms_url: Option<reqwest::Url>,
    /// Bearer token for the CMS.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "ATOLL_CMS_TOKEN",
        hide_env_values = true
    )]
    pub cms_token: Option<String>,
    /// Read posts (and products, when mapped) from a headless CMS described by this
    /// settings file (TOML: `kind = "strapi" | "contentful" | "sanity" | "wordpress"`,
    /// where, which types and fields; tokens from the environment variables it names).
    #[arg(
        long,
        value_name = "FILE",
        env = "ATOLL_CMS_CONFIG",
        conflicts_with = "cms_url"
    )]
    pub cms_config: Option<PathBuf>,
    /// Where the images a CMS references are downloaded, and whether they are by
    /// default (the export: yes; the server: only with `assets = "download"`).
    #[arg(skip)]
    pub cms_assets: Option<(PathBuf, bool)>,
}

impl SiteArgs {
    /// The public folder: `--public`, else a Zola or Hugo site root's `static/`, else
    /// `public`.
    pub fn public(&self) -> PathBuf {
        self.public_arg.clone().unwrap_or_else(|| {
            atoll::content::site_root::detect(&self.content)
                .map_or_else(|| PathBuf::from("public"), |root| root.statics)
        })
    }

    /// Where the content comes from: the content folder, or the CMS for posts and
    /// products.
    pub fn source(&self) -> anyhow::Result<ContentSource> {
        let options = self.options();
        if let Some(path) = &self.cms_config {
            let settings = atoll::cms::vendors::Settings::read(path)?;
            let assets = self.cms_assets.as_ref().and_then(|(dir, default)| {
                let download = settings.assets.map_or(*default, |mode| {
                    mode == atoll::cms::vendors::AssetMode::Download
                });
                download.then(|| dir.clone())
            });
            let mut cms = CmsSource::vendor(settings, self.cms_token.clone())?;
            cms.assets_dir = assets;
            return Ok(ContentSource::Cms {
                dir: self.content.clone(),
                options,
                cms,
            });
        }
        Ok(match &self.cms_url {
            Some(url) => ContentSource::Cms {
                dir: self.content.clone(),
                options,
                cms: CmsSource::new(url.clone(), self.cms_token.clone())?,
            },
            None => ContentSource::Files {
                dir: self.content.clone(),
                options,
            },
        })
    }

    fn options(&self) -> LoadOptions {
        LoadOptions {
            include_drafts: self.drafts,
            base_url: self.base_url.clone(),
        }
    }

    /// Loads the site (taking unchanged Markdown files from `cache`), printing each
    /// content warning to stderr, with a message naming the folder on failure.
    pub fn load_cached(&self, cache: Option<&ContentCache>) -> anyhow::Result<Loaded> {
        let options = self.options();
        let loaded = load_with_cache(&self.content, &options, cache)
            .with_context(|| format!("cannot load the site in `{}`", self.content.display()))?;
        for warning in &loaded.warnings {
            eprintln!("atoll: warning: {warning}");
        }
        let mut loaded = loaded;
        if self.cms_url.is_some() || self.cms_config.is_some() {
            // Posts and products come from the CMS (fetched in full: no deferred bodies).
            let source = self.source()?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            let site = runtime.block_on(source.load())?;
            loaded.deferred.clear();
            loaded.site = site;
        }
        Ok(loaded)
    }
}
