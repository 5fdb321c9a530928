//! A patient registered by hand when no online check can be made: the app from a plain static
//! server (no companion — the outage case), reached from 受付's hint. The draft survives a
//! reload; a wrong 検証番号 is refused with the draft kept; the registered patient is stored,
//! a second registration of the same person is refused, and their claim carries the
//! "no online check on record" warning, which asks but does not block.

use serde_json::json;
use std::time::Duration;
use ukemi_e2e::webdriver::Browser;
use ukemi_e2e::{artifacts_dir, dist, StaticServer};

const WAIT: Duration = Duration::from_secs(30);

fn value(b: &Browser, css: &str) -> String {
    b.exec(
        "return document.querySelector(arguments[0]).value;",
        json!([css]),
    )
    .as_str()
    .unwrap_or_default()
    .to_string()
}

fn clear_and_fill(b: &Browser, css: &str, text: &str) {
    b.exec(
        "const e = document.querySelector(arguments[0]); e.value = '';
         e.dispatchEvent(new Event('input', { bubbles: true }));",
        json!([css]),
    );
    b.fill(css, text);
}

#[test]
fn a_patient_typed_by_hand_during_an_outage_is_stored_and_their_claim_warns() {
    let server = StaticServer::start(dist(false));
    let b = Browser::start();
    b.goto(&format!("http://127.0.0.1:{}/#reception", server.port));
    b.wait_for("#manual-hint a", WAIT);
    b.click("#manual-hint a");
    b.wait_for("#nav-patients[aria-current=page]", WAIT);
    b.click("#new-patient-summary");
    b.wait_for("#new-patient[open] #new-name", WAIT);

    b.fill("#new-name", "佐藤　花子");
    b.fill("#new-kana", "ｻﾄｳ ﾊﾅｺ");
    b.set_date("#new-birth", "1950-02-03");
    b.select("#new-sex", "female");
    b.fill("#new-address", "東京都中野区中野4-8-1");
    // One digit off: the 検証番号 does not match.
    b.fill("#new-insurer", "06139993");
    b.fill("#new-number", "88");
    b.select("#new-copay", "20");

    // What was typed survives a reload of the tab.
    b.reload();
    b.wait_for("#new-patient[open] #new-name", WAIT);
    assert_eq!(value(&b, "#new-name"), "佐藤　花子");
    assert_eq!(value(&b, "#new-insurer"), "06139993");
    assert_eq!(value(&b, "#new-copay"), "20");

    b.click("#new-patient-register");
    let error = b.wait_text("#new-patient-error", "検証番号", WAIT);
    assert!(!error.is_empty());
    assert!(b.text("#patient-count").contains("0人"));
    assert_eq!(
        value(&b, "#new-name"),
        "佐藤　花子",
        "a refusal keeps the draft"
    );
    // The cursor goes to the field to fix, marked for screen readers (moved after drawing).
    b.wait_focus("new-insurer", WAIT);
    b.wait_for("#new-insurer[aria-invalid=true]", WAIT);
    let v = b.axe_serious(None);
    assert!(v.is_empty(), "axe on the manual registration form: {v:#?}");
    b.screenshot(&artifacts_dir().join("manual-form-refused.png"));

    clear_and_fill(&b, "#new-insurer", "06139992");
    b.set_date("#new-valid-from", "2020-04-01");
    b.click("#new-patient-register");
    b.wait_text("#patient-detail-heading", "佐藤　花子", WAIT);
    b.wait_text("#patient-count", "1人", WAIT);
    b.wait_text("#insurance-history", "06139992", WAIT);
    b.wait_focus("patient-detail-heading", WAIT);
    b.wait_text("#no-checks", "資格確認の記録がありません", WAIT);
    assert_eq!(
        b.exec(
            "return document.querySelector('#check-history') === null",
            json!([])
        ),
        json!(true),
        "no empty check table for a screen reader to read out"
    );
    assert!(
        b.text("#patients").contains("サトウ"),
        "カナ kept full-width"
    );
    b.wait_stored("ukemi", "patients", "p1", "06139992", WAIT);
    assert_eq!(
        value(&b, "#new-name"),
        "",
        "the draft is gone once registered"
    );
    b.screenshot(&artifacts_dir().join("manual-registered.png"));

    // The same person again (spaces differ): refused, naming who is registered.
    b.click("#new-patient-summary");
    b.wait_for("#new-patient[open] #new-name", WAIT);
    b.fill("#new-name", "佐藤 花子");
    b.set_date("#new-birth", "1950-02-03");
    b.fill("#new-insurer", "06139992");
    b.fill("#new-number", "99");
    b.click("#new-patient-register");
    b.wait_text("#new-patient-error", "すでに登録", WAIT);
    b.wait_text("#patient-count", "1人", WAIT);

    // Support's log has both refusals by kind, and nothing that was typed.
    b.click("#nav-settings");
    b.wait_for("#log-save", WAIT);
    let log = ukemi_e2e::save_support_log(&b);
    assert!(
        log.contains("WARN patient.add_refused kind=insurer_number"),
        "{log}"
    );
    assert!(log.contains("kind=already_registered"), "{log}");
    for typed in ["佐藤", "06139993", "06139992", "中野", "1950"] {
        assert!(!log.contains(typed), "{typed} in the log:\n{log}");
    }
    b.click("#nav-patients");
    b.wait_for("#patient-detail", WAIT);
    b.click("#patient-p1");

    // A visit, then the month's claim warns that no online check is on record.
    b.click("#to-records");
    b.wait_for("#nav-records[aria-current=page]", WAIT);
    b.select("#new-case-kind", "judo");
    b.click("#new-case");
    b.wait_for("#case-editor", WAIT);
    let today = b
        .exec(
            "const d = new Date(); return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-01';",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string();
    b.set_date("#case-first-visit", &today);
    b.set_date("#new-injury-date", &today);
    b.click("#add-injury");
    b.fill("#injury-1-site", "足関節");
    b.select("#injury-1-side", "right");
    b.set_date("#injury-1-date", &today);
    b.click(&format!("#day-{today}"));
    b.click("#add-visit");
    b.wait_for("#part-1", WAIT);
    b.click("#nav-claims");
    b.wait_for("#claims-table", WAIT);
    let table = b.wait_text(
        "#claims-table",
        "オンライン資格確認の記録がありません",
        WAIT,
    );
    assert!(table.contains("佐藤　花子"), "{table}");
    assert!(
        !table.contains("有効期間が入力されていません"),
        "the typed 資格取得日 counts: {table}"
    );

    // Stored: after a reload the patient and the warning are still there.
    b.reload();
    b.wait_text(
        "#claims-table",
        "オンライン資格確認の記録がありません",
        WAIT,
    );

    // In English the findings stay Japanese, marked so a screen reader reads them as such.
    b.click("#lang-switch");
    b.wait_for("html[lang=en]", WAIT);
    b.wait_text(
        "#claims-table .findings [lang=ja]",
        "オンライン資格確認の記録がありません",
        WAIT,
    );
}

/// Types a patient into 手入力で登録 and registers them.
fn register_by_hand(b: &Browser, name: &str, birth: &str, number: &str) {
    if b.exec(
        "return !document.querySelector('#new-patient').open;",
        json!([]),
    ) == json!(true)
    {
        b.click("#new-patient-summary");
    }
    b.wait_for("#new-patient[open] #new-name", WAIT);
    b.fill("#new-name", name);
    b.set_date("#new-birth", birth);
    b.fill("#new-insurer", "06139992");
    b.fill("#new-number", number);
    b.click("#new-patient-register");
    b.wait_text("#patient-detail-heading", name, WAIT);
}

#[test]
fn two_records_of_one_person_are_merged_after_a_confirmation() {
    let server = StaticServer::start(dist(false));
    let b = Browser::start();
    b.goto(&format!("http://127.0.0.1:{}/#patients", server.port));
    b.wait_for("#new-patient-summary", WAIT);
    register_by_hand(&b, "髙橋　健", "1961-07-08", "501");
    // The same man typed again with the common form of 髙 and a wrong birthday.
    register_by_hand(&b, "高橋　健", "1961-08-07", "502");
    b.wait_text("#patient-count", "2人", WAIT);

    b.click("#patient-p1");
    b.wait_text("#patient-detail-heading", "髙橋", WAIT);
    b.click("#merge-summary");
    b.select("#merge-from", "p2");
    b.click("#merge-ask");
    let confirm = b.wait_text("#merge-confirm-text", "高橋　健さん", WAIT);
    assert!(confirm.contains("削除"), "{confirm}");
    b.wait_text("#merge-birth-warning", "生年月日が違います", WAIT);
    // The question is read out first: the focus moves to it once it is drawn.
    b.wait_focus("merge-confirm-text", WAIT);
    let v = b.axe_serious(None);
    assert!(v.is_empty(), "axe on the merge confirmation: {v:#?}");
    b.screenshot(&artifacts_dir().join("merge-confirm.png"));
    b.click("#merge-confirm");
    b.wait_text("#merge-status", "統合しました", WAIT);
    b.wait_text("#patient-count", "1人", WAIT);
    b.wait_text("#insurance-history", "502", WAIT);

    // Stored as one change: after a reload there is one patient with both cards.
    b.reload();
    b.wait_text("#patient-count", "1人", WAIT);
    b.click("#patient-p1");
    let history = b.wait_text("#insurance-history", "501", WAIT);
    assert!(history.contains("502"), "{history}");
    assert_eq!(
        b.idb_get("ukemi", "patients", "p2"),
        serde_json::Value::Null
    );

    // A record made by mistake (no 施術録) is deleted after a confirmation.
    register_by_hand(&b, "誤登録　太郎", "2000-01-01", "777");
    b.wait_text("#patient-count", "2人", WAIT);
    b.click("#delete-patient");
    b.wait_text("#delete-patient-text", "元に戻せません", WAIT);
    // The focus moves after the dialog is drawn (focus_later).
    b.wait_focus("delete-patient-text", WAIT);
    b.click("#delete-patient-confirm");
    b.wait_text("#patient-count", "1人", WAIT);
    b.wait_text("#announcer", "削除しました", WAIT);
    b.wait_unstored("ukemi", "patients", "p3", WAIT);
}
