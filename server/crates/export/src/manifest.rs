//! The export manifest: `OUT/.atoll-export`, JSON. It marks the folder as Atoll's (the
//! export refuses to replace any other non-empty folder) and records the SHA-256 of
//! every file it wrote, so the next export keeps unchanged files as they are (same
//! inode, same mtime) instead of rewriting them.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use atoll_content::ContentCache;

/// File name of the manifest in the output folder.
pub const MARKER: &str = ".atoll-export";

/// What the previous export wrote.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    /// `atoll <version>`.
    pub generator: String,
    /// Output options that change file contents (`minify`); a change rewrites all.
    #[serde(default)]
    pub options: String,
    /// Relative path → hex SHA-256 of the uncompressed bytes (`.br`/`.gz` siblings
    /// follow their file).
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Each page by URL path: what an incremental export needs to skip rendering it.
    #[serde(default)]
    pub pages: BTreeMap<String, PageRecord>,
    /// Every dep some page read ([`app::Dep`] as a string), once: pages refer to them
    /// by index ([`PageRecord::reads`]), and the next export reads each one once.
    #[serde(default)]
    pub deps: Vec<String>,
    /// The parsed metadata of the Markdown sources.
    #[serde(default)]
    pub content: ContentCache,
}

/// What the previous export knew about one page.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PageRecord {
    /// Hex fingerprint of what the page read ([`app::ReadSet::fingerprint`]).
    pub key: String,
    /// What the page read ([`app::ReadSet`]), as indexes into [`Manifest::deps`] in
    /// reading order; checked again by the next export.
    #[serde(default)]
    pub reads: Vec<u32>,
    /// Page type, for the summary.
    pub kind: String,
    /// Whether it has an island.
    pub has_islands: bool,
    /// The islands bundle it loads (`islands-search`, …; `None` without islands).
    #[serde(default)]
    pub bundle: Option<String>,
    /// Internal references (for the link checker).
    pub links: Vec<String>,
    /// Element ids (for `#fragment` checks).
    pub ids: Vec<String>,
    /// Bytes of the file and its compressed siblings.
    pub bytes: u64,
}

impl Manifest {
    /// Parses [`Manifest::to_json`]'s output, its large parts in parallel; `None` when it
    /// is not a manifest.
    pub fn from_json(text: &[u8]) -> Option<Manifest> {
        use serde_json::value::RawValue;
        #[derive(Deserialize)]
        struct Parts<'a> {
            generator: String,
            #[serde(default)]
            options: String,
            #[serde(borrow)]
            files: Option<&'a RawValue>,
            #[serde(borrow)]
            pages: Option<&'a RawValue>,
            #[serde(borrow)]
            deps: Option<&'a RawValue>,
            #[serde(borrow)]
            content: Option<&'a RawValue>,
        }
        fn parse<T: for<'de> Deserialize<'de> + Default + Send>(
            raw: Option<&RawValue>,
        ) -> Option<T> {
            raw.map_or(Some(T::default()), |raw| {
                serde_json::from_str(raw.get()).ok()
            })
        }
        let parts: Parts<'_> = serde_json::from_slice(text).ok()?;
        let ((files, deps), (pages, content)) = rayon::join(
            || rayon::join(|| parse(parts.files), || parse(parts.deps)),
            || rayon::join(|| parse(parts.pages), || parse(parts.content)),
        );
        Some(Manifest {
            generator: parts.generator,
            options: parts.options,
            files: files?,
            pages: pages?,
            deps: deps?,
            content: content?,
        })
    }

    /// The manifest as JSON, its large parts serialized in parallel (the same bytes as
    /// `serde_json::to_vec`: fields in declaration order).
    pub fn to_json(&self) -> Vec<u8> {
        fn json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
            serde_json::to_vec(value).expect("a manifest serializes")
        }
        let ((files, deps), (pages, content)) = rayon::join(
            || rayon::join(|| json(&self.files), || json(&self.deps)),
            || rayon::join(|| json(&self.pages), || json(&self.content)),
        );
        let mut out =
            Vec::with_capacity(files.len() + deps.len() + pages.len() + content.len() + 256);
        out.extend_from_slice(b"{\"generator\":");
        out.extend(json(&self.generator));
        out.extend_from_slice(b",\"options\":");
        out.extend(json(&self.options));
        for (key, part) in [
            ("files", files),
            ("pages", pages),
            ("deps", deps),
            ("content", content),
        ] {
            out.extend_from_slice(format!(",\"{key}\":").as_bytes());
            out.extend(part);
        }
        out.push(b'}');
        out
    }

    /// The manifest of the export in `out`, if there is a readable one whose paths all
    /// stay inside the output (it is read from disk and drives deletions).
    pub fn read(out: &Path) -> Option<Manifest> {
        let text = std::fs::read(out.join(MARKER)).ok()?;
        let manifest = Manifest::from_json(&text)?;
        manifest
            .files
            .keys()
            .all(|rel| is_safe_relative(rel))
            .then_some(manifest)
    }
}

/// A relative path of plain `/`-separated names: no root, no `.` or `..`, no empty
/// component, no backslash.
pub fn is_safe_relative(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.contains('\\')
        && rel
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Hex SHA-256 of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `atoll <version> <size>-<mtime of the executable>`: a rebuilt binary may render
/// differently, so its caches start afresh.
pub(crate) fn generator() -> String {
    let build = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|meta| {
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}-{modified}", meta.len())
        })
        .unwrap_or_default();
    format!("atoll {} {build}", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_json_equals_serde_json() {
        let mut manifest = Manifest {
            generator: "atoll \"x\"".into(),
            options: "minify=true".into(),
            ..Manifest::default()
        };
        manifest.files.insert("a/index.html".into(), "00ff".into());
        manifest.deps.push("post:a".into());
        manifest.pages.insert("/a/".into(), PageRecord::default());
        let json = manifest.to_json();
        assert_eq!(json, serde_json::to_vec(&manifest).unwrap());
        let back = Manifest::from_json(&json).unwrap();
        assert_eq!(back.to_json(), json);
        assert!(Manifest::from_json(b"{\"files\": 1}").is_none());
    }

    #[test]
    fn unsafe_paths_are_rejected() {
        assert!(is_safe_relative("posts/a/index.html"));
        for bad in ["", "/etc/x", "../x", "a/../../x", "a//b", "a\\b", "./a"] {
            assert!(!is_safe_relative(bad), "{bad}");
        }
    }
}
