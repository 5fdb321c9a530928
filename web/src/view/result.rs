//! The eligibility result, as the clinic reads it: validity first, then who, where, which
//! insurance, what share they pay. Focus moves to it when it arrives.

use super::use_app;
use crate::i18n::Lang;
use crate::state::{check, records, Action, Screen};
use ukemi_core::eligibility::{
    EligibilityResult, Qualification, QualificationValidity, ReferenceKind, Standing,
};
use ukemi_core::Date;
use web_sys::HtmlElement;
use yew::prelude::*;

pub(crate) fn both(d: Date) -> String {
    format!("{}（{d}）", d.wareki())
}

/// One line of a qualification's list: its label, the id tests and tools read it by (the
/// first qualification's only), its value, and whether the value is Japanese whatever the
/// page's language (names, addresses, 和暦). The app's view and the widget's read the same.
pub(crate) struct Row {
    pub label: &'static str,
    pub id: Option<&'static str>,
    pub value: String,
    pub ja: bool,
}

pub(crate) fn qualification_rows(lang: Lang, q: &Qualification, first: bool) -> Vec<Row> {
    let id = |s: &'static str| first.then_some(s);
    let row = |label: &'static str, id: Option<&'static str>, value: String, ja: bool| Row {
        label,
        id,
        value,
        ja,
    };
    let none = lang.t("（登録なし）", "(none on file)");
    let ratio = q
        .effective_contribution_percent()
        .map(|p| lang.t(format!("{}割", p / 10), format!("{p}%")));
    let period = match (q.valid_from, q.valid_until.or(q.disqualification_date)) {
        (Some(a), Some(b)) => format!("{} 〜 {}", both(a), both(b)),
        (Some(a), None) => format!("{} 〜", both(a)),
        (None, Some(b)) => format!("〜 {}", both(b)),
        (None, None) => String::new(),
    };
    let mut rows = vec![
        row(
            lang.t("氏名", "Name"),
            id("result-name"),
            q.name.clone(),
            true,
        ),
        row(
            lang.t("カナ", "Kana"),
            id("result-kana"),
            q.name_kana.clone(),
            true,
        ),
        row(
            lang.t("生年月日", "Date of birth"),
            id("result-birthdate"),
            both(q.birthdate),
            true,
        ),
        row(
            lang.t("性別", "Sex"),
            None,
            lang.t(q.sex.label_ja(), q.sex.label_en()).to_string(),
            false,
        ),
        match &q.address {
            Some(a) => row(
                lang.t("住所", "Address"),
                id("result-address"),
                a.clone(),
                true,
            ),
            None => row(
                lang.t("住所", "Address"),
                id("result-address"),
                none.to_string(),
                false,
            ),
        },
        row(
            lang.t("郵便番号", "Postal code"),
            id("result-postal"),
            q.postal_code.clone().unwrap_or_else(|| none.to_string()),
            false,
        ),
        row(
            lang.t("保険者", "Insurer"),
            id("result-insurer"),
            format!("{}　{}", q.insurer_number, q.insurer_name),
            true,
        ),
        row(
            lang.t("記号・番号（枝番）", "Symbol, number (branch)"),
            id("result-symbol-number"),
            q.symbol_number_display(),
            false,
        ),
        row(
            lang.t("本人・家族", "Insured / dependent"),
            None,
            lang.t(q.personal_family.label_ja(), q.personal_family.label_en())
                .to_string(),
            false,
        ),
        row(
            lang.t("負担割合", "Co-payment"),
            id("result-ratio"),
            ratio.unwrap_or_default(),
            false,
        ),
        row(lang.t("有効期間", "Valid"), None, period, true),
    ];
    if let Some(loss) = q.disqualification_date {
        rows.push(row(
            lang.t("資格喪失日", "Lost on"),
            None,
            both(loss),
            false,
        ));
    }
    if let Some(r) = q.reason_of_loss {
        rows.push(row(
            lang.t("喪失事由", "Reason"),
            None,
            lang.t(r.label_ja(), r.label_en()).to_string(),
            false,
        ));
    }
    if let Some(e) = &q.elderly {
        rows.push(row(
            lang.t("高齢受給者証", "Elderly recipient"),
            None,
            e.contribution_percent
                .map(|p| format!("{}割", p / 10))
                .unwrap_or_default(),
            false,
        ));
    }
    rows
}

fn qualification(app: &super::AppCtx, q: &Qualification, first: bool) -> Html {
    html! {
        <dl class="result">
            { for qualification_rows(app.lang(), q, first).into_iter().map(|r| html! {
                <><dt>{ r.label }</dt><dd id={r.id} lang={r.ja.then_some("ja")}>{ r.value }</dd></>
            }) }
        </dl>
    }
}

/// The earlier qualification was lost but the newer one (the default choice) is in force.
pub(crate) fn in_force_newer(r: &EligibilityResult) -> bool {
    r.validity == QualificationValidity::InvalidNewerExists
        && r.default_choice()
            .is_some_and(|i| r.qualifications[i].covers(r.checked_on))
}

/// What the clinic should do with this result, if anything.
pub(crate) fn advice(lang: Lang, r: &EligibilityResult) -> &'static str {
    let by_numbers = r.reference == ReferenceKind::InsuranceNumbers;
    match r.validity {
        // Typed from the 資格確認書: sending staff back to it would help nobody.
        QualificationValidity::NoMatch if by_numbers => lang.t(
            "入力した番号と生年月日に該当する資格が見つかりません。数字の打ち間違いがないか確かめ、正しければ保険者に問い合わせてください。",
            "No qualification matches these numbers and date of birth. Check for a mistyped digit; if they are right, ask the insurer.",
        ),
        QualificationValidity::NoMatch => lang.t(
            "該当する資格が見つかりません。マイナ保険証の利用登録がない場合は、資格確認書や保険者への問い合わせで確認してください。",
            "No qualification found. If the card is not registered for health insurance, check the eligibility certificate or ask the insurer.",
        ),
        QualificationValidity::Invalid => lang.t("資格が無効です。喪失日と事由を確認し、新しい保険の情報を患者さんに確認してください。", "Not valid. Check the loss date and ask the patient about their new insurance."),
        QualificationValidity::InvalidNewerExists if in_force_newer(r) => lang.t(
            "以前の資格は喪失していますが、新しい資格が有効です。登録すると新しい資格（現在の資格）で登録されます。",
            "The earlier qualification was lost, but a newer one is in force: registering takes the newer (current) one.",
        ),
        QualificationValidity::InvalidNewerExists => lang.t("新しい資格があります。下の一覧で新しい保険を確認してください。", "A newer qualification exists: see the list below."),
        QualificationValidity::MultipleMatches => lang.t(
            "複数の資格が該当しました。患者さんにどの保険で受診するかを確かめ、登録する資格を選んでください。",
            "Several qualifications matched. Ask the patient which insurance applies and choose the one to register.",
        ),
        _ => "",
    }
}

/// A qualification's heading: its number when there are several, and how it stands.
pub(crate) fn qualification_heading(lang: Lang, r: &EligibilityResult, i: usize) -> String {
    let number = if r.qualifications.len() > 1 {
        format!("{}{}：", lang.t("資格", "Qualification "), i + 1)
    } else {
        String::new()
    };
    format!(
        "{number}{}",
        standing_label(lang, &r.qualifications[i], r.checked_on)
    )
}

/// The address the claim form needs is missing (in the qualification chosen, or the default).
pub(crate) const NO_ADDRESS: (&str, &str) = (
    "住所が登録されていません。療養費支給申請書には被保険者の住所の記入が必要です。",
    "No address on file. The claim form (療養費支給申請書) needs the insured person's address.",
);

/// How one qualification stands on the day of the check, as its heading says it.
pub(crate) fn standing_label(lang: Lang, q: &Qualification, day: Date) -> String {
    match (q.standing(day), lang) {
        (Standing::InForce, Lang::Ja) => "現在の資格（確認日に有効）".into(),
        (Standing::InForce, Lang::En) => "Current qualification (valid on the day)".into(),
        (Standing::Lost(d), Lang::Ja) => format!("喪失した資格（喪失日 {}）", d.wareki()),
        (Standing::Lost(d), Lang::En) => format!("Lost qualification (lost on {d})"),
        (Standing::Expired(d), Lang::Ja) => format!("期限切れの資格（{}まで）", d.wareki()),
        (Standing::Expired(d), Lang::En) => format!("Expired qualification (until {d})"),
        (Standing::NotYet(d), Lang::Ja) => format!("開始前の資格（{}から）", d.wareki()),
        (Standing::NotYet(d), Lang::En) => format!("Not yet in force (from {d})"),
    }
}

#[derive(Properties, PartialEq)]
pub struct ResultProps {
    /// The full app registers patients; the widget, which has no patients, only shows.
    #[prop_or(true)]
    pub register: bool,
}

#[function_component(ResultView)]
pub fn result_view(props: &ResultProps) -> Html {
    // Known at compile time in the widget's build, so registering's code is not linked there.
    let registers = props.register && cfg!(feature = "app");
    let app = use_app();
    let heading = use_node_ref();
    let seq = app.state.check.result_seq;
    let default = app
        .state
        .check
        .result
        .as_ref()
        .and_then(|r| r.default_choice());
    let choice = use_state(|| default);
    let address = use_state(String::new);
    let postal = use_state(String::new);
    let choice_error = use_state(|| false);
    {
        let heading = heading.clone();
        let (choice, address, postal, choice_error) = (
            choice.clone(),
            address.clone(),
            postal.clone(),
            choice_error.clone(),
        );
        use_effect_with(seq, move |seq| {
            // A new result: nothing chosen or typed for the last one carries over.
            choice.set(default);
            address.set(String::new());
            postal.set(String::new());
            choice_error.set(false);
            if *seq > 0 {
                if let Some(h) = heading.cast::<HtmlElement>() {
                    let _ = h.focus();
                }
            }
            || ()
        });
    }
    {
        // Once registered, the register button is gone: the focus goes to what comes next.
        let registered = app.state.check.registered_seq == Some(seq);
        use_effect_with(registered, move |r| {
            if *r {
                super::form::focus_later("to-patient-records");
            }
            || ()
        });
    }
    let Some(r) = app.state.check.result.as_ref() else {
        return html! {};
    };
    let lang = app.lang();
    let valid = r.validity.is_valid();
    let several = r.qualifications.len() > 1;
    let chosen = (*choice).and_then(|i| r.qualifications.get(i).map(|q| (i, q)));
    let in_force_newer = in_force_newer(r);
    let advice = advice(lang, r);
    let registered = app.state.check.registered_seq == Some(seq);
    let no_address =
        chosen.is_some_and(|(_, q)| q.address.as_deref().is_none_or(|a| a.trim().is_empty()));
    let register = {
        let state = app.state.clone();
        let choice = choice.clone();
        let address = address.clone();
        let postal = postal.clone();
        let choice_error = choice_error.clone();
        Callback::from(move |_| {
            // The widget never shows the button (`registers`): nothing of registering is
            // linked there.
            if !cfg!(feature = "app") {
                return;
            }
            if several && choice.is_none() {
                choice_error.set(true);
                super::form::focus_later("qualification-choice-1");
                return;
            }
            state.dispatch(Action::from(check::Action::Register {
                seq,
                qualification: *choice,
                address: (no_address && !address.trim().is_empty())
                    .then(|| ((*address).trim().to_string(), (*postal).trim().to_string())),
                at: crate::clock::now_iso(),
            }))
        })
    };
    let to_records = {
        let state = app.state.clone();
        let patient = app
            .state
            .check
            .registered_patient
            .as_ref()
            .map(|(id, _)| id.clone());
        Callback::from(move |_| {
            if !cfg!(feature = "app") {
                return;
            }
            state.dispatch(Action::from(records::Action::ChoosePatient(
                patient.clone(),
            )));
            super::go(&state, Screen::Records);
        })
    };
    let panel_class = if valid || in_force_newer { "ok" } else { "bad" };
    html! {
        <section id="result" class={classes!("panel", panel_class)} aria-labelledby="result-heading">
            <h2 id="result-heading" ref={heading} tabindex="-1">{ app.t("資格確認結果", "Eligibility result") }</h2>
            <p id="result-validity" class="validity">
                { app.t("資格有効性：", "Validity: ") }
                <strong>{ lang.t(r.validity.label_ja(), r.validity.label_en()) }</strong>
                { if valid { " ✓" } else { " ✗" } }
            </p>
            if !advice.is_empty() {
                <p id="result-advice" class="advice">{ advice }</p>
            }
            if let Some(n) = &r.notice {
                <p class="notice">{ n }</p>
            }
            <p>{ app.t("確認方法：", "Method: ") }{ lang.t(r.reference.label_ja(), r.reference.label_en()) }{ "　" }{ both(r.checked_on) }</p>
            { for r.qualifications.iter().enumerate().map(|(i, q)| html! {
                <section class="qualification" id={format!("qualification-{}", i + 1)} aria-labelledby={format!("qualification-{}-heading", i + 1)}>
                    <h3 id={format!("qualification-{}-heading", i + 1)}>{ qualification_heading(lang, r, i) }</h3>
                    { qualification(&app, q, i == 0) }
                </section>
            }) }
            if several && !registered && registers {
                <fieldset id="qualification-choice" aria-describedby="qualification-choice-error">
                    <legend>{ app.t("登録する資格", "Qualification to register") }</legend>
                    { for r.qualifications.iter().enumerate().map(|(i, q)| {
                        let checked = *choice == Some(i);
                        let choice = choice.clone();
                        let choice_error = choice_error.clone();
                        let on = Callback::from(move |_: Event| { choice.set(Some(i)); choice_error.set(false); });
                        html! {
                            <label class="choice" for={format!("qualification-choice-{}", i + 1)}>
                                <input type="radio" name="qualification-choice" id={format!("qualification-choice-{}", i + 1)}
                                    checked={checked} onchange={on} />
                                <span lang="ja">{ format!("{}{}：{}（{}）{}", app.t("資格", "Qualification "), i + 1, q.insurer_name, q.insurer_number, standing_label(lang, q, r.checked_on)) }</span>
                            </label>
                        }
                    }) }
                    <p id="qualification-choice-error" class="error" role="alert">{
                        if *choice_error { app.t("登録する資格を選んでください。", "Choose the qualification to register.") } else { "" }
                    }</p>
                </fieldset>
            }
            if no_address && !registered && !registers {
                <p id="address-missing" class="warn-box"><strong>{ lang.t(NO_ADDRESS.0, NO_ADDRESS.1) }{ app.t("患者さんに確認してください。", " Ask the patient.") }</strong></p>
            }
            if no_address && !registered && registers {
                <div id="address-missing" class="warn-box">
                    <p><strong>{ lang.t(NO_ADDRESS.0, NO_ADDRESS.1) }</strong>
                        { app.t("患者さんに確認して、ここに入力してから登録してください（あとから患者の画面でも入力できます）。", " Ask the patient and type it here before registering (it can also be typed later on the patient's screen).") }</p>
                    <div class="grid">
                        <super::form::TextField id="result-postal-input" label={ app.t("郵便番号", "Postal code") } value={(*postal).clone()}
                            autocomplete="off" onchange={ let p = postal.clone(); Callback::from(move |v| p.set(v)) } />
                        <super::form::TextField id="result-address-input" label={ app.t("住所", "Address") } value={(*address).clone()}
                            autocomplete="off" onchange={ let a = address.clone(); Callback::from(move |v| a.set(v)) } />
                    </div>
                    <super::postal_lookup::PostalLookup id="result" postal={Some(AttrValue::from((*postal).clone()))} address={(*address).clone()}
                        on_address={ let a = address.clone(); Callback::from(move |v| a.set(v)) }
                        on_postal={Some({ let p = postal.clone(); Callback::from(move |v| p.set(v)) })} />
                </div>
            }
            if registered {
                <Registered import=false />
                if let Some((_, name)) = &app.state.check.registered_patient {
                    <button id="to-patient-records" type="button" onclick={to_records}>
                        { lang.t(format!("{name}さんの施術録を開く"), format!("Open {name}'s treatment records")) }
                    </button>
                }
            } else if !r.qualifications.is_empty() && registers {
                <button id="register-patient" type="button" onclick={register}>{ app.t("患者として登録", "Register as patient") }</button>
                if let Some((ja_text, en_text)) = &app.state.records.edit_error {
                    <p id="register-error" class="error" role="alert">{ lang.t(ja_text.clone(), en_text.clone()) }</p>
                }
            }
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
    let lang = app.lang();
    let list = &app.state.check.registered;
    if list.is_empty() || app.state.check.registered_by_import != p.import {
        return html! {};
    }
    html! {
        <div id={ if p.import { "import-registration" } else { "registration" } } class="registration">
            { for list.iter().map(|r| html! {
                <>
                    <p><strong>{ crate::state::records::registration_line(app.lang(), r) }</strong></p>
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
                                        <th scope="row">{ lang.t(&c.label_ja, &c.label_en) }</th>
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
