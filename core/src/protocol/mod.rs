//! The local protocol between a page and the companion, version (API level) 1.
//!
//! One WebSocket at `ws://127.0.0.1:<port>/v1` carries JSON text frames. The page sends
//! commands `{"cmd": "...", "req": n, ...}`; the companion answers with messages
//! `{"msg": "...", "req": n, ...}` carrying the same `req`, and pushes events with no `req`.
//! Every shape is defined here once and used by both sides; `docs/protocol.md` shows an
//! example of each. Unknown *fields* are ignored (so additions do not need a new API level);
//! unknown *commands* are refused with `UNKNOWN_COMMAND`.

#[macro_use]
mod messages;
pub mod auth;
pub mod book;
#[cfg(test)]
mod doc_examples;
mod error;
pub mod pairing;
pub mod session;
mod status;

pub use error::{ErrorCode, ErrorDetail};
pub use status::{
    jst_timestamp, CertificateStatus, CompanionStatus, Reachable, ServiceKind,
    CERTIFICATE_WARNING_DAYS,
};

use crate::eligibility::{EligibilityResult, InsuranceQuery};
use serde::{Deserialize, Serialize};
use strum::VariantNames;
use zeroize::Zeroizing;

/// API levels this build speaks. A level rises only on an incompatible change; level 2
/// replaced level 1's reusable pairing token with a shared key proved on each connection.
pub const API_LEVELS: &[u32] = &[2];
/// Largest text frame either side accepts.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// The WebSocket path.
pub const WS_PATH: &str = "/v1";
/// The companion's default port and the short fallback list a page probes, in order.
/// Unusual numbers, away from AusweisApp/Open eCard's 24727 and common dev ports.
pub const DEFAULT_PORTS: &[u16] = &[47615, 47616, 47617];

/// A command from the page, with its correlation id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientMessage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub req: Option<u64>,
    #[serde(flatten)]
    pub command: Command,
}

#[derive(Debug, Clone, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "cmd", rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum Command {
    /// First message on every connection: the API levels the page speaks.
    Hello {
        api_levels: Vec<u32>,
        client: ClientInfo,
    },
    /// Ask to pair: the request waits until a person at the PC approves it on the
    /// companion's approval page (at once for an administrator's trusted origin).
    Pair,
    /// Prove the key kept from an earlier pairing: the page's nonce and its proof (hex).
    Auth {
        nonce: String,
        proof: String,
    },
    /// Forget this origin's key (the page "unpairs").
    Unpair,
    GetReaders,
    /// What card is in the reader and how many PIN tries are left (uses up no try).
    GetCardStatus {
        reader: String,
    },
    /// Eligibility check with the My Number card in `reader`.
    CheckByCard {
        reader: String,
        mode: CheckMode,
        /// The 4-digit 利用者証明用 PIN; required in `pin` mode. Never logged.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pin: Option<Pin>,
        /// Must be true when only one try is left: the page asked the patient to confirm.
        #[serde(default)]
        allow_last_try: bool,
        /// Must be true in `visual` mode: staff compared the face photo with the patient.
        #[serde(default)]
        visual_confirmed: bool,
    },
    /// Eligibility check by 保険者番号・記号・番号・枝番・生年月日.
    CheckByInsurance {
        query: InsuranceQuery,
    },
    /// Results of checks made elsewhere (e.g. the official マイナ資格確認アプリ) between two
    /// dates, with the insured's address (the レセコン連携 pull). At most 31 days.
    ImportResults {
        from: crate::Date,
        to: crate::Date,
    },
    /// Simulator only: list the test personas whose cards can be inserted.
    SimListPersonas,
    /// Simulator only: put a persona's card into the simulated reader.
    SimInsertCard {
        persona: String,
    },
    /// Simulator only: take the card out.
    SimRemoveCard,
    /// Is online eligibility checking operational: service, clinic certificate, reachability.
    GetStatus,
    /// The book the companion keeps (its summary, or why it cannot be used) and its backups.
    BookInfo,
    /// One piece of a change of the book (`records::sync::Change` as JSON text, cut into
    /// `parts` pieces because a change can be larger than a frame). The last piece applies
    /// the change in one transaction.
    BookPush {
        change: String,
        part: u32,
        parts: u32,
        data: String,
    },
    /// The whole book (`records::sync::Snapshot` as JSON text), in `BOOK_DATA` pieces.
    BookPull,
    /// The change trail, newest first: at most `limit` entries before change `before`.
    BookTrail {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<u64>,
        #[serde(default = "trail_limit")]
        limit: u32,
    },
    /// Puts a backup in place of the companion's book (the file it replaces is kept aside).
    BackupRestore {
        name: String,
    },
}

fn trail_limit() -> u32 {
    100
}

impl Command {
    /// The wire name, for logs (never the arguments: they may hold a PIN).
    pub fn name(&self) -> &'static str {
        self.into()
    }

    /// Commands allowed before the page has paired or authenticated.
    pub fn allowed_unpaired(&self) -> bool {
        matches!(
            self,
            Command::Hello { .. } | Command::Pair | Command::Auth { .. }
        )
    }
}

/// Every command name (derived from [`Command`]), so an unknown one can be told apart
/// from a malformed known one.
pub const COMMAND_NAMES: &[&str] = Command::VARIANTS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInfo {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckMode {
    /// The patient enters the 4-digit PIN; the card signs the service's challenge.
    Pin,
    /// 目視確認: staff compare the face photo; the certificate is read without a PIN.
    Visual,
}

/// A card PIN in transit. Wiped from memory when dropped; `Debug` never shows it.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pin(pub Zeroizing<String>);

impl Pin {
    pub fn new(s: &str) -> Pin {
        Pin(Zeroizing::new(s.to_string()))
    }
    /// A valid 利用者証明用 PIN is exactly four ASCII digits.
    pub fn is_well_formed(&self) -> bool {
        self.0.len() == 4 && self.0.bytes().all(|b| b.is_ascii_digit())
    }
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl core::fmt::Debug for Pin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Pin(****)")
    }
}

/// A message from the companion: an answer (with the command's `req`) or an event (no `req`).
/// Read with [`decode_server`] (no `Deserialize`: see `messages.rs`).
#[derive(Debug, Clone, Serialize)]
pub struct ServerMessage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub req: Option<u64>,
    #[serde(flatten)]
    pub body: Message,
}

server_messages! {
#[derive(Debug, Clone, Serialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "msg", rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum Message {
    /// Answer to `HELLO`.
    Hello {
        api_level: u32,
        companion: ClientInfo,
        /// True when the companion runs with the simulated card and service.
        simulator: bool,
        /// The page's origin as the companion saw it.
        origin: String,
        /// `trusted` when a `PAIR` from this origin is approved without asking.
        pairing: PairingState,
        features: Vec<String>,
        /// This companion installation's id: a page keeps its key under it.
        #[serde(default)]
        companion_id: String,
        /// The companion's nonce for this connection (hex), for `AUTH`.
        #[serde(default)]
        nonce: String,
    },
    /// Progress of `PAIR`: the request waits for a person at the PC, who sees `code` beside
    /// the page's origin on the approval page at `approve_url`.
    PairingPending {
        code: String,
        approve_url: String,
    },
    /// Answer to `PAIR` once approved: the shared key (hex) for this page origin and this
    /// companion. Sent once; afterwards only proofs cross the socket.
    Paired {
        companion_id: String,
        key: String,
    },
    /// Answer to `AUTH`: the companion's own proof (hex). A page checks it before sending
    /// anything else.
    Authenticated {
        proof: String,
    },
    /// Answer to commands that return nothing else.
    Ok,
    Readers {
        readers: Vec<ReaderInfo>,
    },
    CardStatus {
        reader: String,
        card: CardInfo,
    },
    Eligibility {
        result: EligibilityResult,
    },
    /// Answer to `IMPORT_RESULTS`.
    Imported {
        results: Vec<EligibilityResult>,
    },
    Personas {
        personas: Vec<PersonaInfo>,
    },
    /// Answer to `GET_STATUS` (its fields are [`CompanionStatus`]'s, at the top level; boxed
    /// so every message stays small).
    Status(Box<CompanionStatus>),
    /// Event: a reader appeared.
    ReaderAdded {
        reader: ReaderInfo,
    },
    /// Event: a reader went away.
    ReaderRemoved {
        name: String,
    },
    /// Event: a card was put into a reader.
    CardInserted {
        reader: String,
        card: CardInfo,
    },
    /// Event: the card was taken out.
    CardRemoved {
        reader: String,
    },
    /// Answer to `BOOK_INFO` (its fields are [`book::BookInfo`]'s, at the top level).
    BookInfo(Box<book::BookInfo>),
    /// The change was stored: its number in the companion's change trail.
    BookStored {
        change: String,
        seq: u64,
        stored_at: String,
    },
    /// The change was based on records that have changed since (`store/key`): nothing of it
    /// was stored. The page reloads the book and says so.
    BookStale {
        change: String,
        records: Vec<String>,
    },
    /// One piece of the book for `BOOK_PULL`; every piece carries the command's `req`.
    BookData {
        part: u32,
        parts: u32,
        data: String,
    },
    /// Answer to `BOOK_TRAIL`.
    BookTrail {
        entries: Vec<crate::records::sync::TrailEntry>,
    },
    /// Event: another page's change was stored (or a backup restored): pages of the same
    /// book fetch it.
    BookChanged {
        seq: u64,
    },
    /// Event: a step of a running command (carries that command's `req`).
    Progress {
        step: ProgressStep,
        /// With `QUEUED`: how many commands of other pages run or wait before this one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        queue_position: Option<u32>,
    },
    /// The command failed, or the frame could not be read.
    Error {
        code: ErrorCode,
        /// Japanese text for the clinic, from [`ErrorCode::message_ja`].
        message: String,
        #[serde(default, skip_serializing_if = "ErrorDetail::is_empty")]
        detail: ErrorDetail,
    },
}
}

impl Message {
    pub fn error(code: ErrorCode, detail: ErrorDetail) -> Message {
        Message::Error {
            code,
            message: code.message_ja(&detail),
            detail,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairingState {
    /// The origin is on the companion's administrator allowlist: its `PAIR` is approved
    /// without a click. The page still pairs and proves its key like any other.
    Trusted,
    /// The page must `AUTH` with a kept key, or `PAIR` and wait for approval at the PC.
    Required,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReaderInfo {
    pub name: String,
    /// The simulator's reader, where `SIM_INSERT_CARD` works.
    #[serde(default)]
    pub simulated: bool,
    pub card: Option<CardInfo>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    /// A マイナンバーカード (JPKI token `JPKIAPICCTOKEN2`).
    MyNumber,
    /// An old 住民基本台帳カード (token `JPKIAPICCTOKEN`): not usable.
    Juki,
    /// A smartphone JPKI token.
    Smartphone,
    /// Some other card (no JPKI application), or a card inserted the wrong way.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardInfo {
    pub kind: CardKind,
    /// Tries left on the 利用者証明用 PIN (3 = none used), when known. 0 = locked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_tries_left: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonaInfo {
    pub id: String,
    /// Label for the trainer's picker, e.g. `正常（本人・3割）`.
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProgressStep {
    /// Waiting for the card (another check is using it).
    Queued,
    ReadingCertificate,
    VerifyingPin,
    Signing,
    ContactingService,
}

impl ProgressStep {
    pub fn label_ja(self) -> &'static str {
        match self {
            ProgressStep::Queued => "順番待ち（別の確認が終わるのを待っています）",
            ProgressStep::ReadingCertificate => "カードを読み取っています",
            ProgressStep::VerifyingPin => "暗証番号を確認しています",
            ProgressStep::Signing => "カードで署名しています",
            ProgressStep::ContactingService => "資格情報を照会しています",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            ProgressStep::Queued => "Waiting for the card (another check is running)",
            ProgressStep::ReadingCertificate => "Reading the card",
            ProgressStep::VerifyingPin => "Checking the PIN",
            ProgressStep::Signing => "Signing with the card",
            ProgressStep::ContactingService => "Asking the eligibility service",
        }
    }
}

/// Why a frame from the page could not be turned into a [`ClientMessage`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub req: Option<u64>,
    pub code: ErrorCode,
    /// What was wrong, for the vendor's log (never echoes field values).
    pub reason: String,
}

/// Reads one text frame from the page. Never panics; the error carries the `req` when it
/// could be read, so the page can match the error to its command.
pub fn decode_client(text: &str) -> Result<ClientMessage, DecodeError> {
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(DecodeError {
            req: None,
            code: ErrorCode::MessageTooLarge,
            reason: "frame too large".into(),
        });
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| DecodeError {
        req: None,
        code: ErrorCode::InvalidMessage,
        reason: format!("not JSON: {}", e.classify_name()),
    })?;
    let req = value.get("req").and_then(serde_json::Value::as_u64);
    let Some(obj) = value.as_object() else {
        return Err(DecodeError {
            req,
            code: ErrorCode::InvalidMessage,
            reason: "not a JSON object".into(),
        });
    };
    if obj.get("req").is_some_and(|r| !r.is_u64()) {
        return Err(DecodeError {
            req: None,
            code: ErrorCode::InvalidMessage,
            reason: "req must be a non-negative integer".into(),
        });
    }
    let Some(cmd) = obj
        .get("cmd")
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
    else {
        return Err(DecodeError {
            req,
            code: ErrorCode::InvalidMessage,
            reason: "missing \"cmd\"".into(),
        });
    };
    let Some(&name) = COMMAND_NAMES.iter().find(|n| **n == cmd) else {
        return Err(DecodeError {
            req,
            code: ErrorCode::UnknownCommand,
            // The page's text is not echoed: a name made of our own letters only, cut short.
            reason: format!("unknown command {}", log_safe_name(&cmd)),
        });
    };
    serde_json::from_value(value).map_err(|e| {
        let text = e.to_string();
        DecodeError {
            req,
            code: ErrorCode::InvalidMessage,
            reason: match missing_field(&text) {
                Some(field) => format!("{name}: missing field {field}"),
                None => format!("{name}: {}", problem(&text)),
            },
        }
    })
}

/// The field serde says is missing: always one of our own field names (never input),
/// kept only if it looks like one.
fn missing_field(serde_message: &str) -> Option<&str> {
    let rest = serde_message.strip_prefix("missing field `")?;
    let field = &rest[..rest.find('`')?];
    (!field.is_empty()
        && field.len() <= 40
        && field.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
    .then_some(field)
}

/// What kind of mistake serde found, from a fixed list: its own message can quote the
/// value the page sent (a PIN in the wrong field), so it is never passed on.
fn problem(serde_message: &str) -> &'static str {
    const KINDS: &[(&str, &str)] = &[
        ("missing field", "missing field"),
        ("invalid type", "wrong type"),
        ("invalid value", "wrong value"),
        ("unknown variant", "unknown value"),
        ("invalid length", "wrong length"),
        ("duplicate field", "duplicate field"),
    ];
    KINDS
        .iter()
        .find(|(prefix, _)| serde_message.starts_with(prefix))
        .map_or("unreadable value", |(_, kind)| kind)
}

fn log_safe_name(name: &str) -> String {
    name.chars()
        .take(40)
        .map(|c| {
            if c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' {
                c
            } else {
                '?'
            }
        })
        .collect()
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "io",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "wrong data",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}

/// Reads one frame from the companion (the page's side).
pub fn decode_server(text: &str) -> Result<ServerMessage, String> {
    /// What every frame from the companion carries besides its variant's fields.
    #[derive(Deserialize)]
    struct Head {
        #[serde(default)]
        req: Option<u64>,
        msg: String,
    }
    let head: Head = serde_json::from_str(text).map_err(|e| e.to_string())?;
    match Message::read_body(&head.msg, text) {
        Some(body) => Ok(ServerMessage {
            req: head.req,
            body: body.map_err(|e| e.to_string())?,
        }),
        None => Err(format!("unknown variant `{}`", head.msg)),
    }
}

pub fn encode<T: Serialize>(msg: &T) -> String {
    // Serialising our own types to a String cannot fail (no maps with non-string keys,
    // no failing Serialize impls); fall back to a fixed error frame rather than panic.
    serde_json::to_string(msg).unwrap_or_else(|_| {
        r#"{"msg":"ERROR","code":"INTERNAL","message":"内部エラーが発生しました。"}"#.to_string()
    })
}

/// Picks the highest API level both sides speak.
pub fn negotiate(offered: &[u32]) -> Option<u32> {
    offered
        .iter()
        .copied()
        .filter(|l| API_LEVELS.contains(l))
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_command_with_req() {
        let m =
            decode_client(r#"{"cmd":"AUTH","req":7,"nonce":"ab","proof":"cd"}"#).expect("valid");
        assert_eq!(m.req, Some(7));
        assert!(matches!(m.command, Command::Auth { ref proof, .. } if proof == "cd"));
        let m = decode_client(r#"{"cmd":"PAIR","req":8}"#).expect("valid");
        assert!(matches!(m.command, Command::Pair));
    }

    #[test]
    fn unknown_fields_are_ignored_for_forward_compatibility() {
        let m = decode_client(r#"{"cmd":"GET_READERS","req":1,"future":true}"#).expect("valid");
        assert!(matches!(m.command, Command::GetReaders));
    }

    #[test]
    fn malformed_frames_give_typed_errors_with_req() {
        let e = decode_client("{not json").expect_err("bad");
        assert_eq!(e.code, ErrorCode::InvalidMessage);
        let e = decode_client(r#"{"cmd":"FORMAT_DISK","req":3}"#).expect_err("bad");
        assert_eq!((e.code, e.req), (ErrorCode::UnknownCommand, Some(3)));
        let e = decode_client(r#"{"cmd":"AUTH","req":4}"#).expect_err("bad");
        assert_eq!((e.code, e.req), (ErrorCode::InvalidMessage, Some(4)));
        let e = decode_client(r#"[1,2,3]"#).expect_err("bad");
        assert_eq!(e.code, ErrorCode::InvalidMessage);
        let e = decode_client(r#"{"req":"x","cmd":"GET_READERS"}"#).expect_err("bad");
        assert_eq!(e.code, ErrorCode::InvalidMessage);
        let big = format!(
            r#"{{"cmd":"AUTH","proof":"{}"}}"#,
            "1".repeat(MAX_MESSAGE_BYTES)
        );
        assert_eq!(
            decode_client(&big).expect_err("bad").code,
            ErrorCode::MessageTooLarge
        );
    }

    #[test]
    fn pin_never_shows_in_debug_or_errors() {
        let m = decode_client(
            r#"{"cmd":"CHECK_BY_CARD","req":1,"reader":"r","mode":"pin","pin":"4821"}"#,
        )
        .expect("valid");
        assert!(!format!("{m:?}").contains("4821"));
        // A PIN sent in a wrongly typed field must not be echoed back in the error.
        let e = decode_client(r#"{"cmd":"CHECK_BY_CARD","req":1,"reader":"r","mode":"4821"}"#)
            .expect_err("bad");
        assert!(!e.reason.contains("4821"), "{}", e.reason);
        assert_eq!(e.reason, "CHECK_BY_CARD: unknown value");
        // Quote characters inside the value cannot flip a scrubber into printing it.
        let e = decode_client(
            r#"{"cmd":"CHECK_BY_CARD","req":1,"reader":"r","mode":"pin","pin":["a\"4821\"b"]}"#,
        )
        .expect_err("bad");
        assert!(!e.reason.contains("4821"), "{}", e.reason);
        assert_eq!(e.reason, "CHECK_BY_CARD: wrong type");
        let e = decode_client(r#"{"cmd":"AUTH","req":1,"nonce":"00"}"#).expect_err("bad");
        assert_eq!(e.reason, "AUTH: missing field proof");
    }

    #[test]
    fn unknown_command_names_are_logged_without_the_pages_text() {
        let e = decode_client("{\"cmd\":\"X\\nINFO forged\",\"req\":1}").expect_err("bad");
        assert_eq!(e.code, ErrorCode::UnknownCommand);
        assert!(
            !e.reason.contains('\n') && !e.reason.contains("forged"),
            "{}",
            e.reason
        );
    }

    #[test]
    fn command_names_are_derived_and_match_the_wire() {
        for name in COMMAND_NAMES {
            let e = decode_client(&format!(r#"{{"cmd":"{name}","req":1}}"#));
            if let Err(e) = &e {
                assert_ne!(e.code, ErrorCode::UnknownCommand, "{name}");
            }
        }
        assert_eq!(
            Command::GetCardStatus { reader: "r".into() }.name(),
            "GET_CARD_STATUS"
        );
        assert_eq!(Command::Pair.name(), "PAIR");
        assert!(COMMAND_NAMES.contains(&"SIM_LIST_PERSONAS"));
    }

    #[test]
    fn server_messages_round_trip() {
        let m = ServerMessage {
            req: Some(2),
            body: Message::error(ErrorCode::PinWrong, ErrorDetail::tries(2)),
        };
        let text = encode(&m);
        assert!(
            text.contains(r#""msg":"ERROR""#)
                && text.contains("PIN_WRONG")
                && text.contains("残り2回")
        );
        let back = decode_server(&text).expect("round trip");
        assert!(matches!(
            back.body,
            Message::Error {
                code: ErrorCode::PinWrong,
                ..
            }
        ));
    }

    #[test]
    fn a_frame_is_read_whatever_the_order_of_its_fields() {
        // `msg` last, `req` in the middle, an unknown field: as serde's derive read them.
        let m = decode_server(
            r#"{"reader":"R1","req":7,"extra":[1,{"x":2}],"card":{"kind":"my_number","pin_tries_left":2},"msg":"CARD_STATUS"}"#,
        )
        .expect("card status");
        assert_eq!(m.req, Some(7));
        match m.body {
            Message::CardStatus { reader, card } => {
                assert_eq!(reader, "R1");
                assert_eq!(card.kind, CardKind::MyNumber);
                assert_eq!(card.pin_tries_left, Some(2));
            }
            other => panic!("{other:?}"),
        }
        // A unit variant, and a newtype variant whose fields sit beside `msg`.
        assert!(matches!(
            decode_server(r#"{"msg":"OK"}"#).map(|m| m.body),
            Ok(Message::Ok)
        ));
        let info = decode_server(r#"{"msg":"BOOK_CHANGED","seq":12}"#).expect("event");
        assert!(matches!(info.body, Message::BookChanged { seq: 12 }) && info.req.is_none());
    }

    #[test]
    fn a_frame_that_is_not_a_message_says_why() {
        for (text, why) in [
            ("[1,2]", "invalid type"),
            (r#"{"req":1}"#, "missing field `msg`"),
            (r#"{"msg":"NO_SUCH"}"#, "unknown variant `NO_SUCH`"),
            (r#"{"msg":"BOOK_CHANGED","seq":"x"}"#, "invalid type"),
            (
                r#"{"msg":"CARD_STATUS","reader":"R1"}"#,
                "missing field `card`",
            ),
            (r#"{"msg":"OK""#, "EOF"),
        ] {
            let e = decode_server(text).expect_err(text);
            assert!(e.contains(why), "{text}: {e}");
        }
    }

    #[test]
    fn every_variant_reads_back_what_was_written() {
        // One of each shape: the table of readers follows `VARIANTS`' order.
        for m in [
            Message::Ok,
            Message::Authenticated { proof: "ab".into() },
            Message::ReaderRemoved { name: "R".into() },
            Message::Progress {
                step: ProgressStep::Signing,
                queue_position: Some(3),
            },
            Message::BookData {
                part: 1,
                parts: 2,
                data: "{}".into(),
            },
            Message::error(ErrorCode::CardRemoved, ErrorDetail::default()),
        ] {
            let text = encode(&ServerMessage {
                req: Some(1),
                body: m,
            });
            let back = decode_server(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(encode(&back), text);
        }
        assert_eq!(Message::READERS.len(), Message::VARIANTS.len());
    }

    #[test]
    fn negotiation_picks_highest_common_level() {
        assert_eq!(negotiate(&[1, 2, 3]), Some(2));
        assert_eq!(negotiate(&[1]), None);
    }
}
