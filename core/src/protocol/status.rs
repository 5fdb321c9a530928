//! `GET_STATUS` → `STATUS`: is this clinic's online eligibility checking operational? What
//! the companion knows about itself — which service it uses, the clinic's client
//! certificate, whether the service answers a TLS handshake — for the page's 導入状況
//! screen. Never carries a secret: the service's host only, the certificate's subject name
//! and dates, an error code.

use super::{ErrorCode, ErrorDetail};
use crate::Date;
use serde::{Deserialize, Serialize};

/// Days before the clinic's certificate expires from which the page warns.
pub const CERTIFICATE_WARNING_DAYS: i64 = 30;

/// The answer to `GET_STATUS` (the `STATUS` message's fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanionStatus {
    pub companion_version: String,
    pub service: ServiceKind,
    /// The service's host (with `:port` when not 443): no path, no credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_url: Option<String>,
    /// The clinic's client certificate, when one is configured.
    #[serde(default)]
    pub certificate: Option<CertificateStatus>,
    pub service_reachable: Reachable,
    /// Why the service could not be reached (`SERVICE_UNAVAILABLE`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_error: Option<ErrorCode>,
    /// `service_code`: `CONNECT`, `TIMEOUT`, `TLS`; `service_message`: a short reason.
    #[serde(default, skip_serializing_if = "ErrorDetail::is_empty")]
    pub service_error_detail: ErrorDetail,
    /// When the companion checked, RFC 3339 in Japan time (`2026-11-25T09:30:00+09:00`).
    pub checked_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// The simulated service (practice; no real patient data).
    Simulator,
    /// The national eligibility service, through the relay (mutual TLS).
    Relay,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reachable {
    Yes,
    No,
    /// Not checked (e.g. not configured).
    Unknown,
}

/// The clinic's client certificate, as facts a page may show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateStatus {
    /// The subject's common name, e.g. the 施術所's name or registration number.
    pub subject_cn: String,
    pub not_after: Date,
    /// Whole days from the companion's today to `not_after` (negative once expired).
    pub days_left: i64,
}

impl CertificateStatus {
    pub fn new(subject_cn: String, not_after: Date, today: Date) -> CertificateStatus {
        CertificateStatus {
            subject_cn,
            not_after,
            days_left: today.days_until(not_after),
        }
    }

    /// Expired, or expiring within [`CERTIFICATE_WARNING_DAYS`].
    pub fn expires_soon(&self) -> bool {
        self.days_left <= CERTIFICATE_WARNING_DAYS
    }

    pub fn expired(&self) -> bool {
        self.days_left < 0
    }
}

impl CompanionStatus {
    /// The simulated service: always there, no certificate of its own.
    pub fn simulated(companion_version: &str, checked_at: String) -> CompanionStatus {
        CompanionStatus {
            companion_version: companion_version.to_string(),
            service: ServiceKind::Simulator,
            service_url: None,
            certificate: None,
            service_reachable: Reachable::Yes,
            service_error: None,
            service_error_detail: ErrorDetail::default(),
            checked_at,
        }
    }
}

/// `unix_secs` (seconds since 1970-01-01 UTC) as RFC 3339 in Japan time.
pub fn jst_timestamp(unix_secs: i64) -> String {
    let local = unix_secs + 9 * 3600;
    let day = Date::from_days(local.div_euclid(86_400));
    let s = local.rem_euclid(86_400);
    format!(
        "{day}T{:02}:{:02}:{:02}+09:00",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{decode_server, encode, Message, ServerMessage};

    #[test]
    fn status_has_the_flat_wire_shape_and_round_trips() {
        let today = Date::parse("2026-11-25").expect("date");
        let status = CompanionStatus {
            certificate: Some(CertificateStatus::new(
                "TEST".into(),
                Date::parse("2026-12-10").expect("date"),
                today,
            )),
            service: ServiceKind::Relay,
            service_url: Some("service.example.jp".into()),
            service_reachable: Reachable::No,
            service_error: Some(ErrorCode::ServiceUnavailable),
            ..CompanionStatus::simulated("0.1.0", jst_timestamp(0))
        };
        let text = encode(&ServerMessage {
            req: Some(3),
            body: Message::Status(Box::new(status.clone())),
        });
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(v["msg"], "STATUS");
        assert_eq!(v["service"], "relay");
        assert_eq!(v["service_reachable"], "no");
        assert_eq!(v["service_error"], "SERVICE_UNAVAILABLE");
        assert_eq!(v["certificate"]["days_left"], 15);
        assert_eq!(v["certificate"]["not_after"], "2026-12-10");
        let back = decode_server(&text).expect("decode");
        assert_eq!(back.req, Some(3));
        assert!(matches!(back.body, Message::Status(s) if *s == status));
        assert!(status
            .certificate
            .as_ref()
            .is_some_and(|c| c.expires_soon() && !c.expired()));
    }

    #[test]
    fn timestamps_are_in_japan_time() {
        assert_eq!(jst_timestamp(0), "1970-01-01T09:00:00+09:00");
        // 15:30:05 UTC is already the next day in Japan.
        let t =
            Date::parse("2026-11-25").expect("date").to_days() * 86_400 + 15 * 3600 + 30 * 60 + 5;
        assert_eq!(jst_timestamp(t), "2026-11-26T00:30:05+09:00");
    }
}
