//! The companion's durable copy on screen: on every screen, what needs the clinic's choice
//! (restore the companion's book into an empty browser, two different books, a damaged
//! book file); in 設定, where the copy stands (the last change that reached it, what waits
//! to be sent), its backups and the change trail.

use super::form::ConfirmBox;
use super::use_app;
use crate::i18n::Lang;
use crate::state::Offer;
use ukemi_core::records::sync::{kind_label, BookSummary};
use ukemi_core::records::Book;
use yew::prelude::*;

fn summary_text(lang: Lang, s: &BookSummary) -> String {
    let name = if s.clinic_name.is_empty() {
        lang.t(
            "（施術所名なし）".to_string(),
            "(no clinic name)".to_string(),
        )
    } else {
        s.clinic_name.clone()
    };
    let when = s
        .last_change_at
        .as_deref()
        .map(short_time)
        .unwrap_or_else(|| "-".into());
    lang.t(
        format!(
            "施術所: {name}／患者 {} 人／施術録 {} 件／最終変更 {when}",
            s.patients, s.cases
        ),
        format!(
            "Clinic: {name} / {} patients / {} treatment records / last change {when}",
            s.patients, s.cases
        ),
    )
}

/// `2026-11-25T09:41:12.345Z` → the page's local `2026-11-25 18:41`.
fn short_time(iso: &str) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(iso));
    if d.get_time().is_nan() {
        return iso.to_string();
    }
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// On every screen: what the companion's copy asks the clinic to decide.
#[function_component(DurableBanner)]
pub fn durable_banner() -> Html {
    let app = use_app();
    let lang = app.lang();
    let d = &app.state.records.durable;
    let confirming = use_state(|| false);
    let notice = d
        .notice
        .as_ref()
        .map(|(ja, en)| lang.t(ja.clone(), en.clone()));
    let ask = {
        let confirming = confirming.clone();
        Callback::from(move |_| confirming.set(true))
    };
    let cancel = {
        let confirming = confirming.clone();
        Callback::from(move |_: MouseEvent| confirming.set(false))
    };
    let restore = {
        let confirming = confirming.clone();
        Callback::from(move |_: MouseEvent| {
            confirming.set(false);
            crate::book::restore_from_companion();
        })
    };
    let keep_page = Callback::from(|_| crate::book::replace_companion_book());
    let offer = match &d.offer {
        Offer::None => html! {},
        Offer::Restore(s) => html! {
            <div id="durable-offer" class="alert" role="region" aria-labelledby="durable-offer-heading">
                <h2 id="durable-offer-heading">{ app.t("コンパニオンに台帳があります", "The companion holds a book") }</h2>
                <p>{ app.t(
                    "このブラウザには台帳がありません（または読めません）。コンパニオンに保存されている台帳を復元できます。",
                    "This browser holds no book (or cannot read it). You can restore the book kept by the companion.") }</p>
                <p id="durable-offer-summary">{ summary_text(lang, s) }</p>
                <button id="durable-restore" type="button" onclick={ask.clone()} disabled={d.fetching}>
                    { app.t("この台帳を復元する", "Restore this book") }</button>
            </div>
        },
        Offer::Foreign(s) => html! {
            <div id="durable-foreign" class="alert" role="region" aria-labelledby="durable-foreign-heading">
                <h2 id="durable-foreign-heading">{ app.t("コンパニオンには別の台帳があります", "The companion holds a different book") }</h2>
                <p>{ app.t(
                    "このブラウザの台帳とコンパニオンの台帳は別のものです。混ざらないよう、このブラウザでの変更はコンパニオンに送っていません。どちらを使うか選んでください。",
                    "This browser's book and the companion's are different books. To keep them apart, changes here are not sent to the companion. Choose which one to keep.") }</p>
                <p id="durable-foreign-summary">{ app.t("コンパニオンの台帳: ", "The companion's book: ") }{ summary_text(lang, s) }</p>
                <p id="durable-foreign-page">{ app.t("このブラウザの台帳: ", "This browser's book: ") }{ page_text(lang, &app.state.records.book) }</p>
                <button id="durable-use-companion" type="button" onclick={ask.clone()}>
                    { app.t("コンパニオンの台帳を使う（このブラウザの台帳は置き換え）", "Use the companion's book (replace this browser's)") }</button>
                { " " }
                <button id="durable-keep-page" type="button" onclick={keep_page.clone()}>
                    { app.t("このブラウザの台帳をコンパニオンに保存する（コンパニオンの台帳はバックアップに残ります）", "Keep this browser's book in the companion (the companion's is kept as a backup)") }</button>
            </div>
        },
        Offer::Behind(s) => html! {
            <div id="durable-behind" class="alert" role="region" aria-labelledby="durable-behind-heading">
                <h2 id="durable-behind-heading">{ app.t("コンパニオンの台帳が古い状態です", "The companion's book is older") }</h2>
                <p>{ app.t(
                    "コンパニオンの台帳は、このブラウザが保存を確かめた変更より前の状態です（バックアップから戻した場合など）。このブラウザでの変更はまだ送っていません。どちらを使うか選んでください。",
                    "The companion's book is older than changes this browser saw stored (it was restored from a backup, for example). Nothing from this browser has been sent. Choose which one to keep.") }</p>
                <p id="durable-behind-summary">{ app.t("コンパニオンの台帳: ", "The companion's book: ") }{ summary_text(lang, s) }</p>
                <p>{ app.t("このブラウザの台帳: ", "This browser's book: ") }{ page_text(lang, &app.state.records.book) }</p>
                <button id="durable-update-companion" type="button" onclick={keep_page.clone()}>
                    { app.t("このブラウザの台帳でコンパニオンを更新する（今の台帳はバックアップに残ります）", "Update the companion from this browser (its book is kept as a backup)") }</button>
                { " " }
                <button id="durable-take-companion" type="button" onclick={ask.clone()}>
                    { app.t("コンパニオンの台帳を使う", "Use the companion's book") }</button>
            </div>
        },
        Offer::Damaged => {
            let info = d.info.clone().unwrap_or_default();
            let good = info.backups.iter().find(|b| b.book.is_some()).cloned();
            html! {
                <div id="durable-damaged" class="alert" role="alert">
                    <p>{ info.damaged.clone().unwrap_or_default() }</p>
                    { match good {
                        Some(b) => {
                            let name = b.name.clone();
                            let restore_backup = Callback::from(move |_| crate::book::restore_companion_backup(name.clone()));
                            html! { <>
                                <p id="durable-good-backup">{ app.t("最新の正常なバックアップ: ", "Latest good backup: ") }
                                    { format!("{} — ", b.name) }{ b.book.as_ref().map(|s| summary_text(lang, s)).unwrap_or_default() }</p>
                                <button id="durable-restore-backup" type="button" onclick={restore_backup}>
                                    { app.t("このバックアップをコンパニオンに復元する", "Restore this backup in the companion") }</button>
                            </> }
                        }
                        None => html! { <p>{ app.t("読めるバックアップがありません。このブラウザの台帳はそのまま使えます。", "No readable backup. This browser's book can still be used.") }</p> },
                    } }
                    <p class="hint">{ app.t("変更はこのブラウザに保存され、コンパニオンの台帳が使えるようになってから送られます。", "Changes are kept in this browser and sent once the companion's book can be used again.") }</p>
                </div>
            }
        }
    };
    html! {
        <>
            { offer }
            if *confirming {
                <ConfirmBox id="durable-confirm-box" text_id="durable-confirm-text"
                    question={AttrValue::from(app.t(
                        "このブラウザの台帳をコンパニオンの台帳で置き換えます。よろしいですか？",
                        "Replace this browser's book with the companion's?"))}
                    confirm_id="durable-confirm" confirm_label={AttrValue::from(app.t("置き換える", "Replace"))}
                    onconfirm={restore} cancel_id="durable-cancel" oncancel={cancel} />
            }
            if let Some(n) = notice {
                <p id="durable-notice" class="notice" role="status">{ n }</p>
            }
        </>
    }
}

fn page_text(lang: Lang, b: &Book) -> String {
    lang.t(
        format!(
            "施術所: {}／患者 {} 人／施術録 {} 件",
            b.settings.clinic.name,
            b.patients.len(),
            b.cases.len()
        ),
        format!(
            "Clinic: {} / {} patients / {} treatment records",
            b.settings.clinic.name,
            b.patients.len(),
            b.cases.len()
        ),
    )
}

/// 設定: the durable copy, its backups and the change trail.
#[function_component(DurableSettings)]
pub fn durable_settings() -> Html {
    let app = use_app();
    let lang = app.lang();
    let d = &app.state.records.durable;
    // The companion's own page (served on its loopback origin) sets the second folder: the
    // passphrase is typed there, never into this page.
    let backup_host = match &app.state.companion.conn {
        crate::state::companion::Conn::Connected { host } => Some(host.clone()),
        _ => None,
    };
    let not_allowed = app.state.companion.ready() && !app.state.companion.keeps_book;
    let status = if not_allowed {
        // Paired, but the companion keeps no book for this page's origin: a page served
        // elsewhere than the companion, not listed with `--book-origin`.
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        lang.t(
            format!("このページのアドレス（{origin}）には、コンパニオンへの保存（患者の記録の控え）が許可されていません。変更はこのブラウザだけに保存されます。施術所のアプリをこのアドレスで使うときは、管理者がコンパニオンの設定で許可してください（--book-origin {origin}）。"),
            format!("This page's address ({origin}) is not allowed to keep the records in the companion: changes are kept in this browser only. To use the clinic app at this address, the administrator allows it in the companion's settings (--book-origin {origin})."),
        )
    } else if !d.connected {
        app.t(
            "コンパニオンにつながっていません。変更はこのブラウザに保存され、つながると順に送られます。",
            "Not connected to the companion. Changes are kept in this browser and sent in order once it connects.",
        )
        .to_string()
    } else {
        match (&d.last_stored, lang) {
            (Some((seq, at)), Lang::Ja) => format!(
                "最後の変更がコンパニオンに保存されました: {} （変更番号 {seq}）",
                at.replace('T', " ").trim_end_matches("+09:00")
            ),
            (Some((seq, at)), Lang::En) => format!(
                "The last change reached the companion's copy at {} (change {seq}).",
                at.replace('T', " ").trim_end_matches("+09:00")
            ),
            (None, Lang::Ja) => "コンパニオンとつながっています。".into(),
            (None, Lang::En) => "Connected to the companion.".into(),
        }
    };
    let pending = lang.t(
        format!("送信待ちの変更: {} 件", d.pending),
        format!("Changes waiting to be sent: {}", d.pending),
    );
    let load = Callback::from(|_| crate::book::load_trail());
    let book = app.state.records.book.clone();
    let who = move |r: &str| -> String {
        let (store, key) = r.split_once('/').unwrap_or(("", r));
        match store {
            "patients" => book
                .patient(key)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| key.to_string()),
            "cases" => book
                .cases
                .iter()
                .find(|c| c.id == key)
                .and_then(|c| book.patient(&c.patient_id))
                .map(|p| format!("{}（{key}）", p.name))
                .unwrap_or_else(|| key.to_string()),
            _ if r.starts_with('*') => "すべて / all".into(),
            _ => r.to_string(),
        }
    };
    html! {
        <section class="panel" aria-labelledby="durable-heading">
            <h2 id="durable-heading">{ app.t("コンパニオンへの保存（控え）", "The companion's copy") }</h2>
            <p id="durable-status" role="status" data-connected={ d.connected.to_string() }
                data-book-allowed={ (!not_allowed).to_string() }>{ status }</p>
            <p id="durable-pending">{ pending }</p>
            if let Some(info) = &d.info {
                <h3>{ app.t("自動バックアップ", "Automatic backups") }</h3>
                <p id="backup-where">{ if info.second_folder {
                    app.t("毎日、このパソコンのデータフォルダと2つ目の保存先（暗号化）にバックアップしています。", "Backed up daily to this PC's data folder and, encrypted, to a second folder.")
                } else {
                    app.t("毎日、このパソコンのデータフォルダにバックアップしています。2つ目の保存先（USBメモリ・NAS）はまだありません。パソコンが壊れても記録が残るよう設定してください。", "Backed up daily to this PC's data folder. No second folder (a USB drive, a NAS) yet: set one so the records outlive this PC.")
                } }</p>
                if let Some(host) = &backup_host {
                    <p><a id="backup-page-link" href={format!("http://{host}/backup")} target="_blank" rel="noopener noreferrer">
                        { app.t("2つ目の保存先の設定とバックアップの一覧を開く（このパソコンのコンパニオンのページ・新しいタブ）", "Open the second-folder setting and the backups (the companion's page on this PC, new tab)") }
                    </a></p>
                }
                if info.backups.is_empty() {
                    <p id="backup-list-empty">{ app.t("バックアップはまだありません。", "No backups yet.") }</p>
                } else {
                    <ul id="backup-list">
                        { for info.backups.iter().take(10).map(|b| html! {
                            <li>{ format!("{} {}{}", b.created_at.replace('T', " ").trim_end_matches("+09:00"), b.name,
                                if b.encrypted { app.t("（暗号化）", " (encrypted)") } else { "" }) }</li>
                        }) }
                    </ul>
                }
            }
            <h3 id="trail-heading">{ app.t("変更の記録", "Change trail") }</h3>
            <button id="trail-load" type="button" onclick={load} disabled={!d.connected}>
                { app.t("変更の記録を表示する", "Show the change trail") }</button>
            if let Some(trail) = &d.trail {
                <table id="trail" aria-labelledby="trail-heading">
                    <thead><tr>
                        <th scope="col">{ app.t("番号", "No.") }</th>
                        <th scope="col">{ app.t("日時", "When") }</th>
                        <th scope="col">{ app.t("画面", "Screen") }</th>
                        <th scope="col">{ app.t("変更", "Change") }</th>
                        <th scope="col">{ app.t("対象", "Records") }</th>
                    </tr></thead>
                    <tbody>
                        { for trail.iter().map(|e| {
                            let (ja, en) = kind_label(&e.kind);
                            let screen = crate::state::Screen::from_hash(&e.screen).label();
                            html! { <tr>
                                <td>{ e.seq }</td>
                                <td>{ short_time(&e.at) }</td>
                                <td>{ if e.screen.is_empty() { "-" } else { lang.t(screen.0, screen.1) } }</td>
                                <td>{ lang.t(ja, en) }</td>
                                <td>{ e.records.iter().map(|r| who(r)).collect::<Vec<_>>().join("、") }</td>
                            </tr> }
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}
