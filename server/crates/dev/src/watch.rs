//! Watching the Rust sources: `notify` (inotify, FSEvents, …) says that something
//! moved; the files' stamps (modification time and size) say whether a source really
//! changed, so that cargo reading the files, or an editor's swap file, builds nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use notify::Watcher;
use tokio::sync::{mpsc, Notify};

/// Folders whose files are sources of the server binary (recursively).
pub const SOURCE_DIRS: [&str; 3] = ["app", "server", "islands"];
/// Files of the workspace root that are sources of the server binary.
pub const ROOT_FILES: [&str; 2] = ["Cargo.toml", "Cargo.lock"];
/// How long events are gathered before the stamps are compared (an editor's save is
/// several events).
const SETTLE: Duration = Duration::from_millis(60);
/// With no file-system notifications (a watch limit reached), the stamps are compared
/// this often.
const POLL: Duration = Duration::from_millis(500);

/// `path → (modified, size)` of every source file under `root`.
pub(crate) type Stamps = BTreeMap<PathBuf, (Option<SystemTime>, u64)>;

/// The stamps of the sources under `root` ([`SOURCE_DIRS`] without dot files,
/// `target/` and `node_modules/`; [`ROOT_FILES`]).
pub(crate) fn stamps(root: &Path) -> Stamps {
    let mut stamps = Stamps::new();
    let mut stamp = |path: &Path| {
        if let Ok(meta) = std::fs::metadata(path) {
            stamps.insert(path.to_path_buf(), (meta.modified().ok(), meta.len()));
        }
    };
    for dir in SOURCE_DIRS {
        let walk = walkdir::WalkDir::new(root.join(dir))
            .into_iter()
            .filter_entry(|entry| !ignored(entry.file_name()));
        for entry in walk.flatten() {
            if entry.file_type().is_file() {
                stamp(entry.path());
            }
        }
    }
    for file in ROOT_FILES {
        stamp(&root.join(file));
    }
    stamps
}

fn ignored(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || name == "target" || name == "node_modules"
}

/// Watches the sources under `root` and wakes `trigger` each time their stamps change.
/// Returns the watcher, which watches as long as it is kept.
pub(crate) fn spawn(root: PathBuf, trigger: Arc<Notify>) -> Option<notify::RecommendedWatcher> {
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    let watcher = {
        let tx = tx.clone();
        let inside_root = root.clone();
        notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            let relevant = event.is_ok_and(|event| {
                !matches!(event.kind, notify::EventKind::Access(_))
                    && event.paths.iter().any(|path| {
                        let inside = path.strip_prefix(&inside_root).unwrap_or(path);
                        !inside.components().any(|c| ignored(c.as_os_str()))
                    })
            });
            if relevant {
                let _ = tx.send(());
            }
        })
        .and_then(|mut watcher| {
            for dir in SOURCE_DIRS {
                let dir = root.join(dir);
                if dir.is_dir() {
                    watcher.watch(&dir, notify::RecursiveMode::Recursive)?;
                }
            }
            watcher.watch(&root, notify::RecursiveMode::NonRecursive)?;
            Ok(watcher)
        })
    };
    let watcher = match watcher {
        Ok(watcher) => Some(watcher),
        Err(err) => {
            crate::out::say(&format!(
                "cannot watch the sources ({err}); checking them every {} ms instead",
                POLL.as_millis()
            ));
            tokio::spawn(async move {
                let mut every = tokio::time::interval(POLL);
                loop {
                    every.tick().await;
                    if tx.send(()).is_err() {
                        return;
                    }
                }
            });
            None
        }
    };
    tokio::spawn(async move {
        let mut known = {
            let root = root.clone();
            tokio::task::spawn_blocking(move || stamps(&root))
                .await
                .unwrap_or_default()
        };
        while rx.recv().await.is_some() {
            tokio::time::sleep(SETTLE).await;
            while rx.try_recv().is_ok() {}
            let root = root.clone();
            let Ok(now) = tokio::task::spawn_blocking(move || stamps(&root)).await else {
                continue;
            };
            if now != known {
                known = now;
                trigger.notify_one();
            }
        }
    });
    watcher
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_edit_wakes_the_trigger_and_a_read_or_an_ignored_folder_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        std::fs::create_dir_all(root.join("app/src")).unwrap();
        std::fs::create_dir_all(root.join("server/target")).unwrap();
        std::fs::write(root.join("app/src/lib.rs"), "// one\n").unwrap();
        let trigger = Arc::new(Notify::new());
        let _watcher = spawn(root.clone(), Arc::clone(&trigger)).expect("a watcher");
        let woken = |ms| tokio::time::timeout(Duration::from_millis(ms), trigger.notified());

        // Reading a source (cargo does) and writing under target/ build nothing.
        let _ = std::fs::read_to_string(root.join("app/src/lib.rs")).unwrap();
        std::fs::write(root.join("server/target/x.o"), "object").unwrap();
        std::fs::write(root.join("app/src/.lib.rs.swp"), "swap").unwrap();
        assert!(
            woken(500).await.is_err(),
            "woken by a read or an ignored file"
        );

        std::fs::write(root.join("app/src/lib.rs"), "// two, longer\n").unwrap();
        assert!(woken(5_000).await.is_ok(), "not woken by an edit");
        std::fs::write(root.join("Cargo.toml"), "[workspace]\n").unwrap();
        assert!(woken(5_000).await.is_ok(), "not woken by Cargo.toml");
    }
}
