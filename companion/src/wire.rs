//! The relay's wire format: the one adapter between Ukemi's model and what travels to the
//! eligibility service. The 施術所 interface specification is not public; when it is, this
//! module (and only this module) changes. Requests are JSON; an answer is an eligibility
//! result or the service's abnormal-end error.

use serde::{Deserialize, Serialize};
use ukemi_core::eligibility::{EligibilityResult, InsuranceQuery};
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

/// What the service answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "segment_of_result", rename_all = "snake_case")]
pub enum Answer {
    /// 処理結果区分 1 正常終了.
    Normal { result: EligibilityResult },
    /// A list (for the results import).
    List { results: Vec<EligibilityResult> },
    /// 処理結果区分 9 異常終了, with the service's own code and message (shown verbatim).
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

/// Reads the service's answer. Anything that is not a well-formed answer is a service error
/// naming what was wrong, never a panic.
pub fn decode_answer(body: &[u8]) -> Result<Answer, ServiceError> {
    serde_json::from_slice::<Answer>(body)
        .map_err(|_| service_error("E-PARSE", "応答を解釈できません"))
}

pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn unbase64(s: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}
