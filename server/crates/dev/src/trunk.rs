//! `trunk serve` in front, and its `post_build` hook (`atoll link-stage`).

use std::path::{Path, PathBuf};

use tokio::process::Command;
use tokio::sync::watch;

use crate::error::DevError;
use crate::options::Options;

/// The environment variable naming the dev site for the hook (`Trunk.toml`).
pub const SITE_ENV: &str = "ATOLL_DEV_SITE";
/// The environment variable naming the `atoll` binary the hook runs (`Trunk.toml`).
pub const BIN_ENV: &str = "ATOLL_DEV_BIN";
/// The port Trunk.toml's proxies point at; another `--api-port` runs Trunk with a copy
/// of Trunk.toml whose proxies point at it.
pub const TRUNK_TOML_API_PORT: u16 = 3001;

/// `trunk serve`, running.
pub(crate) struct Trunk {
    pid: u32,
    exited: watch::Receiver<bool>,
    /// The copy of Trunk.toml for another API port (removed at the end).
    config: Option<PathBuf>,
}

impl Trunk {
    /// Starts `trunk serve --port <port> --dist <dist>` in the workspace root, with the
    /// dev site and this binary in the hook's environment. Its output goes to ours.
    pub(crate) fn start(options: &Options) -> Result<Self, DevError> {
        let mut command = Command::new("trunk");
        let mut config = None;
        if options.api_port != TRUNK_TOML_API_PORT {
            // Trunk's command line can only add a proxy (a second one at /api/ panics),
            // so the proxies point at another port through a copy of Trunk.toml, written
            // beside it (the paths in a config are relative to its folder).
            let original = options.root.join("Trunk.toml");
            let text = std::fs::read_to_string(&original)
                .map_err(DevError::io("cannot read", &original))?;
            let copy = options
                .root
                .join(format!(".trunk-dev-{}.toml", options.api_port));
            let from = format!("http://127.0.0.1:{TRUNK_TOML_API_PORT}/");
            let to = format!("http://127.0.0.1:{}/", options.api_port);
            std::fs::write(&copy, text.replace(&from, &to))
                .map_err(DevError::io("cannot write", &copy))?;
            command.arg("--config").arg(&copy);
            config = Some(copy);
        }
        command
            .arg("serve")
            .arg("--port")
            .arg(options.port.to_string())
            .arg("--dist")
            .arg(&options.dist)
            .current_dir(&options.root)
            .env(SITE_ENV, &options.site)
            .stdin(std::process::Stdio::null())
            .process_group(0);
        if let Ok(bin) = std::env::current_exe() {
            command.env(BIN_ENV, bin);
        }
        let mut child = command
            .spawn()
            .map_err(|source| DevError::Trunk { source })?;
        let pid = child.id().unwrap_or_default();
        let (exit_tx, exited) = watch::channel(false);
        tokio::spawn(async move {
            let _ = child.wait().await;
            let _ = exit_tx.send(true);
        });
        Ok(Self {
            pid,
            exited,
            config,
        })
    }

    /// Resolves when Trunk exited.
    pub(crate) async fn exited(&self) {
        let _ = self.exited.clone().wait_for(|e| *e).await;
    }

    /// Stops Trunk (its process group) and removes the config copy.
    pub(crate) async fn stop(mut self) {
        crate::server::stop_group(self.pid, &mut self.exited).await;
        if let Some(config) = self.config.take() {
            let _ = std::fs::remove_file(config);
        }
    }
}

/// `atoll link-stage`, Trunk's `post_build` hook: [`atoll_serve::dev::link_stage`] of
/// the dev site (`ATOLL_DEV_SITE`) into Trunk's staging folder (`TRUNK_STAGING_DIR`).
/// `Trunk.toml` runs it only when `ATOLL_DEV_BIN` is set, i.e. under `atoll dev`.
///
/// # Errors
/// A variable missing, or the file system's error.
pub fn link_stage_from_env() -> Result<(), DevError> {
    let site = std::env::var_os(SITE_ENV).ok_or(DevError::HookEnv(SITE_ENV))?;
    let stage =
        std::env::var_os("TRUNK_STAGING_DIR").ok_or(DevError::HookEnv("TRUNK_STAGING_DIR"))?;
    let stage = Path::new(&stage);
    atoll_serve::dev::link_stage(Path::new(&site), stage)
        .map_err(DevError::io("cannot link the pages into", stage))
}
