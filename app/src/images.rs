//! Responsive images: what the export and the server know about each image of the site
//! (its intrinsic size and the variants published for it) and the `<picture>` markup
//! both emit for it — in Markdown bodies ([`responsive_body`]) and in page components
//! ([`ResponsiveImage`]), as Astro's `<Picture>` and Next.js' `next/image` do.
//!
//! The variants themselves (resized, re-encoded, metadata stripped) are made by the
//! `atoll-images` crate; their URLs are fixed by the original's bytes and the settings
//! (`/_img/<stem>.<hash>.<width>.<ext>`), so a page can name them before they exist.

use std::borrow::Cow;
use std::collections::HashMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Where the variants are published (one `_headers` rule makes them immutable).
pub const IMAGES_DIR: &str = "/_img/";

/// `sizes` of an image in a Markdown body: the text column (46rem less its padding),
/// the viewport's width less the padding on narrower screens.
pub const PROSE_SIZES: &str = "(min-width: 46rem) 43.5rem, calc(100vw - 2.5rem)";

/// One published file of an image: its URL and width in pixels (a `srcset` candidate
/// `url <width>w`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImageVariant {
    /// Site-relative URL (`/_img/photo.3f2a9c1b4d5e.800.avif`).
    pub url: String,
    /// Width in pixels.
    pub width: u32,
}

/// An image of the site, as `atoll_images::plan` describes it from the original's bytes
/// and the site's [`crate::ImageSettings`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImageInfo {
    /// Width of the original in pixels, after its EXIF orientation is applied.
    pub width: u32,
    /// Height of the original in pixels, after its EXIF orientation is applied.
    pub height: u32,
    /// Candidates in the original's format (re-encoded without metadata), narrowest
    /// first; the last, the widest, is the `<img src>`. An image that is published as
    /// it is (SVG, GIF, images disabled, or one that could not be decoded) has one: the
    /// original's own URL.
    pub fallback: Vec<ImageVariant>,
    /// Modern formats offered first, best first: (`image/avif`, candidates), …
    pub sources: Vec<(String, Vec<ImageVariant>)>,
}

impl ImageInfo {
    /// The `<img src>`: the widest fallback candidate.
    pub fn src(&self) -> &str {
        self.fallback.last().map_or("", |v| v.url.as_str())
    }

    /// The candidate in the original's format closest to `width` pixels without being
    /// narrower (the widest when none is that wide), for Open Graph and feeds.
    pub fn at_least(&self, width: u32) -> &ImageVariant {
        self.fallback
            .iter()
            .find(|v| v.width >= width)
            .or(self.fallback.last())
            .expect("an image has at least one fallback candidate")
    }

    /// Height in pixels of a variant `width` pixels wide (the aspect ratio kept,
    /// rounded as the resizer rounds it).
    pub fn height_at(&self, width: u32) -> u32 {
        if self.width == 0 {
            return self.height;
        }
        ((u64::from(self.height) * u64::from(width) + u64::from(self.width) / 2)
            / u64::from(self.width))
        .max(1) as u32
    }
}

/// An image as a page component shows it ([`crate::Site::image`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Image {
    /// The published URL of the original (fingerprinted by the export).
    pub src: String,
    /// Its size and variants, when the site knows it.
    pub info: Option<ImageInfo>,
}

/// How an image is loaded: the first image of a page is the likely Largest Contentful
/// Paint, fetched eagerly and first; the others wait until they near the viewport.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Loading {
    /// `loading="lazy" decoding="async"`.
    #[default]
    Lazy,
    /// `loading="eager" fetchpriority="high"`.
    Priority,
}

/// The attributes of one `<picture>`, besides the image itself.
#[derive(Clone, Debug, Default)]
pub struct PictureOptions<'a> {
    /// The `alt` text (empty for a decorative image).
    pub alt: &'a str,
    /// The `title`, if any.
    pub title: Option<&'a str>,
    /// The `sizes` attribute (the image's displayed width per viewport).
    pub sizes: &'a str,
    /// Eager or lazy.
    pub loading: Loading,
    /// A `class` for the `<img>`.
    pub class: Option<&'a str>,
    /// The displayed width in CSS pixels when the author fixed it (`<img width="320">`
    /// in a Markdown body): the `<img>` keeps it, and `sizes` is derived from it
    /// instead of [`PictureOptions::sizes`] when the author did not give `sizes`.
    pub width: Option<u32>,
    /// The displayed height the author fixed; derived from `width` and the image's
    /// aspect ratio when only the width is given.
    pub height: Option<u32>,
}

fn srcset(variants: &[ImageVariant]) -> String {
    variants
        .iter()
        .map(|v| format!("{} {}w", v.url, v.width))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `<picture>` HTML of `info`: a `<source>` per modern format, then the `<img>` in
/// the original's format with `srcset`, `sizes`, `width`/`height` (the page reserves
/// the space before the image arrives: no layout shift) and the loading attributes. An
/// image with a single candidate (SVG, GIF) is a plain `<img>` with its dimensions.
pub fn picture_html(info: &ImageInfo, options: &PictureOptions) -> String {
    let attr = |text: &str| escape_attr(text).into_owned();
    let mut html = String::with_capacity(512);
    let responsive = info.fallback.len() > 1 || !info.sources.is_empty();
    if responsive {
        html.push_str("<picture>");
        for (mime, variants) in &info.sources {
            html.push_str(&format!(
                "<source type=\"{}\" srcset=\"{}\" sizes=\"{}\">",
                attr(mime),
                attr(&srcset(variants)),
                attr(options.sizes)
            ));
        }
    }
    let widest = info.fallback.last().map_or(info.width, |v| v.width);
    html.push_str(&format!("<img src=\"{}\"", attr(info.src())));
    if responsive {
        html.push_str(&format!(
            " srcset=\"{}\" sizes=\"{}\"",
            attr(&srcset(&info.fallback)),
            attr(options.sizes)
        ));
    }
    let (width, height) = match (options.width, options.height) {
        (Some(width), Some(height)) => (width, height),
        (Some(width), None) => (width, info.height_at(width)),
        (None, _) => (widest, info.height_at(widest)),
    };
    html.push_str(&format!(
        " width=\"{width}\" height=\"{height}\" alt=\"{}\"",
        attr(options.alt)
    ));
    if let Some(title) = options.title {
        html.push_str(&format!(" title=\"{}\"", attr(title)));
    }
    if let Some(class) = options.class {
        html.push_str(&format!(" class=\"{}\"", attr(class)));
    }
    html.push_str(match options.loading {
        Loading::Lazy => " loading=\"lazy\" decoding=\"async\">",
        Loading::Priority => " loading=\"eager\" fetchpriority=\"high\">",
    });
    if responsive {
        html.push_str("</picture>");
    }
    html
}

/// Undoes the escaping of an attribute value as the Markdown renderer and the sanitizer
/// write it (`&amp;`, `&quot;`, `&lt;`, `&gt;`, `&#39;`, `&nbsp;`); other text is kept.
fn unescape_attr(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// `text` escaped for a double-quoted HTML attribute value.
pub(crate) fn escape_attr(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '"', '<', '>']) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
            .replace('>', "&gt;"),
    )
}

/// `html` with each `<img>` whose `src` resolves, from the page at `page_path`, to a
/// known image (`images`, by site URL) passed to `rewrite`; `html` as it is when it
/// has no such image (without parsing it when it has no `<img` at all).
fn rewrite_known_images<'a>(
    html: &'a str,
    page_path: &str,
    images: &HashMap<String, ImageInfo>,
    mut rewrite: impl FnMut(&mut lol_html::html_content::Element, &ImageInfo) -> lol_html::HandlerResult,
) -> Cow<'a, str> {
    if images.is_empty() || !html.contains("<img") {
        return Cow::Borrowed(html);
    }
    let mut changed = false;
    let handler = lol_html::element!("img[src]", |el| {
        let src = el.get_attribute("src").unwrap_or_default();
        match crate::urls::resolve(page_path, &src).and_then(|(path, _)| images.get(&path)) {
            Some(info) => {
                changed = true;
                rewrite(el, info)
            }
            None => Ok(()),
        }
    });
    let settings = lol_html::Settings::new().append_element_content_handler(handler);
    match lol_html::rewrite_str(html, settings) {
        Ok(out) if changed => Cow::Owned(out),
        _ => Cow::Borrowed(html),
    }
}

/// `sizes` of an image the author shows `width` CSS pixels wide in a Markdown body: that
/// width, or the text column when the column is narrower (a phone).
fn fixed_width_sizes(width: u32) -> String {
    // The column is the viewport less 2.5rem (40 px) of padding, at most 43.5rem.
    if width >= 696 {
        PROSE_SIZES.to_owned()
    } else {
        format!(
            "(max-width: {}px) calc(100vw - 2.5rem), {width}px",
            width + 40
        )
    }
}

/// A Markdown body with each `<img>` of a known image turned into its `<picture>`
/// ([`picture_html`], [`PROSE_SIZES`]); the first of them loads with priority when
/// `first_has_priority`. A width and height the author wrote on a raw-HTML `<img>`
/// stay its displayed size (and set `sizes`). Images the site does not know (external
/// URLs, files that are not images) stay as they are.
pub fn responsive_body<'a>(
    html: &'a str,
    page_path: &str,
    images: &HashMap<String, ImageInfo>,
    first_has_priority: bool,
) -> Cow<'a, str> {
    let mut first = first_has_priority;
    rewrite_known_images(html, page_path, images, |el, info| {
        // lol_html gives attribute values as written: `Fish &amp; chips`.
        let alt = unescape_attr(&el.get_attribute("alt").unwrap_or_default());
        let title = el.get_attribute("title").map(|t| unescape_attr(&t));
        let loading = if std::mem::take(&mut first) {
            Loading::Priority
        } else {
            Loading::Lazy
        };
        // Raw HTML's `<img width="320" height="200">`: the author's displayed size
        // (CSS pixels; "50%" and other non-pixel values leave the layout to CSS).
        let pixels = |name: &str| {
            el.get_attribute(name)
                .and_then(|v| v.trim().trim_end_matches("px").parse::<u32>().ok())
                .filter(|&v| v > 0)
        };
        let width = pixels("width");
        let height = width.and(pixels("height"));
        let sizes = match width {
            Some(width) => fixed_width_sizes(width),
            None => PROSE_SIZES.to_owned(),
        };
        let markup = picture_html(
            info,
            &PictureOptions {
                alt: &alt,
                title: title.as_deref(),
                sizes: &sizes,
                loading,
                width,
                height,
                ..PictureOptions::default()
            },
        );
        el.replace(&markup, lol_html::html_content::ContentType::Html);
        Ok(())
    })
}

/// A body for a feed reader, which knows no `<picture>` or `srcset` and no site
/// stylesheet: each `<img>` of a known image gets its `<img src>` ([`ImageInfo::src`]:
/// the widest variant in the original's format, without its metadata) and its
/// `width`/`height`.
pub fn feed_images<'a>(
    html: &'a str,
    page_path: &str,
    images: &HashMap<String, ImageInfo>,
) -> Cow<'a, str> {
    rewrite_known_images(html, page_path, images, |el, info| {
        let widest = info.fallback.last().map_or(info.width, |v| v.width);
        el.set_attribute("src", info.src())?;
        el.set_attribute("width", &widest.to_string())?;
        el.set_attribute("height", &info.height_at(widest).to_string())?;
        Ok(())
    })
}

/// A responsive image in a page component:
/// `<ResponsiveImage image=site.image("/images/a.jpg") alt="…"/>` renders the image's
/// `<picture>` (AVIF and WebP `srcset`s, `width`/`height`, lazy loading) when the site
/// knows it ([`crate::Site::image`]), else a plain `<img>` of its published URL.
///
/// - `sizes`: the displayed width per viewport (default: the text column, [`PROSE_SIZES`]);
/// - `widths`: only these candidates (pixels), when the layout never shows the image
///   wider — a 240 px card, say; the widest candidate stays when none is listed;
/// - `priority`: the page's main image (the likely LCP): `loading="eager"` and
///   `fetchpriority="high"` instead of lazy;
/// - `class`: a class for the `<img>`.
#[component]
pub fn ResponsiveImage(
    /// The image ([`crate::Site::image`]).
    image: Image,
    /// Its `alt` text (empty for a decorative image).
    #[prop(into)]
    alt: String,
    /// The displayed width per viewport (default [`PROSE_SIZES`]).
    #[prop(optional, into)]
    sizes: Option<String>,
    /// Only these candidate widths (pixels).
    #[prop(optional)]
    widths: Option<Vec<u32>>,
    /// Load first and eagerly (the page's main image).
    #[prop(optional)]
    priority: bool,
    /// A class for the `<img>`.
    #[prop(optional, into)]
    class: Option<String>,
) -> impl IntoView {
    let loading = if priority {
        Loading::Priority
    } else {
        Loading::Lazy
    };
    let html = match image.info {
        Some(mut info) => {
            if let Some(widths) = &widths {
                let keep = |variants: &mut Vec<ImageVariant>| {
                    let widest = variants.last().cloned();
                    variants.retain(|v| widths.contains(&v.width));
                    if variants.is_empty() {
                        variants.extend(widest);
                    }
                };
                keep(&mut info.fallback);
                for (_, variants) in &mut info.sources {
                    keep(variants);
                }
            }
            picture_html(
                &info,
                &PictureOptions {
                    alt: &alt,
                    title: None,
                    sizes: sizes.as_deref().unwrap_or(PROSE_SIZES),
                    loading,
                    class: class.as_deref(),
                    ..PictureOptions::default()
                },
            )
        }
        None => format!(
            "<img src=\"{}\" alt=\"{}\"{}{}>",
            escape_attr(&image.src),
            escape_attr(&alt),
            class
                .as_deref()
                .map(|c| format!(" class=\"{}\"", escape_attr(c)))
                .unwrap_or_default(),
            match loading {
                Loading::Lazy => " loading=\"lazy\" decoding=\"async\"",
                Loading::Priority => " loading=\"eager\" fetchpriority=\"high\"",
            }
        ),
    };
    view! { <span class="image" inner_html=html></span> }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> ImageInfo {
        let variant = |w: u32, ext: &str| ImageVariant {
            url: format!("/_img/a.0123456789ab.{w}.{ext}"),
            width: w,
        };
        ImageInfo {
            width: 1000,
            height: 667,
            fallback: vec![
                variant(480, "jpg"),
                variant(800, "jpg"),
                variant(1000, "jpg"),
            ],
            sources: vec![
                (
                    "image/avif".into(),
                    vec![
                        variant(480, "avif"),
                        variant(800, "avif"),
                        variant(1000, "avif"),
                    ],
                ),
                (
                    "image/webp".into(),
                    vec![
                        variant(480, "webp"),
                        variant(800, "webp"),
                        variant(1000, "webp"),
                    ],
                ),
            ],
        }
    }

    #[test]
    fn a_picture_offers_avif_then_webp_then_the_original_with_its_size() {
        let html = picture_html(
            &info(),
            &PictureOptions {
                alt: "A \"quoted\" hill",
                title: Some("Hills"),
                sizes: "100vw",
                loading: Loading::Lazy,
                ..PictureOptions::default()
            },
        );
        assert_eq!(
            html,
            "<picture><source type=\"image/avif\" srcset=\"/_img/a.0123456789ab.480.avif 480w, /_img/a.0123456789ab.800.avif 800w, /_img/a.0123456789ab.1000.avif 1000w\" sizes=\"100vw\">\
<source type=\"image/webp\" srcset=\"/_img/a.0123456789ab.480.webp 480w, /_img/a.0123456789ab.800.webp 800w, /_img/a.0123456789ab.1000.webp 1000w\" sizes=\"100vw\">\
<img src=\"/_img/a.0123456789ab.1000.jpg\" srcset=\"/_img/a.0123456789ab.480.jpg 480w, /_img/a.0123456789ab.800.jpg 800w, /_img/a.0123456789ab.1000.jpg 1000w\" sizes=\"100vw\" width=\"1000\" height=\"667\" alt=\"A &quot;quoted&quot; hill\" title=\"Hills\" loading=\"lazy\" decoding=\"async\"></picture>"
        );
        assert_eq!(info().at_least(700).width, 800);
        assert_eq!(info().at_least(1200).width, 1000);
        assert_eq!(info().height_at(480), 320);
    }

    #[test]
    fn body_images_become_pictures_the_first_with_priority() {
        let images = HashMap::from([("/posts/x/a.jpg".to_owned(), info())]);
        let body = r#"<p><img src="a.jpg" alt="Fish &amp; &quot;chips&quot;"> <img src="/posts/x/a.jpg" alt="two"> <img src="https://example.com/b.png" alt="ext"></p>"#;
        let out = responsive_body(body, "/posts/x/", &images, true);
        assert_eq!(out.matches("<picture>").count(), 2, "{out}");
        assert!(
            out.contains(
                r#"alt="Fish &amp; &quot;chips&quot;" loading="eager" fetchpriority="high">"#
            ),
            "escaped once: {out}"
        );
        assert!(
            out.contains(r#"alt="two" loading="lazy" decoding="async">"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<img src="https://example.com/b.png" alt="ext">"#),
            "{out}"
        );
        let feed = feed_images(
            r#"<p><img src="a.jpg" alt="one"></p>"#,
            "/posts/x/",
            &images,
        );
        assert_eq!(
            feed,
            r#"<p><img src="/_img/a.0123456789ab.1000.jpg" alt="one" width="1000" height="667"></p>"#
        );
        let sized = responsive_body(
            r#"<p><img src="a.jpg" alt="small" width="300"> <img src="a.jpg" alt="both" width="200px" height="90"> <img src="a.jpg" alt="pct" width="50%"></p>"#,
            "/posts/x/",
            &images,
            false,
        );
        assert!(
            sized.contains(r#"sizes="(max-width: 340px) calc(100vw - 2.5rem), 300px" width="300" height="200" alt="small""#),
            "the author's width kept, the height from the aspect ratio: {sized}"
        );
        assert!(
            sized.contains(r#"width="200" height="90" alt="both""#),
            "{sized}"
        );
        assert!(
            sized.contains(r#"width="1000" height="667" alt="pct""#),
            "a percentage leaves the intrinsic size: {sized}"
        );
        let plain = "<p>no images</p>";
        assert!(matches!(
            responsive_body(plain, "/", &images, true),
            Cow::Borrowed(_)
        ));
    }
}
