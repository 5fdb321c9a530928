//! The widget's panels as markup: the same elements, ids, labels and live regions as the
//! app's 受付 (`view/connection.rs`, `readers.rs`, `check.rs`, `insurance.rs`, `result.rs`),
//! whose texts and rules they share, so the stylesheet, the tests and a screen reader's user
//! meet one check. Pure: a state in, a tree out (`dom.rs` puts it on the page).

use super::dom::{el, El};
use super::Local;
use crate::i18n::Lang;
use crate::state::{Area, Conn, Pairing, State};
use crate::view::{check, connection, insurance, readers, result};
use ukemi_core::protocol::{CardKind, CheckMode, ErrorCode, ErrorDetail};

/// The whole widget. `insurance`: the check by numbers is offered (attribute `modes`).
pub fn widget(s: &State, local: &Local, insurance: bool) -> El {
    let lang = s.lang;
    let mut root = el("div")
        .class("ukemi-widget")
        .a("lang", lang.code())
        .k(connection_panel(s));
    if s.companion.ready() {
        root = root.k(readers_panel(s)).k(check_panel(s));
        if insurance {
            root = root.k(insurance_panel(s, local));
        }
        root = root.opt(result_panel(s));
    }
    // What the page says once (a check's steps, its outcome), for a screen reader.
    root.k(el("div")
        .id("announcer")
        .class("sr-only")
        .a("aria-live", "polite")
        .a("aria-atomic", "true")
        .t(s.announcement.clone()))
}

fn connection_panel(s: &State) -> El {
    let lang = s.lang;
    let failed = s.companion.conn == Conn::Failed;
    let mut p = el("section")
        .class("panel")
        .a("aria-labelledby", "conn-heading")
        .k(el("h2")
            .id("conn-heading")
            .t(lang.t("コンパニオン", "Companion")))
        .k(el("p")
            .id("companion-status")
            .a("role", "status")
            .a("aria-live", "polite")
            .a("tabindex", "-1")
            .a_if(failed, "class", "bad")
            .t(connection::status_text(lang, s)));
    if failed {
        p = p.k(el("button")
            .id("reconnect")
            .a("type", "button")
            .t(lang.t("再接続", "Reconnect")));
    }
    if matches!(s.companion.conn, Conn::Connected { .. }) {
        p = p.opt(pairing(s));
    }
    p
}

fn pairing(s: &State) -> Option<El> {
    let lang = s.lang;
    let failure = s
        .companion
        .failure
        .as_ref()
        .filter(|f| f.area == Area::Pairing)
        .map(|f| f.message(lang));
    let error = el("p")
        .id("pairing-error")
        .a("role", "alert")
        .class("error")
        .t(failure.unwrap_or_default());
    match &s.companion.pairing {
        Pairing::Waiting { code, approve_url } => Some(
            el("div")
                .class("pairing")
                .id("pairing-waiting")
                .k(el("p")
                    .id("pairing-status")
                    .a("role", "status")
                    .t(lang.t(connection::WAITING.0, connection::WAITING.1)))
                .k(el("p").t(lang.t(connection::MATCH_NUMBER.0, connection::MATCH_NUMBER.1)))
                .k(el("p")
                    .t(lang.t("確認番号", "Number"))
                    .t(" ")
                    .k(el("strong")
                        .id("pairing-code")
                        .class("pairing-code")
                        .t(connection::grouped(code))))
                .k(el("p").k(el("a")
                    .id("approve-link")
                    .a("href", approve_url.clone())
                    .a("target", "_blank")
                    .a("rel", "noopener noreferrer")
                    .t(lang.t(
                        "承認画面を開く（新しいタブ）",
                        "Open the approval page (new tab)",
                    ))))
                .k(error),
        ),
        Pairing::NotPaired => Some(
            el("div")
                .class("pairing")
                .id("pairing-ask")
                .k(el("p").t(lang.t(connection::NOT_PAIRED.0, connection::NOT_PAIRED.1)))
                .k(el("button")
                    .id("pair-request")
                    .a("type", "button")
                    .t(lang.t("連携を依頼する", "Ask to pair")))
                .k(error),
        ),
        _ => None,
    }
}

fn readers_panel(s: &State) -> El {
    let lang = s.lang;
    let c = &s.companion;
    let current = c.reader().map(|r| r.name.as_str());
    let status = readers::status_text(lang, c);
    let mut p = el("section")
        .class("panel")
        .a("aria-labelledby", "reader-heading")
        .k(el("h2")
            .id("reader-heading")
            .a("tabindex", "-1")
            .t(lang.t("カードリーダー", "Card reader")));
    if c.readers.len() > 1 {
        p = p
            .k(el("label")
                .a("for", "reader-select")
                .t(lang.t("使うカードリーダー", "Reader to use")))
            .k(el("select")
                .id("reader-select")
                .ks(c.readers.iter().map(|r| {
                    el("option")
                        .a("value", r.name.clone())
                        .a(".selected", bool_text(Some(r.name.as_str()) == current))
                        .t(readers::reader_name(lang, &r.name))
                })));
    }
    p = p.k(el("p")
        .id("reader-status")
        .a("role", "status")
        .a("aria-live", "polite")
        .t(status));
    if c.simulator {
        p = p.k(sim_panel(s));
    }
    p
}

fn sim_panel(s: &State) -> El {
    let lang = s.lang;
    let failure = s
        .check
        .failure
        .as_ref()
        .filter(|f| f.area == Area::Simulator);
    el("div")
        .class("sim")
        .a("role", "group")
        .a("aria-labelledby", "sim-heading")
        .k(el("h3")
            .id("sim-heading")
            .t(lang.t("練習用カード", "Practice cards")))
        .k(el("p").t(lang.t(
            "練習用カードの暗証番号は 1234 です。",
            "The PIN of every practice card is 1234.",
        )))
        .k(el("label")
            .a("for", "sim-persona")
            .t(lang.t("カードの種類", "Card")))
        .k(el("select")
            .id("sim-persona")
            .ks(s.companion.personas.iter().map(|p| {
                el("option")
                    .a("value", p.id.clone())
                    .a_if(p.id == "normal", "selected", "")
                    .t(p.label.clone())
            })))
        .k(el("button")
            .id("sim-insert")
            .a("type", "button")
            .t(lang.t("カードを置く", "Insert card")))
        .k(el("button")
            .id("sim-remove")
            .a("type", "button")
            .t(lang.t("カードを外す", "Remove card")))
        .opt(failure.map(|f| {
            el("p")
                .id("sim-error")
                .a("role", "alert")
                .class("error")
                .t(f.message(lang))
        }))
}

fn bool_text(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

fn check_panel(s: &State) -> El {
    let lang = s.lang;
    let card = s.companion.card();
    let is_my_number = card.is_some_and(|c| c.kind == CardKind::MyNumber);
    let tries = card.and_then(|c| c.pin_tries_left);
    let locked = tries == Some(0);
    let mode = check::mode(s);
    let failure = s.check.failure.as_ref().filter(|f| f.area == Area::Check);
    let pin_wrong =
        failure.is_some_and(|f| matches!(f.code, ErrorCode::PinWrong | ErrorCode::PinFormat));
    let radio = |id: &'static str, m: CheckMode, label: &'static str| {
        el("label")
            .class("choice")
            .k(el("input")
                .a("type", "radio")
                .id(id)
                .a("name", "mode")
                .a(".checked", bool_text(mode == m)))
            .t(label)
    };
    let mut form = el("form")
        .id("check-form")
        .a("novalidate", "")
        .k(el("fieldset")
            .k(el("legend").t(lang.t("本人確認の方法", "How the patient is identified")))
            .k(radio(
                "mode-pin",
                CheckMode::Pin,
                lang.t("暗証番号（4桁）", "PIN (4 digits)"),
            ))
            .k(radio(
                "mode-visual",
                CheckMode::Visual,
                lang.t("目視確認（顔写真で確認）", "Visual check (face photo)"),
            )));
    let locked_text = || {
        let d = ErrorDetail::default();
        lang.t(
            ErrorCode::PinLocked.message_ja(&d),
            ErrorCode::PinLocked.message_en(&d),
        )
    };
    if mode == CheckMode::Pin {
        if let Some(n) = tries.filter(|_| is_my_number) {
            form = form.k(el("p")
                .id("pin-tries")
                .a("role", "status")
                .a("aria-live", "polite")
                .a_if(n <= 1, "class", "warn")
                .t(check::tries_text(lang, n)));
        }
        if locked {
            form = form.k(el("div")
                .class("warn-box")
                .a("role", "alert")
                .k(el("p").t(locked_text()))
                .k(el("button")
                    .a("type", "button")
                    .id("switch-visual")
                    .t(lang.t("目視確認に切り替える", "Switch to the visual check"))));
        } else {
            form = form
                .k(el("label")
                    .a("for", "pin")
                    .t(lang.t("暗証番号（4桁）", "PIN (4 digits)")))
                .k(el("input")
                    .id("pin")
                    .a("type", "password")
                    .a("inputmode", "numeric")
                    .a("maxlength", "4")
                    .a("autocomplete", "off")
                    .a_if(pin_wrong, "aria-invalid", "true")
                    .a("aria-describedby", "pin-tries check-error"));
            if tries == Some(1) {
                form = form.k(el("div")
                    .class("warn-box")
                    .a("role", "alert")
                    .k(el("p").t(lang.t(check::LAST_TRY.0, check::LAST_TRY.1)))
                    .k(el("label")
                        .class("choice")
                        .k(el("input").a("type", "checkbox").id("allow-last-try"))
                        .t(lang.t(check::LAST_TRY_CONSENT.0, check::LAST_TRY_CONSENT.1))));
            }
        }
    } else {
        if locked && is_my_number {
            // Why the page chose the visual check: the patient must still hear it.
            form = form.k(el("div")
                .class("warn-box")
                .a("role", "status")
                .k(el("p").t(locked_text())));
        }
        form = form.k(el("label")
            .class("choice")
            .k(el("input").a("type", "checkbox").id("visual-confirmed"))
            .t(lang.t(check::SAME_PERSON.0, check::SAME_PERSON.1)));
    }
    form = form.k(el("button")
        .id("check-button")
        .a("type", "submit")
        .a_if(
            s.check.running || s.companion.reader().is_none(),
            "disabled",
            "",
        )
        .t(lang.t("資格確認", "Check eligibility")));
    el("section")
        .class("panel")
        .a("aria-labelledby", "check-heading")
        .k(el("h2")
            .id("check-heading")
            .t(lang.t("マイナンバーカードで確認", "Check with the My Number card")))
        .k(form)
        // Progress is said once per step by the announcer; here it is only shown.
        .k(el("p")
            .id("check-status")
            .t(check::status_text(lang, &s.check)))
        // Not an alert: the focus is moved here (or to the PIN box it describes).
        .k(el("p")
            .id("check-error")
            .class("error")
            .a("tabindex", "-1")
            .t(failure.map(|f| f.message(lang)).unwrap_or_default()))
}

fn insurance_panel(s: &State, local: &Local) -> El {
    let lang = s.lang;
    let failure = s
        .check
        .failure
        .as_ref()
        .filter(|f| f.area == Area::Insurance);
    let bad_field = failure.and_then(|f| f.detail.field.as_deref());
    let field = |i: usize, label: &'static str, mode: &'static str| {
        let (id, name) = insurance::FIELDS[i];
        let invalid = bad_field == Some(name);
        el("div")
            .class("field")
            .k(el("label").a("for", id).t(label))
            .k(el("input")
                .id(id)
                .a("type", "text")
                .a("inputmode", mode)
                .a("autocomplete", "off")
                .a_if(invalid, "aria-invalid", "true")
                .a_if(invalid, "aria-describedby", "ins-error"))
    };
    let mut form = el("form")
        .id("ins-form")
        .a("novalidate", "")
        .class("grid")
        .k(field(0, lang.t("保険者番号", "Insurer number"), "numeric"))
        .k(field(1, lang.t("記号", "Symbol"), "text"))
        .k(field(2, lang.t("番号", "Number"), "text"))
        .k(field(3, lang.t("枝番", "Branch"), "numeric"))
        .k(birth_field(lang, local, bad_field == Some("birthdate")));
    form = form.k(el("button")
        .id("ins-check-button")
        .a("type", "submit")
        .a_if(s.check.running, "disabled", "")
        .t(lang.t("資格確認", "Check eligibility")));
    let mut p = el("section")
        .class("panel")
        .a("aria-labelledby", "ins-heading")
        .k(el("h2").id("ins-heading").t(lang.t(
            "保険者番号等で確認（資格確認書）",
            "Check by insurance numbers",
        )))
        .k(form);
    if s.check.running {
        p = p.k(el("p")
            .id("ins-status")
            .t(lang.t("確認を始めています…", "Starting the check…")));
    }
    p.k(el("p")
        .id("ins-error")
        .a("role", "alert")
        .class("error")
        .t(failure.map(|f| f.message(lang)).unwrap_or_default()))
}

/// The date of birth as people write it (`S43.4.12`, `昭和43年4月12日`, `430412` with the
/// era beside it), or picked from the browser's calendar — the app's `DateField`.
fn birth_field(lang: Lang, local: &Local, refused: bool) -> El {
    const ID: &str = "ins-birthdate";
    let hint = crate::view::form::date_hint(lang, local.birth);
    let mut described = vec!["ins-birthdate-hint"];
    if local.birth_error.is_some() {
        described.push("ins-birthdate-error");
    }
    if refused {
        described.push("ins-error");
    }
    let label = lang.t("生年月日", "Date of birth");
    el("div")
        .class("field date-field")
        .k(el("label").a("for", ID).t(label))
        .k(el("p").class("hint").id("ins-birthdate-hint").t(hint))
        .k(el("div")
            .class("date-inputs")
            .k(el("input")
                .id(ID)
                .a("type", "text")
                .a("inputmode", "text")
                .a("autocomplete", "off")
                .a_if(
                    local.birth_error.is_some() || refused,
                    "aria-invalid",
                    "true",
                )
                .a("aria-describedby", described.join(" ")))
            .k(el("label")
                .class("era-label")
                .a("for", "ins-birthdate-era")
                .t(lang.t("6桁のときの元号", "Era for 6 digits")))
            .k(el("select")
                .id("ins-birthdate-era")
                .ks(ukemi_core::date::era_names().map(|(name, _)| {
                    el("option")
                        .a("value", name)
                        .a(".selected", bool_text(local.era() == name))
                        .t(name)
                })))
            // The browser's calendar, for the mouse; the text field is the keyboard's way.
            .k(el("input")
                .id("ins-birthdate-calendar")
                .a("type", "date")
                .class("date-picker")
                .a("tabindex", "-1")
                .a(
                    ".value",
                    local.birth.map(|d| d.to_string()).unwrap_or_default(),
                )
                .a(
                    "aria-label",
                    format!(
                        "{label}{}",
                        lang.t("（カレンダーから選ぶ）", " (pick from a calendar)")
                    ),
                )))
        .opt(local.birth_error.as_ref().map(|e| {
            el("p")
                .class("error")
                .id("ins-birthdate-error")
                .a("role", "alert")
                .t(lang.t(e.message_ja(), e.message_en()))
        }))
}

fn result_panel(s: &State) -> Option<El> {
    let r = s.check.result.as_ref()?;
    let lang = s.lang;
    let valid = r.validity.is_valid();
    let in_force_newer = result::in_force_newer(r);
    let advice = result::advice(lang, r);
    // The widget registers nobody: the qualification the app would register is the default.
    let no_address = r
        .default_choice()
        .and_then(|i| r.qualifications.get(i))
        .is_some_and(|q| q.address.as_deref().is_none_or(|a| a.trim().is_empty()));
    let mut p = el("section")
        .id("result")
        .class(if valid || in_force_newer {
            "panel ok"
        } else {
            "panel bad"
        })
        .a("aria-labelledby", "result-heading")
        .k(el("h2")
            .id("result-heading")
            .a("tabindex", "-1")
            .t(lang.t("資格確認結果", "Eligibility result")))
        .k(el("p")
            .id("result-validity")
            .class("validity")
            .t(lang.t("資格有効性：", "Validity: "))
            .k(el("strong").t(lang.t(r.validity.label_ja(), r.validity.label_en())))
            .t(if valid { " ✓" } else { " ✗" }));
    if !advice.is_empty() {
        p = p.k(el("p").id("result-advice").class("advice").t(advice));
    }
    if let Some(n) = &r.notice {
        p = p.k(el("p").class("notice").t(n.clone()));
    }
    p = p.k(el("p")
        .t(lang.t("確認方法：", "Method: "))
        .t(lang.t(r.reference.label_ja(), r.reference.label_en()))
        .t("　")
        .t(result::both(r.checked_on)));
    for (i, q) in r.qualifications.iter().enumerate() {
        let n = i + 1;
        p = p.k(el("section")
            .class("qualification")
            .id(format!("qualification-{n}"))
            .a("aria-labelledby", format!("qualification-{n}-heading"))
            .k(el("h3")
                .id(format!("qualification-{n}-heading"))
                .t(result::qualification_heading(lang, r, i)))
            .k(el("dl")
                .class("result")
                .ks(result::qualification_rows(lang, q, i == 0)
                    .into_iter()
                    .flat_map(|row| {
                        let mut dd = el("dd");
                        if let Some(id) = row.id {
                            dd = dd.id(id);
                        }
                        [
                            el("dt").t(row.label),
                            dd.a_if(row.ja, "lang", "ja").t(row.value),
                        ]
                    }))));
    }
    if no_address {
        p = p.k(el("p")
            .id("address-missing")
            .class("warn-box")
            .k(el("strong")
                .t(lang.t(result::NO_ADDRESS.0, result::NO_ADDRESS.1))
                .t(lang.t("患者さんに確認してください。", " Ask the patient."))));
    }
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{companion::Action as C, Action};
    use ukemi_core::protocol::{CardInfo, ReaderInfo};
    use ukemi_core::Date;

    fn paired(card: Option<CardInfo>) -> State {
        let mut s = State::default();
        s.apply(Action::Companion(C::Connected {
            host: "127.0.0.1:47615".into(),
            simulator: false,
            keeps_book: false,
            need_pairing: false,
        }));
        s.apply(Action::Companion(C::Paired));
        s.apply(Action::Companion(C::Readers(vec![ReaderInfo {
            name: "R1".into(),
            simulated: false,
            card,
        }])));
        s
    }

    fn my_number(tries: u8) -> Option<CardInfo> {
        Some(CardInfo {
            kind: CardKind::MyNumber,
            pin_tries_left: Some(tries),
        })
    }

    fn ids(tree: &El) -> Vec<&str> {
        tree.walk()
            .into_iter()
            .filter_map(|e| e.attr("id"))
            .collect()
    }

    /// Every control is labelled: a `<label for>` naming it, a label around it, or its own
    /// `aria-label`; and no id is used twice (a label or a description would find the wrong one).
    fn assert_accessible(tree: &El) {
        let all = tree.walk();
        let fors: Vec<&str> = all
            .iter()
            .filter(|e| e.tag == "label")
            .filter_map(|e| e.attr("for"))
            .collect();
        let wrapped: Vec<&str> = all
            .iter()
            .filter(|e| e.tag == "label")
            .flat_map(|l| l.walk())
            .filter_map(|e| e.attr("id"))
            .collect();
        for e in &all {
            if matches!(e.tag, "input" | "select") {
                let id = e.attr("id").unwrap_or_default();
                assert!(
                    fors.contains(&id) || wrapped.contains(&id) || e.attr("aria-label").is_some(),
                    "unlabelled {} #{id}",
                    e.tag
                );
            }
        }
        let mut seen = ids(tree);
        let n = seen.len();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), n, "an id is used twice: {:?}", ids(tree));
    }

    #[test]
    fn in_english_every_text_is_english() {
        let mut s = paired(my_number(3));
        s.lang = Lang::En;
        let tree = widget(&s, &Local::default(), true);
        assert_eq!(tree.attr("lang"), Some("en"));
        let text = tree.text();
        assert!(
            text.contains("Connected to the companion") && text.contains("PIN tries left: 3"),
            "{text}"
        );
        assert!(!text.contains("コンパニオン"), "{text}");
        assert_accessible(&tree);
    }

    #[test]
    fn before_pairing_only_the_connection_is_shown_and_announced() {
        let mut s = State::default();
        let tree = widget(&s, &Local::default(), true);
        assert!(tree.text().contains("コンパニオンに接続しています"));
        assert!(!ids(&tree).contains(&"check-form"));
        s.apply(Action::Companion(C::Connected {
            host: "h".into(),
            simulator: false,
            keeps_book: false,
            need_pairing: true,
        }));
        s.apply(Action::Companion(C::NotPaired));
        let tree = widget(&s, &Local::default(), true);
        assert!(ids(&tree).contains(&"pair-request"), "{:?}", ids(&tree));
        let status = tree
            .walk()
            .into_iter()
            .find(|e| e.attr("id") == Some("companion-status"))
            .cloned();
        assert_eq!(
            status
                .and_then(|e| e.attr("aria-live").map(String::from))
                .as_deref(),
            Some("polite")
        );
        assert_accessible(&tree);
    }

    #[test]
    fn the_pin_box_the_last_try_consent_and_a_locked_card_follow_the_card() {
        let s = paired(my_number(3));
        let tree = widget(&s, &Local::default(), true);
        let found = ids(&tree);
        assert!(
            found.contains(&"pin") && !found.contains(&"allow-last-try"),
            "{found:?}"
        );
        assert!(tree.text().contains("暗証番号の残り回数：3回"));
        assert_accessible(&tree);

        let tree = widget(&paired(my_number(1)), &Local::default(), true);
        assert!(ids(&tree).contains(&"allow-last-try"));
        assert_accessible(&tree);

        // Locked: no PIN box; the visual check is the default, and the page says why.
        let s = paired(my_number(0));
        assert_eq!(check::mode(&s), CheckMode::Visual);
        let tree = widget(&s, &Local::default(), true);
        let found = ids(&tree);
        assert!(
            !found.contains(&"pin") && found.contains(&"visual-confirmed"),
            "{found:?}"
        );
        assert!(tree.text().contains("ロック"), "{}", tree.text());
        assert_accessible(&tree);
    }

    #[test]
    fn the_numbers_form_is_offered_only_when_asked_and_marks_the_refused_field() {
        let mut s = paired(None);
        assert!(!ids(&widget(&s, &Local::default(), false)).contains(&"ins-form"));
        s.apply(Action::Failure(crate::state::Failure {
            area: Area::Insurance,
            code: ErrorCode::InvalidQuery,
            message_ja: "番号を入力してください。".into(),
            message_en: Some("Enter the number.".into()),
            detail: ErrorDetail::field("number"),
        }));
        let tree = widget(&s, &Local::default(), true);
        let number = tree
            .walk()
            .into_iter()
            .find(|e| e.attr("id") == Some("ins-number"))
            .cloned()
            .expect("the number field");
        assert_eq!(number.attr("aria-invalid"), Some("true"));
        assert_eq!(number.attr("aria-describedby"), Some("ins-error"));
        assert!(tree.text().contains("番号を入力してください。"));
        // No reader: the card's check cannot be pressed.
        s.apply(Action::Companion(C::Readers(Vec::new())));
        let tree = widget(&s, &Local::default(), true);
        let button = tree
            .walk()
            .into_iter()
            .find(|e| e.attr("id") == Some("check-button"))
            .cloned()
            .expect("the check button");
        assert!(button.attr("disabled").is_some());
        assert_accessible(&tree);
    }

    #[test]
    fn a_typed_birthdate_is_hinted_and_a_wrong_one_described() {
        let s = paired(None);
        let local = Local {
            birth: Date::parse("1968-04-12").ok(),
            ..Local::default()
        };
        let tree = widget(&s, &local, true);
        assert!(tree.text().contains("西暦 1968-04-12"), "{}", tree.text());
        let local = Local {
            birth_error: Some(ukemi_core::date::TypedDateError::Empty),
            ..Local::default()
        };
        let tree = widget(&s, &local, true);
        let input = tree
            .walk()
            .into_iter()
            .find(|e| e.attr("id") == Some("ins-birthdate"))
            .cloned()
            .expect("the field");
        assert_eq!(input.attr("aria-invalid"), Some("true"));
        assert_eq!(
            input.attr("aria-describedby"),
            Some("ins-birthdate-hint ins-birthdate-error")
        );
        assert_accessible(&tree);
    }
}
