//! Image variants on the server: each content snapshot knows the site's images (their
//! size and variant names, as the export computes them: ISR pages name the same files),
//! and `GET /_img/<name>` answers a variant from the cache folder — encoding it on its
//! first request — with `immutable` caching, like other fingerprinted files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use app::Site;
use atoll_images::{Image, Variant};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::Digest;

/// `Cache-Control` of a variant: its name carries its content's hash.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The variants of one snapshot's images, by file name.
#[derive(Debug, Default)]
pub struct ImageTable {
    variants: HashMap<String, (PathBuf, Image, Variant)>,
}

impl ImageTable {
    /// Number of variants the pages can name.
    pub fn len(&self) -> usize {
        self.variants.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.variants.is_empty()
    }
}

/// Probes the images of `public/` and of the page bundles, sets `site.images`, and
/// returns the table of their variants. An image that cannot be read is served as it
/// is, named in a warning.
pub fn plan(site: &mut Site, public: &Path) -> ImageTable {
    let settings = site.config.images.clone();
    let mut files: Vec<(String, PathBuf)> = site
        .bundle_files
        .iter()
        .filter(|(url, _)| atoll_images::SourceFormat::of(url).is_some())
        .map(|(url, path)| (url.clone(), path.clone()))
        .collect();
    if public.is_dir() {
        for entry in walkdir::WalkDir::new(public)
            .into_iter()
            .filter_map(Result::ok)
        {
            let relative = entry.path().strip_prefix(public).unwrap_or(entry.path());
            let url = format!("/{}", relative.to_string_lossy().replace('\\', "/"));
            if entry.file_type().is_file() && atoll_images::SourceFormat::of(&url).is_some() {
                files.push((url, entry.path().to_owned()));
            }
        }
    }
    let mut table = ImageTable::default();
    for (url, path) in files {
        let probed = std::fs::read(&path)
            .map_err(|err| format!("{}: {err}", path.display()))
            .and_then(|bytes| {
                Image::probe(&url, &bytes, settings.max_pixels).map_err(|err| err.to_string())
            });
        match probed {
            Ok(Some(image)) => {
                let (info, variants) = image.plan(&settings, &url);
                site.images.insert(url, info);
                for variant in variants {
                    table
                        .variants
                        .insert(variant.name.clone(), (path.clone(), image.clone(), variant));
                }
            }
            Ok(None) => {}
            Err(err) => tracing::warn!("{err}; served as it is"),
        }
    }
    table
}

/// The variant `name` from `cache` (`<cache dir>/images`), encoded first if the cache
/// lacks it; `None` for a name no image of the snapshot has.
pub async fn variant(table: &ImageTable, cache: PathBuf, name: &str) -> Option<Response> {
    let (source, image, variant) = table.variants.get(name)?.clone();
    let path = cache.join(&variant.name);
    if !path.is_file() {
        let encoded = tokio::task::spawn_blocking(move || {
            let bytes =
                std::fs::read(&source).map_err(|err| format!("{}: {err}", source.display()))?;
            // Changed since the snapshot named its variants: those names are not its.
            if format!("{:x}", sha2::Sha256::digest(&bytes)) != image.hash {
                return Err(format!(
                    "{} changed since the content was loaded; a reload gives it new names",
                    source.display()
                ));
            }
            atoll_images::encode(&image, &bytes, std::slice::from_ref(&variant), &cache)
                .map_err(|err| err.to_string())
        })
        .await
        .map_err(|err| err.to_string())
        .and_then(|result| result);
        if let Err(err) = encoded {
            tracing::error!("image variant {name}: {err}");
            return Some(
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    [(header::CONTENT_TYPE, "application/json")],
                    serde_json::json!({ "error": format!("cannot make the image variant {name}") })
                        .to_string(),
                )
                    .into_response(),
            );
        }
    }
    let bytes = tokio::fs::read(&path).await.ok()?;
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    Some(
        (
            [
                (header::CONTENT_TYPE, mime.essence_str().to_owned()),
                (header::CACHE_CONTROL, IMMUTABLE.to_owned()),
            ],
            bytes,
        )
            .into_response(),
    )
}
