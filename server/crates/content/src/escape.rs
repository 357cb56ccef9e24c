//! Escaping text for XML and HTML.

use std::borrow::Cow;

/// `text` escaped for XML content and attribute values, without the characters XML 1.0
/// forbids (control characters other than tab, newline and carriage return, U+FFFE,
/// U+FFFF), which YAML or TOML escapes can put in a title.
pub fn escape(text: impl AsRef<str>) -> String {
    let text = text.as_ref();
    let clean: Cow<str> = if text.chars().any(|c| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
    }) {
        Cow::Owned(
            text.chars()
                .filter(|&c| {
                    (c >= ' ' || matches!(c, '\t' | '\n' | '\r'))
                        && !matches!(c, '\u{fffe}' | '\u{ffff}')
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    };
    quick_xml::escape::escape(clean.as_ref()).into_owned()
}
