//! The islands bundle's files, as `scripts/build-islands` writes them: served by
//! `atoll serve` at `/pkg/`, copied (with content hashes) by the export.

/// File names that make up the islands bundle, as `scripts/build-islands` writes them:
/// the wasm-bindgen glue and the module (Trunk, `filehash = false`), Atoll's loader, and
/// the search engine module (the static index searched in WASM, loaded on static hosts
/// only).
pub const ISLANDS_FILES: [&str; 5] = [
    "islands.js",
    "islands_bg.wasm",
    "loader.js",
    "search.js",
    "search_bg.wasm",
];

/// Checks that `dir` holds a built islands bundle.
///
/// # Errors
/// A message naming the missing file and how to build it.
pub fn check_islands_bundle(dir: &std::path::Path) -> Result<(), String> {
    for file in ISLANDS_FILES {
        if !dir.join(file).is_file() {
            return Err(format!(
                "islands bundle not found: `{}` is missing; build it with `scripts/build-islands` (or scripts/start), or pass --islands DIR",
                dir.join(file).display()
            ));
        }
    }
    Ok(())
}
