//! Tests of the content loader: whole sites in temporary folders.

use super::*;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn zola_and_hugo_front_matter_is_read_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Zola's shape: TOML, no `date` (the file name has it), `authors`, relative
    // aliases, `description`, `[extra]`.
    write(
        root,
        "posts/2021-03-04-release-notes.md",
        "+++\ntitle = \"Release notes\"\ndescription = \"What changed in 2.0.\"\nauthors = [\"Ada\", \"Grace\"]\naliases = [\"releases/2.0\", \"2019/03/04/old-post.html\"]\ncomments = true\ntaxonomies = { tags = [\"release\"], categories = [\"news\"] }\n\n[extra]\nteam = \"core\"\nstars = 3\n+++\nThe first paragraph is not the summary.\n",
    );
    // Hugo's shape: YAML, one `author`, `lastmod`, `params`.
    write(
        root,
        "posts/hugo-style.md",
        "---\ntitle: Hugo style\ndate: 2024-05-01\nlastmod: 2024-05-06\nauthor: Linus\ncomments: true\nparams:\n  team: docs\n---\nBody.\n",
    );
    let loaded = load(root, &LoadOptions::default()).unwrap();
    let site = &loaded.site;
    let zola = site.post("release-notes").expect("slug without the date");
    assert_eq!(
        zola.date.unwrap().to_rfc3339(),
        "2021-03-04T00:00:00+00:00",
        "dated by its file name"
    );
    assert_eq!(zola.summary, "What changed in 2.0.");
    assert_eq!(zola.authors, ["Ada", "Grace"]);
    assert_eq!(zola.aliases, ["/releases/2.0", "/2019/03/04/old-post.html"]);
    assert_eq!(
        zola.extra.get::<String>("team").unwrap().as_deref(),
        Some("core")
    );
    assert_eq!(zola.extra.get::<u32>("stars").unwrap(), Some(3));
    assert_eq!(zola.extra.get::<String>("missing").unwrap(), None);
    let wrong = zola.extra.get::<String>("stars").unwrap_err();
    assert!(
        wrong.contains("posts/2021-03-04-release-notes.md") && wrong.contains("extra.stars"),
        "{wrong}"
    );
    let hugo = site.post("hugo-style").unwrap();
    assert_eq!(hugo.authors, ["Linus"]);
    assert_eq!(
        hugo.updated.unwrap().to_rfc3339(),
        "2024-05-06T00:00:00+00:00"
    );
    assert_eq!(
        hugo.extra.get::<String>("team").unwrap().as_deref(),
        Some("docs")
    );
    assert_eq!(zola.tags, ["release"], "Zola's taxonomies.tags");
    // What is not read is named once: the same unknown key in two files is one
    // warning with a count; the categories taxonomy is named.
    let text: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 2, "{text:?}");
    assert!(
        text.iter()
            .any(|w| w.contains("unknown front matter key `comments`")
                && w.contains("and in 1 more file(s)")),
        "{text:?}"
    );
    assert!(
        text.iter().any(|w| w.contains("taxonomy `categories`")),
        "{text:?}"
    );
}

#[test]
fn markdown_atoll_does_not_read_is_named_never_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // A Zola site's content folder: sections Atoll does not read yet.
    write(root, "_index.md", "+++\ntitle = \"Home\"\n+++\n");
    write(
        root,
        "documentation/_index.md",
        "+++\ntitle = \"Docs\"\n+++\n",
    );
    write(root, "documentation/a.md", "+++\ntitle = \"A\"\n+++\n");
    let error = load(root, &LoadOptions::default()).unwrap_err().to_string();
    assert!(error.contains("nothing Atoll reads"), "{error}");
    assert!(error.contains("3 Markdown file(s)"), "{error}");
    // With something it reads, the rest is a warning per folder, naming the files.
    write(root, "posts/p.md", "---\ntitle: P\n---\n");
    let loaded = load(root, &LoadOptions::default()).unwrap();
    let text: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 2, "{text:?}");
    assert!(text[0].contains("_index.md"), "{text:?}");
    assert!(
        text[1].contains("2 Markdown file(s) not read") && text[1].contains("documentation/a.md"),
        "{text:?}"
    );
}

#[test]
fn loads_sorts_and_drops_drafts() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "site.toml",
        "title = \"T\"\nbase_url = \"https://x.test/\"\n",
    );
    write(
        root,
        "posts/old.md",
        "---\ntitle: Old\ndate: 2020-01-01\n---\nOld body.",
    );
    write(
        root,
        "posts/new.md",
        "+++\ntitle = \"New\"\ndate = 2024-01-01\n+++\nNew body.",
    );
    write(
        root,
        "posts/Undated Post.md",
        "# From heading\n\nFirst para.",
    );
    write(root, "posts/draft.md", "---\ntitle: D\ndraft: true\n---\n");
    write(root, "posts/.hidden.md", "---\ntitle: [broken\n---\n");
    let site = load_site(root, &LoadOptions::default()).unwrap();
    assert_eq!(site.config.base_url, "https://x.test");
    let slugs: Vec<_> = site.posts.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(slugs, ["new", "old", "undated-post"]);
    let undated = &site.posts[2];
    assert_eq!(undated.title, "From heading");
    assert_eq!(undated.summary, "First para.");
    assert_eq!(undated.source, "posts/Undated Post.md");

    let with_drafts = load_site(
        root,
        &LoadOptions {
            include_drafts: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(with_drafts.posts.len(), 4);
}

#[test]
fn reports_every_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "posts/a.md", "---\ntitle: A\ndate: nope\n---\n");
    write(root, "posts/b.md", "no title here");
    write(root, "posts/c.md", "---\ntitle: C\nslug: b\n---\n");
    write(root, "posts/d.md", "---\ntitle: D\nslug: b\n---\n");
    let err = load_site(root, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("3 errors in the content:"), "{err}");
    assert!(
        err.contains("/posts/a.md:3:7: invalid front matter: date: invalid date `nope`"),
        "{err}"
    );
    assert!(err.contains("b.md: the post has no title"), "{err}");
    assert!(err.contains("duplicate slug `b`: "), "{err}");
    assert!(
        err.contains("/posts/c.md and ") && err.contains("/posts/d.md would both be /posts/b/"),
        "{err}"
    );
}

#[test]
fn missing_folder_and_bad_settings() {
    let err = load_site(Path::new("/no/such/dir"), &LoadOptions::default()).unwrap_err();
    assert!(matches!(err, ContentError::MissingDir { .. }));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "site.toml", "title = \"T\"\ntitel = \"typo\"\n");
    let err = load_site(dir.path(), &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("site.toml:2:1: invalid site settings: unknown field `titel`"),
        "{err}"
    );
}

#[test]
fn zola_internal_links_resolve_to_permalinks_or_name_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "posts/a.md",
        "---\ntitle: A\n---\nSee [B](@/posts/b.md#intro) and [the docs](@/docs/_index.md).\n",
    );
    write(root, "posts/b.md", "---\ntitle: B\n---\n## Intro\n");
    write(root, "docs/_index.md", "---\ntitle: Docs\n---\nDocs.\n");
    let site = load_site(root, &LoadOptions::default()).unwrap();
    let html = &site.post("a").unwrap().html;
    assert!(html.contains(r##"href="/posts/b/#intro""##), "{html}");
    assert!(html.contains(r#"href="/docs/""#), "{html}");
    write(
        root,
        "posts/c.md",
        "---\ntitle: C\n---\n[Gone](@/posts/missing.md)\n",
    );
    let error = load_site(root, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("posts/c.md") && error.contains("@/posts/missing.md"),
        "{error}"
    );
}

/// Zola's `path` and Hugo's `url` are the post's permalink, as written (with or without
/// slashes, a file name kept as a file); a permalink that starts with `YYYY/MM/DD/` dates
/// a post whose front matter has no date; a bad one is an error naming file and field.
#[test]
fn zola_path_and_hugo_url_are_permalinks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "posts/some-post/index.md",
        "+++\ntitle = \"Some post\"\npath = \"2020/01/02/some-post\"\n+++\nBody.\n",
    );
    write(
        root,
        "posts/old.md",
        "---\ntitle: Old post\ndate: 2019-03-04\nurl: /2019/03/04/old-post.html\n---\nBody.\n",
    );
    write(
        root,
        "pages/about.md",
        "---\ntitle: About\nurl: /about-us/\n---\nAbout.\n",
    );
    write(
        root,
        "docs/guide.md",
        "---\ntitle: Guide\npath: guide\n---\nGuide.\n",
    );
    let loaded = load(root, &LoadOptions::default()).unwrap();
    let site = &loaded.site;
    let zola = site.post("some-post").unwrap();
    assert_eq!(zola.url(), "/2020/01/02/some-post/");
    assert_eq!(
        zola.date.unwrap().to_rfc3339(),
        "2020-01-02T00:00:00+00:00",
        "dated by its permalink"
    );
    assert_eq!(
        site.post_at_permalink("/2020/01/02/some-post/")
            .unwrap()
            .slug,
        "some-post"
    );
    assert_eq!(site.post("old").unwrap().url(), "/2019/03/04/old-post.html");
    // Pages too; docs keep their place in the docs tree, and say so.
    assert_eq!(site.page("about").unwrap().url(), "/about-us/");
    assert_eq!(site.page_at_permalink("/about-us/").unwrap().slug, "about");
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.path.ends_with("docs/guide.md") && w.message.contains("not docs")),
        "{:?}",
        loaded.warnings
    );

    for bad in ["\"\"", "\"a/../b\"", "\"a b\"", "\"x?y\""] {
        write(
            root,
            "posts/bad.md",
            &format!("+++\ntitle = \"Bad\"\npath = {bad}\n+++\nBody.\n"),
        );
        let err = load(root, &LoadOptions::default()).unwrap_err().to_string();
        assert!(
            err.contains("posts/bad.md") && err.contains("path"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn real_sites_files_load_dates_without_offsets_schedules_sections_and_translations() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Date-times without an offset (TOML local date-time, YAML with a space): UTC.
    write(
        root,
        "posts/toml-local.md",
        "+++\ntitle = \"Local\"\ndate = 2021-03-04T10:30:00\n+++\nBody.\n",
    );
    write(
        root,
        "posts/yaml-local.md",
        "---\ntitle: Spaced\ndate: \"2021-03-05 08:00:00\"\n---\nBody.\n",
    );
    // Hugo's schedule: not yet published, expired, and published (its date).
    write(
        root,
        "posts/future.md",
        "---\ntitle: Future\npublishDate: 2999-01-01\n---\nBody.\n",
    );
    write(
        root,
        "posts/expired.md",
        "---\ntitle: Expired\ndate: 2020-01-01\nexpiryDate: 2020-06-01\n---\nBody.\n",
    );
    write(
        root,
        "posts/scheduled.md",
        "---\ntitle: Scheduled\npublishDate: 2021-02-03T04:05:06Z\n---\nBody.\n",
    );
    // A section's settings and translations are named, not entries.
    write(
        root,
        "posts/_index.md",
        "+++\ntitle = \"News\"\ndescription = \"What we ship.\"\nsort_by = \"title\"\npaginate_by = 4\ntemplate = \"blog.html\"\ncomments = true\n+++\n",
    );
    write(root, "pages/_index.md", "+++\ntitle = \"Pages\"\n+++\n");
    // In Atoll's layout a dotted name is just a name (a post about Node.js).
    write(root, "posts/why-node.js.md", "# Why Node.js\n");
    write(root, "pages/about.md", "# About\n");
    // A docs leaf bundle is the page of its folder, its files published beside it.
    write(root, "docs/_index.md", "# Docs\n");
    write(
        root,
        "docs/guide/index.md",
        "# Guide\n\n![A diagram](diagram.svg)\n",
    );
    write(
        root,
        "docs/guide/diagram.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );

    let loaded = load(root, &LoadOptions::default()).unwrap();
    let site = &loaded.site;
    assert_eq!(
        site.post("toml-local").unwrap().date.unwrap().to_rfc3339(),
        "2021-03-04T10:30:00+00:00"
    );
    assert_eq!(
        site.post("yaml-local").unwrap().date.unwrap().to_rfc3339(),
        "2021-03-05T08:00:00+00:00"
    );
    assert!(site.post("future").is_none(), "publishDate still to come");
    assert!(site.post("expired").is_none(), "expiryDate passed");
    assert_eq!(
        site.post("scheduled").unwrap().date.unwrap().to_rfc3339(),
        "2021-02-03T04:05:06+00:00",
        "publishDate is the date when there is none"
    );
    assert!(site.post("index").is_none());
    assert!(site.post("why-node-js").is_some(), "not a translation here");
    assert_eq!(site.posts.len(), 4);
    assert!(site.page("about").is_some());
    let guide = site
        .doc("/docs/guide/")
        .expect("the bundle at its folder's URL");
    assert!(!guide.is_section);
    assert!(site.bundle_files.contains_key("/docs/guide/diagram.svg"));
    let text: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    // The blog section's settings are read; what is not used is named.
    assert_eq!(site.config.blog.title, "News");
    assert_eq!(
        site.config.blog.description.as_deref(),
        Some("What we ship.")
    );
    assert_eq!(site.config.posts_per_page, 4);
    for expected in [
        "sort_by = \"title\" is not used for the blog",
        "template `blog.html` is not used for the blog section",
        "unknown section key `comments`",
    ] {
        assert!(
            text.iter()
                .any(|w| w.contains("posts/_index.md") && w.contains(expected)),
            "{expected}: {text:?}"
        );
    }
    assert!(
        text.iter().any(|w| w.contains("pages/_index.md")
            && w.contains("Atoll's posts/ and pages/ are not sections")),
        "{text:?}"
    );

    // With drafts (a preview build), scheduled entries are there, as drafts.
    let preview = load(
        root,
        &LoadOptions {
            include_drafts: true,
            ..LoadOptions::default()
        },
    )
    .unwrap();
    assert!(preview.site.post("future").unwrap().draft);
    assert!(preview.site.post("expired").unwrap().draft);
}

#[test]
fn a_hugo_site_root_resolves_ref_links_and_names_a_missing_target() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "hugo.toml", "baseURL = \"https://example.org/\"\ntitle = \"Hugo site\"\nLanguageCode = \"en-gb\"\npaginate = 3\n");
    write(
        root,
        "content/post/first.md",
        "---\ntitle: First\ndate: 2024-01-02\naliases: [old-first]\n---\nSee [the second]({{< ref \"second\" >}}) and [about]({{< relref \"/about.md#team\" >}}).\n",
    );
    write(
        root,
        "content/post/second.md",
        "---\ntitle: Second\ndate: 2024-01-03\n---\nBody.\n",
    );
    write(
        root,
        "content/about.md",
        "---\ntitle: About\n---\n## Team\n",
    );
    // One slug in two sections (the second keyed by its permalink), and a dotted name
    // that is no translation (no `Update-on-crates.md` beside it).
    write(root, "content/faq.md", "---\ntitle: FAQ\n---\n");
    // A dot in the last segment of a permalink is no file extension (Rust 1.53.0).
    write(
        root,
        "content/post/release.md",
        "---\ntitle: Release\ndate: 2021-06-17\nurl: 2021/06/17/Rust-1.53.0\n---\n",
    );
    write(
        root,
        "content/support/faq.md",
        "---\ntitle: Support FAQ\n---\n",
    );
    write(
        root,
        "content/post/Update-on-crates.io-incident.md",
        "---\ntitle: Incident\ndate: 2024-01-04\n---\n",
    );
    // Translations are named, never mixed into the default language.
    write(root, "content/about.fr.md", "---\ntitle: À propos\n---\n");
    write(
        root,
        "content/post/first.pt-br.md",
        "---\ntitle: Primeiro\n---\n",
    );
    let loaded = load(root, &LoadOptions::default()).unwrap();
    let site = &loaded.site;
    assert_eq!(site.config.title, "Hugo site");
    assert_eq!(site.config.base_url, "https://example.org");
    assert_eq!(site.config.language, "en-gb", "keys are case-insensitive");
    assert_eq!(site.config.sections.posts, "post");
    let first = site.post("first").unwrap();
    assert_eq!(first.url(), "/post/first/");
    assert_eq!(
        first.aliases,
        ["/post/old-first/"],
        "relative to the section"
    );
    assert!(
        first.html.contains("href=\"/post/second/\""),
        "{}",
        first.html
    );
    assert!(
        first.html.contains("href=\"/about/#team\""),
        "{}",
        first.html
    );
    let text: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|w| w.contains("setting `paginate` of hugo.toml is not read")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|w| w.contains("`fr`") && w.contains("about.fr.md")),
        "{text:?}"
    );
    assert!(text.iter().any(|w| w.contains("`pt-br`")), "{text:?}");
    assert_eq!((site.pages.len(), site.posts.len()), (3, 4));
    assert_eq!(
        site.post("release").unwrap().url(),
        "/2021/06/17/Rust-1.53.0/"
    );
    assert_eq!(site.page("faq").unwrap().url(), "/faq/");
    assert_eq!(site.page("support/faq").unwrap().url(), "/support/faq/");
    assert_eq!(
        site.post("update-on-crates-io-incident").unwrap().url(),
        "/post/update-on-crates-io-incident/"
    );

    write(
        root,
        "content/post/second.md",
        "---\ntitle: Second\ndate: 2024-01-03\n---\n[Gone]({{< ref \"gone.md\" >}})\n",
    );
    let err = load(root, &LoadOptions::default()).unwrap_err().to_string();
    assert!(
        err.contains("second.md") && err.contains("gone.md"),
        "{err}"
    );
}

#[test]
fn an_entry_with_an_expiry_date_is_never_taken_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "posts/kept.md",
        "---\ntitle: Kept\ndate: 2024-01-01\n---\nBody.\n",
    );
    write(
        root,
        "posts/offer.md",
        "---\ntitle: Offer\ndate: 2024-01-01\nexpiryDate: 2999-01-01\n---\nBody.\n",
    );
    let first = load(root, &LoadOptions::default()).unwrap();
    assert!(first.site.post("offer").unwrap().expires.is_some());
    let cache = ContentCache::from_parts(&first.site, &first.sources);
    let second = load_with_cache(root, &LoadOptions::default(), Some(&cache)).unwrap();
    assert!(second.deferred.contains("posts/kept.md"), "cached");
    assert!(
        !second.deferred.contains("posts/offer.md"),
        "parsed again at every load, so that its expiry is seen"
    );
}

#[test]
fn sections_of_a_zola_site_read_their_settings_sort_nest_and_map_templates() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "config.toml",
        "base_url = \"https://example.org\"\ntitle = \"Sections\"\n[extra]\nmaintainer = \"core\"\n",
    );
    write(
        root,
        "content/_index.md",
        "+++\ntitle = \"Home\"\n+++\nWelcome home.\n",
    );
    write(
        root,
        "content/blog/2024-01-02-one.md",
        "+++\ntitle = \"One\"\n+++\nBody.\n",
    );
    write(
        root,
        "content/blog/2024-01-03-two.md",
        "+++\ntitle = \"Two\"\n+++\nBody.\n",
    );
    write(
        root,
        "content/projects/_index.md",
        "+++\ntitle = \"Projects\"\nsort_by = \"weight\"\npaginate_by = 2\npaginate_path = \"p\"\n\
         insert_anchor_links = \"right\"\npage_template = \"project.html\"\naliases = [\"work\"]\n\
         [extra]\nteam = \"core\"\n+++\nWhat we **make**.\n",
    );
    write(
        root,
        "content/projects/a.md",
        "+++\ntitle = \"A\"\nweight = 3\n+++\n## Usage\n\nText.\n",
    );
    write(
        root,
        "content/projects/b.md",
        "+++\ntitle = \"B\"\nweight = 1\n+++\nText.\n",
    );
    write(
        root,
        "content/projects/c.md",
        "+++\ntitle = \"C\"\nweight = 2\n+++\nText.\n",
    );
    write(
        root,
        "content/projects/2021-01-01-d.md",
        "+++\ntitle = \"D\"\nweight = 5\n+++\nText.\n",
    );
    write(
        root,
        "content/projects/rust/_index.md",
        "+++\ntitle = \"Rust\"\ntransparent = true\n+++\n",
    );
    write(
        root,
        "content/projects/rust/e.md",
        "+++\ntitle = \"E\"\n+++\nText.\n",
    );
    write(
        root,
        "content/old/_index.md",
        "+++\nredirect_to = \"projects/\"\n+++\n",
    );
    write(root, "content/old/x.md", "+++\ntitle = \"X\"\n+++\nText.\n");
    // Hugo's way to title a taxonomy's list: Atoll's taxonomy pages own that URL.
    write(
        root,
        "content/tags/_index.md",
        "+++\ntitle = \"All tags\"\n+++\n",
    );
    write(
        root,
        "content/hidden/_index.md",
        "+++\nrender = false\n+++\n",
    );
    write(
        root,
        "content/hidden/y.md",
        "+++\ntitle = \"Y\"\n+++\nSee @/projects/_index.md.\n\n[Projects](@/projects/_index.md)\n",
    );
    // A section whose pages name the post route's template: they are posts.
    write(
        root,
        "content/notes/_index.md",
        "+++\npage_template = \"post.html\"\n+++\n",
    );
    write(
        root,
        "content/notes/n1.md",
        "+++\ntitle = \"N1\"\ndate = 2024-05-06\n+++\nText.\n",
    );

    let loaded = load(root, &LoadOptions::default()).unwrap();
    let site = &loaded.site;
    let warnings: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();

    // The site's `[extra]` is kept for page components.
    assert_eq!(
        site.config
            .extra
            .get::<String>("maintainer")
            .unwrap()
            .as_deref(),
        Some("core")
    );
    assert!(
        !warnings.iter().any(|w| w.contains("setting `extra`")),
        "{warnings:?}"
    );
    let projects = site
        .section("/projects/")
        .expect("a section with _index.md");
    assert_eq!(projects.title, "Projects");
    assert_eq!(projects.sort_by, app::SortBy::Weight);
    assert_eq!(
        projects.extra.get::<String>("team").unwrap().as_deref(),
        Some("core")
    );
    assert!(projects.html.contains("<strong>make</strong>"));
    assert_eq!(projects.subsections, ["/projects/rust/"]);
    // Its pages and its transparent subsection's, lightest first; E has no weight: last.
    let order: Vec<&str> = projects
        .pages
        .iter()
        .map(|&i| site.pages[i].slug.as_str())
        .collect();
    assert_eq!(order, ["b", "c", "a", "d", "e"]);
    assert_eq!(projects.page_count(), 3);
    assert_eq!(projects.page_url(2), "/projects/p/2/");
    assert_eq!(projects.page_range(3), 4..5);
    let d = site.page("d").expect("the date is not part of the slug");
    assert_eq!(d.permalink.as_deref(), Some("/projects/d/"));
    assert_eq!(d.date.unwrap().to_rfc3339(), "2021-01-01T00:00:00+00:00");
    assert_eq!(d.section.as_deref(), Some("/projects/"));
    let rust = site.section("/projects/rust/").unwrap();
    assert_eq!(rust.parent.as_deref(), Some("/projects/"));
    assert_eq!(rust.pages.len(), 1);
    // The section's `insert_anchor_links` reaches its pages' headings.
    let a = site.page("a").unwrap();
    assert!(a.html.contains("class=\"anchor\""), "{}", a.html);
    assert!(!site.page("b").unwrap().html.contains("class=\"anchor\""));
    // redirect_to and render = false: no list page; the pages are published.
    let old = site.section("/old/").unwrap();
    assert_eq!(old.redirect_to.as_deref(), Some("/projects/"));
    assert!(!old.has_list());
    assert!(!site.section("/hidden/").unwrap().has_list());
    assert!(site.page("x").is_some() && site.page("y").is_some());
    // `@/projects/_index.md` links to the section.
    assert!(site.page("y").unwrap().html.contains("href=\"/projects/\""));
    assert!(site.section("/tags/").is_none());
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("tags/_index.md") && w.contains("is not used")),
        "{warnings:?}"
    );
    // The root's _index.md is the section `/` (the home page's text).
    assert!(site.section("/").unwrap().html.contains("Welcome home."));
    // Templates: `post.html` makes the notes posts; an unmapped name is one warning.
    let n1 = site
        .post("n1")
        .expect("a page naming the post template is a post");
    assert_eq!(n1.permalink.as_deref(), Some("/notes/n1/"));
    assert_eq!(site.posts.len(), 3);
    let unmapped: Vec<&String> = warnings
        .iter()
        .filter(|w| w.contains("template `project.html` is not in the route table"))
        .collect();
    assert_eq!(unmapped.len(), 1, "{warnings:?}");
    // Five pages: its own four and its subsection's (`page_template` is inherited, as in Zola).
    assert!(unmapped[0].contains("in 4 more file(s)"), "{unmapped:?}");
    assert!(
        !warnings
            .iter()
            .any(|w| w.contains("_index.md") && w.contains("skipped")),
        "{warnings:?}"
    );

    // A bad `sort_by` names the file and the field.
    write(
        root,
        "content/projects/_index.md",
        "+++\nsort_by = \"random\"\n+++\n",
    );
    let err = load(root, &LoadOptions::default()).unwrap_err().to_string();
    assert!(
        err.contains("projects/_index.md") && err.contains("sort_by") && err.contains("random"),
        "{err}"
    );
}

#[test]
fn a_blog_at_the_content_root_dated_by_its_paths() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "config.toml", "base_url = \"https://example.org\"\n");
    write(
        root,
        "content/_index.md",
        "+++\ntitle = \"Blog\"\nsort_by = \"permalink\"\n+++\n",
    );
    for (name, path) in [
        ("a", "2020/01/02/a"),
        ("b", "2021/03/04/b"),
        ("c", "2019/05/06/c"),
    ] {
        write(
            root,
            &format!("content/{name}.md"),
            &format!("+++\npath = \"{path}\"\ntitle = \"{name}\"\n+++\nBody.\n"),
        );
    }
    write(
        root,
        "content/d/index.md",
        "+++\ntitle = \"D\"\n+++\nA bundle without a path.\n",
    );
    write(root, "content/d/pic.png", "png");
    write(
        root,
        "content/inside/_index.md",
        "+++\ntitle = \"Inside\"\nsort_by = \"date\"\n+++\n",
    );
    write(
        root,
        "content/inside/w.md",
        "+++\npath = \"inside/2019/09/25/w\"\ntitle = \"W\"\n+++\nBody.\n",
    );
    let loaded = load(root, &LoadOptions::default()).unwrap();
    let site = &loaded.site;
    assert_eq!(site.config.sections.posts, "", "the root is the blog");
    let slugs: Vec<&str> = site.posts.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(slugs, ["b", "a", "c", "d"], "newest first, undated last");
    assert_eq!(
        site.post("b").unwrap().date.unwrap().to_rfc3339(),
        "2021-03-04T00:00:00+00:00"
    );
    assert_eq!(site.post("d").unwrap().url(), "/d/");
    assert!(site.bundle_files.contains_key("/d/pic.png"));
    // A section's entry is dated by its path after the section's segment.
    let w = site.page("w").unwrap();
    assert_eq!(w.date.unwrap().to_rfc3339(), "2019-09-25T00:00:00+00:00");
    assert_eq!(w.url(), "/inside/2019/09/25/w/");
    assert_eq!(site.section("/inside/").unwrap().pages.len(), 1);
    assert!(
        site.section("/").is_none(),
        "the blog's _index.md is the blog's settings"
    );
    assert_eq!(site.config.blog.title, "Blog");
}

#[test]
fn hugo_taxonomies_are_their_own_front_matter_keys_and_permalinks_fill_urls() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "hugo.toml",
        "baseURL = \"https://example.org/\"\n[taxonomies]\ntag = \"tags\"\nseries = \"series\"\n[permalinks]\npost = \"/:year/:month/:slug/\"\n",
    );
    write(
        root,
        "content/post/one.md",
        "---\ntitle: One\ndate: 2024-01-02\ntags: [a]\nseries: [Rust in production]\nmood: calm\n---\nBody.\n",
    );
    write(
        root,
        "content/post/two.md",
        "+++\ntitle = \"Two\"\ndate = 2024-01-03\nseries = \"Rust in production\"\n+++\nBody.\n",
    );
    let loaded = load(root, &LoadOptions::default()).unwrap();
    let site = &loaded.site;
    assert_eq!(
        site.post("one").unwrap().taxonomies["series"],
        ["Rust in production"]
    );
    let term = site
        .tag("series/rust-in-production")
        .expect("a term of series");
    assert_eq!(term.posts.len(), 2);
    assert!(
        site.config.taxonomy("series").unwrap().feed,
        "Hugo terms have feeds"
    );
    let warnings: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    assert!(
        !warnings.iter().any(|w| w.contains("`series`")),
        "{warnings:?}"
    );
    assert!(warnings
        .iter()
        .any(|w| w.contains("unknown front matter key `mood`")));
}

#[test]
fn hugos_config_directory_is_read_with_its_params() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "config/_default/hugo.toml",
        "baseURL = \"https://example.org/\"\ntitle = \"Split settings\"\n",
    );
    write(
        root,
        "config/_default/params.toml",
        "description = \"From params.toml\"\nshowToc = true\n",
    );
    write(
        root,
        "config/_default/menus.toml",
        "[[main]]\nname = \"Home\"\nurl = \"/\"\n",
    );
    write(
        root,
        "content/post/one.md",
        "---\ntitle: One\ndate: 2024-01-02\n---\nBody.\n",
    );
    let loaded = load(root, &LoadOptions::default()).unwrap();
    let config = &loaded.site.config;
    assert_eq!(config.flavor, app::Flavor::Hugo);
    assert_eq!(config.title, "Split settings");
    assert_eq!(config.description, "From params.toml");
    assert_eq!(config.extra.get::<bool>("showToc").unwrap(), Some(true));
    let warnings: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    // `menus.toml`'s main menu is the layout's menu.
    assert_eq!(config.menu.len(), 1);
    assert_eq!(
        (config.menu[0].name.as_str(), config.menu[0].url.as_str()),
        ("Home", "/")
    );
    assert!(
        !warnings.iter().any(|w| w.contains("setting `menus`")),
        "{warnings:?}"
    );
    assert!(loaded.site.post("one").is_some());
}
