//! `ukemi-companion backup …`: the book's backups for support on the phone.
//!
//! - `list`: every backup (data folder and second folder), newest first.
//! - `verify [NAME|FILE]…`: read each through (decrypt, decompress, SQLite's check, every
//!   record) and say what it holds; with no name, all of them.
//! - `restore NAME|FILE`: put a backup in place of the book (the companion must be
//!   stopped); the file it replaces is kept beside it.
//! - `now`: take today's backup now, if not taken yet.
//! - `export [FILE]`: the book as the backup file the page restores (設定 → ファイルから).
//! - `set-folder DIR`: the second folder; the passphrase from `UKEMI_BACKUP_PASSPHRASE`, else
//!   asked twice without echo. `clear-folder` stops copying there.
//!
//! Passphrases come from `UKEMI_BACKUP_PASSPHRASE` or are asked for; never printed or
//! logged.

use crate::backups::{self, Backups, Clock, SecondFolder};
use crate::durable::{self, Durable};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

pub const USAGE: &str = "\
ukemi-companion backup list
ukemi-companion backup verify [NAME|FILE]...
ukemi-companion backup restore NAME|FILE      (stop the companion first)
ukemi-companion backup now
ukemi-companion backup export [FILE]          (the book as the page's backup file)
ukemi-companion backup set-folder DIR         (passphrase: UKEMI_BACKUP_PASSPHRASE, else asked)
ukemi-companion backup clear-folder
  options: --state-dir DIR (the data folder)
";

pub fn run(args: &[String]) -> i32 {
    let mut rest = Vec::new();
    let mut state_dir = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--state-dir" => state_dir = it.next().map(PathBuf::from),
            _ => rest.push(a.as_str()),
        }
    }
    let Some(dirs) = crate::dirs::user(state_dir.as_deref()) else {
        eprintln!("ukemi-companion backup: データフォルダが分かりません / no data folder (set --state-dir)");
        return 2;
    };
    let data = dirs.data;
    let result = match rest.as_slice() {
        ["list"] => list(&data),
        ["verify", names @ ..] => verify(&data, names),
        ["restore", name] => restore(&data, name),
        ["now"] => now(&data),
        ["export"] => export(&data, None),
        ["export", file] => export(&data, Some(Path::new(file))),
        ["set-folder", dir] => set_folder(&data, Path::new(dir)),
        ["clear-folder"] => backups::save_second(&data, None)
            .map(|_| println!("2つ目の保存先を解除しました / second folder cleared"))
            .map_err(|e| e.to_string()),
        _ => {
            eprint!("{USAGE}");
            return 2;
        }
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("ukemi-companion backup: {e}");
            1
        }
    }
}

fn passphrase(prompt: &str) -> Result<Zeroizing<String>, String> {
    if let Ok(p) = std::env::var("UKEMI_BACKUP_PASSPHRASE") {
        return Ok(Zeroizing::new(p));
    }
    eprint!("{prompt}: ");
    let echo = crate::console::EchoOff::new();
    let mut line = Zeroizing::new(String::new());
    let read = std::io::stdin().read_line(&mut line);
    drop(echo);
    eprintln!();
    read.map_err(|e| format!("読めません / cannot read: {e}"))?;
    Ok(Zeroizing::new(
        line.trim_end_matches(['\r', '\n']).to_string(),
    ))
}

/// A backup by its listed name, or a file path.
fn locate(data: &Path, name: &str) -> Result<PathBuf, String> {
    let p = Path::new(name);
    if p.is_file() {
        return Ok(p.to_path_buf());
    }
    Backups::new(data)
        .find(name)
        .ok_or_else(|| format!("{name}: ありません / no such backup"))
}

fn describe(s: &Option<ukemi_core::records::sync::BookSummary>) -> String {
    match s {
        Some(s) => format!(
            "{} / 患者 {} 人 / 施術録 {} / 最終変更 #{} {}",
            if s.clinic_name.is_empty() {
                "(施術所名なし)"
            } else {
                &s.clinic_name
            },
            s.patients,
            s.cases,
            s.seq,
            s.last_change_at.as_deref().unwrap_or("-")
        ),
        None => "(台帳なし / no book)".into(),
    }
}

fn list(data: &Path) -> Result<(), String> {
    let b = Backups::new(data);
    let all = b.list();
    if all.is_empty() {
        println!(
            "バックアップはまだありません / no backups yet ({})",
            b.dir.display()
        );
    }
    for (path, e) in all {
        println!(
            "{:<44} {:<14} {:>10} bytes  {}{}",
            e.name,
            format!("{:?}", e.kind).to_lowercase(),
            e.bytes,
            e.created_at,
            if e.encrypted {
                format!("  暗号化 / encrypted  {}", path.display())
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

fn verify(data: &Path, names: &[&str]) -> Result<(), String> {
    let b = Backups::new(data);
    let paths: Vec<PathBuf> = if names.is_empty() {
        b.list().into_iter().map(|(p, _)| p).collect()
    } else {
        names
            .iter()
            .map(|n| locate(data, n))
            .collect::<Result<_, _>>()?
    };
    let mut pass: Option<Zeroizing<String>> = None;
    let mut bad = 0;
    for p in paths {
        let encrypted = p.to_string_lossy().ends_with(".age");
        if encrypted && pass.is_none() {
            pass = Some(passphrase("暗号化したバックアップの合言葉 / passphrase")?);
        }
        let r = backups::verify(&p, pass.as_deref().map(|s| s.as_str()));
        match r {
            Ok(s) => println!("OK   {}  {}", p.display(), describe(&s)),
            Err(e) => {
                bad += 1;
                println!("NG   {}  {}", p.display(), e.message());
            }
        }
    }
    if bad > 0 {
        return Err(format!("{bad} 件が読めません / {bad} unreadable"));
    }
    Ok(())
}

fn restore(data: &Path, name: &str) -> Result<(), String> {
    if crate::instance::is_running(data) {
        return Err(
            "コンパニオンが動いています。止めてから復元してください / stop the companion first"
                .into(),
        );
    }
    let path = locate(data, name)?;
    let pass = if path.to_string_lossy().ends_with(".age") {
        Some(passphrase("暗号化したバックアップの合言葉 / passphrase")?)
    } else {
        None
    };
    let now = Clock::System.now();
    let book = data.join(durable::FILE);
    let s = backups::restore(&path, pass.as_deref().map(|s| s.as_str()), &book, &now)?;
    println!(
        "復元しました / restored: {}\n元の台帳ファイルは book.sqlite.replaced-… として残しています / the replaced file is kept beside it",
        describe(&s)
    );
    Ok(())
}

fn now(data: &Path) -> Result<(), String> {
    if crate::instance::is_running(data) {
        // The running companion owns the file; it takes the backup itself each day.
        println!("コンパニオンが動いています。毎日のバックアップはコンパニオンが取ります / the running companion takes the daily backup");
    }
    let book = Durable::open(&data.join(durable::FILE))?;
    let names = Backups::new(data).daily(&book, &Clock::System.now())?;
    if names.is_empty() {
        println!("今日のバックアップはもうあります / today's backup exists");
    }
    for n in names {
        println!("{n}");
    }
    Ok(())
}

fn export(data: &Path, to: Option<&Path>) -> Result<(), String> {
    let now = Clock::System.now();
    let text = durable::export(&data.join(durable::FILE), &now.at)?;
    match to {
        Some(f) => std::fs::write(f, text).map_err(|e| e.to_string()),
        None => {
            println!("{text}");
            Ok(())
        }
    }
}

fn set_folder(data: &Path, dir: &Path) -> Result<(), String> {
    if !dir.is_dir() {
        return Err(format!(
            "{}: フォルダがありません / no such folder",
            dir.display()
        ));
    }
    let first = passphrase("合言葉（8文字以上） / passphrase (8+ characters)")?;
    if first.chars().count() < 8 {
        return Err("合言葉は8文字以上にしてください / at least 8 characters".into());
    }
    if std::env::var("UKEMI_BACKUP_PASSPHRASE").is_err() {
        let again = passphrase("もう一度 / again")?;
        if again != first {
            return Err("合言葉が一致しません / the two do not match".into());
        }
    }
    let second = SecondFolder {
        folder: dir.to_path_buf(),
        passphrase: first,
    };
    backups::save_second(data, Some(&second)).map_err(|e| e.to_string())?;
    println!(
        "2つ目の保存先: {} （暗号化して保存します。合言葉は紙に書いて保管してください）\nsecond folder set; backups there are encrypted — keep the passphrase on paper. The running companion uses it from its next start.",
        dir.join("Ukemi").join(backups::DIR).display()
    );
    Ok(())
}
