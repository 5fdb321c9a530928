//! The companion's pairing decisions, without files, clocks or randomness of its own: which
//! origins hold a shared key, which requests wait for a person at the PC to approve them on
//! the companion's own approval page, and the back-off that slows a page that keeps asking
//! or keeps failing to prove itself. The back-off is kept per origin, so one noisy page
//! cannot lock the clinic's own page out; a global ceiling stays only as a last line.
//! Times are milliseconds on the caller's clock; random bytes come from the caller's RNG.

use super::auth::{hex, SharedKey, KEY_LEN};
use rand_core::RngCore;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// How long a request waits for the person at the PC.
pub const PAIRING_TTL_MS: u64 = 5 * 60_000;
/// Requests waiting at once, over all origins (one per origin).
pub const MAX_PENDING: usize = 4;
/// The longest an origin is made to wait after repeated failures.
pub const MAX_DELAY_MS: u64 = 60_000;
/// Failures over all origins within [`GLOBAL_WINDOW_MS`] that stop all pairing for
/// [`MAX_DELAY_MS`]: far above what a real clinic produces, it only bounds a flood.
pub const GLOBAL_CEILING: usize = 40;
pub const GLOBAL_WINDOW_MS: u64 = 10 * 60_000;

/// What is kept on disk: the companion's identity and one key per paired origin.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PairingFile {
    pub companion_id: String,
    pub pairings: Vec<StoredPairing>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredPairing {
    pub origin: String,
    /// The shared key in hex. The file is readable by its user only.
    pub key: String,
}

/// A request waiting for approval, as the approval page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// Random; names the request in the approval page's form.
    pub id: String,
    pub origin: String,
    /// Six digits shown both on the asking page and on the approval page, so the person
    /// can tell which request is the one in front of them.
    pub code: String,
    /// The connection waiting for the answer.
    pub conn: u64,
    pub since_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requested {
    /// A trusted origin: approved without asking.
    Approved(SharedKey),
    Pending {
        id: String,
        code: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// This origin (or, past the ceiling, everyone) must wait.
    RateLimited { retry_after_ms: u64 },
    /// [`MAX_PENDING`] requests already wait.
    TooManyPending,
}

/// The answer the approval page gave, for the connection that asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub conn: u64,
    pub origin: String,
    /// The new key when approved; `None` when refused.
    pub key: Option<SharedKey>,
}

#[derive(Debug, Clone)]
struct Backoff {
    origin: String,
    failures: u32,
    until_ms: u64,
}

#[derive(Debug, Clone)]
pub struct Pairings {
    companion_id: String,
    keys: Vec<(String, SharedKey)>,
    pending: Vec<Pending>,
    backoff: Vec<Backoff>,
    /// When recent failures happened, over all origins.
    failures: VecDeque<u64>,
    global_until_ms: u64,
}

fn random_hex(rng: &mut dyn RngCore, n: usize) -> String {
    let mut b = vec![0u8; n];
    rng.fill_bytes(&mut b);
    hex(&b)
}

fn random_code(rng: &mut dyn RngCore) -> String {
    // Rejection sampling keeps every code equally likely.
    loop {
        let v = rng.next_u32();
        if v < u32::MAX - u32::MAX % 1_000_000 {
            return format!("{:06}", v % 1_000_000);
        }
    }
}

impl Pairings {
    /// From the stored file (`None`: first start; a fresh companion id is drawn). Entries
    /// whose key does not read are dropped (that origin pairs again).
    pub fn load(file: Option<PairingFile>, rng: &mut dyn RngCore) -> Pairings {
        let file = file.unwrap_or_default();
        let companion_id = if file.companion_id.len() >= 16 {
            file.companion_id
        } else {
            random_hex(rng, 16)
        };
        Pairings {
            companion_id,
            keys: file
                .pairings
                .into_iter()
                .filter_map(|p| Some((p.origin, SharedKey::from_hex(&p.key)?)))
                .collect(),
            pending: Vec::new(),
            backoff: Vec::new(),
            failures: VecDeque::new(),
            global_until_ms: 0,
        }
    }

    pub fn file(&self) -> PairingFile {
        PairingFile {
            companion_id: self.companion_id.clone(),
            pairings: self
                .keys
                .iter()
                .map(|(origin, key)| StoredPairing {
                    origin: origin.clone(),
                    key: key.to_hex(),
                })
                .collect(),
        }
    }

    /// A random id of this companion installation, so a page can keep its key per
    /// companion rather than per port (the port can change).
    pub fn companion_id(&self) -> &str {
        &self.companion_id
    }

    pub fn key(&self, origin: &str) -> Option<&SharedKey> {
        self.keys.iter().find(|(o, _)| o == origin).map(|(_, k)| k)
    }

    pub fn paired_origins(&self) -> Vec<String> {
        self.keys.iter().map(|(o, _)| o.clone()).collect()
    }

    pub fn pending(&self) -> &[Pending] {
        &self.pending
    }

    /// May `origin` ask to pair or try to authenticate now?
    pub fn admit(&self, origin: &str, now_ms: u64) -> Result<(), Refused> {
        let own = self
            .backoff
            .iter()
            .find(|b| b.origin == origin)
            .map_or(0, |b| b.until_ms);
        let until = own.max(self.global_until_ms);
        if now_ms < until {
            return Err(Refused::RateLimited {
                retry_after_ms: until - now_ms,
            });
        }
        Ok(())
    }

    /// A page asks to pair. A trusted origin gets its key at once; any other waits for
    /// the approval page. A newer request from the same origin replaces an older one.
    pub fn request(
        &mut self,
        conn: u64,
        origin: &str,
        trusted: bool,
        now_ms: u64,
        rng: &mut dyn RngCore,
    ) -> Result<Requested, Refused> {
        self.admit(origin, now_ms)?;
        self.pending
            .retain(|p| p.origin != origin && p.conn != conn);
        if trusted {
            return Ok(Requested::Approved(self.new_key(origin, rng)));
        }
        if self.pending.len() >= MAX_PENDING {
            return Err(Refused::TooManyPending);
        }
        let p = Pending {
            id: random_hex(rng, 16),
            origin: origin.to_string(),
            code: random_code(rng),
            conn,
            since_ms: now_ms,
        };
        let out = Requested::Pending {
            id: p.id.clone(),
            code: p.code.clone(),
        };
        self.pending.push(p);
        Ok(out)
    }

    fn new_key(&mut self, origin: &str, rng: &mut dyn RngCore) -> SharedKey {
        let mut b = [0u8; KEY_LEN];
        rng.fill_bytes(&mut b);
        let key = SharedKey::from_bytes(b);
        b.fill(0);
        self.keys.retain(|(o, _)| o != origin);
        self.keys.push((origin.to_string(), key.clone()));
        self.backoff.retain(|x| x.origin != origin);
        key
    }

    /// The person at the PC approved or refused request `id`. `None` when there is no
    /// such request (decided already, expired, or the page left). A refusal counts as a
    /// failure for that origin's back-off.
    pub fn decide(
        &mut self,
        id: &str,
        approve: bool,
        now_ms: u64,
        rng: &mut dyn RngCore,
    ) -> Option<Decided> {
        let i = self.pending.iter().position(|p| p.id == id)?;
        let p = self.pending.remove(i);
        let key = if approve {
            Some(self.new_key(&p.origin, rng))
        } else {
            self.failed(&p.origin, now_ms);
            None
        };
        Some(Decided {
            conn: p.conn,
            origin: p.origin,
            key,
        })
    }

    /// The connection that asked went away: its request is no longer shown.
    pub fn cancel(&mut self, conn: u64) {
        self.pending.retain(|p| p.conn != conn);
    }

    /// The request of `conn` waited [`PAIRING_TTL_MS`] without an answer.
    pub fn expire(&mut self, conn: u64, now_ms: u64) {
        if let Some(i) = self.pending.iter().position(|p| p.conn == conn) {
            let p = self.pending.remove(i);
            self.failed(&p.origin, now_ms);
        }
    }

    /// A page proved the key: its back-off is cleared.
    pub fn proved(&mut self, origin: &str) {
        self.backoff.retain(|b| b.origin != origin);
    }

    /// A wrong proof, a refusal or an expiry. Returns how long this origin must wait.
    pub fn failed(&mut self, origin: &str, now_ms: u64) -> u64 {
        let b = match self.backoff.iter_mut().find(|b| b.origin == origin) {
            Some(b) => b,
            None => {
                self.backoff.push(Backoff {
                    origin: origin.to_string(),
                    failures: 0,
                    until_ms: 0,
                });
                let last = self.backoff.len() - 1;
                &mut self.backoff[last]
            }
        };
        b.failures += 1;
        let delay = (1000u64 << (b.failures - 1).min(6)).min(MAX_DELAY_MS);
        b.until_ms = now_ms + delay;
        while self
            .failures
            .front()
            .is_some_and(|t| *t + GLOBAL_WINDOW_MS <= now_ms)
        {
            self.failures.pop_front();
        }
        self.failures.push_back(now_ms);
        if self.failures.len() >= GLOBAL_CEILING {
            self.global_until_ms = now_ms + MAX_DELAY_MS;
            self.failures.clear();
        }
        delay
    }

    /// Forgets `origin`'s key (the page unpaired).
    pub fn unpair(&mut self, origin: &str) {
        self.keys.retain(|(o, _)| o != origin);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    const A: &str = "http://127.0.0.1:47615";
    const B: &str = "https://portal.example.jp";

    fn fresh() -> (Pairings, ChaCha20Rng) {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        (Pairings::load(None, &mut rng), rng)
    }

    #[test]
    fn a_request_waits_for_approval_and_approval_makes_a_key_for_that_origin() {
        let (mut p, mut rng) = fresh();
        let Ok(Requested::Pending { id, code }) = p.request(1, A, false, 0, &mut rng) else {
            panic!("should wait for approval");
        };
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(p.pending().len(), 1);
        assert!(p.key(A).is_none(), "nothing before approval");
        let d = p.decide(&id, true, 10, &mut rng).expect("decided");
        assert_eq!((d.conn, d.origin.as_str()), (1, A));
        assert_eq!(d.key.as_ref(), p.key(A));
        assert!(p.pending().is_empty());
        // Deciding twice does nothing.
        assert!(p.decide(&id, true, 10, &mut rng).is_none());
        assert!(p.key(B).is_none());
    }

    #[test]
    fn trusted_origins_are_approved_at_once_and_the_key_survives_a_restart() {
        let (mut p, mut rng) = fresh();
        let Ok(Requested::Approved(key)) = p.request(1, B, true, 0, &mut rng) else {
            panic!("trusted origins need no click");
        };
        let file = p.file();
        let json = serde_json::to_string(&file).expect("json");
        let back: PairingFile = serde_json::from_str(&json).expect("parse");
        let q = Pairings::load(Some(back), &mut rng);
        assert_eq!(q.key(B), Some(&key));
        assert_eq!(q.companion_id(), p.companion_id());
        assert_eq!(p.companion_id().len(), 32);
    }

    #[test]
    fn a_refusal_slows_only_that_origin() {
        let (mut p, mut rng) = fresh();
        let Ok(Requested::Pending { id, .. }) = p.request(1, B, false, 0, &mut rng) else {
            panic!()
        };
        assert!(p
            .decide(&id, false, 0, &mut rng)
            .expect("decided")
            .key
            .is_none());
        assert_eq!(
            p.request(2, B, false, 500, &mut rng),
            Err(Refused::RateLimited {
                retry_after_ms: 500
            })
        );
        // The clinic's own page is not held up by another origin's refusals.
        assert!(matches!(
            p.request(3, A, false, 500, &mut rng),
            Ok(Requested::Pending { .. })
        ));
        assert!(matches!(
            p.request(2, B, false, 1000, &mut rng),
            Ok(Requested::Pending { .. })
        ));
    }

    #[test]
    fn back_off_doubles_to_a_minute_and_a_proof_clears_it() {
        let (mut p, _) = fresh();
        let delays: Vec<u64> = (0..9).map(|_| p.failed(B, 0)).collect();
        assert_eq!(&delays[..4], &[1000, 2000, 4000, 8000]);
        assert_eq!(*delays.last().expect("some"), MAX_DELAY_MS);
        assert!(p.admit(B, 59_000).is_err());
        p.proved(B);
        assert!(p.admit(B, 0).is_ok());
    }

    #[test]
    fn the_global_ceiling_is_a_last_line_against_a_flood() {
        let (mut p, _) = fresh();
        for i in 0..GLOBAL_CEILING - 1 {
            p.failed(&format!("https://o{i}.example"), 0);
        }
        assert!(p.admit(A, 0).is_ok(), "below the ceiling A is not held up");
        p.failed("https://last.example", 0);
        assert!(matches!(p.admit(A, 1), Err(Refused::RateLimited { .. })));
        assert!(p.admit(A, MAX_DELAY_MS).is_ok());
    }

    #[test]
    fn pending_requests_are_bounded_replaced_cancelled_and_expired() {
        let (mut p, mut rng) = fresh();
        for i in 0..MAX_PENDING as u64 {
            assert!(p
                .request(i, &format!("https://o{i}.example"), false, 0, &mut rng)
                .is_ok());
        }
        assert_eq!(
            p.request(99, A, false, 0, &mut rng),
            Err(Refused::TooManyPending)
        );
        // A page asking again (a reload) replaces its origin's older request.
        assert!(p
            .request(10, "https://o0.example", false, 0, &mut rng)
            .is_ok());
        assert_eq!(p.pending().len(), MAX_PENDING);
        assert!(p.pending().iter().all(|x| x.conn != 0));
        p.cancel(10);
        assert_eq!(p.pending().len(), MAX_PENDING - 1);
        p.expire(1, 0);
        assert!(p.admit("https://o1.example", 10).is_err(), "expiry counts");
        assert_eq!(p.pending().len(), MAX_PENDING - 2);
    }
}
