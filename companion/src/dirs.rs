//! Where the companion keeps this user's things: the configuration, the pairings, the
//! clinic certificate installed by `config set-certificate`, the instance lock, and the
//! logs. Per user, never shared: the companion runs in the user's session.
//!
//! - Windows: `%LOCALAPPDATA%\Ukemi` (logs in `logs\`), beside the program the installer put
//!   in `%LOCALAPPDATA%\Programs\Ukemi`.
//! - Linux: `$XDG_CONFIG_HOME/ukemi` (`~/.config/ukemi`), logs in `$XDG_STATE_HOME/ukemi`
//!   (`~/.local/state/ukemi`).
//! - `--state-dir DIR` puts everything in DIR (logs in `DIR/logs`).

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dirs {
    pub data: PathBuf,
    pub logs: PathBuf,
}

/// The configuration file's name in the data folder.
pub const CONFIG_FILE: &str = "companion.json";

impl Dirs {
    pub fn config_file(&self) -> PathBuf {
        self.data.join(CONFIG_FILE)
    }

    pub fn in_one(dir: &Path) -> Dirs {
        Dirs {
            data: dir.to_path_buf(),
            logs: dir.join("logs"),
        }
    }
}

fn env_dir(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// This user's folders: `over` when given, else the platform's.
pub fn user(over: Option<&Path>) -> Option<Dirs> {
    if let Some(dir) = over {
        return Some(Dirs::in_one(dir));
    }
    if cfg!(windows) {
        let data = env_dir("LOCALAPPDATA")?.join("Ukemi");
        return Some(Dirs::in_one(&data));
    }
    let home = env_dir("HOME");
    let data = env_dir("XDG_CONFIG_HOME")
        .or_else(|| home.as_ref().map(|h| h.join(".config")))?
        .join("ukemi");
    let logs = env_dir("XDG_STATE_HOME")
        .or_else(|| home.as_ref().map(|h| h.join(".local").join("state")))
        .map(|d| d.join("ukemi"))
        .unwrap_or_else(|| data.join("logs"));
    Some(Dirs { data, logs })
}

/// Creates `dir` (and its parents) when missing, readable by this user only: 0700 on Unix.
/// (On Windows the folders live in the user's profile, whose ACL already excludes others;
/// the files that matter get a user-only ACL of their own, files.rs.)
pub fn ensure_private(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_folder_holds_everything() {
        let d = user(Some(Path::new("/tmp/x"))).expect("dirs");
        assert_eq!(d.data, Path::new("/tmp/x"));
        assert_eq!(d.logs, Path::new("/tmp/x/logs"));
        assert_eq!(d.config_file(), Path::new("/tmp/x/companion.json"));
    }

    #[cfg(unix)]
    #[test]
    fn new_folders_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("ukemi-dirs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        ensure_private(&dir.join("logs")).expect("create");
        let mode = std::fs::metadata(dir.join("logs"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
        let _ = std::fs::remove_dir_all(dir);
    }
}
