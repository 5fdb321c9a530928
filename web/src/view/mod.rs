//! The page: a header with the language switch, the screens' navigation, then one screen
//! (受付, 患者, 施術録, 月次請求, 設定, 導入状況) chosen by the address's `#hash`. Each part is a
//! small component reading one shared context.

mod ahaki;
mod calendar;
mod case_editor;
pub(crate) mod check;
mod claims;
pub(crate) mod connection;
mod day_entry;
mod delete_patient;
mod desk;
pub(crate) mod diagnostics;
mod documents;
mod durable;
pub(crate) mod form;
pub(crate) mod insurance;
mod merge;
mod month_ledger;
mod nav;
mod new_patient;
mod paste;
mod patients;
mod postal_lookup;
pub(crate) mod print;
pub(crate) mod readers;
mod records;
pub(crate) mod result;
mod sample_clinic;
mod settings;
pub(crate) mod status;

use crate::driver::{Ctl, Driver};
use crate::i18n::Lang;
use crate::state::{Action, Screen, State};
use crate::storage;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// What every component may use: the state and the way to talk to the companion.
#[derive(Clone, PartialEq)]
pub struct AppCtx {
    pub state: UseReducerHandle<State>,
    pub ctl: Ctl,
}

impl AppCtx {
    pub fn lang(&self) -> Lang {
        self.state.lang
    }
    /// The text in the page's language (`Lang::t`): the one idiom for every text shown.
    pub fn t<T>(&self, ja: T, en: T) -> T {
        self.state.lang.t(ja, en)
    }
}

/// Goes to `screen` as its link would (the address's `#hash` follows, so Back returns).
pub(crate) fn go(state: &UseReducerHandle<State>, screen: Screen) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(screen.hash());
    }
    state.dispatch(Action::Navigate(screen));
}

#[hook]
pub fn use_app() -> AppCtx {
    // Every component is rendered inside the provider below.
    use_context::<AppCtx>().unwrap_or_else(|| unreachable!("rendered outside App"))
}

fn set_html_lang(lang: Lang) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = el.set_attribute("lang", lang.code());
    }
}

/// The state, and a driver talking to the companion at `candidates`: what the app and
/// the widget both run on.
#[hook]
pub fn use_companion(initial: State, candidates: Vec<String>) -> AppCtx {
    let state = use_reducer(move || initial);
    let driver: Rc<RefCell<Option<Driver>>> = use_mut_ref(|| None);
    {
        let dispatcher = state.dispatcher();
        let driver = Rc::clone(&driver);
        use_effect_with((), move |_| {
            let d = Driver::start(Callback::from(move |a| dispatcher.dispatch(a)), candidates);
            *driver.borrow_mut() = Some(d);
            || ()
        });
    }
    let ctl = {
        let driver = Rc::clone(&driver);
        let driver2 = Rc::clone(&driver);
        // Stable callbacks: the driver is created once, after the first render.
        use_memo((), move |_| Ctl {
            send: Callback::from(move |c| {
                if let Some(d) = driver.borrow().as_ref() {
                    d.ctl().send.emit(c);
                }
            }),
            reconnect: Callback::from(move |_| {
                if let Some(d) = driver2.borrow().as_ref() {
                    d.ctl().reconnect.emit(());
                }
            }),
        })
    };
    AppCtx {
        state,
        ctl: (*ctl).clone(),
    }
}

/// Follows the address's `#hash`: the back button and bookmarks move between screens.
#[hook]
fn use_hash_route(state: &UseReducerHandle<State>) {
    let dispatcher = state.dispatcher();
    use_effect_with((), move |_| {
        let current = || {
            web_sys::window()
                .and_then(|w| w.location().hash().ok())
                .unwrap_or_default()
        };
        dispatcher.dispatch(Action::Navigate(Screen::from_hash(&current())));
        let on_change = Closure::<dyn Fn()>::new(move || {
            dispatcher.dispatch(Action::Navigate(Screen::from_hash(&current())));
        });
        if let Some(w) = web_sys::window() {
            let _ = w
                .add_event_listener_with_callback("hashchange", on_change.as_ref().unchecked_ref());
        }
        // The app lives as long as the page: the listener does too.
        on_change.forget();
        || ()
    });
}

/// Fields save as typed (`form.rs`); leaving or reloading the page also ends the edit the
/// way leaving the field would: the focused field is blurred, so its trimmed value is saved.
#[hook]
fn use_save_on_leave() {
    use_effect_with((), move |_| {
        let flush = Closure::<dyn Fn()>::new(move || {
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.blur();
            }
        });
        if let Some(w) = web_sys::window() {
            for event in ["pagehide", "beforeunload"] {
                let _ = w.add_event_listener_with_callback(event, flush.as_ref().unchecked_ref());
            }
        }
        flush.forget();
        || ()
    });
}

/// Moves focus to the new screen's heading, so a screen reader says where it landed.
#[hook]
fn use_focus_on_screen_change(screen: Screen) {
    let first = use_mut_ref(|| true);
    use_effect_with(screen, move |_| {
        if std::mem::replace(&mut *first.borrow_mut(), false) {
            return;
        }
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("screen-heading"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}

#[function_component(App)]
pub fn app() -> Html {
    let initial_lang = match storage::get("ukemi.lang").as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Ja,
    };
    let initial = State {
        lang: initial_lang,
        demo: crate::demo::requested(),
        ..State::default()
    };
    let ctx = use_companion(initial, crate::link::candidates());
    let state = ctx.state.clone();
    crate::book::use_book(&state, ctx.ctl.send.clone());
    diagnostics::use_diagnostics(&state);
    use_hash_route(&state);
    use_save_on_leave();
    use_focus_on_screen_change(state.screen);
    {
        let lang = state.lang;
        use_effect_with(lang, move |l| {
            set_html_lang(*l);
            storage::set("ukemi.lang", l.code());
            || ()
        });
    }
    let toggle_lang = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::SetLang(state.lang.other())))
    };
    {
        // The tab's title names the screen: the first thing a screen reader says of a tab,
        // and what the taskbar and history show.
        let (screen, lang) = (state.screen, state.lang);
        use_effect_with((screen, lang), move |(screen, lang)| {
            let (ja, en) = screen.label();
            if let Some(d) = web_sys::window().and_then(|w| w.document()) {
                d.set_title(&format!("{} — Ukemi", lang.t(ja, en)));
            }
            || ()
        });
    }
    // The skip link moves the focus without touching the address's #hash (which names
    // the screen).
    let skip = Callback::from(|e: MouseEvent| {
        e.prevent_default();
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("main"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
    let t = |ja, en| state.lang.t(ja, en);
    let ready = state.companion.ready();
    let screen = state.screen;
    html! {
        <ContextProvider<AppCtx> context={ctx}>
            <a class="skip" href="#main" onclick={skip}>{ t("本文へ移動", "Skip to main content") }</a>
            <header class="top">
                <p class="app-name">{ "Ukemi" }</p>
                if state.demo {
                    <p class="badge-demo" role="note">{ t("デモ（練習用）", "Demo (practice)") }</p>
                } else if state.companion.simulator {
                    <p class="badge-demo" role="note">{ t("練習用（シミュレーター）", "Practice mode (simulator)") }</p>
                }
                <button id="lang-switch" type="button" onclick={toggle_lang} lang={state.lang.other().code()}>
                    { state.lang.t("English", "日本語") }
                </button>
            </header>
            <nav::Nav />
            if state.demo {
                <p id="demo-banner" class="demo-banner" role="note">{ t(
                    "これはデモです。コンパニオンもカードリーダーも使わず、ブラウザの中だけで練習用のカードと資格確認サービスを動かしています。実在の患者の情報は使わず、入力した内容はどこにも保存されません。",
                    "This is a demo. Practice cards and a simulated eligibility service run inside the browser, with no companion and no card reader. No real patient data is used and nothing is stored.") }</p>
            }
            <nav::StorageBanner />
            if !state.demo {
                <durable::DurableBanner />
            }
            <div id="announcer" class="sr-only" aria-live="polite" aria-atomic="true">{ state.announcement.clone() }</div>
            <main id="main" tabindex="-1">
                <nav::SetupBanner />
                { match screen {
                    Screen::Reception => html! {
                        <>
                            <h1 id="screen-heading" tabindex="-1">{ t("受付・資格確認", "Reception: eligibility check") }</h1>
                            <connection::Connection />
                            if ready {
                                <readers::Readers />
                                <check::Check />
                                <insurance::Insurance manual=true />
                                <result::ResultView />
                                <paste::ReceptionConsent />
                                if state.demo {
                                    <sample_clinic::SampleClinic />
                                }
                            }
                            <paste::PasteImport />
                            // A pasted result is shown and registered without the companion.
                            if !ready && state.check.result.is_some() {
                                <result::ResultView />
                                <paste::ReceptionConsent />
                            }
                            <p id="manual-hint" class="hint">
                                { t("オンライン資格確認ができないとき（障害、コンパニオンが動いていないなど）は、", "When no online check can be made (an outage, the companion not running), ") }
                                <a href="#patients">{ t("患者の画面で手入力で登録", "register the patient by hand on the Patients screen") }</a>
                                { t("できます。", ".") }
                            </p>
                        </>
                    },
                    Screen::Patients => html! { <patients::Patients /> },
                    Screen::Records => html! { <records::Records /> },
                    Screen::Claims => html! { <claims::Claims /> },
                    Screen::Desk => html! { <desk::Desk /> },
                    Screen::Settings => html! { <settings::Settings /> },
                    Screen::Readiness => html! { <status::Readiness /> },
                } }
            </main>
        </ContextProvider<AppCtx>>
    }
}
