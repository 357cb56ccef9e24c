//! Precompressed siblings (`file.br`, `file.gz`) of text files, for hosts and servers
//! that serve them as is (nginx `gzip_static`/`brotli_static`, Caddy `precompressed`,
//! `atoll serve`).

use std::io::Write;

/// Extensions that get `.br` and `.gz` siblings: text formats, plus WebAssembly (which
/// compresses to about a third).
const COMPRESSIBLE: &[&str] = &[
    "html",
    "css",
    "js",
    "mjs",
    "json",
    "xml",
    "txt",
    "svg",
    "wasm",
    "map",
    "webmanifest",
];

/// Below this size (bytes) compression saves less than a network packet.
pub const MIN_SIZE: usize = 256;

/// Brotli quality for HTML and feeds (rewritten on every content change: fast) and for
/// fingerprinted assets (written once per version: smallest). Measured on an 8 KB page
/// of the benchmark corpus: quality 4 takes 0.18 ms for 2,885 bytes, quality 5 0.27 ms
/// for 2,688 bytes, quality 11 tens of ms.
const BROTLI_FAST: u32 = 2;
const BROTLI_BEST: u32 = 11;
/// gzip level for HTML (level 6, zlib's default, costs twice as long as 4 for 2% less).
const GZIP_FAST: u32 = 1;

/// Brotli window (log2 bytes): the smallest that holds the file, at least 2^18 (smaller
/// windows select slower code paths in the encoder), at most 2^22. The encoder's setup
/// cost grows with the window: 0.18 ms at 2^18 against 0.51 ms at 2^22 for an 8 KB page.
fn window(len: usize) -> i32 {
    let bits = usize::BITS - len.max(1).leading_zeros();
    bits.clamp(18, 22) as i32
}

/// Whether the file at this relative path gets compressed siblings.
pub fn is_compressible(path: &str, len: usize) -> bool {
    len >= MIN_SIZE
        && path
            .rsplit_once('.')
            .is_some_and(|(_, ext)| COMPRESSIBLE.contains(&ext))
}

/// The `.br` and `.gz` files beside `source` (written by `scripts/build-islands` at
/// maximum quality), when both decompress to exactly `bytes`: the export then copies
/// them instead of compressing the bundle again (brotli 11 takes about a second for
/// the two WASM modules). `None` when they are missing or stale.
pub fn prebuilt(source: &std::path::Path, bytes: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    use std::io::Read;
    let name = source.file_name()?.to_string_lossy().into_owned();
    let br = std::fs::read(source.with_file_name(format!("{name}.br"))).ok()?;
    let gz = std::fs::read(source.with_file_name(format!("{name}.gz"))).ok()?;
    let mut plain = Vec::with_capacity(bytes.len());
    brotli::Decompressor::new(br.as_slice(), 4096)
        .read_to_end(&mut plain)
        .ok()?;
    if plain != bytes {
        return None;
    }
    plain.clear();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_end(&mut plain)
        .ok()?;
    (plain == bytes).then_some((br, gz))
}

/// Brotli (RFC 7932) and gzip (RFC 1952) encodings of `bytes`. `best` selects maximum
/// compression (for immutable assets).
pub fn compress(bytes: &[u8], best: bool) -> (Vec<u8>, Vec<u8>) {
    let quality = if best { BROTLI_BEST } else { BROTLI_FAST };
    let mut br = Vec::with_capacity(bytes.len() / 3);
    {
        let params = brotli::enc::BrotliEncoderParams {
            quality: quality as i32,
            lgwin: window(bytes.len()),
            size_hint: bytes.len(),
            ..Default::default()
        };
        let mut input = bytes;
        brotli::BrotliCompress(&mut input, &mut br, &params).expect("writing to a Vec cannot fail");
    }
    let level = if best { 9 } else { GZIP_FAST };
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::new(level),
    );
    gz.write_all(bytes).expect("writing to a Vec cannot fail");
    let gz = gz.finish().expect("writing to a Vec cannot fail");
    (br, gz)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn round_trips() {
        let text = "<p>hello hello hello</p>".repeat(100);
        for best in [false, true] {
            let (br, gz) = compress(text.as_bytes(), best);
            let mut out = Vec::new();
            brotli::Decompressor::new(&br[..], 4096)
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, text.as_bytes());
            let mut out = String::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_string(&mut out)
                .unwrap();
            assert_eq!(out, text);
            assert!(br.len() < text.len() / 10);
        }
        assert!(is_compressible("a/index.html", 1000));
        assert!(!is_compressible("a/index.html", 10));
        assert!(!is_compressible("img/a.png", 100_000));
    }
}
