//! Several servers: a real PostgreSQL (Debian's `postgresql`, `initdb` into a temporary
//! folder, a port on 127.0.0.1), real `atoll serve` processes sharing it, and a real
//! Varnish (Debian's `varnish` with varnish-modules' xkey) in front of them.
//!
//! Where PostgreSQL or Varnish is not installed the tests that need them say so and
//! return, unless `ATOLL_REQUIRE_CLUSTER=1` (set by `scripts/test`, whose bootstrap
//! installs both), where they fail instead.

mod purgers;
mod servers;
mod store;

use std::net::SocketAddr;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::common::root;

/// The tests of this module run one at a time: each starts its own PostgreSQL, servers
/// and proxy, and the webhook test's 1 s bound should not share two cores with 400
/// checkouts.
fn serial() -> Serial {
    while BUSY
        .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    Serial
}

static BUSY: AtomicBool = AtomicBool::new(false);

/// The turn of one test of this module (a lock guard that may move between threads).
pub(crate) struct Serial;

impl Drop for Serial {
    fn drop(&mut self) {
        BUSY.store(false, Ordering::SeqCst);
    }
}

/// Whether a missing PostgreSQL or Varnish fails the test instead of skipping it.
pub(crate) fn required() -> bool {
    std::env::var("ATOLL_REQUIRE_CLUSTER").is_ok_and(|v| v == "1")
}

/// Says why a test does not run, or fails when the tools are required.
fn skip(what: &str) {
    assert!(
        !required(),
        "{what} is not installed, and ATOLL_REQUIRE_CLUSTER=1 (scripts/bootstrap installs it)"
    );
    eprintln!("skipped: {what} is not installed (Debian's package; scripts/bootstrap installs it)");
}

/// A free port on 127.0.0.1 (bound, then released: the server binds it next).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The uid and gid of a system user, from `id`.
fn user_ids(name: &str) -> Option<(u32, u32)> {
    let id = |flag: &str| -> Option<u32> {
        let out = Command::new("id").args([flag, name]).output().ok()?;
        String::from_utf8(out.stdout).ok()?.trim().parse().ok()
    };
    Some((id("-u")?, id("-g")?))
}

/// Sends `signal` (`-INT`, `-KILL`) to `pid`.
fn signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status();
}

/// Waits for `child` to exit, at most `limit`; kills it after that.
fn wait_or_kill(child: &mut Child, limit: Duration) {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A PostgreSQL server of its own, in a temporary folder; stopped when dropped.
pub(crate) struct Pg {
    /// Held while the server runs (see [`serial`]); dropped after it stops.
    _serial: Serial,
    dir: TempDir,
    bin: PathBuf,
    child: Option<Child>,
    /// Its port on 127.0.0.1.
    pub(crate) port: u16,
    /// The user it runs as when the tests run as root (PostgreSQL refuses root).
    run_as: Option<(u32, u32)>,
}

impl Pg {
    /// Starts one; `None` (after [`skip`]) when PostgreSQL is not installed.
    pub(crate) fn start() -> Option<Pg> {
        let serial = serial();
        let Some(bin) = Self::find_bin() else {
            skip("PostgreSQL (`initdb`)");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let root_user = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
        let run_as = if root_user {
            let ids = user_ids("postgres").expect("the postgres user of Debian's package");
            let status = Command::new("chown")
                .arg("-R")
                .arg(format!("{}:{}", ids.0, ids.1))
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(status.success());
            Some(ids)
        } else {
            None
        };
        let mut pg = Pg {
            _serial: serial,
            dir,
            bin,
            child: None,
            port: free_port(),
            run_as,
        };
        let mut initdb = pg.command("initdb");
        initdb.arg("-D").arg(pg.data()).args([
            "-A",
            "trust",
            "-U",
            "atoll",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        let out = initdb.output().unwrap();
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        pg.run();
        Some(pg)
    }

    fn find_bin() -> Option<PathBuf> {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .filter(|bin| bin.join("initdb").exists())
            .collect();
        versions.sort();
        versions.pop()
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin.join(program));
        if let Some((uid, gid)) = self.run_as {
            command.uid(uid).gid(gid);
        }
        command.env("LC_ALL", "C");
        command
    }

    /// Starts (or starts again) the server and waits until it accepts connections.
    pub(crate) fn run(&mut self) {
        let log = std::fs::File::create(self.dir.path().join("postgres.log")).unwrap();
        let child = self
            .command("postgres")
            .arg("-D")
            .arg(self.data())
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-k"])
            .arg(self.dir.path())
            .args(["-c", "max_connections=200", "-c", "synchronous_commit=on"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            if postgres::Client::connect(&self.url("postgres"), postgres::NoTls).is_ok() {
                return;
            }
            assert!(
                Instant::now() < until,
                "PostgreSQL did not start: {}",
                std::fs::read_to_string(self.dir.path().join("postgres.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops the server (fast shutdown: open connections are cut).
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal(child.id(), "-INT");
            wait_or_kill(&mut child, Duration::from_secs(20));
        }
    }

    /// The URL of database `name`.
    pub(crate) fn url(&self, name: &str) -> String {
        format!("postgres://atoll@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates database `name`; returns its URL.
    pub(crate) fn create_db(&self, name: &str) -> String {
        let mut client = postgres::Client::connect(&self.url("postgres"), postgres::NoTls).unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        self.url(name)
    }

    /// A client of database `name`, for the tests' own queries.
    pub(crate) fn client(&self, name: &str) -> postgres::Client {
        postgres::Client::connect(&self.url(name), postgres::NoTls).unwrap()
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The demo site copied into a temporary folder (its posts can be edited), with the
/// mug's stock set to `mug_stock`.
pub(crate) struct Site {
    pub(crate) dir: TempDir,
}

impl Site {
    pub(crate) fn demo(mug_stock: u32) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let from = root().join("content");
        for entry in walkdir::WalkDir::new(&from) {
            let entry = entry.unwrap();
            let to = dir
                .path()
                .join("content")
                .join(entry.path().strip_prefix(&from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
        let mug = dir.path().join("content/products/atoll-mug.json");
        let mut product: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&mug).unwrap()).unwrap();
        product["stock"] = mug_stock.into();
        std::fs::write(&mug, product.to_string()).unwrap();
        let islands = dir.path().join("islands");
        std::fs::create_dir_all(&islands).unwrap();
        for name in atoll::ISLANDS_FILES {
            std::fs::write(islands.join(name), b"// stub\n").unwrap();
        }
        Site { dir }
    }

    pub(crate) fn content(&self) -> PathBuf {
        self.dir.path().join("content")
    }
}

/// The webhook secret the servers of these tests share.
pub(crate) const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// An `atoll serve` process; killed when dropped.
pub(crate) struct Atoll {
    child: Child,
    /// Where it listens.
    pub(crate) addr: SocketAddr,
}

impl Atoll {
    /// Starts `atoll serve` for `site` on database `db`, with `extra` arguments, and
    /// waits until `/status/ready` answers 200.
    pub(crate) fn start(site: &Site, db: &str, extra: &[&str]) -> Atoll {
        Atoll::start_with(site, db, "127.0.0.1:0", extra, &[])
    }

    /// [`Atoll::start`] on `addr`, with the environment variables `envs`.
    pub(crate) fn start_with(
        site: &Site,
        db: &str,
        addr: &str,
        extra: &[&str],
        envs: &[(&str, &str)],
    ) -> Atoll {
        let cache = tempfile::tempdir().unwrap().keep();
        let mut child = Command::new(env!("CARGO_BIN_EXE_atoll"))
            .args(["serve", "--addr", addr])
            .args([
                "--checkout-per-minute",
                "100000",
                "--contact-per-minute",
                "100000",
            ])
            .arg("--content")
            .arg(site.content())
            .arg("--public")
            .arg(root().join("public"))
            .arg("--islands")
            .arg(site.dir.path().join("islands"))
            .arg("--cache-dir")
            .arg(&cache)
            .args(["--db", db])
            .args(extra)
            .env("ATOLL_WEBHOOK_SECRET", SECRET)
            .env("RUST_LOG", "info")
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let addr: SocketAddr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .parse()
            .unwrap();
        let atoll = Atoll { child, addr };
        atoll.wait_ready();
        atoll
    }

    fn wait_ready(&self) {
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            if status_of(&format!("http://{}/status/ready", self.addr)).is_ok_and(|s| s == 200) {
                return;
            }
            assert!(Instant::now() < until, "{} never became ready", self.addr);
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `http://addr`.
    pub(crate) fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the process after a signal ended it.
    pub(crate) fn reap(&mut self) {
        wait_or_kill(&mut self.child, Duration::from_secs(10));
    }
}

impl Drop for Atoll {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status code of a plain `GET url` (`http://host:port/path`), from a blocking
/// socket (no HTTP client needed before the runtime).
fn status_of(url: &str) -> std::io::Result<u16> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream = std::net::TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    Ok(std::str::from_utf8(&head[9..12])
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0))
}

/// Varnish in front of `backends`, with the VCL of the README's "Several servers"
/// section (round-robin director, `/status/ready` probes, xkey purges); stopped when
/// dropped.
pub(crate) struct Varnish {
    dir: TempDir,
    child: Child,
    /// Where it listens.
    pub(crate) addr: SocketAddr,
}

impl Varnish {
    /// Starts one; `None` (after [`skip`]) when Varnish or its xkey module is missing.
    pub(crate) fn start(port: u16, backends: &[SocketAddr]) -> Option<Varnish> {
        let varnishd = Path::new("/usr/sbin/varnishd");
        // Debian's multiarch folder (x86_64-linux-gnu, aarch64-linux-gnu, …).
        let xkey = std::fs::read_dir("/usr/lib")
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .any(|dir| dir.path().join("varnish/vmods/libvmod_xkey.so").exists());
        if !varnishd.exists() || !xkey {
            skip("Varnish with varnish-modules (`varnishd`, the xkey vmod)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        // The README's VCL, with the two instances' ports.
        assert_eq!(backends.len(), 2, "the VCL has two backends");
        let vcl = std::fs::read_to_string(root().join("tests/fixtures/varnish/atoll.vcl"))
            .unwrap()
            .replace("\"3001\"", &format!("\"{}\"", backends[0].port()))
            .replace("\"3002\"", &format!("\"{}\"", backends[1].port()));
        let vcl_path = dir.path().join("atoll.vcl");
        std::fs::write(&vcl_path, vcl).unwrap();
        let child = Command::new(varnishd)
            .arg("-F")
            .args(["-a", &format!("127.0.0.1:{port}")])
            .arg("-f")
            .arg(&vcl_path)
            .arg("-n")
            .arg(dir.path().join("work"))
            .args(["-s", "malloc,64m", "-T", "none"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let until = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(Instant::now() < until, "Varnish did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(Varnish { dir, child, addr })
    }

    /// `http://addr`.
    pub(crate) fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Varnish {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = &self.dir;
    }
}
