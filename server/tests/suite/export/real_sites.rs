//! Real sites nobody here wrote, built unchanged: trimmed copies of a Zola blog
//! (linebender.org) and of Hugo's basic example, in `tests/fixtures/` with their licences.
//! The URLs asserted are the ones Zola's and Hugo's documented rules give (checked for
//! the Zola site against its published build; see each fixture's NOTICE).

use super::*;

/// Exports the site root `name` of `tests/fixtures/` (its `static/` is the public folder
/// by default); returns the output folder and the command's stderr.
fn export_site_root(tmp: &Path, name: &str) -> (PathBuf, String) {
    let out = tmp.join("dist");
    let output = atoll(&[
        "export",
        "--content",
        fixtures().join(name).to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--islands",
        islands_dir(tmp).to_str().unwrap(),
    ]);
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    (out, err)
}

fn page(out: &Path, url: &str) -> String {
    let file = out.join(url.trim_start_matches('/')).join("index.html");
    std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("no page at {url}"))
}

#[test]
fn a_zola_blog_builds_unchanged_at_zolas_urls() {
    let tmp = TempDir::new().unwrap();
    let (out, err) = export_site_root(tmp.path(), "zola-blog");
    // Every entry at the URL Zola gives it: the blog's dated bundles without their date,
    // the wiki's nested sections, the root page.
    for url in [
        "/",
        "/about/",
        "/blog/xilem-2024/",
        "/blog/xilem-backend-roadmap/",
        "/blog/rustnl-2024-unconference/",
        "/blog/roadmap-may-2024/",
        "/blog/doc-include/",
        "/blog/tmix-06/",
        "/blog/tmix-07/",
        "/blog/roadmap-may-2024-retro/",
        "/blog/tmil-12/",
        "/wiki/",
        "/wiki/long-term-roadmap/",
        "/wiki/process/",
        "/wiki/process/backports/",
        "/wiki/process/release/",
        "/wiki/curves/",
        "/wiki/curves/euler-spiral-evolute/",
    ] {
        page(&out, url);
    }
    assert!(!out.join("docs").exists(), "the docs tree is the wiki");
    // A docs section's `_index.md` is its page, body and all.
    assert!(page(&out, "/wiki/").contains("Changes to this Wiki are welcome"));
    // Its pages have the docs sidebar: the whole tree, from its root.
    let release = page(&out, "/wiki/process/release/");
    for link in [
        "href=/wiki/>",
        "href=/wiki/curves/euler-spiral-evolute/",
        "href=/wiki/process/backports/",
    ] {
        assert!(release.contains(link), "{link} in {release}");
    }
    // The section URL and the alias redirect.
    let redirects = std::fs::read_to_string(out.join("_redirects")).unwrap();
    assert!(
        redirects.contains("/wiki/backports /wiki/process/backports/ 301"),
        "{redirects}"
    );
    assert!(redirects.contains("/blog/ /posts/ 301"), "{redirects}");
    // Bundle images are published beside their post and referenced from it.
    let post = page(&out, "/blog/tmix-06/");
    fingerprinted(&out.join("blog/tmix-06"), "Minesweeper.", ".png");
    assert!(
        !super::variants_of(&out, &post, "Minesweeper").is_empty(),
        "{post}"
    );
    // A file name with spaces gives variant names without them (a srcset splits on
    // spaces).
    assert!(
        !super::variants_of(&out, &post, "Xilem-Emoji-Picker").is_empty(),
        "{post}"
    );
    // Dates: the folder's, unless the front matter has one (a quoted date-time, UTC).
    assert!(page(&out, "/blog/rustnl-2024-unconference/").contains("June 15, 2024"));
    let roadmap = page(&out, "/blog/xilem-backend-roadmap/");
    assert!(roadmap.contains("January 19, 2024"), "front matter wins");
    // Code is highlighted at build time; authors are shown.
    let code = page(&out, "/blog/doc-include/");
    assert!(
        code.contains("<code class=language-rust><span class=\"hl-"),
        "{code}"
    );
    assert!(
        post.contains("By <span class=post-authors>Daniel McNab</span>"),
        "{post}"
    );
    // Settings from config.toml; the ones Atoll does not read are named.
    let home = page(&out, "/");
    assert!(home.contains("Linebender"), "title from config.toml");
    assert!(home.contains("https://linebender.org/"), "base_url");
    // The root `_index.md` is the home page's text, as Zola's index template shows it.
    assert!(home.contains("Welcome to the homepage for the"), "{home}");
    assert!(
        err.contains("setting `compile_sass` of config.toml is not read"),
        "{err}"
    );
    // The blog section's `_index.md`: the list page's title and description; its
    // template names are named, not used.
    let list = page(&out, "/posts/");
    assert!(
        list.contains("Shared blog for Linebender projects"),
        "{list}"
    );
    assert!(
        err.contains("template `blog_index.html` is not used"),
        "{err}"
    );
    // Plain links Zola does not check are warnings here too (the trimmed copy lacks
    // the contributor guidelines page; one source link has a doubled fragment).
    assert!(
        err.contains("2 broken internal link(s) (link_check = \"warn\""),
        "{err}"
    );
    assert!(err.contains("/about/ → /contributor-guidelines"), "{err}");
    // The layout's own stylesheet, since the site's static/ has none.
    fingerprinted(&out, "style.", ".css");
}

#[test]
fn the_rust_blog_builds_with_its_root_as_the_blog_and_its_sections_listed() {
    let tmp = TempDir::new().unwrap();
    let (out, err) = export_site_root(tmp.path(), "rust-blog");
    // The posts at the content root are the blog, each at its `path` (a folder, as
    // Zola publishes it); the inside-rust section's at theirs; releases/latest.md at
    // its section's URL.
    for url in [
        "/2021/06/17/Rust-1.53.0/",
        "/2021/08/03/GATs-stabilization-push/",
        "/2020/09/21/Scheduling-2021-Roadmap/",
        "/2019/10/03/inside-rust-blog/",
        "/2018/09/21/Security-advisory-for-std/",
        "/inside-rust/2019/09/25/Welcome/",
        "/inside-rust/2020/07/27/1.45.1-prerelease/",
        "/inside-rust/2021/04/03/core-team-updates/",
        "/releases/latest/",
    ] {
        page(&out, url);
    }
    // Dated by their paths; the blog lists them newest first.
    let list = page(&out, "/posts/");
    let first = list
        .find("GATs stabilization")
        .expect("2021-08-03 in the list");
    let last = list
        .find("Security advisory")
        .expect("2018-09-21 in the list");
    assert!(first < last, "{list}");
    assert!(list.contains("August 3, 2021"), "{list}");
    // The blog's _index.md names the list.
    assert!(list.contains("<h1>Rust Blog</h1>"), "{list}");
    // A section's list page: its _index.md's title and description, its pages in its
    // `sort_by = "permalink"` order (oldest path first), each with the date of its path.
    let inside = page(&out, "/inside-rust/");
    assert!(inside.contains("<h1>Inside Rust Blog</h1>"), "{inside}");
    assert!(
        inside.contains("Curious how you might get involved?"),
        "{inside}"
    );
    let welcome = inside.find("Welcome to the Inside Rust blog!").unwrap();
    let updates = inside.find("Core Team updates").unwrap();
    assert!(welcome < updates, "{inside}");
    assert!(inside.contains("September 25, 2019"), "{inside}");
    assert!(page(&out, "/releases/").contains("href=/releases/latest/"));
    // A section with a template Atoll does not map: one warning naming it.
    assert!(
        err.contains("template `releases.html` is not in the route table"),
        "{err}"
    );
    // Sections are in the sitemap.
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("/inside-rust/</loc>"), "{sitemap}");
    // `.html` aliases, and the old feed names, redirect.
    let redirects = std::fs::read_to_string(out.join("_redirects")).unwrap();
    for rule in [
        "/2021/06/17/Rust-1.53.0.html /2021/06/17/Rust-1.53.0/ 301",
        "/inside-rust/2019/09/25/Welcome.html /inside-rust/2019/09/25/Welcome/ 301",
        "/feed.xml /atom.xml 301",
    ] {
        assert!(redirects.contains(rule), "{rule} in {redirects}");
    }
    // The bundle's image beside its post; `[markdown] insert_anchor_links = "left"`.
    let gats = page(&out, "/2021/08/03/GATs-stabilization-push/");
    fingerprinted(
        &out.join("2021/08/03/GATs-stabilization-push"),
        "gats-reactions.",
        ".png",
    );
    assert!(
        gats.contains("height=50") && gats.contains("width=388"),
        "{gats}"
    );
    assert!(
        !super::variants_of(&out, &gats, "gats-reactions").is_empty(),
        "{gats}"
    );
    assert!(gats.contains("class=anchor"), "{gats}");
    // The home page lists the latest posts; config.toml has no title: the root
    // `_index.md`'s is the site's.
    let home = page(&out, "/");
    assert!(home.contains("href=/2021/08/03/GATs-stabilization-push/"));
    assert!(home.contains("<title>Rust Blog</title>"), "{home}");
    assert!(home.contains("Empowering everyone to build reliable and efficient software."));
    // `generate_feeds = true`: the section's own Atom feed, newest first, linked from
    // its page; the site's feed holds the blog's posts.
    let feed = std::fs::read_to_string(out.join("inside-rust/atom.xml")).unwrap();
    assert!(feed.contains("<title>Core Team updates</title>"), "{feed}");
    let newest = feed.find("Core Team updates").unwrap();
    assert!(newest < feed.find("Welcome to the Inside Rust blog!").unwrap());
    assert!(
        feed.contains("href=\"https://blog.rust-lang.org/inside-rust/\""),
        "{feed}"
    );
    assert!(inside.contains("href=/inside-rust/atom.xml"), "{inside}");
    let site_feed = std::fs::read_to_string(out.join("atom.xml")).unwrap();
    assert!(site_feed.contains("The push for GATs stabilization"));
    assert!(!site_feed.contains("Core Team updates"));
}

#[test]
fn hugos_basic_example_builds_unchanged_at_hugos_urls() {
    let tmp = TempDir::new().unwrap();
    let (out, err) = export_site_root(tmp.path(), "hugo-basic");
    for url in [
        "/",
        "/about/",
        "/archives/",
        "/post/emoji-support/",
        "/post/markdown-syntax/",
        "/post/math-typesetting/",
        "/post/placeholder-text/",
        "/post/rich-content/",
    ] {
        page(&out, url);
    }
    // The headless bundle and its resources are not pages.
    assert!(!out.join("homepage").exists());
    assert!(
        err.contains("one of its resources (Hugo), not a page"),
        "{err}"
    );
    // Aliases: relative ones are relative to the entry's section.
    let redirects = std::fs::read_to_string(out.join("_redirects")).unwrap();
    for rule in [
        "/post/migrate-from-jekyl/ /post/markdown-syntax/ 301",
        "/about-us/ /about/ 301",
        "/contact/ /about/ 301",
        "/post/ /posts/ 301",
        // The section's own aliases (`post/_index.md`) lead to the list too.
        "/articles/ /posts/ 301",
        "/showcase/ /posts/ 301",
        // Hugo's RSS feed URLs lead subscribers to the Atom feed.
        "/index.xml /atom.xml 301",
        "/post/index.xml /atom.xml 301",
    ] {
        assert!(redirects.contains(rule), "{rule} in {redirects}");
    }
    // Built-in shortcodes become plain links, no third-party embed; unknown ones stay
    // in the text, named in a warning.
    let rich = page(&out, "/post/rich-content/");
    assert!(rich.contains("youtube.com/watch?v=ZJthWmvUzzc"), "{rich}");
    assert!(!rich.contains("<iframe"));
    // A page without a title is titled by its name.
    assert!(page(&out, "/archives/").contains("<title>Archives"));
    // Hugo's default taxonomies: categories at Hugo's URLs, listed in the sitemap.
    assert!(page(&out, "/categories/themes/").contains("<h1>Categories: themes</h1>"));
    page(&out, "/categories/syntax/");
    assert!(page(&out, "/categories/").contains("href=/categories/themes/"));
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("/categories/themes/</loc>"), "{sitemap}");
    // The site's feed holds the blog's posts (the content root's own feed is the
    // site's: its `_index.md` does not replace it).
    let site_feed = std::fs::read_to_string(out.join("atom.xml")).unwrap();
    assert!(site_feed.contains("Markdown Syntax Guide"), "{site_feed}");
    // Hugo gives every term a feed: an Atom feed here, its RSS URL redirected to it.
    let feed = std::fs::read_to_string(out.join("categories/themes/atom.xml")).unwrap();
    assert!(feed.contains("<entry"), "{feed}");
    assert!(
        redirects.contains("/categories/themes/index.xml /categories/themes/atom.xml 301"),
        "{redirects}"
    );
    // The blog section's title, from `post/_index.md`.
    assert!(page(&out, "/posts/").contains("<h1>Posts</h1>"));
    assert!(
        err.contains("setting `paginate` of config.toml is not read"),
        "{err}"
    );
}

#[test]
fn the_demo_has_an_authors_taxonomy_linked_from_its_posts() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("dist");
    let content = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../content");
    let output = export(&content, &out, &islands_dir(tmp.path()));
    assert!(output.status.success(), "{}", stderr(&output));
    let post = page(&out, "/posts/how-islands-work/");
    assert!(
        post.contains("<a href=/authors/jonas-ek/ rel=author>Jonas Ek</a>"),
        "{post}"
    );
    assert!(post.contains("\"url\":\"http://127.0.0.1:3000/authors/jonas-ek/\""));
    let author = page(&out, "/authors/mira-tane/");
    assert!(author.contains("<h1>Authors: Mira Tane</h1>"), "{author}");
    assert!(author.contains("href=/posts/atomic-exports/"), "{author}");
    assert!(page(&out, "/authors/").contains("href=/authors/jonas-ek/"));
    // Tags stay at /tags/ and the tag index lists tags only.
    assert!(!page(&out, "/tags/").contains("/authors/"));
}
