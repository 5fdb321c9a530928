//! From bytes to text: size limit, BOM, XML-or-JSON sniffing, and the XML declaration's
//! `encoding=`. Decoding is strict (no replacement characters): a mangled name must be an
//! error, not a silently different name on a claim form.

use super::{VocabError, MAX_INPUT_BYTES};
use encoding_rs::{Encoding, SHIFT_JIS, UTF_8};

pub(crate) enum Document {
    Xml(String),
    Json(String),
}

pub(crate) fn decode(bytes: &[u8]) -> Result<Document, VocabError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(VocabError::TooLarge {
            size: bytes.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    // A BOM is authoritative (it is what the bytes are); it overrides the declaration.
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let text = strict(enc, &bytes[bom_len..])?;
        return sniff_text(text);
    }
    match first_non_ws(bytes) {
        None => Err(VocabError::Empty),
        Some(b'{') => {
            // JSON is UTF-8 by definition (RFC 8259).
            let text = strict(UTF_8, bytes)?;
            Ok(Document::Json(text))
        }
        Some(b'<') => {
            let enc = match declared_encoding(bytes) {
                None => UTF_8,
                Some(label) => supported(&label)?,
            };
            Ok(Document::Xml(strict(enc, bytes)?))
        }
        Some(_) => Err(VocabError::NotXmlOrJson),
    }
}

fn sniff_text(text: String) -> Result<Document, VocabError> {
    match text.trim_start().chars().next() {
        None => Err(VocabError::Empty),
        Some('{') => Ok(Document::Json(text)),
        Some('<') => Ok(Document::Xml(text)),
        Some(_) => Err(VocabError::NotXmlOrJson),
    }
}

fn first_non_ws(bytes: &[u8]) -> Option<u8> {
    bytes
        .iter()
        .copied()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Only the two encodings the service names (OQSCD005). Labels go through encoding_rs so
/// `Shift_JIS`, `shift-jis`, `sjis`, `windows-31j`, `utf-8` … are all recognised.
fn supported(label: &str) -> Result<&'static Encoding, VocabError> {
    match Encoding::for_label(label.trim().as_bytes()) {
        Some(e) if e == UTF_8 || e == SHIFT_JIS => Ok(e),
        _ => Err(VocabError::UnsupportedEncoding {
            label: label.chars().take(40).collect(),
        }),
    }
}

fn strict(enc: &'static Encoding, bytes: &[u8]) -> Result<String, VocabError> {
    enc.decode_without_bom_handling_and_without_replacement(bytes)
        .map(|c| c.into_owned())
        .ok_or_else(|| VocabError::BadEncoding {
            encoding: enc.name().to_string(),
        })
}

/// The `encoding` pseudo-attribute of a leading `<?xml … ?>`, read from the raw bytes
/// (the declaration is ASCII in every encoding we accept).
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &bytes[start..bytes.len().min(start + 512)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    let close = value.find(quote)?;
    Some(value[..close].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_declared_encoding() {
        let d = |s: &str| declared_encoding(s.as_bytes());
        assert_eq!(
            d(r#"<?xml version="1.0" encoding="Shift_JIS"?><a/>"#).as_deref(),
            Some("Shift_JIS")
        );
        assert_eq!(
            d("  <?xml version='1.0' encoding = 'utf-8' ?>").as_deref(),
            Some("utf-8")
        );
        assert_eq!(d(r#"<?xml version="1.0"?>"#), None);
        assert_eq!(d(r#"<a encoding="x"/>"#), None);
        assert_eq!(d(r#"<?xml encoding="x"#), None);
    }

    #[test]
    fn refuses_other_encodings() {
        assert!(matches!(
            decode(br#"<?xml version="1.0" encoding="EUC-JP"?><a/>"#),
            Err(VocabError::UnsupportedEncoding { .. })
        ));
        assert!(matches!(
            decode(br#"<?xml version="1.0" encoding="windows-31j"?><a/>"#),
            Ok(Document::Xml(_))
        ));
    }
}
