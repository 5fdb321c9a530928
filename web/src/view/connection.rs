//! The companion's status, and pairing when the companion asks for it.

use super::use_app;
use crate::state::{Area, Conn, Pairing};
use ukemi_core::protocol::Command;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[function_component(Connection)]
pub fn connection() -> Html {
    let app = use_app();
    let s = &app.state;
    let status = match (&s.conn, &s.pairing) {
        (Conn::Connecting, _) if s.demo => app.t("デモを準備しています…", "Preparing the demo…").to_string(),
        (Conn::Connected { .. }, _) if s.demo => app
            .t("デモ：ブラウザの中の練習用コンパニオンにつながっています", "Demo: connected to the practice companion inside the browser")
            .to_string(),
        (Conn::Connecting, _) => app.t("コンパニオンに接続しています…", "Connecting to the companion…").to_string(),
        (Conn::Failed, _) => app
            .t(
                "コンパニオンに接続できません。コンパニオン（ukemi-companion）が起動しているか確認してください。ブラウザが「ローカル ネットワークへのアクセス」を許可するか尋ねてきたら「許可」を選んでください。それでも接続できない場合は、このページのアドレスが許可されていません。管理者に、このアドレスの許可（--allow-origin）を依頼してください。",
                "Cannot connect to the companion. Check that ukemi-companion is running. If the browser asks whether this page may access your local network, choose Allow. If it still fails, this page's address is not allowed: ask your administrator to allow it (--allow-origin).",
            )
            .to_string(),
        (Conn::Connected { .. }, Pairing::Paired) => app.t("コンパニオンに接続済み", "Connected to the companion").to_string(),
        (Conn::Connected { .. }, _) => app.t("コンパニオンに接続しました。連携（ペアリング）が必要です。", "Connected. This page must be paired.").to_string(),
    };
    let reconnect = {
        let ctl = app.ctl.clone();
        Callback::from(move |_| ctl.reconnect.emit(()))
    };
    html! {
        <section class="panel" aria-labelledby="conn-heading">
            <h2 id="conn-heading">{ app.t("コンパニオン", "Companion") }</h2>
            <p id="companion-status" role="status" aria-live="polite" tabindex="-1" class={classes!((s.conn == Conn::Failed).then_some("bad"))}>{ status }</p>
            if s.conn == Conn::Failed {
                <button id="reconnect" type="button" onclick={reconnect}>{ app.t("再接続", "Reconnect") }</button>
            }
            if matches!(s.conn, Conn::Connected { .. }) && s.pairing == Pairing::NeedCode {
                <PairingForm />
            }
        </section>
    }
}

#[function_component(PairingForm)]
fn pairing_form() -> Html {
    let app = use_app();
    let input = use_node_ref();
    {
        let input = input.clone();
        use_effect_with((), move |_| {
            if let Some(el) = input.cast::<HtmlInputElement>() {
                let _ = el.focus();
            }
            // Paired: the form goes, and the focus with it to what comes next (the card
            // reader on 受付, the connection's status on 設定), not to the page's top.
            || {
                super::form::focus_first(&["reader-heading", "companion-status"]);
            }
        });
    }
    let onsubmit = {
        let input = input.clone();
        let send = app.ctl.send.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(el) = input.cast::<HtmlInputElement>() {
                let code: String = el.value().chars().filter(char::is_ascii_digit).collect();
                send.emit(Command::Pair { code });
                el.set_value("");
            }
        })
    };
    let failure = app
        .state
        .failure
        .as_ref()
        .filter(|f| f.area == Area::Pairing);
    html! {
        <form class="pairing" onsubmit={onsubmit} novalidate=true>
            <p>{ app.t(
                "コンパニオンの画面に表示されている6桁のペアリングコードを入力してください。一度だけ必要です。",
                "Enter the 6-digit pairing code shown by the companion. This is needed once.") }</p>
            <label for="pairing-code">{ app.t("ペアリングコード", "Pairing code") }</label>
            <input id="pairing-code" ref={input} type="text" inputmode="numeric" autocomplete="one-time-code"
                maxlength="7" pattern="[0-9 ]*" aria-describedby="pairing-error"
                aria-invalid={ failure.is_some().then_some("true") } />
            <button id="pair-button" type="submit">{ app.t("ペアリング", "Pair") }</button>
            <p id="pairing-error" role="alert" class="error">
                { failure.map(|f| f.message(app.lang())).unwrap_or_default() }
            </p>
        </form>
    }
}
