//! The relay to the eligibility service: HTTPS with the clinic's client certificate (mutual
//! TLS), the server verified against the configured CA only, timeouts, and a bounded retry
//! with back-off for calls that may safely be repeated. Logs carry a request id, the path,
//! the outcome and the duration — never a certificate, a name or an address.

use crate::config::ServiceConfig;
use crate::https::{Client, Endpoint, HttpsError};
use crate::wire::{self, Answer};
use std::time::{Duration, Instant};
use ukemi_core::eligibility::{EligibilityResult, InsuranceQuery, ReferenceKind};
use ukemi_core::engine::Service;
use ukemi_core::protocol::{ErrorCode, ErrorDetail};
use ukemi_core::sim::{CardCheck, ServiceError};
use ukemi_core::Date;

const RETRIES: u32 = 3;

pub struct Relay {
    client: Client,
    institution: String,
    next_id: u64,
}

impl Relay {
    pub fn new(cfg: &ServiceConfig, institution: &str, today: Date) -> Result<Relay, String> {
        let identity = cfg.identity()?;
        crate::tls::check_valid(&identity.source, &identity.certs, today)
            .map_err(|e| e.to_string())?;
        let ca = crate::tls::load_certs(&cfg.ca).map_err(|e| e.to_string())?;
        let endpoint = Endpoint::parse(&cfg.url)?;
        let timeout = Duration::from_secs(cfg.timeout_seconds.max(1));
        Ok(Relay {
            client: Client::new(endpoint, &ca, &identity, timeout)?,
            institution: institution.to_string(),
            next_id: 1,
        })
    }

    fn request_id(&mut self) -> String {
        let mut r = [0u8; 4];
        let _ = getrandom::getrandom(&mut r);
        self.next_id += 1;
        format!("ukm-{:08x}-{}", u32::from_le_bytes(r), self.next_id)
    }

    /// One call; `idempotent` calls are retried on connection failures and time-outs.
    fn call(&mut self, path: &str, body: &[u8], idempotent: bool) -> Result<Vec<u8>, ServiceError> {
        let id = self.request_id();
        let attempts = if idempotent { RETRIES } else { 1 };
        let mut delay = Duration::from_millis(300);
        let mut last = HttpsError::Timeout;
        for attempt in 1..=attempts {
            let started = Instant::now();
            let outcome = self.client.post(path, "application/json", body, &id);
            let ms = started.elapsed().as_millis();
            match outcome {
                Ok(r) if r.status == 200 => {
                    crate::info!("relay request={id} {path} 200 in {ms} ms (attempt {attempt})");
                    return Ok(r.body);
                }
                Ok(r) => {
                    crate::warn!("relay request={id} {path} HTTP {} in {ms} ms", r.status);
                    return Err(wire::service_error(
                        &format!("HTTP{}", r.status),
                        "資格確認サービスが要求を受け付けませんでした",
                    ));
                }
                Err(e) => {
                    crate::warn!("relay request={id} {path} failed in {ms} ms (attempt {attempt}/{attempts}): {e}");
                    let retryable = matches!(e, HttpsError::Connect(_) | HttpsError::Timeout);
                    last = e;
                    if !retryable || attempt == attempts {
                        break;
                    }
                    std::thread::sleep(delay);
                    delay *= 2;
                }
            }
        }
        Err(match last {
            HttpsError::Tls(why) => ServiceError {
                code: ErrorCode::ServiceUnavailable,
                detail: ErrorDetail {
                    service_code: Some("TLS".into()),
                    service_message: Some(format!(
                        "安全な接続を確立できません（証明書を確認してください）: {why:.80}"
                    )),
                    ..Default::default()
                },
            },
            _ => ServiceError::new(ErrorCode::ServiceUnavailable),
        })
    }

    fn result(body: &[u8], reference: ReferenceKind) -> Result<EligibilityResult, ServiceError> {
        match wire::decode_answer(body, reference)? {
            Answer::Result(result) => Ok(result),
            Answer::Abnormal {
                error_code,
                error_message,
            } => Err(abnormal(&error_code, &error_message)),
        }
    }

    /// Results of checks made elsewhere for `from..=to` (the レセコン連携 pull).
    fn import_results(
        &mut self,
        from: Date,
        to: Date,
    ) -> Result<Vec<EligibilityResult>, ServiceError> {
        let req = wire::ResultsRequest {
            institution: self.institution.clone(),
            from,
            to,
        };
        let body = serde_json::to_vec(&req).map_err(|_| ServiceError::new(ErrorCode::Internal))?;
        wire::decode_list(&self.call(wire::PATH_RESULTS, &body, true)?)
    }
}

/// The service's own codes for card-certificate problems become our specific codes; any
/// other abnormal end is shown verbatim.
fn abnormal(code: &str, message: &str) -> ServiceError {
    match code {
        "CARD_CERTIFICATE_EXPIRED" => ServiceError::new(ErrorCode::CardCertificateExpired),
        "CARD_CERTIFICATE_REVOKED" => ServiceError::new(ErrorCode::CardCertificateRevoked),
        "VISUAL_NOT_CONFIRMED" => ServiceError::new(ErrorCode::VisualNotConfirmed),
        _ => wire::service_error(code, message),
    }
}

impl Service for Relay {
    fn challenge(&mut self) -> Result<Vec<u8>, ServiceError> {
        let body = self.call(wire::PATH_CHALLENGE, b"{}", true)?;
        let a: wire::ChallengeAnswer = serde_json::from_slice(&body)
            .map_err(|_| wire::service_error("E-PARSE", "応答を解釈できません"))?;
        wire::unbase64(&a.challenge)
            .ok_or_else(|| wire::service_error("E-PARSE", "応答を解釈できません"))
    }

    fn check_by_card(&mut self, check: &CardCheck<'_>) -> Result<EligibilityResult, ServiceError> {
        let req = wire::CardRequest {
            date: crate::clock::today_jst(),
            institution: self.institution.clone(),
            certificate: wire::base64(check.certificate),
            challenge: check.signed_challenge.map(|(c, _)| wire::base64(c)),
            signature: check.signed_challenge.map(|(_, s)| wire::base64(s)),
            visual_confirmed: check.visual_confirmed,
        };
        let body = serde_json::to_vec(&req).map_err(|_| ServiceError::new(ErrorCode::Internal))?;
        // A signed challenge is good for one use: never repeat this call.
        let reference = if check.signed_challenge.is_some() {
            ReferenceKind::CardPin
        } else {
            ReferenceKind::CardVisual
        };
        let mut result = Self::result(&self.call(wire::PATH_CARD, &body, false)?, reference)?;
        // The service answers about the person; which card was used is ours to record.
        result.card_serial = ukemi_core::jpki::pki::CardCertificate::parse(check.certificate)
            .ok()
            .map(|c| c.serial_hex);
        Ok(result)
    }

    fn check_by_insurance(
        &mut self,
        query: &InsuranceQuery,
    ) -> Result<EligibilityResult, ServiceError> {
        let req = wire::InsuranceRequest {
            date: crate::clock::today_jst(),
            institution: self.institution.clone(),
            query: query.clone(),
        };
        let body = serde_json::to_vec(&req).map_err(|_| ServiceError::new(ErrorCode::Internal))?;
        Self::result(
            &self.call(wire::PATH_INSURANCE, &body, true)?,
            ReferenceKind::InsuranceNumbers,
        )
    }

    fn import(&mut self, from: Date, to: Date) -> Result<Vec<EligibilityResult>, ServiceError> {
        self.import_results(from, to)
    }
}
