//! 月次請求: the month's claims with their findings (errors block, warnings ask), the forms'
//! preview and print (one patient or the whole month in one job), the exports for the
//! 請求代行団体, and closing the month (read-only until deliberately reopened).

use super::form::{yen, CheckField, SelectField, TextField};
use super::print::PrintSheets;
use super::use_app;
use crate::i18n::Lang;
use crate::state::{records, Action, Screen};
use ukemi_core::claims::{ClaimMonth, Severity};
use ukemi_core::records::month::{export_csv, export_json, CaseClaim};
use ukemi_core::records::{Edit, Figures, MonthRecord};
use yew::prelude::*;

/// What the print area shows: nothing, one case, or the whole month.
#[derive(Clone, PartialEq)]
enum Sheets {
    None,
    One(String),
    All,
}

fn print_now() {
    // After the sheets are in the page: the next frame has them laid out.
    gloo_timers::callback::Timeout::new(50, || {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    })
    .forget();
}

#[function_component(Claims)]
pub fn claims() -> Html {
    let app = use_app();
    let lang = app.lang();
    let book = &app.state.records.book;
    let today = crate::clock::today();
    let mut months = book.months_with_work();
    let this = ClaimMonth::of(today);
    if !months.contains(&this) {
        months.insert(0, this);
    }
    let month = use_state(|| None::<ClaimMonth>);
    // The newest month with work (this month on a fresh install); in the trainer demo, the
    // sample clinic's month, whatever the class has typed since.
    let newest = book.months_with_work().first().copied().unwrap_or(this);
    let opening = if app.state.demo {
        crate::demo::sample_month().unwrap_or(newest)
    } else {
        newest
    };
    let m = (*month).unwrap_or(opening);
    let sheets = use_state(|| Sheets::None);
    let ack = use_state(|| false);
    let reason = use_state(String::new);
    let exported = use_state(|| None::<String>);
    let claims = crate::claims_memo::month_claims(book, m);
    let closed = book.month(m).filter(|r| r.closed_at.is_some());
    let errors = claims.iter().filter(|c| c.blocking()).count();
    let warnings: usize = claims
        .iter()
        .map(|c| {
            c.problems()
                .iter()
                .filter(|(s, _)| *s == Severity::Warning)
                .count()
        })
        .sum();
    let total: u64 = claims
        .iter()
        .filter_map(|c| c.claim.as_ref().ok())
        .map(|c| u64::from(c.billed_yen))
        .sum();

    let choose_month = {
        let month = month.clone();
        let sheets = sheets.clone();
        Callback::from(move |v: String| {
            month.set(ClaimMonth::parse(&v));
            sheets.set(Sheets::None);
        })
    };
    let show = |which: Sheets, print: bool| {
        let sheets = sheets.clone();
        let state = app.state.clone();
        let claims = claims.clone();
        Callback::from(move |_: MouseEvent| {
            sheets.set(which.clone());
            if print {
                print_now();
            } else {
                // The preview takes the focus and says what it shows.
                let n = match &which {
                    Sheets::All => claims.iter().filter(|c| c.form().is_some()).count(),
                    _ => 1,
                };
                state.dispatch(Action::Announce(state.lang.t(
                    format!("印刷プレビューを表示しました（申請書{n}枚）。"),
                    format!("Showing the print preview ({n} forms)."),
                )));
                super::form::focus_later("preview-heading");
            }
        })
    };
    let export = |kind: &'static str| {
        let exported = exported.clone();
        let book = (**book).clone();
        let claims = claims.clone();
        Callback::from(move |_: MouseEvent| {
            let (name, mime, text) = if kind == "csv" {
                (
                    format!("ukemi-claims-{m}.csv"),
                    "text/csv;charset=utf-8",
                    export_csv(&claims),
                )
            } else {
                (
                    format!("ukemi-claims-{m}.json"),
                    "application/json",
                    export_json(&book, m),
                )
            };
            exported.set(Some(match crate::files::download(&name, mime, &text) {
                Ok(()) => format!("{name}（{}件）", claims.len()),
                Err(e) => e,
            }));
        })
    };
    let close = {
        let state = app.state.clone();
        let ack = ack.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::from(records::Action::Edit(Edit::CloseMonth {
                month: m,
                at: crate::clock::now_iso(),
            })));
            ack.set(false);
        })
    };
    let reopen = {
        let state = app.state.clone();
        let reason = reason.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::from(records::Action::Edit(Edit::ReopenMonth {
                month: m,
                at: crate::clock::now_iso(),
                reason: (*reason).clone(),
            })));
            reason.set(String::new());
        })
    };
    // The whole batch: the month's claims and the 再請求 sent with them, whose 総括票 count
    // them under this month (月遅れ・再提出分 are bundled into the current month).
    let resubmitted = crate::claims_memo::resubmitted_claims(book, m);
    let shown: Vec<&CaseClaim> = match &*sheets {
        Sheets::None => Vec::new(),
        Sheets::One(id) => claims.iter().filter(|c| &c.case_id == id).collect(),
        Sheets::All => claims.iter().chain(resubmitted.iter()).collect(),
    };
    let printable: Vec<(&CaseClaim, ukemi_core::claims::forms::FormModel)> = shown
        .iter()
        .filter_map(|c| c.form().map(|f| (*c, f)))
        .collect();
    let drafts: Vec<bool> = printable.iter().map(|(c, _)| c.blocking()).collect();
    // Bound as 国保連 wants it: 総括票(Ⅰ), then per 保険者 its 総括票(Ⅱ) and its 申請書.
    let order = (*sheets == Sheets::All).then(|| {
        let computed: Vec<_> = printable
            .iter()
            .filter_map(|(c, _)| c.claim.clone().ok())
            .collect();
        ukemi_core::claims::forms::binding_order(m, &computed)
    });
    let forms: Vec<_> = printable.into_iter().map(|(_, f)| f).collect();
    let month_label = lang.t(m.wareki(), m.to_string());
    html! {
        <>
            <h1 id="screen-heading" tabindex="-1">{ app.t("月次請求", "Monthly claims") }</h1>
            <section class="panel" aria-labelledby="claims-heading">
                <h2 id="claims-heading">{ format!("{month_label}{}", app.t("分の申請書", " claims")) }</h2>
                <SelectField id="claims-month" label={ app.t("施術月", "Month") } value={m.to_string()}
                    options={months.iter().map(|x| (x.to_string(), lang.t(x.wareki(), x.to_string()))).collect::<Vec<_>>()}
                    onchange={choose_month} />
                <p id="month-state" role="status">
                    if let Some(r) = closed {
                        <strong>{ app.t("締め済み", "Closed") }</strong>{ format!("（{}）", r.closed_at.clone().unwrap_or_default()) }
                        { app.t("。この月の施術録と申請書は変更できません。", ". Visits and claims of this month are read-only.") }
                    } else {
                        { app.t("未締め", "Open") }
                        { lang.t(format!("：申請書{}件、エラー{}件、要確認{}件、請求金額の合計 {}", claims.len(), errors, warnings, yen(total)), format!(": {} claims, {} with errors, {} warnings, total claimed {}", claims.len(), errors, warnings, yen(total))) }
                    }
                </p>
                if claims.is_empty() {
                    <p>{ app.t("この月の施術はありません。", "No treatment this month.") }</p>
                } else {
                    // The month's main actions first, in view above a long table.
                    <div class="actions">
                        <button type="button" id="preview-all" onclick={show(Sheets::All, false)}>{ app.t("申請書と総括票をプレビュー", "Preview all forms") }</button>
                        <button type="button" id="print-all" onclick={show(Sheets::All, true)}>{ app.t("この月をまとめて印刷", "Print the whole month") }</button>
                        <button type="button" id="export-csv" class="secondary" onclick={export("csv")}>{ app.t("一覧表ファイルで書き出す（請求代行団体・表計算ソフト向け）", "Export a table file (CSV)") }</button>
                        <button type="button" id="export-json" class="secondary" onclick={export("json")}>{ app.t("請求データを書き出す（他の請求ソフトへの取り込み用）", "Export the claim data (JSON)") }</button>
                    </div>
                    <div class="table-wrap" role="region" tabindex="0" aria-label={ app.t("患者ごとの申請書", "Claims by patient") }><table id="claims-table">
                        <caption>{ app.t("患者ごとの申請書", "Claims by patient") }</caption>
                        <thead><tr>
                            <th scope="col">{ app.t("患者", "Patient") }</th>
                            <th scope="col">{ app.t("施術", "Treatment") }</th>
                            <th scope="col">{ app.t("実日数", "Days") }</th>
                            <th scope="col">{ app.t("合計", "Total") }</th>
                            <th scope="col">{ app.t("一部負担金", "Co-payment") }</th>
                            <th scope="col">{ app.t("請求金額", "Claimed") }</th>
                            <th scope="col">{ app.t("窓口負担（参考）", "Paid at window") }</th>
                            <th scope="col">{ app.t("確認事項", "Findings") }</th>
                            <th scope="col">{ app.t("印刷", "Print") }</th>
                        </tr></thead>
                        <tbody>
                            { for claims.iter().map(|c| row(&app, c, &show)) }
                        </tbody>
                    </table></div>
                    if let Some(e) = &*exported {
                        <p id="export-status" role="status">{ app.t("書き出しました：", "Exported: ") }{ e }</p>
                    }
                }
                if let Some((j, e)) = &app.state.records.edit_error {
                    <p id="claims-error" class="error" role="alert">{ lang.t(j.clone(), e.clone()) }</p>
                }
                { changes_after_reopening(&app, book.month(m).filter(|r| r.closed_at.is_none())) }
                if closed.is_some() {
                    <div class="close-box">
                        <TextField id="reopen-reason" label={ app.t("締めを解除する理由", "Reason for reopening") } value={(*reason).clone()}
                            onchange={ let r = reason.clone(); Callback::from(move |v| r.set(v)) } />
                        <button type="button" id="reopen-month" class="secondary" onclick={reopen}>{ app.t("締めを解除する", "Reopen the month") }</button>
                    </div>
                } else if !claims.is_empty() {
                    <div class="close-box">
                        if errors > 0 {
                            <p class="warn">{ lang.t(format!("エラーのある申請書が{errors}件あります。直すまで締められません。"), format!("{errors} claims have errors: fix them before closing.")) }</p>
                        }
                        if warnings > 0 {
                            <CheckField id="ack-warnings" label={ app.t("要確認の事項をすべて確認しました", "I have checked every warning") }
                                checked={*ack} onchange={ let a = ack.clone(); Callback::from(move |b| a.set(b)) } />
                        }
                        <button type="button" id="close-month" onclick={close} disabled={ errors > 0 || (warnings > 0 && !*ack) }>
                            { format!("{month_label}{}", app.t("を締める", ": close")) }
                        </button>
                    </div>
                }
            </section>
            <super::month_ledger::MonthLedger month={m} />
            if !forms.is_empty() {
                <section class="panel print-area" aria-labelledby="preview-heading" tabindex="0">
                    <h2 id="preview-heading" class="screen-only" tabindex="-1">{ app.t("印刷プレビュー", "Print preview") }</h2>
                    <PrintSheets id={AttrValue::from("claim-sheets")} forms={forms} drafts={drafts} sample={app.state.demo} order={order} />
                </section>
            }
        </>
    }
}

/// Where a finding is fixed.
#[derive(Clone, Copy, PartialEq)]
enum Fix {
    /// 設定 (the 施術所), with the field to put the cursor in.
    Settings(&'static str),
    /// The patient's screen (insurance, address, 公費).
    Patient,
    /// The patient's 施術録.
    Records,
    /// 受付: a check by card or by numbers.
    Reception,
}

/// The claim's findings with where each is fixed, judged by the input field it is about.
fn fixes(c: &CaseClaim) -> Vec<(Severity, String, String, Fix)> {
    let fix = |field: &str| -> Fix {
        match field {
            f if f.starts_with("clinic.") => Fix::Settings(match f {
                "clinic.address" => "clinic-address",
                "clinic.manager_name" => "clinic-manager",
                "clinic.registration_number" => "clinic-registration",
                "clinic.prefecture_code" => "clinic-prefecture",
                _ => "clinic-name",
            }),
            f if f.starts_with("insurance.")
                || f.starts_with("patient.")
                || f.starts_with("public_funds") =>
            {
                Fix::Patient
            }
            _ => Fix::Records,
        }
    };
    let mut out: Vec<(Severity, String, String, Fix)> = match &c.claim {
        Ok(m) => m
            .findings
            .iter()
            .map(|f| {
                (
                    f.severity,
                    f.message_ja.clone(),
                    f.message_en.clone(),
                    fix(&f.field),
                )
            })
            .collect(),
        Err(e) => vec![(Severity::Error, e.clone(), String::new(), Fix::Patient)],
    };
    if c.unchecked {
        out.push((
            Severity::Warning,
            ukemi_core::records::UNCHECKED_WARNING_JA.to_string(),
            String::new(),
            Fix::Reception,
        ));
    }
    out
}

fn fix_button(app: &super::AppCtx, c: &CaseClaim, fix: Fix) -> Html {
    let state = app.state.clone();
    let patient = c.patient_id.clone();
    let (ja, en) = match fix {
        Fix::Settings(_) => ("設定で直す", "Fix in Settings"),
        Fix::Patient => ("患者の画面で直す", "Fix on the patient's screen"),
        Fix::Records => ("施術録で直す", "Fix in the treatment record"),
        Fix::Reception => ("受付で資格確認する", "Check eligibility at reception"),
    };
    let onclick = Callback::from(move |_: MouseEvent| match fix {
        Fix::Settings(field) => {
            super::go(&state, Screen::Settings);
            after_screen_change(field);
        }
        Fix::Patient => {
            state.dispatch(Action::from(records::Action::ChoosePatient(Some(
                patient.clone(),
            ))));
            super::go(&state, Screen::Patients);
            after_screen_change("patient-detail-heading");
        }
        Fix::Records => {
            state.dispatch(Action::from(records::Action::ChoosePatient(Some(
                patient.clone(),
            ))));
            super::go(&state, Screen::Records);
        }
        Fix::Reception => super::go(&state, Screen::Reception),
    });
    html! {
        <button type="button" class="link fix"
            aria-label={ app.t(format!("{}（{}さん）", ja, c.patient_name), format!("{en} ({})", c.patient_name)) }
            {onclick}>{ app.t(ja, en) }</button>
    }
}

/// After the new screen's heading has taken the focus: the field to fix.
fn after_screen_change(id: &'static str) {
    gloo_timers::callback::Timeout::new(100, move || super::form::focus_later(id)).forget();
}

fn row(
    app: &super::AppCtx,
    c: &CaseClaim,
    show: &dyn Fn(Sheets, bool) -> Callback<MouseEvent>,
) -> Html {
    let problems = c.problems();
    let n_err = problems
        .iter()
        .filter(|(s, _)| *s == Severity::Error)
        .count();
    let n_warn = problems.len() - n_err;
    let lang = app.lang();
    let cells = match &c.claim {
        Ok(m) => html! {
            <>
                <td class="short">{ m.discipline.label_ja() }</td>
                <td class="short money">{ m.visit_dates.len() }</td>
                <td class="short money">{ yen(m.total_yen.into()) }</td>
                <td class="short money">{ yen(m.copay_yen.into()) }</td>
                <td class="short money">{ yen(m.billed_yen.into()) }</td>
                <td class="short money">{ yen(m.window_yen.into()) }</td>
            </>
        },
        Err(_) => html! { <td colspan="6">{ app.t("計算できません", "Not computed") }</td> },
    };
    html! {
        <tr id={format!("claim-{}", c.case_id)} class={classes!(c.blocking().then_some("has-errors"))}>
            <th scope="row" lang="ja">{ &c.patient_name }</th>
            { cells }
            <td class="findings-cell">
                <p class={ if n_err > 0 { "finding-error" } else { "" } }>{
                    lang.t(format!("エラー{n_err}件・要確認{n_warn}件"), format!("{n_err} errors, {n_warn} warnings"))
                }</p>
                if !problems.is_empty() {
                    <ul class="findings">
                        { for fixes(c).into_iter().map(|(s, ja_text, en_text, fix)| html! {
                            <li class={ if s == Severity::Error { "finding-error" } else { "finding-warning" } }>
                                <strong>{ if s == Severity::Error { app.t("エラー：", "Error: ") } else { app.t("要確認：", "Check: ") } }</strong>
                                if lang == Lang::Ja || en_text.is_empty() { <span lang="ja">{ ja_text }</span> } else { <span>{ en_text }</span> }
                                { fix_button(app, c, fix) }
                            </li>
                        }) }
                    </ul>
                }
            </td>
            <td class="print-cell">
                if c.claim.is_ok() {
                    <button type="button" class="secondary" id={format!("preview-{}", c.case_id)}
                        aria-label={ lang.t(format!("{}さんの申請書をプレビュー", c.patient_name), format!("Preview {}'s form", c.patient_name)) }
                        onclick={show(Sheets::One(c.case_id.clone()), false)}>{ app.t("プレビュー", "Preview") }</button>
                    <button type="button" class="secondary" id={format!("print-{}", c.case_id)}
                        aria-label={ lang.t(format!("{}さんの申請書を印刷", c.patient_name), format!("Print {}'s form", c.patient_name)) }
                        onclick={show(Sheets::One(c.case_id.clone()), true)}>{ app.t("印刷", "Print") }</button>
                }
            </td>
        </tr>
    }
}

/// After a reopening: the claims whose money differs from what was filed (a corrected rule or
/// fee schedule), so the clinic knows which 申請書 to file again.
fn changes_after_reopening(app: &super::AppCtx, month: Option<&MonthRecord>) -> Html {
    let Some(r) = month.and_then(|m| m.reopened.last()) else {
        return html! {};
    };
    if r.changes.is_empty() {
        return html! {};
    }
    let fig = |f: &Option<Figures>, pick: fn(&Figures) -> u32| {
        f.as_ref()
            .map(|x| yen(pick(x).into()))
            .unwrap_or_else(|| app.t("記録なし", "not kept").to_string())
    };
    html! {
        <section id="reopen-changes" class="warn-box" aria-labelledby="reopen-changes-heading">
            <h3 id="reopen-changes-heading">{ app.t("締めを解除して再計算したら金額が変わった申請書", "Claims whose money changed when the month was reopened") }</h3>
            <div class="table-wrap" role="region" tabindex="0" aria-labelledby="reopen-changes-heading"><table>
                <thead><tr>
                    <th scope="col">{ app.t("患者", "Patient") }</th>
                    <th scope="col">{ app.t("合計（提出時→現在）", "Total (filed → now)") }</th>
                    <th scope="col">{ app.t("一部負担金（提出時→現在）", "Co-payment (filed → now)") }</th>
                    <th scope="col">{ app.t("請求金額（提出時→現在）", "Claimed (filed → now)") }</th>
                </tr></thead>
                <tbody>
                    { for r.changes.iter().map(|c| html! {
                        <tr>
                            <th scope="row">{ &c.patient_name }</th>
                            <td>{ format!("{} → {}", fig(&c.filed, |f| f.total_yen), fig(&c.now, |f| f.total_yen)) }</td>
                            <td>{ format!("{} → {}", fig(&c.filed, |f| f.copay_yen), fig(&c.now, |f| f.copay_yen)) }</td>
                            <td>{ format!("{} → {}", fig(&c.filed, |f| f.billed_yen), fig(&c.now, |f| f.billed_yen)) }</td>
                        </tr>
                    }) }
                </tbody>
            </table></div>
        </section>
    }
}
