//! Labelled form controls. Every control has a visible label tied to it (`for`/`id`). Text
//! is handed over as it is typed (outside an input method's composition) and again, trimmed,
//! when the field is left; choices when they are made. So each edit is saved at once and
//! nothing typed waits in the page.

use ukemi_core::Date;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TextProps {
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    pub onchange: Callback<String>,
    /// `text`, `date`, `number`, `search`.
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
    #[prop_or_default]
    pub disabled: bool,
    #[prop_or_default]
    pub required: bool,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    /// Marks the field as the one a refusal is about (`aria-invalid`).
    #[prop_or_default]
    pub invalid: bool,
    #[prop_or_default]
    pub autocomplete: Option<AttrValue>,
}

#[function_component(TextField)]
pub fn text_field(p: &TextProps) -> Html {
    // Leaving the field commits it trimmed (and shows it trimmed).
    let onchange = {
        let on = p.onchange.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<HtmlInputElement>() {
                let v = el.value();
                let trimmed = v.trim();
                if trimmed.len() != v.len() {
                    el.set_value(trimmed);
                }
                on.emit(trimmed.to_string());
            }
        })
    };
    // Every keystroke is saved as typed, so a reload loses nothing — except in the middle of
    // a Japanese input method's composition, which is saved when it is committed.
    let oninput = {
        let on = p.onchange.clone();
        Callback::from(move |e: InputEvent| {
            if e.is_composing() {
                return;
            }
            if let Some(el) = e.target_dyn_into::<HtmlInputElement>() {
                on.emit(el.value());
            }
        })
    };
    // Yew has no `oncompositionend`: listen on the element directly.
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with(p.onchange.clone(), move |on| {
            let on = on.clone();
            let el = node.cast::<HtmlInputElement>();
            let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
                if let Some(el) = e
                    .target()
                    .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                {
                    on.emit(el.value());
                }
            });
            if let Some(el) = &el {
                let _ = el.add_event_listener_with_callback(
                    "compositionend",
                    listener.as_ref().unchecked_ref(),
                );
            }
            move || {
                if let Some(el) = el {
                    let _ = el.remove_event_listener_with_callback(
                        "compositionend",
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }
    let hint_id = format!("{}-hint", p.id);
    html! {
        <div class="field">
            <label for={p.id.clone()}>{ p.label.clone() }</label>
            if let Some(h) = &p.hint {
                <p class="hint" id={hint_id.clone()}>{ h.clone() }</p>
            }
            <input id={p.id.clone()} type={p.kind.clone()} value={p.value.clone()}
                ref={node} {onchange} {oninput} disabled={p.disabled} required={p.required}
                aria-invalid={ p.invalid.then_some("true") }
                autocomplete={p.autocomplete.clone()}
                aria-describedby={ p.hint.as_ref().map(|_| hint_id) } />
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct CheckProps {
    pub id: AttrValue,
    pub label: AttrValue,
    pub checked: bool,
    pub onchange: Callback<bool>,
    #[prop_or_default]
    pub disabled: bool,
}

#[function_component(CheckField)]
pub fn check_field(p: &CheckProps) -> Html {
    let cb = {
        let on = p.onchange.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<HtmlInputElement>() {
                on.emit(el.checked());
            }
        })
    };
    html! {
        <label class="choice" for={p.id.clone()}>
            <input id={p.id.clone()} type="checkbox" checked={p.checked} onchange={cb} disabled={p.disabled} />
            { p.label.clone() }
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct SelectProps {
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    /// (value, text).
    pub options: Vec<(String, String)>,
    pub onchange: Callback<String>,
    #[prop_or_default]
    pub disabled: bool,
}

#[function_component(SelectField)]
pub fn select_field(p: &SelectProps) -> Html {
    let cb = {
        let on = p.onchange.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<HtmlSelectElement>() {
                on.emit(el.value());
            }
        })
    };
    html! {
        <div class="field">
            <label for={p.id.clone()}>{ p.label.clone() }</label>
            <select id={p.id.clone()} onchange={cb} disabled={p.disabled}>
                { for p.options.iter().map(|(v, t)| html! {
                    <option value={v.clone()} selected={*v == p.value.as_str()}>{ t.clone() }</option>
                }) }
            </select>
        </div>
    }
}

/// The question asked before a change that cannot be undone: an alertdialog labelled by the
/// question, the change's button first and やめる second. The question can take the focus
/// (`focus_later(text_id)`), so it is read out before its buttons.
#[derive(Properties, PartialEq)]
pub struct ConfirmProps {
    /// The box's own id, where a test or a style needs one.
    #[prop_or_default]
    pub id: Option<AttrValue>,
    pub text_id: AttrValue,
    pub question: AttrValue,
    pub confirm_id: AttrValue,
    pub confirm_label: AttrValue,
    pub onconfirm: Callback<MouseEvent>,
    pub cancel_id: AttrValue,
    pub oncancel: Callback<MouseEvent>,
    /// More to say under the question (a warning).
    #[prop_or_default]
    pub children: Html,
}

#[function_component(ConfirmBox)]
pub fn confirm_box(p: &ConfirmProps) -> Html {
    let app = super::use_app();
    html! {
        <div id={p.id.clone()} class="warn-box" role="alertdialog" aria-labelledby={p.text_id.clone()}>
            <p id={p.text_id.clone()} tabindex="-1">{ p.question.clone() }</p>
            { p.children.clone() }
            <button type="button" id={p.confirm_id.clone()} onclick={p.onconfirm.clone()}>{ p.confirm_label.clone() }</button>
            <button type="button" id={p.cancel_id.clone()} class="secondary" onclick={p.oncancel.clone()}>{ app.t("やめる", "Cancel") }</button>
        </div>
    }
}

/// Moves the focus to `id` once the page has rendered the change that shows it (the next
/// turn of the event loop, after the current screen's own focus moves).
pub fn focus_later(id: &'static str) {
    gloo_timers::callback::Timeout::new(0, move || {
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    })
    .forget();
}

/// `YYYY-MM-DD` for a date input.
pub fn date_value(d: Option<Date>) -> AttrValue {
    AttrValue::from(d.map(|d| d.to_string()).unwrap_or_default())
}

/// A date input's value, if it is one.
pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s.trim()).ok()
}

/// `12,345円` (core's formatting, so the screen and the printed documents agree).
pub fn yen(n: u64) -> String {
    ukemi_core::records::documents::yen(n)
}
