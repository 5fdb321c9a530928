//! What the page logs as its state changes (connection, pairing, failures by code, refused
//! edits by kind, the database's state; `book.rs` logs its own failures), and the 設定 panel that saves the log for support.
//! Effects at the edge: the reducer stays pure, this hook watches what it produced.

use super::use_app;
use crate::idb::Persistence;
use crate::log;
use crate::state::{BookStatus, Conn, State};
use ukemi_core::wire_name;
use yew::prelude::*;

#[hook]
pub fn use_diagnostics(state: &UseReducerHandle<State>) {
    use_effect_with(state.companion.conn.clone(), |c| {
        log_conn(c);
        || ()
    });
    use_effect_with(state.companion.pairing.clone(), |p| {
        log_pairing(p);
        || ()
    });
    use_failure_log("eligibility.error", &state.check.failure);
    use_failure_log("pairing.error", &state.companion.failure);
    use_effect_with(
        state
            .check
            .result
            .as_ref()
            .map(|r| (r.reference, r.validity)),
        |r| {
            if let Some((reference, validity)) = r {
                log_result(*reference, *validity);
            }
            || ()
        },
    );
    use_effect_with(
        (state.records.refusals, state.records.refused_kind.clone()),
        |(n, kind)| {
            if *n > 0 {
                log::warn("record.refused", &format!("kind={kind}"));
            }
            || ()
        },
    );
    use_effect_with(
        (
            state.records.book_status.clone(),
            state.records.book.patients.len(),
            state.records.book.cases.len(),
        ),
        |(status, patients, cases)| {
            match status {
                BookStatus::Loading => {}
                BookStatus::Stored => {
                    log::info("book.stored", &format!("patients={patients} cases={cases}"))
                }
                BookStatus::InMemory => log::info("book.in_memory", ""),
                // Logged by `book.rs`, where the error's kind is known.
                BookStatus::Unreadable { .. } => {}
            }
            || ()
        },
    );
    use_effect_with(state.records.restores, |n| {
        if *n > 0 {
            log::info("book.restored", "");
        }
        || ()
    });
    use_effect_with(state.records.persistence, |p| {
        match p {
            Some(Persistence::Granted) => log::info("storage.persistent", "granted"),
            Some(Persistence::Denied) => log::warn("storage.persistent", "denied"),
            Some(Persistence::Unsupported) => log::warn("storage.persistent", "unsupported"),
            None => {}
        }
        || ()
    });
    use_effect_with(
        state.readiness.status_error.as_ref().map(|(c, _)| *c),
        |c| {
            if let Some(code) = c {
                log::warn("status.error", &format!("code={}", wire_name(code)));
            }
            || ()
        },
    );
}

/// 設定 → サポート用の記録: how many lines are kept, and saving them as a file.
#[function_component(SupportLog)]
pub fn support_log() -> Html {
    let app = use_app();
    let lang = app.lang();
    let message = use_state(|| None::<(bool, String)>);
    let save = {
        let message = message.clone();
        Callback::from(move |_| {
            let name = format!("ukemi-log-{}.txt", crate::clock::today().compact());
            log::info("log.saved", "");
            message.set(Some(crate::files::offer(
                &name,
                "text/plain",
                &log::text(),
                lang,
            )));
        })
    };
    html! {
        <section class="panel" aria-labelledby="support-log-heading">
            <h2 id="support-log-heading">{ app.t("サポート用の記録", "Log for support") }</h2>
            <p>{ app.t(
                "接続・保存・エラーの記録です。氏名・住所・保険の番号・暗証番号は含みません。困ったときに保存して、サポート窓口に送ってください。",
                "Connection, storage and error events. It holds no names, addresses, insurance numbers or PINs. Save it and send it to support when something goes wrong."
            ) }</p>
            <p id="support-log-count">{ lang.t(format!("{}件", log::len()), format!("{} lines", log::len())) }</p>
            <button type="button" id="log-save" class="secondary" onclick={save}>{ app.t("記録を保存", "Save the log") }</button>
            if let Some((ok, m)) = &*message {
                <p id="log-message" class={ if *ok { "ok-text" } else { "error" } } role={ if *ok { "status" } else { "alert" } }>{ m }</p>
            }
        </section>
    }
}

/// Logs a failure once, by its code (never the service's own message, which can repeat
/// what was asked).
#[hook]
fn use_failure_log(event: &'static str, failure: &Option<crate::state::Failure>) {
    use_effect_with(
        failure.as_ref().map(|f| (f.code, f.detail.clone())),
        move |f| {
            if let Some((code, detail)) = f {
                log::warn(event, &failure_line(*code, detail));
            }
            || ()
        },
    );
}

/// A failure as the log keeps it: the code and the detail, without the service's own
/// message (it may quote what was sent).
pub(crate) fn failure_line(
    code: ukemi_core::protocol::ErrorCode,
    detail: &ukemi_core::protocol::ErrorDetail,
) -> String {
    let mut detail = detail.clone();
    detail.service_message = None;
    let detail = serde_json::to_string(&detail).unwrap_or_default();
    format!("code={} detail={detail}", wire_name(&code))
}

/// The log's lines for the companion's state, shared by the app's hook and the widget.
pub(crate) fn log_conn(c: &Conn) {
    match c {
        Conn::Connecting => log::info("companion.connecting", ""),
        Conn::Connected { host } => log::info("companion.connected", host),
        Conn::Failed => log::warn("companion.unreachable", "no answer on the candidate ports"),
    }
}

/// The pairing's state by name only: the code on a waiting request is not for the log.
pub(crate) fn log_pairing(p: &crate::state::Pairing) {
    let name = match p {
        crate::state::Pairing::Unknown => "Unknown",
        crate::state::Pairing::NotPaired => "NotPaired",
        crate::state::Pairing::Waiting { .. } => "Waiting",
        crate::state::Pairing::Paired => "Paired",
    };
    log::info("companion.pairing", name);
}

/// A result by how it was asked and what it said: never who it is about.
pub(crate) fn log_result(
    reference: ukemi_core::eligibility::ReferenceKind,
    validity: ukemi_core::eligibility::QualificationValidity,
) {
    log::info(
        "eligibility.result",
        &format!(
            "reference={} validity={}",
            wire_name(&reference),
            wire_name(&validity)
        ),
    );
}
