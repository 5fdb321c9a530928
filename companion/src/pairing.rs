//! Pairing a page's origin with the companion: the companion shows a 6-digit code on the
//! clinic PC; the page sends it once and receives a random token it keeps for that
//! origin. Wrong codes slow down exponentially, and after many the code is replaced, so
//! guessing a million codes is not practical. Tokens are stored only as SHA-256 hashes.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Wrong codes before the code itself is replaced.
const ROTATE_AFTER: u32 = 10;
const MAX_DELAY: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PairError {
    /// Wrong code; further tries are refused for this long.
    Wrong {
        retry_after: Duration,
        rotated: bool,
    },
    /// Still waiting out an earlier wrong code.
    RateLimited { retry_after: Duration },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Entry {
    origin: String,
    token_sha256: String,
}

pub struct Pairing {
    code: String,
    failures: u32,
    blocked_until: Option<Instant>,
    entries: Vec<Entry>,
    file: Option<PathBuf>,
}

fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares without an early exit, so timing does not tell how many digits were right.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub fn random_code() -> String {
    let mut b = [0u8; 4];
    // getrandom failing means the OS has no entropy source; a fixed code would be worse
    // than none, so the caller treats an empty code as "pairing unavailable".
    if getrandom::getrandom(&mut b).is_err() {
        return String::new();
    }
    format!("{:06}", u32::from_le_bytes(b) % 1_000_000)
}

fn random_token() -> Option<String> {
    let mut b = [0u8; 32];
    getrandom::getrandom(&mut b).ok()?;
    Some(b.iter().map(|x| format!("{x:02x}")).collect())
}

impl Pairing {
    /// Loads stored pairings from `file` (a missing or unreadable file means none; a corrupt
    /// one is set aside, not overwritten, so nothing is lost silently).
    pub fn new(code: String, file: Option<PathBuf>) -> Pairing {
        let entries = match &file {
            Some(path) => match std::fs::read(path) {
                Ok(bytes) => match serde_json::from_slice::<Vec<Entry>>(&bytes) {
                    Ok(e) => e,
                    Err(_) => {
                        let aside = path.with_extension("corrupt");
                        let _ = std::fs::rename(path, &aside);
                        crate::warn!("pairing file was corrupt; moved to {}", aside.display());
                        Vec::new()
                    }
                },
                Err(_) => Vec::new(),
            },
            None => Vec::new(),
        };
        Pairing {
            code,
            failures: 0,
            blocked_until: None,
            entries,
            file,
        }
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    /// Exchanges a code for a token for `origin`.
    pub fn pair(&mut self, origin: &str, code: &str, now: Instant) -> Result<String, PairError> {
        if let Some(until) = self.blocked_until {
            if now < until {
                return Err(PairError::RateLimited {
                    retry_after: until - now,
                });
            }
        }
        let code = code.trim().replace([' ', '-'], "");
        if self.code.is_empty() || !same(&code, &self.code) {
            self.failures += 1;
            let delay = Duration::from_secs(1u64 << (self.failures - 1).min(6)).min(MAX_DELAY);
            self.blocked_until = Some(now + delay);
            let rotated = self.failures.is_multiple_of(ROTATE_AFTER);
            if rotated {
                self.code = random_code();
                crate::warn!(
                    "{} wrong pairing codes: the code was replaced",
                    self.failures
                );
                println!("新しいペアリングコード / New pairing code: {}", self.code);
            }
            return Err(PairError::Wrong {
                retry_after: delay,
                rotated,
            });
        }
        self.failures = 0;
        self.blocked_until = None;
        let Some(token) = random_token() else {
            return Err(PairError::RateLimited {
                retry_after: Duration::from_secs(1),
            });
        };
        self.entries.retain(|e| e.origin != origin);
        self.entries.push(Entry {
            origin: origin.to_string(),
            token_sha256: sha256_hex(&token),
        });
        self.save();
        Ok(token)
    }

    /// Is `token` the one given to `origin`? A token is bound to its origin: another site
    /// that learnt it cannot use it.
    pub fn check(&self, origin: &str, token: &str) -> bool {
        let h = sha256_hex(token);
        self.entries
            .iter()
            .any(|e| e.origin == origin && same(&e.token_sha256, &h))
    }

    pub fn unpair(&mut self, origin: &str) {
        self.entries.retain(|e| e.origin != origin);
        self.save();
    }

    fn save(&self) {
        let Some(path) = &self.file else { return };
        let Ok(json) = serde_json::to_vec_pretty(&self.entries) else {
            return;
        };
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        // Write then rename, so a crash never leaves a half-written file.
        let tmp = path.with_extension("tmp");
        if std::fs::write(&tmp, json)
            .and_then(|_| std::fs::rename(&tmp, path))
            .is_err()
        {
            crate::warn!("could not save pairings to {}", path.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_code_gives_a_token_bound_to_the_origin() {
        let mut p = Pairing::new("123456".into(), None);
        let t = p
            .pair("http://127.0.0.1:1", "123 456", Instant::now())
            .expect("paired");
        assert!(p.check("http://127.0.0.1:1", &t));
        assert!(!p.check("https://evil.example", &t));
        assert!(!p.check("http://127.0.0.1:1", "00"));
        p.unpair("http://127.0.0.1:1");
        assert!(!p.check("http://127.0.0.1:1", &t));
    }

    #[test]
    fn wrong_codes_slow_down_and_rotate_the_code() {
        let mut p = Pairing::new("123456".into(), None);
        let mut now = Instant::now();
        let mut delays = vec![];
        for _ in 0..ROTATE_AFTER {
            match p.pair("o", "000000", now) {
                Err(PairError::Wrong { retry_after, .. }) => {
                    delays.push(retry_after);
                    // Trying again before the delay is over is refused without counting.
                    assert!(matches!(
                        p.pair("o", "123456", now),
                        Err(PairError::RateLimited { .. })
                    ));
                    now += retry_after;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(delays.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(delays[0], Duration::from_secs(1));
        assert!(delays.iter().all(|d| *d <= MAX_DELAY));
        // After rotation the old code no longer works.
        assert_ne!(p.code(), "123456");
        assert!(matches!(
            p.pair("o", "123456", now),
            Err(PairError::Wrong { .. })
        ));
    }

    #[test]
    fn tokens_survive_a_restart_and_a_corrupt_file_is_set_aside() {
        let dir = std::env::temp_dir().join(format!("ukemi-pairing-{}", std::process::id()));
        let file = dir.join("pairings.json");
        let token = {
            let mut p = Pairing::new("111111".into(), Some(file.clone()));
            p.pair("http://a", "111111", Instant::now())
                .expect("paired")
        };
        let stored = std::fs::read_to_string(&file).expect("saved");
        assert!(
            !stored.contains(&token),
            "the token itself must not be stored"
        );
        let p = Pairing::new("222222".into(), Some(file.clone()));
        assert!(p.check("http://a", &token));
        std::fs::write(&file, b"{garbage").expect("write");
        let p = Pairing::new("333333".into(), Some(file.clone()));
        assert!(!p.check("http://a", &token));
        assert!(file.with_extension("corrupt").exists());
        let _ = std::fs::remove_dir_all(dir);
    }
}
