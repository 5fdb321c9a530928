//! `ukemi-companion config …`: what a clinic's administrator (or the vendor's support on the
//! phone) changes without editing JSON by hand.
//!
//! - `set-certificate FILE.p12` installs the clinic's certificate from the PKCS#12 file its
//!   certificate authority handed out: the password comes from `UKEMI_PKCS12_PASSWORD` or is
//!   asked for (not echoed); the file is opened, the certificate checked (valid today, key
//!   present), then the chain and key are written as `client.pem` / `client-key.pem` beside
//!   the configuration, readable by this user only. The .p12 and its password are not kept.
//! - `allow-origin ORIGIN`, `remove-origin ORIGIN`: the origins kept in
//!   `allowed-origins.json` (`--allow-origin` on the command line adds to it too).
//! - `allow-book-origin ORIGIN`, `remove-book-origin ORIGIN`: the clinic app served from
//!   another address than the companion, which may also read and change the book, kept in
//!   `book-origins.json` (`--book-origin` adds to it too; docs/protocol.md, "Origins and the
//!   book").
//! - `show`: where everything is and what is set.

use crate::dirs::Dirs;
use std::path::{Path, PathBuf};

pub const USAGE: &str = "\
ukemi-companion config show
ukemi-companion config set-certificate FILE.p12   (password: UKEMI_PKCS12_PASSWORD, else asked)
ukemi-companion config allow-origin ORIGIN
ukemi-companion config remove-origin ORIGIN
ukemi-companion config allow-book-origin ORIGIN   (the clinic app at another address: also the records)
ukemi-companion config remove-book-origin ORIGIN
  options: --state-dir DIR (the data folder), --config FILE (the configuration file)
";

/// The file `--allow-origin` values are kept in, in the data folder.
pub const ORIGINS_FILE: &str = "allowed-origins.json";
/// The file `--book-origin` values are kept in, in the data folder.
pub const BOOK_ORIGINS_FILE: &str = "book-origins.json";

pub fn run(args: &[String]) -> i32 {
    let mut rest = Vec::new();
    let mut state_dir = None;
    let mut config = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--state-dir" => state_dir = it.next().map(PathBuf::from),
            "--config" => config = it.next().map(PathBuf::from),
            _ => rest.push(a.as_str()),
        }
    }
    let Some(dirs) = crate::dirs::user(state_dir.as_deref()) else {
        eprintln!("ukemi-companion config: データフォルダが分かりません / no data folder (set --state-dir)");
        return 2;
    };
    let config = config.unwrap_or_else(|| dirs.config_file());
    let outcome = match rest.as_slice() {
        ["show"] => show(&dirs, &config),
        ["set-certificate", file] => set_certificate(Path::new(file), &config),
        ["allow-origin", origin] => allow(&dirs.data, ORIGINS_FILE, origin),
        ["remove-origin", origin] => remove(&dirs.data, ORIGINS_FILE, origin),
        ["allow-book-origin", origin] => allow(&dirs.data, BOOK_ORIGINS_FILE, origin),
        ["remove-book-origin", origin] => remove(&dirs.data, BOOK_ORIGINS_FILE, origin),
        _ => {
            eprint!("{USAGE}");
            return 2;
        }
    };
    match outcome {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("ukemi-companion config: {e}");
            1
        }
    }
}

fn allow(data: &Path, file: &str, origin: &str) -> Result<(), String> {
    let changed = change_origins(data, file, |list| add_origin(list, origin))?;
    println!(
        "{origin}: {}",
        if changed {
            "許可しました / allowed"
        } else {
            "すでに許可されています / already allowed"
        }
    );
    Ok(())
}

fn remove(data: &Path, file: &str, origin: &str) -> Result<(), String> {
    let changed = change_origins(data, file, |list| {
        let before = list.len();
        list.retain(|o| o != origin);
        Ok(list.len() != before)
    })?;
    println!(
        "{origin}: {}",
        if changed {
            "許可を取り消しました / no longer allowed"
        } else {
            "許可されていません / was not allowed"
        }
    );
    Ok(())
}

fn show(dirs: &Dirs, config: &Path) -> Result<(), String> {
    println!("データフォルダ / data folder: {}", dirs.data.display());
    println!("記録 / logs: {}", dirs.logs.display());
    println!(
        "設定ファイル / configuration: {} ({})",
        config.display(),
        if config.is_file() {
            "あり / present"
        } else {
            "なし / none"
        }
    );
    for o in persisted_origins(&dirs.data, ORIGINS_FILE) {
        println!("許可した接続元 / allowed origin: {o}");
    }
    for o in persisted_origins(&dirs.data, BOOK_ORIGINS_FILE) {
        println!("患者の記録も許可した接続元 / allowed origin with the records: {o}");
    }
    Ok(())
}

/// The origins kept in `file` in the data folder (an unreadable file counts as none, and is
/// said so in the log).
pub fn persisted_origins(data: &Path, file: &str) -> Vec<String> {
    let path = data.join(file);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            crate::warn!("{} is not a list of origins: {e}", path.display());
            Vec::new()
        }),
        Err(_) => Vec::new(),
    }
}

pub fn check_origin(origin: &str) -> Result<(), String> {
    let ok = (origin.starts_with("http://") || origin.starts_with("https://"))
        && !origin.contains('*')
        && !origin
            .trim_end_matches('/')
            .contains(|c: char| c.is_whitespace())
        && origin
            .split("://")
            .nth(1)
            .is_some_and(|h| !h.is_empty() && !h.contains('/'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "接続元の形式が違います（scheme://host[:port]）/ not an origin (scheme://host[:port], no path, no wildcards): {origin}"
        ))
    }
}

fn add_origin(list: &mut Vec<String>, origin: &str) -> Result<bool, String> {
    check_origin(origin)?;
    if list.iter().any(|o| o == origin) {
        return Ok(false);
    }
    list.push(origin.to_string());
    Ok(true)
}

/// Applies `f` to the origins kept in `file` and writes them back when it says they changed.
pub fn change_origins(
    data: &Path,
    file: &str,
    f: impl FnOnce(&mut Vec<String>) -> Result<bool, String>,
) -> Result<bool, String> {
    let mut list = persisted_origins(data, file);
    let changed = f(&mut list)?;
    if changed {
        let json = serde_json::to_vec_pretty(&list).map_err(|e| e.to_string())?;
        let path = data.join(file);
        crate::files::write_private(&path, &json)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(changed)
}

/// Adds the command line's `--allow-origin` (or `--book-origin`) values to those kept in
/// `file`.
pub fn persist_origins(data: &Path, file: &str, origins: &[String]) {
    let outcome = change_origins(data, file, |list| {
        let mut changed = false;
        for o in origins {
            changed |= add_origin(list, o)?;
        }
        Ok(changed)
    });
    match outcome {
        Ok(true) => crate::info!("allowed origins kept in {}", data.join(file).display()),
        Ok(false) => {}
        Err(e) => crate::warn!("could not keep the allowed origins: {e}"),
    }
}

fn password() -> Result<zeroize::Zeroizing<String>, String> {
    if let Ok(p) = std::env::var("UKEMI_PKCS12_PASSWORD") {
        return Ok(zeroize::Zeroizing::new(p));
    }
    eprint!("PKCS#12 のパスワード / PKCS#12 password: ");
    let echo = crate::console::EchoOff::new();
    let mut line = zeroize::Zeroizing::new(String::new());
    let read = std::io::stdin().read_line(&mut line);
    drop(echo);
    eprintln!();
    read.map_err(|e| format!("パスワードを読めません / cannot read the password: {e}"))?;
    Ok(zeroize::Zeroizing::new(
        line.trim_end_matches(['\r', '\n']).to_string(),
    ))
}

fn set_certificate(p12: &Path, config: &Path) -> Result<(), String> {
    let password = password()?;
    let identity = crate::tls::Identity::from_pkcs12(p12, &password).map_err(|e| e.to_string())?;
    let today = crate::clock::today_jst();
    let (_, not_after) = crate::tls::check_valid(&identity.source, &identity.certs, today)
        .map_err(|e| e.to_string())?;
    let first = identity.certs.first().ok_or("no certificate")?;
    let cn = crate::tls::subject_cn(first).unwrap_or_default();
    let dir = config
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let certs: String = identity
        .certs
        .iter()
        .map(|c| pem("CERTIFICATE", c.as_ref()))
        .collect();
    let key = zeroize::Zeroizing::new(pem("PRIVATE KEY", identity.key.secret_der()));
    let cert_path = dir.join(crate::config::INSTALLED_CERTIFICATE);
    let key_path = dir.join(crate::config::INSTALLED_KEY);
    crate::files::write_private(&key_path, key.as_bytes())
        .and_then(|_| crate::files::write_private(&cert_path, certs.as_bytes()))
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    // A configuration naming other certificate files would never use these: point it here.
    if config.is_file() {
        let text = std::fs::read(config).map_err(|e| format!("{}: {e}", config.display()))?;
        let mut v: serde_json::Value =
            serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", config.display()))?;
        if let Some(s) = v.get_mut("service").and_then(|s| s.as_object_mut()) {
            let named = [
                "client_certificate",
                "client_key",
                "client_pkcs12",
                "client_pkcs12_password_env",
            ]
            .iter()
            .filter(|k| s.remove(**k).is_some())
            .count();
            if named > 0 {
                let json = serde_json::to_vec_pretty(&v).map_err(|e| e.to_string())?;
                crate::files::write_private(config, &json)
                    .map_err(|e| format!("{}: {e}", config.display()))?;
            }
        }
    }
    println!(
        "施術所の証明書を入れました / clinic certificate installed: {cn}\n有効期限 / valid until: {} ({not_after}), 残り {} 日 / days left\n{}\n{}",
        not_after.wareki(),
        today.days_until(not_after),
        cert_path.display(),
        key_path.display()
    );
    crate::info!("clinic certificate installed (valid until {not_after})");
    Ok(())
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(der));
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked_kept_once_and_removed() {
        let dir = std::env::temp_dir().join(format!("ukemi-origins-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let f = ORIGINS_FILE;
        persist_origins(&dir, f, &["https://portal.example.jp".into()]);
        persist_origins(&dir, f, &["https://portal.example.jp".into()]);
        assert_eq!(
            persisted_origins(&dir, f),
            vec!["https://portal.example.jp"]
        );
        assert!(change_origins(&dir, f, |l| add_origin(l, "https://*.example.jp")).is_err());
        assert!(change_origins(&dir, f, |l| add_origin(l, "https://a.example/path")).is_err());
        // The book's list is its own: allowing a portal never lets it read the records.
        assert!(persisted_origins(&dir, BOOK_ORIGINS_FILE).is_empty());
        persist_origins(
            &dir,
            BOOK_ORIGINS_FILE,
            &["https://app.clinic.example.jp".into()],
        );
        assert_eq!(
            persisted_origins(&dir, BOOK_ORIGINS_FILE),
            vec!["https://app.clinic.example.jp"]
        );
        assert!(change_origins(&dir, f, |l| {
            l.retain(|o| o != "https://portal.example.jp");
            Ok(true)
        })
        .expect("removed"));
        assert!(persisted_origins(&dir, f).is_empty());
        assert_eq!(persisted_origins(&dir, BOOK_ORIGINS_FILE).len(), 1);
        let _ = std::fs::remove_dir_all(dir);
    }
}
