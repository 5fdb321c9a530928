//! The spine end to end in real headless Chromium: the real companion in simulator mode
//! serves the built app; the page pairs, sees the card arrive, checks it with a wrong PIN
//! and then the right one, and shows the patient's name and address. A page served from
//! another origin is refused. Screenshots are kept in target/e2e-artifacts/.

use std::time::Duration;
use ukemi_e2e::webdriver::Browser;
use ukemi_e2e::{artifacts_dir, dist, Companion, Squatter};

const WAIT: Duration = Duration::from_secs(30);

/// The companion (simulator) serving the app, and a browser on it that has paired.
fn paired_page() -> (Companion, Browser) {
    let comp = Companion::start(&["--serve", &dist(false).to_string_lossy()]);
    let b = Browser::start();
    b.goto(&format!("{}/", comp.origin()));
    b.wait_for("#pairing-code", WAIT);
    comp.approve_next(&comp.origin());
    (comp, b)
}

#[test]
fn pair_insert_card_wrong_pin_then_right_pin_shows_name_and_address() {
    let (comp, b) = paired_page();

    // Simulator controls appear once paired; put the 正常 persona's card in.
    b.wait_for("#sim-persona option[value=\"normal\"]", WAIT);
    b.select("#sim-persona", "normal");
    b.click("#sim-insert");
    b.wait_text("#reader-status", "マイナンバーカード", WAIT);

    b.click("#mode-pin");
    b.wait_text("body", "残り回数", WAIT);
    b.type_into("#pin", "9999");
    b.click("#check-button");
    b.wait_text("#check-error", "残り2回", WAIT);
    b.screenshot(&artifacts_dir().join("spine-wrong-pin.png"));

    b.type_into("#pin", "1234");
    b.click("#check-button");
    b.wait_text("#result-name", "山田　花子", WAIT);
    let address = b.wait_text("#result-address", "東京都世田谷区太子堂四丁目1番1号", WAIT);
    assert!(address.contains("東京都"), "{address}");
    b.wait_text("#result-postal", "154-0004", WAIT);
    b.wait_text("#result-kana", "ヤマダ", WAIT);
    b.wait_text("#result-birthdate", "昭和43年", WAIT);
    b.screenshot(&artifacts_dir().join("spine-result.png"));

    b.click("#register-patient");
    b.wait_text("#registration", "新しい患者として登録しました", WAIT);
    b.click("#nav-patients");
    b.wait_text("#patients", "山田　花子", WAIT);

    // The PIN never reached the companion's log.
    let log = comp.log();
    assert!(
        !log.contains("\"1234\"") && !log.contains("9999"),
        "PIN in log:\n{log}"
    );

    // Reload: the page keeps its token for this origin and does not ask for the code again.
    b.goto(&format!("{}/", comp.origin()));
    b.wait_for("#sim-persona option[value=\"normal\"]", WAIT);
    assert!(
        b.exec(
            "return document.querySelector('#pairing-code') === null;",
            serde_json::json!([])
        )
        .as_bool()
            == Some(true)
    );
}

#[test]
fn visual_check_shows_lost_eligibility() {
    let (_comp, b) = paired_page();
    b.wait_for("#sim-persona option[value=\"lost\"]", WAIT);
    b.select("#sim-persona", "lost");
    b.click("#sim-insert");
    b.wait_text("#reader-status", "マイナンバーカード", WAIT);
    b.click("#mode-visual");
    b.click("#visual-confirmed");
    b.click("#check-button");
    b.wait_text("#result-validity", "無効", WAIT);
    b.wait_text("#result", "喪失", WAIT);
    b.screenshot(&artifacts_dir().join("spine-visual-lost.png"));
}

#[test]
fn a_page_from_a_foreign_origin_cannot_connect() {
    let dist = dist(false);
    // The companion under test serves nothing; a second one plays "some other web site"
    // serving the same page from an origin the first does not allow.
    let target = Companion::start(&[]);
    let other = Companion::start(&["--serve", &dist.to_string_lossy()]);
    let b = Browser::start();
    b.goto(&format!(
        "{}/?companion=127.0.0.1:{}",
        other.origin(),
        target.port
    ));
    b.wait_text("#companion-status", "接続できません", WAIT);
    b.screenshot(&artifacts_dir().join("spine-foreign-origin.png"));
    let log = target.log();
    assert!(
        log.contains(&format!("origin {} not allowed", other.origin())),
        "log:\n{log}"
    );
}

#[test]
fn last_try_needs_consent_and_a_locked_card_is_explained_with_the_visual_check_offered() {
    let (_comp, b) = paired_page();

    b.wait_for("#sim-persona option[value=\"one_try\"]", WAIT);
    b.select("#sim-persona", "one_try");
    b.click("#sim-insert");
    b.wait_text("#pin-tries", "1回", WAIT);
    b.wait_for("#allow-last-try", WAIT);
    b.type_into("#pin", "0000");
    b.click("#check-button");
    b.wait_text("#check-error", "残り回数が1回", WAIT);
    b.click("#allow-last-try");
    b.type_into("#pin", "0000");
    b.click("#check-button");
    b.wait_text("#check-error", "市区町村", WAIT);
    // Now locked: the page explains what the patient must do and offers the visual check
    // instead of a PIN field.
    b.wait_for("#visual-confirmed", WAIT);
    assert!(
        b.exec(
            "return document.querySelector('#pin') === null;",
            serde_json::json!([])
        )
        .as_bool()
            == Some(true)
    );
    b.screenshot(&artifacts_dir().join("spine-locked.png"));
    b.click("#visual-confirmed");
    b.click("#check-button");
    b.wait_text("#result-validity", "有効", WAIT);
}

#[test]
fn import_brings_checks_made_elsewhere_into_the_patients_with_their_addresses() {
    let (_comp, b) = paired_page();
    b.click("#import-button");
    // Shown for review first, then applied.
    b.wait_text("#import-review", "新しい患者として登録", WAIT);
    b.click("#import-apply");
    b.wait_text("#import-status", "件を取り込みました", WAIT);
    // The simulated official app checked the first personas; their addresses are on file.
    b.click("#nav-patients");
    let patients = b.wait_text("#patients", "東京都世田谷区太子堂", WAIT);
    assert!(patients.contains("山田"), "{patients}");
}

#[test]
fn pairing_is_approved_on_the_companions_own_page_in_another_tab() {
    let comp = Companion::start(&["--serve", &dist(false).to_string_lossy()]);
    let b = Browser::start();
    b.goto(&format!("{}/", comp.origin()));
    // The asking page waits, shows the number, and links to the approval page.
    b.wait_text(
        "#pairing-status",
        "このパソコンでの承認を待っています",
        WAIT,
    );
    let shown = b.text("#pairing-code").replace(' ', "");
    let href = b
        .exec(
            "return document.querySelector('#approve-link').href;",
            serde_json::json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(href, format!("{}/pair", comp.origin()));
    b.screenshot(&artifacts_dir().join("pairing-waiting.png"));
    // A person at the PC opens the approval page, sees the origin and the same number, and
    // presses 承認する.
    let asking = b.window();
    let tab = b.new_tab();
    b.switch_to(&tab);
    b.goto(&href);
    let request = b.wait_text(".request", &comp.origin(), WAIT);
    assert!(
        request.contains(&format!("{} {}", &shown[..3], &shown[3..])),
        "{request}"
    );
    b.screenshot(&artifacts_dir().join("pairing-approval-page.png"));
    b.click(&format!("button.approve[data-code=\"{shown}\"]"));
    b.wait_text("#done", "承認しました", WAIT);
    b.switch_to(&asking);
    b.wait_for("#sim-persona option[value=\"normal\"]", WAIT);
    // Once: a reload proves the kept key and asks nothing.
    b.reload();
    b.wait_for("#sim-persona option[value=\"normal\"]", WAIT);
    assert!(comp.pending().is_empty());
}

#[test]
fn a_squatter_on_the_first_port_gets_nothing_reusable_and_the_page_refuses_it() {
    let (comp, b) = paired_page();
    b.wait_for("#sim-persona option[value=\"normal\"]", WAIT);
    // The squatter claims to be this very companion (its id is no secret).
    let mut probe = comp.connect(Some(&comp.origin())).expect("connect");
    probe.hello();
    let squatter = Squatter::start(&probe.companion_id);
    b.goto(&format!(
        "{}/?companion=127.0.0.1:{},127.0.0.1:{}",
        comp.origin(),
        squatter.port,
        comp.port
    ));
    // The page refuses the squatter's made-up proof and goes on to the real companion.
    b.wait_for("#sim-persona option[value=\"normal\"]", WAIT);
    let frames = squatter.frames();
    assert!(!frames.is_empty(), "the page never tried the squatter");
    for f in &frames {
        let cmd = ukemi_core::protocol::decode_client(f).expect("a command");
        assert!(
            matches!(
                cmd.command,
                ukemi_core::protocol::Command::Hello { .. }
                    | ukemi_core::protocol::Command::Auth { .. }
            ),
            "the page sent the squatter {f}"
        );
    }
    // What the squatter got is worthless at the real companion: replayed, it is refused.
    let auth = frames
        .iter()
        .find(|f| f.contains("\"AUTH\""))
        .expect("the page proved its key to the squatter's challenge");
    let mut thief = comp.connect(Some(&comp.origin())).expect("connect");
    thief.hello();
    thief.send_raw(auth);
    let m = thief.recv().expect("answer").body;
    assert_eq!(
        ukemi_e2e::error_code(&m),
        Some(ukemi_core::protocol::ErrorCode::ProofWrong),
        "{m:?}"
    );
    assert_eq!(
        ukemi_e2e::error_code(&thief.call(ukemi_core::protocol::Command::ImportResults {
            from: ukemi_core::Date::parse("2026-11-01").expect("date"),
            to: ukemi_core::Date::parse("2026-11-25").expect("date"),
        })),
        Some(ukemi_core::protocol::ErrorCode::NotPaired)
    );
    b.screenshot(&artifacts_dir().join("squatter-refused.png"));
}
