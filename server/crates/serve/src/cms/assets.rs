//! The images a CMS references, fetched so that an export is self-contained: each
//! absolute `http(s)` image URL in a post's body (`<img src>`), its `extra.image` and a
//! product's images is downloaded once into the asset cache
//! (`<cache>/cms-assets/<sha256 of the URL, 16 hex>.<ext>`, with its `ETag` beside it in
//! `….etag`; a later fetch sends `If-None-Match` and a 304 keeps the file), published
//! at `/cms-assets/<name>` like a page bundle's file, and every reference is rewritten
//! to that URL. The export then makes their responsive variants as for any local
//! image. `atoll serve` references them at the CMS unless the settings say
//! `assets = "download"`.

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
        "jpg" | "jpeg" | "png" | "gif" | "webp" | "avif" | "svg"
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
        for text in urls {
            let Ok(url) = reqwest::Url::parse(&text) else {
                continue; // a site-relative path: already local
            };
            if !matches!(url.scheme(), "http" | "https") {
                continue;
            }
            let Some(ext) = image_extension(&url) else {
                continue;
            };
            let hash = format!("{:x}", Sha256::digest(text.as_bytes()));
            let name = format!("{}.{ext}", &hash[..16]);
            let file = dir.join(&name);
            self.download(&url, &file).await?;
            let published = format!("{ASSETS_URL}{name}");
            files.insert(published.clone(), file);
            local.insert(text, published);
        }
        if local.is_empty() {
            return Ok(files);
        }
        let rewrite = |html: &mut String| {
            for (remote, published) in &local {
                let escaped = remote.replace('&', "&amp;");
                if html.contains(&escaped) {
                    *html = html.replace(&escaped, published);
                }
            }
        };
        for post in &mut fetched.posts {
            rewrite(&mut post.html);
            if let Some(Value::String(image)) = post.extra.fields.get_mut("image") {
                if let Some(published) = local.get(image.as_str()) {
                    *image = published.clone();
                }
            }
        }
        for product in fetched.products.iter_mut().flatten() {
            rewrite(&mut product.html);
            for image in &mut product.images {
                if let Some(published) = local.get(image.as_str()) {
                    *image = published.clone();
                }
            }
        }
        Ok(files)
    }

    /// Fetches `url` into `file` unless the cached copy is still current (its `ETag`
    /// answered 304, or it has none: CMS asset URLs name one version).
    async fn download(&self, url: &reqwest::Url, file: &Path) -> Result<(), CmsError> {
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
        let mut request = self.client.get(url.clone());
        if let (true, Some(etag)) = (file.is_file(), &etag) {
            request = request.header(reqwest::header::IF_NONE_MATCH, etag.trim());
        }
        let response = request.send().await.map_err(|err| {
            CmsError::caused(format!("GET {url} (an image the CMS references)"), err)
        })?;
        if response.status() == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(());
        }
        if !response.status().is_success() {
            return Err(CmsError::msg(format!(
                "GET {url} (an image the CMS references): {}",
                response.status()
            )));
        }
        let new_etag = response
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response
            .bytes()
            .await
            .map_err(|err| CmsError::caused(format!("GET {url}: reading the image"), err))?;
        if bytes.len() > MAX_ASSET_BYTES {
            return Err(CmsError::msg(format!(
                "GET {url}: the image is {} bytes, over the limit of {MAX_ASSET_BYTES}",
                bytes.len()
            )));
        }
        let parent = file.parent().expect("a file in the asset folder");
        std::fs::create_dir_all(parent)
            .map_err(|err| CmsError::caused(format!("cannot create {}", parent.display()), err))?;
        // Written whole, then renamed: a cut download never leaves half an image.
        let partial = file.with_extension("partial");
        std::fs::write(&partial, &bytes)
            .and_then(|()| std::fs::rename(&partial, file))
            .map_err(|err| CmsError::caused(format!("cannot write {}", file.display()), err))?;
        match new_etag {
            Some(etag) => std::fs::write(&etag_file, etag),
            None => std::fs::remove_file(&etag_file).or(Ok(())),
        }
        .map_err(|err| CmsError::caused(format!("cannot write {}", etag_file.display()), err))?;
        Ok(())
    }
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
    }
}
