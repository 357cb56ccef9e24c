//! Responsive images, shared by `atoll export` and `atoll serve`.
//!
//! 1. [`Image::probe`] reads an image's format and intrinsic size from its header (JPEG,
//!    PNG, WebP, GIF: the decoder's header only; SVG: the root element's `width`,
//!    `height` or `viewBox`), with its EXIF orientation applied to the size.
//! 2. [`Image::plan`] names the variants its pages reference — each of the site's
//!    [`ImageSettings::widths`] narrower than the original, plus the original's own
//!    width when it is narrower than the widest setting, in each modern format and in
//!    the original's — as `/_img/<stem>.<hash>.<width>.<ext>`, where `<hash>` covers the
//!    original's bytes and the settings of that format: the names are known before
//!    anything is encoded, and a changed image or setting gives new names (published
//!    `immutable`).
//! 3. [`encode`] makes the missing variants in the cache folder (`<cache>/images/`):
//!    decoded once with its orientation applied, resized (Lanczos3), encoded as AVIF
//!    (ravif), lossy WebP (libwebp), JPEG or PNG. Encoding writes no metadata: EXIF
//!    (GPS position included), XMP and ICC profiles of the original are not carried.
//!    An unchanged image with unchanged settings is never encoded twice.
//!
//! SVG and GIF (and every image when `[images] enabled = false`) are published as they
//! are, with their dimensions read. An image that cannot be read (corrupt, truncated,
//! an unsupported format, more than [`ImageSettings::max_pixels`]) is published as it
//! is, with a warning naming the file ([`ImageError`]).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use app::{ImageFormat, ImageInfo, ImageSettings, ImageVariant};
use image::{DynamicImage, ImageDecoder, ImageReader};
use sha2::{Digest, Sha256};

/// Where variants are published, and their folder in the cache (`<cache>/images/`).
pub use app::images::IMAGES_DIR;

/// Bumped when the resizing or encoding changes in a way that changes the bytes of a
/// variant: part of every variant's hash, so caches from older versions are not used.
const PIPELINE_VERSION: u32 = 1;

/// Counter of temporary file names (see [`encode`]).
static TEMP_FILES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Largest allocation one decode may make (bytes): a guard besides `max_pixels`.
const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;

/// What can go wrong with one image. Each names the file; none stops an export: the
/// image is then published as it is, with a warning.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The bytes are not an image Atoll can read (corrupt, truncated, or a format
    /// without a decoder here, such as AVIF or HEIC originals).
    #[error("{file}: cannot read the image: {message}")]
    Decode {
        /// The image's site URL or path.
        file: String,
        /// The decoder's message.
        message: String,
    },
    /// More pixels than `[images] max_pixels` allows.
    #[error("{file}: {width}×{height} pixels is more than max_pixels = {max} allows")]
    TooLarge {
        /// The image's site URL or path.
        file: String,
        /// Its width in pixels.
        width: u32,
        /// Its height in pixels.
        height: u32,
        /// The limit (pixels).
        max: u64,
    },
    /// A variant could not be encoded.
    #[error("{file}: cannot encode its {width}-pixel {format} variant: {message}")]
    Encode {
        /// The image's site URL or path.
        file: String,
        /// The variant's width in pixels.
        width: u32,
        /// `avif`, `webp`, `jpeg` or `png`.
        format: &'static str,
        /// The encoder's message.
        message: String,
    },
    /// The cache folder could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// The format of an original.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    /// JPEG (`.jpg`, `.jpeg`).
    Jpeg,
    /// PNG.
    Png,
    /// WebP.
    Webp,
    /// GIF (published as it is: animation).
    Gif,
    /// SVG (published as it is: vector).
    Svg,
}

impl SourceFormat {
    /// The format of a file by its extension (case-insensitive); `None` for files that
    /// are not images Atoll processes.
    pub fn of(path: &str) -> Option<SourceFormat> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "jpg" | "jpeg" => SourceFormat::Jpeg,
            "png" => SourceFormat::Png,
            "webp" => SourceFormat::Webp,
            "gif" => SourceFormat::Gif,
            "svg" => SourceFormat::Svg,
            _ => return None,
        })
    }

    /// Whether variants are made (raster formats other than GIF).
    fn resizable(self) -> bool {
        matches!(
            self,
            SourceFormat::Jpeg | SourceFormat::Png | SourceFormat::Webp
        )
    }

    fn extension(self) -> &'static str {
        match self {
            SourceFormat::Jpeg => "jpg",
            SourceFormat::Png => "png",
            SourceFormat::Webp => "webp",
            SourceFormat::Gif => "gif",
            SourceFormat::Svg => "svg",
        }
    }
}

/// The encoding of one variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// AVIF at a quality and ravif speed.
    Avif {
        /// 1–100.
        quality: u8,
    },
    /// Lossy WebP at a quality.
    Webp {
        /// 1–100.
        quality: u8,
    },
    /// JPEG at a quality.
    Jpeg {
        /// 1–100.
        quality: u8,
    },
    /// PNG (lossless).
    Png,
}

impl Encoding {
    fn name(self) -> &'static str {
        match self {
            Encoding::Avif { .. } => "avif",
            Encoding::Webp { .. } => "webp",
            Encoding::Jpeg { .. } => "jpeg",
            Encoding::Png => "png",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Encoding::Avif { .. } => "avif",
            Encoding::Webp { .. } => "webp",
            Encoding::Jpeg { .. } => "jpg",
            Encoding::Png => "png",
        }
    }
}

/// ravif's speed (1 slowest … 10 fastest): 8 encodes a 1,600-pixel photo in about a
/// second on one core with files within a few percent of speed 6 (measured in
/// BENCHMARKS.md).
const AVIF_SPEED: u8 = 8;

/// One variant to make: the file name in the cache and in `/_img/`, its width and
/// encoding.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Variant {
    /// File name (`photo.3f2a9c1b4d5e.800.avif`).
    pub name: String,
    /// Width in pixels (the height keeps the aspect ratio).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// How it is encoded.
    pub encoding: Encoding,
}

/// An image of the site: where its original is, what it is, and the variants its
/// pages reference.
#[derive(Clone, Debug)]
pub struct Image {
    /// The original's site URL (`/images/a.jpg`).
    pub url: String,
    /// Its format.
    pub format: SourceFormat,
    /// Width in pixels, orientation applied.
    pub width: u32,
    /// Height in pixels, orientation applied.
    pub height: u32,
    /// Size of the original in bytes.
    pub bytes: u64,
    /// Hex SHA-256 of the original.
    pub hash: String,
    /// An animated WebP or PNG (APNG): published as it is, like GIF (variants would
    /// keep only the first frame).
    pub animated: bool,
}

impl Image {
    /// Reads the format and size of the image at site URL `url` from its bytes.
    ///
    /// # Errors
    /// [`ImageError::Decode`] for bytes that are not a readable image of the format its
    /// name says; [`ImageError::TooLarge`] over `max_pixels`. `Ok(None)` for files
    /// that are not images (by extension).
    pub fn probe(url: &str, bytes: &[u8], max_pixels: u64) -> Result<Option<Image>, ImageError> {
        let Some(format) = SourceFormat::of(url) else {
            return Ok(None);
        };
        let decode_err = |message: String| ImageError::Decode {
            file: url.to_owned(),
            message,
        };
        let (width, height) = match format {
            SourceFormat::Svg => svg_size(bytes).ok_or_else(|| {
                decode_err("no width and height or viewBox on its <svg> element".to_owned())
            })?,
            _ => {
                let mut decoder = reader(bytes)
                    .and_then(|r| r.into_decoder().map_err(|e| e.to_string()))
                    .map_err(decode_err)?;
                let (w, h) = decoder.dimensions();
                let turned = matches!(
                    decoder
                        .orientation()
                        .unwrap_or(image::metadata::Orientation::NoTransforms),
                    image::metadata::Orientation::Rotate90
                        | image::metadata::Orientation::Rotate270
                        | image::metadata::Orientation::Rotate90FlipH
                        | image::metadata::Orientation::Rotate270FlipH
                );
                if turned {
                    (h, w)
                } else {
                    (w, h)
                }
            }
        };
        if width == 0 || height == 0 {
            return Err(decode_err("it has no pixels".to_owned()));
        }
        if format.resizable() && u64::from(width) * u64::from(height) > max_pixels {
            return Err(ImageError::TooLarge {
                file: url.to_owned(),
                width,
                height,
                max: max_pixels,
            });
        }
        Ok(Some(Image {
            url: url.to_owned(),
            format,
            width,
            height,
            bytes: bytes.len() as u64,
            hash: format!("{:x}", Sha256::digest(bytes)),
            animated: animated(format, bytes),
        }))
    }

    /// Decodes the whole image (not only its header): whether its variants can be made.
    ///
    /// # Errors
    /// [`ImageError::Decode`] naming the file.
    pub fn verify(&self, bytes: &[u8]) -> Result<(), ImageError> {
        decode(&self.url, bytes).map(drop)
    }

    /// The variants to make and what pages reference: `published` is the URL the
    /// original itself is published at (fingerprinted by the export), used when no
    /// variant is made (SVG, GIF, `enabled = false`).
    pub fn plan(&self, settings: &ImageSettings, published: &str) -> (ImageInfo, Vec<Variant>) {
        let original = ImageVariant {
            url: published.to_owned(),
            width: self.width,
        };
        if !settings.enabled || !self.format.resizable() || self.animated {
            let info = ImageInfo {
                width: self.width,
                height: self.height,
                fallback: vec![original],
                sources: Vec::new(),
            };
            return (info, Vec::new());
        }
        let widths = self.widths(settings);
        // Qualities outside 1–100 are clamped (encoders reject or panic on them).
        let settings = &ImageSettings {
            avif_quality: settings.avif_quality.clamp(1, 100),
            webp_quality: settings.webp_quality.clamp(1, 100),
            jpeg_quality: settings.jpeg_quality.clamp(1, 100),
            ..settings.clone()
        };
        let fallback = match self.format {
            SourceFormat::Png => Encoding::Png,
            SourceFormat::Webp => Encoding::Webp {
                quality: settings.webp_quality,
            },
            _ => Encoding::Jpeg {
                quality: settings.jpeg_quality,
            },
        };
        let mut modern: Vec<(ImageFormat, Encoding)> = Vec::new();
        for format in &settings.formats {
            let encoding = match format {
                ImageFormat::Avif if self.bytes >= settings.avif_min_bytes => Encoding::Avif {
                    quality: settings.avif_quality,
                },
                ImageFormat::Webp => Encoding::Webp {
                    quality: settings.webp_quality,
                },
                ImageFormat::Avif => continue,
            };
            if encoding != fallback && !modern.iter().any(|(f, _)| f == format) {
                modern.push((*format, encoding));
            }
        }
        let mut variants = Vec::new();
        let mut make = |encoding: Encoding| -> Vec<ImageVariant> {
            widths
                .iter()
                .map(|&width| {
                    let variant = self.variant(width, encoding);
                    let url = format!("{IMAGES_DIR}{}", variant.name);
                    variants.push(variant);
                    ImageVariant { url, width }
                })
                .collect()
        };
        let sources = modern
            .iter()
            .map(|(format, encoding)| (format.mime().to_owned(), make(*encoding)))
            .collect();
        let fallback = make(fallback);
        let info = ImageInfo {
            width: self.width,
            height: self.height,
            fallback,
            sources,
        };
        (info, variants)
    }

    /// The candidate widths: each setting narrower than the original, and the
    /// original's width when it is narrower than the widest setting (no variant is
    /// wider than the original).
    fn widths(&self, settings: &ImageSettings) -> Vec<u32> {
        let mut widths: Vec<u32> = settings
            .widths
            .iter()
            .copied()
            .filter(|&w| w > 0 && w < self.width)
            .collect();
        let widest = settings.widths.iter().copied().max().unwrap_or(self.width);
        if self.width <= widest || widths.is_empty() {
            widths.push(self.width);
        }
        widths.sort_unstable();
        widths.dedup();
        widths
    }

    fn variant(&self, width: u32, encoding: Encoding) -> Variant {
        let info = ImageInfo {
            width: self.width,
            height: self.height,
            fallback: Vec::new(),
            sources: Vec::new(),
        };
        let height = info.height_at(width);
        let mut hasher = Sha256::new();
        hasher.update(self.hash.as_bytes());
        hasher.update(format!("{PIPELINE_VERSION} {encoding:?} {AVIF_SPEED}").as_bytes());
        let hash = format!("{:x}", hasher.finalize());
        let stem = self
            .url
            .rsplit('/')
            .next()
            .and_then(|name| name.rsplit_once('.').map(|(stem, _)| stem))
            .unwrap_or("image");
        // Letters, digits, `-` and `_` only: a name in a `srcset` must not hold spaces
        // or commas, and needs no escaping in HTML or URLs.
        let stem: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        Variant {
            name: format!("{stem}.{}.{width}.{}", &hash[..12], encoding.extension()),
            width,
            height,
            encoding,
        }
    }

    /// The published format of an image published as it is (`svg`, `gif`).
    pub fn extension(&self) -> &'static str {
        self.format.extension()
    }
}

/// Whether a WebP (extended format with the animation flag, RIFF/VP8X) or a PNG (an
/// `acTL` chunk: APNG) is animated.
fn animated(format: SourceFormat, bytes: &[u8]) -> bool {
    match format {
        SourceFormat::Webp => {
            bytes.len() > 20 && &bytes[12..16] == b"VP8X" && bytes[20] & 0x02 != 0
        }
        SourceFormat::Png => {
            let idat = bytes
                .windows(4)
                .position(|w| w == b"IDAT")
                .unwrap_or(bytes.len());
            bytes[..idat].windows(4).any(|w| w == b"acTL")
        }
        _ => false,
    }
}

/// The cache folder when none is given: the user's (`$XDG_CACHE_HOME/atoll`, else
/// `~/.cache/atoll`), else `atoll-cache` in the temporary folder. Variants are named
/// by content and settings, so every site of a user can share it.
pub fn default_cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .map(|dir| dir.join("atoll"))
        .unwrap_or_else(|| std::env::temp_dir().join("atoll-cache"))
}

fn reader(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, String> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    Ok(reader)
}

/// Width and height of an SVG: its root element's `width` and `height` (in pixels,
/// or unitless), else its `viewBox`'s.
fn svg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "svg" => {
                let attr = |name: &str| {
                    e.try_get_attribute(name)
                        .ok()
                        .flatten()
                        .map(|a| a.value.into_owned())
                };
                let length = |value: Option<String>| {
                    let value = value?;
                    let number = value.trim().trim_end_matches("px");
                    number
                        .parse::<f64>()
                        .ok()
                        .filter(|n| *n > 0.0)
                        .map(|n| n.round() as u32)
                };
                if let (Some(w), Some(h)) = (length(attr("width")), length(attr("height"))) {
                    return Some((w, h));
                }
                let view_box = attr("viewBox")?;
                let numbers: Vec<f64> = view_box
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|s| !s.is_empty())
                    .filter_map(|s| s.parse().ok())
                    .collect();
                return match numbers[..] {
                    [_, _, w, h] if w > 0.0 && h > 0.0 => {
                        Some((w.round() as u32, h.round() as u32))
                    }
                    _ => None,
                };
            }
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// The cache folder of variants under a cache directory (`<cache>/images`).
pub fn cache_folder(cache_dir: &Path) -> PathBuf {
    cache_dir.join("images")
}

/// Makes each of `variants` of the image `image` (whose original is `bytes`) that
/// `cache` does not hold yet, one after the other; returns how many were encoded. Files are
/// written under a temporary name and renamed, so a variant in the cache is always
/// whole.
///
/// # Errors
/// [`ImageError::Decode`] when the original cannot be decoded, [`ImageError::Encode`]
/// when an encoder fails, [`ImageError::Io`] when the cache cannot be written.
pub fn encode(
    image: &Image,
    bytes: &[u8],
    variants: &[Variant],
    cache: &Path,
) -> Result<usize, ImageError> {
    let missing: Vec<&Variant> = variants
        .iter()
        .filter(|v| !cache.join(&v.name).is_file())
        .collect();
    if missing.is_empty() {
        return Ok(0);
    }
    std::fs::create_dir_all(cache).map_err(|source| ImageError::Io {
        path: cache.to_owned(),
        source,
    })?;
    let original = decode(&image.url, bytes)?;
    // One resize per width, shared by its formats. Sequential: callers encode images in
    // parallel, and a worker waiting inside a parallel step here would take up other
    // images meanwhile, each holding its decoded pixels (9.5 GB for blog.rust-lang.org's
    // 2,640 variants, and a stack overflow).
    let mut widths: Vec<(u32, u32)> = missing.iter().map(|v| (v.width, v.height)).collect();
    widths.sort_unstable();
    widths.dedup();
    let resized: Vec<((u32, u32), DynamicImage)> = widths
        .iter()
        .map(|&(w, h)| {
            let img = if (w, h) == (original.width(), original.height()) {
                original.clone()
            } else {
                original.resize_exact(w, h, image::imageops::FilterType::Lanczos3)
            };
            ((w, h), img)
        })
        .collect();
    missing
        .iter()
        .map(|variant| {
            let img = &resized
                .iter()
                .find(|(size, _)| *size == (variant.width, variant.height))
                .expect("every missing variant's size was resized")
                .1;
            let encoded =
                encode_one(img, variant.encoding).map_err(|message| ImageError::Encode {
                    file: image.url.clone(),
                    width: variant.width,
                    format: variant.encoding.name(),
                    message,
                })?;
            let path = cache.join(&variant.name);
            // Unique per write: two copies of one image (same variant names) may be
            // encoded at once, by this process or another sharing the cache.
            let temp = cache.join(format!(
                ".{}.{}-{}.tmp",
                variant.name,
                std::process::id(),
                TEMP_FILES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            ));
            std::fs::write(&temp, &encoded)
                .and_then(|()| std::fs::rename(&temp, &path))
                .map_err(|source| ImageError::Io { path, source })
        })
        .collect::<Result<Vec<()>, ImageError>>()
        .map(|done| done.len())
}

/// The original decoded, its EXIF orientation applied.
fn decode(file: &str, bytes: &[u8]) -> Result<DynamicImage, ImageError> {
    let err = |message: String| ImageError::Decode {
        file: file.to_owned(),
        message,
    };
    let mut decoder = reader(bytes)
        .and_then(|r| r.into_decoder().map_err(|e| e.to_string()))
        .map_err(err)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| err(e.to_string()))?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// One variant's bytes. No encoder here writes metadata (EXIF, XMP, ICC).
fn encode_one(img: &DynamicImage, encoding: Encoding) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    match encoding {
        Encoding::Avif { quality } => {
            let encoder = image::codecs::avif::AvifEncoder::new_with_speed_quality(
                &mut out, AVIF_SPEED, quality,
            )
            // Encoding runs in parallel with other variants and pages already.
            .with_num_threads(Some(1));
            if img.color().has_alpha() {
                img.to_rgba8().write_with_encoder(encoder)
            } else {
                img.to_rgb8().write_with_encoder(encoder)
            }
            .map_err(|e| e.to_string())?;
        }
        Encoding::Webp { quality } => {
            let (w, h) = (img.width(), img.height());
            let memory = if img.color().has_alpha() {
                let rgba = img.to_rgba8();
                webp::Encoder::from_rgba(&rgba, w, h).encode_simple(false, f32::from(quality))
            } else {
                let rgb = img.to_rgb8();
                webp::Encoder::from_rgb(&rgb, w, h).encode_simple(false, f32::from(quality))
            }
            .map_err(|e| format!("{e:?}"))?;
            out.extend_from_slice(&memory);
        }
        Encoding::Jpeg { quality } => {
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
            img.to_rgb8()
                .write_with_encoder(encoder)
                .map_err(|e| e.to_string())?;
        }
        Encoding::Png => {
            let encoder = image::codecs::png::PngEncoder::new_with_quality(
                &mut out,
                image::codecs::png::CompressionType::Default,
                image::codecs::png::FilterType::Adaptive,
            );
            img.write_with_encoder(encoder).map_err(|e| e.to_string())?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
