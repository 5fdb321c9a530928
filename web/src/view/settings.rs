//! 設定: the 施術所 and its practitioners (printed on every form), the companion pairing, the
//! fee schedules in force, and backup/restore. A restore is checked whole and confirmed
//! before anything is replaced; a bad file changes nothing.

use super::form::{CheckField, ConfirmBox, SelectField, TextField};
use super::use_app;
use crate::idb::Persistence;
use crate::state::{records, Action, BookStatus};
use ukemi_core::claims::{Clinic, Discipline, Practitioner, TariffSet};
use ukemi_core::records::{backup, Book, Edit, Settings as ClinicSettings};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[function_component(Settings)]
pub fn settings() -> Html {
    let app = use_app();
    let lang = app.lang();
    let current = app.state.records.book.settings.clone();
    let put_clinic = |f: fn(&mut Clinic, String)| {
        let state = app.state.clone();
        let current = current.clone();
        Callback::from(move |v: String| {
            let mut next = current.clone();
            f(&mut next.clinic, v);
            state.dispatch(Action::from(records::Action::Edit(Edit::PutSettings(next))));
        })
    };
    let put_practitioner = |i: usize, f: fn(&mut Practitioner, String)| {
        let state = app.state.clone();
        let current = current.clone();
        Callback::from(move |v: String| {
            let mut next = current.clone();
            if let Some(p) = next.practitioners.get_mut(i) {
                f(p, v);
            }
            state.dispatch(Action::from(records::Action::Edit(Edit::PutSettings(next))));
        })
    };
    let add_practitioner = {
        let state = app.state.clone();
        let current = current.clone();
        Callback::from(move |_| {
            let mut next: ClinicSettings = current.clone();
            next.practitioners.push(Practitioner::default());
            state.dispatch(Action::from(records::Action::Edit(Edit::PutSettings(next))));
        })
    };
    let statement = {
        let state = app.state.clone();
        let current = current.clone();
        Callback::from(move |b: bool| {
            let mut next = current.clone();
            next.clinic.statement_system = b;
            state.dispatch(Action::from(records::Action::Edit(Edit::PutSettings(next))));
        })
    };
    let c = &current.clinic;
    let missing = ukemi_core::claims::checks::clinic_missing(c);
    let blank = |k: &str| missing.iter().any(|(m, ..)| *m == k);
    let bad_prefecture = !c.prefecture_code.trim().is_empty()
        && !ukemi_core::claims::checks::prefecture_code_ok(&c.prefecture_code);
    let put_discipline = {
        let state = app.state.clone();
        let current = current.clone();
        Callback::from(move |v: String| {
            let mut next = current.clone();
            next.discipline = Discipline::from_code(&v);
            state.dispatch(Action::from(records::Action::Edit(Edit::PutSettings(next))));
        })
    };
    let discipline = current.discipline.map_or("", Discipline::code);
    html! {
        <>
            <h1 id="screen-heading" tabindex="-1">{ app.t("設定", "Settings") }</h1>
            <section class="panel" aria-labelledby="clinic-heading">
                <h2 id="clinic-heading">{ app.t("施術所", "Clinic") }</h2>
                <p class="hint">{ app.t("申請書の施術証明欄に印字されます。入力するとすぐ保存されます。", "Printed on every claim form. Saved as you type.") }</p>
                if !missing.is_empty() {
                    <p id="clinic-missing" class="warn">{
                        lang.t(format!("申請書に必要な項目が未入力です：{}", missing.iter().map(|(_, j, _)| *j).collect::<Vec<_>>().join("・")), format!("Needed on every claim form and still blank: {}", missing.iter().map(|(.., e)| *e).collect::<Vec<_>>().join(", ")))
                    }</p>
                }
                <div data-field="clinic.name"><TextField id="clinic-name" label={ app.t("施術所名（必須）", "Clinic name (required)") } value={c.name.clone()} onchange={put_clinic(|c, v| c.name = v)} autocomplete="organization"
                    required=true invalid={blank("name")} error_id="clinic-missing" /></div>
                <div data-field="clinic.address"><TextField id="clinic-address" label={ app.t("所在地（必須）", "Address (required)") } value={c.address.clone()} onchange={put_clinic(|c, v| c.address = v)}
                    required=true invalid={blank("address")} error_id="clinic-missing" /></div>
                <super::postal_lookup::PostalLookup id="clinic" address={c.address.clone()} on_address={put_clinic(|c, v| c.address = v)} />
                <div class="grid">
                    <div data-field="clinic.prefecture_code"><TextField id="clinic-prefecture" label={ app.t("都道府県番号（2桁・必須）", "Prefecture code (2 digits, required)") } value={c.prefecture_code.clone()} onchange={put_clinic(|c, v| c.prefecture_code = v)}
                        required=true invalid={blank("prefecture_code") || bad_prefecture} error_id={ if bad_prefecture { "clinic-prefecture-error" } else { "clinic-missing" } }
                        hint={ app.t("例：東京都は13、大阪府は27", "e.g. Tokyo 13, Osaka 27") } /></div>
                    <div data-field="clinic.registration_number"><TextField id="clinic-registration" label={ app.t("登録記号番号（契約・協定、必須）", "Registration number (required)") } value={c.registration_number.clone()} onchange={put_clinic(|c, v| c.registration_number = v)}
                        required=true invalid={blank("registration_number")} error_id="clinic-missing" /></div>
                    <div data-field="clinic.manager_name"><TextField id="clinic-manager" label={ app.t("施術管理者（必須）", "Managing practitioner (required)") } value={c.manager_name.clone()} onchange={put_clinic(|c, v| c.manager_name = v)}
                        required=true invalid={blank("manager_name")} error_id="clinic-missing" /></div>
                </div>
                if bad_prefecture {
                    <p id="clinic-prefecture-error" class="error">{ app.t("都道府県番号は01〜47の2桁です。", "The prefecture code is two digits, 01–47.") }</p>
                }
                <SelectField id="clinic-discipline" label={ app.t("施術の種類（新しい施術録の既定）", "What the clinic does (default for new cases)") }
                    value={discipline}
                    options={vec![
                        (String::new(), app.t("未設定（柔道整復）", "Not set (judo therapy)").to_string()),
                        ("judo".into(), "柔道整復".into()),
                        ("acupuncture".into(), "はり・きゅう".into()),
                        ("massage".into(), "あん摩マッサージ".into()),
                    ]}
                    onchange={put_discipline} />
                <div data-field="clinic.statement_system"><CheckField id="clinic-statement" label={ app.t("明細書発行体制加算を算定する（柔整）", "Claims the statement-issuing add-on (judo)") } checked={c.statement_system} onchange={statement} /></div>
                <h3>{ app.t("施術者", "Practitioners") }</h3>
                { for current.practitioners.iter().enumerate().map(|(i, p)| html! {
                    <div class="grid">
                        <TextField id={format!("practitioner-{}-name", i + 1)} label={ format!("{}{}", app.t("施術者名 ", "Name "), i + 1) } value={p.name.clone()} onchange={put_practitioner(i, |p, v| p.name = v)} />
                        <TextField id={format!("practitioner-{}-number", i + 1)} label={ format!("{}{}", app.t("登録番号 ", "Registration "), i + 1) } value={p.registration_number.clone()} onchange={put_practitioner(i, |p, v| p.registration_number = v)} />
                    </div>
                }) }
                <button type="button" id="add-practitioner" class="secondary" onclick={add_practitioner}>{ app.t("施術者を追加", "Add practitioner") }</button>
            </section>
            <section class="panel" aria-labelledby="companion-heading">
                <h2 id="companion-heading">{ app.t("コンパニオン（カードリーダー）との接続", "Companion (card reader) connection") }</h2>
                <super::connection::Connection />
            </section>
            if !app.state.demo {
                <super::durable::DurableSettings />
            }
            <Tariffs />
            <Backup />
            <super::diagnostics::SupportLog />
            <section class="panel" aria-labelledby="storage-heading">
                <h2 id="storage-heading">{ app.t("データの保存", "Data storage") }</h2>
                <p id="storage-state">{ match (&app.state.records.book_status, app.state.records.persistence) {
                    (BookStatus::InMemory, _) => app.t("この画面ではデータを保存していません（デモ、またはブラウザが保存を許可していません）。", "Nothing is stored here (demo, or the browser does not allow storage)."),
                    (BookStatus::Unreadable { .. }, _) => app.t("保存データが読めません。バックアップから復元してください。", "The stored data cannot be read: restore a backup."),
                    (BookStatus::Loading, _) => app.t("読み込み中…", "Loading…"),
                    (BookStatus::Stored, Some(Persistence::Granted)) => app.t("このパソコンのブラウザに保存しています。ディスクの空きが少なくなっても、ブラウザがこのデータを消すことはありません。", "Stored in this browser, marked persistent: the browser will not evict it."),
                    (BookStatus::Stored, _) => app.t("このパソコンのブラウザに保存しています。ただし、ディスクの空きが少なくなるとブラウザが消すことがあるため、定期的にバックアップを保存してください。", "Stored in this browser, but not marked persistent: save backups regularly."),
                } }</p>
                <p class="hint">{ app.t(
                    "データはこのブラウザの中だけにあります。別のパソコンへ移すときや万一に備えて、バックアップを保存してください。",
                    "The data is only in this browser. Save a backup to move it to another PC, and in case something goes wrong.") }</p>
            </section>
        </>
    }
}

#[function_component(Tariffs)]
fn tariffs() -> Html {
    let app = use_app();
    let lang = app.lang();
    let set = TariffSet::builtin();
    html! {
        <section class="panel" aria-labelledby="tariffs-heading">
            <h2 id="tariffs-heading">{ app.t("料金表", "Fee schedules") }</h2>
            <p class="hint" id="tariffs-unverified-hint">{ app.t(
                "「原典で未確認の金額」は、料金表の金額や率のうち告示・通知の原文でまだ確かめていない項目の数です。これを使った申請書には「要確認」と表示されますので、金額を確かめてから提出してください。",
                "\u{201c}Amounts not yet verified\u{201d} counts the schedule's amounts and rates not yet checked against the official notice. Claims using them show a warning: check the amount before filing.") }</p>
            { match set {
                Err(e) => html! { <p class="error" role="alert">{ format!("{e:?}") }</p> },
                Ok(set) => {
                    let today = crate::clock::today();
                    html! {
                        <div class="table-wrap" role="region" tabindex="0" aria-label={ app.t("料金表", "Fee schedules") }><table id="tariff-table">
                            <caption>{ app.t("組み込みの料金表（施術日で自動的に選ばれます）", "Built-in fee schedules (chosen by visit date)") }</caption>
                            <thead><tr>
                                <th scope="col">{ app.t("名称", "Name") }</th>
                                <th scope="col">{ app.t("適用開始", "From") }</th>
                                <th scope="col">{ app.t("適用終了", "Until") }</th>
                                <th scope="col">{ app.t("状態", "Status") }</th>
                                <th scope="col">{ app.t("原典で未確認の金額", "Amounts not yet verified") }</th>
                            </tr></thead>
                            <tbody>
                                { for set.all().iter().map(|t| {
                                    let unverified = t.items.values().filter(|i| !i.verified).count();
                                    html! { <tr>
                                        <td>{ &t.name }</td>
                                        <td>{ t.effective_from.wareki() }</td>
                                        <td>{ t.effective_to.map(|d| d.wareki()).unwrap_or_else(|| app.t("（現行）", "(current)").to_string()) }</td>
                                        <td>{ if t.covers(today) { app.t("適用中", "In force") } else { app.t("過去", "Past") } }</td>
                                        <td>{ if unverified == 0 { app.t("なし", "None").to_string() } else { lang.t(format!("{unverified}項目"), format!("{unverified} items")) } }</td>
                                    </tr> }
                                }) }
                            </tbody>
                        </table></div>
                    }
                }
            } }
        </section>
    }
}

/// A checked backup waiting for the user's go-ahead.
#[derive(Clone, PartialEq)]
struct Pending {
    file: String,
    book: Book,
}

#[function_component(Backup)]
fn backup_panel() -> Html {
    let app = use_app();
    let lang = app.lang();
    let file_ref = use_node_ref();
    let pending = use_state(|| None::<Pending>);
    let message = use_state(|| None::<(bool, String)>);
    let save = {
        let book = app.state.records.book.clone();
        let message = message.clone();
        Callback::from(move |_| {
            let now = crate::clock::now_iso();
            let name = format!("ukemi-backup-{}.json", crate::clock::today().compact());
            let text = backup::export(&book, &now);
            message.set(Some(crate::files::offer(
                &name,
                "application/json",
                &text,
                lang,
            )));
        })
    };
    let check = {
        let file_ref = file_ref.clone();
        let pending = pending.clone();
        let message = message.clone();
        Callback::from(move |_| {
            let Some(input) = file_ref.cast::<HtmlInputElement>() else {
                return;
            };
            let pending = pending.clone();
            let message = message.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match crate::files::read_chosen_file(&input).await {
                    Err(e) => message.set(Some((false, e))),
                    Ok((file, text)) => match backup::import(&text) {
                        Ok(book) => {
                            message.set(None);
                            pending.set(Some(Pending { file, book }));
                        }
                        Err(e) => {
                            crate::log::warn("backup.refused", &format!("kind={}", e.kind()));
                            pending.set(None);
                            message.set(Some((false, lang.t(e.message_ja(), e.message_en()))));
                        }
                    },
                }
            });
        })
    };
    let confirm = {
        let pending = pending.clone();
        let message = message.clone();
        let state = app.state.clone();
        Callback::from(move |_| {
            if let Some(p) = (*pending).clone() {
                let (np, nc) = (p.book.patients.len(), p.book.cases.len());
                state.dispatch(Action::from(records::Action::Edit(Edit::Restore(p.book))));
                message.set(Some((
                    true,
                    lang.t(
                        format!("{} から復元しました（患者{np}人・施術録{nc}件）。", p.file),
                        format!("Restored from {} ({np} patients, {nc} cases).", p.file),
                    ),
                )));
                pending.set(None);
            }
        })
    };
    let cancel = {
        let pending = pending.clone();
        Callback::from(move |_| pending.set(None))
    };
    html! {
        <section class="panel" aria-labelledby="backup-heading">
            <h2 id="backup-heading">{ app.t("バックアップと復元", "Backup and restore") }</h2>
            <button type="button" id="backup-save" onclick={save}>{ app.t("バックアップを保存", "Save a backup") }</button>
            <div class="field">
                <label for="backup-file">{ app.t("復元するバックアップファイル", "Backup file to restore") }</label>
                <input type="file" id="backup-file" accept=".json,application/json" ref={file_ref} />
            </div>
            <button type="button" id="backup-check" class="secondary" onclick={check}>{ app.t("ファイルを確認する", "Check the file") }</button>
            if let Some(p) = &*pending {
                <ConfirmBox id="backup-confirm-box" text_id="backup-confirm-text"
                    question={ lang.t(format!("{} には患者{}人・施術録{}件・締め済みの月{}件が入っています。現在のデータをすべてこの内容で置き換えますか？", p.file, p.book.patients.len(), p.book.cases.len(), p.book.months.iter().filter(|m| m.closed_at.is_some()).count()), format!("{} holds {} patients, {} cases. Replace all current data with it?", p.file, p.book.patients.len(), p.book.cases.len())) }
                    confirm_id="backup-confirm" confirm_label={ app.t("置き換えて復元する", "Replace and restore") } onconfirm={confirm}
                    cancel_id="backup-cancel" oncancel={cancel} />
            }
            if let Some((ok, m)) = &*message {
                <p id="backup-message" class={ if *ok { "ok-text" } else { "error" } } role={ if *ok { "status" } else { "alert" } }>{ m }</p>
            }
        </section>
    }
}
