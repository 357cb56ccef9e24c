//! One build of the server binary with cargo's JSON messages
//! (`cargo build --message-format=json`, parsed by the `cargo_metadata` crate).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use cargo_metadata::diagnostic::DiagnosticLevel;
use cargo_metadata::Message;
use serde::Serialize;

/// A compile error as the browser shows it: where (the primary span) and what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CompileError {
    /// The file, relative to the workspace root as cargo prints it (`app/src/lib.rs`);
    /// none for cargo's own failures (a broken `Cargo.toml`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line of the primary span.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column of the primary span.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The compiler's one-line message (`mismatched types`).
    pub message: String,
    /// The compiler's full text, as the terminal shows it (no colours).
    pub rendered: String,
}

/// How a build ended.
#[derive(Debug)]
pub struct BuildOutcome {
    /// Cargo succeeded.
    pub ok: bool,
    /// The errors (compiler errors, or cargo's own failure as one error with no file).
    pub errors: Vec<CompileError>,
    /// The binary was up to date: nothing was compiled.
    pub fresh: bool,
    /// The binary's path (from cargo's `compiler-artifact` message).
    pub bin: Option<PathBuf>,
}

/// What to build: `cargo build -p <package> --bin <bin>` in `root`.
#[derive(Clone, Debug)]
pub struct BuildCommand {
    /// The workspace root (cargo's working directory).
    pub root: PathBuf,
    /// The package (`server`).
    pub package: String,
    /// Its binary (`atoll`).
    pub bin: String,
    /// A target folder other than cargo's default (`CARGO_TARGET_DIR`), for tests.
    pub target_dir: Option<PathBuf>,
}

impl BuildCommand {
    /// Runs the build, echoing diagnostics and cargo's progress to stderr. `running`
    /// holds cargo's process id while it runs (cargo leads its own process group, so the
    /// supervisor can stop it and its compilers at once). Blocking: call it from a
    /// blocking task.
    pub fn run(&self, running: &Mutex<Option<u32>>) -> BuildOutcome {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .args(["build", "-p", &self.package, "--bin", &self.bin])
            .arg("--message-format=json")
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(dir) = &self.target_dir {
            command.env("CARGO_TARGET_DIR", dir);
        }
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(err) => return failed(format!("cannot run cargo: {err}")),
        };
        *running.lock().expect("cargo lock") = Some(child.id());
        let tail = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().map(|stderr| {
            let tail = Arc::clone(&tail);
            std::thread::spawn(move || echo_stderr(stderr, &tail))
        });
        let mut parsed = match child.stdout.take() {
            Some(stdout) => read_messages(BufReader::new(stdout), &self.bin, |rendered| {
                let _ = std::io::stderr().write_all(rendered.as_bytes());
            }),
            None => Parsed::default(),
        };
        if let Some(thread) = stderr {
            let _ = thread.join();
        }
        let status = child.wait();
        *running.lock().expect("cargo lock") = None;
        let ok = parsed.finished == Some(true) && status.as_ref().is_ok_and(|s| s.success());
        if !ok && parsed.errors.is_empty() {
            let tail = tail.lock().expect("tail lock").trim().to_owned();
            let message = match status {
                Err(err) => format!("cargo build failed: {err}"),
                Ok(_) if !tail.is_empty() => tail,
                Ok(status) => format!("cargo build exited with {status}"),
            };
            parsed.errors.push(CompileError {
                file: None,
                line: None,
                column: None,
                rendered: message.clone(),
                message,
            });
        }
        BuildOutcome {
            ok,
            errors: parsed.errors,
            fresh: parsed.fresh,
            bin: parsed.bin,
        }
    }
}

fn failed(message: String) -> BuildOutcome {
    BuildOutcome {
        ok: false,
        errors: vec![CompileError {
            file: None,
            line: None,
            column: None,
            rendered: message.clone(),
            message,
        }],
        fresh: false,
        bin: None,
    }
}

/// Copies cargo's stderr (progress, its own errors) to ours, keeping the last 8 KB.
fn echo_stderr(mut stderr: impl Read, tail: &Mutex<String>) {
    let mut buffer = [0_u8; 4096];
    while let Ok(n) = stderr.read(&mut buffer) {
        if n == 0 {
            break;
        }
        let _ = std::io::stderr().write_all(&buffer[..n]);
        let mut tail = tail.lock().expect("tail lock");
        tail.push_str(&String::from_utf8_lossy(&buffer[..n]));
        if tail.len() > 8192 {
            let mut cut = tail.len() - 8192;
            while !tail.is_char_boundary(cut) {
                cut += 1;
            }
            tail.drain(..cut);
        }
    }
}

/// What cargo's JSON messages said.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Parsed {
    pub errors: Vec<CompileError>,
    pub bin: Option<PathBuf>,
    pub fresh: bool,
    pub finished: Option<bool>,
}

/// Reads cargo's JSON messages: errors (primary span), the binary `bin` (path, fresh),
/// and the end; every diagnostic's rendered text goes to `echo`.
pub(crate) fn read_messages(reader: impl BufRead, bin: &str, mut echo: impl FnMut(&str)) -> Parsed {
    let mut parsed = Parsed {
        fresh: true,
        ..Parsed::default()
    };
    for message in Message::parse_stream(reader) {
        // A line that is not a message (or unreadable): skip it, and keep draining
        // cargo's output so that it never blocks on a full pipe.
        let Ok(message) = message else { continue };
        match message {
            Message::CompilerMessage(message) => {
                let diagnostic = message.message;
                let rendered = diagnostic.rendered.clone().unwrap_or_default();
                echo(&rendered);
                if !matches!(
                    diagnostic.level,
                    DiagnosticLevel::Error | DiagnosticLevel::Ice
                ) {
                    continue;
                }
                let span = diagnostic
                    .spans
                    .iter()
                    .find(|span| span.is_primary)
                    .or_else(|| diagnostic.spans.first());
                parsed.errors.push(CompileError {
                    file: span.map(|span| span.file_name.clone()),
                    line: span.map(|span| span.line_start),
                    column: span.map(|span| span.column_start),
                    rendered: if rendered.is_empty() {
                        diagnostic.message.clone()
                    } else {
                        rendered
                    },
                    message: diagnostic.message,
                });
            }
            Message::CompilerArtifact(artifact) if artifact.target.name == bin => {
                if let Some(path) = artifact.executable {
                    parsed.bin = Some(path.into_std_path_buf());
                    parsed.fresh &= artifact.fresh;
                }
            }
            Message::CompilerArtifact(artifact) => parsed.fresh &= artifact.fresh,
            Message::BuildFinished(finished) => parsed.finished = Some(finished.success),
            _ => {}
        }
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A crate of its own in a temporary folder, built by the real cargo (offline: it
    /// has no dependencies).
    fn probe(main: &str) -> (tempfile::TempDir, BuildCommand) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"probe\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [[bin]]\nname = \"atoll\"\npath = \"src/main.rs\"\n\n[workspace]\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/main.rs"), main).unwrap();
        let command = BuildCommand {
            root: dir.path().to_path_buf(),
            package: "probe".into(),
            bin: "atoll".into(),
            target_dir: Some(dir.path().join("target")),
        };
        (dir, command)
    }

    #[test]
    fn a_compile_error_names_file_line_column_and_message_then_the_fix_builds() {
        let (dir, command) = probe("fn main() {\n    let x: u32 = \"text\";\n}\n");
        let running = Mutex::new(None);
        let broken = command.run(&running);
        assert!(!broken.ok);
        let error = &broken.errors[0];
        assert_eq!(error.file.as_deref(), Some("src/main.rs"));
        assert_eq!((error.line, error.column), (Some(2), Some(18)));
        assert_eq!(error.message, "mismatched types");
        assert!(
            error.rendered.contains("src/main.rs:2:18"),
            "{}",
            error.rendered
        );
        assert_eq!(*running.lock().unwrap(), None);

        std::fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").unwrap();
        let built = command.run(&running);
        assert!(built.ok, "{:?}", built.errors);
        assert!(built.errors.is_empty());
        assert!(!built.fresh);
        let bin = built.bin.expect("the binary's path");
        assert!(bin.is_file(), "{}", bin.display());
        // Nothing changed: fresh.
        assert!(command.run(&running).fresh);
    }

    #[test]
    fn cargo_failing_by_itself_is_one_error_without_a_file() {
        let (dir, command) = probe("fn main() {}\n");
        std::fs::write(dir.path().join("Cargo.toml"), "[package\n").unwrap();
        let outcome = command.run(&Mutex::new(None));
        assert!(!outcome.ok);
        assert_eq!(outcome.errors.len(), 1);
        assert_eq!(outcome.errors[0].file, None);
        assert!(
            outcome.errors[0].message.contains("Cargo.toml"),
            "{}",
            outcome.errors[0].message
        );
    }

    #[test]
    fn warnings_are_echoed_not_errors() {
        let line = r#"{"reason":"compiler-message","package_id":"path+file:///p#probe@0.1.0","manifest_path":"/p/Cargo.toml","target":{"kind":["bin"],"crate_types":["bin"],"name":"atoll","src_path":"/p/src/main.rs","edition":"2021","doc":true,"doctest":false,"test":true},"message":{"rendered":"warning: unused variable\n","$message_type":"diagnostic","children":[],"code":null,"level":"warning","message":"unused variable","spans":[]}}
{"reason":"build-finished","success":true}
"#;
        let mut echoed = String::new();
        let parsed = read_messages(line.as_bytes(), "atoll", |text| echoed.push_str(text));
        assert_eq!(echoed, "warning: unused variable\n");
        assert!(parsed.errors.is_empty());
        assert_eq!(parsed.finished, Some(true));
    }
}
