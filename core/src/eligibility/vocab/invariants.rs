//! The properties every input must keep, in one place for the unit tests, the proptests,
//! the cargo-fuzz target (`core/fuzz`) and the stable fuzz harness
//! (`core/examples/fuzz_vocab.rs`): reading never panics, and whatever reads is
//! written back (XML, Shift_JIS XML, JSON) into something that reads as the same message.

use super::*;
use crate::eligibility::ReferenceKind;

/// What one input did, for the harness's statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Refused, with the error's variant name.
    Refused(&'static str),
    /// Read, and normalised into a result.
    Result,
    /// Read; normalisation said abnormal or unusable.
    Abnormal,
}

/// Checks one input. `Err` describes a broken property (a bug); a refused input is `Ok`.
#[doc(hidden)]
pub fn check(bytes: &[u8]) -> Result<Outcome, String> {
    let _ = parse_request(bytes);
    let msg = match parse_response(bytes) {
        Ok(m) => m,
        Err(e) => {
            // Messages are built for every error; make sure that cannot fail either.
            let _ = (e.message_ja(), e.message_en());
            return Ok(Outcome::Refused(variant(&e)));
        }
    };
    let xml = to_xml(&msg);
    match parse_response(xml.as_bytes()) {
        Ok(m) if m == msg => {}
        Ok(m) => {
            return Err(format!(
                "XML round trip changed the message:\n{msg:?}\n{m:?}"
            ))
        }
        Err(e) => return Err(format!("our XML does not read back: {e:?}\n{xml}")),
    }
    let json = to_json(&msg);
    match parse_response(json.as_bytes()) {
        Ok(m) if m == msg => {}
        Ok(m) => {
            return Err(format!(
                "JSON round trip changed the message:\n{msg:?}\n{m:?}"
            ))
        }
        Err(e) => return Err(format!("our JSON does not read back: {e:?}\n{json}")),
    }
    if parse_response(&to_xml_shift_jis(&msg)).as_ref() != Ok(&msg) {
        return Err(format!(
            "Shift_JIS round trip changed the message:\n{msg:?}"
        ));
    }
    match to_result(&msg, ReferenceKind::CardPin) {
        Ok(r) => {
            // A result we answer with must read back as the same result.
            let header = ResponseHeader {
                process_execution_time: "20000101000000".into(),
                medical_institution_code: "0000000000".into(),
                arbitrary_file_identifier: None,
            };
            let again = parse_response(to_xml(&XmlMsg::from_result(&r, &header)).as_bytes())
                .map_err(|e| format!("from_result XML does not read back: {e:?}"))
                .and_then(|m| {
                    to_result(&m, r.reference).map_err(|a| format!("from_result: {a:?}"))
                })?;
            if again != r {
                return Err(format!("result round trip changed:\n{r:?}\n{again:?}"));
            }
            Ok(Outcome::Result)
        }
        Err(a) => {
            let _ = (a.message_ja(), a.message_en());
            Ok(Outcome::Abnormal)
        }
    }
}

fn variant(e: &VocabError) -> &'static str {
    match e {
        VocabError::Empty => "Empty",
        VocabError::TooLarge { .. } => "TooLarge",
        VocabError::TooDeep { .. } => "TooDeep",
        VocabError::TooManyElements { .. } => "TooManyElements",
        VocabError::TooManyResults { .. } => "TooManyResults",
        VocabError::NotXmlOrJson => "NotXmlOrJson",
        VocabError::UnsupportedEncoding { .. } => "UnsupportedEncoding",
        VocabError::BadEncoding { .. } => "BadEncoding",
        VocabError::Truncated => "Truncated",
        VocabError::XmlSyntax { .. } => "XmlSyntax",
        VocabError::JsonSyntax { .. } => "JsonSyntax",
        VocabError::UnexpectedRoot { .. } => "UnexpectedRoot",
        VocabError::MissingElement { .. } => "MissingElement",
        VocabError::DuplicateElement { .. } => "DuplicateElement",
        VocabError::BadValue { .. } => "BadValue",
    }
}
