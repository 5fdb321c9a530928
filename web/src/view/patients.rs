//! 患者: the list with search (name, カナ, 生年月日, insurer), and one patient's details with
//! their insurance history and eligibility-check history. Corrections are saved as typed.

use super::form::{SelectField, TextField};
use super::{go, use_app};
use crate::state::{records, Action, Screen};
use ukemi_core::claims::{PatientSex, PublicFund};
use ukemi_core::records::{Edit, PatientRecord};
use yew::prelude::*;

#[function_component(Patients)]
pub fn patients() -> Html {
    let app = use_app();
    let s = &app.state;
    let query = use_state(String::new);
    let on_query = {
        let query = query.clone();
        Callback::from(move |v: String| query.set(v))
    };
    let list: Vec<&PatientRecord> = s
        .records
        .book
        .patients
        .iter()
        .filter(|p| p.matches(&query))
        .collect();
    let chosen = s
        .records
        .patient
        .as_ref()
        .and_then(|id| s.records.book.patient(id));
    html! {
        <>
            <h1 id="screen-heading" tabindex="-1">{ app.t("患者", "Patients") }</h1>
            <section class="panel" aria-labelledby="patients-heading">
                <h2 id="patients-heading">{ app.t("患者一覧", "Patient list") }</h2>
                <TextField id="patient-search" kind="search" label={ app.t("検索（氏名・カナ・生年月日・保険者番号）", "Search (name, kana, date of birth, insurer)") }
                    value={(*query).clone()} onchange={on_query} />
                <p id="patient-count" aria-live="polite">{
                    app.t(format!("{}人", list.len()), format!("{} patients", list.len()))
                }</p>
                <div class="table-wrap" role="region" tabindex="0" aria-label={ app.t("登録済みの患者", "Registered patients") }><table id="patients">
                    <caption>{ app.t("登録済みの患者", "Registered patients") }</caption>
                    <thead><tr>
                        <th scope="col">{ app.t("氏名", "Name") }</th>
                        <th scope="col">{ app.t("カナ", "Kana") }</th>
                        <th scope="col">{ app.t("生年月日", "Date of birth") }</th>
                        <th scope="col">{ app.t("住所", "Address") }</th>
                        <th scope="col">{ app.t("保険者番号", "Insurer") }</th>
                    </tr></thead>
                    <tbody>
                        { for list.iter().map(|p| {
                            let state = app.state.clone();
                            let id = p.id.clone();
                            let pick = Callback::from(move |_| state.dispatch(Action::from(records::Action::ChoosePatient(Some(id.clone())))));
                            html! {
                                <tr aria-selected={ (s.records.patient.as_deref() == Some(p.id.as_str())).to_string() }>
                                    <td lang="ja"><button type="button" class="link" onclick={pick} id={format!("patient-{}", p.id)}>{ &p.name }</button></td>
                                    <td lang="ja">{ ukemi_core::text::to_fullwidth_kana(&p.name_kana) }</td>
                                    <td lang="ja">{ p.birth_date.wareki() }</td>
                                    <td lang="ja">{ &p.address }</td>
                                    <td>{ p.insurance().map(|e| e.insurance.insurer_number.clone()).unwrap_or_default() }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table></div>
                if s.records.book.patients.is_empty() {
                    <p>{ app.t("まだ登録されていません。受付で資格確認をして「患者として登録」を押してください。", "None yet. Check eligibility at reception and press \u{201c}Register as patient\u{201d}.") }</p>
                }
            </section>
            <super::new_patient::NewPatientForm />
            if let Some(p) = chosen {
                <Detail patient={p.clone()} />
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct DetailProps {
    patient: PatientRecord,
}

#[function_component(Detail)]
fn detail(props: &DetailProps) -> Html {
    let app = use_app();
    let lang = app.lang();
    let p = &props.patient;
    let put = |f: fn(&mut PatientRecord, String)| {
        let state = app.state.clone();
        let p = p.clone();
        Callback::from(move |v: String| {
            let mut next = p.clone();
            f(&mut next, v);
            state.dispatch(Action::from(records::Action::Edit(Edit::PutPatient(next))));
        })
    };
    let sex = match p.sex {
        Some(PatientSex::Male) => "male",
        Some(PatientSex::Female) => "female",
        None => "",
    };
    let to_records = {
        let state = app.state.clone();
        Callback::from(move |_| go(&state, Screen::Records))
    };
    html! {
        <section id="patient-detail" class="panel" aria-labelledby="patient-detail-heading">
            <h2 id="patient-detail-heading" tabindex="-1">{ &p.name }{ app.t("さん", "") }</h2>
            <div class="grid">
                <TextField id="patient-name" label={ app.t("氏名", "Name") } value={p.name.clone()}
                    onchange={put(|p, v| p.name = v)} />
                <TextField id="patient-kana" label={ app.t("カナ", "Kana") } value={p.name_kana.clone()}
                    onchange={put(|p, v| p.name_kana = v)} />
                <SelectField id="patient-sex" label={ app.t("性別", "Sex") } value={sex}
                    options={vec![
                        (String::new(), app.t("未設定", "Not set").to_string()),
                        ("male".into(), app.t("男", "Male").to_string()),
                        ("female".into(), app.t("女", "Female").to_string()),
                    ]}
                    onchange={put(|p, v| p.sex = match v.as_str() {
                        "male" => Some(PatientSex::Male),
                        "female" => Some(PatientSex::Female),
                        _ => None,
                    })} />
            </div>
            <p>{ app.t("生年月日：", "Date of birth: ") }{ p.birth_date.wareki() }{ format!("（{}）", p.birth_date) }</p>
            <div class="grid">
                <TextField id="patient-postal" label={ app.t("郵便番号", "Postal code") } value={p.postal_code.clone()}
                    onchange={put(|p, v| p.postal_code = v)} />
                <TextField id="patient-address" label={ app.t("住所", "Address") } value={p.address.clone()}
                    onchange={put(|p, v| p.address = v)} />
            </div>
            <super::postal_lookup::PostalLookup id="patient" postal={Some(AttrValue::from(p.postal_code.clone()))} address={p.address.clone()}
                on_address={put(|p, v| p.address = v)} on_postal={Some(put(|p, v| p.postal_code = v))} />
            if let Some(ins) = p.insurance() {
                <fieldset id="current-insurance">
                    <legend>{ app.t("現在の保険（申請書に印字されます）", "Current insurance (printed on claims)") }</legend>
                    <div class="grid">
                        <TextField id="ins-holder-name" label={ app.t("被保険者氏名", "Insured person's name") } value={ins.insurance.holder_name.clone()}
                            onchange={put(|p, v| if let Some(e) = p.insurances.last_mut() { e.insurance.holder_name = v })} />
                        <SelectField id="ins-copay" label={ app.t("負担割合", "Co-payment") } value={ins.insurance.copay_percent.to_string()}
                            options={vec![("0".into(), "0割".into()), ("10".into(), "1割".into()), ("20".into(), "2割".into()), ("30".into(), "3割".into())]}
                            onchange={put(|p, v| if let (Some(e), Ok(n)) = (p.insurances.last_mut(), v.parse()) { e.insurance.copay_percent = n })} />
                    </div>
                    <TextField id="ins-holder-address" label={ app.t("被保険者の住所", "Insured person's address") } value={ins.insurance.holder_address.clone()}
                        onchange={put(|p, v| if let Some(e) = p.insurances.last_mut() { e.insurance.holder_address = v })} />
                    <super::postal_lookup::PostalLookup id="holder" address={ins.insurance.holder_address.clone()}
                        on_address={put(|p, v| if let Some(e) = p.insurances.last_mut() { e.insurance.holder_address = v })} />
                </fieldset>
            }
            <PublicFunds patient={p.clone()} />
            <super::ahaki::AhakiCases patient={p.clone()} />
            <button type="button" id="to-records" onclick={to_records}>{ app.t("施術録を開く", "Open treatment records") }</button>

            <h3>{ app.t("保険の履歴", "Insurance history") }</h3>
            <div class="table-wrap" role="region" tabindex="0" aria-label={ app.t("保険の履歴", "Insurance history") }><table id="insurance-history">
                <caption class="sr-only">{ app.t("保険の履歴（新しい順）", "Insurance history (newest first)") }</caption>
                <thead><tr>
                    <th scope="col">{ app.t("確認日から", "From") }</th>
                    <th scope="col">{ app.t("保険者", "Insurer") }</th>
                    <th scope="col">{ app.t("記号・番号（枝番）", "Symbol, number (branch)") }</th>
                    <th scope="col">{ app.t("本人・家族", "Insured/dependent") }</th>
                    <th scope="col">{ app.t("負担割合", "Co-pay") }</th>
                    <th scope="col">{ app.t("被保険者の住所", "Insured's address") }</th>
                </tr></thead>
                <tbody>
                    { for p.insurances.iter().rev().map(|e| {
                        let i = &e.insurance;
                        html! { <tr>
                            <td lang="ja">{ e.since.wareki() }</td>
                            <td lang="ja">{ format!("{} {}", i.insurer_number, e.insurer_name) }</td>
                            <td>{ format!("{}{}{}", if i.symbol.is_empty() { String::new() } else { format!("{}・", i.symbol) }, i.number, i.branch.as_ref().map(|b| format!("（{b}）")).unwrap_or_default()) }</td>
                            <td>{ lang.t(i.person.label_ja(), i.person.label_en()) }</td>
                            <td>{ format!("{}割", i.copay_percent / 10) }</td>
                            <td lang="ja">{ &i.holder_address }</td>
                        </tr> }
                    }) }
                </tbody>
            </table></div>

            <h3>{ app.t("資格確認の履歴", "Eligibility checks") }</h3>
            // An empty table would be read out as headers with nothing under them.
            if !p.checks.is_empty() {
                <div class="table-wrap" role="region" tabindex="0" aria-label={ app.t("資格確認の履歴", "Eligibility checks") }><table id="check-history">
                    <caption class="sr-only">{ app.t("資格確認の履歴（新しい順）", "Eligibility checks (newest first)") }</caption>
                    <thead><tr>
                        <th scope="col">{ app.t("確認日", "Date") }</th>
                        <th scope="col">{ app.t("方法", "Method") }</th>
                        <th scope="col">{ app.t("結果", "Result") }</th>
                        <th scope="col">{ app.t("保険者番号", "Insurer") }</th>
                    </tr></thead>
                    <tbody>
                        { for newest_first(&p.checks).into_iter().map(|c| html! { <tr>
                            <td lang="ja">{ c.checked_on.wareki() }</td>
                            <td>{ lang.t(c.reference.label_ja(), c.reference.label_en()) }</td>
                            <td>{ lang.t(c.validity.label_ja(), c.validity.label_en()) }{ if c.validity.is_valid() { " ✓" } else { " ✗" } }</td>
                            <td>{ &c.insurer_number }</td>
                        </tr> }) }
                    </tbody>
                </table></div>
            } else {
                <p id="no-checks" class="warn">{ app.t(
                    "オンライン資格確認の記録がありません（手入力で登録）。来院のときに資格確認をすると、ここに記録されます。",
                    "No online eligibility check on record (registered by hand). A check at the next visit is recorded here."
                ) }</p>
            }
            <super::merge::Merge key={p.id.clone()} patient={p.clone()} />
            <super::delete_patient::DeletePatient key={format!("delete-{}", p.id)} patient={p.clone()} />
        </section>
    }
}

/// The check history as its caption says: newest first (records stored before the book
/// kept them in order included).
fn newest_first(
    checks: &[ukemi_core::records::CheckEntry],
) -> Vec<&ukemi_core::records::CheckEntry> {
    let mut v: Vec<_> = checks.iter().collect();
    v.sort_by(|a, b| (b.checked_on, &b.at).cmp(&(a.checked_on, &a.at)));
    v
}

/// 公費: payer and recipient numbers, the patient's share and monthly cap.
#[function_component(PublicFunds)]
fn public_funds(props: &DetailProps) -> Html {
    let app = use_app();
    let p = &props.patient;
    let edit = |i: usize, f: fn(&mut PublicFund, String)| {
        let state = app.state.clone();
        let p = p.clone();
        Callback::from(move |v: String| {
            let mut next = p.clone();
            if let Some(fund) = next.public_funds.get_mut(i) {
                f(fund, v);
            }
            state.dispatch(Action::from(records::Action::Edit(Edit::PutPatient(next))));
        })
    };
    let add = {
        let state = app.state.clone();
        let p = p.clone();
        Callback::from(move |_| {
            let mut next = p.clone();
            next.public_funds.push(PublicFund {
                payer_number: String::new(),
                recipient_number: String::new(),
                copay_percent: 10,
                monthly_cap_yen: None,
                per_day_cap_yen: None,
                paid_days_per_month: None,
                program: None,
            });
            state.dispatch(Action::from(records::Action::Edit(Edit::PutPatient(next))));
        })
    };
    html! {
        <fieldset id="public-funds">
            <legend>{ app.t("公費", "Public funding") }</legend>
            { for p.public_funds.iter().enumerate().map(|(i, f)| {
                let n = i + 1;
                let remove = {
                    let state = app.state.clone();
                    let p = p.clone();
                    Callback::from(move |_| {
                        let mut next = p.clone();
                        if i < next.public_funds.len() {
                            next.public_funds.remove(i);
                        }
                        state.dispatch(Action::from(records::Action::Edit(Edit::PutPatient(next))));
                    })
                };
                html! {
                    <div class="grid">
                        <TextField id={format!("fund-{n}-payer")} label={ format!("{}{n}", app.t("公費負担者番号", "Payer number ")) } value={f.payer_number.clone()}
                            onchange={edit(i, |f, v| f.payer_number = v)} />
                        <TextField id={format!("fund-{n}-recipient")} label={ format!("{}{n}", app.t("受給者番号（医療証）", "Recipient number ")) } value={f.recipient_number.clone()}
                            onchange={edit(i, |f, v| f.recipient_number = v)} />
                        <SelectField id={format!("fund-{n}-copay")} label={ app.t("患者負担", "Patient's share") } value={f.copay_percent.to_string()}
                            options={vec![("0".into(), "なし".into()), ("10".into(), "1割".into()), ("20".into(), "2割".into()), ("30".into(), "3割".into())]}
                            onchange={edit(i, |f, v| f.copay_percent = v.parse().unwrap_or(f.copay_percent))} />
                        <TextField id={format!("fund-{n}-cap")} kind="number" label={ app.t("月額上限（円）", "Monthly cap (yen)") }
                            value={f.monthly_cap_yen.map(|c| c.to_string()).unwrap_or_default()}
                            onchange={edit(i, |f, v| f.monthly_cap_yen = v.trim().parse().ok())} />
                        <TextField id={format!("fund-{n}-day-cap")} kind="number" label={ app.t("1日の上限（円）", "Cap per day (yen)") }
                            value={f.per_day_cap_yen.map(|c| c.to_string()).unwrap_or_default()}
                            onchange={edit(i, |f, v| f.per_day_cap_yen = v.trim().parse().ok())} />
                        <TextField id={format!("fund-{n}-paid-days")} kind="number" label={ app.t("負担する日数（月）", "Paid days a month") }
                            value={f.paid_days_per_month.map(|c| c.to_string()).unwrap_or_default()}
                            onchange={edit(i, |f, v| f.paid_days_per_month = v.trim().parse().ok())} />
                        <SelectField id={format!("fund-{n}-program")} label={ app.t("医療費助成の制度（選ぶと負担を入れます）", "Local aid program (fills the share)") }
                            value={f.program.clone().unwrap_or_default()}
                            options={std::iter::once((String::new(), app.t("手入力", "Typed").to_string()))
                                .chain(ukemi_core::claims::public::local_aid().iter().map(|a| (a.id.clone(), format!("{}：{}{}", a.prefecture, a.name, if a.verified { "" } else { "（要確認）" }))))
                                .collect::<Vec<_>>()}
                            onchange={edit(i, |f, v| {
                                match ukemi_core::claims::public::local_aid_by_id(&v) {
                                    Some(a) => *f = a.fund(&f.payer_number, &f.recipient_number),
                                    None => f.program = None,
                                }
                            })} />
                        <button type="button" class="secondary" id={format!("fund-{n}-remove")} onclick={remove}
                            aria-label={ format!("{}{n}", app.t("公費を削除 ", "Remove public funding ")) }>{ app.t("削除", "Remove") }</button>
                    </div>
                }
            }) }
            <button type="button" class="secondary" id="add-public-fund" onclick={add}>{ app.t("公費を追加", "Add public funding") }</button>
        </fieldset>
    }
}
