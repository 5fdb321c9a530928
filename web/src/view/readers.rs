//! Card readers and the card in them, live from the companion's events; the chosen reader is
//! remembered. In simulator mode, the practice-card panel.

use super::use_app;
use crate::i18n::Lang;
use crate::state::{companion, Action, Area};
use crate::storage;
use ukemi_core::protocol::{CardInfo, CardKind, Command};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

pub fn card_label(lang: Lang, card: Option<&CardInfo>) -> String {
    match card {
        None => lang.t("カードなし", "No card").to_string(),
        Some(c) => {
            let kind = match (c.kind, lang) {
                (CardKind::MyNumber, Lang::Ja) => "マイナンバーカード",
                (CardKind::MyNumber, Lang::En) => "My Number card",
                (CardKind::Juki, Lang::Ja) => "住基カード（使えません）",
                (CardKind::Juki, Lang::En) => "Resident register card (not usable)",
                (CardKind::Smartphone, Lang::Ja) => "スマートフォンの電子証明書",
                (CardKind::Smartphone, Lang::En) => "Smartphone certificate",
                (CardKind::Other, Lang::Ja) => "マイナンバーカード以外のカード（または裏向き）",
                (CardKind::Other, Lang::En) => "Not a My Number card (or upside down)",
            };
            kind.to_string()
        }
    }
}

/// A reader's name as the clinic reads it: the practice reader by what it is, a real one by
/// the name the system gives it.
pub fn reader_name(lang: Lang, name: &str) -> String {
    if name == ukemi_core::engine::SIM_READER {
        lang.t("練習用カードリーダー".into(), "Practice card reader".into())
    } else {
        name.to_string()
    }
}

#[function_component(Readers)]
pub fn readers() -> Html {
    let app = use_app();
    let s = &app.state;
    {
        // Restore the reader chosen last time.
        let state = app.state.clone();
        use_effect_with((), move |_| {
            if let Some(r) = storage::get("ukemi.reader") {
                state.dispatch(Action::from(companion::Action::ChooseReader(r)));
            }
            || ()
        });
    }
    let choose = {
        let state = app.state.clone();
        Callback::from(move |e: Event| {
            let el: HtmlSelectElement = e.target_unchecked_into();
            storage::set("ukemi.reader", &el.value());
            state.dispatch(Action::from(companion::Action::ChooseReader(el.value())));
        })
    };
    let current = s.companion.reader().map(|r| r.name.clone());
    let status = status_text(app.lang(), &s.companion);
    html! {
        <section class="panel" aria-labelledby="reader-heading">
            <h2 id="reader-heading" tabindex="-1">{ app.t("カードリーダー", "Card reader") }</h2>
            if s.companion.readers.len() > 1 {
                <label for="reader-select">{ app.t("使うカードリーダー", "Reader to use") }</label>
                <select id="reader-select" onchange={choose}>
                    { for s.companion.readers.iter().map(|r| html! {
                        <option value={r.name.clone()} selected={Some(&r.name) == current.as_ref()}>{ reader_name(app.lang(), &r.name) }</option>
                    }) }
                </select>
            }
            <p id="reader-status" role="status" aria-live="polite">{ status }</p>
            if s.companion.simulator {
                <SimPanel />
            }
        </section>
    }
}

#[function_component(SimPanel)]
fn sim_panel() -> Html {
    let app = use_app();
    let select = use_node_ref();
    let insert = {
        let select = select.clone();
        let send = app.ctl.send.clone();
        Callback::from(move |_| {
            if let Some(el) = select.cast::<HtmlSelectElement>() {
                send.emit(Command::SimInsertCard {
                    persona: el.value(),
                });
            }
        })
    };
    let remove = {
        let send = app.ctl.send.clone();
        Callback::from(move |_| send.emit(Command::SimRemoveCard))
    };
    let failure = app
        .state
        .check
        .failure
        .as_ref()
        .filter(|f| f.area == Area::Simulator);
    html! {
        <div class="sim" role="group" aria-labelledby="sim-heading">
            <h3 id="sim-heading">{ app.t("練習用カード", "Practice cards") }</h3>
            <p>{ app.t("練習用カードの暗証番号は 1234 です。", "The PIN of every practice card is 1234.") }</p>
            <label for="sim-persona">{ app.t("カードの種類", "Card") }</label>
            <select id="sim-persona" ref={select}>
                { for app.state.companion.personas.iter().map(|p| html! { <option value={p.id.clone()} selected={p.id == "normal"}>{ &p.label }</option> }) }
            </select>
            <button id="sim-insert" type="button" onclick={insert}>{ app.t("カードを置く", "Insert card") }</button>
            <button id="sim-remove" type="button" onclick={remove}>{ app.t("カードを外す", "Remove card") }</button>
            if let Some(f) = failure {
                <p id="sim-error" role="alert" class="error">{ f.message(app.lang()) }</p>
            }
        </div>
    }
}

/// The chosen reader and its card in a sentence, or why there is none.
pub(crate) fn status_text(lang: Lang, c: &crate::state::companion::Companion) -> String {
    match c.reader() {
        // Listed after pairing: until the companion answers, nothing is known to be missing.
        None if !c.readers_listed => lang
            .t(
                "カードリーダーを確認しています…",
                "Looking for card readers…",
            )
            .to_string(),
        None => lang
            .t(
                "カードリーダーが見つかりません。USBケーブルをつなぎ直してください。",
                "No card reader found. Reconnect the USB cable.",
            )
            .to_string(),
        Some(r) => format!(
            "{}：{}",
            reader_name(lang, &r.name),
            card_label(lang, r.card.as_ref())
        ),
    }
}
