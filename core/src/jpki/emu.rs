//! A software My Number card answering the JPKI APDUs the way the real card does
//! (docs/reference/jpki.md §5): the simulator mode, the browser demo and the tests all use it,
//! and the companion's test rig puts it behind a real pcscd through vpcd.

use super::apdu::{self, *};
use super::client::{Transport, TransportError};
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use std::collections::BTreeMap;

#[derive(Clone)]
struct PinState {
    value: Vec<u8>,
    max: u8,
    remaining: u8,
}

/// What the card is, for scenario tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Personality {
    /// A My Number card.
    MyNumber,
    /// An old 住基カード (JPKI present, older token).
    Juki,
    /// A card without the JPKI application (a credit card, or one inserted upside down).
    Foreign,
}

type Hook = Box<dyn FnMut(&[u8]) -> Option<Vec<u8>> + Send>;

pub struct EmuCard {
    personality: Personality,
    files: BTreeMap<u16, Vec<u8>>,
    pins: BTreeMap<u16, PinState>,
    /// key EF → (key, guarding PIN EF)
    keys: BTreeMap<u16, (RsaPrivateKey, u16)>,
    /// EFs readable only after their PIN is verified (signing certificate).
    read_guard: BTreeMap<u16, u16>,
    in_jpki: bool,
    current_ef: Option<u16>,
    verified: Vec<u16>,
    /// Every C-APDU received, VERIFY payloads masked, for assertions.
    pub log: Vec<String>,
    /// Fault injection: when it returns Some, that R-APDU is sent instead.
    hook: Option<Hook>,
}

impl EmuCard {
    /// A My Number card with the given user-authentication certificate (DER) and key,
    /// PIN `pin` (4 digits) with 3 tries.
    pub fn my_number(auth_cert: Vec<u8>, auth_key: RsaPrivateKey, pin: &str) -> EmuCard {
        let mut card = EmuCard {
            personality: Personality::MyNumber,
            files: BTreeMap::new(),
            pins: BTreeMap::new(),
            keys: BTreeMap::new(),
            read_guard: BTreeMap::new(),
            in_jpki: false,
            current_ef: None,
            verified: Vec::new(),
            log: Vec::new(),
            hook: None,
        };
        let mut token = apdu::TOKEN_MY_NUMBER.as_bytes().to_vec();
        token.resize(0x20, 0);
        card.files.insert(EF_TOKEN, token);
        card.files.insert(EF_AUTH_CERT, auth_cert);
        card.pins.insert(
            EF_AUTH_PIN,
            PinState {
                value: pin.as_bytes().to_vec(),
                max: 3,
                remaining: 3,
            },
        );
        card.pins.insert(
            EF_SIGN_PIN,
            PinState {
                value: b"ABC123".to_vec(),
                max: 5,
                remaining: 5,
            },
        );
        card.keys.insert(EF_AUTH_KEY, (auth_key, EF_AUTH_PIN));
        card
    }

    /// Adds the CA certificate EF (`000B`).
    pub fn with_ca_certificate(mut self, der: Vec<u8>) -> EmuCard {
        self.files.insert(EF_AUTH_CA_CERT, der);
        self
    }

    /// Adds a signing certificate EF guarded by the signing password (6–16 chars, 5 tries).
    pub fn with_signing(mut self, cert: Vec<u8>, key: RsaPrivateKey) -> EmuCard {
        self.files.insert(EF_SIGN_CERT, cert);
        self.read_guard.insert(EF_SIGN_CERT, EF_SIGN_PIN);
        self.keys.insert(EF_SIGN_KEY, (key, EF_SIGN_PIN));
        self
    }

    pub fn with_personality(mut self, p: Personality) -> EmuCard {
        self.personality = p;
        if p == Personality::Juki {
            let mut token = apdu::TOKEN_JUKI.as_bytes().to_vec();
            token.resize(0x20, 0);
            self.files.insert(EF_TOKEN, token);
        }
        self
    }

    /// Sets how many tries are left on the authentication PIN (0 = locked).
    pub fn with_auth_tries(mut self, n: u8) -> EmuCard {
        if let Some(p) = self.pins.get_mut(&EF_AUTH_PIN) {
            p.remaining = n.min(p.max);
        }
        self
    }

    pub fn with_hook(
        mut self,
        hook: impl FnMut(&[u8]) -> Option<Vec<u8>> + Send + 'static,
    ) -> EmuCard {
        self.hook = Some(Box::new(hook));
        self
    }

    pub fn auth_tries_left(&self) -> u8 {
        self.pins.get(&EF_AUTH_PIN).map_or(0, |p| p.remaining)
    }

    /// A power cycle or reset: the security state goes, as on a real card.
    pub fn reset(&mut self) {
        self.in_jpki = false;
        self.current_ef = None;
        self.verified.clear();
    }

    pub fn atr(&self) -> &'static [u8] {
        &ATR_MY_NUMBER
    }

    /// Processes one C-APDU into an R-APDU (data ‖ SW1 SW2).
    pub fn process(&mut self, c: &[u8]) -> Vec<u8> {
        self.log.push(log_hex(c));
        if let Some(hook) = self.hook.as_mut() {
            if let Some(r) = hook(c) {
                return r;
            }
        }
        let (data, sw) = self.dispatch(c);
        let mut out = data;
        out.extend_from_slice(&sw.to_be_bytes());
        out
    }

    fn dispatch(&mut self, c: &[u8]) -> (Vec<u8>, u16) {
        if c.len() < 4 {
            return (vec![], SW_WRONG_LENGTH);
        }
        let (cla, ins, p1, p2) = (c[0], c[1], c[2], c[3]);
        let body = if c.len() > 5 {
            let lc = usize::from(c[4]);
            if c.len() < 5 + lc {
                return (vec![], SW_WRONG_LENGTH);
            }
            &c[5..5 + lc]
        } else {
            &[][..]
        };
        match (cla, ins) {
            (0x00, 0xA4) => self.select(p1, p2, body),
            (0x00, 0xB0) => self.read_binary(p1, p2, c.get(4).copied()),
            (0x00, 0x20) => self.verify(p1, p2, body),
            (0x80, 0x2A) => self.sign(p1, p2, body),
            (0x00 | 0x80, _) => (vec![], SW_INS_NOT_SUPPORTED),
            _ => (vec![], SW_CLA_NOT_SUPPORTED),
        }
    }

    fn select(&mut self, p1: u8, p2: u8, body: &[u8]) -> (Vec<u8>, u16) {
        match (p1, p2) {
            (0x04, 0x0C) => {
                let known = body == AID_JPKI
                    || (self.personality == Personality::MyNumber
                        && (body == AID_KENHOJO || body == AID_KENKAKU));
                if self.personality == Personality::Foreign || !known {
                    return (vec![], SW_FILE_NOT_FOUND);
                }
                self.in_jpki = body == AID_JPKI;
                self.current_ef = None;
                self.verified.clear();
                (vec![], SW_OK)
            }
            (0x02, 0x0C) if body.len() == 2 => {
                let fid = u16::from_be_bytes([body[0], body[1]]);
                let exists = self.in_jpki
                    && (self.files.contains_key(&fid)
                        || self.pins.contains_key(&fid)
                        || self.keys.contains_key(&fid));
                if exists {
                    self.current_ef = Some(fid);
                    (vec![], SW_OK)
                } else {
                    (vec![], SW_FILE_NOT_FOUND)
                }
            }
            _ => (vec![], SW_WRONG_P1P2),
        }
    }

    fn read_binary(&mut self, p1: u8, p2: u8, le: Option<u8>) -> (Vec<u8>, u16) {
        if p1 & 0x80 != 0 {
            return (vec![], SW_WRONG_P1P2);
        }
        let Some(ef) = self.current_ef else {
            return (vec![], SW_COMMAND_NOT_ALLOWED_NO_EF);
        };
        if self.pins.contains_key(&ef) || self.keys.contains_key(&ef) {
            return (vec![], SW_INCOMPATIBLE_FILE);
        }
        if let Some(pin) = self.read_guard.get(&ef) {
            if !self.verified.contains(pin) {
                return (vec![], SW_SECURITY_NOT_SATISFIED);
            }
        }
        let Some(data) = self.files.get(&ef) else {
            return (vec![], SW_COMMAND_NOT_ALLOWED_NO_EF);
        };
        let offset = usize::from(u16::from_be_bytes([p1, p2]));
        if offset > data.len() {
            return (vec![], SW_WRONG_OFFSET);
        }
        let want = match le {
            Some(0) | None => 256,
            Some(n) => usize::from(n),
        };
        let end = (offset + want).min(data.len());
        (data[offset..end].to_vec(), SW_OK)
    }

    fn verify(&mut self, p1: u8, p2: u8, body: &[u8]) -> (Vec<u8>, u16) {
        if (p1, p2) != (0x00, 0x80) {
            return (vec![], SW_WRONG_P1P2);
        }
        let Some(ef) = self.current_ef else {
            return (vec![], SW_COMMAND_NOT_ALLOWED_NO_EF);
        };
        let Some(pin) = self.pins.get_mut(&ef) else {
            return (vec![], SW_INCOMPATIBLE_FILE);
        };
        if pin.remaining == 0 {
            return (vec![], SW_REFERENCED_DATA_BLOCKED);
        }
        if body.is_empty() {
            return (vec![], 0x63C0 | u16::from(pin.remaining));
        }
        if body == pin.value.as_slice() {
            pin.remaining = pin.max;
            if !self.verified.contains(&ef) {
                self.verified.push(ef);
            }
            (vec![], SW_OK)
        } else {
            pin.remaining -= 1;
            self.verified.retain(|v| *v != ef);
            (vec![], 0x63C0 | u16::from(pin.remaining))
        }
    }

    fn sign(&mut self, p1: u8, p2: u8, body: &[u8]) -> (Vec<u8>, u16) {
        if (p1, p2) != (0x00, 0x80) {
            return (vec![], SW_WRONG_P1P2);
        }
        let Some(ef) = self.current_ef else {
            return (vec![], SW_COMMAND_NOT_ALLOWED_NO_EF);
        };
        let Some((key, guard)) = self.keys.get(&ef) else {
            return (vec![], SW_INCOMPATIBLE_FILE);
        };
        if !self.verified.contains(guard) {
            return (vec![], SW_SECURITY_NOT_SATISFIED);
        }
        match key.sign(Pkcs1v15Sign::new_unprefixed(), body) {
            Ok(sig) => (sig, SW_OK),
            Err(_) => (vec![], SW_WRONG_LENGTH),
        }
    }
}

impl Transport for EmuCard {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        Ok(self.process(capdu))
    }
}
