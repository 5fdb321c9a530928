//! The browser's database when something is wrong with it: a damaged record is named, nothing
//! is written over it by later edits, and a backup restores the clinic. The app is served by a
//! plain static server (no companion): the clinic's records work without it.

use serde_json::{json, Value};
use std::time::Duration;
use ukemi_e2e::webdriver::Browser;
use ukemi_e2e::{artifacts_dir, dist, StaticServer};

const WAIT: Duration = Duration::from_secs(30);
const TAB: &str = "\u{E004}";

fn raw(b: &Browser, store: &str, key: &str) -> Value {
    b.idb_get("ukemi", store, key)
}

fn put_raw(b: &Browser, store: &str, key: &str, value: &str) {
    let r = b.exec_async(
        "const [store, key, value, done] = arguments;
         const open = indexedDB.open('ukemi');
         open.onsuccess = () => {
           const db = open.result;
           const tx = db.transaction(store, 'readwrite');
           tx.objectStore(store).put(value, key);
           tx.oncomplete = () => { db.close(); done('ok'); };
           tx.onerror = () => done('write failed');
         };",
        json!([store, key, value]),
    );
    assert_eq!(r, json!("ok"));
}

#[test]
fn a_damaged_record_is_named_never_overwritten_and_a_backup_restores() {
    let server = StaticServer::start(dist(false));
    let origin = format!("http://127.0.0.1:{}", server.port);
    let b = Browser::start();
    b.goto(&format!("{origin}/#settings"));
    b.wait_for("#clinic-name", WAIT);
    b.type_into("#clinic-name", &format!("うけみ接骨院{TAB}"));
    b.wait_stored("ukemi", "settings", "settings", "うけみ接骨院", WAIT);
    b.exec(
        "window.__blobs = []; const o = URL.createObjectURL.bind(URL);
         URL.createObjectURL = (x) => { window.__blobs.push(x); return o(x); };",
        json!([]),
    );
    b.click("#backup-save");
    b.wait_text("#backup-message", "保存しました", WAIT);
    let backup = b
        .exec_async(
            "const done = arguments[arguments.length - 1]; window.__blobs[0].text().then(done);",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string();
    let dir = std::fs::canonicalize(artifacts_dir()).expect("artifacts dir");
    let file = dir.join("storage-backup.json");
    std::fs::write(&file, &backup).expect("write backup");

    // Damage the stored settings behind the app's back, then reload.
    put_raw(&b, "settings", "settings", "{\"clinic\": ");
    b.reload();
    let alert = b.wait_text("#storage-error", "settings", WAIT);
    assert!(alert.contains("読めません"), "{alert}");
    // An edit now lives in the page only: the damaged record stays as it was.
    b.type_into("#clinic-name", &format!("別の名前{TAB}"));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(raw(&b, "settings", "settings"), json!("{\"clinic\": "));

    // The log for support names the damaged record, not what the clinic typed.
    let log = ukemi_e2e::save_support_log(&b);
    assert!(log.contains("ERROR book.unreadable"), "{log}");
    assert!(log.contains("record settings/settings"), "{log}");
    assert!(
        !log.contains("parsing"),
        "no parser message (it can quote data): {log}"
    );
    assert!(!log.contains("別の名前"), "{log}");
    assert_eq!(
        log.matches("INFO page.loaded").count(),
        2,
        "the lines from before the reload are kept in the tab: {log}"
    );

    // The backup puts everything back, and the warning goes.
    b.type_into("#backup-file", &file.to_string_lossy());
    b.click("#backup-check");
    b.click("#backup-confirm");
    b.wait_text("#backup-message", "復元しました", WAIT);
    b.wait_stored("ukemi", "settings", "settings", "うけみ接骨院", WAIT);
    b.reload();
    b.wait_for("#clinic-name", WAIT);
    let deadline = std::time::Instant::now() + WAIT;
    while b.exec(
        "return document.querySelector('#clinic-name').value;",
        json!([]),
    ) != json!("うけみ接骨院")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "restored name not shown"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(b.text("#storage-error").is_empty());
}
