//! Site URLs: resolving a reference found in a page to the site path it names.

/// Resolves a reference found in the document at `base` (a site-relative URL) to a
/// site-relative path without query or fragment, plus that suffix; `None` for external
/// URLs (`https:`, `//host`, `mailto:`, `data:`…) and empty references.
pub fn resolve(base: &str, reference: &str) -> Option<(String, String)> {
    let reference = reference.trim();
    if reference.is_empty() || reference.starts_with("//") || reference.starts_with('#') {
        return None;
    }
    if let Some(colon) = reference.find(':') {
        let scheme = &reference[..colon];
        if !scheme.contains(['/', '?', '#']) {
            return None;
        }
    }
    let cut = reference.find(['?', '#']).unwrap_or(reference.len());
    let (path, suffix) = reference.split_at(cut);
    // `/My%20Doc.pdf` names the file `/My Doc.pdf`.
    let decoded = percent_decode(path);
    let path = decoded.as_str();
    let joined = if path.starts_with('/') {
        path.to_owned()
    } else {
        let dir = &base[..base.rfind('/').map_or(0, |i| i + 1)];
        format!("{dir}{path}")
    };
    // Normalise `.` and `..` segments.
    let mut segments: Vec<&str> = Vec::new();
    let trailing = joined.ends_with('/') || joined.ends_with("/.") || joined.ends_with("/..");
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut normal = format!("/{}", segments.join("/"));
    if trailing && normal != "/" {
        normal.push('/');
    }
    Some((normal, suffix.to_owned()))
}

/// Decodes `%XX` escapes (UTF-8, lossy); invalid escapes are kept as they are.
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}
