//! One file per subcommand.

mod export;
mod serve;

use std::path::PathBuf;

use anyhow::Context;
use atoll::content::{load_with_cache, ContentCache, LoadOptions, Loaded};

/// The subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Pre-render every page into a folder that any static host or CDN can serve.
    Export(export::ExportArgs),
    /// Serve the pre-rendered pages, public files, islands bundle and JSON API.
    Serve(serve::ServeArgs),
}

/// Runs a subcommand.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Export(args) => export::run(args),
        Command::Serve(args) => serve::run(args),
    }
}

/// Options shared by the subcommands: where the site's files are.
#[derive(Debug, clap::Args)]
pub struct SiteArgs {
    /// Content folder: site.toml, posts/, docs/, pages/, products/.
    #[arg(long, value_name = "DIR", default_value = "content")]
    pub content: PathBuf,
    /// Static assets copied or served as they are.
    #[arg(long, value_name = "DIR", default_value = "public")]
    pub public: PathBuf,
    /// The islands bundle built by Trunk (islands.js, islands_bg.wasm, loader.js).
    #[arg(long, value_name = "DIR", default_value = "target/islands")]
    pub islands: PathBuf,
    /// Override `base_url` of site.toml (absolute URL used in canonical links).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Include entries marked `draft: true` (preview builds; they are marked noindex).
    #[arg(long)]
    pub drafts: bool,
}

impl SiteArgs {
    /// Loads the site, printing each content warning to stderr, with a message naming
    /// the folder on failure.
    pub fn load(&self) -> anyhow::Result<app::Site> {
        self.load_cached(None).map(|loaded| loaded.site)
    }

    /// [`SiteArgs::load`], taking unchanged Markdown files from `cache`.
    pub fn load_cached(&self, cache: Option<&ContentCache>) -> anyhow::Result<Loaded> {
        let options = LoadOptions {
            include_drafts: self.drafts,
            base_url: self.base_url.clone(),
        };
        let loaded = load_with_cache(&self.content, &options, cache)
            .with_context(|| format!("cannot load the site in `{}`", self.content.display()))?;
        for warning in &loaded.warnings {
            eprintln!("atoll: warning: {warning}");
        }
        Ok(loaded)
    }
}
