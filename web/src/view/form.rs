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
    /// The element saying why, tied to the field while it is invalid (`aria-describedby`).
    #[prop_or_default]
    pub error_id: Option<AttrValue>,
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
    let described = id_list([
        p.hint.as_ref().map(|_| hint_id.clone()),
        refusal(p.invalid, &p.error_id),
    ]);
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
                aria-describedby={ (!described.is_empty()).then_some(described) } />
        </div>
    }
}

/// The ids an `aria-describedby` lists (those present).
fn id_list<const N: usize>(ids: [Option<String>; N]) -> String {
    ids.into_iter().flatten().collect::<Vec<_>>().join(" ")
}

/// The element saying why a field was refused, while it is.
fn refusal(invalid: bool, error_id: &Option<AttrValue>) -> Option<String> {
    error_id.as_ref().filter(|_| invalid).map(|e| e.to_string())
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
    /// A finding is about this choice (`aria-invalid`, described by `error_id`).
    #[prop_or_default]
    pub invalid: bool,
    #[prop_or_default]
    pub error_id: Option<AttrValue>,
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
            <select id={p.id.clone()} onchange={cb} disabled={p.disabled}
                aria-invalid={ p.invalid.then_some("true") }
                aria-describedby={ p.error_id.clone().filter(|_| p.invalid) }>
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
pub fn focus_later(id: impl Into<String>) {
    focus_after_render(id.into(), false);
}

/// The same, and scrolls it to the middle of the window (a box the page just asked for,
/// such as the PIN box when a card is put in, may be below the fold).
pub fn focus_into_view(id: impl Into<String>) {
    focus_after_render(id.into(), true);
}

fn focus_after_render(id: String, center: bool) {
    gloo_timers::callback::Timeout::new(0, move || {
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
            if center {
                let opts = web_sys::ScrollIntoViewOptions::new();
                opts.set_block(web_sys::ScrollLogicalPosition::Center);
                el.scroll_into_view_with_scroll_into_view_options(&opts);
            }
        }
    })
    .forget();
}

#[derive(Properties, PartialEq)]
pub struct DateProps {
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: Option<Date>,
    pub onchange: Callback<Date>,
    /// The era six digits (`061001`) are read in when none is typed. With `era_choice` the
    /// field offers a choice of era (birthdates); otherwise this one is taken (`令和` for
    /// treatment dates).
    #[prop_or_default]
    pub era: Option<&'static str>,
    #[prop_or_default]
    pub era_choice: bool,
    #[prop_or_default]
    pub disabled: bool,
    #[prop_or_default]
    pub required: bool,
    /// A refusal elsewhere is about this field (`aria-invalid`, described by `error_id`).
    #[prop_or_default]
    pub invalid: bool,
    #[prop_or_default]
    pub error_id: Option<AttrValue>,
    /// The text box and the era choice, for a form that reads what is shown when it is sent
    /// (inside the widget's shadow root too, where ids are not searched).
    #[prop_or_default]
    pub input_ref: NodeRef,
    #[prop_or_default]
    pub era_ref: NodeRef,
}

/// A date typed as people write it (`S43.4.12`, `昭和43年4月12日`, `430412` with the era
/// beside it, `2024-10-01`) or picked from the browser's calendar. It is saved when the field
/// is left (a half-typed date is not a date); an unreadable one is marked and says which rule
/// failed, and the saved value stays as it was.
#[function_component(DateField)]
pub fn date_field(p: &DateProps) -> Html {
    let app = super::use_app();
    let shown = |d: Option<Date>| d.map(|d| d.wareki()).unwrap_or_default();
    let text = use_state(|| shown(p.value));
    let error = use_state(|| None::<ukemi_core::date::TypedDateError>);
    let era = use_state(|| p.era.unwrap_or("昭和"));
    {
        // A new value from outside (saved, another record chosen) replaces what is shown.
        let text = text.clone();
        let error = error.clone();
        use_effect_with(p.value, move |v| {
            text.set(shown(*v));
            error.set(None);
        });
    }
    let era_for = {
        let fixed = p.era;
        let choice = p.era_choice;
        move |chosen: &'static str| if choice { Some(chosen) } else { fixed }
    };
    let commit = {
        let on = p.onchange.clone();
        let error = error.clone();
        let text = text.clone();
        let value = p.value;
        move |typed: String, era: Option<&'static str>| {
            let typed = typed.trim().to_string();
            match Date::parse_typed(&typed, era) {
                Ok(d) => {
                    error.set(None);
                    if Some(d) == value {
                        text.set(shown(Some(d)));
                    }
                    on.emit(d);
                }
                Err(ukemi_core::date::TypedDateError::Empty) if value.is_none() => {
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        }
    };
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(el) = e.target_dyn_into::<HtmlInputElement>() {
                text.set(el.value());
            }
        })
    };
    let onchange = {
        let commit = commit.clone();
        let era = era.clone();
        let text = text.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<HtmlInputElement>() {
                // What is in the box is what is shown (a cleared box stays cleared).
                text.set(el.value());
                commit(el.value(), era_for(*era));
            }
        })
    };
    let picked = {
        let commit = commit.clone();
        let era = era.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<HtmlInputElement>() {
                commit(el.value(), era_for(*era));
            }
        })
    };
    let choose_era = {
        let era = era.clone();
        let commit = commit.clone();
        let text = text.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<HtmlSelectElement>() {
                let name = ukemi_core::date::era_names()
                    .map(|(n, _)| n)
                    .find(|n| *n == el.value())
                    .unwrap_or("昭和");
                era.set(name);
                if !text.trim().is_empty() {
                    commit((*text).clone(), Some(name));
                }
            }
        })
    };
    let hint_id = format!("{}-hint", p.id);
    let error_id = format!("{}-error", p.id);
    let lang = app.lang();
    let described = id_list([
        Some(hint_id.clone()),
        error.is_some().then(|| error_id.clone()),
        refusal(p.invalid, &p.error_id),
    ]);
    let hint = date_hint(lang, p.value);
    html! {
        <div class="field date-field">
            <label for={p.id.clone()}>{ p.label.clone() }</label>
            <p class="hint" id={hint_id}>{ hint }</p>
            <div class="date-inputs">
                <input id={p.id.clone()} ref={p.input_ref.clone()} type="text" value={(*text).clone()} inputmode="text" autocomplete="off"
                    {oninput} {onchange} disabled={p.disabled} required={p.required}
                    aria-invalid={ (error.is_some() || p.invalid).then_some("true") }
                    aria-describedby={described} />
                if p.era_choice {
                    <label class="era-label" for={format!("{}-era", p.id)}>{ app.t("6桁のときの元号", "Era for 6 digits") }</label>
                    <select id={format!("{}-era", p.id)} ref={p.era_ref.clone()} onchange={choose_era} disabled={p.disabled}>
                        { for ukemi_core::date::era_names().map(|(name, _)| html! {
                            <option value={name} selected={*era == name}>{ name }</option>
                        }) }
                    </select>
                }
                // The browser's calendar, for the mouse; the text field is the keyboard's way.
                <input type="date" class="date-picker" tabindex="-1" value={date_value(p.value)}
                    aria-label={ format!("{}{}", p.label, app.t("（カレンダーから選ぶ）", " (pick from a calendar)")) }
                    onchange={picked} disabled={p.disabled} />
            </div>
            if let Some(e) = &*error {
                <p class="error" id={error_id} role="alert">{ lang.t(e.message_ja(), e.message_en()) }</p>
            }
        </div>
    }
}

/// Moves the focus to the first of `ids` on the page once it has rendered.
pub fn focus_first(ids: &'static [&'static str]) {
    gloo_timers::callback::Timeout::new(0, move || {
        let doc = web_sys::window().and_then(|w| w.document());
        if let Some(el) = ids
            .iter()
            .find_map(|id| doc.as_ref()?.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    })
    .forget();
}

/// A date control's value handed to a setter that takes text (`YYYY-MM-DD`).
pub fn dated(cb: Callback<String>) -> Callback<Date> {
    Callback::from(move |d: Date| cb.emit(d.to_string()))
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

/// What a date field says under its label: the date as read, or how one may be typed.
pub(crate) fn date_hint(lang: crate::i18n::Lang, value: Option<Date>) -> String {
    match value {
        Some(d) => lang.t(
            format!("西暦 {d}。S43.4.12・昭和43年4月12日・430412 のようにも入力できます。"),
            format!("{d}. Also typed as S43.4.12, 昭和43年4月12日 or 430412."),
        ),
        None => lang
            .t(
                "S43.4.12・昭和43年4月12日・1968-04-12 のように入力できます。",
                "Type e.g. S43.4.12, 昭和43年4月12日 or 1968-04-12.",
            )
            .to_string(),
    }
}
