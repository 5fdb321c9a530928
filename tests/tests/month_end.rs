//! Month end in headless Chromium at 1366×768: a clinic that never filled in 設定 cannot
//! file a blank 施術証明欄 (every claim has the error, with a way to 設定); the preview takes
//! the focus and reads its circled 施術日 out; the trainer demo opens on its sample month and
//! prints 見本 on every sheet; no screen scrolls sideways and the claims table keeps its
//! words whole.

use serde_json::json;
use std::time::Duration;
use ukemi_e2e::pdf::{self, squash};
use ukemi_e2e::webdriver::Browser;
use ukemi_e2e::{artifacts_dir, dist, open_screen, sideways, Companion, StaticServer, SCREENS};

const WAIT: Duration = Duration::from_secs(60);
const ENTER: &str = "\u{E007}";

fn today(b: &Browser) -> String {
    b.exec(
        "const d = new Date(); const p = n => String(n).padStart(2, '0');
         return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate());",
        json!([]),
    )
    .as_str()
    .unwrap_or_default()
    .to_string()
}

#[test]
fn a_blank_clinic_is_an_error_on_every_claim_with_a_way_to_settings() {
    let comp = Companion::start(&["--serve", &dist(false).to_string_lossy()]);
    let b = Browser::start();
    b.set_window_size(1366, 768);
    b.goto(&format!("{}/", comp.origin()));
    b.wait_for("#pairing-code", WAIT);
    // A new clinic is told first where to start.
    let banner = b.wait_text("#setup-banner", "設定", WAIT);
    assert!(
        banner.contains("施術所名") && banner.contains("登録記号番号"),
        "{banner}"
    );
    comp.approve_next(&comp.origin());
    b.wait_for("#sim-persona option[value=\"normal\"]", WAIT);
    b.select("#sim-persona", "normal");
    b.click("#sim-insert");
    b.wait_focus("pin", WAIT);
    b.keys(&format!("1234{ENTER}"));
    b.wait_text("#result-name", "山田　花子", WAIT);
    b.click("#register-patient");
    b.click("#to-patient-records");
    b.wait_for("#nav-records[aria-current=page]", WAIT);
    b.click("#new-case");
    let day = today(&b);
    b.set_date("#new-injury-date", &day);
    b.click("#add-injury");
    b.fill("#injury-1-site", "足関節");
    b.click(&format!("#day-{day}"));
    b.click("#add-visit");
    b.wait_for("#part-1", WAIT);

    b.click("#nav-claims");
    let table = b.wait_text("#claims-table", "施術所の情報", WAIT);
    assert!(table.contains("エラー"), "{table}");
    assert_eq!(
        b.exec(
            "return document.querySelector('#close-month').disabled;",
            json!([])
        ),
        json!(true)
    );
    b.screenshot(&artifacts_dir().join("month-end-blank-clinic.png"));
    // The finding's own way to the fix: 設定, the cursor in the first blank box.
    b.click("#claims-table button.fix");
    b.wait_for("#nav-settings[aria-current=page]", WAIT);
    b.wait_focus("clinic-name", WAIT);
    assert_eq!(
        b.exec(
            "return document.querySelector('#clinic-name').getAttribute('aria-invalid');",
            json!([])
        ),
        json!("true")
    );
    b.fill("#clinic-name", "うけみ接骨院");
    b.fill("#clinic-address", "東京都千代田区千代田1-1");
    b.fill("#clinic-prefecture", "13");
    b.fill("#clinic-registration", "協13-1234");
    b.fill("#clinic-manager", "受身　太郎");
    b.click("#nav-claims");
    b.wait_for("#claims-table", WAIT);
    assert!(!b.text("#claims-table").contains("施術所の情報"));
    assert!(b
        .exec(
            "return document.querySelector('#setup-banner') === null;",
            json!([])
        )
        .as_bool()
        .unwrap_or(false));
}

#[test]
fn the_demo_opens_on_its_sample_month_and_every_sheet_says_mihon() {
    let server = StaticServer::start(dist(false));
    let b = Browser::start();
    b.set_window_size(1366, 768);
    b.goto(&format!("http://127.0.0.1:{}/demo/#records", server.port));
    // The class records a visit today: 月次請求 still opens on the sample clinic's month.
    b.wait_for("#records-patient option[value=\"p1\"]", WAIT);
    b.select("#records-patient", "p1");
    b.click("#to-today");
    let day = today(&b);
    b.click(&format!("#day-{day}"));
    b.click("#add-visit");
    b.wait_for("#part-1", WAIT);
    b.click("#nav-claims");
    b.wait_for("#claims-table", WAIT);
    assert_eq!(
        b.exec(
            "return document.querySelector('#claims-month').value;",
            json!([])
        ),
        json!("2024-10")
    );
    b.listen_live_regions();
    b.click("#preview-all");
    b.wait_for("#claim-sheets", WAIT);
    b.wait_focus("preview-heading", WAIT);
    let said: Vec<String> = b
        .spoken()
        .into_iter()
        .filter(|(id, _)| id == "announcer")
        .map(|(_, t)| t)
        .collect();
    assert!(
        said.iter()
            .any(|t| t.starts_with("印刷プレビューを表示しました")),
        "{said:?}"
    );
    // Every sheet is a 見本; the circled days are said in words.
    let sheets = b.exec(
        "return [...document.querySelectorAll('#claim-sheets article.sheet')].map(a => [a.getAttribute('aria-label'), !!a.querySelector('.sample-mark')]);",
        json!([]),
    );
    let sheets = sheets.as_array().cloned().unwrap_or_default();
    assert!(!sheets.is_empty());
    for s in &sheets {
        assert!(s[0].as_str().unwrap_or_default().starts_with("見本"), "{s}");
        assert_eq!(s[1], json!(true), "{s}");
    }
    let days = b
        .ax_nodes()
        .into_iter()
        .filter(|n| n.role == "StaticText" && n.name.starts_with("施術日："))
        .map(|n| n.name)
        .collect::<Vec<_>>();
    assert!(
        days.iter().any(|d| d.contains("1日、2日、4日、7日")),
        "the judo sheet's days in the accessibility tree: {days:?}"
    );
    let pdf_path = artifacts_dir().join("month-end-demo-sample.pdf");
    b.print_pdf(&pdf_path);
    let text = squash(&pdf::text(&pdf_path));
    assert!(text.matches("見本").count() >= sheets.len(), "{text}");
}

#[test]
fn every_screen_fits_1366_by_768_and_the_claims_table_keeps_words_whole() {
    let server = StaticServer::start(dist(false));
    let b = Browser::start();
    b.set_window_size(1366, 768);
    b.goto(&format!("http://127.0.0.1:{}/demo/", server.port));
    b.wait_for("#sim-persona option[value=\"normal\"]", WAIT);
    for screen in SCREENS {
        open_screen(&b, screen);
        if screen == "records" {
            b.select("#records-patient", "p1");
            b.click("#day-2024-10-01");
            b.wait_for("#day-entry", WAIT);
        }
        if screen == "claims" {
            b.wait_for("#claims-table", WAIT);
            // The month's actions are in view without scrolling.
            let bottom = b.exec(
                "return document.querySelector('#print-all').getBoundingClientRect().bottom <= innerHeight;",
                json!([]),
            );
            assert_eq!(bottom, json!(true), "まとめて印刷 is below the fold");
            // No short cell (柔道整復, 2,395円) is broken over two lines.
            let broken = b.exec(
                "return [...document.querySelectorAll('#claims-table td.short, #claims-table th')].filter(c => {
                   const r = document.createRange(); r.selectNodeContents(c);
                   const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
                   return tops.size > 1;
                 }).map(c => c.textContent);",
                json!([]),
            );
            assert_eq!(broken, json!([]), "cells broken mid-word");
            b.screenshot(&artifacts_dir().join("month-end-claims-1366.png"));
        }
        let over = sideways(&b);
        assert!(
            over <= 0,
            "{screen} scrolls sideways by {over}px at 1366×768"
        );
        let title = b.exec("return document.title;", json!([]));
        assert!(
            title.as_str().unwrap_or_default().ends_with("— Ukemi"),
            "{title}"
        );
    }
}
