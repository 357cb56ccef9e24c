//! The route table belongs to the site: a route declared outside `server/` (here, in this
//! test module, as a site's `app/src/pages/archive.rs` would) is exported, served with
//! its render mode's headers and listed in the sitemap; and what a page read decides
//! what an edit renders again.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, UNIX_EPOCH};

use app::{Cx, PageMeta, Params, RenderMode, Route, Routes, Site};
use atoll::content::LoadOptions;
use atoll::export::{ExportOptions, Quiet};
use atoll::isr::ManualClock;
use atoll::snapshot::ContentSource;
use chrono::Datelike;
use leptos::prelude::*;

use super::{export_with, identities, islands_dir, public, stderr, TempDir};
use crate::common::get;
use crate::isr::{content, rendering, server_with};

/// `/archive/{year}/`: the posts of one year, a page type the demo does not have.
struct Archive;

/// Seconds an archive page stays fresh.
const ARCHIVE_REVALIDATE: u32 = 3600;

fn years(site: &Site) -> Vec<i32> {
    let mut years: Vec<i32> = site
        .posts
        .iter()
        .filter_map(|p| p.date.map(|d| d.year()))
        .collect();
    years.sort_unstable();
    years.dedup();
    years
}

impl Route for Archive {
    fn name(&self) -> &'static str {
        "archive"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["/archive/{year}/"]
    }

    fn mode(&self) -> RenderMode {
        RenderMode::Isr {
            revalidate: ARCHIVE_REVALIDATE,
        }
    }

    fn paths(&self, site: &Site) -> Vec<Params> {
        years(site)
            .into_iter()
            .map(|year| Params::new().with("year", year.to_string()))
            .collect()
    }

    fn view(&self, cx: &Cx, params: &Params) -> Option<(PageMeta, AnyView)> {
        let year: i32 = params.get("year")?.parse().ok()?;
        let all = cx.posts(0..cx.post_count());
        let items: Vec<_> = all
            .iter()
            .filter(|p| p.date.map(|d| d.year()) == Some(year))
            .map(|p| view! { <li><a href=p.url()>{p.title.clone()}</a></li> })
            .collect();
        if items.is_empty() {
            return None;
        }
        let path = format!("/archive/{year}/");
        let view = view! { <h1>{format!("Posts of {year}")}</h1><ul>{items}</ul> }.into_any();
        Some((
            PageMeta::new(Some(year.to_string()), format!("Posts of {year}."), path),
            view,
        ))
    }
}

/// The demo's table and the archive: one line more.
fn with_archive() -> &'static Routes {
    static TABLE: OnceLock<Routes> = OnceLock::new();
    TABLE.get_or_init(|| Routes::new(app::routes().iter().chain([&Archive as _]).collect()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_declared_by_the_site_is_exported_served_and_in_the_sitemap() {
    let content = content();
    let site = atoll::content::load_site(content.path(), &LoadOptions::default()).unwrap();
    assert_eq!(years(&site), [2025]);

    // Exported, with its kind in the summary and its URL in the sitemap.
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("dist");
    let options = ExportOptions {
        out: out.clone(),
        content: content.path().to_owned(),
        public: Some(public()),
        islands: islands_dir(tmp.path()),
        minify: true,
        compress: false,
        search: false,
        routes: with_archive(),
        cache_dir: None,
    };
    let loaded = atoll::content::load(content.path(), &LoadOptions::default()).unwrap();
    let report = atoll::export::export_with_progress(loaded, &options, None, &Quiet).unwrap();
    assert_eq!(
        report.page_types.get("archive").map(|(n, _)| *n),
        Some(1),
        "{:?}",
        report.page_types
    );
    let page = std::fs::read_to_string(out.join("archive/2025/index.html")).unwrap();
    assert!(page.contains("Posts of 2025"), "{page}");
    assert!(page.contains("href=/posts/second/>Second post<"), "{page}");
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("/archive/2025/</loc>"), "{sitemap}");
    // The demo's own table does not have it.
    let plain = tmp.path().join("plain");
    let options = ExportOptions {
        out: plain.clone(),
        routes: app::routes(),
        ..options
    };
    let loaded = atoll::content::load(content.path(), &LoadOptions::default()).unwrap();
    atoll::export::export_with_progress(loaded, &options, None, &Quiet).unwrap();
    assert!(!plain.join("archive").exists());

    // Served: pre-rendered at start (a HIT), with the ISR headers of its mode and the
    // cache tags of what it read; in the served sitemap; an unknown year is a 404.
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_800_000_000),
    ));
    let source = ContentSource::Files {
        dir: content.path().to_owned(),
        options: LoadOptions::default(),
    };
    let mut rendering = rendering(&clock);
    rendering.routes = with_archive();
    let s = server_with(source, rendering, clock);
    let answer = get(&s.app, "/archive/2025/").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.cache(), "HIT");
    assert_eq!(
        answer.headers["cache-control"],
        format!("public, s-maxage={ARCHIVE_REVALIDATE}, stale-while-revalidate=31536000")
    );
    let tags = answer.headers["cache-tag"].to_str().unwrap();
    for tag in ["all", "posts", "post:second", "post:hello-leptos"] {
        assert!(tags.split(',').any(|t| t == tag), "{tag} in {tags}");
    }
    assert!(answer.body.contains("Posts of 2025"));
    assert_eq!(get(&s.app, "/archive/1999/").await.status, 404);
    let sitemap = get(&s.app, "/sitemap.xml").await;
    assert!(
        sitemap.body.contains("/archive/2025/</loc>"),
        "{}",
        sitemap.body
    );
}

/// What a page read decides what an edit renders again: a post's body only its own
/// page (and the feed and search index, which carry bodies), a post's title also every
/// list and neighbour that shows it.
#[test]
fn a_body_edit_renders_the_pages_showing_the_body_and_a_title_edit_the_lists_too() {
    let tmp = TempDir::new().unwrap();
    let islands = islands_dir(tmp.path());
    let out = tmp.path().join("dist");
    let content = tmp.path().join("content");
    let full = super::fixtures().join("full");
    super::copy_dir(&full, &content);
    let public = full.join("public");
    let export = || {
        let output = export_with(&content, &public, &out, &islands, &["--no-search-index"]);
        assert!(output.status.success(), "{}", stderr(&output));
    };
    let pages_changed = |before: &std::collections::BTreeMap<std::path::PathBuf, _>| {
        let mut changed: Vec<String> = identities(&out)
            .iter()
            .filter(|&(path, id)| before.get(path) != Some(id))
            .map(|(path, _)| path.display().to_string())
            .filter(|p| p.ends_with(".html"))
            .collect();
        changed.sort();
        changed
    };
    export();
    let before = identities(&out);
    let post = content.join("posts/post-2.md");
    let text = std::fs::read_to_string(&post).unwrap();

    // The HTML pages of the output that contain `text`.
    let showing = |text: &str| {
        let mut pages: Vec<String> = identities(&out)
            .keys()
            .map(|path| path.display().to_string())
            .filter(|p| p.ends_with(".html"))
            .filter(|p| std::fs::read_to_string(out.join(p)).unwrap().contains(text))
            .collect();
        pages.sort();
        pages
    };

    // The body: the post's page only.
    let edited = text.replacen("\n\n", "\n\nA new first paragraph.\n\n", 1);
    assert_ne!(edited, text);
    std::fs::write(&post, &edited).unwrap();
    export();
    assert_eq!(pages_changed(&before), ["posts/post-2/index.html"]);
    assert_eq!(
        showing("A new first paragraph."),
        ["posts/post-2/index.html"]
    );

    // The title: exactly the pages that show it: the post, its neighbours (they link to
    // it by title), and every list it is on (home, blog, its tags' pages).
    let before = identities(&out);
    let title = edited
        .lines()
        .find(|l| l.starts_with("title"))
        .unwrap()
        .to_owned();
    std::fs::write(&post, edited.replace(&title, "title: A retitled post")).unwrap();
    export();
    let changed = pages_changed(&before);
    assert_eq!(changed, showing("A retitled post"));
    for page in ["index.html", "posts/post-2/index.html"] {
        assert!(changed.contains(&page.to_owned()), "{page} in {changed:?}");
    }
    assert!(
        changed.iter().any(|p| p.starts_with("posts/page/")),
        "its blog page: {changed:?}"
    );
    assert!(
        changed
            .iter()
            .filter(|p| p.starts_with("posts/post-"))
            .count()
            >= 2,
        "a neighbour: {changed:?}"
    );
    assert!(
        changed.iter().any(|p| p.starts_with("tags/")),
        "{changed:?}"
    );
}

/// A post or page with its own permalink (Zola `path`, Hugo `url`) is a page its route
/// owns: exported and served there (not at `/posts/<slug>/`), linked there by the lists,
/// the sitemap and the feed; two pages at one URL stop the export, naming the URL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zola_path_and_hugo_url_permalinks_are_where_the_post_lives() {
    let content = content();
    std::fs::write(
        content.path().join("posts/some-post.md"),
        "+++\ntitle = \"Some post\"\npath = \"2020/01/02/some-post\"\n+++\nBody.\n",
    )
    .unwrap();
    std::fs::write(
        content.path().join("posts/old.md"),
        "---\ntitle: Old post\ndate: 2019-03-04\nurl: /2019/03/04/old-post.html\n---\nOld.\n",
    )
    .unwrap();
    std::fs::create_dir_all(content.path().join("pages")).unwrap();
    std::fs::write(
        content.path().join("pages/imprint.md"),
        "---\ntitle: Imprint\nurl: /legal/imprint/\n---\nWho we are.\n",
    )
    .unwrap();
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("dist");
    let islands = islands_dir(tmp.path());
    let output = export_with(content.path(), &public(), &out, &islands, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let page = std::fs::read_to_string(out.join("2020/01/02/some-post/index.html")).unwrap();
    assert!(page.contains("Some post"));
    assert!(
        page.contains("https://fixture.example/2020/01/02/some-post/"),
        "canonical"
    );
    assert!(out.join("2019/03/04/old-post.html").is_file());
    assert!(!out.join("posts/some-post").exists());
    assert!(!out.join("posts/old").exists());
    let blog = std::fs::read_to_string(out.join("posts/index.html")).unwrap();
    assert!(blog.contains("href=/2020/01/02/some-post/"), "{blog}");
    assert!(blog.contains("href=/2019/03/04/old-post.html"), "{blog}");
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("/2020/01/02/some-post/</loc>"),
        "{sitemap}"
    );
    assert!(out.join("legal/imprint/index.html").is_file());
    assert!(!out.join("imprint").exists());
    assert!(sitemap.contains("/legal/imprint/</loc>"), "{sitemap}");
    let feed = std::fs::read_to_string(out.join("atom.xml")).unwrap();
    assert!(
        feed.contains("https://fixture.example/2020/01/02/some-post/"),
        "{feed}"
    );

    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_800_000_000),
    ));
    let source = ContentSource::Files {
        dir: content.path().to_owned(),
        options: LoadOptions::default(),
    };
    let s = server_with(source, rendering(&clock), clock);
    let answer = get(&s.app, "/2020/01/02/some-post/").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.cache(), "HIT");
    assert!(answer.body.contains("Some post"));
    assert_eq!(get(&s.app, "/2019/03/04/old-post.html").await.status, 200);
    assert_eq!(get(&s.app, "/posts/some-post/").await.status, 404);
    assert_eq!(get(&s.app, "/legal/imprint/").await.status, 200);
    assert_eq!(get(&s.app, "/imprint/").await.status, 404);

    // Another post claiming the same permalink: the export refuses, the output stays.
    std::fs::write(
        content.path().join("posts/twin.md"),
        "+++\ntitle = \"Twin\"\npath = \"/2020/01/02/some-post/\"\n+++\nTwin.\n",
    )
    .unwrap();
    let refused = export_with(content.path(), &public(), &out, &islands, &[]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("two pages are published at /2020/01/02/some-post/"),
        "{}",
        stderr(&refused)
    );
    assert!(out.join("2020/01/02/some-post/index.html").is_file());
}
