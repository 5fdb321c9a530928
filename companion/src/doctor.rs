//! `ukemi-companion doctor`: the first thing a vendor's support asks a clinic to run. One
//! report, in Japanese and English, of what decides whether a check can work here: the
//! smart-card service and the readers it sees, the clinic certificate, whether the
//! eligibility service answers a TLS handshake with it, whether a companion runs (and on
//! which port) and who holds the default ports. Nothing personal: no card is read, no PIN
//! asked, nothing sent to the service but a handshake.
//!
//! The report is printed and also written to `doctor.txt` in the data folder, which opens in
//! Notepad when it was started from the Start menu (no console), to be read and sent on.

use crate::dirs::Dirs;
use crate::ports::{self, PortUse};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use ukemi_core::protocol::DEFAULT_PORTS;

pub const USAGE: &str = "\
ukemi-companion doctor [--state-dir DIR] [--config FILE]
";

struct Report {
    text: String,
    problems: usize,
}

impl Report {
    fn line(&mut self, ok: Option<bool>, what: &str, detail: &str) {
        let mark = match ok {
            Some(true) => "[OK]",
            Some(false) => {
                self.problems += 1;
                "[NG]"
            }
            None => "[--]",
        };
        let _ = writeln!(self.text, "{mark} {what}: {detail}");
    }
}

pub fn run(args: &[String]) -> i32 {
    let mut state_dir = None;
    let mut config = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match (a.as_str(), it.next()) {
            ("--state-dir", Some(v)) => state_dir = Some(PathBuf::from(v)),
            ("--config", Some(v)) => config = Some(PathBuf::from(v)),
            _ => {
                eprint!("{USAGE}");
                return 2;
            }
        }
    }
    let Some(dirs) = crate::dirs::user(state_dir.as_deref()) else {
        eprintln!("ukemi-companion doctor: データフォルダが分かりません / no data folder (set --state-dir)");
        return 2;
    };
    let config = config.unwrap_or_else(|| dirs.config_file());
    let report = diagnose(&dirs, &config);
    print!("{}", report.text);
    let saved = dirs.data.join("doctor.txt");
    if crate::dirs::ensure_private(&dirs.data)
        .and_then(|_| std::fs::write(&saved, &report.text))
        .is_ok()
    {
        println!(
            "\nこの結果は {} にも保存しました / saved to that file too.",
            saved.display()
        );
        // Started from the Start menu there is no console: show the saved report instead.
        if cfg!(windows) && !crate::console::visible() {
            let _ = std::process::Command::new("notepad.exe")
                .arg(&saved)
                .spawn();
        }
    }
    i32::from(report.problems > 0)
}

fn diagnose(dirs: &Dirs, config: &Path) -> Report {
    let mut r = Report {
        text: String::new(),
        problems: 0,
    };
    let _ = writeln!(
        r.text,
        "Ukemi コンパニオン診断 / companion diagnostics — {}\n{}\nデータフォルダ / data folder: {}\n記録 / logs: {}\n",
        crate::log::timestamp(),
        crate::version_line(),
        dirs.data.display(),
        dirs.logs.display(),
    );
    readers(&mut r);
    service(&mut r, config);
    running(&mut r, dirs);
    let _ = writeln!(
        r.text,
        "\n{}",
        if r.problems == 0 {
            "問題は見つかりませんでした / no problem found".to_string()
        } else {
            format!("問題 {} 件 / {} problem(s) found", r.problems, r.problems)
        }
    );
    r
}

#[cfg(feature = "pcsc")]
fn readers(r: &mut Report) {
    match pcsc::Context::establish(pcsc::Scope::User) {
        Ok(ctx) => {
            r.line(
                Some(true),
                "スマートカードサービス / smart-card service",
                "応答あり / answers",
            );
            match ctx.list_readers_owned() {
                Ok(names) if !names.is_empty() => {
                    let list: Vec<String> = names
                        .iter()
                        .map(|n| format!("\"{}\"", n.to_string_lossy()))
                        .collect();
                    r.line(
                        Some(true),
                        "カードリーダー / card readers",
                        &format!("{} 台 / found: {}", names.len(), list.join(", ")),
                    );
                }
                Ok(_) | Err(pcsc::Error::NoReadersAvailable) => r.line(
                    Some(false),
                    "カードリーダー / card readers",
                    "見つかりません。USB の接続とドライバーを確認してください / none found: check the USB cable and the driver",
                ),
                Err(e) => r.line(
                    Some(false),
                    "カードリーダー / card readers",
                    &format!("一覧を取得できません / cannot list them: {e}"),
                ),
            }
        }
        Err(e) => r.line(
            Some(false),
            "スマートカードサービス / smart-card service",
            &format!(
                "応答しません（Windows: Smart Card サービス / Linux: pcscd）/ does not answer: {e}"
            ),
        ),
    }
}

#[cfg(not(feature = "pcsc"))]
fn readers(r: &mut Report) {
    r.line(
        None,
        "カードリーダー / card readers",
        "この版は PC/SC なしでビルドされています / built without PC/SC",
    );
}

fn service(r: &mut Report, config: &Path) {
    const WHAT: &str = "設定ファイル / configuration";
    if !config.is_file() {
        r.line(
            Some(false),
            WHAT,
            &format!(
                "ありません / missing: {} — 資格確認サービスが未設定です / no eligibility service configured",
                config.display()
            ),
        );
        return;
    }
    let today = crate::clock::today_jst();
    // Read as the companion would, but without stopping at an expired certificate: say it.
    let cfg = match crate::config::load(config, today) {
        Ok(c) => c,
        Err(e) => {
            r.line(Some(false), WHAT, &e);
            return;
        }
    };
    r.line(Some(true), WHAT, &config.display().to_string());
    const CERT: &str = "施術所の証明書 / clinic certificate";
    match cfg.service.identity() {
        Ok(id) => match id.certs.first().and_then(|c| {
            crate::tls::validity(c).map(|v| (v, crate::tls::subject_cn(c).unwrap_or_default()))
        }) {
            Some(((_, not_after), cn)) => {
                let left = today.days_until(not_after);
                r.line(
                    Some(left >= 0),
                    CERT,
                    &format!(
                        "{cn} — {}まで（残り {left} 日）/ valid until {not_after} ({left} days left)",
                        not_after.wareki()
                    ),
                );
            }
            None => r.line(Some(false), CERT, "読めません / unreadable"),
        },
        Err(e) => r.line(Some(false), CERT, &e),
    }
    const SERVICE: &str = "資格確認サービス / eligibility service";
    match crate::status::StatusSource::new(Some(&cfg.service), false) {
        Ok(source) => {
            let s = source.status();
            let host = s.service_url.clone().unwrap_or_default();
            match s.service_reachable {
                ukemi_core::protocol::Reachable::Yes => r.line(
                    Some(true),
                    SERVICE,
                    &format!("{host} に接続できます / reachable (mutual TLS)"),
                ),
                _ => r.line(
                    Some(false),
                    SERVICE,
                    &format!(
                        "{host} に接続できません / not reachable: {} {}",
                        s.service_error_detail.service_code.unwrap_or_default(),
                        s.service_error_detail.service_message.unwrap_or_default()
                    ),
                ),
            }
        }
        Err(e) => r.line(Some(false), SERVICE, &e),
    }
}

fn running(r: &mut Report, dirs: &Dirs) {
    const WHAT: &str = "コンパニオン / companion";
    let me = crate::instance::is_running(&dirs.data)
        .then(|| crate::instance::read_running(&dirs.data))
        .flatten();
    match &me {
        Some(run) => r.line(
            Some(true),
            WHAT,
            &format!(
                "動作中 / running: http://127.0.0.1:{}/ (pid {}, {})",
                run.port, run.pid, run.version
            ),
        ),
        None => r.line(
            Some(false),
            WHAT,
            "動いていません（スタートメニューの Ukemi から起動してください）/ not running",
        ),
    }
    for &port in DEFAULT_PORTS {
        let mine = me.as_ref().is_some_and(|m| m.port == port);
        let (ok, text) = match ports::probe(port) {
            PortUse::Free => (Some(true), "空き / free".to_string()),
            PortUse::Companion { version } if mine => (
                Some(true),
                format!("このコンパニオン / this companion ({version})"),
            ),
            PortUse::Companion { version } => (
                None,
                format!("別のコンパニオン（他のユーザー？）/ another companion ({version})"),
            ),
            PortUse::Other => (
                Some(false),
                "別のプログラムが使用中 / held by another program".to_string(),
            ),
        };
        r.line(ok, &format!("ポート / port {port}"), &text);
    }
}
