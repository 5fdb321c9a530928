//! 患者 → あはき: each はり・きゅう or マッサージ case's 同意 — the 同意日, the last day the rules
//! allow, the 再同意 (recorded here, kept as history) — and the documents printed from the
//! case: 施術報告書, 1年以上・月16回以上 施術継続理由・状態記入書, 往療内訳表.

use super::documents::{print_soon, DocSheets};
use super::form::{parse_date, SelectField, TextField};
use super::use_app;
use crate::i18n::Lang;
use crate::state::{records, Action};
use ukemi_core::claims::consent::{self, Urgency};
use ukemi_core::claims::{Case, ClaimMonth, Consent};
use ukemi_core::records::documents::{CaseNotes, Document};
use ukemi_core::records::{CaseRecord, Edit, PatientRecord};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct AhakiProps {
    pub patient: PatientRecord,
}

/// Every あはき case of the patient.
#[function_component(AhakiCases)]
pub fn ahaki_cases(p: &AhakiProps) -> Html {
    let app = use_app();
    let cases: Vec<CaseRecord> = app
        .state
        .records
        .book
        .cases_of(&p.patient.id)
        .filter(|c| !matches!(c.case, Case::Judo(_)))
        .cloned()
        .collect();
    if cases.is_empty() {
        return html! {};
    }
    html! {
        <section id="ahaki-cases" aria-labelledby="ahaki-heading">
            <h3 id="ahaki-heading">{ app.t("同意と書類（はり・きゅう・マッサージ）", "Consent and documents (acupuncture, massage)") }</h3>
            { for cases.into_iter().map(|c| { let key = c.id.clone(); html! { <AhakiCase {key} case={c} /> } }) }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct CaseProps {
    case: CaseRecord,
}

/// The 同意 line as reception and the patient screen show it.
pub fn consent_line(case: &Case, today: ukemi_core::Date, lang: Lang) -> Option<(Urgency, String)> {
    let d = consent::deadline(case, today)?;
    let text = lang.t(d.message_ja(), d.message_en());
    Some((d.urgency, text))
}

#[function_component(AhakiCase)]
fn ahaki_case(p: &CaseProps) -> Html {
    let app = use_app();
    let lang = app.lang();
    let c = &p.case;
    let today = crate::clock::today();
    let book = &app.state.records.book;
    let id = c.id.clone();
    let reconsent_date = use_state(String::new);
    let reconsent_doctor = use_state(String::new);
    let months: Vec<ClaimMonth> = {
        let mut m: Vec<ClaimMonth> = c.visits.iter().map(|v| ClaimMonth::of(v.date)).collect();
        m.sort();
        m.dedup();
        m.reverse();
        m
    };
    let month = use_state(|| None::<ClaimMonth>);
    let m = (*month)
        .or(months.first().copied())
        .unwrap_or(ClaimMonth::of(today));
    let docs = use_state(Vec::<Document>::new);
    let periods = consent::periods(&c.case);
    let status = consent_line(&c.case, today, lang);
    let record_reconsent = {
        let state = app.state.clone();
        let case = c.case.clone();
        let id = id.clone();
        let date = reconsent_date.clone();
        let doctor = reconsent_doctor.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(d) = parse_date(&date) else {
                return;
            };
            let mut next = case.clone();
            let new = |prev: Option<&Consent>| Consent {
                date: d,
                valid_until: consent::rule_until(d, false),
                doctor: if doctor.trim().is_empty() {
                    prev.map(|p| p.doctor.clone()).unwrap_or_default()
                } else {
                    doctor.trim().to_string()
                },
                clinic: prev.map(|p| p.clinic.clone()).unwrap_or_default(),
                deformity: false,
            };
            match &mut next {
                Case::Acupuncture(a) => {
                    let prev = a.reconsents.last().or(a.consent.as_ref()).cloned();
                    a.reconsents.push(new(prev.as_ref()));
                }
                Case::Massage(a) => {
                    let prev = a.reconsents.last().or(a.consent.as_ref()).cloned();
                    a.reconsents.push(new(prev.as_ref()));
                }
                Case::Judo(_) => return,
            }
            state.dispatch(Action::from(records::Action::Edit(Edit::PutCase {
                id: id.clone(),
                case: next,
            })));
            date.set(String::new());
        })
    };
    let note = |f: fn(&mut CaseNotes, String)| {
        let state = app.state.clone();
        let id = id.clone();
        let notes = c.notes.clone();
        Callback::from(move |v: String| {
            let mut next = notes.clone();
            f(&mut next, v);
            state.dispatch(Action::from(records::Action::Edit(Edit::PutCaseNotes {
                id: id.clone(),
                notes: next,
            })));
        })
    };
    let show = |which: &'static str| {
        let docs = docs.clone();
        let book = book.clone();
        let id = id.clone();
        Callback::from(move |_: MouseEvent| {
            let d = match which {
                "report" => book.treatment_report(&id, m),
                "continuation" => book.continuation_form(&id, m),
                _ => book.outreach_table(&id, m),
            };
            docs.set(d.into_iter().collect());
            print_soon();
        })
    };
    let has_calls = book.outreach_table(&id, m).is_some();
    let needs_continuation = book.needs_continuation_form(&id, m);
    let name = c.case.discipline().label_ja();
    html! {
        <div class="ahaki-case" id={format!("ahaki-{id}")}>
            <h4>{ format!("{name}（{}{}）", app.t("初療 ", "first treated "), c.case.first_visit_date().wareki()) }</h4>
            if let Some((u, text)) = status {
                <p id={format!("consent-status-{id}")} class={ if u == Urgency::Fine { "" } else { "warn" } } role="status">
                    <span lang="ja">{ text }</span>
                </p>
            } else {
                <p class="warn">{ app.t("医師の同意が入力されていません。", "No doctor's consent is recorded.") }</p>
            }
            if !periods.is_empty() {
                <ul class="consent-history">
                    { for periods.iter().map(|p| html! {
                        <li lang="ja">{ format!("同意日 {}：{}〜{}{}", p.consent_date.wareki(), p.start.wareki(), p.until.wareki(),
                            if p.typed_too_long { "（入力された加療期間は規則より長いため短縮）" } else { "" }) }</li>
                    }) }
                </ul>
            }
            <div class="grid">
                <TextField id={format!("reconsent-date-{id}")} kind="date" label={ app.t("再同意日", "Renewed consent on") }
                    value={(*reconsent_date).clone()} onchange={ let s = reconsent_date.clone(); Callback::from(move |v| s.set(v)) } />
                <TextField id={format!("reconsent-doctor-{id}")} label={ app.t("同意した医師（空欄なら前回と同じ）", "Doctor (blank: as before)") }
                    value={(*reconsent_doctor).clone()} onchange={ let s = reconsent_doctor.clone(); Callback::from(move |v| s.set(v)) } />
            </div>
            <button type="button" class="secondary" id={format!("reconsent-save-{id}")} onclick={record_reconsent}>{ app.t("再同意を記録", "Record the renewed consent") }</button>

            <fieldset>
                <legend>{ app.t("書類に書く内容", "What the documents say") }</legend>
                <TextField id={format!("report-condition-{id}")} label={ app.t("施術報告書：患者の状態・経過", "Report: the patient's state and progress") }
                    value={c.notes.report_condition.clone()} onchange={note(|n, v| n.report_condition = v)} />
                <TextField id={format!("report-outlook-{id}")} label={ app.t("施術報告書：今後の見通し・特記事項", "Report: outlook and remarks") }
                    value={c.notes.report_outlook.clone()} onchange={note(|n, v| n.report_outlook = v)} />
                <TextField id={format!("continuation-reason-{id}")} label={ app.t("継続理由・状態記入書：継続が必要な理由", "Continuation: why treatment goes on") }
                    value={c.notes.continuation_reason.clone()} onchange={note(|n, v| n.continuation_reason = v)} />
                <TextField id={format!("continuation-state-{id}")} label={ app.t("継続理由・状態記入書：患者の状態", "Continuation: the patient's state") }
                    value={c.notes.continuation_state.clone()} onchange={note(|n, v| n.continuation_state = v)} />
                <div class="grid">
                    <TextField id={format!("outreach-origin-{id}")} label={ app.t("往療の起点（空欄：施術所）", "House calls from (blank: the clinic)") }
                        value={c.notes.outreach_origin.clone()} onchange={note(|n, v| n.outreach_origin = v)} />
                    <TextField id={format!("outreach-place-{id}")} label={ app.t("施術した場所（空欄：自宅）", "Treated at (blank: home)") }
                        value={c.notes.outreach_place.clone()} onchange={note(|n, v| n.outreach_place = v)} />
                </div>
            </fieldset>
            if !months.is_empty() {
                <SelectField id={format!("ahaki-month-{id}")} label={ app.t("書類の月", "Month of the documents") } value={m.to_string()}
                    options={months.iter().map(|x| (x.to_string(), lang.t(x.wareki(), x.to_string()))).collect::<Vec<_>>()}
                    onchange={ let s = month.clone(); Callback::from(move |v: String| s.set(ClaimMonth::parse(&v))) } />
                <div class="actions">
                    <button type="button" id={format!("print-report-{id}")} onclick={show("report")}>{ app.t("施術報告書を印刷", "Print the treatment report") }</button>
                    <button type="button" id={format!("print-continuation-{id}")} class={ if needs_continuation { "" } else { "secondary" } } onclick={show("continuation")}>
                        { app.t("継続理由・状態記入書を印刷", "Print the continuation form") }
                        if needs_continuation { { app.t("（この月は添付が必要）", " (needed this month)") } }
                    </button>
                    <button type="button" id={format!("print-outreach-{id}")} class="secondary" disabled={!has_calls} onclick={show("outreach")}>{ app.t("往療内訳表を印刷", "Print the house-call table") }</button>
                </div>
            }
            if !docs.is_empty() {
                <section class="panel print-area" aria-label={ app.t("印刷プレビュー", "Print preview") } tabindex="0">
                    <DocSheets id={AttrValue::from(format!("ahaki-sheets-{id}"))} docs={(*docs).clone()} />
                </section>
            }
        </div>
    }
}
