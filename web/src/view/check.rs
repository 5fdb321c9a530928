//! The check by card: PIN or 目視確認. The tries left are shown before the PIN is asked;
//! with one try left the patient's consent is required; a locked PIN is explained and the
//! visual check offered. The PIN lives only in the input field and is cleared once sent.

use super::form::focus_into_view;
use super::use_app;
use crate::i18n::Lang;
use crate::state::{check, Action, Area};
use ukemi_core::protocol::{CardKind, CheckMode, Command, ErrorCode, ErrorDetail, Pin};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[function_component(Check)]
pub fn check() -> Html {
    let app = use_app();
    let s = &app.state;
    let pin_ref = use_node_ref();
    let last_try_ref = use_node_ref();
    let visual_ref = use_node_ref();
    let card = s.companion.card();
    let is_my_number = card.is_some_and(|c| c.kind == CardKind::MyNumber);
    let tries = card.and_then(|c| c.pin_tries_left);
    let locked = tries == Some(0);
    let mode = mode(s);
    let set_mode = |m: CheckMode| {
        let state = app.state.clone();
        Callback::from(move |_: Event| state.dispatch(Action::from(check::Action::SetMode(m))))
    };
    let to_visual = {
        let state = app.state.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::from(check::Action::SetMode(CheckMode::Visual)))
        })
    };
    let onsubmit = {
        let (pin_ref, last_try_ref, visual_ref) =
            (pin_ref.clone(), last_try_ref.clone(), visual_ref.clone());
        let send = app.ctl.send.clone();
        let state = app.state.clone();
        let reader = s.companion.reader().map(|r| r.name.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(reader) = reader.clone() else { return };
            let checked = |r: &NodeRef| r.cast::<HtmlInputElement>().is_some_and(|el| el.checked());
            let pin = match mode {
                CheckMode::Pin => match pin_ref.cast::<HtmlInputElement>() {
                    Some(el) => {
                        let typed = el.value();
                        // Cleared before anything else can read it again.
                        el.set_value("");
                        typed
                    }
                    None => return,
                },
                CheckMode::Visual => String::new(),
            };
            match card_command(
                reader,
                mode,
                &pin,
                checked(&last_try_ref),
                checked(&visual_ref),
            ) {
                Ok(c) => send.emit(c),
                Err(f) => return state.dispatch(Action::Failure(*f)),
            }
            // Consent and the photo comparison are per check, never carried to the next patient.
            for r in [&last_try_ref, &visual_ref] {
                if let Some(el) = r.cast::<HtmlInputElement>() {
                    el.set_checked(false);
                }
            }
        })
    };
    let failure = s.check.failure.as_ref().filter(|f| f.area == Area::Check);
    let message = |f: &crate::state::Failure| f.message(app.lang());
    let pin_wrong =
        failure.is_some_and(|f| matches!(f.code, ErrorCode::PinWrong | ErrorCode::PinFormat));
    {
        // A card placed: the PIN box (or the photo check) takes the focus, scrolled into
        // view, so the receptionist types without hunting for it.
        let present = card.is_some_and(|c| c.kind == CardKind::MyNumber);
        let target = match mode {
            CheckMode::Pin if !locked => "pin",
            _ => "visual-confirmed",
        };
        let first = use_mut_ref(|| true);
        use_effect_with(s.companion.card_seq, move |_| {
            // Not on the first render: a card already in when the page opened is not news.
            let first = std::mem::replace(&mut *first.borrow_mut(), false);
            if present && !first {
                focus_into_view(target);
            }
            || ()
        });
    }
    {
        // A failed check: the focus goes where the fix is (the PIN box for a wrong PIN, the
        // message otherwise), never back to the page's top.
        let code = failure.map(|f| f.code);
        let seq = s.check.failure_seq;
        let ours = failure.is_some();
        use_effect_with(seq, move |_| {
            if ours {
                match code {
                    Some(ErrorCode::PinWrong | ErrorCode::PinFormat) => focus_into_view("pin"),
                    _ => focus_into_view("check-error"),
                }
            }
            || ()
        });
    }
    let status = status_text(app.lang(), &s.check);
    html! {
        <section class="panel" aria-labelledby="check-heading">
            <h2 id="check-heading">{ app.t("マイナンバーカードで確認", "Check with the My Number card") }</h2>
            <form onsubmit={onsubmit} novalidate=true>
                <fieldset>
                    <legend>{ app.t("本人確認の方法", "How the patient is identified") }</legend>
                    <label class="choice">
                        <input type="radio" id="mode-pin" name="mode" checked={mode == CheckMode::Pin} onchange={set_mode(CheckMode::Pin)} />
                        { app.t("暗証番号（4桁）", "PIN (4 digits)") }
                    </label>
                    <label class="choice">
                        <input type="radio" id="mode-visual" name="mode" checked={mode == CheckMode::Visual} onchange={set_mode(CheckMode::Visual)} />
                        { app.t("目視確認（顔写真で確認）", "Visual check (face photo)") }
                    </label>
                </fieldset>
                if mode == CheckMode::Pin {
                    if let Some(n) = tries.filter(|_| is_my_number) {
                        <p id="pin-tries" role="status" aria-live="polite" class={classes!((n <= 1).then_some("warn"))}>
                            { tries_text(app.lang(), n) }
                        </p>
                    }
                    if locked {
                        <div class="warn-box" role="alert">
                            <p>{ ErrorCode::PinLocked.message_ja(&ErrorDetail::default()) }</p>
                            <button type="button" id="switch-visual" onclick={to_visual}>
                                { app.t("目視確認に切り替える", "Switch to the visual check") }
                            </button>
                        </div>
                    } else {
                        <label for="pin">{ app.t("暗証番号（4桁）", "PIN (4 digits)") }</label>
                        <input id="pin" ref={pin_ref} type="password" inputmode="numeric" maxlength="4" autocomplete="off"
                            aria-invalid={ pin_wrong.then_some("true") } aria-describedby="pin-tries check-error" />
                        if tries == Some(1) {
                            <div class="warn-box" role="alert">
                                <p>{ app.t(LAST_TRY.0, LAST_TRY.1) }</p>
                                <label class="choice">
                                    <input type="checkbox" id="allow-last-try" ref={last_try_ref} />
                                    { app.t(LAST_TRY_CONSENT.0, LAST_TRY_CONSENT.1) }
                                </label>
                            </div>
                        }
                    }
                } else {
                    if locked && is_my_number {
                        // Why the page chose the visual check: the patient must still hear it.
                        <div class="warn-box" role="status">
                            <p>{ app.t(ErrorCode::PinLocked.message_ja(&ErrorDetail::default()), ErrorCode::PinLocked.message_en(&ErrorDetail::default())) }</p>
                        </div>
                    }
                    <label class="choice">
                        <input type="checkbox" id="visual-confirmed" ref={visual_ref} />
                        { app.t(SAME_PERSON.0, SAME_PERSON.1) }
                    </label>
                }
                <button id="check-button" type="submit" disabled={s.check.running || s.companion.reader().is_none()}>
                    { app.t("資格確認", "Check eligibility") }
                </button>
            </form>
            // Progress is said once per step by the page's announcer; here it is only shown.
            <p id="check-status">{ status }</p>
            // Not an alert: the focus is moved here (or to the PIN box it describes), which
            // reads it once.
            <p id="check-error" class="error" tabindex="-1">{ failure.map(message).unwrap_or_default() }</p>
        </section>
    }
}

/// What the check is doing, while it runs (shown; the page's announcer says each step once).
pub(crate) fn status_text(lang: Lang, c: &check::Check) -> String {
    let progress = c.progress.map(|p| lang.t(p.label_ja(), p.label_en()));
    match (c.running, progress) {
        (true, Some(p)) => format!("{p}…"),
        (true, None) => lang
            .t("確認を始めています…", "Starting the check…")
            .to_string(),
        _ => String::new(),
    }
}

pub(crate) fn tries_text(lang: Lang, n: u8) -> String {
    lang.t(
        format!("暗証番号の残り回数：{n}回"),
        format!("PIN tries left: {n}"),
    )
}

pub(crate) const LAST_TRY: (&str, &str) = (
    "残り1回です。間違えるとロックされ、市区町村の窓口での再設定が必要になります。",
    "One try left. A wrong PIN locks the card; the patient must then reset it at the municipal office.",
);
pub(crate) const LAST_TRY_CONSENT: (&str, &str) = (
    "残り1回であることを患者さんに伝え、入力に同意を得ました",
    "I told the patient one try is left and they agree to try",
);
pub(crate) const SAME_PERSON: (&str, &str) = (
    "カードの顔写真とご本人が同一であることを確認しました",
    "I compared the face photo with the patient: same person",
);

/// What a press of 資格確認 sends, or the page's own refusal (a PIN that is not 4 digits is
/// never sent). `pin` is what the box held (ignored for the visual check).
pub(crate) fn card_command(
    reader: String,
    mode: CheckMode,
    pin: &str,
    allow_last_try: bool,
    visual_confirmed: bool,
) -> Result<Command, Box<crate::state::Failure>> {
    let pin = match mode {
        CheckMode::Pin => {
            let pin = Pin::new(pin);
            if !pin.is_well_formed() {
                return Err(Box::new(crate::state::Failure {
                    area: Area::Check,
                    code: ErrorCode::PinFormat,
                    message_ja: ErrorCode::PinFormat.message_ja(&ErrorDetail::default()),
                    message_en: None,
                    detail: ErrorDetail::default(),
                }));
            }
            Some(pin)
        }
        CheckMode::Visual => None,
    };
    Ok(Command::CheckByCard {
        reader,
        mode,
        pin,
        allow_last_try,
        visual_confirmed,
    })
}

/// The way the patient is identified: the one chosen, else PIN unless the card is locked.
pub(crate) fn mode(s: &crate::state::State) -> CheckMode {
    let locked = s.companion.card().and_then(|c| c.pin_tries_left) == Some(0);
    s.check.mode.unwrap_or(if locked {
        CheckMode::Visual
    } else {
        CheckMode::Pin
    })
}
