//! Japanese first, English on request. Texts live next to each other so a translation is
//! never missing. One idiom: `t(ja, en)` over the page's language — `app.t("受付",
//! "Reception")` in a component (`AppCtx::t`), `lang.t(ja, en)` in plain code (reducers,
//! helpers). It takes any type (a `&str`, a `format!`ed `String`, a pair of core messages).
//! A sentence whose shape differs between the languages is a `match` with `Lang::Ja` and
//! `Lang::En` arms; never a `bool` for the language.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }
    /// The text in this language, Japanese first: `lang.t("受付", "Reception")`.
    pub fn t<T>(self, ja: T, en: T) -> T {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }
}
