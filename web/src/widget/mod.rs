//! The embeddable eligibility check (`<ukemi-eligibility>`): pairing, reader and card, PIN
//! or 目視, 保険者番号等, and the result, inside the host page's shadow root. Results and
//! errors leave as DOM events on the host element, so a vendor's page never reaches into
//! the widget (docs/embedding.md).
//!
//! It runs on the app's own parts — the driver and link to the companion, the state and its
//! reducers, the texts and rules of the 受付 views — but renders without Yew: a tree built
//! from the state (`view.rs`) patched onto the page (`dom.rs`), one listener per kind of
//! event on the container, and the effects (focus, events, log lines) run after each
//! render by comparing with what the last one saw. Yew's renderer alone was more than the
//! widget's whole download budget.

mod dom;
mod view;

use crate::driver::{Ctl, Driver};
use crate::i18n::Lang;
use crate::log;
use crate::state::{check, companion, Action, Area, Conn, Failure, Pairing, State};
use crate::storage;
use crate::view::diagnostics;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use ukemi_core::date::TypedDateError;
use ukemi_core::protocol::{CardKind, CheckMode, Command, ErrorCode, ErrorDetail};
use ukemi_core::Date;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CustomEvent, CustomEventInit, Element, HtmlElement, HtmlInputElement};
use yew::Callback;

/// What only the widget's page holds: the date of birth being typed.
#[derive(Debug, Default)]
pub struct Local {
    pub birth: Option<Date>,
    pub birth_error: Option<TypedDateError>,
    /// The era six digits are read in (`None`: 昭和, as the app's field starts).
    pub era: Option<&'static str>,
}

impl Local {
    pub fn era(&self) -> &'static str {
        self.era.unwrap_or("昭和")
    }
}

/// What the last render saw, so each effect runs once per change.
#[derive(Default)]
struct Seen {
    rendered: bool,
    card_seq: u32,
    failure_seq: u32,
    result_seq: u32,
    error: Option<(Option<Failure>, bool)>,
    conn: Option<Conn>,
    pairing: Option<Pairing>,
    /// A person went through pairing (not a kept key proved at load).
    asked: bool,
}

struct Widget {
    host: HtmlElement,
    container: Element,
    insurance: bool,
    state: RefCell<State>,
    local: RefCell<Local>,
    driver: RefCell<Option<Driver>>,
    seen: RefCell<Seen>,
    queued: Cell<bool>,
}

/// Mounts the check into `container` (inside `<ukemi-eligibility>`'s shadow root).
pub fn mount(
    host: HtmlElement,
    container: Element,
    candidates: Vec<String>,
    lang: Lang,
    insurance: bool,
) {
    let w = Rc::new(Widget {
        host,
        container,
        insurance,
        state: RefCell::new(State {
            lang,
            ..State::default()
        }),
        local: RefCell::default(),
        driver: RefCell::new(None),
        seen: RefCell::default(),
        queued: Cell::new(false),
    });
    listen(&w);
    // The reader chosen last time.
    if let Some(r) = storage::get("ukemi.reader") {
        w.dispatch(companion::Action::ChooseReader(r).into());
    }
    let me = Rc::clone(&w);
    let driver = Driver::start(Callback::from(move |a| me.dispatch(a)), candidates);
    *w.driver.borrow_mut() = Some(driver);
    w.render();
}

impl Widget {
    fn dispatch(self: &Rc<Self>, action: Action) {
        self.state.borrow_mut().apply(action);
        self.schedule();
    }

    /// One render for whatever arrived in this turn of the event loop.
    fn schedule(self: &Rc<Self>) {
        if self.queued.replace(true) {
            return;
        }
        let me = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            me.queued.set(false);
            me.render();
        });
    }

    fn ctl(&self) -> Option<Ctl> {
        self.driver.borrow().as_ref().map(Driver::ctl)
    }

    fn send(&self, c: Command) {
        if let Some(ctl) = self.ctl() {
            ctl.send.emit(c);
        }
    }

    fn render(self: &Rc<Self>) {
        let tree = {
            let s = self.state.borrow();
            view::widget(&s, &self.local.borrow(), self.insurance)
        };
        if let Some(doc) = self.container.owner_document() {
            dom::patch_children(&doc, &self.container, &[dom::Node::El(tree)]);
        }
        self.effects();
    }

    fn find(&self, id: &str) -> Option<HtmlElement> {
        self.container
            .query_selector(&format!("#{id}"))
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    }

    fn value(&self, id: &str) -> String {
        self.container
            .query_selector(&format!("#{id}"))
            .ok()
            .flatten()
            .and_then(|e| js_sys::Reflect::get(&e, &JsValue::from_str("value")).ok())
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    }

    fn checked(&self, id: &str) -> bool {
        self.find(id)
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
            .is_some_and(|e| e.checked())
    }

    fn focus(&self, id: &str, center: bool) {
        if let Some(el) = self.find(id) {
            let _ = el.focus();
            if center {
                let opts = web_sys::ScrollIntoViewOptions::new();
                opts.set_block(web_sys::ScrollLogicalPosition::Center);
                el.scroll_into_view_with_scroll_into_view_options(&opts);
            }
        }
    }

    /// What a change in the state asks of the page beyond its markup: the host's events, the
    /// focus where the next step is, the log's lines. Decided with the state borrowed, done
    /// after (a host page's listener runs inside `dispatch_event`).
    fn effects(&self) {
        let mut events: Vec<(&str, String)> = Vec::new();
        let mut focus: Option<(&'static str, bool)> = None;
        {
            let s = self.state.borrow();
            let mut seen = self.seen.borrow_mut();
            let first = !std::mem::replace(&mut seen.rendered, true);

            if seen.conn.as_ref() != Some(&s.companion.conn) {
                diagnostics::log_conn(&s.companion.conn);
                seen.conn = Some(s.companion.conn.clone());
            }
            if seen.pairing.as_ref() != Some(&s.companion.pairing) {
                diagnostics::log_pairing(&s.companion.pairing);
                match s.companion.pairing {
                    Pairing::Waiting { .. } | Pairing::NotPaired => seen.asked = true,
                    // Approved: the focus goes to the card reader, not the page's top.
                    Pairing::Paired if std::mem::replace(&mut seen.asked, false) => {
                        focus = Some(("reader-heading", false));
                    }
                    _ => {}
                }
                seen.pairing = Some(s.companion.pairing.clone());
            }

            if s.companion.card_seq != seen.card_seq {
                seen.card_seq = s.companion.card_seq;
                // A card put in: the PIN box (or the photo check) takes the focus, in view.
                // Not on the first render: a card in when the page opened is not news.
                let present = s
                    .companion
                    .card()
                    .is_some_and(|c| c.kind == CardKind::MyNumber);
                let locked = s.companion.card().and_then(|c| c.pin_tries_left) == Some(0);
                if present && !first {
                    let target = match crate::view::check::mode(&s) {
                        CheckMode::Pin if !locked => "pin",
                        _ => "visual-confirmed",
                    };
                    focus = Some((target, true));
                }
            }

            if s.check.failure_seq != seen.failure_seq {
                seen.failure_seq = s.check.failure_seq;
                // A failed check: the focus goes where the fix is.
                if let Some(f) = &s.check.failure {
                    focus = match f.area {
                        Area::Check
                            if matches!(f.code, ErrorCode::PinWrong | ErrorCode::PinFormat) =>
                        {
                            Some(("pin", true))
                        }
                        Area::Check => Some(("check-error", true)),
                        Area::Insurance => f
                            .detail
                            .field
                            .as_deref()
                            .and_then(crate::view::insurance::field_id)
                            .map(|id| (id, false)),
                        _ => focus,
                    };
                }
            }

            if s.check.result_seq != seen.result_seq {
                seen.result_seq = s.check.result_seq;
                if let Some(r) = s.check.result.as_ref().filter(|_| s.check.result_seq > 0) {
                    if let Ok(v) = serde_json::to_string(r) {
                        events.push(("ukemi-result", v));
                    }
                    diagnostics::log_result(r.reference, r.validity);
                    focus = Some(("result-heading", false));
                }
            }

            // Pairing's failures and the check's, whichever the page shows now.
            let failure = s
                .check
                .failure
                .clone()
                .or_else(|| s.companion.failure.clone());
            let conn_failed = s.companion.conn == Conn::Failed;
            let error = (failure, conn_failed);
            if seen.error.as_ref() != Some(&error) {
                match &error {
                    (Some(f), _) => {
                        let event = match f.area {
                            Area::Pairing => "pairing.error",
                            _ => "eligibility.error",
                        };
                        log::warn(event, &diagnostics::failure_line(f.code, &f.detail));
                        let v = ErrorEvent {
                            code: f.code,
                            message: &f.message_ja,
                            message_en: f.code.message_en(&f.detail),
                            detail: &f.detail,
                        };
                        if let Ok(v) = serde_json::to_string(&v) {
                            events.push(("ukemi-error", v));
                        }
                    }
                    (None, true) => {
                        events.push(("ukemi-error", r#"{"code":"COMPANION_UNREACHABLE"}"#.into()))
                    }
                    (None, false) => {}
                }
                seen.error = Some(error);
            }
        }
        if let Some((id, center)) = focus {
            self.focus(id, center);
        }
        for (name, detail) in events {
            emit(&self.host, name, &detail);
        }
    }

    fn on_click(self: &Rc<Self>, id: &str) {
        match id {
            "reconnect" => {
                if let Some(ctl) = self.ctl() {
                    ctl.reconnect.emit(());
                }
            }
            "pair-request" => self.send(Command::Pair),
            "sim-insert" => self.send(Command::SimInsertCard {
                persona: self.value("sim-persona"),
            }),
            "sim-remove" => self.send(Command::SimRemoveCard),
            "switch-visual" => self.dispatch(check::Action::SetMode(CheckMode::Visual).into()),
            _ => {}
        }
    }

    fn on_change(self: &Rc<Self>, id: &str) {
        match id {
            "reader-select" => {
                let r = self.value(id);
                storage::set("ukemi.reader", &r);
                self.dispatch(companion::Action::ChooseReader(r).into());
            }
            "mode-pin" => self.dispatch(check::Action::SetMode(CheckMode::Pin).into()),
            "mode-visual" => self.dispatch(check::Action::SetMode(CheckMode::Visual).into()),
            "ins-birthdate" => {
                let typed = self.value(id);
                self.read_birth(&typed);
            }
            "ins-birthdate-era" => {
                let era = self.value(id);
                self.local.borrow_mut().era = ukemi_core::date::era_names()
                    .map(|(n, _)| n)
                    .find(|n| *n == era);
                let typed = self.value("ins-birthdate");
                if !typed.trim().is_empty() {
                    self.read_birth(&typed);
                } else {
                    self.schedule();
                }
            }
            "ins-birthdate-calendar" => {
                if let Ok(d) = Date::parse(self.value(id).trim()) {
                    if let Some(input) = self
                        .find("ins-birthdate")
                        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
                    {
                        input.set_value(&d.wareki());
                    }
                    let mut local = self.local.borrow_mut();
                    local.birth = Some(d);
                    local.birth_error = None;
                    drop(local);
                    self.schedule();
                }
            }
            _ => {}
        }
    }

    /// The typed date of birth, read when the field is left (a half-typed date is not one).
    fn read_birth(self: &Rc<Self>, typed: &str) {
        let mut local = self.local.borrow_mut();
        match Date::parse_typed(typed.trim(), Some(local.era())) {
            Ok(d) => {
                local.birth = Some(d);
                local.birth_error = None;
                // Shown as read (`430412` → 昭和43年4月12日), as the app's field does.
                if let Some(input) = self
                    .find("ins-birthdate")
                    .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
                {
                    input.set_value(&d.wareki());
                }
            }
            Err(TypedDateError::Empty) => {
                local.birth = None;
                local.birth_error = None;
            }
            Err(e) => local.birth_error = Some(e),
        }
        drop(local);
        self.schedule();
    }

    fn on_submit(self: &Rc<Self>, id: &str) {
        match id {
            "check-form" => {
                let reader = self
                    .state
                    .borrow()
                    .companion
                    .reader()
                    .map(|r| r.name.clone());
                let Some(reader) = reader else { return };
                let mode = crate::view::check::mode(&self.state.borrow());
                let pin = match mode {
                    CheckMode::Pin => {
                        let Some(el) = self
                            .find("pin")
                            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
                        else {
                            return;
                        };
                        let typed = el.value();
                        // Cleared before anything else can read it again.
                        el.set_value("");
                        typed
                    }
                    CheckMode::Visual => String::new(),
                };
                let command = crate::view::check::card_command(
                    reader,
                    mode,
                    &pin,
                    self.checked("allow-last-try"),
                    self.checked("visual-confirmed"),
                );
                let command = match command {
                    Ok(c) => c,
                    Err(f) => return self.dispatch(Action::Failure(*f)),
                };
                self.send(command);
                // Consent and the photo comparison are per check, never carried to the next patient.
                for id in ["allow-last-try", "visual-confirmed"] {
                    if let Some(el) = self
                        .find(id)
                        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
                    {
                        el.set_checked(false);
                    }
                }
            }
            "ins-form" => {
                let typed = self.value("ins-birthdate");
                let birth = Date::parse_typed(typed.trim(), Some(self.local.borrow().era()));
                let command = crate::view::insurance::insurance_command(
                    &self.value("ins-insurer"),
                    &self.value("ins-symbol"),
                    &self.value("ins-number"),
                    &self.value("ins-branch"),
                    birth,
                );
                match command {
                    Ok(c) => self.send(c),
                    // Refused here, before the service is asked: the field is marked, the
                    // focus put in it, and the rule it broke said.
                    Err((field, ja, en)) => self.dispatch(Action::Failure(Failure {
                        area: Area::Insurance,
                        code: ErrorCode::InvalidQuery,
                        message_ja: ja,
                        message_en: Some(en),
                        detail: ErrorDetail::field(field),
                    })),
                }
            }
            _ => {}
        }
    }
}

/// One listener per kind of event on the container: the element's `id` says what it does.
fn listen(w: &Rc<Widget>) {
    for kind in ["click", "change", "submit"] {
        let me = Rc::clone(w);
        let on = Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
            let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                return;
            };
            match e.type_().as_str() {
                "submit" => {
                    // The page never leaves: a check is a message to the companion.
                    e.prevent_default();
                    me.on_submit(&target.id());
                }
                "change" => me.on_change(&target.id()),
                _ => {
                    // A click lands on the button or on what it holds.
                    if let Ok(Some(b)) = target.closest("button") {
                        me.on_click(&b.id());
                    }
                }
            }
        });
        let _ = w
            .container
            .add_event_listener_with_callback(kind, on.as_ref().unchecked_ref());
        // The widget lives as long as the page.
        on.forget();
    }
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
