//! The My Number card's JPKI application: identifiers, command APDUs, status words
//! (docs/reference/jpki.md §1). Short APDUs only, as every implementation uses.

/// JPKI AP (公的個人認証).
pub const AID_JPKI: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
/// 券面事項入力補助AP.
pub const AID_KENHOJO: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];
/// 券面AP.
pub const AID_KENKAKU: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02];

pub const EF_TOKEN: u16 = 0x0006;
pub const EF_AUTH_CERT: u16 = 0x000A;
pub const EF_AUTH_CA_CERT: u16 = 0x000B;
pub const EF_AUTH_KEY: u16 = 0x0017;
pub const EF_AUTH_PIN: u16 = 0x0018;
pub const EF_SIGN_CERT: u16 = 0x0001;
pub const EF_SIGN_KEY: u16 = 0x001A;
pub const EF_SIGN_PIN: u16 = 0x001B;

/// The ATR of a My Number card (OpenSC's table); informative only — identify by SELECT.
pub const ATR_MY_NUMBER: [u8; 9] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];

pub const TOKEN_MY_NUMBER: &str = "JPKIAPICCTOKEN2";
pub const TOKEN_JUKI: &str = "JPKIAPICCTOKEN";
pub const TOKEN_SMARTPHONE: &str = "JPKIAPGPSETOKEN";

/// DER prefix of a SHA-256 DigestInfo; the card pads it with PKCS#1 v1.5.
pub const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

pub fn select_df(aid: &[u8]) -> Vec<u8> {
    let mut v = vec![0x00, 0xA4, 0x04, 0x0C, aid.len() as u8];
    v.extend_from_slice(aid);
    v
}

pub fn select_ef(fid: u16) -> Vec<u8> {
    let [hi, lo] = fid.to_be_bytes();
    vec![0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo]
}

/// READ BINARY at a 15-bit offset; `le` 0 means 256.
pub fn read_binary(offset: u16, le: u8) -> Vec<u8> {
    let [hi, lo] = (offset & 0x7FFF).to_be_bytes();
    vec![0x00, 0xB0, hi, lo, le]
}

/// VERIFY with no data: asks the tries left without spending one.
pub fn pin_tries() -> Vec<u8> {
    vec![0x00, 0x20, 0x00, 0x80]
}

pub fn verify(pin: &[u8]) -> zeroize::Zeroizing<Vec<u8>> {
    let mut v = zeroize::Zeroizing::new(Vec::with_capacity(5 + pin.len()));
    v.extend_from_slice(&[0x00, 0x20, 0x00, 0x80, pin.len() as u8]);
    v.extend_from_slice(pin);
    v
}

pub fn compute_signature(digest_info: &[u8]) -> Vec<u8> {
    let mut v = vec![0x80, 0x2A, 0x00, 0x80, digest_info.len() as u8];
    v.extend_from_slice(digest_info);
    v.push(0x00);
    v
}

pub fn sha256_digest_info(hash: &[u8; 32]) -> Vec<u8> {
    let mut v = SHA256_DIGEST_INFO_PREFIX.to_vec();
    v.extend_from_slice(hash);
    v
}

/// A response APDU split into data and status word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub data: Vec<u8>,
    pub sw: u16,
}

impl Response {
    pub fn parse(raw: &[u8]) -> Option<Response> {
        if raw.len() < 2 {
            return None;
        }
        let (data, sw) = raw.split_at(raw.len() - 2);
        Some(Response {
            data: data.to_vec(),
            sw: u16::from_be_bytes([sw[0], sw[1]]),
        })
    }
    pub fn ok(&self) -> bool {
        self.sw == SW_OK
    }
}

pub const SW_OK: u16 = 0x9000;
pub const SW_SECURITY_NOT_SATISFIED: u16 = 0x6982;
pub const SW_AUTH_METHOD_BLOCKED: u16 = 0x6983;
pub const SW_REFERENCED_DATA_BLOCKED: u16 = 0x6984;
pub const SW_COMMAND_NOT_ALLOWED_NO_EF: u16 = 0x6986;
pub const SW_INCOMPATIBLE_FILE: u16 = 0x6981;
pub const SW_FILE_NOT_FOUND: u16 = 0x6A82;
pub const SW_WRONG_P1P2: u16 = 0x6A86;
pub const SW_WRONG_OFFSET: u16 = 0x6B00;
pub const SW_WRONG_LENGTH: u16 = 0x6700;
pub const SW_INS_NOT_SUPPORTED: u16 = 0x6D00;
pub const SW_CLA_NOT_SUPPORTED: u16 = 0x6E00;

/// `63Cx` → Some(x).
pub fn tries_from_sw(sw: u16) -> Option<u8> {
    if sw & 0xFFF0 == 0x63C0 {
        Some((sw & 0x000F) as u8)
    } else {
        None
    }
}

/// Hex for logs, with VERIFY's PIN bytes masked.
pub fn log_hex(apdu: &[u8]) -> String {
    let masked = apdu.len() > 5 && apdu[1] == 0x20;
    apdu.iter()
        .enumerate()
        .map(|(i, b)| {
            if masked && i >= 5 {
                "**".to_string()
            } else {
                format!("{b:02X}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_bytes_match_the_reference() {
        assert_eq!(
            select_df(&AID_JPKI),
            [
                0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00,
                0x01
            ]
        );
        assert_eq!(
            select_ef(EF_AUTH_CERT),
            [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A]
        );
        assert_eq!(read_binary(0x0104, 0), [0x00, 0xB0, 0x01, 0x04, 0x00]);
        assert_eq!(
            &verify(b"1234")[..],
            [0x00, 0x20, 0x00, 0x80, 0x04, 0x31, 0x32, 0x33, 0x34]
        );
        assert_eq!(
            compute_signature(&[0xAA; 51])[..5],
            [0x80, 0x2A, 0x00, 0x80, 0x33]
        );
        assert_eq!(tries_from_sw(0x63C2), Some(2));
        assert_eq!(tries_from_sw(0x9000), None);
    }

    #[test]
    fn logs_mask_the_pin() {
        let line = log_hex(&verify(b"4821"));
        assert_eq!(line, "00 20 00 80 04 ** ** ** **");
    }
}
