//! The embeddable eligibility check (`<ukemi-eligibility>`): pairing, reader and card,
//! PIN or 目視, 保険者番号等, and the result — the app's own components, inside the host
//! page's shadow root. Results and errors leave as DOM events on the host element, so a
//! vendor's page never reaches into the widget.

use super::{check, connection, insurance, readers, result, use_companion, AppCtx};
use crate::i18n::Lang;
use crate::state::{Conn, State};
use ukemi_core::protocol::{ErrorCode, ErrorDetail};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct WidgetProps {
    /// The custom element: events are dispatched on it.
    pub host: HtmlElement,
    pub candidates: Vec<String>,
    pub lang: Lang,
    /// Offer the check by insurance numbers (attribute `modes` contains `insurance`).
    pub insurance: bool,
}

/// Sends `name` with a JSON payload (`detail`, as text) as its `detail`; it crosses the
/// shadow boundary. Written straight to text, not through `serde_json::Value`: a second
/// writer for the whole result cost the widget's download more than this line saves.
fn emit(host: &HtmlElement, name: &str, detail: &str) {
    let detail = js_sys::JSON::parse(detail).unwrap_or(JsValue::NULL);
    let init = CustomEventInit::new();
    init.set_detail(&detail);
    init.set_bubbles(true);
    init.set_composed(true);
    if let Ok(ev) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = host.dispatch_event(&ev);
    }
}

/// `ukemi-error`'s `detail` (docs/embedding.md).
#[derive(serde::Serialize)]
struct ErrorEvent<'a> {
    code: ErrorCode,
    message: &'a str,
    message_en: String,
    detail: &'a ErrorDetail,
}

#[function_component(Widget)]
pub fn widget(props: &WidgetProps) -> Html {
    let initial = State {
        lang: props.lang,
        ..State::default()
    };
    let ctx: AppCtx = use_companion(initial, props.candidates.clone());
    super::diagnostics::use_diagnostics(&ctx.state);
    let s = &ctx.state;
    {
        let host = props.host.clone();
        let result = s.check.result.clone();
        use_effect_with(s.check.result_seq, move |seq| {
            if let (true, Some(r)) = (*seq > 0, result) {
                if let Ok(v) = serde_json::to_string(&r) {
                    emit(&host, "ukemi-result", &v);
                }
            }
            || ()
        });
    }
    {
        let host = props.host.clone();
        // Pairing's failures and the check's, whichever the page shows now.
        let failure = s
            .check
            .failure
            .clone()
            .or_else(|| s.companion.failure.clone());
        let conn_failed = s.companion.conn == Conn::Failed;
        use_effect_with((failure.clone(), conn_failed), move |_| {
            if let Some(f) = failure {
                let v = ErrorEvent {
                    code: f.code,
                    message: &f.message_ja,
                    message_en: f.code.message_en(&f.detail),
                    detail: &f.detail,
                };
                if let Ok(v) = serde_json::to_string(&v) {
                    emit(&host, "ukemi-error", &v);
                }
            } else if conn_failed {
                emit(&host, "ukemi-error", r#"{"code":"COMPANION_UNREACHABLE"}"#);
            }
            || ()
        });
    }
    let ready = s.companion.ready();
    html! {
        <ContextProvider<AppCtx> context={ctx.clone()}>
            <div class="ukemi-widget" lang={s.lang.code()}>
                <connection::Connection />
                if ready {
                    <readers::Readers />
                    <check::Check />
                    if props.insurance {
                        <insurance::Insurance />
                    }
                    <result::ResultView register=false />
                }
            </div>
        </ContextProvider<AppCtx>>
    }
}
