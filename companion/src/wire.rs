//! The relay's wire format: the one adapter between Ukemi's model and what travels to the
//! eligibility service. The 施術所 interface specification is not public; answers use the
//! 医療機関 vocabulary (`XmlMsg`, `core::eligibility::vocab`), requests are JSON carrying what
//! `QualificationConfirmSearchInfo` carries. When the official specification is available,
//! this module (and only this module) changes.

use serde::{Deserialize, Serialize};
use ukemi_core::eligibility::{
    vocab, vocab::VocabError, EligibilityResult, InsuranceQuery, ReferenceKind,
};
use ukemi_core::protocol::{ErrorCode, ErrorDetail};
use ukemi_core::sim::ServiceError;
use ukemi_core::Date;

pub const PATH_CHALLENGE: &str = "/v1/challenge";
pub const PATH_CARD: &str = "/v1/check/card";
pub const PATH_INSURANCE: &str = "/v1/check/insurance";
pub const PATH_RESULTS: &str = "/v1/results";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChallengeAnswer {
    pub challenge: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CardRequest {
    /// 資格確認日.
    pub date: Date,
    /// 登録記号番号 of the 施術所.
    pub institution: String,
    /// The card's user-authentication certificate, base64 DER.
    pub certificate: String,
    #[serde(default)]
    pub challenge: Option<String>,
    #[serde(default)]
    pub signature: Option<String>,
    #[serde(default)]
    pub visual_confirmed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InsuranceRequest {
    pub date: Date,
    pub institution: String,
    pub query: InsuranceQuery,
}

/// Import of results of checks made elsewhere (e.g. the official app) for a date range.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResultsRequest {
    pub institution: String,
    pub from: Date,
    pub to: Date,
}

/// What the service answers, in the service's own vocabulary (`XmlMsg`): a result, or an
/// abnormal end with the service's own code and message.
pub enum Answer {
    Result(EligibilityResult),
    Abnormal {
        error_code: String,
        error_message: String,
    },
}

pub fn service_error(code: &str, message: &str) -> ServiceError {
    ServiceError {
        code: ErrorCode::ServiceError,
        detail: ErrorDetail {
            service_code: Some(code.to_string()),
            service_message: Some(message.to_string()),
            ..Default::default()
        },
    }
}

fn unreadable(e: &VocabError) -> ServiceError {
    crate::warn!("service answer unreadable: {e:?}");
    service_error("E-PARSE", "応答を解釈できません")
}

/// Reads one answer (XML or JSON `XmlMsg`). Anything unreadable is a service error naming
/// what was wrong, never a panic.
pub fn decode_answer(body: &[u8], reference: ReferenceKind) -> Result<Answer, ServiceError> {
    let msg = vocab::parse_response(body).map_err(|e| unreadable(&e))?;
    match vocab::to_result(&msg, reference) {
        Ok(r) => Ok(Answer::Result(r)),
        Err(a) => match a.kind {
            vocab::AbnormalKind::Unusable(e) => Err(unreadable(&e)),
            _ => Ok(Answer::Abnormal {
                error_code: a.error_code.unwrap_or_default(),
                error_message: a.error_message.unwrap_or_default(),
            }),
        },
    }
}

/// Reads the import answer: a JSON array of `{"XmlMsg": …}` messages.
pub fn decode_list(body: &[u8]) -> Result<Vec<EligibilityResult>, ServiceError> {
    let items: Vec<serde_json::Value> = serde_json::from_slice(body)
        .map_err(|_| service_error("E-PARSE", "応答を解釈できません"))?;
    let mut out = Vec::new();
    for item in items {
        let bytes = serde_json::to_vec(&item)
            .map_err(|_| service_error("E-PARSE", "応答を解釈できません"))?;
        match decode_answer(&bytes, ReferenceKind::Imported)? {
            Answer::Result(r) => out.push(r),
            Answer::Abnormal {
                error_code,
                error_message,
            } => return Err(service_error(&error_code, &error_message)),
        }
    }
    Ok(out)
}

fn header(institution: &str, executed_at: &str) -> vocab::ResponseHeader {
    vocab::ResponseHeader {
        process_execution_time: executed_at.to_string(),
        medical_institution_code: institution.to_string(),
        arbitrary_file_identifier: None,
    }
}

/// The service's side: a result as the XML answer.
pub fn encode_result(result: &EligibilityResult, institution: &str, executed_at: &str) -> Vec<u8> {
    vocab::to_xml(&vocab::XmlMsg::from_result(
        result,
        &header(institution, executed_at),
    ))
    .into_bytes()
}

/// The service's side: an abnormal end (処理結果区分 9) with its code and message.
pub fn encode_abnormal(
    code: &str,
    message: &str,
    institution: &str,
    executed_at: &str,
    today: Date,
) -> Vec<u8> {
    vocab::to_xml(&vocab::XmlMsg::abnormal(
        &header(institution, executed_at),
        today,
        code,
        message,
    ))
    .into_bytes()
}

/// The service's side: a list of results for the import, as JSON `XmlMsg`s.
pub fn encode_list(results: &[EligibilityResult], institution: &str, executed_at: &str) -> Vec<u8> {
    let items: Vec<serde_json::Value> = results
        .iter()
        .filter_map(|r| {
            let json = vocab::to_json(&vocab::XmlMsg::from_result(
                r,
                &header(institution, executed_at),
            ));
            serde_json::from_str(&json).ok()
        })
        .collect();
    serde_json::to_vec(&items).unwrap_or_default()
}

pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn unbase64(s: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}
