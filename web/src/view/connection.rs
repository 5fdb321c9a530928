//! The companion's status, and pairing when the companion asks for it.

use super::use_app;
use crate::i18n::Lang;
use crate::state::State;
use crate::state::{Area, Conn, Pairing};
use ukemi_core::protocol::Command;
use yew::prelude::*;

#[function_component(Connection)]
pub fn connection() -> Html {
    let app = use_app();
    let s = &app.state;
    let status = status_text(app.lang(), s);
    let reconnect = {
        let ctl = app.ctl.clone();
        Callback::from(move |_| ctl.reconnect.emit(()))
    };
    html! {
        <section class="panel" aria-labelledby="conn-heading">
            <h2 id="conn-heading">{ app.t("コンパニオン", "Companion") }</h2>
            <p id="companion-status" role="status" aria-live="polite" tabindex="-1" class={classes!((s.companion.conn == Conn::Failed).then_some("bad"))}>{ status }</p>
            if s.companion.conn == Conn::Failed {
                <button id="reconnect" type="button" onclick={reconnect}>{ app.t("再接続", "Reconnect") }</button>
            }
            if matches!(s.companion.conn, Conn::Connected { .. }) && !s.demo {
                <PairingPanel />
            }
        </section>
    }
}

/// Pairing without a console: the page asks, a person at this PC approves on the
/// companion's own approval page (which this page links to), and this page only waits.
#[function_component(PairingPanel)]
fn pairing_panel() -> Html {
    let app = use_app();
    {
        // Approved: the panel empties, and the focus goes to what comes next (the card
        // reader on 受付, the connection's status on 設定), not to the page's top.
        let pairing = app.state.companion.pairing.clone();
        let asked = use_mut_ref(|| false);
        use_effect_with(pairing, move |pairing| {
            match pairing {
                // Only after a pairing a person went through, not a kept key proved at load.
                Pairing::Waiting { .. } | Pairing::NotPaired => *asked.borrow_mut() = true,
                Pairing::Paired if std::mem::replace(&mut *asked.borrow_mut(), false) => {
                    super::form::focus_first(&["reader-heading", "companion-status"]);
                }
                _ => {}
            }
            || ()
        });
    }
    let failure = app
        .state
        .companion
        .failure
        .as_ref()
        .filter(|f| f.area == Area::Pairing)
        .map(|f| f.message(app.lang()));
    let ask = {
        let send = app.ctl.send.clone();
        Callback::from(move |_| send.emit(Command::Pair))
    };
    let error = html! {
        <p id="pairing-error" role="alert" class="error">{ failure.unwrap_or_default() }</p>
    };
    match &app.state.companion.pairing {
        Pairing::Waiting { code, approve_url } => {
            let grouped = grouped(code);
            html! {
                <div class="pairing" id="pairing-waiting">
                    <p id="pairing-status" role="status">{ app.t(WAITING.0, WAITING.1) }</p>
                    <p>{ app.t(MATCH_NUMBER.0, MATCH_NUMBER.1) }</p>
                    <p>{ app.t("確認番号", "Number") }{ " " }<strong id="pairing-code" class="pairing-code">{ grouped }</strong></p>
                    <p><a id="approve-link" href={approve_url.clone()} target="_blank" rel="noopener noreferrer">
                        { app.t("承認画面を開く（新しいタブ）", "Open the approval page (new tab)") }</a></p>
                    { error }
                </div>
            }
        }
        Pairing::NotPaired => html! {
            <div class="pairing" id="pairing-ask">
                <p>{ app.t(NOT_PAIRED.0, NOT_PAIRED.1) }</p>
                <button id="pair-request" type="button" onclick={ask}>{ app.t("連携を依頼する", "Ask to pair") }</button>
                { error }
            </div>
        },
        _ => html! {},
    }
}

/// The companion's state in a sentence (the app's 受付 and 設定, and the widget).
pub(crate) fn status_text(lang: Lang, s: &State) -> &'static str {
    match (&s.companion.conn, &s.companion.pairing) {
        (Conn::Connecting, _) if s.demo => lang.t("デモを準備しています…", "Preparing the demo…"),
        (Conn::Connected { .. }, _) if s.demo => lang.t(
            "デモ：ブラウザの中の練習用コンパニオンにつながっています",
            "Demo: connected to the practice companion inside the browser",
        ),
        (Conn::Connecting, _) => lang.t(
            "コンパニオンに接続しています…",
            "Connecting to the companion…",
        ),
        (Conn::Failed, _) => lang.t(
            "コンパニオンに接続できません。コンパニオン（ukemi-companion）が起動しているか確認してください。ブラウザが「ローカル ネットワークへのアクセス」を許可するか尋ねてきたら「許可」を選んでください。それでも接続できない場合は、このページのアドレスが許可されていません。管理者に、このアドレスの許可（--allow-origin）を依頼してください。",
            "Cannot connect to the companion. Check that ukemi-companion is running. If the browser asks whether this page may access your local network, choose Allow. If it still fails, this page's address is not allowed: ask your administrator to allow it (--allow-origin).",
        ),
        (Conn::Connected { .. }, Pairing::Paired) => {
            lang.t("コンパニオンに接続済み", "Connected to the companion")
        }
        (Conn::Connected { .. }, _) => lang.t(
            "コンパニオンに接続しました。連携（ペアリング）が必要です。",
            "Connected. This page must be paired.",
        ),
    }
}

pub(crate) const WAITING: (&str, &str) = (
    "このパソコンでの承認を待っています。",
    "Waiting for approval on this PC.",
);
pub(crate) const MATCH_NUMBER: (&str, &str) = (
    "承認画面に、このページのアドレスと同じ番号が表示されます。番号が同じことを確かめて「承認する」を押してください。一度だけ必要です。",
    "The approval page shows this page's address and the same number. Check that the number matches and press Approve. This is needed once.",
);
pub(crate) const NOT_PAIRED: (&str, &str) = (
    "このページはまだコンパニオンと連携していません。依頼すると、このパソコンで承認できます。",
    "This page is not paired with the companion yet. Ask, then approve it on this PC.",
);

/// The pairing code as read aloud and compared: `123 456`.
pub(crate) fn grouped(code: &str) -> String {
    if code.len() == 6 && code.is_ascii() {
        format!("{} {}", &code[..3], &code[3..])
    } else {
        code.to_string()
    }
}
