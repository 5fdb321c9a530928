//! The claim forms on paper, from the trainer demo: the sample clinic's 申請書 and 総括票 shown
//! as the print preview, printed to A4 PDF by real headless Chromium, and read back with
//! poppler (text, page count, PNG) — the patient, the insured's address, the title and the
//! amount the claim engine computed must all be on paper, one sheet per page.

use std::time::Duration;
use ukemi_core::claims::{self, forms, ClaimInput};
use ukemi_e2e::pdf::{self, squash};
use ukemi_e2e::webdriver::Browser;
use ukemi_e2e::{artifacts_dir, dist, StaticServer};

const WAIT: Duration = Duration::from_secs(60);

const JUDO: &str = include_str!("../fixtures/claims/judo_sprain_3parts.json");
const ACUPUNCTURE: &str = include_str!("../fixtures/claims/acupuncture_home_visit.json");
const MASSAGE: &str = include_str!("../fixtures/claims/massage_deformity.json");

fn input(text: &str) -> ClaimInput {
    serde_json::from_str(text).expect("fixture parses")
}

#[test]
fn sample_forms_print_on_a4_one_sheet_per_page() {
    // What the engine computes for the same cases the demo carries.
    let judo = input(JUDO);
    let judo_claims = claims::compute(&judo).expect("judo computes");
    let judo_total = judo_claims[0].total_yen;
    let mut all = Vec::new();
    let mut sheets_of_cases = Vec::new();
    for text in [JUDO, ACUPUNCTURE, MASSAGE] {
        let i = input(text);
        for c in claims::compute(&i).expect("computes") {
            sheets_of_cases.push(forms::claim_form(&i, &c));
            all.push(c);
        }
    }
    let form_count = sheets_of_cases.len();
    // 要確認 (unverified tariff amounts) is marked on screen and never printed.
    let review = sheets_of_cases.iter().any(|f| !f.needs_review.is_empty());
    let expected_sheets = forms::summaries(&all).len() + form_count;

    let server = StaticServer::start(dist(false));
    let b = Browser::start();
    b.goto(&format!("http://127.0.0.1:{}/demo/", server.port));
    b.wait_text("#sample-clinic", "うけみ接骨院", WAIT);
    b.click("#sample-preview");
    b.wait_for("#sample-sheets .sheet", WAIT);
    assert_eq!(
        b.exec(
            "return document.getElementById('sample-preview').getAttribute('aria-pressed')",
            serde_json::json!([])
        ),
        "true"
    );
    let sheets = b
        .exec(
            "return document.querySelectorAll('#sample-sheets .sheet').length",
            serde_json::json!([]),
        )
        .as_u64()
        .expect("a count") as usize;
    assert_eq!(
        sheets, expected_sheets,
        "one sheet per 総括票 and per 申請書"
    );
    // The preview is a document per sheet, named for a person, each a 見本 (the demo's).
    let labels = b.exec(
        "return [...document.querySelectorAll('#sample-sheets .sheet')].map(s => s.getAttribute('aria-label'))",
        serde_json::json!([]),
    );
    assert!(
        labels.as_array().is_some_and(|a| a.iter().any(|l| l
            .as_str()
            .is_some_and(|l| l.starts_with("見本 様式第5号 令和6年10月分 山田"))))
            && labels.as_array().is_some_and(|a| a
                .iter()
                .all(|l| l.as_str().is_some_and(|l| l.starts_with("見本 ")))),
        "{labels}"
    );

    let marked = b
        .exec(
            "return document.querySelectorAll('#sample-sheets .review.screen-only').length",
            serde_json::json!([]),
        )
        .as_u64()
        .unwrap_or(0);
    assert_eq!(
        marked > 0,
        review,
        "要確認 shown on screen exactly when a form needs it"
    );
    b.screenshot(&artifacts_dir().join("sample-preview.png"));

    let violations = b.axe_serious(None);
    assert!(
        violations.is_empty(),
        "axe with the print preview open: {violations:#?}"
    );

    let pdf = artifacts_dir().join("sample-forms.pdf");
    b.print_pdf(&pdf);
    let raw = pdf::text(&pdf);
    let text = squash(&raw);
    assert!(text.contains("山田一郎"), "the judo patient:\n{raw}");
    assert!(
        text.contains("東京都新宿区西新宿2-8-1"),
        "the insured's address:\n{raw}"
    );
    assert!(text.contains("柔道整復施術療養費支給申請書"), "{raw}");
    // The 合計 box of the 様式第5号 page prints the engine's amount, followed by 円.
    let pages = pdf::pages(&pdf);
    let judo_page = pdf::page_text(
        &pdf,
        pdf::page_with(&pdf, "柔道整復施術療養費支給申請書").expect("a 様式第5号 page"),
    );
    assert!(
        squash(&judo_page).contains("山田一郎"),
        "the patient is on the 様式第5号 page:\n{judo_page}"
    );
    assert!(
        judo_page.contains(&format!(" {judo_total} 円")),
        "the computed 合計 {judo_total} on the 様式第5号 page:\n{judo_page}"
    );
    // The 受領委任欄 as the 記載要領 has it: the 委任年月日 and 氏名 to be written by the
    // patient, the 住所 printed 「上記と同じ」 (the insured's address is on the form).
    for line in ["委任年月日", "被保険者住所上記と同じ", "被保険者氏名"] {
        assert!(
            squash(&judo_page).contains(line),
            "{line} in the 受領委任欄:\n{judo_page}"
        );
    }
    // Nothing of the block is cut off by its box.
    let clipped = b.exec(
        "return [...document.querySelectorAll('#sample-sheets .block-apply, #sample-sheets .block-cert, #sample-sheets .block-remarks')].filter(e => e.scrollHeight > e.clientHeight + 1).map(e => `${e.className} ${e.scrollHeight}>${e.clientHeight}`)",
        serde_json::json!([]),
    );
    assert_eq!(
        clipped,
        serde_json::json!([]),
        "a 申請・委任, 施術証明 or 摘要 box overflows"
    );
    assert!(!text.contains("要確認"), "要確認 is for the screen only");
    assert_eq!(pages, sheets, "one A4 page per sheet");
    println!("sample-forms.pdf: {pages} pages for {sheets} sheets");

    for page in 1..=2 {
        let png = pdf::page_png(&pdf, page, 60, &format!("sample-forms-{page}"));
        let size = std::fs::metadata(&png)
            .unwrap_or_else(|e| panic!("{}: {e}", png.display()))
            .len();
        assert!(size > 5 * 1024, "{} is only {size} bytes", png.display());
    }
}
