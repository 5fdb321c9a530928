//! 受付 → アプリの結果を貼り付け: the official マイナ資格確認アプリ's result, copied as text,
//! is read by `core::eligibility::app_text` and becomes the shown result exactly as a card
//! check's answer does, so registering it is the same step. What could not be read is listed
//! beside it; nothing unread is guessed. Also the 同意 warnings of the patient just
//! registered (あはき cases about to lapse).

use super::use_app;
use crate::state::{check, Action};
use ukemi_core::claims::consent::Urgency;
use ukemi_core::eligibility::app_text::{self, AppText};
use wasm_bindgen::JsCast;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

#[function_component(PasteImport)]
pub fn paste_import() -> Html {
    let app = use_app();
    let lang = app.lang();
    let text = use_state(String::new);
    let read = use_state(|| None::<AppText>);
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(el) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok())
            {
                text.set(el.value());
            }
        })
    };
    let parse = {
        let text = text.clone();
        let read = read.clone();
        let state = app.state.clone();
        Callback::from(move |_: MouseEvent| {
            let t = app_text::parse(&text, crate::clock::today());
            if let Some(r) = t.result.clone() {
                state.dispatch(Action::from(check::Action::Result(r)));
            }
            read.set(Some(t));
        })
    };
    html! {
        <section class="panel" aria-labelledby="paste-heading">
            <h2 id="paste-heading">{ app.t("マイナ資格確認アプリの結果を貼り付け", "Paste the result of the official check app") }</h2>
            <p class="hint">{ app.t(
                "アプリの確認結果をすべて選んでコピーし、ここに貼り付けて「読み取る」を押します。読み取った内容は下の確認結果に表示され、カードで確認したときと同じように登録できます。",
                "Select and copy the whole result in the app, paste it here and press Read. It is shown as the check result below and registered the same way as a card check.") }</p>
            <label for="paste-text">{ app.t("貼り付ける内容", "Pasted text") }</label>
            <textarea id="paste-text" rows="8" value={(*text).clone()} {oninput} lang="ja" />
            <button type="button" id="paste-read" onclick={parse}>{ app.t("読み取る", "Read") }</button>
            if let Some(t) = &*read {
                <div id="paste-report" role="status">
                    if t.result.is_some() {
                        <p>{ lang.t(format!("{}項目を読み取りました。下の確認結果を確かめて登録してください。", t.read.len()), format!("Read {} fields. Check the result below and register it.", t.read.len())) }</p>
                    } else {
                        <p class="warn">{ app.t("登録に必要な項目が足りないため、確認結果にできませんでした。", "Some fields needed to register are missing.") }</p>
                    }
                    if !t.missing.is_empty() {
                        <p id="paste-missing" class="warn">{ app.t("見つからない項目：", "Missing: ") }
                            { t.missing.iter().map(|f| lang.t(f.label_ja(), f.label_en())).collect::<Vec<_>>().join("、") }</p>
                    }
                    if !t.errors.is_empty() {
                        <ul id="paste-errors" class="findings">
                            { for t.errors.iter().map(|(f, v, why)| html! {
                                <li class="finding-error"><span lang="ja">{ format!("{}「{}」：{}", f.label_ja(), v, why) }</span></li>
                            }) }
                        </ul>
                    }
                    if !t.unread.is_empty() {
                        <p>{ app.t("読み取れなかった行（登録には使っていません）：", "Lines not understood (not used):") }</p>
                        <ul id="paste-unread">
                            { for t.unread.iter().map(|l| html! { <li lang="ja">{ l }</li> }) }
                        </ul>
                    }
                </div>
            }
        </section>
    }
}

/// The 同意 warnings of the patient reception just registered: an あはき case whose 同意
/// lapses within the month, or has lapsed.
#[function_component(ReceptionConsent)]
pub fn reception_consent() -> Html {
    let app = use_app();
    let lang = app.lang();
    let book = &app.state.records.book;
    let today = crate::clock::today();
    let warnings: Vec<(String, String)> = app
        .state
        .check
        .registered
        .iter()
        .flat_map(|r| {
            book.cases_of(&r.patient_id)
                .filter_map(|c| super::ahaki::consent_line(&c.case, today, lang))
                .filter(|(u, _)| *u != Urgency::Fine)
                .map(|(_, t)| (r.name.clone(), t))
                .collect::<Vec<_>>()
        })
        .collect();
    if warnings.is_empty() {
        return html! {};
    }
    html! {
        <section id="reception-consent" class="warn-box" role="alert" aria-labelledby="reception-consent-heading">
            <h2 id="reception-consent-heading">{ app.t("同意の期限", "Doctor's consent") }</h2>
            <ul>
                { for warnings.iter().map(|(name, t)| html! { <li lang="ja">{ format!("{name}さん：{t}") }</li> }) }
            </ul>
            <p><a href="#patients">{ app.t("患者の画面で再同意を記録する", "Record the renewed consent on the Patients screen") }</a></p>
        </section>
    }
}
