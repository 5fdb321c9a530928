//! The page's state: one part per screen or edge, each a module with its own `Action` and a
//! `reduce` over plain data (no sending, no storage, no DOM), so they are tested natively
//! (`cargo test -p ukemi-web`). `State` composes them; its reducer routes each action to its
//! part and carries what crosses parts (a registration is the check's press and the book's
//! edit; every part may say one sentence to the polite live region).

pub mod check;
pub mod companion;
pub mod readiness;
pub mod records;

pub use companion::{Conn, Pairing};
pub use records::{BookStatus, Durable, Offer};

use crate::i18n::Lang;
use std::rc::Rc;
use ukemi_core::protocol::{ErrorCode, ErrorDetail};
use yew::Reducible;

/// Which part of the page an error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Pairing,
    Check,
    Insurance,
    Simulator,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub area: Area,
    pub code: ErrorCode,
    /// The companion's Japanese text.
    pub message_ja: String,
    /// The page's own English text, when it found the error itself (else the code's).
    pub message_en: Option<String>,
    pub detail: ErrorDetail,
}

impl Failure {
    /// The text in the page's language.
    pub fn message(&self, lang: Lang) -> String {
        if self.code == ErrorCode::ServiceError {
            return service_error_text(lang, &self.detail);
        }
        match (lang, &self.message_en) {
            (Lang::Ja, _) => self.message_ja.clone(),
            (Lang::En, Some(en)) => en.clone(),
            (Lang::En, None) => self.code.message_en(&self.detail),
        }
    }
}

/// The service's error in the clinic's words. The service's own message is shown as it
/// came (it is written for clinics); the companion's internal codes (`E-PARSE`) are put in
/// plain words, and any code is kept last, labelled as the number to quote to support.
fn service_error_text(lang: Lang, d: &ErrorDetail) -> String {
    let code = d.service_code.as_deref().unwrap_or("");
    let what = match (code, lang) {
        ("E-PARSE", Lang::Ja) => "資格確認サービスからの応答を読み取れませんでした。".to_string(),
        ("E-PARSE", Lang::En) => "The eligibility service's answer could not be read.".to_string(),
        (c, Lang::Ja) if c.starts_with("E-CERT") || c == "E-SIGNATURE" || c == "E-CHALLENGE" => {
            "カードの電子証明書を資格確認サービスで確認できませんでした。".to_string()
        }
        (c, Lang::En) if c.starts_with("E-CERT") || c == "E-SIGNATURE" || c == "E-CHALLENGE" => {
            "The eligibility service could not verify the card's certificate.".to_string()
        }
        (_, Lang::Ja) => match d
            .service_message
            .as_deref()
            .filter(|m| !m.trim().is_empty())
        {
            Some(m) => format!("資格確認サービスがエラーを返しました：{m}。"),
            None => "資格確認サービスがエラーを返しました。".to_string(),
        },
        (_, Lang::En) => "The eligibility service returned an error.".to_string(),
    };
    let again = lang.t("時間をおいて再度お試しください。", " Try again later.");
    match (code.is_empty(), lang) {
        (true, _) => format!("{what}{again}"),
        (false, Lang::Ja) => format!("{what}{again}（問い合わせ用の番号：{code}）"),
        (false, Lang::En) => format!("{what}{again} (code for support: {code})"),
    }
}

/// The screens, each at its own `#hash` so a bookmark or the back button lands there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    #[default]
    Reception,
    Patients,
    Records,
    Claims,
    /// 窓口会計: the day's takings, 明細書・領収証, 日計表.
    Desk,
    Settings,
    Readiness,
}

impl Screen {
    pub const ALL: [Screen; 7] = [
        Screen::Reception,
        Screen::Patients,
        Screen::Records,
        Screen::Claims,
        Screen::Desk,
        Screen::Settings,
        Screen::Readiness,
    ];
    pub fn hash(self) -> &'static str {
        match self {
            Screen::Reception => "reception",
            Screen::Patients => "patients",
            Screen::Records => "records",
            Screen::Claims => "claims",
            Screen::Desk => "desk",
            Screen::Settings => "settings",
            Screen::Readiness => "readiness",
        }
    }
    pub fn from_hash(h: &str) -> Screen {
        let h = h.trim_start_matches('#');
        let name = h.split(['/', '?']).next().unwrap_or("");
        Screen::ALL
            .into_iter()
            .find(|s| s.hash() == name)
            .unwrap_or_default()
    }
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Screen::Reception => ("受付", "Reception"),
            Screen::Patients => ("患者", "Patients"),
            Screen::Records => ("施術録", "Treatment records"),
            Screen::Claims => ("月次請求", "Monthly claims"),
            Screen::Desk => ("窓口会計", "Front desk"),
            Screen::Settings => ("設定", "Settings"),
            Screen::Readiness => ("導入状況", "Readiness"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    pub lang: Lang,
    pub screen: Screen,
    /// The trainer demo (`?demo`): everything runs in the page.
    pub demo: bool,
    /// A short sentence for the page's polite live region.
    pub announcement: String,
    pub companion: companion::Companion,
    pub check: check::Check,
    pub records: records::Records,
    pub readiness: readiness::Readiness,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SetLang(Lang),
    Navigate(Screen),
    /// A sentence for the polite live region (what the page just showed, in its words).
    Announce(String),
    /// A failure, routed by its area: pairing's to the companion, the rest to the check.
    Failure(Failure),
    Companion(companion::Action),
    Check(check::Action),
    Records(records::Action),
    Readiness(readiness::Action),
}

impl From<companion::Action> for Action {
    fn from(a: companion::Action) -> Self {
        Action::Companion(a)
    }
}
impl From<check::Action> for Action {
    fn from(a: check::Action) -> Self {
        Action::Check(a)
    }
}
impl From<records::Action> for Action {
    fn from(a: records::Action) -> Self {
        Action::Records(a)
    }
}
impl From<readiness::Action> for Action {
    fn from(a: readiness::Action) -> Self {
        Action::Readiness(a)
    }
}

impl State {
    /// The app's reducer over plain data: each action to its part, then what crosses parts.
    pub fn apply(&mut self, action: Action) {
        let lang = self.lang;
        match action {
            Action::SetLang(l) => self.lang = l,
            Action::Navigate(screen) => {
                if self.screen != screen {
                    // What was said about the last screen is not said again on this one.
                    self.announcement.clear();
                }
                self.screen = screen;
                self.records.edit_error = None;
            }
            Action::Announce(text) => self.announcement = text,
            Action::Failure(f) if f.area == Area::Pairing => {
                companion::reduce(&mut self.companion, companion::Action::PairingFailed(f))
            }
            Action::Failure(f) => self.apply(Action::Check(check::Action::Failure(f))),
            Action::Companion(a) => {
                if a == companion::Action::Connecting {
                    check::reduce(&mut self.check, lang, check::Action::Interrupted);
                }
                companion::reduce(&mut self.companion, a);
            }
            Action::Check(a) => {
                let out = check::reduce(&mut self.check, lang, a);
                self.say(out.announce);
                // The widget (no cargo feature `app`) registers nobody: it links no book.
                #[cfg(feature = "app")]
                if let Some((edit, by)) = out.register {
                    let done =
                        records::reduce(&mut self.records, lang, records::Action::Edit(edit));
                    self.say(done.announce);
                    check::registered(&mut self.check, Some(by), done.registered);
                }
            }
            #[cfg(feature = "app")]
            Action::Records(a) => {
                let out = records::reduce(&mut self.records, lang, a);
                self.say(out.announce);
                if out.registered.is_some() {
                    check::registered(&mut self.check, None, out.registered);
                }
            }
            #[cfg(not(feature = "app"))]
            Action::Records(_) => {}
            Action::Readiness(a) => readiness::reduce(&mut self.readiness, a),
        }
    }

    fn say(&mut self, sentence: Option<String>) {
        if let Some(s) = sentence {
            self.announcement = s;
        }
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        s.apply(action);
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests;
