//! The eligibility service's wire vocabulary (`XmlMsg` / `MessageHeader` / `MessageBody` /
//! `ResultOfQualificationConfirmation`), parsed from XML (UTF-8 or Shift_JIS) or JSON and
//! normalised into [`crate::eligibility::EligibilityResult`]; and written back, so a
//! simulated service answers in the same words. Pure: bytes in, values out.
//!
//! Layers: `decode` (bytes → text, encoding) → `xml`/`json` (text → element tree,
//! limits) → [`model`] (tree → typed wire model, code tables in [`codes`]) →
//! [`normalise`] (wire model → Ukemi's result). `docs/eligibility-vocabulary.md` has the
//! element table and the decisions on uncertain points.

pub mod codes;
mod decode;
mod error;
#[doc(hidden)]
pub mod invariants;
mod json;
pub mod model;
mod node;
pub mod normalise;
mod request;
mod write;
mod xml;

#[cfg(test)]
mod tests;

pub use codes::*;
pub use error::VocabError;
pub use model::*;
pub use normalise::{to_result, Abnormal, AbnormalKind, ResponseHeader};
pub use request::{search_query, search_request};
pub use write::{to_json, to_xml, to_xml_shift_jis};

use node::{Element, Node};

/// Largest accepted input. A real answer is a few kilobytes per person.
pub const MAX_INPUT_BYTES: usize = 4 * 1024 * 1024;
/// Deepest element nesting. The vocabulary needs 6.
pub const MAX_DEPTH: usize = 32;
/// Most elements in one document.
pub const MAX_ELEMENTS: usize = 50_000;
/// Most items in one list (`ResultList`, `SpecificDiseasesCertificateList`).
pub const MAX_LIST_ITEMS: usize = 100;

/// Which wire form a document was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireFormat {
    Xml,
    Json,
}

/// Reads a response (XML in UTF-8 or Shift_JIS, or JSON, detected from the bytes).
/// Requires `MessageHeader/SegmentOfResult`; everything else is checked by
/// [`to_result`]. Never panics.
pub fn parse_response(bytes: &[u8]) -> Result<XmlMsg, VocabError> {
    let (msg, root) = parse_any(bytes)?;
    // An absent header reads as an empty one; name the header itself, not its first field.
    if root.one("XmlMsg", "MessageHeader")?.is_none() {
        return Err(VocabError::MissingElement {
            path: "XmlMsg/MessageHeader".into(),
        });
    }
    if msg.message_header.segment_of_result.is_none() {
        return Err(VocabError::MissingElement {
            path: "XmlMsg/MessageHeader/SegmentOfResult".into(),
        });
    }
    Ok(msg)
}

/// Reads a search request; requires `MessageBody/QualificationConfirmSearchInfo`.
pub fn parse_request(bytes: &[u8]) -> Result<XmlMsg, VocabError> {
    let (msg, _) = parse_any(bytes)?;
    if msg.message_body.qualification_confirm_search_info.is_none() {
        return Err(VocabError::MissingElement {
            path: "XmlMsg/MessageBody/QualificationConfirmSearchInfo".into(),
        });
    }
    Ok(msg)
}

/// The wire form of a document, without reading it further.
pub fn detect_format(bytes: &[u8]) -> Result<WireFormat, VocabError> {
    match decode::decode(bytes)? {
        decode::Document::Xml(_) => Ok(WireFormat::Xml),
        decode::Document::Json(_) => Ok(WireFormat::Json),
    }
}

fn parse_any(bytes: &[u8]) -> Result<(XmlMsg, Node), VocabError> {
    let root = match decode::decode(bytes)? {
        decode::Document::Xml(text) => xml::read_tree(&text)?,
        decode::Document::Json(text) => json::read_tree(&text)?,
    };
    if root.name != "XmlMsg" {
        return Err(VocabError::UnexpectedRoot {
            found: root.name.chars().take(64).collect(),
        });
    }
    let msg = XmlMsg::read(&root, "XmlMsg")?;
    Ok((msg, root))
}
