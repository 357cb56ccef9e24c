//! `atoll export`.

use std::path::PathBuf;

use anyhow::Context;
use atoll::export::{export, ExportOptions};

use super::SiteArgs;

/// Arguments of `atoll export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Output folder, replaced atomically (it must be empty or a previous export).
    #[arg(long, value_name = "DIR", default_value = "dist")]
    out: PathBuf,
}

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let site = args.site.load()?;
    let options = ExportOptions {
        out: args.out.clone(),
        content: args.site.content.clone(),
        public: args.site.public.exists().then(|| args.site.public.clone()),
        islands: args.site.islands.clone(),
    };
    if options.public.is_none() {
        tracing::warn!(
            "public folder `{}` not found: no static assets copied",
            args.site.public.display()
        );
    }
    let report = export(&site, &options).with_context(|| {
        format!(
            "export to `{}` failed; the previous output is unchanged",
            args.out.display()
        )
    })?;
    println!(
        "atoll: exported {} pages ({} files, {} bytes) to {} in {} ms; pages with islands load {} bytes of JS+WASM, others none",
        report.pages,
        report.files,
        report.bytes,
        args.out.display(),
        report.elapsed.as_millis(),
        report.islands_bytes,
    );
    Ok(())
}
