//! The backup page, served by the companion on its own origin at `/backup`: where the
//! backups are, and the form that sets the **second folder** (a USB drive, a NAS) and the
//! passphrase its copies are encrypted with — so a clinic needs no console for it. Setting
//! it writes a first encrypted copy there at once, so a folder that cannot be written is said
//! while someone is at the PC.
//!
//! Guarded like the approval page (approval.rs): only a form on the companion's own origin
//! may post (`Origin`), nothing here is readable cross-origin, other OS users never get this
//! far (`peer.rs`), and the page cannot be framed. The passphrase is never logged, never
//! shown again and never sent to a web page; it is kept as `ukemi-companion backup
//! set-folder` keeps it (backups.rs).

use crate::approval::{escape_html, own_form, respond, HTML, TEXT};
use crate::backups::SecondFolder;
use crate::book::{BackupView, Input};
use crate::guard::OriginPolicy;
use crate::http::RequestHead;
use crate::session::Shared;
use std::io::Read;
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;
use zeroize::Zeroizing;

const PAGE: &str = "/backup";
const FOLDER: &str = "/backup/folder";
const MAX_BODY: usize = 4096;
/// How many backups the page lists (newest first).
const LISTED: usize = 20;
/// A first copy to a slow NAS, with scrypt, may take a while; beyond this the page says so.
const SET_TIMEOUT: Duration = Duration::from_secs(90);
pub const MIN_PASSPHRASE: usize = 8;

pub fn handles(head: &RequestHead) -> bool {
    let path = head.path.split(['?', '#']).next().unwrap_or("");
    [PAGE, FOLDER].contains(&path)
}

/// `application/x-www-form-urlencoded` value: `+` is a space, `%XX` a byte; UTF-8.
fn form_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// `12.3 KB`, `4.5 MB` (decimal units, as Windows Explorer's neighbours show them).
fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1_000_000.0),
        b if b >= 1_000 => format!("{:.1} KB", b as f64 / 1_000.0),
        b => format!("{b} B"),
    }
}

fn form_value(body: &str, name: &str) -> Option<String> {
    body.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| form_decode(v)).flatten()
    })
}

/// What the page says above the form.
enum Said {
    Nothing,
    Set,
    Cleared,
    Failed(String),
}

fn page(view: Option<&BackupView>, said: &Said, folder_typed: &str) -> String {
    let status = match said {
        Said::Nothing => String::new(),
        Said::Set => "<p id=\"result\" role=\"status\" class=\"ok\">2つ目の保存先を設定し、最初のバックアップ（暗号化）をそこに書きました。これから毎日ここにも保存します。合言葉は紙に書いて、パソコンとは別の場所に保管してください。<br><span lang=\"en\">The second folder is set and a first encrypted copy was written there; a copy goes there every day from now on. Keep the passphrase on paper, away from the PC.</span></p>".to_string(),
        Said::Cleared => "<p id=\"result\" role=\"status\" class=\"ok\">2つ目の保存先をやめました。このパソコンへの毎日のバックアップは続きます。<br><span lang=\"en\">The second folder is no longer used; the daily backups on this PC go on.</span></p>".to_string(),
        Said::Failed(why) => format!("<p id=\"result\" role=\"alert\" class=\"error\">{why}</p>"),
    };
    let (data, second, list) = match view {
        Some(v) => (
            escape_html(&v.data.join(crate::backups::DIR).display().to_string()),
            v.second.as_ref().map(|s| {
                escape_html(
                    &s.join("Ukemi")
                        .join(crate::backups::DIR)
                        .display()
                        .to_string(),
                )
            }),
            v.backups
                .iter()
                .take(LISTED)
                .map(|e| {
                    format!(
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        escape_html(&e.name),
                        escape_html(&e.created_at),
                        size_text(e.bytes),
                        if e.encrypted {
                            "暗号化 <span lang=\"en\">encrypted</span>"
                        } else {
                            "このパソコン <span lang=\"en\">this PC</span>"
                        },
                    )
                })
                .collect::<String>(),
        ),
        None => ("（不明 / unknown）".into(), None, String::new()),
    };
    let now = match &second {
        Some(s) => format!("<p id=\"second-now\">いまの2つ目の保存先 <span lang=\"en\">Second folder now</span>: <code>{s}</code></p>
<form method=\"post\" action=\"{FOLDER}\"><button type=\"submit\" name=\"action\" value=\"clear\" id=\"clear-second\" class=\"secondary\">2つ目の保存先をやめる <span lang=\"en\">Stop using it</span></button></form>"),
        None => "<p id=\"second-now\">2つ目の保存先はまだありません。パソコンが壊れても記録が残るよう、USBメモリやNASを設定してください。<br><span lang=\"en\">No second folder yet. Set a USB drive or a NAS so the records outlive this PC.</span></p>".into(),
    };
    let list = if list.is_empty() {
        "<p id=\"no-backups\">まだバックアップはありません（台帳に記録ができた日から毎日取ります）。 <span lang=\"en\">No backups yet.</span></p>".to_string()
    } else {
        format!("<table id=\"backups\"><caption>新しい順（最大{LISTED}件） <span lang=\"en\">Newest first</span></caption>
<thead><tr><th scope=\"col\">ファイル <span lang=\"en\">File</span></th><th scope=\"col\">日時 <span lang=\"en\">When</span></th><th scope=\"col\">大きさ <span lang=\"en\">Size</span></th><th scope=\"col\">場所 <span lang=\"en\">Where</span></th></tr></thead>
<tbody>{list}</tbody></table>")
    };
    let folder_typed = escape_html(folder_typed);
    format!(
        r#"<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>バックアップ — Ukemi</title><link rel="stylesheet" href="/pair.css"></head>
<body><main>
<h1>バックアップ <span lang="en">Backups</span></h1>
<p>コンパニオンは施術録・請求の台帳を毎日このパソコンにバックアップしています。<br>
<span lang="en">The companion backs up the clinic's book on this PC every day.</span></p>
<p>保存先 <span lang="en">Folder</span>: <code id="data-folder">{data}</code></p>
{status}
<h2>2つ目の保存先（USBメモリ・NAS） <span lang="en">Second folder (USB drive, NAS)</span></h2>
{now}
<form method="post" action="{FOLDER}" id="second-form">
<p><label for="folder">フォルダ <span lang="en">Folder</span></label><br>
<input id="folder" name="folder" type="text" value="{folder_typed}" required autocomplete="off" aria-describedby="folder-help"></p>
<p id="folder-help" class="help">例：<code>E:\</code>（USBメモリ）、<code>\\nas\share</code>。その中に Ukemi\backups を作ります。 <span lang="en">E.g. E:\ or \\nas\share; Ukemi\backups is made inside.</span></p>
<p><label for="passphrase">合言葉（{MIN_PASSPHRASE}文字以上） <span lang="en">Passphrase ({MIN_PASSPHRASE}+ characters)</span></label><br>
<input id="passphrase" name="passphrase" type="password" required minlength="{MIN_PASSPHRASE}" autocomplete="new-password" aria-describedby="pass-help"></p>
<p><label for="again">合言葉をもう一度 <span lang="en">Passphrase again</span></label><br>
<input id="again" name="again" type="password" required minlength="{MIN_PASSPHRASE}" autocomplete="new-password"></p>
<p id="pass-help" class="help">2つ目の保存先のバックアップはこの合言葉で暗号化し（age形式）、復元のときに尋ねます。忘れると開けません。 <span lang="en">Copies there are encrypted with it (age format) and it is asked for on restore; without it they cannot be opened.</span></p>
<button type="submit" name="action" value="set" id="set-second" class="approve">設定して、いま1回保存する <span lang="en">Set it and save a copy now</span></button>
</form>
<h2>バックアップの一覧 <span lang="en">Backups</span></h2>
{list}
</main></body></html>
"#
    )
}

fn view(shared: &Shared) -> Option<BackupView> {
    let (tx, rx) = mpsc::channel();
    shared.book.send(Input::Backups(tx)).ok()?;
    rx.recv_timeout(Duration::from_secs(10)).ok()
}

pub fn serve(
    stream: &mut TcpStream,
    head: &RequestHead,
    head_len: usize,
    shared: &Shared,
    policy: &OriginPolicy,
) {
    let mut consumed = vec![0u8; head_len];
    let _ = stream.read_exact(&mut consumed);
    let (path, query) = head.path.split_once('?').unwrap_or((&head.path, ""));
    match (head.method.as_str(), path) {
        ("GET", PAGE) => {
            let said = match query {
                "done=set" => Said::Set,
                "done=cleared" => Said::Cleared,
                _ => Said::Nothing,
            };
            show(stream, shared, &said, "");
        }
        ("POST", FOLDER) => post(stream, head, shared, policy),
        _ => respond(
            stream,
            "405 Method Not Allowed",
            TEXT,
            b"method not allowed\n",
            "",
        ),
    }
}

fn post(stream: &mut TcpStream, head: &RequestHead, shared: &Shared, policy: &OriginPolicy) {
    let Some(body) = own_form(stream, head, policy, MAX_BODY, "backup page") else {
        return;
    };
    let folder = form_value(&body, "folder").unwrap_or_default();
    let folder = folder.trim().to_string();
    let second = match form_value(&body, "action").as_deref() {
        Some("clear") => None,
        Some("set") => {
            let pass = Zeroizing::new(form_value(&body, "passphrase").unwrap_or_default());
            let again = Zeroizing::new(form_value(&body, "again").unwrap_or_default());
            let mut refuse = |ja: &str, en: &str| {
                let why = format!("{ja}<br><span lang=\"en\">{en}</span>");
                show(stream, shared, &Said::Failed(why), &folder)
            };
            if folder.is_empty() {
                return refuse("フォルダを入力してください。", "Enter a folder.");
            }
            if !PathBuf::from(&folder).is_dir() {
                return refuse(
                    "そのフォルダが見つかりません。USBメモリが差さっているか、フォルダの場所を確かめてください。",
                    "That folder was not found. Check that the USB drive is in, or the folder's path.",
                );
            }
            if pass.chars().count() < MIN_PASSPHRASE {
                return refuse(
                    &format!("合言葉は{MIN_PASSPHRASE}文字以上にしてください。"),
                    &format!("The passphrase needs at least {MIN_PASSPHRASE} characters."),
                );
            }
            if *pass != *again {
                return refuse(
                    "2回入力した合言葉が一致しません。",
                    "The two passphrases differ.",
                );
            }
            Some(SecondFolder {
                folder: PathBuf::from(&folder),
                passphrase: pass,
            })
        }
        _ => {
            return respond(
                stream,
                "400 Bad Request",
                TEXT,
                b"action must be set or clear\n",
                "",
            )
        }
    };
    let clearing = second.is_none();
    let (tx, rx) = mpsc::channel();
    let sent = shared.book.send(Input::SetSecond { second, reply: tx });
    let outcome = match sent {
        Ok(()) => rx
            .recv_timeout(SET_TIMEOUT)
            .unwrap_or_else(|_| Err("no answer from the book thread".into())),
        Err(_) => Err("the book thread has stopped".into()),
    };
    match outcome {
        Ok(_) => {
            let done = if clearing { "cleared" } else { "set" };
            respond(
                stream,
                "303 See Other",
                TEXT,
                b"",
                &format!("Location: {PAGE}?done={done}\r\n"),
            )
        }
        Err(e) => {
            let why = format!(
                "そのフォルダに書き込めませんでした。設定は変えていません。（{}）<br><span lang=\"en\">Could not write to that folder; nothing was changed.</span>",
                escape_html(&e)
            );
            show(stream, shared, &Said::Failed(why), &folder)
        }
    }
}

/// The page as it is now, with what is said above the form.
fn show(stream: &mut TcpStream, shared: &Shared, said: &Said, folder_typed: &str) {
    let html = page(view(shared).as_ref(), said, folder_typed);
    respond(stream, "200 OK", HTML, html.as_bytes(), "");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_are_decoded_as_browsers_encode_them() {
        let body = "folder=E%3A%5C+%E3%83%90%E3%83%83%E3%82%AF&passphrase=a%2Bb+c%26d&action=set";
        assert_eq!(form_value(body, "folder").as_deref(), Some("E:\\ バック"));
        assert_eq!(form_value(body, "passphrase").as_deref(), Some("a+b c&d"));
        assert_eq!(form_value(body, "action").as_deref(), Some("set"));
        assert_eq!(form_value(body, "again"), None);
        // Broken escapes are refused, not guessed.
        assert_eq!(form_decode("%E3%83"), None);
        assert_eq!(form_decode("%4"), None);
        assert_eq!(form_decode("%zz"), None);
    }

    #[test]
    fn the_page_escapes_what_it_shows_and_never_holds_a_passphrase() {
        let view = BackupView {
            data: PathBuf::from("/data/<x>"),
            second: Some(PathBuf::from("/media/usb\"1")),
            backups: Vec::new(),
        };
        let html = page(Some(&view), &Said::Nothing, "<script>");
        assert!(html.contains("/data/&lt;x&gt;"));
        assert!(html.contains("usb&quot;1"));
        assert!(html.contains("value=\"&lt;script&gt;\""));
        assert!(!html.contains("<script>"));
        assert!(html.contains("id=\"no-backups\""));
        assert!(!html.contains("name=\"passphrase\" value"));
    }
}
