//! `atoll export`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use atoll::export::{export_with_progress, ExportError, ExportOptions, ExportReport, Progress};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use super::SiteArgs;

/// Arguments of `atoll export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Output folder, replaced atomically (it must be empty or a previous export).
    #[arg(long, value_name = "DIR", default_value = "dist")]
    out: PathBuf,
    /// Write the HTML as rendered, unminified (for debugging).
    #[arg(long)]
    no_minify: bool,
    /// Do not write precompressed `.br`/`.gz` files (for hosts that compress on the fly).
    #[arg(long)]
    no_compress: bool,
    /// Do not write the static search index (search then needs `atoll serve`'s API);
    /// saves one file per post and the index rebuild after a post changes.
    #[arg(long)]
    no_search_index: bool,
    /// Folder of the image variants' cache (`images/`), shared with `atoll serve`: an
    /// image encoded once is not encoded again.
    #[arg(long, value_name = "DIR", default_value = "data/cache")]
    cache_dir: PathBuf,
}

pub fn run(mut args: ExportArgs) -> anyhow::Result<()> {
    // A CMS's images are fetched into the cache and published with the export.
    args.site.cms_assets = Some((args.cache_dir.join("cms-assets"), true));
    // Created first so that the stage times include loading the content.
    let progress = Bar::new();
    // The previous export's content cache: unchanged Markdown files are not parsed again.
    let mut previous = atoll::export::previous_manifest(&args.out);
    let cache = previous.as_mut().map(|m| std::mem::take(&mut m.content));
    let loaded = args.site.load_cached(cache.as_ref())?;
    drop(cache);
    let options = ExportOptions {
        out: args.out.clone(),
        content: args.site.content.clone(),
        public: Some(args.site.public()).filter(|public| public.exists()),
        islands: args.site.islands.clone(),
        minify: !args.no_minify,
        compress: !args.no_compress,
        search: !args.no_search_index,
        routes: app::routes(),
        cache_dir: Some(args.cache_dir.clone()),
    };
    if options.public.is_none() {
        eprintln!(
            "atoll: warning: public folder `{}` not found: no static assets copied",
            args.site.public().display()
        );
    }
    let result = export_with_progress(loaded, &options, previous, &progress);
    progress.finish();
    let report = match result {
        Ok(report) => report,
        // The one failure after which the output is not the previous one: say so.
        Err(err @ ExportError::PartialCommit { .. }) => return Err(err.into()),
        Err(err) => {
            return Err(anyhow::Error::new(err).context(format!(
                "export to `{}` failed; the previous output is unchanged",
                args.out.display()
            )))
        }
    };
    if !report.link_warnings.is_empty() {
        eprintln!(
            "atoll: warning: {} broken internal link(s) (link_check = \"warn\"; page → target):",
            report.link_warnings.len()
        );
        for link in report.link_warnings.iter().take(50) {
            eprintln!("  {} → {} ({})", link.page, link.target, link.reason);
        }
        if report.link_warnings.len() > 50 {
            eprintln!("  … and {} more", report.link_warnings.len() - 50);
        }
    }
    print_summary(&report, &args.out);
    Ok(())
}

fn print_summary(report: &ExportReport, out: &std::path::Path) {
    println!(
        "atoll: exported {} pages to {} in {} ms: {} files, {:.1} MB ({} written, {} unchanged)",
        report.pages,
        out.display(),
        report.elapsed.as_millis(),
        report.files,
        report.bytes as f64 / 1e6,
        report.written,
        report.files - report.written,
    );
    println!("  JS + WASM a visitor downloads (brotli; lazy islands fetch it when they wake), per page type:");
    for (kind, (pages, bytes)) in &report.page_types {
        println!("    {kind:<14} {pages:>6} pages  {bytes:>8} bytes");
    }
}

/// indicatif bars on a terminal (the stage, and the image encoding that runs alongside
/// the pages); plain lines (one per stage) otherwise.
struct Bar {
    bars: MultiProgress,
    bar: ProgressBar,
    images: std::sync::OnceLock<ProgressBar>,
    terminal: bool,
    started: std::time::Instant,
}

fn style() -> ProgressStyle {
    ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {elapsed}")
        .expect("valid template")
        .progress_chars("=> ")
}

impl Bar {
    fn new() -> Self {
        let terminal = std::io::stderr().is_terminal();
        let bars = MultiProgress::new();
        let bar = if terminal {
            let bar = bars.add(ProgressBar::new(0));
            bar.set_style(style());
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        } else {
            ProgressBar::hidden()
        };
        Bar {
            bars,
            bar,
            images: std::sync::OnceLock::new(),
            terminal,
            started: std::time::Instant::now(),
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
        if let Some(images) = self.images.get() {
            images.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn stage(&self, name: &'static str, steps: u64) {
        if self.terminal {
            self.bar.set_prefix(name);
            self.bar.set_length(steps);
            self.bar.set_position(0);
        } else {
            eprintln!(
                "atoll: {:>6} ms {name}{}",
                self.started.elapsed().as_millis(),
                if steps > 0 {
                    format!(" ({steps})")
                } else {
                    String::new()
                }
            );
        }
    }

    fn step(&self) {
        if self.terminal {
            self.bar.inc(1);
        }
    }

    fn images(&self, images: u64) {
        let bar = if self.terminal {
            let bar = self.bars.add(ProgressBar::new(images));
            bar.set_style(style());
            bar.set_prefix("images");
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        } else {
            eprintln!(
                "atoll: {:>6} ms images ({images} to encode, alongside the pages)",
                self.started.elapsed().as_millis()
            );
            // Hidden, but it counts (for the line when the last is done).
            let bar = ProgressBar::hidden();
            bar.set_length(images);
            bar
        };
        let _ = self.images.set(bar);
    }

    fn image_done(&self) {
        if let Some(bar) = self.images.get() {
            bar.inc(1);
            if !self.terminal && Some(bar.position()) == bar.length() {
                eprintln!(
                    "atoll: {:>6} ms images encoded",
                    self.started.elapsed().as_millis()
                );
            }
        }
    }
}
