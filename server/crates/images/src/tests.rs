use super::*;

/// A 1000×600 photo-like JPEG (gradients and a disc), made with the `image` crate.
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        let (cx, cy) = (width as f32 * 0.7, height as f32 * 0.3);
        let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
        if d < height as f32 / 6.0 {
            image::Rgb([250, 220, 120])
        } else {
            image::Rgb([(x * 255 / width) as u8, 120, (y * 255 / height) as u8])
        }
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .unwrap();
    out
}

/// `jpeg` with an EXIF segment: Orientation 6 (rotate 90° clockwise to display) and a
/// GPS latitude reference, as a phone writes them.
fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    let mut tiff: Vec<u8> = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    tiff.extend([0, 2]); // IFD0: two entries
    tiff.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]); // Orientation = 6
    tiff.extend([0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38]); // GPS IFD at 38
    tiff.extend([0, 0, 0, 0]);
    tiff.extend([0, 1]); // GPS IFD: one entry
    tiff.extend([0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]); // GPSLatitudeRef = "N"
    tiff.extend([0, 0, 0, 0]);
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend(&tiff);
    let plain = jpeg(width, height);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(&app1);
    out.extend(&plain[2..]);
    out
}

fn settings() -> ImageSettings {
    ImageSettings {
        widths: vec![480, 800, 1200],
        ..ImageSettings::default()
    }
}

#[test]
fn probing_reads_the_size_with_the_orientation_applied() {
    let plain = Image::probe("/a/photo.jpg", &jpeg(1000, 600), u64::MAX)
        .unwrap()
        .unwrap();
    assert_eq!(
        (plain.width, plain.height, plain.format),
        (1000, 600, SourceFormat::Jpeg)
    );
    let turned = Image::probe("/a/phone.JPG", &jpeg_with_exif(1000, 600), u64::MAX)
        .unwrap()
        .unwrap();
    assert_eq!((turned.width, turned.height), (600, 1000));
    assert!(Image::probe("/a/notes.txt", b"text", u64::MAX)
        .unwrap()
        .is_none());
}

#[test]
fn svg_and_gif_are_published_as_they_are_with_their_size() {
    let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 480"><rect/></svg>"#;
    let image = Image::probe("/i/mug.svg", svg, 1).unwrap().unwrap();
    assert_eq!((image.width, image.height), (640, 480));
    let (info, variants) = image.plan(&settings(), "/i/mug.3f2a9c1b.svg");
    assert!(variants.is_empty());
    assert_eq!(info.src(), "/i/mug.3f2a9c1b.svg");
    assert!(info.sources.is_empty());
    let sized = br#"<svg width="120px" height="80" viewBox="0 0 10 10"></svg>"#;
    let image = Image::probe("/i/b.svg", sized, 1).unwrap().unwrap();
    assert_eq!((image.width, image.height), (120, 80));
    let err = Image::probe("/i/c.svg", b"<svg></svg>", 1).unwrap_err();
    assert!(err.to_string().starts_with("/i/c.svg: "), "{err}");

    let mut gif = Vec::new();
    image::codecs::gif::GifEncoder::new(&mut gif)
        .encode(&[0u8; 4 * 30 * 20], 30, 20, image::ExtendedColorType::Rgba8)
        .unwrap();
    let image = Image::probe("/i/spin.gif", &gif, 1).unwrap().unwrap();
    assert_eq!((image.width, image.height), (30, 20));
    assert!(image.plan(&settings(), "/i/spin.gif").1.is_empty());
}

#[test]
fn the_plan_names_variants_no_wider_than_the_original_in_each_format() {
    let bytes = jpeg(1000, 600);
    let image = Image::probe("/posts/x/photo.jpg", &bytes, u64::MAX)
        .unwrap()
        .unwrap();
    let (info, variants) = image.plan(&settings(), "/posts/x/photo.1234.jpg");
    let widths = |v: &[ImageVariant]| v.iter().map(|v| v.width).collect::<Vec<_>>();
    assert_eq!(widths(&info.fallback), [480, 800, 1000]);
    assert_eq!(info.sources.len(), 2);
    assert_eq!(info.sources[0].0, "image/avif");
    assert_eq!(info.sources[1].0, "image/webp");
    assert_eq!(widths(&info.sources[0].1), [480, 800, 1000]);
    assert_eq!(variants.len(), 9);
    assert!(info.src().starts_with("/_img/photo."), "{}", info.src());
    assert!(info.src().ends_with(".1000.jpg"), "{}", info.src());
    // Same bytes and settings: the same names; another quality: other names.
    assert_eq!(image.plan(&settings(), "").0, info);
    let other = ImageSettings {
        webp_quality: 60,
        ..settings()
    };
    let (changed, _) = image.plan(&other, "");
    assert_ne!(changed.sources[1], info.sources[1]);
    assert_eq!(
        changed.sources[0], info.sources[0],
        "AVIF names do not depend on WebP"
    );
    // A wide original stops at the widest setting; AVIF only above avif_min_bytes.
    let wide = Image::probe("/w.jpg", &jpeg(3000, 1000), u64::MAX)
        .unwrap()
        .unwrap();
    let (info, _) = wide.plan(
        &ImageSettings {
            avif_min_bytes: u64::MAX,
            ..settings()
        },
        "",
    );
    assert_eq!(widths(&info.fallback), [480, 800, 1200]);
    assert_eq!(info.sources.len(), 1);
    assert_eq!(info.sources[0].0, "image/webp");
    // Disabled: the original only.
    let (info, variants) = image.plan(
        &ImageSettings {
            enabled: false,
            ..settings()
        },
        "/posts/x/photo.1234.jpg",
    );
    assert!(variants.is_empty());
    assert_eq!(info.fallback.len(), 1);
}

#[test]
fn encoding_makes_each_variant_once_oriented_and_without_metadata() {
    let bytes = jpeg_with_exif(900, 500);
    let image = Image::probe("/p/phone.jpg", &bytes, u64::MAX)
        .unwrap()
        .unwrap();
    let small = ImageSettings {
        widths: vec![240, 800],
        ..settings()
    };
    let (info, variants) = image.plan(&small, "");
    assert_eq!(variants.len(), 6, "240 and 500 pixels, three formats");
    let dir = std::env::temp_dir().join(format!("atoll-images-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(encode(&image, &bytes, &variants, &dir).unwrap(), 6);
    for variant in &variants {
        let out = std::fs::read(dir.join(&variant.name)).unwrap();
        assert!(
            !out.windows(6).any(|w| w == b"Exif\0\0"),
            "{}: EXIF carried",
            variant.name
        );
        match variant.encoding {
            Encoding::Avif { .. } => assert_eq!(&out[4..12], b"ftypavif", "{}", variant.name),
            Encoding::Webp { .. } => {
                assert_eq!((&out[..4], &out[8..12]), (&b"RIFF"[..], &b"WEBP"[..]));
                // Lossy (VP8), not lossless (VP8L).
                assert_eq!(&out[12..16], b"VP8 ", "{}", variant.name);
            }
            _ => {}
        }
        if !matches!(variant.encoding, Encoding::Avif { .. }) {
            let decoded = image::load_from_memory(&out).unwrap();
            // Portrait: the EXIF rotation is applied to the pixels.
            assert_eq!(
                (decoded.width(), decoded.height()),
                (variant.width, variant.height)
            );
            assert!(decoded.height() > decoded.width());
        }
    }
    assert_eq!(info.fallback.last().unwrap().width, 500);
    // Everything is cached: nothing is encoded again.
    assert_eq!(encode(&image, &bytes, &variants, &dir).unwrap(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn animated_webp_and_png_are_recognised() {
    let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0".to_vec();
    webp.extend([0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert!(animated(SourceFormat::Webp, &webp));
    webp[20] = 0;
    assert!(!animated(SourceFormat::Webp, &webp));
    let apng = b"\x89PNG\r\n\x1a\n....IHDR........acTL....IDAT".to_vec();
    assert!(animated(SourceFormat::Png, &apng));
    let still = b"\x89PNG\r\n\x1a\n....IHDR........IDAT....acTL".to_vec();
    assert!(
        !animated(SourceFormat::Png, &still),
        "acTL after IDAT is not APNG"
    );
}

#[test]
fn bad_images_are_named_errors_not_panics() {
    let bytes = jpeg(400, 300);
    // Cut inside its header: no size to read. (A JPEG cut inside its scan data
    // decodes, the missing part grey, as browsers show it.)
    let err = Image::probe("/t.jpg", &bytes[..40], u64::MAX).unwrap_err();
    assert!(
        err.to_string().starts_with("/t.jpg: cannot read the image"),
        "{err}"
    );
    // An image whose pixels cannot be decoded: the encoder's caller gets the name.
    let dir = std::env::temp_dir().join(format!("atoll-images-bad-{}", std::process::id()));
    let image = Image::probe("/t.jpg", &bytes, u64::MAX).unwrap().unwrap();
    let (_, variants) = image.plan(&settings(), "");
    let err = encode(&image, b"GIF89a garbage", &variants, &dir).unwrap_err();
    assert!(
        err.to_string().starts_with("/t.jpg: cannot read the image"),
        "{err}"
    );
    let err = Image::probe("/c.png", b"\x89PNG\r\n\x1a\nnot a png", u64::MAX).unwrap_err();
    assert!(matches!(err, ImageError::Decode { .. }), "{err}");
    let err = Image::probe("/big.jpg", &bytes, 100_000).unwrap_err();
    assert!(
        err.to_string()
            .contains("400×300 pixels is more than max_pixels = 100000"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
