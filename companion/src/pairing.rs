//! The pairing store as the companion keeps it: `ukemi_core::protocol::pairing`'s decisions,
//! an RNG seeded from the operating system, and the private file that keeps the companion's
//! id and one key per paired origin across restarts.

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::path::PathBuf;
use ukemi_core::protocol::pairing::{PairingFile, Pairings};

pub struct Brain {
    pub pairings: Pairings,
    pub rng: ChaCha20Rng,
    file: Option<PathBuf>,
}

impl Brain {
    /// Loads the stored pairings from `file` (missing: none yet; corrupt: set aside, not
    /// overwritten, so nothing is lost silently). Fails only without an OS entropy source.
    pub fn load(file: Option<PathBuf>) -> Result<Brain, String> {
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed)
            .map_err(|e| format!("no random numbers from the operating system: {e}"))?;
        let mut rng = ChaCha20Rng::from_seed(seed);
        seed.fill(0);
        let stored = file.as_ref().and_then(|path| match std::fs::read(path) {
            Ok(bytes) => match serde_json::from_slice::<PairingFile>(&bytes) {
                Ok(f) => Some(f),
                Err(_) => {
                    let aside = path.with_extension("corrupt");
                    let _ = std::fs::rename(path, &aside);
                    crate::warn!("pairing file was unreadable; moved to {}", aside.display());
                    None
                }
            },
            Err(_) => None,
        });
        let first = stored.is_none();
        let brain = Brain {
            pairings: Pairings::load(stored, &mut rng),
            rng,
            file,
        };
        if first {
            brain.save();
        }
        Ok(brain)
    }

    pub fn save(&self) {
        let Some(path) = &self.file else { return };
        let Ok(json) = serde_json::to_vec_pretty(&self.pairings.file()) else {
            return;
        };
        if let Err(e) = crate::files::write_private(path, &json) {
            crate::warn!("could not save pairings to {}: {e}", path.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ukemi_core::protocol::pairing::Requested;

    #[test]
    fn keys_survive_a_restart_and_a_corrupt_file_is_set_aside() {
        let dir = std::env::temp_dir().join(format!("ukemi-pairing-{}", std::process::id()));
        let file = dir.join("pairings.json");
        let (id, key) = {
            let mut b = Brain::load(Some(file.clone())).expect("load");
            let Ok(Requested::Approved(key)) =
                b.pairings.request(1, "http://a", true, 0, &mut b.rng)
            else {
                panic!("trusted")
            };
            b.save();
            (b.pairings.companion_id().to_string(), key)
        };
        let b = Brain::load(Some(file.clone())).expect("load");
        assert_eq!(b.pairings.companion_id(), id);
        assert_eq!(b.pairings.key("http://a"), Some(&key));
        std::fs::write(&file, b"{garbage").expect("write");
        let b = Brain::load(Some(file.clone())).expect("load");
        assert!(b.pairings.key("http://a").is_none());
        assert!(file.with_extension("corrupt").exists());
        let _ = std::fs::remove_dir_all(dir);
    }
}
