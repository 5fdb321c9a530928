//! Finding a patient the way a receptionist types the name: in hiragana, in half-width カナ
//! (the form the service and older systems use), and in everyday kanji for a name registered
//! with a variant (髙 for 高). The app from a plain static server; three patients registered
//! by hand on 患者; each query typed key by key into the search box (no Tab, no Enter: the
//! list follows the typing), then into 施術録's search, where Enter opens the first match.

use serde_json::json;
use std::time::Duration;
use ukemi_e2e::webdriver::Browser;
use ukemi_e2e::{artifacts_dir, dist, StaticServer};

const WAIT: Duration = Duration::from_secs(30);
const ENTER: &str = "\u{E007}";

/// Registers a patient through 手入力で登録, as staff would from the 資格確認書.
fn register(b: &Browser, name: &str, kana: &str, birth: &str, number: &str, count: usize) {
    b.click("#new-patient-summary");
    b.wait_for("#new-patient[open] #new-name", WAIT);
    b.fill("#new-name", name);
    b.fill("#new-kana", kana);
    b.set_date("#new-birth", birth);
    b.select("#new-sex", "female");
    b.fill("#new-address", "東京都中野区中野4-8-1");
    b.fill("#new-insurer", "06139992");
    b.fill("#new-number", number);
    b.select("#new-copay", "30");
    b.set_date("#new-valid-from", "2020-04-01");
    b.click("#new-patient-register");
    b.wait_text("#patient-detail-heading", name, WAIT);
    b.wait_text("#patient-count", &format!("{count}人"), WAIT);
}

/// The names in the patient list as shown, row by row: (氏名, カナ).
fn rows(b: &Browser) -> Vec<(String, String)> {
    let v = b.exec(
        "return [...document.querySelectorAll('#patients tbody tr')]
           .map(r => [r.cells[0].innerText.trim(), r.cells[1].innerText.trim()]);",
        json!([]),
    );
    v.as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    (
                        r[0].as_str().unwrap_or_default().to_string(),
                        r[1].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Types `query` into an emptied search box, key by key, and waits for the count to settle.
fn search(b: &Browser, css: &str, query: &str, count: &str) -> Vec<(String, String)> {
    b.type_into(css, query);
    b.wait_text("#patient-count", count, WAIT);
    rows(b)
}

#[test]
fn patients_are_found_in_hiragana_half_width_kana_and_everyday_kanji() {
    let server = StaticServer::start(dist(false));
    let b = Browser::start();
    b.goto(&format!("http://127.0.0.1:{}/#patients", server.port));
    b.wait_for("#patient-search", WAIT);
    register(&b, "山田　花子", "ヤマダ　ハナコ", "1950-02-03", "11", 1);
    register(
        &b,
        "髙橋　一郎",
        "タカハシ　イチロウ",
        "1948-07-21",
        "12",
        2,
    );
    // Someone whose name shares nothing with the queries.
    register(&b, "佐藤　次郎", "サトウ　ジロウ", "1961-11-30", "13", 3);

    let hanako = ("山田　花子".to_string(), "ヤマダ　ハナコ".to_string());
    let takahashi = ("髙橋　一郎".to_string(), "タカハシ　イチロウ".to_string());
    assert_eq!(
        search(&b, "#patient-search", "やまだ", "1人"),
        vec![hanako.clone()],
        "hiragana finds the カナ"
    );
    assert_eq!(
        search(&b, "#patient-search", "ﾔﾏﾀﾞ", "1人"),
        vec![hanako.clone()],
        "half-width カナ (with its separate dakuten) finds the full-width カナ"
    );
    assert_eq!(
        search(&b, "#patient-search", "高橋", "1人"),
        vec![takahashi.clone()],
        "the everyday 高 finds the registered 髙"
    );
    // A name with a space typed the other width, and the variant typed as registered.
    assert_eq!(
        search(&b, "#patient-search", "山田 花子", "1人"),
        vec![hanako]
    );
    assert_eq!(
        search(&b, "#patient-search", "髙橋", "1人"),
        vec![takahashi]
    );
    // Nothing found says so; an emptied box lists everyone again.
    assert!(search(&b, "#patient-search", "やまもと", "0人").is_empty());
    assert_eq!(search(&b, "#patient-search", "", "3人").len(), 3);
    b.screenshot(&artifacts_dir().join("search-patients.png"));

    // 施術録: the half-width query and Enter open 山田's records (the last registered, 佐藤,
    // was chosen before).
    b.click("#nav-records");
    b.wait_for("#records-search", WAIT);
    b.wait_text("#new-case", "佐藤　次郎", WAIT);
    b.type_into("#records-search", "ﾔﾏﾀﾞ");
    b.wait_text("#records-found", "1人が一致", WAIT);
    b.keys(ENTER);
    b.wait_text("#new-case", "山田　花子さんの施術録を作る", WAIT);
    b.type_into("#records-search", "高橋");
    b.wait_text("#records-found", "1人が一致", WAIT);
    b.keys(ENTER);
    b.wait_text("#new-case", "髙橋　一郎さんの施術録を作る", WAIT);
}
