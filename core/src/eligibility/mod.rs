//! Eligibility (オンライン資格確認): the normalised result, the query by insurance numbers,
//! insurer-number check digits.

pub mod adoption;
pub mod app_text;
pub mod insurer;
pub mod model;
#[cfg(feature = "vocab")]
pub mod vocab;

pub use insurer::{validate_insurer_number, InsuranceKind, InsurerNumberError};
pub use model::*;

use crate::date::Date;
use crate::protocol::{ErrorCode, ErrorDetail};
use serde::{Deserialize, Serialize};

/// A check by 保険者番号・記号・番号・枝番・生年月日 (for a patient with a 資格確認書).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuranceQuery {
    pub insurer_number: String,
    #[serde(default)]
    pub symbol: Option<String>,
    pub number: String,
    #[serde(default)]
    pub branch: Option<String>,
    pub birthdate: Date,
}

impl InsuranceQuery {
    /// Normalises what staff typed (full-width digits, spaces) and checks it; the error
    /// names the field.
    pub fn normalised(&self) -> Result<InsuranceQuery, (ErrorCode, ErrorDetail)> {
        let bad = |f: &str| (ErrorCode::InvalidQuery, ErrorDetail::field(f));
        let insurer = crate::text::ascii_digits(&self.insurer_number).replace([' ', '-'], "");
        let insurer = validate_insurer_number(&insurer).map_err(|_| bad("insurer_number"))?;
        let number = crate::text::ascii_digits(self.number.trim())
            .trim()
            .to_string();
        if number.is_empty() || number.chars().count() > 20 {
            return Err(bad("number"));
        }
        let symbol = self
            .symbol
            .as_deref()
            .map(|s| crate::text::ascii_digits(s.trim()).trim().to_string())
            .filter(|s| !s.is_empty());
        if symbol.as_ref().is_some_and(|s| s.chars().count() > 20) {
            return Err(bad("symbol"));
        }
        let branch = self
            .branch
            .as_deref()
            .map(|s| crate::text::ascii_digits(s.trim()))
            .filter(|s| !s.is_empty());
        if let Some(b) = &branch {
            if b.len() > 2 || !b.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad("branch"));
            }
        }
        let branch = branch.map(|b| format!("{b:0>2}"));
        Ok(InsuranceQuery {
            insurer_number: insurer,
            symbol,
            number,
            branch,
            birthdate: self.birthdate,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_normalises_fullwidth_and_names_bad_field() {
        let q = InsuranceQuery {
            insurer_number: "３３１２００１５".into(),
            symbol: Some(" 12-34 ".into()),
            number: "４２６０".into(),
            branch: Some("1".into()),
            birthdate: Date::parse("20010327").expect("date"),
        };
        let n = q.normalised().expect("valid");
        assert_eq!(n.insurer_number, "33120015");
        assert_eq!(n.number, "4260");
        assert_eq!(n.branch.as_deref(), Some("01"));
        let bad = InsuranceQuery {
            insurer_number: "33120016".into(),
            ..q
        };
        assert_eq!(
            bad.normalised()
                .expect_err("check digit")
                .1
                .field
                .as_deref(),
            Some("insurer_number")
        );
    }
}
