//! Reception as it goes wrong in real life, in headless Chromium at 1366×768 against the
//! real companion in simulator mode: the next card fails and the last patient's result must
//! go; a lost insurance with a newer one, and two in force; an answer without an address; a
//! mistyped insurer number; checks imported twice. What a screen reader is told is read from
//! the page's live regions and from the accessibility tree (DevTools protocol).

use serde_json::json;
use std::time::Duration;
use ukemi_e2e::webdriver::Browser;
use ukemi_e2e::{artifacts_dir, dist, Companion};

const WAIT: Duration = Duration::from_secs(30);
const ENTER: &str = "\u{E007}";

/// The companion serving the app and a 1366×768 browser that listens to its live regions
/// from the start, then is paired (approved on the companion's page).
fn paired() -> (Companion, Browser) {
    let comp = Companion::start(&["--serve", &dist(false).to_string_lossy()]);
    let b = Browser::start();
    b.set_window_size(1366, 768);
    b.goto(&format!("{}/", comp.origin()));
    b.wait_for("#pairing-code", WAIT);
    b.listen_live_regions();
    // Approved on the companion's own page, as the person at the PC would.
    comp.approve_next(&comp.origin());
    b.wait_for("#sim-persona option[value=\"normal\"]", WAIT);
    (comp, b)
}

fn exists(b: &Browser, css: &str) -> bool {
    b.exec(
        "return document.querySelector(arguments[0]) !== null;",
        json!([css]),
    ) == json!(true)
}

fn attr(b: &Browser, css: &str, name: &str) -> String {
    b.exec(
        "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
        json!([css, name]),
    )
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// Puts a practice card in and waits until the page says which card it is; a My Number
/// card puts the focus in the PIN box by itself.
fn insert(b: &Browser, persona: &str) {
    b.select("#sim-persona", persona);
    b.click("#sim-remove");
    b.wait_text("#reader-status", "カードなし", WAIT);
    b.click("#sim-insert");
    if persona == "juki" {
        b.wait_text("#reader-status", "住基カード", WAIT);
    } else {
        b.wait_text(
            "#reader-status",
            "練習用カードリーダー：マイナンバーカード",
            WAIT,
        );
        b.wait_focus("pin", WAIT);
    }
}

/// What the page's polite announcer said, in order.
fn announced(b: &Browser) -> Vec<String> {
    b.spoken()
        .into_iter()
        .filter(|(id, _)| id == "announcer")
        .map(|(_, t)| t)
        .collect()
}

#[test]
fn a_failed_check_clears_the_last_patients_result_and_says_what_happened() {
    let (_comp, b) = paired();
    // Paired: the focus is on the card reader, not lost to the page.
    b.wait_focus("reader-heading", WAIT);
    // The reader list was being fetched: "no reader" was never said meanwhile.
    for (id, text) in b.spoken() {
        assert!(
            !text.contains("見つかりません"),
            "#{id} said {text:?} while the readers were being listed"
        );
    }
    assert_eq!(
        b.exec("return document.title;", json!([])),
        json!("受付 — Ukemi")
    );

    insert(&b, "normal");
    let before = announced(&b).len();
    b.keys(&format!("1234{ENTER}"));
    b.wait_text("#result-name", "山田　花子", WAIT);
    b.wait_focus("result-heading", WAIT);
    let said = announced(&b)[before..].to_vec();
    // Each step once, in order, never cleared in between; the result last, in the words
    // the panel shows.
    assert_eq!(
        said.first().map(String::as_str),
        Some("確認を始めています…"),
        "{said:?}"
    );
    assert_eq!(
        said.last().map(String::as_str),
        Some("資格確認結果：有効。山田　花子さん。"),
        "{said:?}"
    );
    assert!(
        said.iter().all(|t| !t.is_empty()),
        "cleared in between: {said:?}"
    );
    for (i, t) in said.iter().enumerate() {
        assert!(!said[..i].contains(t), "{t:?} said twice: {said:?}");
    }
    assert!(
        said.iter().any(|t| t == "資格情報を照会しています…"),
        "{said:?}"
    );
    assert!(b.text("#result-validity").contains("有効"));
    // The screen reader's view: the live region holds exactly that sentence.
    let nodes = b.ax_nodes();
    assert!(
        nodes
            .iter()
            .any(|n| n.property("live") == Some(&json!("polite"))
                && n.name.contains("資格確認結果：有効。山田　花子さん。")
                || n.role == "StaticText" && n.name == "資格確認結果：有効。山田　花子さん。"),
        "the announcer is not in the accessibility tree"
    );
    assert!(
        nodes
            .iter()
            .any(|n| n.role == "RootWebArea" && n.name == "受付 — Ukemi"),
        "the page's name in the tree names the screen"
    );

    // The next patient's card has a wrong PIN typed: the last result goes at once.
    b.click("#pin");
    b.keys(&format!("9999{ENTER}"));
    b.wait_text("#check-error", "残り2回", WAIT);
    assert!(
        !exists(&b, "#result"),
        "the last patient's result is still shown"
    );
    assert!(
        !exists(&b, "#register-patient"),
        "the last patient can still be registered"
    );
    b.wait_focus("pin", WAIT);
    assert_eq!(attr(&b, "#pin", "aria-invalid"), "true");
    let pin = b
        .ax_nodes()
        .into_iter()
        .find(|n| n.role == "textbox" && n.name.contains("暗証番号"))
        .expect("the PIN box in the tree");
    assert!(pin.description.contains("残り2回"), "{pin:?}");
    assert!(
        pin.property("invalid")
            .is_some_and(|v| v != &json!("false")),
        "{pin:?}"
    );
    // The polite region does not still say "checking…" over the error, nor repeat the
    // last patient's result.
    let last = announced(&b).last().cloned().unwrap_or_default();
    assert!(!last.contains("山田"), "{last:?}");

    // A 住基カード: refused, focus on the message, nothing of the last patient.
    b.type_into("#pin", "1234");
    b.click("#check-button");
    b.wait_text("#result-name", "山田　花子", WAIT);
    insert(&b, "juki");
    b.click("#mode-visual");
    b.click("#visual-confirmed");
    b.click("#check-button");
    b.wait_text("#check-error", "住民基本台帳カード", WAIT);
    assert!(!exists(&b, "#result"));
    b.wait_focus("check-error", WAIT);
    b.screenshot(&artifacts_dir().join("reception-juki-after-valid.png"));
}

#[test]
fn each_qualification_is_labelled_and_the_one_in_force_is_registered() {
    let (_comp, b) = paired();
    insert(&b, "newer");
    b.keys(&format!("1234{ENTER}"));
    b.wait_for("#qualification-2", WAIT);
    let first = b.text("#qualification-1-heading");
    let second = b.text("#qualification-2-heading");
    assert!(
        first.contains("喪失した資格") && first.contains("喪失日"),
        "{first}"
    );
    assert!(second.contains("現在の資格"), "{second}");
    assert!(b.text("#result-advice").contains("新しい資格が有効"));
    // By default the one in force.
    b.wait_for("#qualification-choice-2:checked", WAIT);
    b.click("#register-patient");
    b.wait_text("#registration", "新しい患者として登録しました", WAIT);
    // Registered: no second press, and the 施術録 one press away with the focus on it.
    assert!(!exists(&b, "#register-patient"));
    b.wait_focus("to-patient-records", WAIT);
    b.click("#nav-patients");
    b.click("#patient-p1");
    b.wait_text("#insurance-history", "ウケミ商事健康保険組合", WAIT);
    assert!(!b.text("#insurance-history").contains("協会"));

    // 複数該当: nothing registered until staff choose.
    b.click("#nav-reception");
    insert(&b, "multiple");
    b.keys(&format!("1234{ENTER}"));
    b.wait_for("#qualification-2", WAIT);
    assert!(!exists(&b, "#qualification-choice input:checked"));
    b.click("#register-patient");
    b.wait_text("#qualification-choice-error", "選んでください", WAIT);
    b.wait_focus("qualification-choice-1", WAIT);
    b.click("#qualification-choice-2");
    b.click("#register-patient");
    b.wait_text("#registration", "新しい患者として登録しました", WAIT);
    b.click("#nav-patients");
    b.wait_text("#patients", "3213001", WAIT);
    let text = b.text("#patients");
    assert!(
        text.contains("3213001"),
        "the chosen (second) insurer: {text}"
    );
    b.screenshot(&artifacts_dir().join("reception-multiple.png"));
}

#[test]
fn an_answer_without_an_address_says_the_form_needs_one_and_takes_it_typed() {
    let (_comp, b) = paired();
    insert(&b, "no_address");
    b.keys(&format!("1234{ENTER}"));
    let box_text = b.wait_text("#address-missing", "住所", WAIT);
    assert!(box_text.contains("申請書"), "{box_text}");
    b.fill("#result-postal-input", "154-0004");
    b.fill("#result-address-input", "東京都世田谷区太子堂四丁目1番1号");
    b.click("#register-patient");
    b.wait_text("#registration", "新しい患者として登録しました", WAIT);
    // The patient's 施術録 directly.
    b.click("#to-patient-records");
    b.wait_for("#nav-records[aria-current=page]", WAIT);
    assert_eq!(
        b.exec(
            "return document.querySelector('#records-patient').value;",
            json!([])
        ),
        json!("p1")
    );
    b.click("#nav-patients");
    b.click("#patient-p1");
    b.wait_text("#insurance-history", "太子堂四丁目1番1号", WAIT);
}

#[test]
fn a_mistyped_insurer_number_is_marked_and_the_last_answer_cleared() {
    let (_comp, b) = paired();
    // Numbers that match nobody: 該当資格なし, with advice that does not send staff back to
    // the card they typed from.
    b.fill("#ins-insurer", "01130012");
    b.fill("#ins-number", "999");
    b.fill("#ins-birthdate", "S43.4.12");
    b.click("#ins-check-button");
    b.wait_text("#result-validity", "該当資格なし", WAIT);
    let advice = b.text("#result-advice");
    assert!(
        advice.contains("打ち間違い") && !advice.contains("資格確認書"),
        "{advice}"
    );

    // One digit wrong: refused in the field, the rule named, the last answer gone.
    b.type_into("#ins-insurer", "01130013");
    b.click("#ins-check-button");
    b.wait_text("#ins-error", "検証番号", WAIT);
    b.wait_focus("ins-insurer", WAIT);
    assert_eq!(attr(&b, "#ins-insurer", "aria-invalid"), "true");
    assert_eq!(attr(&b, "#ins-insurer", "aria-describedby"), "ins-error");
    assert!(
        !exists(&b, "#result"),
        "the last 該当資格なし is still shown"
    );

    // Six digits with the era chosen beside them: the 正常 persona, found.
    b.type_into("#ins-insurer", "01130012");
    b.fill("#ins-symbol", "1234567");
    b.type_into("#ins-number", "42");
    b.select("#ins-birthdate-era", "昭和");
    b.fill("#ins-birthdate", "430412");
    assert_eq!(
        b.exec(
            "return document.querySelector('#ins-birthdate').value;",
            json!([])
        ),
        json!("昭和43年4月12日")
    );
    b.click("#ins-check-button");
    b.wait_text("#result-name", "山田　花子", WAIT);
    // A date that is not one: said at the field.
    b.fill("#ins-birthdate", "H32.1.1");
    b.wait_text("#ins-birthdate-error", "平成", WAIT);
    assert_eq!(attr(&b, "#ins-birthdate", "aria-invalid"), "true");
}

#[test]
fn imports_are_reviewed_first_and_a_second_import_changes_nothing() {
    let (_comp, b) = paired();
    b.click("#import-button");
    let review = b.wait_text("#import-review", "取り込む前の確認", WAIT);
    assert!(review.contains("新しい患者として登録"), "{review}");
    b.wait_focus("import-review-heading", WAIT);
    // Nothing happened yet.
    b.click("#nav-patients");
    b.wait_text("#patient-count", "0人", WAIT);
    b.click("#nav-reception");
    b.click("#import-button");
    b.wait_for("#import-apply", WAIT);
    b.click("#import-apply");
    b.wait_text("#import-status", "取り込みました", WAIT);
    b.click("#nav-patients");
    let count = b.wait_text("#patient-count", "人", WAIT);
    assert_ne!(count, "0人");
    b.click("#patient-p1");
    b.wait_for("#check-history", WAIT);
    let checks_before = b.exec(
        "return document.querySelectorAll('#check-history tbody tr').length;",
        json!([]),
    );
    let dates: Vec<String> = b
        .exec(
            "return [...document.querySelectorAll('#check-history tbody tr td:first-child')].map(x => x.textContent);",
            json!([]),
        )
        .as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let mut sorted = dates.clone();
    sorted.sort_by_key(|d| {
        // 令和N年M月D日 → (N, M, D), newest first.
        let n: Vec<u32> = d
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|x| x.parse().ok())
            .collect();
        std::cmp::Reverse(n)
    });
    assert_eq!(dates, sorted, "新しい順 means newest first");

    // The same week again: the review says nothing would change, and nothing does.
    b.click("#nav-reception");
    b.click("#import-button");
    b.wait_text("#import-review", "すべて登録済み", WAIT);
    assert_eq!(
        b.exec(
            "return document.querySelector('#import-apply').disabled;",
            json!([])
        ),
        json!(true)
    );
    b.click("#import-cancel");
    b.click("#nav-patients");
    b.click("#patient-p1");
    b.wait_for("#check-history", WAIT);
    assert_eq!(
        b.exec(
            "return document.querySelectorAll('#check-history tbody tr').length;",
            json!([])
        ),
        checks_before
    );
}
