//! Generates the demo site's photos (procedural landscapes: sky, sun, hills with a
//! grain of texture, so that encoders see photo-like detail). Licence-clean by
//! construction; the outputs are committed.
//!
//!     cargo run --release -p atoll-images --example demo-photos
//!
//! Writes content/posts/responsive-images/hills.jpg (2000×1333),
//! public/images/products/atoll-print.jpg (1200×1200) and
//! public/images/docs/lagoon.jpg (1600×1000). With `-- --set DIR N`, writes N photos
//! of 2400×1600 with other seeds into DIR instead (the corpus of the encoding benchmark,
//! `cargo run --release -p atoll-images --example encode-bench -- DIR`).

use image::{Rgb, RgbImage};

/// Deterministic value noise in 0..1.
fn hash(x: i64, y: i64, seed: u64) -> f32 {
    let mut h = (x as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (y as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ seed.wrapping_mul(0x1656_67B1_9E37_79F9);
    h ^= h >> 29;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 32;
    (h & 0xFFFF) as f32 / 65535.0
}

fn noise(x: f32, y: f32, seed: u64) -> f32 {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let (sx, sy) = (fx * fx * (3.0 - 2.0 * fx), fy * fy * (3.0 - 2.0 * fy));
    let (xi, yi) = (x0 as i64, y0 as i64);
    let a = hash(xi, yi, seed) + (hash(xi + 1, yi, seed) - hash(xi, yi, seed)) * sx;
    let b = hash(xi, yi + 1, seed) + (hash(xi + 1, yi + 1, seed) - hash(xi, yi + 1, seed)) * sx;
    a + (b - a) * sy
}

fn fbm(x: f32, y: f32, seed: u64) -> f32 {
    (0..5)
        .map(|o| {
            let f = (1 << o) as f32;
            noise(x * f, y * f, seed + o) / f
        })
        .sum::<f32>()
        / 1.94
}

fn mix(a: [f32; 3], b: [f32; 3], t: f32) -> [f32; 3] {
    [0, 1, 2].map(|i| a[i] + (b[i] - a[i]) * t.clamp(0.0, 1.0))
}

/// A landscape `w`×`h`: `sky` top and horizon colours, `land` near and far colours,
/// a sun at (`sun_x`, `sun_y`) (fractions), `water` below the horizon or not.
#[allow(clippy::too_many_arguments)]
fn landscape(
    w: u32,
    h: u32,
    seed: u64,
    sky: ([f32; 3], [f32; 3]),
    land: ([f32; 3], [f32; 3]),
    sun: (f32, f32),
    water: bool,
) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let (u, v) = (x as f32 / w as f32, y as f32 / h as f32);
        let mut c = mix(sky.0, sky.1, v / 0.6);
        // Clouds.
        let cloud = fbm(u * 6.0, v * 14.0, seed + 7);
        c = mix(
            c,
            [245.0, 245.0, 250.0],
            ((cloud - 0.55) * 3.0).max(0.0) * (1.0 - v),
        );
        let d = ((u - sun.0).powi(2) * (w as f32 / h as f32).powi(2) + (v - sun.1).powi(2)).sqrt();
        c = mix(
            c,
            [255.0, 236.0, 170.0],
            (0.09 - d).max(0.0) * 30.0 + (0.35 - d).max(0.0) * 0.6,
        );
        // Three ridges, far to near.
        for (i, base) in [0.52f32, 0.62, 0.74].iter().enumerate() {
            let ridge =
                base - fbm(u * (2.0 + i as f32 * 2.0), i as f32 * 3.1, seed + i as u64) * 0.18;
            if v > ridge {
                let t = i as f32 / 2.0;
                let col = mix(land.1, land.0, t);
                let grain = fbm(u * 80.0, v * 80.0, seed + 20 + i as u64) - 0.5;
                let shade = 1.0 - (v - ridge) * 0.6 + grain * 0.25;
                c = col.map(|k| k * shade);
                if water && i == 2 && v > 0.86 {
                    let ripple = (noise(u * 40.0, v * 300.0, seed + 3) - 0.5) * 0.2;
                    c = mix([40.0, 110.0, 140.0], sky.1, 0.3 + ripple);
                }
            }
        }
        let n = (hash(x as i64, y as i64, seed + 99) - 0.5) * 10.0;
        Rgb(c.map(|k| (k + n).clamp(0.0, 255.0) as u8))
    })
}

fn save(img: &RgbImage, path: &str) {
    std::fs::create_dir_all(std::path::Path::new(path).parent().unwrap()).unwrap();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88)
        .encode_image(img)
        .unwrap();
    std::fs::write(path, &out).unwrap();
    println!(
        "{path}: {}×{}, {} bytes",
        img.width(),
        img.height(),
        out.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, dir, n] = &args[..] {
        assert_eq!(flag, "--set", "usage: demo-photos [--set DIR N]");
        for i in 0..n.parse::<u64>().expect("a count") {
            let t = i as f32 / 50.0;
            let img = landscape(
                2400,
                1600,
                100 + i,
                (
                    [60.0 + 120.0 * t, 110.0, 200.0 - 60.0 * t],
                    [210.0, 215.0 - 40.0 * t, 230.0],
                ),
                (
                    [40.0 + 60.0 * t, 90.0, 45.0],
                    [120.0, 140.0 - 30.0 * t, 150.0],
                ),
                (0.1 + 0.8 * t, 0.15 + 0.2 * t),
                i % 2 == 0,
            );
            save(&img, &format!("{dir}/photo-{i:02}.jpg"));
        }
        return;
    }
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../..");
    std::env::set_current_dir(root).unwrap();
    save(
        &landscape(
            2000,
            1333,
            1,
            ([70.0, 120.0, 200.0], [200.0, 215.0, 235.0]),
            ([40.0, 90.0, 45.0], [120.0, 140.0, 150.0]),
            (0.72, 0.28),
            false,
        ),
        "content/posts/responsive-images/hills.jpg",
    );
    save(
        &landscape(
            1200,
            1200,
            2,
            ([250.0, 150.0, 90.0], [255.0, 210.0, 160.0]),
            ([70.0, 50.0, 60.0], [150.0, 110.0, 120.0]),
            (0.5, 0.45),
            true,
        ),
        "public/images/products/atoll-print.jpg",
    );
    save(
        &landscape(
            1600,
            1000,
            3,
            ([40.0, 150.0, 210.0], [190.0, 230.0, 240.0]),
            ([30.0, 120.0, 90.0], [90.0, 170.0, 160.0]),
            (0.2, 0.2),
            true,
        ),
        "public/images/docs/lagoon.jpg",
    );
}
