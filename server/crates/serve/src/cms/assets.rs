//! The images a CMS references, fetched so that an export is self-contained: each
//! absolute `http(s)` image URL on the CMS' own hosts ([`super::vendors::Settings::asset_host_allowed`]:
//! its `url`, Contentful's `*.ctfassets.net`, `cdn.sanity.io`, `asset_hosts`) in a
//! post's body (`<img src>`), its `extra.image` and a product's images is downloaded
//! once into the asset cache
//! (`<cache>/cms-assets/<sha256 of the URL, 16 hex>.<ext>`, with its `ETag` beside it in
//! `….etag`; a later fetch sends `If-None-Match` and a 304 keeps the file), published
//! at `/cms-assets/<name>` like a page bundle's file, and every reference is rewritten
//! to that URL. The export then makes their responsive variants as for any local
//! image. `atoll serve` references them at the CMS unless the settings say
//! `assets = "download"`.
//!
//! What is published on the site's own origin is checked first: no redirects are
//! followed (a redirect could lead anywhere, an internal address included), the
//! `Content-Length` and the bytes read are capped at [`MAX_ASSET_BYTES`], and the bytes
//! must decode as the raster image their extension names (JPEG, PNG, GIF, WebP, AVIF;
//! SVG, which can carry script, stays at the CMS). An image that cannot be fetched
//! after 3 attempts, or fails a check, stays at its CMS URL, named in a warning.

use std::time::Duration;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::vendors::Fetched;
use super::CmsSource;
use crate::error::CmsError;

/// Where downloaded assets are published.
pub const ASSETS_URL: &str = "/cms-assets/";
/// The largest asset downloaded, in bytes (50 MiB).
pub const MAX_ASSET_BYTES: usize = 50 * 1024 * 1024;

/// The file extension of an image URL's path (`jpg`, `png`, …), lowercased, when it is
/// one Atoll publishes.
fn image_extension(url: &reqwest::Url) -> Option<String> {
    let name = url.path_segments()?.next_back()?;
    let (_, ext) = name.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    matches!(
        ext.as_str(),
        "jpg" | "jpeg" | "png" | "gif" | "webp" | "avif"
    )
    .then_some(ext)
}

/// The `src` values of a sanitized body's `<img>` tags.
fn img_sources(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<img") {
        rest = &rest[at + 4..];
        let tag_end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..tag_end];
        if let Some(start) = tag.find(" src=\"") {
            let value = &tag[start + 6..];
            if let Some(end) = value.find('"') {
                out.push(value[..end].replace("&amp;", "&"));
            }
        }
        rest = &rest[tag_end..];
    }
    out
}

impl CmsSource {
    /// Downloads the images `fetched` references into `dir` and rewrites the references
    /// to their published URLs; returns the published files (URL → file).
    ///
    /// # Errors
    /// An image that cannot be downloaded after the retries, or a file that cannot be
    /// written, naming the URL.
    pub(super) async fn localize_assets(
        &self,
        fetched: &mut Fetched,
        dir: &Path,
    ) -> Result<BTreeMap<String, PathBuf>, CmsError> {
        let mut urls = BTreeSet::new();
        for post in &fetched.posts {
            urls.extend(img_sources(&post.html));
            if let Some(Value::String(image)) = post.extra.fields.get("image") {
                urls.insert(image.clone());
            }
        }
        for product in fetched.products.iter().flatten() {
            urls.extend(img_sources(&product.html));
            urls.extend(product.images.iter().cloned());
        }
        let mut local: BTreeMap<String, String> = BTreeMap::new();
        let mut files = BTreeMap::new();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("atoll/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| CmsError::caused("cannot build the HTTP client", err))?;
        for text in urls {
            let Ok(url) = reqwest::Url::parse(&text) else {
                continue; // a site-relative path: already local
            };
            if !matches!(url.scheme(), "http" | "https") {
                continue;
            }
            let allowed = match (&self.settings, url.host_str()) {
                (Some(settings), Some(host)) => settings.asset_host_allowed(host),
                (None, Some(host)) => self.base.host_str() == Some(host),
                (_, None) => false,
            };
            let Some(ext) = image_extension(&url).filter(|_| allowed) else {
                continue; // another site's image, or not a raster image: left as it is
            };
            let hash = format!("{:x}", Sha256::digest(text.as_bytes()));
            let name = format!("{}.{ext}", &hash[..16]);
            let file = dir.join(&name);
            if let Err(error) = download(&client, &url, &file).await {
                fetched
                    .warnings
                    .insert(format!("{error}; the page keeps the image at the CMS"));
                continue;
            }
            let published = format!("{ASSETS_URL}{name}");
            files.insert(published.clone(), file);
            local.insert(text, published);
        }
        if local.is_empty() {
            return Ok(files);
        }
        for post in &mut fetched.posts {
            post.html = rewrite_sources(&post.html, &local);
            if let Some(Value::String(image)) = post.extra.fields.get_mut("image") {
                if let Some(published) = local.get(image.as_str()) {
                    *image = published.clone();
                }
            }
        }
        for product in fetched.products.iter_mut().flatten() {
            product.html = rewrite_sources(&product.html, &local);
            for image in &mut product.images {
                if let Some(published) = local.get(image.as_str()) {
                    *image = published.clone();
                }
            }
        }
        Ok(files)
    }
}

/// `html` with each `<img>`'s `src` that is exactly a key of `local` (after decoding
/// `&amp;`) replaced by its published URL; nothing else is touched.
fn rewrite_sources(html: &str, local: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<img") {
        let tag_end = rest[at..].find('>').map_or(rest.len(), |end| at + end);
        let tag = &rest[at..tag_end];
        out.push_str(&rest[..at]);
        match tag.find(" src=\"").and_then(|start| {
            let value_start = start + 6;
            let len = tag[value_start..].find('"')?;
            Some((value_start, value_start + len))
        }) {
            Some((from, to)) => match local.get(&tag[from..to].replace("&amp;", "&")) {
                Some(published) => {
                    out.push_str(&tag[..from]);
                    out.push_str(published);
                    out.push_str(&tag[to..]);
                }
                None => out.push_str(tag),
            },
            None => out.push_str(tag),
        }
        rest = &rest[tag_end..];
    }
    out.push_str(rest);
    out
}

/// Attempts per image (a network error, a 5xx or 429 is tried again).
const ATTEMPTS: u32 = 3;

/// Fetches `url` into `file` unless the cached copy is still current (its `ETag`
/// answered 304, or it has none: CMS asset URLs name one version), with the checks of
/// the module docs.
async fn download(client: &reqwest::Client, url: &reqwest::Url, file: &Path) -> Result<(), String> {
    let etag_file = file.with_extension(format!(
        "{}.etag",
        file.extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default()
    ));
    let etag = std::fs::read_to_string(&etag_file).ok();
    if file.is_file() && etag.is_none() {
        return Ok(());
    }
    let mut wait = Duration::from_millis(250);
    let mut attempt = 1;
    let response = loop {
        let mut request = client.get(url.clone());
        if let (true, Some(etag)) = (file.is_file(), &etag) {
            request = request.header(reqwest::header::IF_NONE_MATCH, etag.trim());
        }
        let outcome = request.send().await;
        let retry = match &outcome {
            Ok(response) => {
                response.status().is_server_error() || response.status().as_u16() == 429
            }
            Err(_) => true,
        };
        if !retry || attempt >= ATTEMPTS {
            break outcome
                .map_err(|err| format!("GET {url} (an image the CMS references): {err}"))?;
        }
        tokio::time::sleep(wait).await;
        wait *= 2;
        attempt += 1;
    };
    let status = response.status();
    if status == reqwest::StatusCode::NOT_MODIFIED {
        return Ok(());
    }
    if !status.is_success() {
        return Err(format!("GET {url} (an image the CMS references): {status}"));
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_ASSET_BYTES as u64)
    {
        return Err(format!(
            "GET {url}: the image is over {MAX_ASSET_BYTES} bytes"
        ));
    }
    let new_etag = response
        .headers()
        .get(reqwest::header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut bytes = Vec::new();
    let mut response = response;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|err| format!("GET {url}: reading the image: {err}"))?
    {
        if bytes.len() + chunk.len() > MAX_ASSET_BYTES {
            return Err(format!(
                "GET {url}: the image is over {MAX_ASSET_BYTES} bytes"
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    // Published on the site's origin: it must be the image its name says.
    match atoll_images::Image::probe(url.path(), &bytes, u64::MAX)
        .map(|image| image.map(|i| i.verify(&bytes)))
    {
        Ok(Some(Ok(()))) => {}
        _ => {
            return Err(format!(
                "GET {url}: the answer is not the image its name says"
            ))
        }
    }
    let parent = file.parent().expect("a file in the asset folder");
    std::fs::create_dir_all(parent)
        .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
    // Written whole, then renamed: a cut download never leaves half an image.
    let partial = file.with_extension("partial");
    std::fs::write(&partial, &bytes)
        .and_then(|()| std::fs::rename(&partial, file))
        .map_err(|err| format!("cannot write {}: {err}", file.display()))?;
    match new_etag {
        Some(etag) => std::fs::write(&etag_file, etag),
        None => std::fs::remove_file(&etag_file).or(Ok(())),
    }
    .map_err(|err| format!("cannot write {}: {err}", etag_file.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_sources_and_extensions() {
        let html = r#"<p>a</p><figure><img src="https://cdn.example/a.JPG?w=1&amp;h=2" alt="x"></figure><img alt="y" src="/local.png">"#;
        assert_eq!(
            img_sources(html),
            ["https://cdn.example/a.JPG?w=1&h=2", "/local.png"]
        );
        let url = reqwest::Url::parse("https://cdn.example/a.JPG?w=1&h=2").unwrap();
        assert_eq!(image_extension(&url).as_deref(), Some("jpg"));
        let page = reqwest::Url::parse("https://cdn.example/page").unwrap();
        assert_eq!(image_extension(&page), None);
        let svg = reqwest::Url::parse("https://cdn.example/logo.svg").unwrap();
        assert_eq!(
            image_extension(&svg),
            None,
            "SVG can carry script: left at the CMS"
        );
    }

    #[test]
    fn only_exact_sources_are_rewritten() {
        let mut local = BTreeMap::new();
        local.insert(
            "https://cdn.example/a.png".to_owned(),
            "/cms-assets/aaa.png".to_owned(),
        );
        local.insert(
            "https://cdn.example/a.png?w=800&h=1".to_owned(),
            "/cms-assets/bbb.png".to_owned(),
        );
        let html = r#"<img src="https://cdn.example/a.png?w=800&amp;h=1" alt="a"><a href="https://cdn.example/a.png">x</a><img src="https://cdn.example/a.png">"#;
        assert_eq!(
            rewrite_sources(html, &local),
            r#"<img src="/cms-assets/bbb.png" alt="a"><a href="https://cdn.example/a.png">x</a><img src="/cms-assets/aaa.png">"#
        );
    }
}
