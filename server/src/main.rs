//! The `atoll` command line: `atoll export` and `atoll serve`.

mod commands;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: rendering and compressing thousands of pages is allocation-heavy, and the
/// system allocator spent ~15% of an export's CPU time in malloc/free (perf, 10,000
/// posts).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Atoll: pre-rendered Leptos pages with WebAssembly islands.
#[derive(Debug, Parser)]
#[command(name = "atoll", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
}

/// Stack of each rayon worker (bytes). A worker waiting inside a parallel step runs
/// other queued work on its own stack: rav1e's AV1 encoding, nested a few times deep
/// while hundreds of image variants are encoded beside the pages, overflowed the
/// default 2 MiB (blog.rust-lang.org, 2,640 variants).
const WORKER_STACK: usize = 16 * 1024 * 1024;

fn main() -> ExitCode {
    // Before any parallel work; fails only if a pool was already built, then keep it.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK)
        .build_global();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = err.print();
                return if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                };
            }
            // One line: clap's first line, without its usage block.
            let text = err.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            eprintln!("atoll: {first} (see `atoll --help`)");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "atoll=info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match commands::run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("atoll: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
