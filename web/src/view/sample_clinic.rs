//! The trainer demo's sample clinic: a few patients with a month of visits, computed by the
//! real claim engine from the example case files (tests/fixtures/claims). Read-only, and
//! only in the demo. Their 申請書 and 総括票 can be previewed and printed as the real sheets.

// Only the demo build (cargo feature `sim`) shows the sample clinic.
#![cfg_attr(not(feature = "sim"), allow(dead_code, unused_imports))]

use super::form::yen;
use super::print::PrintSheets;
use super::use_app;
use ukemi_core::claims::forms::{self, FormModel, SummaryForm};
use ukemi_core::claims::{self, ClaimInput};
use yew::prelude::*;

const CASES: &[&str] = &[
    include_str!("../../../tests/fixtures/claims/judo_sprain_3parts.json"),
    include_str!("../../../tests/fixtures/claims/acupuncture_home_visit.json"),
    include_str!("../../../tests/fixtures/claims/massage_deformity.json"),
];

struct Row {
    clinic: String,
    patient: String,
    discipline: &'static str,
    month: String,
    days: usize,
    total: u32,
    copay: u32,
    billed: u32,
    errors: usize,
    warnings: usize,
}

/// The table's rows, and the forms to print: every case's 申請書 and the batch's 総括票.
struct Sample {
    rows: Vec<Row>,
    forms: Vec<FormModel>,
    summaries: Vec<SummaryForm>,
}

fn sample() -> Sample {
    let mut out = Vec::new();
    let mut sheets = Vec::new();
    let mut all = Vec::new();
    for text in CASES {
        let Ok(input) = serde_json::from_str::<ClaimInput>(text) else {
            continue;
        };
        let Ok(claims) = claims::compute(&input) else {
            continue;
        };
        for c in claims {
            sheets.push(forms::claim_form(&input, &c));
            let errors = c
                .findings
                .iter()
                .filter(|f| f.severity == claims::Severity::Error)
                .count();
            out.push(Row {
                clinic: input.clinic.name.clone(),
                patient: input.patient.name.clone(),
                discipline: c.discipline.label_ja(),
                month: format!("{}年{}月", c.month.year, c.month.month),
                days: c.visit_dates.len(),
                total: c.total_yen,
                copay: c.copay_yen,
                billed: c.billed_yen,
                errors,
                warnings: c.findings.len() - errors,
            });
            all.push(c);
        }
    }
    Sample {
        rows: out,
        forms: sheets,
        summaries: forms::summaries(&all),
    }
}

/// The browser's print dialog, once the sheets just shown are laid out.
fn print_now() {
    gloo_timers::callback::Timeout::new(50, || {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    })
    .forget();
}

/// Without the simulators (the clinic app) there is no demo, so no sample clinic.
#[cfg(not(feature = "sim"))]
#[function_component(SampleClinic)]
pub fn sample_clinic() -> Html {
    Html::default()
}

#[cfg(feature = "sim")]
#[function_component(SampleClinic)]
pub fn sample_clinic() -> Html {
    let app = use_app();
    let sample = use_memo((), |_| sample());
    let rows = &sample.rows;
    let shown = use_state(|| false);
    let toggle = {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| shown.set(!*shown))
    };
    let print = {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| {
            shown.set(true);
            print_now();
        })
    };
    let clinic = rows.first().map(|r| r.clinic.clone()).unwrap_or_default();
    html! {
        <>
        <section id="sample-clinic" class="panel" aria-labelledby="sample-heading">
            <h2 id="sample-heading">{ app.t("サンプル施術所（デモ）", "Sample clinic (demo)") }{ "：" }{ clinic }</h2>
            <p>{ app.t(
                "練習用の患者と1か月分の施術から、請求額を計算した例です（実際の請求には使えません）。",
                "Example patients with a month of visits, and the claims computed from them (not for real filing).") }</p>
            <table>
                <caption>{ app.t("月次請求の例", "Example monthly claims") }</caption>
                <thead><tr>
                    <th scope="col">{ app.t("患者", "Patient") }</th>
                    <th scope="col">{ app.t("施術", "Treatment") }</th>
                    <th scope="col">{ app.t("施術月", "Month") }</th>
                    <th scope="col">{ app.t("実日数", "Days") }</th>
                    <th scope="col">{ app.t("合計", "Total") }</th>
                    <th scope="col">{ app.t("一部負担金", "Co-payment") }</th>
                    <th scope="col">{ app.t("請求金額", "Claimed") }</th>
                    <th scope="col">{ app.t("確認事項", "Findings") }</th>
                </tr></thead>
                <tbody>
                    { for rows.iter().map(|r| html! {
                        <tr>
                            <td>{ &r.patient }</td>
                            <td>{ r.discipline }</td>
                            <td>{ &r.month }</td>
                            <td>{ r.days }</td>
                            <td>{ yen(r.total.into()) }</td>
                            <td>{ yen(r.copay.into()) }</td>
                            <td>{ yen(r.billed.into()) }</td>
                            <td>{ format!("エラー{}件・要確認{}件", r.errors, r.warnings) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <div class="actions">
                <button type="button" id="sample-preview" class="secondary" aria-pressed={(*shown).to_string()} onclick={toggle}>
                    { app.t("印刷プレビュー", "Print preview") }
                </button>
                <button type="button" id="sample-print" onclick={print}>
                    { app.t("申請書を印刷", "Print the claim forms") }
                </button>
            </div>
        </section>
        // A sibling of the table's panel, directly in <main>: print.css prints only this.
        if *shown {
            <section id="sample-print-area" class="panel print-area" aria-labelledby="sample-preview-heading" tabindex="0">
                <h2 id="sample-preview-heading" class="screen-only">{ app.t("印刷プレビュー（サンプル）", "Print preview (sample)") }</h2>
                <PrintSheets id={AttrValue::from("sample-sheets")} forms={sample.forms.clone()} summaries={sample.summaries.clone()} sample=true />
            </section>
        }
        </>
    }
}
