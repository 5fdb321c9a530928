//! Reading a PKCS#12 (.p12/.pfx) file — the form certificate authorities hand a clinic's
//! certificate out in — into its certificate chain and private key (RFC 7292; see
//! docs/companion.md). Built on stable RustCrypto primitives only: the container is a few
//! ASN.1 sequences read with `der`, and the two encryption families a real file uses are
//! implemented here:
//! - PBES2 (PBKDF2 with HMAC-SHA-1/256, AES-128/192/256-CBC or 3DES-CBC): OpenSSL 3's and
//!   Windows' current default;
//! - the PKCS#12 PBEs with SHA-1 (3DES-CBC, RC2-CBC 40/128 bits) and the PKCS#12 key
//!   derivation (appendix B): older exports, still common.
//!
//! The integrity MAC (HMAC-SHA-1/256 with the PKCS#12 key derivation) is checked first, so
//! a wrong password is named as such. Never panics on input.

use der::asn1::{AnyRef, ObjectIdentifier as Oid};
use der::{Decode, Encode, Reader, SliceReader, Tag, TagNumber, Tagged};
use zeroize::Zeroizing;

const DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
const ENCRYPTED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.6");
const KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.1");
const SHROUDED_KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.3");
const X509_CERT: Oid = Oid::new_unwrap("1.2.840.113549.1.9.22.1");
const LOCAL_KEY_ID: Oid = Oid::new_unwrap("1.2.840.113549.1.9.21");
const PBES2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.13");
const PBKDF2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.12");
const HMAC_SHA1: Oid = Oid::new_unwrap("1.2.840.113549.2.7");
const HMAC_SHA256: Oid = Oid::new_unwrap("1.2.840.113549.2.9");
const AES128_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.2");
const AES192_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.22");
const AES256_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.42");
const DES_EDE3_CBC: Oid = Oid::new_unwrap("1.2.840.113549.3.7");
const PBE_SHA1_3DES: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.3");
const PBE_SHA1_RC2_128: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.5");
const PBE_SHA1_RC2_40: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.6");
const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");

/// A bound on PBKDF2 and PKCS#12 iterations: real files use 2,048–600,000; a file asking
/// for more would only make the companion hang.
const MAX_ITERATIONS: u32 = 10_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum P12Error {
    /// Not PKCS#12, or a structure this reader does not know.
    Format(String),
    /// The integrity check failed: almost always a wrong password.
    WrongPassword,
    /// An encryption or MAC algorithm this reader does not implement.
    Unsupported(String),
    NoKey,
    NoCertificate,
}

impl std::fmt::Display for P12Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            P12Error::Format(why) => write!(f, "PKCS#12 として読めません / not a readable PKCS#12 file: {why}"),
            P12Error::WrongPassword => write!(f, "PKCS#12 のパスワードが違います / wrong PKCS#12 password"),
            P12Error::Unsupported(what) => write!(
                f,
                "この PKCS#12 の暗号方式には対応していません（AES か 3DES で書き出し直してください）/ unsupported PKCS#12 algorithm {what} (export it again with AES or 3DES)"
            ),
            P12Error::NoKey => write!(f, "PKCS#12 に秘密鍵が入っていません / no private key in the PKCS#12 file"),
            P12Error::NoCertificate => write!(f, "PKCS#12 に証明書が入っていません / no certificate in the PKCS#12 file"),
        }
    }
}

impl std::error::Error for P12Error {}

/// What a PKCS#12 file holds: the private key (PKCS#8 DER) and the certificates, the one
/// matching the key first.
pub struct Contents {
    pub key_pkcs8: Zeroizing<Vec<u8>>,
    pub certs: Vec<Vec<u8>>,
}

fn fmt_err(e: impl std::fmt::Display) -> P12Error {
    P12Error::Format(e.to_string())
}

/// The elements of a constructed value (a SEQUENCE's or SET's contents, or an explicit tag's).
fn items(value: &[u8]) -> Result<Vec<AnyRef<'_>>, P12Error> {
    let mut r = SliceReader::new(value).map_err(fmt_err)?;
    let mut out = Vec::new();
    while !r.is_finished() {
        out.push(AnyRef::decode(&mut r).map_err(fmt_err)?);
    }
    Ok(out)
}

fn sequence<'a>(any: &AnyRef<'a>) -> Result<Vec<AnyRef<'a>>, P12Error> {
    if any.tag() != Tag::Sequence && any.tag() != Tag::Set {
        return Err(P12Error::Format(format!(
            "expected a SEQUENCE, found {}",
            any.tag()
        )));
    }
    items(any.value())
}

fn oid(any: &AnyRef<'_>) -> Result<Oid, P12Error> {
    any.decode_as::<Oid>().map_err(fmt_err)
}

fn octets<'a>(any: &AnyRef<'a>) -> Result<&'a [u8], P12Error> {
    if any.tag() != Tag::OctetString {
        return Err(P12Error::Format(format!(
            "expected an OCTET STRING, found {}",
            any.tag()
        )));
    }
    Ok(any.value())
}

fn uint(any: &AnyRef<'_>) -> Result<u32, P12Error> {
    any.decode_as::<u32>().map_err(fmt_err)
}

/// The content of `[n]` EXPLICIT: the one value inside.
fn explicit<'a>(any: &AnyRef<'a>, n: u8) -> Result<AnyRef<'a>, P12Error> {
    let expected = Tag::ContextSpecific {
        constructed: true,
        number: TagNumber::new(n),
    };
    if any.tag() != expected {
        return Err(P12Error::Format(format!(
            "expected [{n}], found {}",
            any.tag()
        )));
    }
    items(any.value())?
        .into_iter()
        .next()
        .ok_or_else(|| P12Error::Format(format!("empty [{n}]")))
}

fn get<'a, 'b>(v: &'b [AnyRef<'a>], i: usize) -> Result<&'b AnyRef<'a>, P12Error> {
    v.get(i)
        .ok_or_else(|| P12Error::Format("a required field is missing".into()))
}

type KeyId = Option<Vec<u8>>;

/// Reads `der` (a whole .p12 file) with `password`.
pub fn parse(der: &[u8], password: &str) -> Result<Contents, P12Error> {
    let pfx = AnyRef::from_der(der).map_err(fmt_err)?;
    let pfx = sequence(&pfx)?;
    if uint(get(&pfx, 0)?)? != 3 {
        return Err(P12Error::Format("not PKCS#12 version 3".into()));
    }
    let auth_safe = sequence(get(&pfx, 1)?)?;
    if oid(get(&auth_safe, 0)?)? != DATA {
        return Err(P12Error::Unsupported("public-key integrity mode".into()));
    }
    let content = octets(&explicit(get(&auth_safe, 1)?, 0)?)?;
    let mac = pfx.get(2).map(sequence).transpose()?;
    // An empty password is written either as nothing or as a lone terminator: try both.
    let secrets = Secret::candidates(password);
    let secret = match &mac {
        Some(mac) => secrets
            .into_iter()
            .find(|s| verify_mac(mac, content, s).unwrap_or(false))
            .ok_or(P12Error::WrongPassword)?,
        None => secrets.into_iter().next().ok_or(P12Error::WrongPassword)?,
    };
    // Each with its localKeyId, which pairs a key with its certificate.
    let mut keys: Vec<(KeyId, Zeroizing<Vec<u8>>)> = Vec::new();
    let mut certs: Vec<(KeyId, Vec<u8>)> = Vec::new();
    let infos = AnyRef::from_der(content).map_err(fmt_err)?;
    for info in sequence(&infos)? {
        let info = sequence(&info)?;
        let kind = oid(get(&info, 0)?)?;
        let safe_contents: Zeroizing<Vec<u8>> = if kind == DATA {
            Zeroizing::new(octets(&explicit(get(&info, 1)?, 0)?)?.to_vec())
        } else if kind == ENCRYPTED_DATA {
            let enc = sequence(&explicit(get(&info, 1)?, 0)?)?;
            let eci = sequence(get(&enc, 1)?)?;
            let alg = sequence(get(&eci, 1)?)?;
            // encryptedContent [0] IMPLICIT OCTET STRING: primitive, or constructed of pieces.
            let body = get(&eci, 2)?;
            let data = if body.tag().is_constructed() {
                items(body.value())?
                    .iter()
                    .map(|p| octets(p).map(<[u8]>::to_vec))
                    .collect::<Result<Vec<_>, _>>()?
                    .concat()
            } else {
                body.value().to_vec()
            };
            decrypt(&alg, &data, &secret)?
        } else {
            continue;
        };
        let bags = AnyRef::from_der(&safe_contents).map_err(fmt_err)?;
        for bag in sequence(&bags)? {
            let bag = sequence(&bag)?;
            let id = oid(get(&bag, 0)?)?;
            let value = explicit(get(&bag, 1)?, 0)?;
            let key_id = bag.get(2).and_then(|a| local_key_id(a).ok().flatten());
            if id == KEY_BAG {
                keys.push((key_id, Zeroizing::new(value.to_der().map_err(fmt_err)?)));
            } else if id == SHROUDED_KEY_BAG {
                let epki = sequence(&value)?;
                let alg = sequence(get(&epki, 0)?)?;
                keys.push((key_id, decrypt(&alg, octets(get(&epki, 1)?)?, &secret)?));
            } else if id == CERT_BAG {
                let cb = sequence(&value)?;
                if oid(get(&cb, 0)?)? == X509_CERT {
                    certs.push((key_id, octets(&explicit(get(&cb, 1)?, 0)?)?.to_vec()));
                }
            }
        }
    }
    let (key_id, key) = keys.into_iter().next().ok_or(P12Error::NoKey)?;
    if certs.is_empty() {
        return Err(P12Error::NoCertificate);
    }
    // The key's own certificate first (same localKeyId), then the rest of the chain.
    if let Some(i) = certs
        .iter()
        .position(|(id, _)| key_id.is_some() && *id == key_id)
    {
        let own = certs.remove(i);
        certs.insert(0, own);
    }
    Ok(Contents {
        key_pkcs8: key,
        certs: certs.into_iter().map(|(_, c)| c).collect(),
    })
}

fn local_key_id(attrs: &AnyRef<'_>) -> Result<Option<Vec<u8>>, P12Error> {
    for attr in sequence(attrs)? {
        let attr = sequence(&attr)?;
        if oid(get(&attr, 0)?)? == LOCAL_KEY_ID {
            let values = sequence(get(&attr, 1)?)?;
            return Ok(Some(octets(get(&values, 0)?)?.to_vec()));
        }
    }
    Ok(None)
}

/// The password in the two encodings the two families use.
struct Secret {
    /// UTF-8, for PBKDF2.
    utf8: Zeroizing<Vec<u8>>,
    /// UTF-16BE with a two-byte terminator, for the PKCS#12 key derivation.
    bmp: Zeroizing<Vec<u8>>,
}

impl Secret {
    fn candidates(password: &str) -> Vec<Secret> {
        let mut bmp: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
        bmp.extend([0, 0]);
        let main = Secret {
            utf8: Zeroizing::new(password.as_bytes().to_vec()),
            bmp: Zeroizing::new(bmp),
        };
        let mut out = vec![main];
        if password.is_empty() {
            out.push(Secret {
                utf8: Zeroizing::new(Vec::new()),
                bmp: Zeroizing::new(Vec::new()),
            });
        }
        out
    }
}

#[derive(Clone, Copy)]
enum Hash {
    Sha1,
    Sha256,
}

impl Hash {
    fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        use sha2::Digest;
        match self {
            Hash::Sha1 => {
                let mut h = sha1::Sha1::new();
                parts.iter().for_each(|p| h.update(p));
                h.finalize().to_vec()
            }
            Hash::Sha256 => {
                let mut h = sha2::Sha256::new();
                parts.iter().for_each(|p| h.update(p));
                h.finalize().to_vec()
            }
        }
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        use hmac::{Mac, SimpleHmac};
        match self {
            Hash::Sha1 => {
                let mut m = <SimpleHmac<sha1::Sha1> as Mac>::new_from_slice(key)
                    .expect("HMAC takes any key length");
                m.update(data);
                m.finalize().into_bytes().to_vec()
            }
            Hash::Sha256 => {
                let mut m = <SimpleHmac<sha2::Sha256> as Mac>::new_from_slice(key)
                    .expect("HMAC takes any key length");
                m.update(data);
                m.finalize().into_bytes().to_vec()
            }
        }
    }
}

/// RFC 7292 appendix B.2: `n` bytes of key material of kind `id` (1 key, 2 IV, 3 MAC key).
fn pkcs12_kdf(
    hash: Hash,
    password: &[u8],
    salt: &[u8],
    id: u8,
    rounds: u32,
    n: usize,
) -> Zeroizing<Vec<u8>> {
    const V: usize = 64; // the block size of SHA-1 and SHA-256
    let fill = |s: &[u8]| -> Vec<u8> {
        if s.is_empty() {
            return Vec::new();
        }
        let len = V * s.len().div_ceil(V);
        s.iter().copied().cycle().take(len).collect()
    };
    let d = [id; V];
    let mut i = Zeroizing::new([fill(salt), fill(password)].concat());
    let mut out = Zeroizing::new(Vec::with_capacity(n));
    while out.len() < n {
        let mut a = hash.digest(&[&d, &i]);
        for _ in 1..rounds {
            a = hash.digest(&[&a]);
        }
        let b: Vec<u8> = a.iter().copied().cycle().take(V).collect();
        for block in i.chunks_mut(V) {
            // block = (block + b + 1) mod 2^(8V), big-endian.
            let mut carry = 1u16;
            for (x, y) in block.iter_mut().rev().zip(b.iter().rev()) {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = sum as u8;
                carry = sum >> 8;
            }
        }
        out.extend_from_slice(&a);
    }
    out.truncate(n);
    out
}

fn verify_mac(mac: &[AnyRef<'_>], content: &[u8], secret: &Secret) -> Result<bool, P12Error> {
    let digest_info = sequence(get(mac, 0)?)?;
    let alg = sequence(get(&digest_info, 0)?)?;
    let expected = octets(get(&digest_info, 1)?)?;
    let salt = octets(get(mac, 1)?)?;
    let rounds = mac.get(2).map(uint).transpose()?.unwrap_or(1);
    check_rounds(rounds)?;
    let hash = match oid(get(&alg, 0)?)? {
        SHA1 => Hash::Sha1,
        SHA256 => Hash::Sha256,
        other => return Err(P12Error::Unsupported(format!("MAC {other}"))),
    };
    let len = expected.len();
    let key = pkcs12_kdf(hash, &secret.bmp, salt, 3, rounds, len);
    let got = hash.hmac(&key, content);
    Ok(got.len() == len && subtle_eq(&got, expected))
}

/// Constant-time comparison (no early exit on the first differing byte).
fn subtle_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn check_rounds(rounds: u32) -> Result<(), P12Error> {
    if rounds == 0 || rounds > MAX_ITERATIONS {
        return Err(P12Error::Format(format!("iteration count {rounds}")));
    }
    Ok(())
}

fn decrypt(
    alg: &[AnyRef<'_>],
    data: &[u8],
    secret: &Secret,
) -> Result<Zeroizing<Vec<u8>>, P12Error> {
    let id = oid(get(alg, 0)?)?;
    let params = get(alg, 1)?;
    if id == PBES2 {
        return pbes2(&sequence(params)?, data, secret);
    }
    let p = sequence(params)?;
    let salt = octets(get(&p, 0)?)?;
    let rounds = uint(get(&p, 1)?)?;
    check_rounds(rounds)?;
    let kdf = |kind, n| pkcs12_kdf(Hash::Sha1, &secret.bmp, salt, kind, rounds, n);
    match id {
        PBE_SHA1_3DES => cbc_decrypt::<des::TdesEde3>(&kdf(1, 24), &kdf(2, 8), data),
        PBE_SHA1_RC2_40 | PBE_SHA1_RC2_128 => {
            let bits = if id == PBE_SHA1_RC2_40 { 40 } else { 128 };
            let cipher = rc2::Rc2::new_with_eff_key_len(&kdf(1, bits / 8), bits);
            let iv = kdf(2, 8);
            use cbc::cipher::{BlockDecryptMut, InnerIvInit};
            let dec = cbc::Decryptor::inner_iv_slice_init(cipher, &iv)
                .map_err(|_| P12Error::Format("IV length".into()))?;
            dec.decrypt_padded_vec_mut::<cbc::cipher::block_padding::Pkcs7>(data)
                .map(Zeroizing::new)
                .map_err(|_| P12Error::WrongPassword)
        }
        other => Err(P12Error::Unsupported(other.to_string())),
    }
}

fn pbes2(
    params: &[AnyRef<'_>],
    data: &[u8],
    secret: &Secret,
) -> Result<Zeroizing<Vec<u8>>, P12Error> {
    let kdf = sequence(get(params, 0)?)?;
    if oid(get(&kdf, 0)?)? != PBKDF2 {
        return Err(P12Error::Unsupported(format!(
            "KDF {}",
            oid(get(&kdf, 0)?)?
        )));
    }
    let kp = sequence(get(&kdf, 1)?)?;
    let salt = octets(get(&kp, 0)?)?;
    let rounds = uint(get(&kp, 1)?)?;
    check_rounds(rounds)?;
    // keyLength (optional INTEGER) and prf (optional SEQUENCE, default HMAC-SHA-1).
    let prf = kp
        .iter()
        .skip(2)
        .find(|a| a.tag() == Tag::Sequence)
        .map(|a| sequence(a).and_then(|s| oid(get(&s, 0)?)))
        .transpose()?
        .unwrap_or(HMAC_SHA1);
    let scheme = sequence(get(params, 1)?)?;
    let cipher = oid(get(&scheme, 0)?)?;
    let iv = octets(get(&scheme, 1)?)?;
    let key_len = match cipher {
        AES128_CBC => 16,
        AES192_CBC => 24,
        AES256_CBC => 32,
        DES_EDE3_CBC => 24,
        other => return Err(P12Error::Unsupported(other.to_string())),
    };
    let mut key = Zeroizing::new(vec![0u8; key_len]);
    match prf {
        HMAC_SHA1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(&secret.utf8, salt, rounds, &mut key),
        HMAC_SHA256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(&secret.utf8, salt, rounds, &mut key),
        other => return Err(P12Error::Unsupported(format!("PRF {other}"))),
    }
    match cipher {
        AES128_CBC => cbc_decrypt::<aes::Aes128>(&key, iv, data),
        AES192_CBC => cbc_decrypt::<aes::Aes192>(&key, iv, data),
        AES256_CBC => cbc_decrypt::<aes::Aes256>(&key, iv, data),
        _ => cbc_decrypt::<des::TdesEde3>(&key, iv, data),
    }
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], data: &[u8]) -> Result<Zeroizing<Vec<u8>>, P12Error>
where
    C: cbc::cipher::BlockDecryptMut + cbc::cipher::BlockCipher + cbc::cipher::KeyInit,
{
    use cbc::cipher::{BlockDecryptMut, KeyIvInit};
    let dec = cbc::Decryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| P12Error::Format("key or IV length".into()))?;
    // Bad padding after a good MAC means a damaged file; without a MAC, a wrong password.
    dec.decrypt_padded_vec_mut::<cbc::cipher::block_padding::Pkcs7>(data)
        .map(Zeroizing::new)
        .map_err(|_| P12Error::WrongPassword)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pkcs12_key_derivation_matches_a_known_answer() {
        // RFC 7292's derivation for password "smeg", salt 0A58CF64530D823F, 1 round, ID 1,
        // 24 bytes (the classic test vector published with OpenSSL's PKCS#12 code).
        let mut bmp: Vec<u8> = "smeg".encode_utf16().flat_map(u16::to_be_bytes).collect();
        bmp.extend([0, 0]);
        let salt = [0x0A, 0x58, 0xCF, 0x64, 0x53, 0x0D, 0x82, 0x3F];
        let key = pkcs12_kdf(Hash::Sha1, &bmp, &salt, 1, 1, 24);
        assert_eq!(
            hex(&key),
            "8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3"
        );
        let iv = pkcs12_kdf(Hash::Sha1, &bmp, &salt, 2, 1, 8);
        assert_eq!(hex(&iv), "79993dfe048d3b76");
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn garbage_is_a_format_error_not_a_panic() {
        for bad in [
            &b""[..],
            b"\x30\x03\x02\x01\x03",
            b"\x30\x80\x00\x00",
            &[0xff; 40],
        ] {
            assert!(
                matches!(parse(bad, "x"), Err(P12Error::Format(_))),
                "{bad:?}"
            );
        }
    }
}
