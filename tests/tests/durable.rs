//! The book's durable copy in the real companion, over its WebSocket: changes stored in one
//! transaction and acknowledged, a change sent again stored once, a stale one and another
//! book's refused; SIGKILL in the middle of a change leaves exactly the acknowledged book;
//! a truncated book file is reported at start, nothing is written to it, and the latest
//! good backup is offered and restored; the daily backup, dated by a test clock, encrypted
//! for the second folder, opened with the age library and restored into a fresh companion.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use ukemi_core::protocol::book::BookInfo;
use ukemi_core::protocol::{Command as Cmd, ErrorCode, Message};
use ukemi_core::records::sync::{self, Change, Snapshot};
use ukemi_core::records::{store, Book};
use ukemi_e2e::{companion_bin, error_code, Client, Companion};

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ukemi-durable-e2e-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("dir");
    d
}

fn book(name: &str, filler: usize) -> Book {
    let mut b = Book::default();
    b.settings.clinic.name = name.into();
    b.settings.clinic.address = "東京都千代田区千代田1-1".repeat(filler.max(1));
    b
}

fn adopt(b: &Book, id: &str, book_id: &str) -> Change {
    Change {
        id: id.into(),
        book_id: book_id.into(),
        at: "2026-11-25T09:00:00.000Z".into(),
        screen: "settings".into(),
        kind: "adopt".into(),
        replace: true,
        writes: sync::replacing(b),
    }
}

fn rows(b: &Book) -> Vec<(String, String, String)> {
    store::initial_writes(b)
        .into_iter()
        .filter_map(|w| w.value.map(|v| (w.store.to_string(), w.key, v)))
        .collect()
}

/// A change of the settings from `before` to `after`, based on `before`'s stored text.
fn edit(before: &Book, after: &Book, id: &str, book_id: &str) -> Change {
    let r = rows(before);
    let versions = sync::Versions::of_rows(
        r.iter()
            .map(|(s, k, t)| (s.as_str(), k.as_str(), t.as_str())),
    );
    Change {
        id: id.into(),
        book_id: book_id.into(),
        at: "2026-11-25T09:05:00.000Z".into(),
        screen: "settings".into(),
        kind: "put_settings".into(),
        replace: false,
        writes: sync::versioned(store::writes(before, after), &versions),
    }
}

/// Sends a change in pieces; the last piece's answer.
fn push(c: &mut Client, change: &Change) -> Message {
    let text = serde_json::to_string(change).expect("json");
    let pieces = sync::pieces(&text, sync::PIECE_BYTES);
    let parts = pieces.len() as u32;
    let mut last = Message::Ok;
    for (i, p) in pieces.iter().enumerate() {
        last = c.call(Cmd::BookPush {
            change: change.id.clone(),
            part: i as u32,
            parts,
            data: p.to_string(),
        });
        if i + 1 < pieces.len() {
            assert!(matches!(last, Message::Ok), "{last:?}");
        }
    }
    last
}

fn pull(c: &mut Client) -> Snapshot {
    let req = c.send(Cmd::BookPull);
    let mut text = String::new();
    loop {
        match c.answer(req) {
            Message::BookData { part, parts, data } => {
                text.push_str(&data);
                if part + 1 == parts {
                    break;
                }
            }
            other => panic!("{other:?}"),
        }
    }
    serde_json::from_str(&text).expect("snapshot")
}

fn info(c: &mut Client) -> BookInfo {
    match c.call(Cmd::BookInfo) {
        Message::BookInfo(i) => *i,
        other => panic!("{other:?}"),
    }
}

fn stored_seq(m: &Message) -> u64 {
    match m {
        Message::BookStored { seq, .. } => *seq,
        other => panic!("not stored: {other:?}"),
    }
}

fn wait_file(dir: &Path, name: &str) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(60);
    let p = dir.join(name);
    while !p.exists() {
        assert!(Instant::now() < deadline, "no {}", p.display());
        std::thread::sleep(Duration::from_millis(100));
    }
    // Written to a temporary name and renamed: whole once it exists.
    p
}

#[test]
fn acknowledged_changes_survive_sigkill_and_stale_foreign_or_repeated_ones_change_nothing() {
    let dir = temp_dir("kill");
    let comp = Companion::start_in(&dir, 0, &[]);
    let mut c = comp.paired_client();
    assert_eq!(info(&mut c).book, None);

    // A change for a book the companion does not hold is not a way in.
    let first = book("うけみ接骨院", 1);
    let mut stray = edit(&first, &book("別", 1), "stray", "book-a");
    stray.replace = false;
    assert_eq!(
        error_code(&push(&mut c, &stray)),
        Some(ErrorCode::BookMismatch)
    );

    assert_eq!(stored_seq(&push(&mut c, &adopt(&first, "c1", "book-a"))), 1);
    let second = book("うけみ接骨院 本院", 1);
    let acked = push(&mut c, &edit(&first, &second, "c2", "book-a"));
    assert_eq!(stored_seq(&acked), 2);
    // Another tab still based on the first settings: stale, nothing stored.
    let stale = push(&mut c, &edit(&first, &book("古い画面", 1), "c3", "book-a"));
    assert!(
        matches!(&stale, Message::BookStale { records, .. } if records == &vec!["settings/settings".to_string()]),
        "{stale:?}"
    );
    // Another clinic's book, sent as a plain change: refused.
    assert_eq!(
        error_code(&push(&mut c, &edit(&second, &book("X", 1), "c4", "book-b"))),
        Some(ErrorCode::BookMismatch)
    );

    // A big change goes in pieces; the companion is killed before the last one arrives.
    let big = adopt(&book("置き換え", 20_000), "c5", "book-a");
    let text = serde_json::to_string(&big).expect("json");
    let pieces = sync::pieces(&text, sync::PIECE_BYTES);
    assert!(pieces.len() > 3, "{}", pieces.len());
    for (i, p) in pieces.iter().take(2).enumerate() {
        let m = c.call(Cmd::BookPush {
            change: "c5".into(),
            part: i as u32,
            parts: pieces.len() as u32,
            data: p.to_string(),
        });
        assert!(matches!(m, Message::Ok), "{m:?}");
    }
    let port = comp.port;
    let dir = comp.kill();

    // After the restart: exactly the acknowledged book.
    let comp = Companion::start_in(&dir, port, &[]);
    let mut c = comp.paired_client();
    let snap = pull(&mut c);
    assert_eq!((snap.book_id.as_str(), snap.seq), ("book-a", 2));
    assert_eq!(snap.book().expect("book"), second);
    let i = info(&mut c);
    let s = i.book.expect("a book");
    assert_eq!((s.clinic_name.as_str(), s.seq), ("うけみ接骨院 本院", 2));
    // The page re-sends what it did not see acknowledged: stored once, same number.
    assert_eq!(
        stored_seq(&push(&mut c, &edit(&first, &second, "c2", "book-a"))),
        2
    );
    // And the interrupted change, whole this time.
    assert_eq!(stored_seq(&push(&mut c, &big)), 3);
    let trail = match c.call(Cmd::BookTrail {
        before: None,
        limit: 10,
    }) {
        Message::BookTrail { entries } => entries,
        other => panic!("{other:?}"),
    };
    assert_eq!(trail.len(), 3);
    assert_eq!(trail[1].kind, "put_settings");
    assert_eq!(trail[1].records, vec!["settings/settings"]);
    assert_eq!(trail[1].origin, comp.origin());
    // The log names changes by kind and count, never what they hold.
    let log = comp.log();
    assert!(log.contains("stored change seq=3 kind=adopt"), "{log}");
    assert!(
        !log.contains("置き換え") && !log.contains("東京都"),
        "{log}"
    );
    // Replacing the book kept the one it replaced as a backup.
    let i = info(&mut c);
    assert!(
        i.backups
            .iter()
            .any(|b| b.name.starts_with("before-replace-")),
        "{:?}",
        i.backups
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_truncated_book_file_is_reported_never_written_and_the_latest_good_backup_offered() {
    let dir = temp_dir("truncated");
    let clock = dir.join("clock.txt");
    std::fs::write(&clock, "2026-11-24").expect("clock");
    let clock_arg = clock.to_string_lossy().into_owned();
    let comp = Companion::start_in(&dir.join("data"), 0, &["--test-clock", &clock_arg]);
    let mut c = comp.paired_client();
    let b = book("うけみ接骨院", 200);
    assert_eq!(stored_seq(&push(&mut c, &adopt(&b, "c1", "book-a"))), 1);
    let backups = dir.join("data").join("backups");
    wait_file(&backups, "daily-2026-11-24.sqlite.gz");
    std::fs::write(&clock, "2026-11-25").expect("clock");
    wait_file(&backups, "daily-2026-11-25.sqlite.gz");
    let port = comp.port;
    let data = comp.kill();

    // The book file is cut short (a failed disk, a copy interrupted).
    let file = data.join("book.sqlite");
    let _ = std::fs::remove_file(data.join("book.sqlite-wal"));
    let _ = std::fs::remove_file(data.join("book.sqlite-shm"));
    let len = std::fs::metadata(&file).expect("meta").len();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .expect("open");
    f.set_len(len / 2).expect("truncate");
    drop(f);
    let damaged = std::fs::read(&file).expect("read");

    let comp = Companion::start_in(&data, port, &["--test-clock", &clock_arg]);
    assert!(
        comp.log().contains("cannot be used"),
        "the start reports it: {}",
        comp.log()
    );
    let mut c = comp.paired_client();
    let i = info(&mut c);
    let why = i.damaged.clone().expect("reported as damaged");
    assert!(why.contains("壊れています"), "{why}");
    let good = i
        .backups
        .iter()
        .find(|e| e.book.is_some())
        .expect("the latest good backup is offered");
    assert_eq!(good.name, "daily-2026-11-25.sqlite.gz");
    assert_eq!(
        good.book.as_ref().map(|s| s.clinic_name.as_str()),
        Some("うけみ接骨院")
    );
    // Nothing is written while it is damaged.
    let m = push(&mut c, &edit(&b, &book("別", 1), "c2", "book-a"));
    assert_eq!(error_code(&m), Some(ErrorCode::BookUnavailable));
    assert_eq!(
        std::fs::read(&file).expect("read"),
        damaged,
        "the damaged file changed"
    );
    // The clinic restores the offered backup; the damaged file is kept beside it.
    let name = good.name.clone();
    assert!(matches!(c.call(Cmd::BackupRestore { name }), Message::Ok));
    let s = info(&mut c).book.expect("restored");
    assert_eq!((s.clinic_name.as_str(), s.seq), ("うけみ接骨院", 1));
    let kept: Vec<_> = std::fs::read_dir(&data)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("book.sqlite.replaced-"))
        .filter(|n| !n.ends_with("-wal") && !n.ends_with("-shm"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(std::fs::read(data.join(&kept[0])).expect("read"), damaged);
    drop(comp);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_daily_backup_is_encrypted_for_the_second_folder_opened_with_age_and_restored() {
    let dir = temp_dir("age");
    let data = dir.join("data");
    let usb = dir.join("usb");
    std::fs::create_dir_all(&usb).expect("usb");
    const PASSPHRASE: &str = "うけみ 2026 合言葉";
    let cli = |args: &[&str], state: &Path| {
        let out = std::process::Command::new(companion_bin())
            .arg("backup")
            .args(args)
            .arg("--state-dir")
            .arg(state)
            .env("UKEMI_BACKUP_PASSPHRASE", PASSPHRASE)
            .output()
            .expect("run backup");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "backup {args:?}: {text}");
        text
    };
    std::fs::create_dir_all(&data).expect("data");
    cli(&["set-folder", &usb.to_string_lossy()], &data);
    let clock = dir.join("clock.txt");
    std::fs::write(&clock, "2026-11-25").expect("clock");
    let clock_arg = clock.to_string_lossy().into_owned();
    let comp = Companion::start_in(&data, 0, &["--test-clock", &clock_arg]);
    let mut c = comp.paired_client();
    let b = book("うけみ接骨院", 3);
    assert_eq!(stored_seq(&push(&mut c, &adopt(&b, "c1", "book-a"))), 1);
    let sealed = wait_file(
        &usb.join("Ukemi").join("backups"),
        "daily-2026-11-25.sqlite.gz.age",
    );
    // The passphrase is never logged.
    assert!(!comp.log().contains(PASSPHRASE));
    drop(c);
    drop(comp);

    // Opened with the age library (as `age -d` would), then gunzipped: a SQLite file.
    let gz = open_sealed(&sealed, PASSPHRASE);
    let plain = dir.join("daily-2026-11-25.sqlite.gz");
    std::fs::write(&plain, &gz).expect("write");

    // Listed and verified by the support commands (the encrypted one with the passphrase).
    let list = cli(&["list"], &data);
    assert!(list.contains("daily-2026-11-25.sqlite.gz.age"), "{list}");
    let verified = cli(&["verify"], &data);
    assert!(verified.contains("うけみ接骨院"), "{verified}");

    // Restored into a fresh companion: the same book.
    let fresh = dir.join("fresh");
    std::fs::create_dir_all(&fresh).expect("fresh");
    cli(&["restore", &plain.to_string_lossy()], &fresh);
    let comp = Companion::start_in(&fresh, 0, &[]);
    let mut c = comp.paired_client();
    let snap = pull(&mut c);
    assert_eq!(snap.book().expect("book"), b);
    assert_eq!(snap.book_id, "book-a");
    // And the page's backup file from it restores the same book in a browser.
    let text = cli(&["export"], &fresh);
    let from_file = ukemi_core::records::backup::import(text.trim()).expect("a backup file");
    assert_eq!(from_file, b);
    drop(comp);
    let _ = std::fs::remove_dir_all(dir);
}

/// An encrypted backup opened with the age library (as `age -d` would) and checked to be a
/// gzipped SQLite file: the gzip bytes.
fn open_sealed(sealed: &Path, passphrase: &str) -> Vec<u8> {
    let bytes = std::fs::read(sealed).expect("read the encrypted copy");
    let dec = age::Decryptor::new(&bytes[..]).expect("an age file");
    let identity =
        age::scrypt::Identity::new(age::secrecy::SecretString::from(passphrase.to_string()));
    let mut r = dec
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .expect("decrypts with the passphrase");
    let mut gz = Vec::new();
    std::io::Read::read_to_end(&mut r, &mut gz).expect("read");
    let mut sqlite = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut sqlite)
        .expect("gunzip");
    assert!(sqlite.starts_with(b"SQLite format 3\0"));
    gz
}

/// `POST /backup/folder` as raw HTTP, with the `Origin` given: the status line.
fn post_backup_form(origin: &str, port: u16, body: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let req = format!(
        "POST /backup/folder HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).expect("write");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.lines().next().unwrap_or_default().to_string()
}

#[test]
fn the_second_folder_is_set_on_the_companions_page_and_a_first_encrypted_copy_written_at_once() {
    use ukemi_e2e::webdriver::Browser;
    const WAIT: Duration = Duration::from_secs(30);
    const PASSPHRASE: &str = "受身 2026 合言葉";
    let dir = temp_dir("page");
    let data = dir.join("data");
    let usb = dir.join("usb");
    std::fs::create_dir_all(&usb).expect("usb");
    std::fs::create_dir_all(&data).expect("data");
    let clock = dir.join("clock.txt");
    std::fs::write(&clock, "2026-11-30").expect("clock");
    let clock_arg = clock.to_string_lossy().into_owned();
    let comp = Companion::start_in(&data, 0, &["--test-clock", &clock_arg]);
    let mut c = comp.paired_client();
    let b = book("うけみ接骨院", 2);
    assert_eq!(stored_seq(&push(&mut c, &adopt(&b, "c1", "book-a"))), 1);
    let config = data.join("backup-folder.json");

    // Another web site's form cannot set it (its Origin is its own).
    let port: u16 = comp
        .origin()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let foreign = post_backup_form(
        "https://evil.example",
        port,
        &format!(
            "action=set&folder={}&passphrase=aaaaaaaa&again=aaaaaaaa",
            usb.display()
        ),
    );
    assert!(foreign.contains("403"), "{foreign}");
    assert!(!config.exists());

    let br = Browser::start();
    br.goto(&format!("{}/backup", comp.origin()));
    br.wait_text("#second-now", "まだありません", WAIT);
    assert!(
        br.axe_serious(None).is_empty(),
        "{:?}",
        br.axe_serious(None)
    );
    // Two passphrases that differ: said, nothing set.
    br.fill("#folder", &usb.to_string_lossy());
    br.fill("#passphrase", PASSPHRASE);
    br.fill("#again", "受身 2026 合言葉X");
    br.click("#set-second");
    br.wait_text("#result", "一致しません", WAIT);
    assert!(!config.exists());
    // The folder typed is kept; the passphrases are not.
    assert_eq!(
        br.exec(
            "return document.querySelector('#folder').value;",
            serde_json::json!([])
        ),
        serde_json::json!(usb.to_string_lossy())
    );
    assert_eq!(
        br.exec(
            "return document.querySelector('#passphrase').value;",
            serde_json::json!([])
        ),
        serde_json::json!("")
    );
    br.fill("#passphrase", PASSPHRASE);
    br.fill("#again", PASSPHRASE);
    br.click("#set-second");
    br.wait_text("#result", "最初のバックアップ", WAIT);
    br.wait_text("#second-now", "usb", WAIT);
    assert!(config.exists());
    // The first copy is already there and opens with the passphrase: the book.
    let sealed = usb
        .join("Ukemi")
        .join("backups")
        .join("daily-2026-11-30.sqlite.gz.age");
    open_sealed(&sealed, PASSPHRASE);
    // The page tells the book's pages a second folder is set; the passphrase is nowhere.
    assert!(info(&mut c).second_folder);
    assert!(!comp.log().contains(PASSPHRASE));
    assert!(!br.body_text().contains(PASSPHRASE));
    // Stopped again from the page.
    br.click("#clear-second");
    br.wait_text("#result", "やめました", WAIT);
    assert!(!config.exists());
    assert!(!info(&mut c).second_folder);
    drop(br);
    drop(c);
    drop(comp);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_vendor_portal_checks_eligibility_but_never_reads_changes_or_hears_of_the_book() {
    const PORTAL: &str = "https://portal.example.jp";
    const APP: &str = "https://app.clinic.example.jp";
    let dir = temp_dir("origins");
    let comp = Companion::start_in(&dir, 0, &["--allow-origin", PORTAL, "--book-origin", APP]);
    let features = |m: &Message| match m {
        Message::Hello { features, .. } => features.clone(),
        other => panic!("{other:?}"),
    };

    // The clinic app served elsewhere, listed for the book: offered it, and it works.
    let mut app = comp.connect(Some(APP)).expect("connect app");
    assert!(features(&app.hello()).contains(&"book".to_string()));
    comp.pair(&mut app);
    let first = book("うけみ接骨院", 1);
    assert_eq!(
        stored_seq(&push(&mut app, &adopt(&first, "c1", "book-a"))),
        1
    );

    // A vendor's portal, allowed to connect and paired like the app: eligibility only.
    let mut portal = comp.connect(Some(PORTAL)).expect("connect portal");
    let hello = portal.hello();
    assert!(!features(&hello).contains(&"book".to_string()), "{hello:?}");
    assert!(features(&hello).contains(&"check_by_card".to_string()));
    comp.pair(&mut portal);
    for cmd in [
        Cmd::BookInfo,
        Cmd::BookPull,
        Cmd::BookTrail {
            before: None,
            limit: 10,
        },
    ] {
        let m = portal.call(cmd);
        assert_eq!(error_code(&m), Some(ErrorCode::BookNotAllowed), "{m:?}");
        let Message::Error { message, .. } = &m else {
            unreachable!()
        };
        assert!(message.contains("資格確認だけ"), "{message}");
    }
    let stolen = edit(&first, &book("乗っ取り", 1), "p1", "book-a");
    assert_eq!(
        error_code(&push(&mut portal, &stolen)),
        Some(ErrorCode::BookNotAllowed)
    );
    assert!(
        matches!(portal.call(Cmd::GetReaders), Message::Readers { .. }),
        "the portal still checks eligibility"
    );

    // The app's next change is announced to the app's other pages, never to the portal.
    let second = book("うけみ接骨院 本院", 1);
    let mut app2 = comp.connect(Some(APP)).expect("connect app 2");
    app2.hello();
    comp.pair(&mut app2);
    assert_eq!(
        stored_seq(&push(&mut app, &edit(&first, &second, "c2", "book-a"))),
        2
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app2
        .events
        .iter()
        .any(|e| matches!(e, Message::BookChanged { .. }))
    {
        assert!(
            Instant::now() < deadline,
            "the app's other page heard nothing"
        );
        let _ = app2.call(Cmd::GetReaders);
    }
    // Events reach a page in order: had the portal been told, it would precede this answer.
    let _ = portal.call(Cmd::GetReaders);
    assert!(
        !portal
            .events
            .iter()
            .any(|e| matches!(e, Message::BookChanged { .. })),
        "{:?}",
        portal.events
    );
    assert_eq!(
        info(&mut app).book.map(|b| b.clinic_name),
        Some("うけみ接骨院 本院".into())
    );
    assert!(
        comp.log()
            .contains("book refused: origin not allowed the book"),
        "the vendor's log says why"
    );
}
