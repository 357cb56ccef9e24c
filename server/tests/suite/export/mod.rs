//! `atoll export` on the fixture sites under tests/fixtures/, through the real binary.

mod images;
mod real_sites;
mod routes;
mod safety;
mod search;

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
    // The groups' bundles (scripts/build-islands), smaller than the whole.
    for (name, _) in app::ISLAND_BUNDLES {
        std::fs::write(dir.join(format!("{name}.js")), "export default 1;\n").unwrap();
        std::fs::write(dir.join(format!("{name}_bg.wasm")), b"\0asm").unwrap();
    }
    std::fs::write(dir.join("loader.js"), "// loader\n").unwrap();
    std::fs::write(dir.join("search.js"), "export async function search() {}\n").unwrap();
    std::fs::write(dir.join("search_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
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
    export_with(content, &public(), out, islands, &[])
}

fn export_with(
    content: &Path,
    public: &Path,
    out: &Path,
    islands: &Path,
    extra: &[&str],
) -> Output {
    let mut args = vec![
        "export",
        "--content",
        content.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--public",
        public.to_str().unwrap(),
        "--islands",
        islands.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    atoll(&args)
}

/// Exports the `full` fixture (every page type) with its own public folder.
fn export_full(out: &Path, islands: &Path, extra: &[&str]) -> Output {
    let full = fixtures().join("full");
    export_with(&full, &full.join("public"), out, islands, extra)
}

/// The one file in `dir` whose name starts with `prefix` and ends with `suffix`
/// (a fingerprinted asset).
/// The image variants under `/_img/` that `html` references for the original named
/// `stem` (`pixel` for `pixel.png`), each checked to be published in `out`.
fn variants_of(out: &Path, html: &str, stem: &str) -> Vec<String> {
    let prefix = format!("/_img/{stem}.");
    let mut found: Vec<String> = html
        .match_indices(&prefix)
        .map(|(i, _)| {
            html[i..]
                .split([' ', '"', '>', ','])
                .next()
                .unwrap()
                .to_owned()
        })
        // Not the docs' `/_img/lagoon.<hash>…` examples in code blocks.
        .filter(|url| {
            url.chars()
                .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
        })
        .collect();
    found.sort();
    found.dedup();
    for url in &found {
        assert!(
            out.join(&url[1..]).is_file(),
            "{url} is referenced but not published"
        );
    }
    found
}

fn fingerprinted(dir: &Path, prefix: &str, suffix: &str) -> String {
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix) && n.ends_with(suffix))
        .collect();
    assert_eq!(
        names.len(),
        1,
        "{prefix}*{suffix} in {}: {names:?}",
        dir.display()
    );
    names[0].clone()
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
    assert!(stdout.contains("exported 11 pages"), "{stdout}");

    for file in [
        "index.html",
        "posts/index.html",
        "posts/hello-leptos/index.html",
        "posts/second/index.html",
        "posts/no-front-matter/index.html",
        "tags/index.html",
        "tags/leptos/index.html",
        "search/index.html",
        "404.html",
        "robots.txt",
        "sitemap.xml",
        "atom.xml",
        "_headers",
        "_redirects",
        ".atoll-export",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    fingerprinted(&out, "style.", ".css");
    fingerprinted(&out, "favicon.", ".svg");
    for bundle in ["islands.", "islands_bg.", "loader."] {
        fingerprinted(&out.join("pkg"), bundle, "");
    }
    assert!(
        !out.join("style.css").exists(),
        "only the fingerprinted name"
    );
    assert!(!out.join("posts/draft").exists(), "drafts are not exported");
    assert!(
        !out.join("pkg/index.html").exists(),
        "Trunk's stub is not copied"
    );

    let post = std::fs::read_to_string(out.join("posts/no-front-matter/index.html")).unwrap();
    assert!(post.contains("<title>A post without front matter · Fixture</title>"));
    assert!(
        post.contains(
            r#"<link href=https://fixture.example/posts/no-front-matter/ rel=canonical>"#
        ),
        "{post}"
    );
    let blog = std::fs::read_to_string(out.join("posts/index.html")).unwrap();
    let second = blog.find("/posts/second/").unwrap();
    let first = blog.find("/posts/hello-leptos/").unwrap();
    assert!(second < first, "newest first");
}

/// Every page type of the `full` fixture, with its sitemap, feed, JSON-LD, headers,
/// redirects and compressed siblings checked by parsing them back.
#[test]
fn full_fixture_has_every_page_type_and_valid_metadata() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("dist");
    let output = export_full(&out, &islands_dir(tmp.path()), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("post-2.md:8: unknown front matter key `unknown_key` (ignored)"),
        "{}",
        stderr(&output)
    );
    for file in [
        "posts/index.html",
        "posts/page/2/index.html",
        "posts/post-1/index.html",
        "tags/index.html",
        "tags/common/index.html",
        "tags/common/page/2/index.html",
        "docs/index.html",
        "docs/guide/index.html",
        "docs/guide/install/index.html",
        "docs/guide/configure/index.html",
        "docs/reference/index.html",
        "docs/reference/cli/index.html",
        "docs/reference/cli/export/index.html",
        "about/index.html",
        "products/index.html",
        "products/mug/index.html",
        "products/shirt/index.html",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
        for sibling in [".br", ".gz"] {
            assert!(
                out.join(format!("{file}{sibling}")).is_file(),
                "{file}{sibling} missing"
            );
        }
    }
    assert!(!out.join("posts/page/3").exists());
    assert!(!out.join("posts/draft").exists());

    // Pagination links both ways.
    let page2 = std::fs::read_to_string(out.join("posts/page/2/index.html")).unwrap();
    assert!(page2.contains("<link href=/posts/ rel=prev>"), "{page2}");
    let page1 = std::fs::read_to_string(out.join("posts/index.html")).unwrap();
    assert!(
        page1.contains("<link href=/posts/page/2/ rel=next>"),
        "{page1}"
    );

    // Docs: breadcrumbs, sidebar, reading order.
    let install = Html::parse_document(
        &std::fs::read_to_string(out.join("docs/guide/install/index.html")).unwrap(),
    );
    let crumbs: Vec<String> = install
        .select(&Selector::parse(".breadcrumbs li a").unwrap())
        .map(|a| a.text().collect())
        .collect();
    assert_eq!(crumbs, ["Documentation", "Guide", "Install"]);
    let next = install
        .select(&Selector::parse(".post-nav a[rel=next]").unwrap())
        .next()
        .unwrap();
    assert_eq!(next.value().attr("href"), Some("/docs/guide/configure/"));
    let current = install
        .select(&Selector::parse(".docs-sidebar a[aria-current=page]").unwrap())
        .next()
        .unwrap();
    assert_eq!(current.value().attr("href"), Some("/docs/guide/install/"));

    // Sitemap: parsed as XML, every indexable page, nothing else.
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let mut reader = quick_xml::Reader::from_str(&sitemap);
    let mut locs = Vec::new();
    let mut in_loc = false;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == "loc" => in_loc = true,
            quick_xml::events::Event::Text(t) if in_loc => {
                locs.push(AsRef::<str>::as_ref(&t).to_owned());
                in_loc = false;
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert!(
        locs.contains(&"https://full.example/posts/post-2/".to_owned()),
        "{locs:?}"
    );
    assert!(locs.contains(&"https://full.example/products/mug/".to_owned()));
    assert!(locs.contains(&"https://full.example/docs/guide/install/".to_owned()));
    assert!(!locs
        .iter()
        .any(|l| l.contains("/page/2/") || l.contains("404") || l.contains("draft")));
    assert!(sitemap.contains("<lastmod>2025-06-15T12:00:00+02:00</lastmod>"));

    // Feed: parsed by feed-rs; the newest `feed_limit` posts with full content.
    let feed = feed_rs::parser::parse(&std::fs::read(out.join("atom.xml")).unwrap()[..]).unwrap();
    assert_eq!(feed.title.unwrap().content, "Full fixture");
    let titles: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.title.clone().unwrap().content)
        .collect();
    assert_eq!(titles, ["Post number 4", "Post number 3", "Post number 2"]);
    let content = feed.entries[0]
        .content
        .as_ref()
        .unwrap()
        .body
        .clone()
        .unwrap();
    assert!(content.contains("Last paragraph of post 4."), "{content}");
    let diagram = fingerprinted(&out.join("img"), "diagram.", ".svg");
    assert!(
        content.contains(&format!("/img/{diagram}")),
        "feed images point at the published (fingerprinted) file: {content}"
    );
    assert_eq!(
        feed.entries[0].links[0].href,
        "https://full.example/posts/post-4/"
    );

    // JSON-LD parsed as JSON.
    let graph = |file: &str| -> serde_json::Value {
        let html = Html::parse_document(&std::fs::read_to_string(out.join(file)).unwrap());
        let script = html
            .select(&Selector::parse(r#"script[type="application/ld+json"]"#).unwrap())
            .next()
            .unwrap_or_else(|| panic!("{file} has no JSON-LD"));
        serde_json::from_str(&script.text().collect::<String>()).unwrap()
    };
    let product = graph("products/mug/index.html");
    assert_eq!(product["@graph"][0]["@type"], "Product");
    assert_eq!(product["@graph"][0]["offers"]["price"], "12.50");
    assert_eq!(product["@graph"][0]["offers"]["priceCurrency"], "EUR");
    assert_eq!(
        product["@graph"][0]["offers"]["availability"],
        "https://schema.org/InStock"
    );
    let image = product["@graph"][0]["image"][0].as_str().unwrap();
    assert!(
        image.starts_with("https://full.example/img/mug.") && image.ends_with(".svg"),
        "{image}"
    );
    assert_eq!(product["@graph"][1]["@type"], "BreadcrumbList");
    let shirt = graph("products/shirt/index.html");
    assert_eq!(
        shirt["@graph"][0]["offers"]["availability"],
        "https://schema.org/OutOfStock"
    );
    let post = graph("posts/post-2/index.html");
    assert_eq!(post["@graph"][0]["@type"], "BlogPosting");
    assert_eq!(
        post["@graph"][0]["dateModified"],
        "2025-06-15T12:00:00+02:00"
    );
    assert_eq!(post["@graph"][0]["author"]["name"], "Fixture Author");
    assert_eq!(graph("index.html")["@graph"][0]["@type"], "WebSite");

    // _redirects from aliases; _headers: immutable for each fingerprinted file.
    let redirects = std::fs::read_to_string(out.join("_redirects")).unwrap();
    assert!(
        redirects.contains("/old/post-two/ /posts/post-2/ 301\n"),
        "{redirects}"
    );
    assert!(
        redirects.contains("/docs/install/ /docs/guide/install/ 301\n"),
        "{redirects}"
    );
    let headers = std::fs::read_to_string(out.join("_headers")).unwrap();
    let css = fingerprinted(&out, "style.", ".css");
    assert!(
        headers.contains(&format!(
            "/{css}\n  ! Cache-Control\n  Cache-Control: public, max-age=31536000, immutable\n"
        )),
        "{headers}"
    );
    assert!(headers.contains(
        "Content-Security-Policy: default-src 'self'; script-src 'self' 'wasm-unsafe-eval'"
    ));
    assert!(headers.contains("X-Content-Type-Options: nosniff"));
    assert!(headers.contains("/*\n"));

    // robots.txt: the site's own rules plus the sitemap.
    let robots = std::fs::read_to_string(out.join("robots.txt")).unwrap();
    assert!(robots.contains("Disallow: /private/"));
    assert!(robots.contains("Sitemap: https://full.example/sitemap.xml"));

    // CSS references were rewritten to the fingerprinted image.
    let css_text = std::fs::read_to_string(out.join(&css)).unwrap();
    assert!(
        css_text.contains(&format!("url(/img/{diagram})")),
        "{css_text}"
    );

    // Every reference resolves, and only the search page loads code.
    assert!(assert_links_resolve(&out) > 100);
    assert_scripts_only_on_island_pages(&out);
}

#[test]
fn drafts_are_included_only_with_the_flag() {
    let tmp = TempDir::new().unwrap();
    let islands = islands_dir(tmp.path());
    let out = tmp.path().join("preview");
    let output = export_full(&out, &islands, &["--drafts"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let draft = std::fs::read_to_string(out.join("posts/draft/index.html")).unwrap();
    assert!(
        draft.contains("<meta content=noindex name=robots>"),
        "{draft}"
    );
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(
        !sitemap.contains("/posts/draft/"),
        "drafts are never in the sitemap"
    );
    let tag = std::fs::read_to_string(out.join("tags/common/index.html")).unwrap();
    assert!(tag.contains("/posts/draft/"));
}

#[test]
fn no_minify_keeps_the_rendered_html() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("dist");
    let output = export_full(&out, &islands_dir(tmp.path()), &["--no-minify"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let page = std::fs::read_to_string(out.join("posts/post-1/index.html")).unwrap();
    assert!(
        page.starts_with("<!DOCTYPE html><html lang=\"en\">"),
        "{page}"
    );
    assert!(page.contains(r#"<link rel="canonical" href="https://full.example/posts/post-1/">"#));
}

#[test]
fn broken_internal_links_fail_the_export_naming_page_and_target() {
    let tmp = TempDir::new().unwrap();
    let islands = islands_dir(tmp.path());
    let out = tmp.path().join("dist");
    let content = tmp.path().join("content");
    copy_dir(&fixtures().join("broken-link"), &content);
    std::fs::write(
        content.join("posts/a.md"),
        "# A\n\nFine for now: [b](/posts/b/).\n",
    )
    .unwrap();
    let first = export(&content, &out, &islands);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = snapshot(&out);

    copy_dir(&fixtures().join("broken-link"), &content);
    let failed = export(&content, &out, &islands);
    assert_eq!(failed.status.code(), Some(1));
    let message = stderr(&failed);
    assert!(
        message.contains("2 broken internal link(s) (page → target):"),
        "{message}"
    );
    assert!(
        message.contains("/posts/a/ → /posts/missing/ (missing page or file)"),
        "{message}"
    );
    assert!(
        message.contains("/posts/a/ → /posts/b/#nowhere (missing #fragment)"),
        "{message}"
    );
    assert!(
        message.contains("the previous output is unchanged"),
        "{message}"
    );
    assert_eq!(snapshot(&out), before, "the previous output changed");
    assert_no_staging_leftovers(tmp.path());
}

#[test]
fn public_files_and_aliases_that_would_shadow_outputs_are_refused() {
    let tmp = TempDir::new().unwrap();
    let islands = islands_dir(tmp.path());
    let content = tmp.path().join("content");
    let full = fixtures().join("full");
    copy_dir(&full, &content);
    let public = content.join("public");

    std::fs::write(public.join("atom.xml"), "<feed/>").unwrap();
    let output = export_with(&content, &public, &tmp.path().join("a"), &islands, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .contains("atom.xml` in the public folder collides with the generated file /atom.xml"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_file(public.join("atom.xml")).unwrap();

    let about = content.join("pages/about.md");
    let text = std::fs::read_to_string(&about).unwrap();
    std::fs::write(
        &about,
        text.replace("title: About", "title: About\naliases: [/posts/post-1/]"),
    )
    .unwrap();
    let output = export_with(&content, &public, &tmp.path().join("b"), &islands, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("the alias /posts/post-1/ of /about/ is the URL of a page"),
        "{}",
        stderr(&output)
    );
    assert!(!tmp.path().join("b").exists());
}

/// Inode and modification time of every file under `dir`.
fn identities(dir: &Path) -> BTreeMap<PathBuf, (u64, std::time::SystemTime)> {
    use std::os::unix::fs::MetadataExt;
    walkdir(dir)
        .into_iter()
        .map(|path| {
            let meta = std::fs::metadata(&path).unwrap();
            (
                path.strip_prefix(dir).unwrap().to_owned(),
                (meta.ino(), meta.modified().unwrap()),
            )
        })
        .collect()
}

#[test]
fn incremental_export_rewrites_only_what_depends_on_the_edit() {
    let tmp = TempDir::new().unwrap();
    let islands = islands_dir(tmp.path());
    let out = tmp.path().join("dist");
    let content = tmp.path().join("content");
    let full = fixtures().join("full");
    copy_dir(&full, &content);
    let public = full.join("public");
    assert!(export_with(&content, &public, &out, &islands, &[])
        .status
        .success());
    let before = identities(&out);

    // Unchanged content: nothing but the manifest is written.
    let same = export_with(&content, &public, &out, &islands, &[]);
    assert!(same.status.success(), "{}", stderr(&same));
    let after = identities(&out);
    let changed: Vec<_> = after
        .iter()
        .filter(|&(path, id)| before.get(path) != Some(id))
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert_eq!(changed, [".atoll-export"]);

    // Edit the body of one post (not its title, date or summary): only its page, the
    // feed (which carries full content) and the static search index change.
    let post = content.join("posts/post-3.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(
        &post,
        text.replace("Last paragraph of post 3.", "An edited last paragraph."),
    )
    .unwrap();
    let edited = export_with(&content, &public, &out, &islands, &[]);
    assert!(edited.status.success(), "{}", stderr(&edited));
    let stdout = String::from_utf8_lossy(&edited.stdout);
    let again = identities(&out);
    let mut changed: Vec<_> = again
        .iter()
        .filter(|&(path, id)| after.get(path) != Some(id))
        .map(|(path, _)| path.display().to_string())
        .collect();
    changed.sort();
    assert!(
        stdout.contains(&format!("({} written,", changed.len())),
        "{stdout}"
    );
    let is_index = |path: &String| {
        (path.starts_with("search/") && !path.starts_with("search/index.html"))
            || path == ".atoll-search"
    };
    let (search, others): (Vec<String>, Vec<String>) = changed.into_iter().partition(is_index);
    assert_eq!(
        others,
        [
            ".atoll-export",
            "atom.xml",
            "atom.xml.br",
            "atom.xml.gz",
            "posts/post-3/index.html",
            "posts/post-3/index.html.br",
            "posts/post-3/index.html.gz",
        ],
        "{stdout}"
    );
    // The search index: its table of shards, the post's document, some shards and its
    // state (`.atoll-search`); the other documents stay as they are.
    assert!(
        search.iter().any(|p| p == "search/index.json"),
        "{search:?}"
    );
    assert!(search.iter().any(|p| p == ".atoll-search"), "{search:?}");
    let docs: Vec<&String> = search
        .iter()
        .filter(|p| p.starts_with("search/docs/") && p.ends_with(".json"))
        .collect();
    assert_eq!(docs.len(), 1, "{search:?}");
    let doc = std::fs::read_to_string(out.join(docs[0])).unwrap();
    assert!(doc.contains("An edited last paragraph."), "{doc}");
    assert!(
        search.iter().any(|p| p.starts_with("search/shards/")),
        "{search:?}"
    );
    let page = std::fs::read_to_string(out.join("posts/post-3/index.html")).unwrap();
    assert!(page.contains("An edited last paragraph."));
    // As many files as before, but for the search shards (an edit may split or merge).
    let outside_search = |files: &BTreeMap<PathBuf, (u64, std::time::SystemTime)>| {
        files
            .keys()
            .filter(|p| !p.starts_with("search/shards"))
            .count()
    };
    assert_eq!(outside_search(&again), outside_search(&after));
    assert!(
        stderr(&edited).contains("post-2.md:8: unknown front matter key `unknown_key`"),
        "warnings of cached files are printed again: {}",
        stderr(&edited)
    );

    // A page deleted by hand comes back, although its inputs did not change.
    std::fs::remove_file(out.join("about/index.html")).unwrap();
    let restored = export_with(&content, &public, &out, &islands, &[]);
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert!(out.join("about/index.html").is_file());

    // Change what lists show (a title), add a post, remove one: the incremental output
    // equals a full export of the same content, file for file.
    let post = content.join("posts/post-1.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(
        &post,
        text.replace("title: Post number 1", "title: The first post"),
    )
    .unwrap();
    std::fs::write(
        content.join("posts/post-9.md"),
        "---\ntitle: Nine\ndate: 2025-09-09\ntags: [new]\n---\nNine.\n",
    )
    .unwrap();
    std::fs::remove_file(content.join("posts/post-4.md")).unwrap();
    let changed = export_with(&content, &public, &out, &islands, &[]);
    assert!(changed.status.success(), "{}", stderr(&changed));
    let fresh = tmp.path().join("fresh");
    let full = export_with(&content, &public, &fresh, &islands, &[]);
    assert!(full.status.success(), "{}", stderr(&full));
    let without_manifest = |dir: &Path| {
        let mut files = snapshot(dir);
        files.remove(Path::new(".atoll-export"));
        files
    };
    let incremental = without_manifest(&out);
    let reference = without_manifest(&fresh);
    let differing: Vec<_> = reference
        .keys()
        .chain(incremental.keys())
        .filter(|path| incremental.get(*path) != reference.get(*path))
        .collect();
    assert!(
        differing.is_empty(),
        "incremental output differs from a full export: {differing:?}"
    );
    assert!(!out.join("posts/post-4").exists());
    assert!(out.join("tags/new/index.html").is_file());
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

/// Only the pages with islands load the islands: the search page, the cart and the
/// product pages hydrate at load (loader + preloaded bundle); the product list (cart
/// icon, `idle`) and the contact page (`visible`) get the loader without preloads.
/// Every other page has no `<script>` and no `<link>` to JS or WASM (the text may of
/// course mention them).
fn assert_scripts_only_on_island_pages(out: &Path) {
    let code = Selector::parse(
        r#"script:not([type="application/ld+json"]), link[href$=".js"], link[href$=".wasm"], leptos-island"#,
    )
    .unwrap();
    let loader = Selector::parse(r#"script[type=module][src^="/pkg/loader."][data-islands-js^="/pkg/islands"][data-islands-wasm^="/pkg/islands"]"#).unwrap();
    let preload = Selector::parse(r#"link[rel=modulepreload], link[rel=preload]"#).unwrap();
    for page in walkdir(out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
    {
        let name = page.strip_prefix(out).unwrap().display().to_string();
        let text = std::fs::read_to_string(&page).unwrap();
        let html = Html::parse_document(&text);
        let found = html.select(&code).count();
        let eager = name == "search/index.html"
            || name == "cart/index.html"
            || (name.starts_with("products/") && name != "products/index.html");
        let lazy = name == "products/index.html" || name == "contact/index.html";
        if eager || lazy {
            assert_eq!(html.select(&loader).count(), 1, "{name}: {text}");
            // Each page loads its group's bundle: the search page no storefront.
            let bundle = html
                .select(&loader)
                .next()
                .and_then(|s| s.value().attr("data-islands-wasm"))
                .unwrap();
            let group = match name.as_str() {
                "search/index.html" => "islands-search_bg.",
                "contact/index.html" => "islands-contact_bg.",
                "cart/index.html" => "islands-cart_bg.",
                _ => "islands-product_bg.",
            };
            assert!(
                bundle.starts_with(&format!("/pkg/{group}")),
                "{name} loads {bundle}"
            );
            let preloads = html.select(&preload).count();
            assert_eq!(preloads, if eager { 2 } else { 0 }, "{name}: preloads");
            assert!(found >= 2, "{name}: loader and island expected");
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
    assert_scripts_only_on_island_pages(&out);
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
    assert_scripts_only_on_island_pages(&out);
    // The sitemap lists no page that asks search engines not to index it (contact
    // thanks, 404, drafts), nor the cart (unlisted, though indexable).
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let base = "http://127.0.0.1:3000";
    for loc in sitemap.split("<loc>").skip(1) {
        let url = &loc[..loc.find("</loc>").unwrap()];
        let path = url.strip_prefix(base).unwrap_or(url);
        let file = out.join(path.trim_start_matches('/')).join("index.html");
        let html = std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("{path}"));
        assert!(
            !html.contains("<meta content=noindex name=robots>"),
            "{path} is in the sitemap but noindex"
        );
    }
    for page in ["cart/", "contact/thanks/"] {
        assert!(
            !sitemap.contains(&format!("{base}/{page}<")),
            "{page} in the sitemap"
        );
    }
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

#[test]
fn page_bundles_publish_their_files_beside_the_page() {
    let tmp = TempDir::new().unwrap();
    let content = tmp.path().join("content");
    // A Zola/Hugo leaf bundle: the folder names the post (and dates it), its files
    // sit beside `index.md`.
    let bundle = content.join("posts/2024-01-02-bundled");
    std::fs::create_dir_all(bundle.join("data")).unwrap();
    std::fs::write(
        content.join("site.toml"),
        "title = \"Bundles\"\nbase_url = \"https://example.com\"\n",
    )
    .unwrap();
    std::fs::write(
        bundle.join("index.md"),
        "+++\ntitle = \"Bundled\"\n+++\nA photo: ![A red pixel](pixel.png)\n\n[The notes](data/notes.txt)\n",
    )
    .unwrap();
    // A 1×1 PNG.
    let png: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0,
        0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xde, 0, 0, 0, 0x0c, 0x49, 0x44,
        0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8, 0xcf, 0xc0, 0, 0, 0x03, 0x01, 0x01, 0, 0x18, 0xdd,
        0x8d, 0xb0, 0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    std::fs::write(bundle.join("pixel.png"), png).unwrap();
    std::fs::write(bundle.join("data/notes.txt"), "notes\n").unwrap();
    let out = tmp.path().join("dist");
    let output = export(&content, &out, &islands_dir(tmp.path()));
    assert!(output.status.success(), "{}", stderr(&output));

    let page_dir = out.join("posts/bundled");
    let html = std::fs::read_to_string(page_dir.join("index.html")).unwrap();
    assert!(html.contains("January 2, 2024"), "dated by the folder name");
    let pixel = fingerprinted(&page_dir, "pixel.", ".png");
    assert_eq!(std::fs::read(page_dir.join(&pixel)).unwrap(), png);
    // The page shows it through its variants (a 1-pixel image: one width per format).
    assert!(html.contains("<picture>"), "{html}");
    assert_eq!(variants_of(&out, &html, "pixel").len(), 3, "{html}");
    // The nested file is published and the body's relative link reaches it.
    let notes = std::fs::read_dir(page_dir.join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with("notes") && name.ends_with(".txt"))
        .expect("data/notes*.txt published");
    assert_eq!(
        std::fs::read_to_string(page_dir.join("data").join(&notes)).unwrap(),
        "notes\n"
    );
    // Text files keep their name (not fingerprinted), so the relative link stays as
    // written and resolves against /posts/bundled/ (the link checker passed it).
    assert_eq!(notes, "notes.txt");
    assert!(html.contains("href=data/notes.txt"), "{html}");
    assert!(
        !page_dir.join("index.md").exists(),
        "the Markdown is not published"
    );
}

#[test]
fn a_site_without_atolls_public_folder_gets_the_layouts_own_stylesheet_and_icon() {
    let tmp = TempDir::new().unwrap();
    let content = tmp.path().join("content");
    std::fs::create_dir_all(content.join("posts")).unwrap();
    std::fs::write(
        content.join("site.toml"),
        "title = \"Elsewhere\"\nbase_url = \"https://example.com\"\n",
    )
    .unwrap();
    std::fs::write(content.join("posts/hello.md"), "# Hello\n\nText.\n").unwrap();
    // The site's own static folder: an icon of its own, no stylesheet.
    let statics = tmp.path().join("static");
    std::fs::create_dir_all(&statics).unwrap();
    std::fs::write(
        statics.join("favicon.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><!--mine--></svg>",
    )
    .unwrap();
    let out = tmp.path().join("dist");
    let output = export_with(&content, &statics, &out, &islands_dir(tmp.path()), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    // The layout's stylesheet (compiled in), fingerprinted, and linked from the pages.
    let css = fingerprinted(&out, "style.", ".css");
    assert_eq!(
        std::fs::read(out.join(&css)).unwrap(),
        std::fs::read(public().join("style.css")).unwrap()
    );
    let html = std::fs::read_to_string(out.join("posts/hello/index.html")).unwrap();
    assert!(html.contains(&format!("/{css}")), "{html}");
    // The site's own icon wins over the layout's.
    let icon = fingerprinted(&out, "favicon.", ".svg");
    assert!(std::fs::read_to_string(out.join(icon))
        .unwrap()
        .contains("mine"));
}
