//! The eligibility result, as the clinic reads it: validity first, then who, where, which
//! insurance, what share they pay. Focus moves to it when it arrives.

use super::use_app;
use crate::i18n::Lang;
use crate::state::Action;
use ukemi_core::eligibility::{Qualification, QualificationValidity};
use ukemi_core::Date;
use web_sys::HtmlElement;
use yew::prelude::*;

fn both(d: Date) -> String {
    format!("{}（{d}）", d.wareki())
}

fn row(label: &'static str, id: Option<&'static str>, value: String) -> Html {
    html! { <><dt>{ label }</dt><dd id={id}>{ value }</dd></> }
}

/// A row whose value is Japanese whatever the page's language (names, addresses, 和暦).
fn ja_row(label: &'static str, id: Option<&'static str>, value: String) -> Html {
    html! { <><dt>{ label }</dt><dd id={id} lang="ja">{ value }</dd></> }
}

fn qualification(app: &super::AppCtx, q: &Qualification, first: bool) -> Html {
    let ja = app.lang() == Lang::Ja;
    let id = |s: &'static str| first.then_some(s);
    let none = app.t("（登録なし）", "(none on file)");
    let ratio = q.effective_contribution_percent().map(|p| {
        if ja {
            format!("{}割", p / 10)
        } else {
            format!("{p}%")
        }
    });
    let period = match (q.valid_from, q.valid_until.or(q.disqualification_date)) {
        (Some(a), Some(b)) => format!("{} 〜 {}", both(a), both(b)),
        (Some(a), None) => format!("{} 〜", both(a)),
        (None, Some(b)) => format!("〜 {}", both(b)),
        (None, None) => String::new(),
    };
    html! {
        <dl class="result">
            { ja_row(app.t("氏名", "Name"), id("result-name"), q.name.clone()) }
            { ja_row(app.t("カナ", "Kana"), id("result-kana"), q.name_kana.clone()) }
            { ja_row(app.t("生年月日", "Date of birth"), id("result-birthdate"), both(q.birthdate)) }
            { row(app.t("性別", "Sex"), None, if ja { q.sex.label_ja() } else { q.sex.label_en() }.to_string()) }
            { match &q.address {
                Some(a) => ja_row(app.t("住所", "Address"), id("result-address"), a.clone()),
                None => row(app.t("住所", "Address"), id("result-address"), none.to_string()),
            } }
            { row(app.t("郵便番号", "Postal code"), id("result-postal"), q.postal_code.clone().unwrap_or_else(|| none.to_string())) }
            { ja_row(app.t("保険者", "Insurer"), id("result-insurer"), format!("{}　{}", q.insurer_number, q.insurer_name)) }
            { row(app.t("記号・番号（枝番）", "Symbol, number (branch)"), id("result-symbol-number"), q.symbol_number_display()) }
            { row(app.t("本人・家族", "Insured / dependent"), None, if ja { q.personal_family.label_ja() } else { q.personal_family.label_en() }.to_string()) }
            { row(app.t("負担割合", "Co-payment"), id("result-ratio"), ratio.unwrap_or_default()) }
            { ja_row(app.t("有効期間", "Valid"), None, period) }
            if let Some(loss) = q.disqualification_date {
                { row(app.t("資格喪失日", "Lost on"), None, both(loss)) }
            }
            if let Some(r) = q.reason_of_loss {
                { row(app.t("喪失事由", "Reason"), None, if app.lang() == Lang::Ja { r.label_ja() } else { r.label_en() }.to_string()) }
            }
            if let Some(e) = &q.elderly {
                { row(app.t("高齢受給者証", "Elderly recipient"), None,
                    e.contribution_percent.map(|p| format!("{}割", p / 10)).unwrap_or_default()) }
            }
        </dl>
    }
}

#[function_component(ResultView)]
pub fn result_view() -> Html {
    let app = use_app();
    let heading = use_node_ref();
    {
        let heading = heading.clone();
        use_effect_with(app.state.result_seq, move |seq| {
            if *seq > 0 {
                if let Some(h) = heading.cast::<HtmlElement>() {
                    let _ = h.focus();
                }
            }
            || ()
        });
    }
    let Some(r) = app.state.result.as_ref() else {
        return html! {};
    };
    let ja = app.lang() == Lang::Ja;
    let valid = r.validity.is_valid();
    let advice = match r.validity {
        QualificationValidity::NoMatch => app.t(
            "該当する資格が見つかりません。マイナ保険証の利用登録がない場合は、資格確認書や保険者への問い合わせで確認してください。",
            "No qualification found. If the card is not registered for health insurance, check the eligibility certificate or ask the insurer.",
        ),
        QualificationValidity::Invalid => app.t("資格が無効です。喪失日と事由を確認し、新しい保険の情報を患者さんに確認してください。", "Not valid. Check the loss date and ask the patient about their new insurance."),
        QualificationValidity::InvalidNewerExists => app.t("新しい資格があります。下の一覧で新しい保険を確認してください。", "A newer qualification exists: see the list below."),
        QualificationValidity::MultipleMatches => app.t("複数の資格が該当しました。患者さんに確認してください。", "Several qualifications matched. Ask the patient."),
        _ => "",
    };
    let register = {
        let state = app.state.clone();
        Callback::from(move |_| {
            state.dispatch(Action::Register {
                at: crate::clock::now_iso(),
            })
        })
    };
    html! {
        <section id="result" class={classes!("panel", if valid { "ok" } else { "bad" })} aria-labelledby="result-heading">
            <h2 id="result-heading" ref={heading} tabindex="-1">{ app.t("資格確認結果", "Eligibility result") }</h2>
            <p id="result-validity" class="validity">
                { app.t("資格有効性：", "Validity: ") }
                <strong>{ if ja { r.validity.label_ja() } else { r.validity.label_en() } }</strong>
                { if valid { " ✓" } else { " ✗" } }
            </p>
            if !advice.is_empty() {
                <p class="advice">{ advice }</p>
            }
            if let Some(n) = &r.notice {
                <p class="notice">{ n }</p>
            }
            <p>{ app.t("確認方法：", "Method: ") }{ if ja { r.reference.label_ja() } else { r.reference.label_en() } }{ "　" }{ both(r.checked_on) }</p>
            { for r.qualifications.iter().enumerate().map(|(i, q)| qualification(&app, q, i == 0)) }
            if r.primary().is_some() {
                <button id="register-patient" type="button" onclick={register}>{ app.t("患者として登録", "Register as patient") }</button>
            }
            <Registered import=false />
        </section>
    }
}

/// What the last registration did: a new patient, or the fields that changed (a moved
/// address, a new insurer) side by side.
#[derive(Properties, PartialEq)]
pub struct RegisteredProps {
    /// Which registrations this place shows: those of an import, or of the shown result.
    pub import: bool,
}

#[function_component(Registered)]
pub fn registered(p: &RegisteredProps) -> Html {
    let app = use_app();
    let ja = app.lang() == Lang::Ja;
    let list = &app.state.registered;
    if list.is_empty() || app.state.registered_by_import != p.import {
        return html! {};
    }
    html! {
        <div id={ if p.import { "import-registration" } else { "registration" } } class="registration">
            { for list.iter().map(|r| html! {
                <>
                    <p><strong>{
                        match (r.created, ja) {
                            (true, true) => format!("{}さんを新しい患者として登録しました。", r.name),
                            (true, false) => format!("Registered {} as a new patient.", r.name),
                            (false, true) if r.changes.is_empty() => format!("{}さんは登録済みです（変更なし）。確認の履歴に追加しました。", r.name),
                            (false, false) if r.changes.is_empty() => format!("{} is already registered (no changes); the check was added to the history.", r.name),
                            (false, true) => format!("{}さんの登録内容を更新しました。変更点：", r.name),
                            (false, false) => format!("Updated {}. Changes:", r.name),
                        }
                    }</strong></p>
                    if !r.changes.is_empty() {
                        <table class="changes">
                            <caption class="sr-only">{ app.t("変更点", "Changes") }</caption>
                            <thead><tr>
                                <th scope="col">{ app.t("項目", "Field") }</th>
                                <th scope="col">{ app.t("これまで", "Before") }</th>
                                <th scope="col">{ app.t("今回の確認", "Now") }</th>
                            </tr></thead>
                            <tbody>
                                { for r.changes.iter().map(|c| html! {
                                    <tr id={format!("change-{}", c.field)}>
                                        <th scope="row">{ if ja { &c.label_ja } else { &c.label_en } }</th>
                                        <td>{ &c.before }</td>
                                        <td><strong>{ &c.after }</strong></td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    }
                </>
            }) }
        </div>
    }
}
