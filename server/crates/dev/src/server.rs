//! The server the supervisor runs: `atoll serve --dev`, in its own process group.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;
use tokio::sync::{oneshot, watch};

/// A server that printed its address.
#[derive(Debug)]
pub(crate) struct Running {
    pid: u32,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    /// Turns true when the process exited.
    pub exited: watch::Receiver<bool>,
}

impl Running {
    /// Its process id (the leader of its process group).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// SIGTERM to its process group; SIGKILL after 5 seconds; returns once it exited.
    pub async fn stop(mut self) {
        stop_group(self.pid, &mut self.exited).await;
    }
}

/// SIGTERM to the process group `pid` leads, SIGKILL after 5 seconds; returns once
/// `exited` turned true.
pub(crate) async fn stop_group(pid: u32, exited: &mut watch::Receiver<bool>) {
    if *exited.borrow() {
        return;
    }
    signal_group(pid, rustix::process::Signal::TERM);
    let waited = tokio::time::timeout(Duration::from_secs(5), exited.wait_for(|e| *e))
        .await
        .is_ok();
    if !waited {
        signal_group(pid, rustix::process::Signal::KILL);
        let _ = exited.wait_for(|e| *e).await;
    }
}

/// Sends `signal` to the process group led by `pid` (gone already: nothing to do).
pub(crate) fn signal_group(pid: u32, signal: rustix::process::Signal) {
    if let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process_group(pid, signal);
    }
}

/// Starts `bin args…` in `root` and waits until it prints `http://127.0.0.1:<port>`
/// (`atoll serve` prints its address first). Its output goes to ours.
///
/// # Errors
/// Why it did not start: its last stderr lines (without terminal colours), or that it
/// could not be run.
/// `starting` holds the process id until this returns, so that a shutdown can stop a
/// server that has not printed its address yet.
pub(crate) async fn start(
    bin: &Path,
    args: &[String],
    root: &Path,
    starting: &Mutex<Option<u32>>,
) -> Result<Running, String> {
    let mut command = Command::new(bin);
    command
        .args(args)
        .current_dir(root)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .process_group(0);
    let mut child = command
        .spawn()
        .map_err(|err| format!("cannot run {}: {err}", bin.display()))?;
    let pid = child.id().unwrap_or_default();
    *starting.lock().expect("starting lock") = Some(pid);
    let tail = Arc::new(Mutex::new(String::new()));
    let stderr = child.stderr.take().map(|mut stderr| {
        let tail = Arc::clone(&tail);
        tokio::spawn(async move {
            let mut buffer = vec![0_u8; 4096];
            while let Ok(n) = stderr.read(&mut buffer).await {
                if n == 0 {
                    break;
                }
                let _ = std::io::Write::write_all(&mut std::io::stderr(), &buffer[..n]);
                let mut tail = tail.lock().expect("tail lock");
                tail.push_str(&String::from_utf8_lossy(&buffer[..n]));
                if tail.len() > 4096 {
                    let mut cut = tail.len() - 4096;
                    while !tail.is_char_boundary(cut) {
                        cut += 1;
                    }
                    tail.drain(..cut);
                }
            }
        })
    });
    let (port_tx, port_rx) = oneshot::channel();
    if let Some(stdout) = child.stdout.take() {
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            let mut port_tx = Some(port_tx);
            while let Ok(Some(line)) = lines.next_line().await {
                println!("{line}");
                if let Some(port) = address_port(&line) {
                    if let Some(tx) = port_tx.take() {
                        let _ = tx.send(port);
                    }
                }
            }
        });
    }
    let (exit_tx, mut exited) = watch::channel(false);
    tokio::spawn(async move {
        let _ = child.wait().await;
        let _ = exit_tx.send(true);
    });
    if let Ok(port) = port_rx.await {
        return Ok(Running { pid, port, exited });
    }
    // Its stdout closed without an address: it is exiting.
    if tokio::time::timeout(Duration::from_secs(5), exited.wait_for(|e| *e))
        .await
        .is_err()
    {
        stop_group(pid, &mut exited).await;
    }
    if let Some(stderr) = stderr {
        let _ = stderr.await;
    }
    let tail = strip_colours(&tail.lock().expect("tail lock"));
    Err(if tail.trim().is_empty() {
        "the server exited at start".to_owned()
    } else {
        tail.trim().to_owned()
    })
}

/// The port of the first `http://127.0.0.1:<port>` in `line`.
fn address_port(line: &str) -> Option<u16> {
    let rest = &line[line.find("http://127.0.0.1:")? + "http://127.0.0.1:".len()..];
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..digits].parse().ok()
}

/// `text` without terminal colour sequences (`ESC [ … m`), for the browser.
fn strip_colours(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_line_gives_the_port() {
        assert_eq!(
            address_port("atoll: serving 12 pages on http://127.0.0.1:40123/ (ready in 5 ms)"),
            Some(40123)
        );
        assert_eq!(address_port("no address"), None);
        assert_eq!(address_port("http://127.0.0.1:/"), None);
    }

    #[test]
    fn colours_are_stripped() {
        assert_eq!(
            strip_colours("\u{1b}[31mERROR\u{1b}[0m content: bad"),
            "ERROR content: bad"
        );
    }

    #[tokio::test]
    async fn a_server_that_exits_at_start_gives_its_stderr() {
        let err = start(
            Path::new("sh"),
            &["-c".into(), "echo 'broken site.toml' >&2; exit 3".into()],
            Path::new("."),
            &Mutex::new(None),
        )
        .await
        .unwrap_err();
        assert_eq!(err, "broken site.toml");
    }

    #[tokio::test]
    async fn a_server_that_prints_its_address_runs_until_stopped() {
        let starting = Mutex::new(None);
        let running = start(
            Path::new("sh"),
            &[
                "-c".into(),
                "echo 'on http://127.0.0.1:4567/'; exec sleep 60".into(),
            ],
            Path::new("."),
            &starting,
        )
        .await
        .unwrap();
        assert_eq!(running.port, 4567);
        assert_eq!(*starting.lock().unwrap(), Some(running.pid()));
        let mut exited = running.exited.clone();
        assert!(!*exited.borrow());
        running.stop().await;
        assert!(*exited.borrow_and_update());
    }
}
