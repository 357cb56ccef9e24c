//! GitHub pushes, the dev site folder, reload failures, webhook limits and cache tags.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_github_push_renders_what_changed() {
    let content = content();
    let s = server(content.path());
    edit(
        content.path(),
        "posts/second.md",
        "A TOML front matter.",
        "Pushed to GitHub.",
    );
    // GitHub's own body (a push event): not Atoll's format, and not needed.
    let body =
        r#"{"ref": "refs/heads/main", "commits": [{"modified": ["content/posts/second.md"]}]}"#;
    let sign = |body: &str| {
        use hmac::Mac;
        let mut mac =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(b"It's a Secret to Everybody").unwrap();
        mac.update(body.as_bytes());
        let tag: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("sha256={tag}")
    };
    let request = |signature: String, delivery: &str| {
        Request::post("/api/revalidate")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-hub-signature-256", signature)
            .header("x-github-delivery", delivery)
            .body(Body::from(body))
            .unwrap()
    };
    let forged = send(&s.app, request(sign("other body"), "d-1")).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    let answer = send(&s.app, request(sign(body), "d-1")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(
        answer
            .body
            .contains(r#""path":"/posts/second/","outcome":"rendered""#),
        "{}",
        answer.body
    );
    assert!(get(&s.app, "/posts/second/")
        .await
        .body
        .contains("Pushed to GitHub."));
    let replay = send(&s.app, request(sign(body), "d-1")).await;
    assert!(replay.body.contains("\"replayed\":true"));
}

/// Whether `path` is a symbolic link.
fn is_link(path: &Path) -> bool {
    path.symlink_metadata()
        .is_ok_and(|meta| meta.file_type().is_symlink())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dev_site_folder_mirrors_the_served_pages() {
    use atoll::dev::{SiteWriter, WriteReport};
    let content = content();
    let s = server(content.path());
    let public = TempDir::new().unwrap();
    std::fs::write(public.path().join("style.css"), "body{}").unwrap();
    std::fs::create_dir(public.path().join("images")).unwrap();
    std::fs::write(public.path().join("images/a.svg"), "<svg/>").unwrap();
    let out = TempDir::new().unwrap();
    let site = out.path().join("site");
    // Left over from an earlier run (marked): removed by the first write.
    std::fs::create_dir_all(site.join("posts/gone")).unwrap();
    std::fs::write(site.join("posts/gone/index.html"), "old").unwrap();
    // A folder that is not a dev site is refused.
    let err = SiteWriter::open(public.path().to_owned(), public.path().to_owned()).unwrap_err();
    assert!(err.to_string().contains("refusing"), "{err}");
    std::fs::write(site.join(atoll::dev::MARKER), "").unwrap();
    // The folder Trunk serves: top-level entries are linked into it.
    let www = out.path().join("www");
    std::fs::create_dir(&www).unwrap();
    let mut writer = SiteWriter::open(site.clone(), public.path().to_owned())
        .unwrap()
        .link_into(www.clone());

    let first = writer.write(&s.state).unwrap();
    assert_eq!(first.removed, vec![PathBuf::from("posts/gone/index.html")]);
    assert!(!site.join("posts/gone").exists());
    let post = std::fs::read_to_string(site.join("posts/second/index.html")).unwrap();
    assert!(post.contains("Second post"));
    assert!(post.contains("<script type=\"module\" src=\"/api/_atoll/dev.js\"></script></body>"));
    for file in [
        "index.html",
        "404.html",
        "atom.xml",
        "sitemap.xml",
        "robots.txt",
    ] {
        assert!(site.join(file).is_file(), "{file}");
    }
    for name in ["index.html", "posts", "old", "style.css"] {
        assert_eq!(std::fs::read_link(www.join(name)).unwrap(), site.join(name));
    }
    assert!(!www.join(atoll::dev::MARKER).exists());
    assert!(!std::fs::read_to_string(site.join("atom.xml"))
        .unwrap()
        .contains("dev.js"));
    let alias = std::fs::read_to_string(site.join("old/second/index.html")).unwrap();
    assert!(alias.contains("url=/posts/second/"), "{alias}");
    for name in ["style.css", "images"] {
        assert!(is_link(&site.join(name)), "{name}");
        assert_eq!(
            std::fs::read_link(site.join(name)).unwrap(),
            public.path().join(name)
        );
    }
    assert_eq!(
        std::fs::read_to_string(site.join("images/a.svg")).unwrap(),
        "<svg/>"
    );

    // Nothing changed: nothing written.
    assert_eq!(writer.write(&s.state).unwrap(), WriteReport::default());

    // An edit rewrites the pages that show it, not the others.
    edit(
        content.path(),
        "posts/second.md",
        "title = \"Second post\"",
        "title = \"Second post, edited\"",
    );
    s.state
        .revalidate_on_demand(Vec::new(), Vec::new())
        .await
        .unwrap()
        .unwrap();
    let edited = writer.write(&s.state).unwrap();
    assert!(edited
        .written
        .contains(&PathBuf::from("posts/second/index.html")));
    assert!(edited.written.len() < first.written.len() / 2, "{edited:?}");
    assert!(edited.removed.is_empty());
    assert!(
        std::fs::read_to_string(site.join("posts/second/index.html"))
            .unwrap()
            .contains("Second post, edited")
    );

    // A post added: its page is rendered (not only at its first request) and written.
    std::fs::write(
        content.path().join("posts/third.md"),
        "+++\ntitle = \"Third post\"\ndate = 2025-03-01T09:00:00Z\n+++\nNew.\n",
    )
    .unwrap();
    atoll::dev::render_changes(&s.state).await.unwrap();
    let added = writer.write(&s.state).unwrap();
    assert!(added
        .written
        .contains(&PathBuf::from("posts/third/index.html")));
    assert!(site.join("posts/third/index.html").is_file());

    // A deleted post takes its page and its alias with it.
    std::fs::remove_file(content.path().join("posts/second.md")).unwrap();
    s.state
        .revalidate_on_demand(Vec::new(), Vec::new())
        .await
        .unwrap()
        .unwrap();
    let removed = writer.write(&s.state).unwrap();
    assert!(removed
        .removed
        .contains(&PathBuf::from("posts/second/index.html")));
    assert!(removed
        .removed
        .contains(&PathBuf::from("old/second/index.html")));
    assert!(!site.join("posts/second").exists());
    assert!(!site.join("old").exists());
    assert!(!is_link(&www.join("old")));
    assert!(is_link(&www.join("posts")));
    assert!(site.join(atoll::dev::MARKER).is_file());
    // No temporary file is left behind.
    let leftovers: Vec<_> = walkdir::WalkDir::new(&site)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".atoll-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Issue 16, item 6: a webhook whose reload fails names the broken file site-relative;
/// the content folder's absolute path is only in the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_reload_names_the_file_without_the_server_path() {
    let content = content();
    let s = server(content.path());
    edit(
        content.path(),
        "posts/hello-leptos.md",
        "title: Hello, Leptos",
        "title: [unclosed",
    );
    let body = r#"{"paths": ["/posts/hello-leptos/"]}"#;
    let answer = send(&s.app, webhook(SECRET, "msg_broken", now(&s), body, body)).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    let error = json["error"].as_str().unwrap();
    assert!(error.contains("posts/hello-leptos.md:"), "{error}");
    let dir = content.path().display().to_string();
    let canonical = content.path().canonicalize().unwrap().display().to_string();
    assert!(
        !error.contains(&dir) && !error.contains(&canonical),
        "{error}"
    );
    assert_eq!(answer.headers[header::CACHE_CONTROL], atoll::NO_STORE);
}

/// Issue 16, item 7: a validly signed webhook of 1 MiB + 1 byte gets its 413 over a
/// real connection: the server reads the rest of the body instead of closing on the
/// client while it is still sending.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_webhook_gets_its_413() {
    use std::io::{Read, Write};
    let content = content();
    let s = server(content.path());
    let (base, _task) = listen(s.state.clone()).await;
    let addr = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let body = format!(
        "{{\"paths\": [\"/{}\"]}}",
        "a".repeat(WEBHOOK_MAX_BODY + 1 - 16)
    );
    assert_eq!(body.len(), WEBHOOK_MAX_BODY + 1);
    let key = atoll::webhook::decode_secret(SECRET).unwrap();
    let signed = signed_headers(&key, "msg_big", now(&s), body.as_bytes());
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut head = format!(
            "POST /api/revalidate HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (name, value) in signed {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).expect("headers sent");
        // A client on a slow link: the server has judged the headers before the body
        // arrives (the case where closing early loses the answer).
        std::thread::sleep(Duration::from_millis(300));
        for chunk in body.as_bytes().chunks(16 * 1024) {
            stream
                .write_all(chunk)
                .expect("the server reads the whole body");
        }
        let mut answer = Vec::new();
        let mut buf = [0u8; 4096];
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).expect("an answer");
            assert!(n > 0, "connection closed before an answer");
            answer.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

/// Every page names what it shows in `Cache-Tag` and `Surrogate-Key` (the same tags,
/// comma- and space-separated), and revalidating a tag re-renders exactly the pages
/// that carry it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_cache_tags_and_revalidation_by_tag_reaches_them() {
    let content = content();
    let s = server(content.path());
    let tags_of = |response: &Answer| -> Vec<String> {
        let cache_tag = response.headers["cache-tag"].to_str().unwrap().to_owned();
        let surrogate = response.headers["surrogate-key"].to_str().unwrap();
        assert_eq!(surrogate, cache_tag.replace(',', " "));
        cache_tag.split(',').map(str::to_owned).collect()
    };
    let post = tags_of(&get(&s.app, "/posts/second/").await);
    assert_eq!(
        post[..2],
        ["url:/posts/second/", "post:second"],
        "its URL, then its own entry first: {post:?}"
    );
    for tag in ["all", "post:hello-leptos", "tag:toml"] {
        assert!(post.contains(&tag.to_owned()), "{tag} in {post:?}");
    }
    assert!(!post.contains(&"posts".to_owned()), "a post is not a list");
    let blog = tags_of(&get(&s.app, "/posts/").await);
    for tag in ["all", "posts", "post:second", "post:hello-leptos"] {
        assert!(blog.contains(&tag.to_owned()), "{tag} in {blog:?}");
    }
    let tag_page = tags_of(&get(&s.app, "/tags/toml/").await);
    assert_eq!(tag_page[..3], ["url:/tags/toml/", "tag:toml", "all"]);
    assert!(tag_page.contains(&"post:second".to_owned()));
    assert!(!tag_page.contains(&"post:hello-leptos".to_owned()));
    let feed = tags_of(&get(&s.app, "/atom.xml").await);
    assert!(feed.contains(&"post:second".to_owned()), "{feed:?}");
    assert_eq!(
        tags_of(&get(&s.app, "/search/").await),
        ["url:/search/", "all"]
    );
    assert_eq!(
        tags_of(&get(&s.app, "/status/").await),
        ["url:/status/", "all"]
    );

    // Every pre-rendered page that carries `post:second` is rendered again, and no other.
    let mut carrying = Vec::new();
    for path in [
        "/",
        "/posts/",
        "/posts/second/",
        POST,
        "/tags/",
        "/tags/toml/",
        "/tags/leptos/",
        "/atom.xml",
        "/search/",
    ] {
        if tags_of(&get(&s.app, path).await).contains(&"post:second".to_owned()) {
            carrying.push(path);
        }
    }
    let body = r#"{"tags": ["post:second"]}"#;
    let answer = send(&s.app, webhook(SECRET, "msg_tags", now(&s), body, body)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    let rendered: Vec<&str> = json["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    for path in &carrying {
        assert!(rendered.contains(path), "{path} in {rendered:?}");
    }
    for path in ["/search/", "/tags/leptos/"] {
        assert!(
            !rendered.contains(&path),
            "{path} does not show the post: {rendered:?}"
        );
    }
}

/// `atoll serve` runs the export's alias checks: it does not start on a site whose alias
/// hides a page, and a reload that brings one in keeps the last good content.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_refuses_an_alias_that_export_refuses() {
    let content = content();
    let s = server(content.path());
    edit(
        content.path(),
        "posts/second.md",
        r#"aliases = ["/old/second/"]"#,
        r#"aliases = ["/posts/hello-leptos/"]"#,
    );
    let source = ContentSource::Files {
        dir: content.path().to_owned(),
        options: LoadOptions::default(),
    };
    let refused = format!("{:#}", futures_load(&source).unwrap_err());
    assert!(
        refused.contains("the alias /posts/hello-leptos/ of /posts/second/ is the URL of a page"),
        "{refused}"
    );
    // The running server: the reload fails, the page stays.
    let body = r#"{"paths": ["/posts/second/"]}"#;
    let answer = send(&s.app, webhook(SECRET, "msg_alias", now(&s), body, body)).await;
    assert_eq!(
        answer.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains("is the URL of a page"),
        "{}",
        answer.body
    );
    let post = get(&s.app, POST).await;
    assert_eq!(post.status, StatusCode::OK);
    assert!(post.body.contains("Leptos renders this page"));
}
