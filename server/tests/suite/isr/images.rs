//! Image variants served by `atoll serve`: the ISR page names them as the export does,
//! and `GET /_img/<name>` encodes a variant on its first request into the cache folder
//! and answers it `immutable`.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_photo_is_served_as_variants_encoded_on_first_request() {
    let content = content();
    let bundle = content.path().join("posts/photo");
    std::fs::create_dir_all(&bundle).unwrap();
    std::fs::copy(
        root().join("content/posts/responsive-images/hills.jpg"),
        bundle.join("hills.jpg"),
    )
    .unwrap();
    std::fs::write(
        bundle.join("index.md"),
        "---\ntitle: Photo\ndate: 2024-03-04\n---\n\n![Hills](hills.jpg)\n",
    )
    .unwrap();
    let cache = TempDir::new().unwrap();
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(START)));
    let source = ContentSource::Files {
        dir: content.path().to_owned(),
        options: LoadOptions::default(),
    };
    let s = server_with(
        source,
        Rendering {
            cache_dir: Some(cache.path().to_owned()),
            ..rendering(&clock)
        },
        clock,
    );
    let page = get(&s.app, "/posts/photo/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<picture>"), "{}", page.body);
    let start = page.body.find("/_img/hills.").expect("a variant URL");
    let avif = page.body[start..]
        .split(' ')
        .find(|url| url.ends_with(".800.avif"))
        .map(str::to_owned);
    let avif = match avif {
        Some(url) => url,
        None => page.body[start..]
            .split([' ', '"', ','])
            .find(|w| w.ends_with(".800.avif"))
            .expect("an 800-pixel AVIF candidate")
            .to_owned(),
    };
    let name = avif.trim_start_matches("/_img/");
    let cached = cache.path().join("images").join(name);
    assert!(
        !cached.exists(),
        "nothing is encoded before it is asked for"
    );

    let variant = get(&s.app, &avif).await;
    assert_eq!(variant.status, StatusCode::OK, "{}", variant.body);
    assert_eq!(variant.headers[header::CONTENT_TYPE], "image/avif");
    assert_eq!(
        variant.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let bytes = std::fs::read(&cached).expect("encoded into the cache folder");
    assert_eq!(&bytes[4..12], b"ftypavif");
    // The next request answers from the cache: the same file, untouched.
    let modified = std::fs::metadata(&cached).unwrap().modified().unwrap();
    assert_eq!(get(&s.app, &avif).await.status, StatusCode::OK);
    assert_eq!(
        std::fs::metadata(&cached).unwrap().modified().unwrap(),
        modified
    );
    // A name no image has is a 404.
    assert_eq!(
        get(&s.app, "/_img/hills.000000000000.800.avif")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
