//! How a page and the companion prove to each other that they share the key set up at
//! pairing, without sending anything reusable: each side draws a fresh nonce, and each
//! proof is HMAC-SHA-256 under the shared key over a label saying who proves, the page's
//! origin, the address the page dialled (`host:port`), and both nonces. A proof seen by a
//! program squatting a port is bound to that squatter's address and nonces, so it is
//! worthless anywhere else. See docs/protocol.md, "Pairing and authentication".

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

/// Bytes in the shared key, a nonce, and a proof.
pub const KEY_LEN: usize = 32;
pub const NONCE_LEN: usize = 32;

const PAGE_LABEL: &[u8] = b"ukemi/2 page proof";
const COMPANION_LABEL: &[u8] = b"ukemi/2 companion proof";

/// The key shared by one page origin and one companion. Wiped when dropped; `Debug` never
/// shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedKey(Zeroizing<[u8; KEY_LEN]>);

impl SharedKey {
    pub fn from_bytes(b: [u8; KEY_LEN]) -> SharedKey {
        SharedKey(Zeroizing::new(b))
    }
    /// Reads the hex form kept by the page or in the companion's pairing file.
    pub fn from_hex(s: &str) -> Option<SharedKey> {
        let v = from_hex(s)?;
        let b: [u8; KEY_LEN] = v.try_into().ok()?;
        Some(SharedKey::from_bytes(b))
    }
    pub fn to_hex(&self) -> String {
        hex(&self.0[..])
    }

    fn mac(&self, label: &[u8], parts: &[&[u8]]) -> [u8; 32] {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.0[..])
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        m.update(label);
        for p in parts {
            // Length-prefixed, so ("ab","c") and ("a","bc") never collide.
            m.update(&(p.len() as u32).to_be_bytes());
            m.update(p);
        }
        m.finalize().into_bytes().into()
    }
}

impl core::fmt::Debug for SharedKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SharedKey(****)")
    }
}

/// What binds a proof to one connection.
#[derive(Debug, Clone, Copy)]
pub struct Binding<'a> {
    /// The page's origin, as the companion saw it in the handshake.
    pub origin: &'a str,
    /// The `host:port` the page dialled (the handshake's `Host`).
    pub host: &'a str,
    /// The companion's nonce (sent in `HELLO`).
    pub companion_nonce: &'a [u8],
    /// The page's nonce (sent in `AUTH`).
    pub page_nonce: &'a [u8],
}

/// The page's proof, sent in `AUTH`.
pub fn page_proof(key: &SharedKey, b: &Binding<'_>) -> [u8; 32] {
    key.mac(
        PAGE_LABEL,
        &[
            b.origin.as_bytes(),
            b.host.as_bytes(),
            b.companion_nonce,
            b.page_nonce,
        ],
    )
}

/// The companion's proof, sent in `AUTHENTICATED`. Its nonces are in the other order and
/// its label differs, so it can never be a replay of the page's own proof.
pub fn companion_proof(key: &SharedKey, b: &Binding<'_>) -> [u8; 32] {
    key.mac(
        COMPANION_LABEL,
        &[
            b.origin.as_bytes(),
            b.host.as_bytes(),
            b.page_nonce,
            b.companion_nonce,
        ],
    )
}

/// Compares a received hex proof with the expected one in constant time.
pub fn proof_matches(expected: &[u8; 32], received_hex: &str) -> bool {
    let Some(got) = from_hex(received_hex) else {
        return false;
    };
    got.len() == expected.len()
        && got
            .iter()
            .zip(expected.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub fn hex(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(D[(b >> 4) as usize] as char);
        s.push(D[(b & 15) as usize] as char);
    }
    s
}

pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.len() > 256 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    s.as_bytes()
        .chunks(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding<'a>(host: &'a str, nc: &'a [u8], np: &'a [u8]) -> Binding<'a> {
        Binding {
            origin: "http://127.0.0.1:47615",
            host,
            companion_nonce: nc,
            page_nonce: np,
        }
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        // The primitive itself, against the published vector ("Jefe").
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(b"Jefe").expect("key");
        m.update(b"what do ya want for nothing?");
        assert_eq!(
            hex(&m.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn proofs_bind_key_address_and_both_nonces() {
        let k = SharedKey::from_bytes([7; 32]);
        let (nc, np) = ([1u8; 32], [2u8; 32]);
        let b = binding("127.0.0.1:47615", &nc, &np);
        let p = page_proof(&k, &b);
        assert!(proof_matches(&p, &hex(&p)));
        // The companion's proof is not the page's, so a page proof cannot be echoed back.
        assert_ne!(companion_proof(&k, &b), p);
        // Another port (a squatter relaying to the real companion), other nonces, another
        // key: all different.
        assert_ne!(page_proof(&k, &binding("127.0.0.1:47616", &nc, &np)), p);
        assert_ne!(page_proof(&k, &binding("127.0.0.1:47615", &np, &nc)), p);
        assert_ne!(
            page_proof(&SharedKey::from_bytes([8; 32]), &b),
            page_proof(&k, &b)
        );
        assert!(!proof_matches(&p, "00"));
        assert!(!proof_matches(&p, "zz"));
        assert!(!proof_matches(&p, &hex(&p)[..62]));
    }

    #[test]
    fn key_round_trips_as_hex_and_never_prints() {
        let k = SharedKey::from_bytes([0xab; 32]);
        assert_eq!(SharedKey::from_hex(&k.to_hex()), Some(k.clone()));
        assert!(!format!("{k:?}").contains("ab"));
        assert_eq!(SharedKey::from_hex("abcd"), None);
    }
}
