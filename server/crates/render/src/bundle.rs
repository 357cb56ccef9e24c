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

/// The bundles of groups of islands (`app::ISLAND_BUNDLES`) whose two files
/// (`<name>.js`, `<name>_bg.wasm`) `dir` holds, for [`app::Site::island_bundles`]: Trunk
/// (the dev loop) builds only the bundle of every island, `scripts/build-islands` all.
pub fn available_bundles(dir: &std::path::Path) -> Vec<String> {
    app::ISLAND_BUNDLES
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| {
            dir.join(format!("{name}.js")).is_file()
                && dir.join(format!("{name}_bg.wasm")).is_file()
        })
        .map(str::to_owned)
        .collect()
}

/// The files of the islands folder an export publishes: [`ISLANDS_FILES`] and those of
/// the group bundles it holds ([`available_bundles`]).
pub fn islands_files(dir: &std::path::Path) -> Vec<String> {
    let mut files: Vec<String> = ISLANDS_FILES.iter().map(|f| (*f).to_owned()).collect();
    for name in available_bundles(dir) {
        files.push(format!("{name}.js"));
        files.push(format!("{name}_bg.wasm"));
    }
    files
}
