//! Time and bytes of each encoding on a folder of JPEG photos: the variants of the
//! default settings (480, 800, 1200, 1600 pixels) in AVIF, WebP and JPEG, one image at a
//! time on one thread, as `atoll export` encodes them (images in parallel).
//!
//!     cargo run --release -p atoll-images --example demo-photos -- --set /tmp/photos 50
//!     cargo run --release -p atoll-images --example encode-bench -- /tmp/photos

use std::time::{Duration, Instant};

use atoll_images::{encode, Encoding, Image};

fn main() {
    let dir = std::env::args().nth(1).expect("usage: encode-bench DIR");
    let settings = app::ImageSettings::default();
    let mut totals: std::collections::BTreeMap<&str, (Duration, u64, usize)> = Default::default();
    let (mut originals, mut count) = (0u64, 0);
    let cache = std::env::temp_dir().join(format!("atoll-encode-bench-{}", std::process::id()));
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        let url = format!("/{}", path.file_name().unwrap().to_string_lossy());
        let Ok(Some(image)) = Image::probe(&url, &bytes, settings.max_pixels) else {
            continue;
        };
        originals += bytes.len() as u64;
        count += 1;
        let (_, variants) = image.plan(&settings, &url);
        for variant in &variants {
            let started = Instant::now();
            encode(&image, &bytes, std::slice::from_ref(variant), &cache).unwrap();
            let took = started.elapsed();
            let size = std::fs::metadata(cache.join(&variant.name)).unwrap().len();
            let format = match variant.encoding {
                Encoding::Avif { .. } => "avif",
                Encoding::Webp { .. } => "webp",
                Encoding::Jpeg { .. } => "jpeg",
                Encoding::Png => "png",
            };
            let entry = totals.entry(format).or_default();
            entry.0 += took;
            entry.1 += size;
            entry.2 += 1;
        }
    }
    println!(
        "{count} photos, {:.1} MB of originals",
        originals as f64 / 1e6
    );
    println!("format  variants  encode time (decode + resize included)  bytes");
    for (format, (took, bytes, n)) in totals {
        println!(
            "{format:6} {n:9}  {:8.2} s ({:6.0} ms per variant)  {:8.1} KB ({:5.1} KB per variant)",
            took.as_secs_f64(),
            took.as_secs_f64() * 1000.0 / n as f64,
            bytes as f64 / 1e3,
            bytes as f64 / 1e3 / n as f64
        );
    }
    let _ = std::fs::remove_dir_all(&cache);
}
