//! 月次請求 → after filing: where each claim of the month stands (提出済み, 返戻, 再請求済み,
//! 入金済み), recording a 返戻 and re-issuing the corrected claim as a 再請求 with a later
//! batch (its 施術年月 kept), the 再請求 going out with this month's batch, and 入金 per
//! insurer matched to the claims with what is still outstanding.

use super::form::{date_value, parse_date, yen, SelectField, TextField};
use super::print::PrintSheets;
use super::use_app;
use crate::i18n::Lang;
use crate::state::{records, Action};
use ukemi_core::claims::ClaimMonth;
use ukemi_core::records::month::{export_csv, export_payments_csv};
use ukemi_core::records::returns::ClaimStatus;
use ukemi_core::records::{Edit, NewPayment, NewReturn, ReturnReason};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MonthLedgerProps {
    pub month: ClaimMonth,
}

fn status_label(s: ClaimStatus, lang: Lang) -> String {
    match (s, lang) {
        (ClaimStatus::Filed, Lang::Ja) => "提出済み".into(),
        (ClaimStatus::Filed, Lang::En) => "Filed".into(),
        (ClaimStatus::Returned, Lang::Ja) => "返戻（再請求待ち）".into(),
        (ClaimStatus::Returned, Lang::En) => "Returned (to re-submit)".into(),
        (ClaimStatus::Resubmitted { batch }, Lang::Ja) => {
            format!("再請求済み（{}提出分）", batch.wareki())
        }
        (ClaimStatus::Resubmitted { batch }, Lang::En) => format!("Re-submitted ({batch} batch)"),
    }
}

#[function_component(MonthLedger)]
pub fn month_ledger(p: &MonthLedgerProps) -> Html {
    let app = use_app();
    let lang = app.lang();
    let book = &app.state.records.book;
    let m = p.month;
    let closed = book.is_closed(m);
    let claims = crate::claims_memo::month_claims(book, m);
    let matching = crate::claims_memo::matching(book);
    let today = crate::clock::today();
    // The return form.
    let ret_case = use_state(String::new);
    let ret_date = use_state(|| date_value(Some(today)).to_string());
    let ret_reason = use_state(|| ReturnReason::WrongNumber.code().to_string());
    let ret_note = use_state(String::new);
    // The payment form.
    let pay_payer = use_state(String::new);
    let pay_date = use_state(|| date_value(Some(today)).to_string());
    let pay_amount = use_state(String::new);
    let pay_note = use_state(String::new);
    let preview = use_state(|| false);
    let exported = use_state(|| None::<String>);

    let returnable: Vec<(String, String)> = claims
        .iter()
        .filter(|c| book.claim_status(m, &c.case_id) != Some(ClaimStatus::Returned))
        .filter(|c| c.claim.is_ok())
        .map(|c| (c.case_id.clone(), c.patient_name.clone()))
        .collect();
    let chosen_case = if ret_case.is_empty() {
        returnable.first().map(|x| x.0.clone()).unwrap_or_default()
    } else {
        (*ret_case).clone()
    };
    let record_return = {
        let state = app.state.clone();
        let case = chosen_case.clone();
        let date = ret_date.clone();
        let reason = ret_reason.clone();
        let note = ret_note.clone();
        Callback::from(move |_: MouseEvent| {
            let (Some(d), Some(r)) = (parse_date(&date), ReturnReason::from_code(&reason)) else {
                return;
            };
            state.dispatch(Action::from(records::Action::Edit(Edit::RecordReturn {
                ret: NewReturn {
                    month: m,
                    case_id: case.clone(),
                    returned_on: d,
                    reason: r,
                    note: (*note).clone(),
                },
                at: crate::clock::now_iso(),
            })));
            note.set(String::new());
        })
    };
    // A 再請求 goes with the batch of this month (or the one after the 施術年月).
    let batch_default = {
        let now = ClaimMonth::of(today);
        if now > m && !book.is_closed(now) {
            now
        } else {
            let mut b = m.next();
            while book.is_closed(b) {
                b = b.next();
            }
            b
        }
    };
    let returns: Vec<_> = book
        .returns
        .iter()
        .filter(|r| r.month == m)
        .cloned()
        .collect();
    let resubmitted = crate::claims_memo::resubmitted_claims(book, m);
    let payers: Vec<String> = {
        let mut v: Vec<String> = matching.groups.iter().map(|g| g.payer.clone()).collect();
        v.sort();
        v.dedup();
        v
    };
    let chosen_payer = if pay_payer.is_empty() {
        matching
            .groups
            .iter()
            .find(|g| g.month == m)
            .map(|g| g.payer.clone())
            .or_else(|| payers.first().cloned())
            .unwrap_or_default()
    } else {
        (*pay_payer).clone()
    };
    let add_payment = {
        let state = app.state.clone();
        let payer = chosen_payer.clone();
        let date = pay_date.clone();
        let amount = pay_amount.clone();
        let note = pay_note.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(d) = parse_date(&date) else { return };
            let yen: u32 = ukemi_core::text::ascii_digits(amount.trim())
                .replace(',', "")
                .parse()
                .unwrap_or(0);
            state.dispatch(Action::from(records::Action::Edit(Edit::AddPayment(
                NewPayment {
                    payer: payer.clone(),
                    month: m,
                    received_on: d,
                    amount_yen: yen,
                    note: (*note).clone(),
                },
            ))));
            amount.set(String::new());
            note.set(String::new());
        })
    };
    let export_resubmitted = {
        let exported = exported.clone();
        let rows = resubmitted.clone();
        Callback::from(move |_: MouseEvent| {
            let name = format!("ukemi-resubmissions-{m}.csv");
            exported.set(Some(
                match crate::files::download(&name, "text/csv;charset=utf-8", &export_csv(&rows)) {
                    Ok(()) => name,
                    Err(e) => e,
                },
            ));
        })
    };
    let export_payments = {
        let exported = exported.clone();
        let book = book.clone();
        Callback::from(move |_: MouseEvent| {
            let name = "ukemi-payments.csv".to_string();
            exported.set(Some(
                match crate::files::download(
                    &name,
                    "text/csv;charset=utf-8",
                    &export_payments_csv(&book),
                ) {
                    Ok(()) => name,
                    Err(e) => e,
                },
            ));
        })
    };
    let groups: Vec<_> = matching.groups.iter().filter(|g| g.month == m).collect();
    let paid = |case_id: &str| {
        groups
            .iter()
            .flat_map(|g| g.claims.iter())
            .filter(|c| c.case_id == case_id && !c.public)
            .any(|c| c.paid())
    };
    let month_label = lang.t(m.wareki(), m.to_string());
    html! {
        <section id="month-ledger" class="panel" aria-labelledby="month-ledger-heading">
            <h2 id="month-ledger-heading">{ format!("{month_label}{}", app.t("分の返戻・再請求・入金", ": returns, re-submissions, payments")) }</h2>
            if closed {
                <div class="table-wrap" role="region" tabindex="0" aria-labelledby="claim-status-caption"><table id="claim-status">
                    <caption id="claim-status-caption">{ app.t("申請書の状況", "Where each claim stands") }</caption>
                    <thead><tr>
                        <th scope="col">{ app.t("患者", "Patient") }</th>
                        <th scope="col">{ app.t("状況", "Status") }</th>
                        <th scope="col">{ app.t("入金", "Paid") }</th>
                    </tr></thead>
                    <tbody>
                        { for claims.iter().map(|c| html! {
                            <tr id={format!("status-{}", c.case_id)}>
                                <th scope="row" lang="ja">{ &c.patient_name }</th>
                                <td>{ book.claim_status(m, &c.case_id).map(|s| status_label(s, lang)).unwrap_or_default() }</td>
                                <td>{ if paid(&c.case_id) { app.t("入金済み", "Paid") } else { app.t("未入金", "Not paid") } }</td>
                            </tr>
                        }) }
                    </tbody>
                </table></div>
                if !returnable.is_empty() {
                    <fieldset id="return-form">
                        <legend>{ app.t("返戻を記録する", "Record a return") }</legend>
                        <div class="grid">
                            <SelectField id="return-case" label={ app.t("返戻された申請書", "Returned claim") } value={chosen_case.clone()}
                                options={returnable.clone()} onchange={ let s = ret_case.clone(); Callback::from(move |v| s.set(v)) } />
                            <TextField id="return-date" kind="date" label={ app.t("返戻日", "Returned on") } value={(*ret_date).clone()}
                                onchange={ let s = ret_date.clone(); Callback::from(move |v| s.set(v)) } />
                            <SelectField id="return-reason" label={ app.t("返戻理由", "Reason") } value={(*ret_reason).clone()}
                                options={ReturnReason::ALL.iter().map(|r| (r.code().to_string(), lang.t(r.label_ja(), r.label_en()).to_string())).collect::<Vec<_>>()}
                                onchange={ let s = ret_reason.clone(); Callback::from(move |v| s.set(v)) } />
                        </div>
                        <TextField id="return-note" label={ app.t("返戻の内容（保険者の記載どおり）", "What the insurer wrote") } value={(*ret_note).clone()}
                            onchange={ let s = ret_note.clone(); Callback::from(move |v| s.set(v)) } />
                        <button type="button" id="return-save" onclick={record_return}>{ app.t("返戻を記録", "Record the return") }</button>
                    </fieldset>
                }
            } else {
                <p>{ app.t("この月を締めると（提出）、返戻と入金を記録できます。", "Once this month is closed (filed), returns and payments can be recorded.") }</p>
            }
            if !returns.is_empty() {
                <h3>{ app.t("この施術月の返戻", "Returns of this month's claims") }</h3>
                <ul id="returns-list">
                    { for returns.iter().map(|r| {
                        let id = r.id.clone();
                        let batch = batch_default;
                        let resubmit = {
                            let state = app.state.clone();
                            let id = id.clone();
                            Callback::from(move |_: MouseEvent| {
                                state.dispatch(Action::from(records::Action::Edit(Edit::Resubmit { id: id.clone(), batch, at: crate::clock::now_iso() })));
                            })
                        };
                        let withdraw = {
                            let state = app.state.clone();
                            let id = id.clone();
                            Callback::from(move |_: MouseEvent| state.dispatch(Action::from(records::Action::Edit(Edit::WithdrawResubmission { id: id.clone() }))))
                        };
                        let delete = {
                            let state = app.state.clone();
                            let id = id.clone();
                            Callback::from(move |_: MouseEvent| state.dispatch(Action::from(records::Action::Edit(Edit::DeleteReturn { id: id.clone() }))))
                        };
                        html! {
                            <li id={format!("return-{id}")}>
                                <span lang="ja">{ format!("{}：{}返戻（{}）{}", r.patient_name, r.returned_on.wareki(), r.reason.label_ja(),
                                    if r.note.is_empty() { String::new() } else { format!("「{}」", r.note) }) }</span>
                                { " " }
                                if let Some(s) = &r.resubmitted {
                                    <strong>{ lang.t(format!("{}提出分で再請求済み（請求金額 {}）", s.batch.wareki(), yen(u64::from(s.claim.billed_yen))), format!("re-submitted with the {} batch", s.batch)) }</strong>
                                    <button type="button" class="secondary" id={format!("withdraw-{id}")} onclick={withdraw}>{ app.t("再請求を取り消す", "Withdraw") }</button>
                                } else {
                                    <button type="button" id={format!("resubmit-{id}")} onclick={resubmit}>
                                        { lang.t(format!("直したので{}提出分で再請求する", batch_default.wareki()), format!("Corrected: re-submit with the {batch_default} batch")) }
                                    </button>
                                    <button type="button" class="secondary" id={format!("delete-return-{id}")} onclick={delete}>{ app.t("記録を削除", "Delete") }</button>
                                }
                            </li>
                        }
                    }) }
                </ul>
            }
            if !resubmitted.is_empty() {
                <h3>{ app.t("この月に出す再請求（元の施術年月のまま）", "Re-submissions going out with this month (original month kept)") }</h3>
                <div class="table-wrap" role="region" tabindex="0" aria-labelledby="resubmitted-caption"><table id="resubmitted">
                    <caption id="resubmitted-caption">{ app.t("再請求", "Re-submissions") }</caption>
                    <thead><tr>
                        <th scope="col">{ app.t("患者", "Patient") }</th>
                        <th scope="col">{ app.t("施術年月", "Treatment month") }</th>
                        <th scope="col">{ app.t("保険者番号", "Insurer") }</th>
                        <th scope="col">{ app.t("請求金額", "Claimed") }</th>
                    </tr></thead>
                    <tbody>
                        { for resubmitted.iter().filter_map(|c| c.claim.as_ref().ok().map(|cl| (c, cl))).map(|(c, cl)| html! {
                            <tr id={format!("resubmitted-{}", c.case_id)}>
                                <th scope="row" lang="ja">{ &c.patient_name }</th>
                                <td lang="ja">{ cl.month.wareki() }</td>
                                <td>{ &cl.insurer_number }</td>
                                <td>{ yen(u64::from(cl.billed_yen)) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table></div>
                <div class="actions">
                    <button type="button" id="preview-resubmitted" onclick={ let p = preview.clone(); Callback::from(move |_| p.set(!*p)) } aria-pressed={ if *preview { "true" } else { "false" } }>
                        { app.t("再請求の申請書をプレビュー", "Preview the re-submitted forms") }</button>
                    <button type="button" class="secondary" id="export-resubmitted" onclick={export_resubmitted}>{ app.t("再請求をCSVで書き出す", "Export re-submissions (CSV)") }</button>
                </div>
            }
            <h3>{ app.t("入金", "Payments") }</h3>
            if closed || !payers.is_empty() {
                <fieldset id="payment-form">
                    <legend>{ lang.t(format!("{}分の入金を記録する", m.wareki()), format!("Record a payment for {m}")) }</legend>
                    <div class="grid">
                        <TextField id="payment-payer" label={ app.t("保険者番号（公費は負担者番号）", "Insurer (or public payer) number") } value={chosen_payer.clone()}
                            onchange={ let s = pay_payer.clone(); Callback::from(move |v| s.set(v)) } />
                        <TextField id="payment-date" kind="date" label={ app.t("入金日", "Received on") } value={(*pay_date).clone()}
                            onchange={ let s = pay_date.clone(); Callback::from(move |v| s.set(v)) } />
                        <TextField id="payment-amount" kind="number" label={ app.t("入金額（円）", "Amount (yen)") } value={(*pay_amount).clone()}
                            onchange={ let s = pay_amount.clone(); Callback::from(move |v| s.set(v)) } />
                    </div>
                    <TextField id="payment-note" label={ app.t("メモ（振込名義など）", "Note") } value={(*pay_note).clone()}
                        onchange={ let s = pay_note.clone(); Callback::from(move |v| s.set(v)) } />
                    <button type="button" id="payment-save" onclick={add_payment}>{ app.t("入金を記録", "Record the payment") }</button>
                </fieldset>
            }
            if !groups.is_empty() {
                <div class="table-wrap" role="region" tabindex="0" aria-labelledby="payments-caption"><table id="payments-month">
                    <caption id="payments-caption">{ lang.t(format!("{}分の入金照合", m.wareki()), format!("Payments matched for {m}")) }</caption>
                    <thead><tr>
                        <th scope="col">{ app.t("支払者", "Payer") }</th>
                        <th scope="col">{ app.t("請求額", "Claimed") }</th>
                        <th scope="col">{ app.t("入金額", "Received") }</th>
                        <th scope="col">{ app.t("未収", "Outstanding") }</th>
                        <th scope="col">{ app.t("申請書ごと", "Per claim") }</th>
                    </tr></thead>
                    <tbody>
                        { for groups.iter().map(|g| html! {
                            <tr id={format!("payer-{}", g.payer)}>
                                <th scope="row">{ &g.payer }</th>
                                <td>{ yen(g.expected_yen) }</td>
                                <td>{ yen(g.received_yen) }{ if g.over_yen > 0 { lang.t(format!("（過入金 {}）", yen(g.over_yen)), format!(" (over {})", yen(g.over_yen))) } else { String::new() } }</td>
                                <td class={ if g.outstanding_yen > 0 { "warn" } else { "" } }>{ yen(g.outstanding_yen) }</td>
                                <td><ul>{ for g.claims.iter().map(|c| html! {
                                    <li lang="ja">{ format!("{}{}：{} / {}", c.patient_name, if c.public { "（公費）" } else { "" }, yen(u64::from(c.matched_yen)), yen(u64::from(c.expected_yen))) }</li>
                                }) }</ul></td>
                            </tr>
                        }) }
                    </tbody>
                </table></div>
            }
            { for book.payments.iter().filter(|x| x.month == m).map(|x| {
                let state = app.state.clone();
                let id = x.id.clone();
                html! {
                    <p class="payment" id={format!("payment-{}", x.id)}>
                        <span lang="ja">{ format!("{} {} {}{}", x.received_on.wareki(), x.payer, yen(u64::from(x.amount_yen)), if x.note.is_empty() { String::new() } else { format!("（{}）", x.note) }) }</span>
                        <button type="button" class="secondary" id={format!("delete-payment-{}", x.id)}
                            onclick={Callback::from(move |_: MouseEvent| state.dispatch(Action::from(records::Action::Edit(Edit::DeletePayment { id: id.clone() }))))}>{ app.t("取消", "Delete") }</button>
                    </p>
                }
            }) }
            if !matching.totals.is_empty() {
                <div class="table-wrap" role="region" tabindex="0" aria-labelledby="outstanding-caption"><table id="outstanding">
                    <caption id="outstanding-caption">{ app.t("支払者ごとの未収（すべての月）", "Outstanding per payer (all months)") }</caption>
                    <thead><tr>
                        <th scope="col">{ app.t("支払者", "Payer") }</th>
                        <th scope="col">{ app.t("請求額", "Claimed") }</th>
                        <th scope="col">{ app.t("入金額", "Received") }</th>
                        <th scope="col">{ app.t("未収", "Outstanding") }</th>
                    </tr></thead>
                    <tbody>
                        { for matching.totals.iter().map(|t| html! {
                            <tr id={format!("outstanding-{}", t.payer)}>
                                <th scope="row">{ &t.payer }</th>
                                <td>{ yen(t.expected_yen) }</td>
                                <td>{ yen(t.received_yen) }</td>
                                <td class={ if t.outstanding_yen > 0 { "warn" } else { "" } }>{ yen(t.outstanding_yen) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table></div>
                <button type="button" class="secondary" id="export-payments" onclick={export_payments}>{ app.t("入金照合をCSVで書き出す", "Export payments (CSV)") }</button>
            }
            if let Some(e) = &*exported {
                <p id="ledger-export-status" role="status">{ app.t("書き出しました：", "Exported: ") }{ e }</p>
            }
            if *preview && !resubmitted.is_empty() {
                <section class="print-area" aria-label={ app.t("再請求の申請書", "Re-submitted forms") } tabindex="0">
                    // Their 総括票 are the batch's: printed with this month's 申請書 (月次請求,
                    // 「この月をまとめて印刷」), which counts them — never a second set here.
                    <p id="resubmitted-summary-note">{ app.t(
                        "総括票は「この月をまとめて印刷」で今月分と一緒に作られ、再請求分も件数と金額に入ります。",
                        "The summary sheets come with \"Print the whole month\": they count the re-submissions with this month's claims.") }</p>
                    <PrintSheets id={AttrValue::from("resubmitted-sheets")}
                        forms={resubmitted.iter().filter_map(|c| c.form()).collect::<Vec<_>>()} />
                </section>
            }
        </section>
    }
}
