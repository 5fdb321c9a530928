//! 窓口会計: the day at the window — each patient's insured amount (the claim engine's window
//! amount for that visit), 自費 items from the clinic's price list, what was received and
//! what is still unpaid; the 明細書 and 領収証 of a visit; the 日計表 at closing time; and
//! the 自費 price list itself.

use super::documents::{print_soon, DocSheets, Paper};
use super::form::{date_value, parse_date, yen, SelectField, TextField};
use super::use_app;
use crate::state::{records, Action};
use ukemi_core::claims::ClaimMonth;
use ukemi_core::records::documents::Document;
use ukemi_core::records::ledger::LedgerRow;
use ukemi_core::records::{Edit, SelfPayItem, SelfPayLine, Settings};
use ukemi_core::Date;
use yew::prelude::*;

#[function_component(Desk)]
pub fn desk() -> Html {
    let app = use_app();
    let lang = app.lang();
    let book = &app.state.records.book;
    let day = use_state(crate::clock::today);
    let docs = use_state(Vec::<Document>::new);
    let paper = use_state(Paper::default);
    // The day's window amounts from the page's memo of the month's claims.
    let claims = crate::claims_memo::month_claims(book, ukemi_core::claims::ClaimMonth::of(*day));
    let ledger = book.day_ledger_in(*day, &claims);
    let choose_day = {
        let day = day.clone();
        let docs = docs.clone();
        Callback::from(move |v: String| {
            if let Some(d) = parse_date(&v) {
                day.set(d);
                docs.set(Vec::new());
            }
        })
    };
    let print = |make: Box<dyn Fn() -> Vec<Document>>| {
        let docs = docs.clone();
        Callback::from(move |_: MouseEvent| {
            docs.set(make());
            print_soon();
        })
    };
    let print_ledger = {
        let book = book.clone();
        let d = *day;
        print(Box::new(move || vec![book.day_ledger_document(d)]))
    };
    let exported = use_state(|| None::<String>);
    let export_month = {
        let book = book.clone();
        let exported = exported.clone();
        let m = ClaimMonth::of(*day);
        Callback::from(move |_: MouseEvent| {
            let name = format!("ukemi-ledger-{m}.csv");
            let text = ukemi_core::records::month::export_ledger_csv(&book, m);
            exported.set(Some(
                match crate::files::download(&name, "text/csv;charset=utf-8", &text) {
                    Ok(()) => name,
                    Err(e) => e,
                },
            ));
        })
    };
    html! {
        <>
            <h1 id="screen-heading" tabindex="-1">{ app.t("窓口会計", "Front desk") }</h1>
            <section class="panel" aria-labelledby="desk-heading">
                <h2 id="desk-heading">{ lang.t(format!("{}の窓口会計", day.wareki()), format!("Front desk, {}", *day)) }</h2>
                <TextField id="desk-day" kind="date" label={ app.t("日付", "Date") } value={date_value(Some(*day))} onchange={choose_day} />
                <p id="desk-summary" role="status">{
                    lang.t(format!("来院{}人・請求 {}・領収 {}・未収 {}", ledger.rows.len(), yen(ledger.due_yen), yen(ledger.received_yen), yen(ledger.unpaid_yen)), format!("{} patients, due {}, received {}, unpaid {}", ledger.rows.len(), yen(ledger.due_yen), yen(ledger.received_yen), yen(ledger.unpaid_yen)))
                }</p>
                if ledger.rows.is_empty() {
                    <p>{ app.t("この日の施術・会計はありません。", "No visits or takings on this day.") }</p>
                } else {
                    <div class="table-wrap" role="region" tabindex="0" aria-label={ app.t("患者ごとの窓口会計", "Takings by patient") }><table id="desk-table">
                        <caption>{ app.t("患者ごとの窓口会計", "Takings by patient") }</caption>
                        <thead><tr>
                            <th scope="col">{ app.t("患者", "Patient") }</th>
                            <th scope="col">{ app.t("保険（窓口負担）", "Insured (window)") }</th>
                            <th scope="col">{ app.t("自費", "Self-pay") }</th>
                            <th scope="col">{ app.t("請求", "Due") }</th>
                            <th scope="col">{ app.t("領収", "Received") }</th>
                            <th scope="col">{ app.t("未収", "Unpaid") }</th>
                            <th scope="col">{ app.t("書類", "Documents") }</th>
                        </tr></thead>
                        <tbody>
                            { for ledger.rows.iter().map(|r| html! { <DeskRow key={r.patient_id.clone()} row={r.clone()} day={*day} docs={docs.clone()} paper={*paper} /> }) }
                        </tbody>
                    </table></div>
                }
                <div class="actions">
                    <button type="button" id="print-day-ledger" onclick={print_ledger}>{ app.t("日計表を印刷", "Print the day ledger") }</button>
                    <button type="button" class="secondary" id="export-ledger" onclick={export_month}>{ app.t("この月の日計をCSVで書き出す", "Export the month's takings (CSV)") }</button>
                    <SelectField id="receipt-paper" label={ app.t("領収証の用紙", "Receipt paper") } value={ match *paper { Paper::A4 => "a4", Paper::A5 => "a5", Paper::Roll => "roll" } }
                        options={vec![("a4".into(), "A4".into()), ("a5".into(), "A5".into()), ("roll".into(), app.t("レシート（幅80mm）", "Receipt roll (80 mm)").to_string())]}
                        onchange={ let p = paper.clone(); Callback::from(move |v: String| p.set(Paper::from_key(&v))) } />
                </div>
                if let Some(e) = &*exported {
                    <p id="ledger-export" role="status">{ app.t("書き出しました：", "Exported: ") }{ e }</p>
                }
                <SelfPayOnly day={*day} />
            </section>
            <PriceList />
            if !docs.is_empty() {
                <section class="panel print-area" aria-labelledby="desk-preview-heading" tabindex="0">
                    <h2 id="desk-preview-heading" class="screen-only">{ app.t("印刷プレビュー", "Print preview") }</h2>
                    <DocSheets id={AttrValue::from("desk-sheets")} docs={(*docs).clone()}
                        paper={ if docs.iter().all(|d| d.kind == ukemi_core::records::documents::DocKind::Receipt) { *paper } else { Paper::A4 } } />
                </section>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct RowProps {
    row: LedgerRow,
    day: Date,
    docs: UseStateHandle<Vec<Document>>,
    paper: Paper,
}

#[function_component(DeskRow)]
fn desk_row(p: &RowProps) -> Html {
    let app = use_app();
    let lang = app.lang();
    let r = &p.row;
    let pid = r.patient_id.clone();
    let day = p.day;
    let items = app.state.records.book.settings.self_pay_items.clone();
    let chosen = use_state(|| items.first().map(|i| i.name.clone()).unwrap_or_default());
    let put = {
        let pid = pid.clone();
        move |self_pay: Vec<SelfPayLine>, received: Option<u32>| {
            Action::from(records::Action::Edit(Edit::PutTakings {
                patient_id: pid.clone(),
                date: day,
                self_pay,
                received_yen: received,
            }))
        }
    };
    let add_item = {
        let state = app.state.clone();
        let lines = r.self_pay.clone();
        let received = r.received_yen;
        let chosen = chosen.clone();
        let items = items.clone();
        let pid = pid.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(item) = items.iter().find(|i| i.name == *chosen) else {
                return;
            };
            let mut next = lines.clone();
            match next.iter_mut().find(|l| l.name == item.name) {
                Some(l) => l.count += 1,
                None => next.push(SelfPayLine {
                    name: item.name.clone(),
                    unit_yen: item.price_yen,
                    count: 1,
                }),
            }
            state.dispatch(Action::from(records::Action::Edit(Edit::PutTakings {
                patient_id: pid.clone(),
                date: day,
                self_pay: next,
                received_yen: received,
            })));
        })
    };
    let set_received = {
        let state = app.state.clone();
        let action = {
            let lines = r.self_pay.clone();
            move |v: Option<u32>| put(lines.clone(), v)
        };
        Callback::from(move |v: String| {
            let digits = ukemi_core::text::ascii_digits(v.trim());
            state.dispatch(action(if digits.is_empty() {
                None
            } else {
                digits.parse().ok()
            }));
        })
    };
    let paid_in_full = {
        let state = app.state.clone();
        let (lines, due) = (r.self_pay.clone(), r.due_yen);
        let pid = pid.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::from(records::Action::Edit(Edit::PutTakings {
                patient_id: pid.clone(),
                date: day,
                self_pay: lines.clone(),
                received_yen: Some(due),
            })))
        })
    };
    let clear_self_pay = {
        let state = app.state.clone();
        let received = r.received_yen;
        let pid = pid.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::from(records::Action::Edit(Edit::PutTakings {
                patient_id: pid.clone(),
                date: day,
                self_pay: Vec::new(),
                received_yen: received,
            })))
        })
    };
    let book = app.state.records.book.clone();
    let statement = |whole_month: bool| {
        let docs = p.docs.clone();
        let book = book.clone();
        let cases: Vec<String> = r.visits.iter().map(|v| v.case_id.clone()).collect();
        Callback::from(move |_: MouseEvent| {
            let m = ClaimMonth::of(day);
            docs.set(
                cases
                    .iter()
                    .filter_map(|c| book.statement(c, m, (!whole_month).then_some(day)))
                    .collect(),
            );
            print_soon();
        })
    };
    let receipt = {
        let docs = p.docs.clone();
        let book = book.clone();
        let pid = pid.clone();
        Callback::from(move |_: MouseEvent| {
            docs.set(book.receipt(&pid, day).into_iter().collect());
            print_soon();
        })
    };
    let name = r.patient_name.clone();
    let not_computed = r.visits.iter().find_map(|v| v.not_computed.clone());
    html! {
        <tr id={format!("desk-{pid}")}>
            <th scope="row" lang="ja">{ &r.patient_name }</th>
            <td>
                { yen(u64::from(r.insured_yen)) }
                if let Some(e) = not_computed { <p class="finding-error" lang="ja">{ e }</p> }
            </td>
            <td>
                <ul class="self-pay">
                    { for r.self_pay.iter().map(|l| html! { <li lang="ja">{ format!("{} × {} = {}", l.name, l.count, yen(u64::from(l.amount_yen()))) }</li> }) }
                </ul>
                if !items.is_empty() {
                    <SelectField id={format!("self-pay-item-{pid}")} label={ lang.t(format!("{name}さんの自費の品目"), format!("Self-pay item for {name}")) } value={(*chosen).clone()}
                        options={items.iter().map(|i| (i.name.clone(), format!("{}（{}）", i.name, yen(u64::from(i.price_yen))))).collect::<Vec<_>>()}
                        onchange={ let c = chosen.clone(); Callback::from(move |v| c.set(v)) } />
                    <button type="button" class="secondary" id={format!("self-pay-add-{pid}")} onclick={add_item}>{ app.t("自費を追加", "Add") }</button>
                }
                if !r.self_pay.is_empty() {
                    <button type="button" class="secondary" id={format!("self-pay-clear-{pid}")} onclick={clear_self_pay}
                        aria-label={ lang.t(format!("取消（{name}さんの自費）"), format!("Clear ({name}'s self-pay)")) }>{ app.t("取消", "Clear") }</button>
                }
            </td>
            <td>{ yen(u64::from(r.due_yen)) }</td>
            <td>
                <TextField id={format!("received-{pid}")} kind="number" label={ lang.t(format!("{name}さんの領収額（円）"), format!("Received from {name} (yen)")) }
                    value={r.received_yen.map(|x| x.to_string()).unwrap_or_default()} onchange={set_received} />
                <button type="button" class="secondary" id={format!("paid-{pid}")} onclick={paid_in_full}
                    aria-label={ lang.t(format!("全額受領（{name}さん）"), format!("Paid in full ({name})")) }>{ app.t("全額受領", "Paid in full") }</button>
            </td>
            <td class={ if r.unpaid_yen > 0 { "warn" } else { "" } }>{ yen(u64::from(r.unpaid_yen)) }</td>
            <td>
                if !r.visits.is_empty() {
                    <button type="button" class="secondary" id={format!("statement-{pid}")} onclick={statement(false)}
                        aria-label={ lang.t(format!("明細書（{name}さん、この日）"), format!("Statement ({name}, this day)")) }>{ app.t("明細書", "Statement") }</button>
                    <button type="button" class="secondary" id={format!("statement-month-{pid}")} onclick={statement(true)}
                        aria-label={ lang.t(format!("明細書（月）（{name}さん）"), format!("Statement (month) ({name})")) }>{ app.t("明細書（月）", "Statement (month)") }</button>
                }
                <button type="button" class="secondary" id={format!("receipt-{pid}")} onclick={receipt}
                    aria-label={ lang.t(format!("領収証（{name}さん）"), format!("Receipt ({name})")) }>{ app.t("領収証", "Receipt") }</button>
            </td>
        </tr>
    }
}

#[derive(Properties, PartialEq)]
struct DayProps {
    day: Date,
}

/// A patient who only buys 自費 that day (no insured visit).
#[function_component(SelfPayOnly)]
fn self_pay_only(p: &DayProps) -> Html {
    let app = use_app();
    let book = &app.state.records.book;
    let items = book.settings.self_pay_items.clone();
    let patient = use_state(String::new);
    let item = use_state(String::new);
    if items.is_empty() || book.patients.is_empty() {
        return html! {};
    }
    let chosen_patient = if patient.is_empty() {
        book.patients[0].id.clone()
    } else {
        (*patient).clone()
    };
    let chosen_item = if item.is_empty() {
        items[0].name.clone()
    } else {
        (*item).clone()
    };
    let add = {
        let state = app.state.clone();
        let book = book.clone();
        let day = p.day;
        let pid = chosen_patient.clone();
        let it = items.iter().find(|i| i.name == chosen_item).cloned();
        Callback::from(move |_: MouseEvent| {
            let Some(it) = it.clone() else { return };
            let (mut lines, received) = book
                .takings(&pid, day)
                .map(|t| (t.self_pay.clone(), t.received_yen))
                .unwrap_or_default();
            match lines.iter_mut().find(|l| l.name == it.name) {
                Some(l) => l.count += 1,
                None => lines.push(SelfPayLine {
                    name: it.name.clone(),
                    unit_yen: it.price_yen,
                    count: 1,
                }),
            }
            state.dispatch(Action::from(records::Action::Edit(Edit::PutTakings {
                patient_id: pid.clone(),
                date: day,
                self_pay: lines,
                received_yen: received,
            })));
        })
    };
    html! {
        <fieldset id="self-pay-only">
            <legend>{ app.t("自費のみの来院", "Self-pay only") }</legend>
            <div class="grid">
                <SelectField id="self-pay-only-patient" label={ app.t("患者", "Patient") } value={chosen_patient}
                    options={book.patients.iter().map(|p| (p.id.clone(), p.name.clone())).collect::<Vec<_>>()}
                    onchange={ let s = patient.clone(); Callback::from(move |v| s.set(v)) } />
                <SelectField id="self-pay-only-item" label={ app.t("品目", "Item") } value={chosen_item}
                    options={items.iter().map(|i| (i.name.clone(), format!("{}（{}）", i.name, yen(u64::from(i.price_yen))))).collect::<Vec<_>>()}
                    onchange={ let s = item.clone(); Callback::from(move |v| s.set(v)) } />
            </div>
            <button type="button" class="secondary" id="self-pay-only-add" onclick={add}>{ app.t("追加", "Add") }</button>
        </fieldset>
    }
}

/// The 自費 price list (kept in 設定's record).
#[function_component(PriceList)]
fn price_list() -> Html {
    let app = use_app();
    let settings = app.state.records.book.settings.clone();
    let name = use_state(String::new);
    let price = use_state(String::new);
    let save = |next: Settings| {
        let state = app.state.clone();
        move || {
            state.dispatch(Action::from(records::Action::Edit(Edit::PutSettings(
                next.clone(),
            ))))
        }
    };
    let add = {
        let name = name.clone();
        let price = price.clone();
        let settings = settings.clone();
        let state = app.state.clone();
        Callback::from(move |_: MouseEvent| {
            let n = name.trim().to_string();
            let Ok(p) = ukemi_core::text::ascii_digits(price.trim()).parse::<u32>() else {
                return;
            };
            if n.is_empty() {
                return;
            }
            let mut next = settings.clone();
            next.self_pay_items.retain(|i| i.name != n);
            next.self_pay_items.push(SelfPayItem {
                name: n,
                price_yen: p,
            });
            state.dispatch(Action::from(records::Action::Edit(Edit::PutSettings(next))));
            name.set(String::new());
            price.set(String::new());
        })
    };
    html! {
        <section class="panel" aria-labelledby="price-list-heading">
            <h2 id="price-list-heading">{ app.t("自費の料金表", "Self-pay price list") }</h2>
            if settings.self_pay_items.is_empty() {
                <p>{ app.t("自費の品目はまだありません。", "No self-pay items yet.") }</p>
            } else {
                <ul id="price-list">
                    { for settings.self_pay_items.iter().enumerate().map(|(i, it)| {
                        let mut next = settings.clone();
                        next.self_pay_items.remove(i);
                        let remove = save(next);
                        html! {
                            <li lang="ja">{ format!("{}　{}", it.name, yen(u64::from(it.price_yen))) }
                                <button type="button" class="secondary" id={format!("price-remove-{i}")} onclick={Callback::from(move |_: MouseEvent| remove())}
                                    aria-label={ format!("{}（{}）", app.t("削除", "Remove"), it.name) }>{ app.t("削除", "Remove") }</button>
                            </li>
                        }
                    }) }
                </ul>
            }
            <div class="grid">
                <TextField id="price-name" label={ app.t("品目", "Item") } value={(*name).clone()} onchange={ let s = name.clone(); Callback::from(move |v| s.set(v)) } />
                <TextField id="price-yen" kind="number" label={ app.t("料金（円、税込）", "Price (yen, tax included)") } value={(*price).clone()} onchange={ let s = price.clone(); Callback::from(move |v| s.set(v)) } />
            </div>
            <button type="button" class="secondary" id="price-add" onclick={add}>{ app.t("料金表に追加", "Add to the price list") }</button>
        </section>
    }
}
