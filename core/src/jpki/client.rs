//! The JPKI sequences the companion needs, over any [`Transport`]: the real PC/SC card in
//! the companion, the emulated card in the simulator and tests. No I/O of its own.

use super::apdu::{self, Response};
use crate::protocol::{CardKind, ErrorCode, ErrorDetail};
use sha2::{Digest, Sha256};

/// Something that carries APDUs to a card and back.
pub trait Transport {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// The card left the reader.
    CardRemoved,
    /// The reader itself went away.
    ReaderGone,
    /// The PC/SC service is not running.
    NoService,
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardError {
    Transport(TransportError),
    /// The JPKI application is absent: not a My Number card (or upside down).
    NotJpki,
    /// A JPKI token other than a My Number card's.
    WrongToken(CardKind),
    PinWrong {
        tries_left: u8,
    },
    PinLocked,
    /// The card answered a status word we did not expect at this step.
    Unexpected {
        step: &'static str,
        sw: u16,
    },
    /// The data read was not what the step needs.
    Malformed(&'static str),
}

impl CardError {
    /// The protocol error the page sees.
    pub fn code(&self) -> (ErrorCode, ErrorDetail) {
        match self {
            CardError::Transport(TransportError::CardRemoved) => {
                (ErrorCode::CardRemoved, ErrorDetail::default())
            }
            CardError::Transport(TransportError::ReaderGone) => {
                (ErrorCode::ReaderNotFound, ErrorDetail::default())
            }
            CardError::Transport(TransportError::NoService) => {
                (ErrorCode::ReaderServiceUnavailable, ErrorDetail::default())
            }
            CardError::Transport(TransportError::Other(_)) => {
                (ErrorCode::CardError, ErrorDetail::default())
            }
            CardError::NotJpki | CardError::WrongToken(CardKind::Other) => {
                (ErrorCode::NotMyNumberCard, ErrorDetail::default())
            }
            CardError::WrongToken(CardKind::Juki) => (ErrorCode::JukiCard, ErrorDetail::default()),
            CardError::WrongToken(_) => (ErrorCode::NotMyNumberCard, ErrorDetail::default()),
            CardError::PinWrong { tries_left } => {
                (ErrorCode::PinWrong, ErrorDetail::tries(*tries_left))
            }
            CardError::PinLocked => (ErrorCode::PinLocked, ErrorDetail::tries(0)),
            CardError::Unexpected { .. } | CardError::Malformed(_) => {
                (ErrorCode::CardError, ErrorDetail::default())
            }
        }
    }
}

impl From<TransportError> for CardError {
    fn from(e: TransportError) -> Self {
        CardError::Transport(e)
    }
}

/// Largest certificate we read: READ BINARY offsets are 15 bits.
const MAX_EF_LEN: usize = 0x7FFF;

pub struct Jpki<'t, T: Transport + ?Sized> {
    t: &'t mut T,
}

impl<'t, T: Transport + ?Sized> Jpki<'t, T> {
    pub fn new(t: &'t mut T) -> Self {
        Jpki { t }
    }

    /// Sends one APDU, following `61xx` (GET RESPONSE) and `6Cxx` (wrong Le) the way ISO 7816
    /// asks; a T=1 card should not send them, but readers and cards do surprising things.
    fn send(&mut self, capdu: &[u8]) -> Result<Response, CardError> {
        let raw = self.t.transmit(capdu)?;
        let mut r = Response::parse(&raw).ok_or(CardError::Malformed("short response"))?;
        if r.sw >> 8 == 0x6C && capdu.len() == 5 {
            let mut again = capdu.to_vec();
            again[4] = (r.sw & 0xFF) as u8;
            let raw = self.t.transmit(&again)?;
            r = Response::parse(&raw).ok_or(CardError::Malformed("short response"))?;
        }
        let mut data = std::mem::take(&mut r.data);
        let mut guard = 0;
        while r.sw >> 8 == 0x61 && guard < 64 {
            let raw = self
                .t
                .transmit(&[0x00, 0xC0, 0x00, 0x00, (r.sw & 0xFF) as u8])?;
            r = Response::parse(&raw).ok_or(CardError::Malformed("short response"))?;
            data.extend_from_slice(&r.data);
            guard += 1;
        }
        Ok(Response { data, sw: r.sw })
    }

    fn expect_ok(&mut self, capdu: &[u8], step: &'static str) -> Result<Vec<u8>, CardError> {
        let r = self.send(capdu)?;
        if r.ok() {
            Ok(r.data)
        } else {
            Err(CardError::Unexpected { step, sw: r.sw })
        }
    }

    pub fn select_jpki(&mut self) -> Result<(), CardError> {
        let r = self.send(&apdu::select_df(&apdu::AID_JPKI))?;
        match r.sw {
            apdu::SW_OK => Ok(()),
            // Not found, or a card that does not even speak ISO 7816-4 SELECT.
            apdu::SW_FILE_NOT_FOUND
            | apdu::SW_WRONG_P1P2
            | apdu::SW_INS_NOT_SUPPORTED
            | apdu::SW_CLA_NOT_SUPPORTED => Err(CardError::NotJpki),
            sw => Err(CardError::Unexpected {
                step: "select JPKI",
                sw,
            }),
        }
    }

    fn select_ef(&mut self, fid: u16, step: &'static str) -> Result<(), CardError> {
        self.expect_ok(&apdu::select_ef(fid), step).map(|_| ())
    }

    /// What kind of card this is, from the JPKI token (docs/reference/jpki.md §1.2).
    pub fn identify(&mut self) -> Result<CardKind, CardError> {
        match self.select_jpki() {
            Ok(()) => {}
            Err(CardError::NotJpki) => return Ok(CardKind::Other),
            Err(e) => return Err(e),
        }
        self.select_ef(apdu::EF_TOKEN, "select token")?;
        let data = self.expect_ok(&apdu::read_binary(0, 0x20), "read token")?;
        let token: String = data
            .iter()
            .take_while(|b| **b != 0)
            .map(|b| *b as char)
            .collect::<String>()
            .trim()
            .to_string();
        Ok(match token.as_str() {
            apdu::TOKEN_MY_NUMBER => CardKind::MyNumber,
            apdu::TOKEN_JUKI => CardKind::Juki,
            apdu::TOKEN_SMARTPHONE => CardKind::Smartphone,
            _ => CardKind::Other,
        })
    }

    /// Selects the JPKI AP and checks that this is a My Number card.
    pub fn require_my_number(&mut self) -> Result<(), CardError> {
        match self.identify()? {
            CardKind::MyNumber => Ok(()),
            CardKind::Other => Err(CardError::NotJpki),
            other => Err(CardError::WrongToken(other)),
        }
    }

    /// Reads a DER object from the current EF: the 4-byte header gives the exact length,
    /// then ≤ 256-byte chunks; a short chunk is followed up, never assumed to be the end.
    fn read_der(&mut self, step: &'static str) -> Result<Vec<u8>, CardError> {
        let head = self.expect_ok(&apdu::read_binary(0, 4), step)?;
        if head.len() < 2 || head[0] != 0x30 {
            return Err(CardError::Malformed("not a DER SEQUENCE"));
        }
        let total = match head[1] {
            n if n < 0x80 => usize::from(n) + 2,
            0x81 if head.len() >= 3 => usize::from(head[2]) + 3,
            0x82 if head.len() >= 4 => (usize::from(head[2]) << 8 | usize::from(head[3])) + 4,
            _ => return Err(CardError::Malformed("unsupported DER length")),
        };
        if total > MAX_EF_LEN {
            return Err(CardError::Malformed("certificate too large"));
        }
        let mut out = head;
        out.truncate(total);
        while out.len() < total {
            let want = (total - out.len()).min(256);
            let le = if want == 256 { 0 } else { want as u8 };
            let chunk = self.expect_ok(&apdu::read_binary(out.len() as u16, le), step)?;
            if chunk.is_empty() {
                return Err(CardError::Malformed("empty read"));
            }
            let take = chunk.len().min(total - out.len());
            out.extend_from_slice(&chunk[..take]);
        }
        Ok(out)
    }

    /// The 利用者証明用電子証明書 (free to read; no PIN).
    pub fn read_auth_certificate(&mut self) -> Result<Vec<u8>, CardError> {
        self.select_ef(apdu::EF_AUTH_CERT, "select auth certificate")?;
        self.read_der("read auth certificate")
    }

    /// Tries left on the 利用者証明用 PIN, without spending one. 0 = locked.
    pub fn auth_pin_tries(&mut self) -> Result<u8, CardError> {
        self.select_ef(apdu::EF_AUTH_PIN, "select auth PIN")?;
        let r = self.send(&apdu::pin_tries())?;
        match r.sw {
            apdu::SW_REFERENCED_DATA_BLOCKED | apdu::SW_AUTH_METHOD_BLOCKED => Ok(0),
            // Some cards answer 9000 when nothing was ever wrong; treat it as full.
            apdu::SW_OK => Ok(3),
            sw => apdu::tries_from_sw(sw).ok_or(CardError::Unexpected {
                step: "PIN tries",
                sw,
            }),
        }
    }

    /// VERIFY the 利用者証明用 PIN. Exactly one attempt: never retried here.
    pub fn verify_auth_pin(&mut self, pin: &[u8]) -> Result<(), CardError> {
        self.select_ef(apdu::EF_AUTH_PIN, "select auth PIN")?;
        let r = self.send(&apdu::verify(pin))?;
        match r.sw {
            apdu::SW_OK => Ok(()),
            apdu::SW_REFERENCED_DATA_BLOCKED | apdu::SW_AUTH_METHOD_BLOCKED | 0x63C0 => {
                Err(CardError::PinLocked)
            }
            sw => match apdu::tries_from_sw(sw) {
                Some(n) => Err(CardError::PinWrong { tries_left: n }),
                None => Err(CardError::Unexpected {
                    step: "verify PIN",
                    sw,
                }),
            },
        }
    }

    /// Signs `message` with the user-authentication key: SHA-256, DigestInfo, the card pads.
    /// The PIN must have been verified in the same transaction.
    pub fn sign_auth(&mut self, message: &[u8]) -> Result<Vec<u8>, CardError> {
        self.select_ef(apdu::EF_AUTH_KEY, "select auth key")?;
        let hash: [u8; 32] = Sha256::digest(message).into();
        let di = apdu::sha256_digest_info(&hash);
        self.expect_ok(&apdu::compute_signature(&di), "sign")
    }
}
