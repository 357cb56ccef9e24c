//! The export's images: every image among the assets is probed (size, format) and
//! planned ([`atoll_images::Image::plan`]) before the pages render, so pages name their
//! variants; the variants the cache lacks are encoded while the pages render; then they
//! are published under `/_img/`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use app::ImageInfo;
use atoll_images::{Image, Variant};
use rayon::prelude::*;

use crate::assets::Asset;

/// The images of an export.
#[derive(Debug, Default)]
pub(crate) struct Images {
    /// By the original's URL, what pages show ([`app::Site::images`]).
    pub infos: HashMap<String, ImageInfo>,
    /// The images that have variants, with the index of their asset.
    work: Vec<(Image, usize, Vec<Variant>)>,
    /// Where variants are cached.
    cache: PathBuf,
}

/// The cache folder when the export is given none ([`atoll_images::default_cache_dir`]).
pub(crate) fn default_cache_dir() -> PathBuf {
    atoll_images::default_cache_dir()
}

impl Images {
    /// Probes and plans the images among `assets`. An image that cannot be read is
    /// published as it is, named in a warning.
    pub(crate) fn plan(assets: &[Asset], settings: &app::ImageSettings, cache_dir: &Path) -> Self {
        let cache = atoll_images::cache_folder(cache_dir);
        // The header is probed; an image whose variants are not all cached is decoded
        // whole too, so that one that cannot be is published as it is, named in a
        // warning, before pages name its variants.
        type Planned = (Image, ImageInfo, Vec<Variant>);
        let planned: Vec<(usize, Result<Option<Planned>, atoll_images::ImageError>)> = assets
            .par_iter()
            .enumerate()
            .filter(|(_, a)| !a.islands && atoll_images::SourceFormat::of(&a.url).is_some())
            .map(|(i, a)| {
                let plan = || {
                    let Some(image) = Image::probe(&a.url, &a.bytes, settings.max_pixels)? else {
                        return Ok(None);
                    };
                    let (info, variants) = image.plan(settings, &a.out_url);
                    if variants.iter().any(|v| !cache.join(&v.name).is_file()) {
                        image.verify(&a.bytes)?;
                    }
                    Ok(Some((image, info, variants)))
                };
                (i, plan())
            })
            .collect();
        let mut images = Images {
            cache,
            ..Images::default()
        };
        for (i, planned) in planned {
            match planned {
                Ok(Some((image, info, variants))) => {
                    images.infos.insert(assets[i].url.clone(), info);
                    if !variants.is_empty() {
                        images.work.push((image, i, variants));
                    }
                }
                Ok(None) => {}
                Err(err) => tracing::warn!("{err}; published as it is"),
            }
        }
        images
    }

    /// Every variant, deduplicated by name (two copies of one image share theirs).
    fn variants(&self) -> impl Iterator<Item = &Variant> {
        let mut seen = std::collections::HashSet::new();
        self.work
            .iter()
            .flat_map(|(_, _, variants)| variants)
            .filter(move |v| seen.insert(v.name.as_str()))
    }

    /// Encodes the variants the cache lacks, images in parallel; returns how many were
    /// encoded. An image that fails loses its variants: its pages would name missing
    /// files, so this is an error naming the image.
    pub(crate) fn encode(
        &self,
        assets: &[Asset],
        progress: &dyn crate::options::Progress,
    ) -> Result<usize, atoll_images::ImageError> {
        let cached = |v: &Variant| self.cache.join(&v.name).is_file();
        let total = self.variants().count();
        let missing = self.variants().filter(|v| !cached(v)).count();
        if missing == 0 {
            if total > 0 {
                tracing::info!(
                    "images: all {total} variants are in {}",
                    self.cache.display()
                );
            }
            return Ok(0);
        }
        let todo: Vec<_> = self
            .work
            .iter()
            .filter(|(_, _, variants)| !variants.iter().all(cached))
            .collect();
        tracing::info!(
            "images: {missing} of {total} variants of {} images to encode (the others are in {})",
            todo.len(),
            self.cache.display()
        );
        progress.images(todo.len() as u64);
        let done = AtomicUsize::new(0);
        todo.par_iter()
            .map(|(image, i, variants)| {
                let n = atoll_images::encode(image, &assets[*i].bytes, variants, &self.cache)?;
                done.fetch_add(n, Ordering::Relaxed);
                progress.image_done();
                Ok(n)
            })
            .collect::<Result<Vec<usize>, _>>()?;
        Ok(done.into_inner())
    }

    /// The variants as `(path relative to the output, cached file)`.
    pub(crate) fn files(&self) -> Vec<(String, PathBuf)> {
        self.variants()
            .map(|v| {
                (
                    format!(
                        "{}{}",
                        atoll_images::IMAGES_DIR.trim_start_matches('/'),
                        v.name
                    ),
                    self.cache.join(&v.name),
                )
            })
            .collect()
    }
}
