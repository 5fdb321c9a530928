//! One companion per user: the first to start holds an exclusive lock on `instance.lock` in
//! the user's data folder for as long as it runs (the operating system drops it when the
//! process ends, however it ends). A second start finds the lock taken, reads where the
//! first listens from `running.json`, says so and exits successfully — a double click on
//! the Start-menu entry while the companion already runs is not an error.

use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// What the running companion tells a second start (and `doctor`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Running {
    pub pid: u32,
    pub port: u16,
    pub version: String,
}

/// The lock, held while this value lives.
pub struct Instance {
    _lock: File,
    running: PathBuf,
}

pub enum Claim {
    Mine(Instance),
    /// Another companion of this user runs; what it wrote about itself, if readable.
    Taken(Option<Running>),
}

fn running_file(dir: &Path) -> PathBuf {
    dir.join("running.json")
}

/// What `running.json` in `dir` says, if a companion wrote it.
pub fn read_running(dir: &Path) -> Option<Running> {
    let bytes = std::fs::read(running_file(dir)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Whether a companion holds the lock in `dir` now (without taking it for long).
pub fn is_running(dir: &Path) -> bool {
    match OpenOptions::new()
        .write(true)
        .open(dir.join("instance.lock"))
    {
        Ok(f) => match f.try_lock() {
            Ok(()) => {
                let _ = f.unlock();
                false
            }
            Err(_) => true,
        },
        Err(_) => false,
    }
}

pub fn claim(dir: &Path) -> std::io::Result<Claim> {
    crate::dirs::ensure_private(dir)?;
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("instance.lock"))?;
    match lock.try_lock() {
        Ok(()) => Ok(Claim::Mine(Instance {
            _lock: lock,
            running: running_file(dir),
        })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(Claim::Taken(read_running(dir))),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

impl Instance {
    /// Records where this companion listens, for a second start and for `doctor`.
    pub fn announce(&self, port: u16) {
        let r = Running {
            pid: std::process::id(),
            port,
            version: env!("CARGO_PKG_VERSION").into(),
        };
        if let Ok(json) = serde_json::to_vec(&r) {
            if let Err(e) = std::fs::write(&self.running, json) {
                crate::warn!("cannot write {}: {e}", self.running.display());
            }
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.running);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_finds_the_first() {
        let dir = std::env::temp_dir().join(format!("ukemi-instance-{}", std::process::id()));
        let first = match claim(&dir).expect("claim") {
            Claim::Mine(i) => i,
            Claim::Taken(_) => panic!("nobody else holds it"),
        };
        first.announce(47615);
        assert!(is_running(&dir));
        match claim(&dir).expect("claim") {
            Claim::Taken(Some(r)) => assert_eq!((r.port, r.pid), (47615, std::process::id())),
            _ => panic!("the first holds the lock"),
        }
        drop(first);
        assert!(!is_running(&dir));
        assert!(matches!(claim(&dir).expect("claim"), Claim::Mine(_)));
        let _ = std::fs::remove_dir_all(dir);
    }
}
