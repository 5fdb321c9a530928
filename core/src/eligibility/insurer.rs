//! 保険者番号 and 公費負担者番号: structure and 検証番号 (check digit), per the
//! MHLW 保険者番号設定要領 (docs/reference/eligibility.md §3).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum InsurerNumberError {
    /// Not 6 or 8 digits after trimming spaces.
    Length {
        len: usize,
    },
    NotDigits,
    CheckDigit {
        expected: u8,
        found: u8,
    },
}

impl InsurerNumberError {
    pub fn message_ja(&self) -> String {
        match self {
            InsurerNumberError::Length { len } => {
                format!("保険者番号は6桁（国保）または8桁です（入力は{len}桁）。")
            }
            InsurerNumberError::NotDigits => "保険者番号は数字だけで入力してください。".to_string(),
            InsurerNumberError::CheckDigit { .. } => {
                "保険者番号の検証番号（最後の1桁）が合いません。保険証・資格確認書の番号を確かめてください。"
                    .to_string()
            }
        }
    }
    pub fn message_en(&self) -> String {
        match self {
            InsurerNumberError::Length { len } => {
                format!("An insurer number has 6 digits (国保) or 8 (typed: {len}).")
            }
            InsurerNumberError::NotDigits => "Type the insurer number in digits only.".to_string(),
            InsurerNumberError::CheckDigit { .. } => {
                "The insurer number's check digit (the last one) does not match: compare it with the card."
                    .to_string()
            }
        }
    }
}

/// The 検証番号 for the digits before it: weights 2,1,2,1,… from the right, digit sums of
/// two-digit products, 10 minus the last digit of the total (0 when that digit is 0).
pub fn check_digit(body: &str) -> Option<u8> {
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let p = u32::from(b - b'0') * if i % 2 == 0 { 2 } else { 1 };
            p / 10 + p % 10
        })
        .sum();
    Some(((10 - sum % 10) % 10) as u8)
}

/// Validates an insurer number as the service may send it (国保 left-padded with spaces) and
/// returns the trimmed digits.
pub fn validate_insurer_number(raw: &str) -> Result<String, InsurerNumberError> {
    let s = raw.trim();
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InsurerNumberError::NotDigits);
    }
    if s.len() != 6 && s.len() != 8 {
        return Err(InsurerNumberError::Length {
            len: s.chars().count(),
        });
    }
    let (body, last) = s.split_at(s.len() - 1);
    let found = last.as_bytes()[0] - b'0';
    let expected = check_digit(body).ok_or(InsurerNumberError::NotDigits)?;
    if expected != found {
        return Err(InsurerNumberError::CheckDigit { expected, found });
    }
    Ok(s.to_string())
}

/// Appends the check digit: `with_check_digit("3312001") == "33120015"`.
pub fn with_check_digit(body: &str) -> Option<String> {
    check_digit(body).map(|c| format!("{body}{c}"))
}

/// 保険種別 derived from the 法別番号 (first two digits of an 8-digit number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InsuranceKind {
    /// 協会けんぽ (01), 船員 (02)
    Kyokai,
    /// 組合 (06)
    Kumiai,
    /// 共済 (31–34)
    Kyosai,
    /// 国民健康保険 (6 digits)
    Kokuho,
    /// 退職 (67)
    Taishoku,
    /// 後期高齢者 (39)
    Kouki,
    Other,
}

impl InsuranceKind {
    pub fn of(insurer_number: &str) -> InsuranceKind {
        let s = insurer_number.trim();
        if s.len() == 6 {
            return InsuranceKind::Kokuho;
        }
        match s.get(0..2) {
            Some("01") | Some("02") => InsuranceKind::Kyokai,
            Some("06") => InsuranceKind::Kumiai,
            Some("31") | Some("32") | Some("33") | Some("34") => InsuranceKind::Kyosai,
            Some("67") => InsuranceKind::Taishoku,
            Some("39") => InsuranceKind::Kouki,
            _ => InsuranceKind::Other,
        }
    }

    /// The digit printed in the 保険種別 box (1協 2組 3共 4国 5退 6後期); None for others.
    pub fn form_code(self) -> Option<u8> {
        match self {
            InsuranceKind::Kyokai => Some(1),
            InsuranceKind::Kumiai => Some(2),
            InsuranceKind::Kyosai => Some(3),
            InsuranceKind::Kokuho => Some(4),
            InsuranceKind::Taishoku => Some(5),
            InsuranceKind::Kouki => Some(6),
            InsuranceKind::Other => None,
        }
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            InsuranceKind::Kyokai => "協会けんぽ",
            InsuranceKind::Kumiai => "組合健保",
            InsuranceKind::Kyosai => "共済組合",
            InsuranceKind::Kokuho => "国民健康保険",
            InsuranceKind::Taishoku => "退職者医療",
            InsuranceKind::Kouki => "後期高齢者医療",
            InsuranceKind::Other => "その他",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_from_the_setting_rules() {
        // docs/reference/eligibility.md §3: 33120015 — sum 15, check 10−5 = 5.
        assert_eq!(check_digit("3312001"), Some(5));
        assert_eq!(
            validate_insurer_number("33120015"),
            Ok("33120015".to_string())
        );
        assert_eq!(
            validate_insurer_number("33120016"),
            Err(InsurerNumberError::CheckDigit {
                expected: 5,
                found: 6
            })
        );
    }

    #[test]
    fn kokuho_six_digits_space_padded() {
        let n = with_check_digit("13800").expect("digits");
        assert_eq!(n.len(), 6);
        assert_eq!(validate_insurer_number(&format!("  {n}")), Ok(n.clone()));
        assert_eq!(InsuranceKind::of(&n), InsuranceKind::Kokuho);
    }

    #[test]
    fn zero_when_sum_ends_in_zero() {
        // 1×2 + 9×1 → wait: from the right, "91": 1×2=2, 9×1=9 → 11 → 10−1 = 9.
        assert_eq!(check_digit("91"), Some(9));
        // "55": 5×2=10 → 1+0 = 1, 5×1 = 5 → 6 → 4.
        assert_eq!(check_digit("55"), Some(4));
        // "5" → 10 → 1 → 9; "0" → 0 → 0.
        assert_eq!(check_digit("0"), Some(0));
    }

    #[test]
    fn rejects_bad_shapes() {
        assert_eq!(
            validate_insurer_number("1234567"),
            Err(InsurerNumberError::Length { len: 7 })
        );
        assert_eq!(
            validate_insurer_number("12a45678"),
            Err(InsurerNumberError::NotDigits)
        );
        assert_eq!(
            validate_insurer_number(""),
            Err(InsurerNumberError::Length { len: 0 })
        );
    }
}
