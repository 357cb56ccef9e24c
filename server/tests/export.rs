//! `atoll export` on the fixture sites under tests/fixtures/, through the real binary.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use scraper::{Html, Selector};
use tempfile::TempDir;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn public() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../public")
}

/// A stand-in islands bundle: these tests check that the export copies and links the
/// bundle; the browser test (tests/browser) runs the real one.
fn islands_dir(tmp: &Path) -> PathBuf {
    let dir = tmp.join("islands");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("islands.js"),
        "export default async function init() {}\n",
    )
    .unwrap();
    std::fs::write(dir.join("islands_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.join("loader.js"), "// loader\n").unwrap();
    std::fs::write(dir.join("index.html"), "<!-- trunk stub -->").unwrap();
    std::fs::write(dir.join(".trunk-lock"), "").unwrap();
    dir
}

fn atoll(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_atoll"))
        .args(args)
        .output()
        .expect("the atoll binary runs")
}

fn export(content: &Path, out: &Path, islands: &Path) -> Output {
    atoll(&[
        "export",
        "--content",
        content.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--public",
        public().to_str().unwrap(),
        "--islands",
        islands.to_str().unwrap(),
    ])
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir(dir)
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path.strip_prefix(dir).unwrap().to_owned(), bytes)
        })
        .collect()
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn exports_every_page_and_asset() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("dist");
    let output = export(&fixtures().join("basic"), &out, &islands_dir(tmp.path()));
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("exported 7 pages"), "{stdout}");

    for file in [
        "index.html",
        "posts/index.html",
        "posts/hello-leptos/index.html",
        "posts/second/index.html",
        "posts/no-front-matter/index.html",
        "search/index.html",
        "404.html",
        "style.css",
        "favicon.svg",
        "robots.txt",
        "pkg/islands.js",
        "pkg/islands_bg.wasm",
        "pkg/loader.js",
        ".atoll-export",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    assert!(!out.join("posts/draft").exists(), "drafts are not exported");
    assert!(
        !out.join("pkg/index.html").exists(),
        "Trunk's stub is not copied"
    );

    let post = std::fs::read_to_string(out.join("posts/no-front-matter/index.html")).unwrap();
    assert!(post.contains("<title>A post without front matter · Fixture</title>"));
    assert!(post.contains(
        r#"<link rel="canonical" href="https://fixture.example/posts/no-front-matter/">"#
    ));
    let blog = std::fs::read_to_string(out.join("posts/index.html")).unwrap();
    let second = blog.find("/posts/second/").unwrap();
    let first = blog.find("/posts/hello-leptos/").unwrap();
    assert!(second < first, "newest first");
}

/// Every internal `href`/`src` of every exported page, with its fragment, must resolve
/// inside `out`; returns the number of links checked.
fn assert_links_resolve(out: &Path) -> usize {
    let links = Selector::parse("a[href], link[href], script[src], img[src]").unwrap();
    let ids = Selector::parse("[id]").unwrap();
    let mut dangling = Vec::new();
    let mut checked = 0;
    for page in walkdir(out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
    {
        let html = Html::parse_document(&std::fs::read_to_string(&page).unwrap());
        let name = page.strip_prefix(out).unwrap().display().to_string();
        for element in html.select(&links) {
            let value = element.value();
            let target = value.attr("href").or(value.attr("src")).unwrap();
            if target.starts_with("http://")
                || target.starts_with("https://")
                || target.starts_with("mailto:")
            {
                continue;
            }
            if !(target.starts_with('/') || target.starts_with('#')) {
                dangling.push(format!("{name} → {target} (relative link)"));
                continue;
            }
            checked += 1;
            let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
            let path = path.split('?').next().unwrap();
            let file = if path.is_empty() {
                page.clone()
            } else if path.ends_with('/') {
                out.join(path.trim_start_matches('/')).join("index.html")
            } else {
                out.join(path.trim_start_matches('/'))
            };
            if !file.is_file() {
                dangling.push(format!("{name} → {target}"));
                continue;
            }
            if !fragment.is_empty() && file.extension().is_some_and(|e| e == "html") {
                let target_html = Html::parse_document(&std::fs::read_to_string(&file).unwrap());
                let found: HashSet<_> = target_html
                    .select(&ids)
                    .filter_map(|e| e.value().id())
                    .map(str::to_owned)
                    .collect();
                if !found.contains(fragment) {
                    dangling.push(format!("{name} → {target} (no id `{fragment}`)"));
                }
            }
        }
    }
    assert!(
        dangling.is_empty(),
        "dangling links:\n{}",
        dangling.join("\n")
    );
    checked
}

/// Pages other than the search page have no `<script>` and no `<link>` to JS or WASM
/// (the text may of course mention them).
fn assert_no_script_except_search(out: &Path) {
    let code = Selector::parse(r#"script, link[href$=".js"], link[href$=".wasm"], leptos-island"#)
        .unwrap();
    for page in walkdir(out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
    {
        let name = page.strip_prefix(out).unwrap().display().to_string();
        let text = std::fs::read_to_string(&page).unwrap();
        let found = Html::parse_document(&text).select(&code).count();
        if name == "search/index.html" {
            assert!(text.contains(r#"<script type="module" src="/pkg/loader.js"></script>"#));
            assert!(found >= 4, "{name}: loader, preloads and island expected");
        } else {
            assert_eq!(found, 0, "{name} loads JS or WASM");
        }
    }
}

#[test]
fn no_dangling_internal_links_and_no_script_on_posts() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("dist");
    let output = export(&fixtures().join("basic"), &out, &islands_dir(tmp.path()));
    assert!(output.status.success(), "{}", stderr(&output));
    let checked = assert_links_resolve(&out);
    assert!(checked > 30, "only {checked} links checked");
    assert_no_script_except_search(&out);
}

#[test]
fn demo_site_exports_with_every_link_resolving() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("dist");
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../content");
    let output = export(&demo, &out, &islands_dir(tmp.path()));
    assert!(output.status.success(), "{}", stderr(&output));
    let posts = std::fs::read_dir(out.join("posts"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_dir())
        .count();
    assert!(posts >= 12, "the demo has {posts} posts");
    assert_links_resolve(&out);
    assert_no_script_except_search(&out);
}

#[test]
fn malformed_front_matter_fails_and_keeps_previous_output() {
    let tmp = TempDir::new().unwrap();
    let islands = islands_dir(tmp.path());
    let out = tmp.path().join("dist");
    let content = tmp.path().join("content");
    copy_dir(&fixtures().join("basic"), &content);
    let first = export(&content, &out, &islands);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = snapshot(&out);

    std::fs::write(
        content.join("posts/broken.md"),
        "---\ntitle: Broken\ndate: 2025-02-30\n---\nBody\n",
    )
    .unwrap();
    let failed = export(&content, &out, &islands);
    assert!(!failed.status.success());
    let message = stderr(&failed);
    assert!(
        message
            .contains("posts/broken.md:3:7: invalid front matter: date: invalid date `2025-02-30`"),
        "{message}"
    );
    assert!(
        message.contains("previous output is unchanged")
            || message.contains("cannot load the site"),
        "{message}"
    );
    assert_eq!(snapshot(&out), before, "the previous output changed");
    assert_no_staging_leftovers(tmp.path());
}

#[test]
fn second_export_replaces_the_first_and_leaves_nothing_behind() {
    let tmp = TempDir::new().unwrap();
    let islands = islands_dir(tmp.path());
    let out = tmp.path().join("dist");
    let content = tmp.path().join("content");
    copy_dir(&fixtures().join("basic"), &content);
    assert!(export(&content, &out, &islands).status.success());
    assert!(out.join("posts/second/index.html").is_file());

    std::fs::remove_file(content.join("posts/second.md")).unwrap();
    std::fs::write(content.join("posts/third.md"), "# Third\n\nNew post.\n").unwrap();
    let again = export(&content, &out, &islands);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(out.join("posts/third/index.html").is_file());
    assert!(
        !out.join("posts/second").exists(),
        "the old output was replaced, not merged"
    );
    assert!(out.join(".atoll-export").is_file());
    assert_no_staging_leftovers(tmp.path());
}

#[test]
fn missing_bundle_fails_before_touching_output() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("dist");
    let output = export(
        &fixtures().join("basic"),
        &out,
        &tmp.path().join("no-bundle"),
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("islands bundle not found"),
        "{}",
        stderr(&output)
    );
    assert!(!out.exists());
}

#[test]
fn refuses_unsafe_outputs() {
    let tmp = TempDir::new().unwrap();
    let islands = islands_dir(tmp.path());
    let content = tmp.path().join("content");
    copy_dir(&fixtures().join("basic"), &content);

    let inside = export(&content, &content.join("dist"), &islands);
    assert!(!inside.status.success());
    assert!(
        stderr(&inside).contains("inside the content folder"),
        "{}",
        stderr(&inside)
    );

    let parent = export(&content, tmp.path(), &islands);
    assert!(!parent.status.success());
    assert!(
        stderr(&parent).contains("contains the content folder"),
        "{}",
        stderr(&parent)
    );

    let foreign = tmp.path().join("documents");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("thesis.txt"), "irreplaceable").unwrap();
    let refused = export(&content, &foreign, &islands);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("was not written by `atoll export`"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        std::fs::read_to_string(foreign.join("thesis.txt")).unwrap(),
        "irreplaceable"
    );
}

#[test]
fn cli_errors_are_one_line() {
    let unknown = atoll(&["export", "--no-such-flag"]);
    assert_eq!(unknown.status.code(), Some(2));
    let message = stderr(&unknown);
    assert_eq!(message.trim().lines().count(), 1, "{message}");
    assert!(message.contains("--no-such-flag"), "{message}");

    let missing = atoll(&[
        "export",
        "--content",
        "/no/such/folder",
        "--out",
        "/tmp/never",
    ]);
    assert_eq!(missing.status.code(), Some(1));
    let message = stderr(&missing);
    assert_eq!(message.trim().lines().count(), 1, "{message}");
    assert!(
        message.contains("content folder `/no/such/folder` not found"),
        "{message}"
    );
    assert!(!message.contains("panicked"));
}

/// No `.dist.atoll-staging-*` or `.dist.atoll-old-*` folder is left beside the output.
fn assert_no_staging_leftovers(dir: &Path) {
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("atoll-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn copy_dir(from: &Path, to: &Path) {
    for file in walkdir(from) {
        let target = to.join(file.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&file, &target).unwrap();
    }
}
