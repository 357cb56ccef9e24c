//! Precompressed siblings (`file.br`, `file.gz`) of text files, for hosts and servers
//! that serve them as is (nginx `gzip_static`/`brotli_static`, Caddy `precompressed`,
//! `atoll serve`).

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
const BROTLI_FAST: u8 = 2;
const BROTLI_BEST: u8 = 11;
/// gzip levels for HTML (libdeflate's level 1 gives 23% fewer bytes than zlib's level 1
/// on the benchmark's pages, in less time) and for fingerprinted assets.
const GZIP_FAST: i32 = 1;
const GZIP_BEST: i32 = 9;

/// Brotli window (log2 bytes): the smallest that holds the file, at least 2^18 (smaller
/// windows select slower code paths in the encoder), at most 2^22. The encoder's setup
/// cost grows with the window: 0.18 ms at 2^18 against 0.51 ms at 2^22 for an 8 KB page.
fn window(len: usize) -> u8 {
    let bits = usize::BITS - len.max(1).leading_zeros();
    bits.clamp(18, 22) as u8
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
    (gunzip(&gz, bytes.len())?.as_slice() == bytes).then_some((br, gz))
}

/// The gzip member `gz` decompressed, if it holds exactly `len` bytes.
fn gunzip(gz: &[u8], len: usize) -> Option<Vec<u8>> {
    let mut plain = vec![0; len];
    let n = libdeflater::Decompressor::new()
        .gzip_decompress(gz, &mut plain)
        .ok()?;
    (n == len).then_some(plain)
}

thread_local! {
    /// libdeflate compressors (fast, best) of this thread: each holds ~1 MB of match
    /// tables, so they are made once per worker rather than once per file.
    static GZIP: std::cell::RefCell<[Option<libdeflater::Compressor>; 2]> =
        const { std::cell::RefCell::new([None, None]) };
}

/// Brotli (RFC 7932) and gzip (RFC 1952) encodings of `bytes`. `best` selects maximum
/// compression (for immutable assets).
///
/// Brotli comes from Google's C encoder (`brotlic`) at quality 2: 1.5 times as fast as
/// the Rust port on 8 KB pages, byte for byte the same output; at quality 11 the Rust
/// port (`brotli`) is the faster of the two (0.5 s against 0.65 s for the 1 MB islands
/// module). gzip comes from libdeflate.
pub fn compress(bytes: &[u8], best: bool) -> (Vec<u8>, Vec<u8>) {
    let br = if best {
        let params = brotli::enc::BrotliEncoderParams {
            quality: i32::from(BROTLI_BEST),
            lgwin: i32::from(window(bytes.len())),
            size_hint: bytes.len(),
            ..Default::default()
        };
        let mut br = Vec::with_capacity(bytes.len() / 3);
        let mut input = bytes;
        brotli::BrotliCompress(&mut input, &mut br, &params).expect("writing to a Vec cannot fail");
        br
    } else {
        let quality = brotlic::Quality::new(BROTLI_FAST).expect("a valid quality");
        let window = brotlic::WindowSize::new(window(bytes.len())).expect("a valid window");
        let bound = brotlic::compress_bound(bytes.len(), quality).expect("quality 2 has a bound");
        let mut br = vec![0; bound];
        let n = brotlic::compress(
            bytes,
            &mut br,
            quality,
            window,
            brotlic::CompressionMode::Generic,
        )
        .expect("the output has the encoder's bound");
        br.truncate(n);
        br
    };
    let gz = GZIP.with(|cell| {
        let mut compressors = cell.borrow_mut();
        let (slot, level) = if best { (1, GZIP_BEST) } else { (0, GZIP_FAST) };
        let compressor = compressors[slot].get_or_insert_with(|| {
            libdeflater::Compressor::new(
                libdeflater::CompressionLvl::new(level).expect("a valid level"),
            )
        });
        let mut gz = vec![0; compressor.gzip_compress_bound(bytes.len())];
        let n = compressor
            .gzip_compress(bytes, &mut gz)
            .expect("the output has the compressor's bound");
        gz.truncate(n);
        gz
    });
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
            assert_eq!(gunzip(&gz, text.len()).unwrap(), text.as_bytes());
            assert!(br.len() < text.len() / 10);
        }
        assert!(is_compressible("a/index.html", 1000));
        assert!(!is_compressible("a/index.html", 10));
        assert!(!is_compressible("img/a.png", 100_000));
    }
}
