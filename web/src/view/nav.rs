//! The screens' navigation (plain links to `#hash`, so the keyboard, the back button and a
//! screen reader's list of links all work) and the banner that says when data is not kept.

use super::use_app;
use crate::state::{BookStatus, Screen};
use yew::prelude::*;

#[function_component(Nav)]
pub fn nav() -> Html {
    let app = use_app();
    let current = app.state.screen;
    html! {
        <nav class="screens" aria-label={ app.t("画面", "Screens") }>
            <ul>
                { for Screen::ALL.into_iter().map(|s| {
                    let (ja, en) = s.label();
                    html! {
                        <li>
                            <a id={format!("nav-{}", s.hash())} href={format!("#{}", s.hash())}
                               aria-current={ (s == current).then_some("page") }>
                                { app.t(ja, en) }
                            </a>
                        </li>
                    }
                }) }
            </ul>
        </nav>
    }
}

/// At the end of a long section: back to the screens' links in one press (the links are
/// also the page's navigation landmark, for a screen reader's landmark keys).
#[derive(Properties, PartialEq)]
pub struct BackProps {
    pub id: AttrValue,
}

#[function_component(BackToScreens)]
pub fn back_to_screens(p: &BackProps) -> Html {
    let app = use_app();
    let current = app.state.screen;
    let onclick = Callback::from(move |_| focus_nav(current));
    html! {
        <button type="button" id={p.id.clone()} class="link to-screens" {onclick}>{ app.t("画面の切り替えへ戻る", "Back to the screens") }</button>
    }
}

/// Focuses the current screen's link in the navigation.
pub fn focus_nav(current: Screen) {
    use wasm_bindgen::JsCast;
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&format!("nav-{}", current.hash())))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// A clinic that has not filled in 設定 is led there first: every 申請書 prints the 施術所,
/// so until it is typed every claim has an error. Shown on every screen but 設定 itself.
#[function_component(SetupBanner)]
pub fn setup_banner() -> Html {
    let app = use_app();
    let s = &app.state;
    let missing = ukemi_core::claims::checks::clinic_missing(&s.records.book.settings.clinic);
    let loaded = matches!(
        s.records.book_status,
        BookStatus::Stored | BookStatus::InMemory
    );
    if missing.is_empty() || !loaded || s.screen == Screen::Settings {
        return html! {};
    }
    let lang = app.lang();
    html! {
        <div id="setup-banner" class="warn-box" role="note">
            <p>
                <strong>{ app.t("はじめに設定で施術所の情報を入力してください。", "First, enter the clinic's details in Settings.") }</strong>
                { lang.t(format!("申請書の施術証明欄に印字されます（未入力：{}）。", missing.iter().map(|(_, j, _)| *j).collect::<Vec<_>>().join("・")), format!(" Every claim form prints them (missing: {}).", missing.iter().map(|(.., e)| *e).collect::<Vec<_>>().join(", "))) }
            </p>
            <p><a id="setup-link" href="#settings">{ app.t("設定を開く", "Open Settings") }</a></p>
        </div>
    }
}

/// Whether what is typed is kept: a failure to save is an alert, never silent.
#[function_component(StorageBanner)]
pub fn storage_banner() -> Html {
    let app = use_app();
    let s = &app.state;
    let lang = app.lang();
    html! {
        <>
            if let BookStatus::Unreadable { ja: j, en: e } = &s.records.book_status {
                <div id="storage-error" class="alert" role="alert">
                    <p>{ lang.t(j.clone(), e.clone()) }</p>
                    <p><a href="#settings">{ app.t("設定の「バックアップから復元」へ", "Go to Settings → restore a backup") }</a></p>
                </div>
            }
            if let Some(err) = &s.records.save_error {
                <div id="save-error" class="alert" role="alert"><p>{ lang.t(&err.0, &err.1) }</p></div>
            }
        </>
    }
}
