//! The book survives the browser, in headless Chromium with the real companion: what the
//! clinic records reaches the companion's durable copy; a wiped browser profile is offered
//! the companion's book (施術所名, patients, last change) and restores every record; two tabs
//! of one profile both keep their edits.

use serde_json::{json, Value};
use std::time::Duration;
use ukemi_e2e::webdriver::Browser;
use ukemi_e2e::{artifacts_dir, dist, Companion};

const WAIT: Duration = Duration::from_secs(40);

/// Every record of the book's stores, as (store, key, text), sorted.
fn all_rows(b: &Browser) -> Value {
    b.exec_async(
        "const done = arguments[arguments.length - 1];
         const stores = ['patients', 'cases', 'settings', 'months', 'meta'];
         const open = indexedDB.open('ukemi');
         open.onsuccess = () => {
           const db = open.result;
           const tx = db.transaction(stores, 'readonly');
           const out = [];
           let left = stores.length;
           for (const s of stores) {
             const os = tx.objectStore(s);
             const k = os.getAllKeys(), v = os.getAll();
             v.onsuccess = () => {
               k.result.forEach((key, i) => out.push([s, key, v.result[i]]));
               if (--left === 0) { db.close(); out.sort(); done(out); }
             };
           }
         };",
        json!([]),
    )
}

fn go(b: &Browser, screen: &str) {
    b.click(&format!("#nav-{screen}"));
    b.wait_for(&format!("#nav-{screen}[aria-current=page]"), WAIT);
}

fn check_card(b: &Browser, persona: &str, name: &str) {
    b.select("#sim-persona", persona);
    b.click("#sim-insert");
    b.wait_text("#reader-status", "マイナンバーカード", WAIT);
    b.click("#mode-pin");
    b.type_into("#pin", "1234");
    b.click("#check-button");
    b.wait_text("#result-name", name, WAIT);
    b.click("#register-patient");
    b.wait_text("#registration", "新しい患者として登録しました", WAIT);
}

fn open_paired(comp: &Companion) -> Browser {
    open_paired_at(comp, &comp.origin())
}

/// A browser profile on `origin` (the companion's `127.0.0.1` or `localhost` address: two
/// origins, each with its own storage and its own pairing).
fn open_paired_at(comp: &Companion, origin: &str) -> Browser {
    let b = Browser::start();
    b.goto(&format!("{origin}/"));
    b.wait_for("#pairing-code", WAIT);
    comp.approve_next(origin);
    b.wait_for("#sim-persona option[value=\"normal\"]", WAIT);
    b
}

fn synced(b: &Browser) {
    nothing_waits(b);
    b.wait_text("#durable-status", "保存されました", WAIT);
}

fn nothing_waits(b: &Browser) {
    go(b, "settings");
    b.wait_for("#durable-status[data-connected=\"true\"]", WAIT);
    b.wait_text("#durable-pending", "0 件", WAIT);
}

#[test]
fn a_wiped_browser_restores_every_record_from_the_companion() {
    let comp = Companion::start(&["--serve", &dist(false).to_string_lossy()]);
    let b = open_paired(&comp);
    go(&b, "settings");
    b.fill("#clinic-name", "うけみ接骨院");
    b.fill("#clinic-address", "東京都千代田区千代田1-1");
    go(&b, "reception");
    check_card(&b, "normal", "山田　花子");
    check_card(&b, "elderly", "佐藤　一郎");
    synced(&b);
    // One tab: nothing may be taken for another tab's change (the first records of an
    // empty database included).
    assert!(!b.body_text().contains("別のタブ"), "{}", b.body_text());
    let before = all_rows(&b);
    assert!(before.as_array().is_some_and(|r| r.len() >= 4), "{before}");
    // The change trail in 設定: kinds and today's names, no field content needed.
    b.click("#trail-load");
    let trail = b.wait_text("#trail", "資格確認の結果を登録", WAIT);
    assert!(trail.contains("山田　花子"), "{trail}");
    let v = b.axe_serious(None);
    assert!(v.is_empty(), "axe on 設定 with the trail: {v:#?}");
    drop(b);

    // A new profile: nothing in the browser. The companion's book is offered.
    let b = open_paired(&comp);
    let offer = b.wait_text("#durable-offer-summary", "うけみ接骨院", WAIT);
    assert!(offer.contains("患者 2 人"), "{offer}");
    b.screenshot(&artifacts_dir().join("durable-offer.png"));
    let v = b.axe_serious(None);
    assert!(v.is_empty(), "axe on the offer: {v:#?}");
    b.click("#durable-restore");
    b.click("#durable-confirm");
    b.wait_text("#durable-notice", "復元しました", WAIT);
    assert_eq!(all_rows(&b), before, "every record restored as it was");
    go(&b, "patients");
    b.wait_text("#patients", "佐藤　一郎", WAIT);

    // Damaged browser storage: named, and the companion's book offered again.
    let r = b.exec_async(
        "const done = arguments[arguments.length - 1];
         const open = indexedDB.open('ukemi');
         open.onsuccess = () => {
           const db = open.result;
           const tx = db.transaction('settings', 'readwrite');
           tx.objectStore('settings').put('{\"clinic\": ', 'settings');
           tx.oncomplete = () => { db.close(); done('ok'); };
         };",
        json!([]),
    );
    assert_eq!(r, json!("ok"));
    b.reload();
    b.wait_text("#storage-error", "settings", WAIT);
    b.wait_text("#durable-offer-summary", "患者 2 人", WAIT);
    b.click("#durable-restore");
    b.click("#durable-confirm");
    b.wait_text("#durable-notice", "復元しました", WAIT);
    assert_eq!(
        all_rows(&b),
        before,
        "the damaged record replaced by the companion's"
    );
}

#[test]
fn two_tabs_editing_one_book_keep_both_edits() {
    let comp = Companion::start(&["--serve", &dist(false).to_string_lossy()]);
    let b = open_paired(&comp);
    go(&b, "settings");
    b.fill("#clinic-name", "うけみ接骨院");
    synced(&b);
    // The second folder is set on the companion's own page, linked from here.
    b.wait_for("#backup-page-link", WAIT);
    assert_eq!(
        b.exec(
            "return document.querySelector('#backup-page-link').href;",
            json!([])
        ),
        json!(format!("{}/backup", comp.origin()))
    );
    let first = b.window();
    let second = b.new_tab();
    b.switch_to(&second);
    b.goto(&format!("{}/#settings", comp.origin()));
    b.wait_for("#clinic-name", WAIT);
    b.fill("#clinic-address", "東京都千代田区千代田1-1");
    b.wait_stored("ukemi", "settings", "settings", "千代田1-1", WAIT);
    // The first tab was told and reads the book again before its own edit (wait for it to
    // show the other tab's address: an edit typed before that is refused as stale).
    b.switch_to(&first);
    let deadline = std::time::Instant::now() + WAIT;
    while !b
        .exec(
            "return document.querySelector('#clinic-address').value;",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .contains("千代田1-1")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the first tab never showed the other tab's address"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    b.fill("#clinic-manager", "受身　太郎");
    b.wait_stored("ukemi", "settings", "settings", "受身　太郎", WAIT);
    let settings = b.idb_get("ukemi", "settings", "settings");
    let text = settings.as_str().unwrap_or_default();
    assert!(
        text.contains("千代田1-1") && text.contains("受身　太郎") && text.contains("うけみ接骨院"),
        "both edits kept: {text}"
    );
    synced(&b);
}

/// The companion's book as the page's backup file (`backup export`), read with core.
fn durable_book(state: &std::path::Path) -> ukemi_core::records::Book {
    let out = std::process::Command::new(ukemi_e2e::companion_bin())
        .args(["backup", "export", "--state-dir"])
        .arg(state)
        .output()
        .expect("backup export");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    ukemi_core::records::backup::import(String::from_utf8_lossy(&out.stdout).trim())
        .expect("the durable copy reads as a backup")
}

fn pending(b: &Browser) -> u64 {
    b.text("#durable-pending")
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

#[test]
fn a_companion_killed_mid_change_holds_the_acknowledged_book_and_the_page_sends_the_rest() {
    let dir = std::env::temp_dir().join(format!("ukemi-durable-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let serve = dist(false).to_string_lossy().into_owned();
    let comp = Companion::start_in(&dir, 0, &["--serve", &serve]);
    let port = comp.port;
    let b = open_paired(&comp);
    go(&b, "settings");
    b.fill("#clinic-name", "うけみ接骨院");
    b.fill("#clinic-address", "東京都千代田区千代田1-1");
    synced(&b);

    // A large change (a backup with a long address: many pieces), and SIGKILL at once.
    let mut big = ukemi_core::records::Book::default();
    big.settings.clinic.name = "うけみ接骨院".into();
    big.settings.clinic.address = "大阪府大阪市北区梅田二丁目3番4号".repeat(8000);
    let file = artifacts_dir().join("durable-big-backup.json");
    std::fs::write(
        &file,
        ukemi_core::records::backup::export(&big, "2026-11-25T09:00:00Z"),
    )
    .expect("write");
    let file = std::fs::canonicalize(file).expect("path");
    b.type_into("#backup-file", &file.to_string_lossy());
    b.click("#backup-check");
    b.wait_for("#backup-confirm-box", WAIT);
    b.click("#backup-confirm");
    b.wait_stored("ukemi", "settings", "settings", "梅田二丁目", WAIT);
    let dir = comp.kill();
    b.wait_text("#durable-status", "コンパニオンにつながっていません", WAIT);
    // The durable copy is one whole book, never part of the change: the new one if the
    // answer reached the page before the kill; while the page still holds the change, the
    // old one — or the new one when the kill fell between the companion's commit and its
    // answer (the re-sent change is then recognised as stored).
    let held = durable_book(&dir);
    let old = "東京都千代田区千代田1-1";
    if pending(&b) > 0 {
        assert!(
            held.settings.clinic.address == old || held == big,
            "neither the old book nor the new one whole: name {:?}, address {} chars (starts {:?}), settings equal {}, patients {} vs {}",
            held.settings.clinic.name,
            held.settings.clinic.address.chars().count(),
            held.settings.clinic.address.chars().take(20).collect::<String>(),
            held.settings == big.settings,
            held.patients.len(),
            big.patients.len(),
        );
    } else {
        assert_eq!(held, big);
    }
    // Restarted on its folder and port: the page proves its key again and sends what waits.
    let comp = Companion::start_in(&dir, port, &["--serve", &serve]);
    synced(&b);
    let held = durable_book(&dir);
    assert_eq!(held, big);
    assert_eq!(held, durable_book(&comp.state_dir));
    drop(comp);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn two_browsers_editing_while_the_companion_is_away_keep_one_and_say_so_in_the_other() {
    let dir = std::env::temp_dir().join(format!("ukemi-durable-stale-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let serve = dist(false).to_string_lossy().into_owned();
    let comp = Companion::start_in(&dir, 0, &["--serve", &serve]);
    let port = comp.port;
    let x = open_paired(&comp);
    go(&x, "settings");
    x.fill("#clinic-name", "うけみ接骨院");
    synced(&x);
    // A second browser takes the same book from the companion. (It opens the companion's
    // other loopback name: pairings are per origin, and a second profile on the same origin
    // would replace the first one's key.)
    let y = open_paired_at(&comp, &format!("http://localhost:{port}"));
    y.wait_text("#durable-offer-summary", "うけみ接骨院", WAIT);
    y.click("#durable-restore");
    y.click("#durable-confirm");
    y.wait_text("#durable-notice", "復元しました", WAIT);
    nothing_waits(&y);

    // The companion goes away; both change the same record.
    let dir = comp.kill();
    x.wait_text("#durable-status", "つながっていません", WAIT);
    y.wait_text("#durable-status", "つながっていません", WAIT);
    x.fill("#clinic-address", "東京都千代田区千代田1-1");
    y.fill("#clinic-address", "大阪府大阪市北区梅田2-3-4");
    x.wait_stored("ukemi", "settings", "settings", "千代田1-1", WAIT);
    y.wait_stored("ukemi", "settings", "settings", "梅田2-3-4", WAIT);
    let comp = Companion::start_in(&dir, port, &["--serve", &serve]);
    for b in [&x, &y] {
        nothing_waits(b);
    }
    // One was stored first; the other was refused, said so, and shows the stored one.
    let held = durable_book(&dir);
    let (winner, loser) = if held.settings.clinic.address.contains("千代田") {
        (&x, &y)
    } else {
        (&y, &x)
    };
    let said = loser.wait_text("#durable-notice", "読み込みました", WAIT);
    assert!(said.contains("保存されませんでした"), "{said}");
    loser.wait_stored(
        "ukemi",
        "settings",
        "settings",
        &held.settings.clinic.address,
        WAIT,
    );
    assert_eq!(
        winner.idb_get("ukemi", "settings", "settings"),
        loser.idb_get("ukemi", "settings", "settings")
    );
    drop(comp);
    let _ = std::fs::remove_dir_all(dir);
}

/// The clinic app served from an address the companion allows to connect but not to keep
/// the book (a vendor's portal, or the app hosted elsewhere before `--book-origin`): the
/// page pairs and checks eligibility, keeps its records in the browser only, and says why on
/// 設定 — the companion never receives them.
#[test]
fn an_origin_not_allowed_the_book_keeps_its_records_in_the_browser_and_says_why() {
    let dist = dist(false);
    // A second companion only serves the page, from an origin of its own.
    let site = Companion::start(&["--serve", &dist.to_string_lossy()]);
    let comp = Companion::start(&["--allow-origin", &site.origin()]);
    let b = Browser::start();
    b.goto(&format!(
        "{}/?companion=127.0.0.1:{}",
        site.origin(),
        comp.port
    ));
    b.wait_for("#pairing-code", WAIT);
    comp.approve_next(&site.origin());
    b.wait_for("#sim-persona option[value=\"normal\"]", WAIT);
    check_card(&b, "normal", "山田　花子");

    go(&b, "settings");
    let said = b.wait_text(
        "#durable-status[data-book-allowed=\"false\"]",
        "許可されていません",
        WAIT,
    );
    assert!(
        said.contains(&site.origin()) && said.contains("--book-origin"),
        "{said}"
    );
    b.screenshot(&artifacts_dir().join("durable-book-not-allowed.png"));
    // Nothing of the book reached the companion: the page never asked.
    let log = comp.log();
    assert!(!log.contains("BOOK_"), "log:\n{log}");
    assert!(
        all_rows(&b).to_string().contains("山田"),
        "the browser keeps the registration"
    );
}
