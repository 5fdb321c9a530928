//! The trainer demo's sample clinic: a few patients with a month of visits, computed by the
//! real claim engine from the example case files (tests/fixtures/claims). Read-only, and
//! only in the demo.

use super::use_app;
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

fn yen(n: u32) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out}円")
}

fn rows() -> Vec<Row> {
    let mut out = Vec::new();
    for text in CASES {
        let Ok(input) = serde_json::from_str::<ClaimInput>(text) else {
            continue;
        };
        let Ok(claims) = claims::compute(&input) else {
            continue;
        };
        for c in claims {
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
        }
    }
    out
}

#[function_component(SampleClinic)]
pub fn sample_clinic() -> Html {
    let app = use_app();
    let rows = use_memo((), |_| rows());
    let clinic = rows.first().map(|r| r.clinic.clone()).unwrap_or_default();
    html! {
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
                            <td>{ yen(r.total) }</td>
                            <td>{ yen(r.copay) }</td>
                            <td>{ yen(r.billed) }</td>
                            <td>{ format!("エラー{}件・要確認{}件", r.errors, r.warnings) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </section>
    }
}
