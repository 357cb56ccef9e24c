//! Responsive images in the export: the demo's photos become `<picture>`s whose
//! variants are published, sized and immutable; a second export with the same cache
//! encodes nothing; a corrupt image is published as it is with a warning.

use super::*;

fn demo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../content")
}

#[test]
fn the_demo_photos_are_published_as_sized_avif_webp_and_jpeg_variants_encoded_once() {
    let tmp = TempDir::new().unwrap();
    let islands = islands_dir(tmp.path());
    let cache = tmp.path().join("cache");
    let cache_arg = cache.to_str().unwrap().to_owned();
    let out = tmp.path().join("dist");
    let output = export_with(
        &demo(),
        &public(),
        &out,
        &islands,
        &["--cache-dir", &cache_arg],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let log = stderr(&output);
    let encoded = log
        .lines()
        .find(|l| l.contains("images to encode"))
        .unwrap_or_else(|| panic!("no image progress line: {log}"));
    assert!(
        encoded.contains("images: 33 of 33 variants of 3 images to encode"),
        "{encoded}"
    );
    // The progress lines (stderr is not a terminal here): when encoding starts, and
    // when the last image is done.
    assert!(
        log.contains("ms images (3 to encode, alongside the pages)")
            && log.contains("ms images encoded"),
        "{log}"
    );

    // The post bundle's 2000-pixel photo: AVIF, WebP and JPEG at 480…1600 pixels.
    let post = std::fs::read_to_string(out.join("posts/responsive-images/index.html")).unwrap();
    let doc = Html::parse_document(&post);
    let picture = doc
        .select(&Selector::parse(".prose picture").unwrap())
        .next()
        .unwrap_or_else(|| panic!("no <picture>: {post}"));
    let sources: Vec<(String, String)> = picture
        .select(&Selector::parse("source").unwrap())
        .map(|s| {
            let attr = |name| s.value().attr(name).unwrap_or_default().to_owned();
            (attr("type"), attr("srcset"))
        })
        .collect();
    assert_eq!(sources.len(), 2, "{post}");
    assert_eq!(sources[0].0, "image/avif");
    assert_eq!(sources[1].0, "image/webp");
    for (_, srcset) in &sources {
        let widths: Vec<&str> = srcset
            .split(", ")
            .map(|c| c.rsplit(' ').next().unwrap())
            .collect();
        assert_eq!(widths, ["480w", "800w", "1200w", "1600w"], "{srcset}");
    }
    let img = picture
        .select(&Selector::parse("img").unwrap())
        .next()
        .unwrap();
    let attr = |name| img.value().attr(name).unwrap_or_default();
    assert_eq!((attr("width"), attr("height")), ("1600", "1066"), "{post}");
    assert_eq!(
        attr("fetchpriority"),
        "high",
        "the first image of the page: {post}"
    );
    assert!(attr("src").starts_with("/_img/hills.") && attr("src").ends_with(".1600.jpg"));
    assert!(attr("alt").starts_with("Hills under a summer sky"));
    let variants = variants_of(&out, &post, "hills");
    assert_eq!(variants.len(), 12, "{variants:?}");
    for url in &variants {
        let bytes = std::fs::read(out.join(&url[1..])).unwrap();
        if url.ends_with(".avif") {
            assert_eq!(&bytes[4..12], b"ftypavif", "{url}");
        } else {
            let decoded = image::load_from_memory(&bytes).unwrap();
            let width: u32 = url.rsplit('.').nth(1).unwrap().parse().unwrap();
            assert_eq!(decoded.width(), width, "{url}");
        }
    }
    // A phone picks the 800-pixel AVIF: a small part of the 375 KB original.
    let avif_800 = variants.iter().find(|u| u.ends_with(".800.avif")).unwrap();
    let original = std::fs::metadata(demo().join("posts/responsive-images/hills.jpg")).unwrap();
    let small = std::fs::metadata(out.join(&avif_800[1..])).unwrap();
    assert!(
        small.len() * 10 < original.len(),
        "{} of {}",
        small.len(),
        original.len()
    );

    // The product photo on its page, in the list and as the Open Graph image.
    let product = std::fs::read_to_string(out.join("products/atoll-print/index.html")).unwrap();
    assert!(product.contains("og:image:width"), "{product}");
    assert_eq!(
        variants_of(&out, &product, "atoll-print").len(),
        9,
        "{product}"
    );
    let list = std::fs::read_to_string(out.join("products/index.html")).unwrap();
    assert!(
        !variants_of(&out, &list, "atoll-print").is_empty(),
        "{list}"
    );
    // The docs page's photo, from `public/`.
    let docs = std::fs::read_to_string(out.join("docs/content/images/index.html")).unwrap();
    assert_eq!(variants_of(&out, &docs, "lagoon").len(), 12, "{docs}");
    // The feed gives readers the widest JPEG variant (no metadata), not the original.
    let feed = std::fs::read_to_string(out.join("atom.xml")).unwrap();
    let jpeg = variants.iter().find(|u| u.ends_with(".1600.jpg")).unwrap();
    assert!(feed.contains(jpeg.as_str()), "{jpeg} not in the feed");
    // Immutable on a CDN.
    let headers = std::fs::read_to_string(out.join("_headers")).unwrap();
    assert!(
        headers.contains(
            "/_img/*\n  ! Cache-Control\n  Cache-Control: public, max-age=31536000, immutable"
        ),
        "{headers}"
    );

    // Another export with the same cache encodes nothing, and publishes the same files.
    let again = tmp.path().join("again");
    let output = export_with(
        &demo(),
        &public(),
        &again,
        &islands,
        &["--cache-dir", &cache_arg],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("images: all 33 variants are in"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read(out.join(&avif_800[1..])).unwrap(),
        std::fs::read(again.join(&avif_800[1..])).unwrap()
    );
}

#[test]
fn a_corrupt_image_is_published_as_it_is_with_a_warning() {
    let tmp = TempDir::new().unwrap();
    let content = tmp.path().join("content");
    std::fs::create_dir_all(content.join("posts")).unwrap();
    std::fs::write(
        content.join("site.toml"),
        "title = \"Images\"\nbase_url = \"https://example.com\"\n",
    )
    .unwrap();
    std::fs::write(
        content.join("posts/photo.md"),
        "---\ntitle: Photo\ndate: 2024-01-02\n---\n\n![A broken photo](/images/broken.jpg)\n\n![](/images/broken.jpg)\n\n![Cut short](/images/cut.png)\n",
    )
    .unwrap();
    let public = tmp.path().join("public");
    std::fs::create_dir_all(public.join("images")).unwrap();
    std::fs::write(
        public.join("images/broken.jpg"),
        b"\xFF\xD8\xFF\xE0 not really a JPEG",
    )
    .unwrap();
    // A PNG whose header is whole and whose pixels are cut off.
    let mut png = Vec::new();
    image::RgbImage::from_fn(300, 200, |x, y| {
        image::Rgb([x as u8, y as u8, (x ^ y) as u8])
    })
    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
    .unwrap();
    png.truncate(png.len() / 2);
    std::fs::write(public.join("images/cut.png"), &png).unwrap();
    let cache = tmp.path().join("cache");
    let out = tmp.path().join("dist");
    let output = export_with(
        &content,
        &public,
        &out,
        &islands_dir(tmp.path()),
        &["--cache-dir", cache.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let log = stderr(&output);
    assert!(
        log.contains("/images/broken.jpg: cannot read the image")
            && log.contains("published as it is"),
        "{log}"
    );
    assert!(
        log.contains("the image `/images/broken.jpg` has no alt text"),
        "{log}"
    );
    assert!(
        log.contains("/images/cut.png: cannot read the image"),
        "decoded whole before the pages render: {log}"
    );
    let page = std::fs::read_to_string(out.join("posts/photo/index.html")).unwrap();
    assert!(!page.contains("<picture>"), "{page}");
    let cut = fingerprinted(&out.join("images"), "cut.", ".png");
    assert!(page.contains(&format!("/images/{cut}")), "{page}");
    let broken = fingerprinted(&out.join("images"), "broken.", ".jpg");
    assert!(page.contains(&format!("/images/{broken}")), "{page}");
}
