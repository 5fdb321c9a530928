//! The eligibility result as Ukemi uses it everywhere (screen, patient record, claim
//! form, widget event). It is the normalised form of the service's
//! `ResultOfQualificationConfirmation` (docs/reference/eligibility.md §4.4): identifiers stay
//! strings, カナ is full-width, dates are [`Date`]s, code tables are enums.

use crate::date::Date;
use serde::{Deserialize, Serialize};

/// 資格有効性 (OQSCD006).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualificationValidity {
    /// 1 有効
    Valid,
    /// 2 無効
    Invalid,
    /// 3 無効（新しい資格あり）
    InvalidNewerExists,
    /// 4 該当資格なし
    NoMatch,
    /// 5 複数該当
    MultipleMatches,
    /// 6 有効（未登録）— 医療扶助
    ValidUnregistered,
}

impl QualificationValidity {
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code.trim() {
            "1" => Self::Valid,
            "2" => Self::Invalid,
            "3" => Self::InvalidNewerExists,
            "4" => Self::NoMatch,
            "5" => Self::MultipleMatches,
            "6" => Self::ValidUnregistered,
            _ => return None,
        })
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Valid => "1",
            Self::Invalid => "2",
            Self::InvalidNewerExists => "3",
            Self::NoMatch => "4",
            Self::MultipleMatches => "5",
            Self::ValidUnregistered => "6",
        }
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Valid => "有効",
            Self::Invalid => "無効",
            Self::InvalidNewerExists => "無効（新しい資格あり）",
            Self::NoMatch => "該当資格なし",
            Self::MultipleMatches => "複数該当",
            Self::ValidUnregistered => "有効（未登録）",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Valid => "Valid",
            Self::Invalid => "Not valid",
            Self::InvalidNewerExists => "Not valid (a newer qualification exists)",
            Self::NoMatch => "No matching qualification",
            Self::MultipleMatches => "Several matches",
            Self::ValidUnregistered => "Valid (unregistered)",
        }
    }
    pub fn is_valid(self) -> bool {
        matches!(self, Self::Valid | Self::ValidUnregistered)
    }
}

/// 本人・家族の別 (OQSCD009).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalFamily {
    /// 1 本人
    Insured,
    /// 2 家族
    Dependent,
}

impl PersonalFamily {
    pub fn from_code(code: &str) -> Option<Self> {
        match code.trim() {
            "1" => Some(Self::Insured),
            "2" => Some(Self::Dependent),
            _ => None,
        }
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Insured => "本人",
            Self::Dependent => "家族",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Insured => "Insured person",
            Self::Dependent => "Dependent",
        }
    }
}

/// 性別 (OQSCD007).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
    Unset,
}

impl Sex {
    pub fn from_code(code: &str) -> Option<Self> {
        match code.trim() {
            "1" => Some(Self::Male),
            "2" => Some(Self::Female),
            "3" => Some(Self::Unset),
            _ => None,
        }
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Male => "男",
            Self::Female => "女",
            Self::Unset => "未設定",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Male => "Male",
            Self::Female => "Female",
            Self::Unset => "Not set",
        }
    }
}

/// 資格喪失事由.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonOfLoss {
    /// 01 死亡
    Death,
    /// 02 生活保護受給開始
    PublicAssistance,
    /// 03 医療保険等の資格取得
    OtherInsurance,
    /// 99 その他
    Other,
}

impl ReasonOfLoss {
    pub fn from_code(code: &str) -> Option<Self> {
        match code.trim() {
            "01" | "1" => Some(Self::Death),
            "02" | "2" => Some(Self::PublicAssistance),
            "03" | "3" => Some(Self::OtherInsurance),
            "99" => Some(Self::Other),
            _ => None,
        }
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Death => "死亡",
            Self::PublicAssistance => "生活保護受給開始",
            Self::OtherInsurance => "医療保険等の資格取得",
            Self::Other => "その他",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Death => "Death",
            Self::PublicAssistance => "Started public assistance",
            Self::OtherInsurance => "Joined other health insurance",
            Self::Other => "Other",
        }
    }
}

/// 高齢受給者証.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElderlyRecipient {
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
    /// Percent: 10, 20 or 30.
    pub contribution_percent: Option<u8>,
}

/// One qualification (one `ResultOfQualificationConfirmation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qualification {
    /// 保険者番号, trimmed (国保 6 digits).
    pub insurer_number: String,
    pub insurer_name: String,
    /// 被保険者証区分 code (01 一般 …), kept verbatim.
    pub card_classification: Option<String>,
    /// 記号 — may contain kanji and hyphens.
    pub symbol: Option<String>,
    /// 番号.
    pub number: String,
    /// 枝番, 2 digits as a string.
    pub branch: Option<String>,
    pub personal_family: PersonalFamily,
    /// 被保険者氏名 (世帯主).
    pub insured_name: Option<String>,
    /// 氏名, full-width with 全角 space.
    pub name: String,
    /// 氏名カナ, converted to full-width.
    pub name_kana: String,
    pub sex: Sex,
    pub birthdate: Date,
    /// 住所 as registered with the insurer.
    pub address: Option<String>,
    /// 郵便番号 `123-4567`.
    pub postal_code: Option<String>,
    pub qualification_date: Option<Date>,
    pub disqualification_date: Option<Date>,
    pub reason_of_loss: Option<ReasonOfLoss>,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
    /// 一部負担金割合 in percent (10 = 1割). `None` when the service did not say.
    pub contribution_percent: Option<u8>,
    pub preschool: bool,
    pub elderly: Option<ElderlyRecipient>,
}

impl Qualification {
    /// The ratio that applies: the 高齢受給者証's when present, else the card's.
    pub fn effective_contribution_percent(&self) -> Option<u8> {
        self.elderly
            .as_ref()
            .and_then(|e| e.contribution_percent)
            .or(self.contribution_percent)
    }

    /// `記号・番号（枝番）` as printed on forms.
    pub fn symbol_number_display(&self) -> String {
        let mut s = match &self.symbol {
            Some(sym) if !sym.is_empty() => format!("{sym}・{}", self.number),
            _ => self.number.clone(),
        };
        if let Some(b) = &self.branch {
            s.push_str(&format!("（{b}）"));
        }
        s
    }

    /// Whether this qualification covers `day` (between acquisition/valid-from and loss).
    pub fn covers(&self, day: Date) -> bool {
        let start_ok = self
            .valid_from
            .or(self.qualification_date)
            .is_none_or(|s| s <= day);
        let end_ok = self.disqualification_date.is_none_or(|e| day < e)
            && self.valid_until.is_none_or(|e| day <= e);
        start_ok && end_ok
    }
}

/// How the person was identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceKind {
    /// マイナンバーカード with the 4-digit PIN (the card signed the service's challenge).
    CardPin,
    /// マイナンバーカード with staff 目視確認 of the face photo (no PIN).
    CardVisual,
    /// 被保険者証情報 (保険者番号・記号・番号・枝番・生年月日), e.g. from a 資格確認書.
    InsuranceNumbers,
    /// Imported from a check made elsewhere (e.g. the official マイナ資格確認アプリ).
    Imported,
}

impl ReferenceKind {
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::CardPin => "マイナンバーカード（暗証番号）",
            Self::CardVisual => "マイナンバーカード（目視確認）",
            Self::InsuranceNumbers => "被保険者番号等",
            Self::Imported => "取込（他端末での確認結果）",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Self::CardPin => "My Number card (PIN)",
            Self::CardVisual => "My Number card (visual check)",
            Self::InsuranceNumbers => "Insurance numbers",
            Self::Imported => "Imported (checked on another device)",
        }
    }
}

/// The outcome of one eligibility check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityResult {
    /// 資格確認日.
    pub checked_on: Date,
    pub reference: ReferenceKind,
    pub validity: QualificationValidity,
    /// 0..n qualifications (several on 複数該当).
    pub qualifications: Vec<Qualification>,
    /// 処理結果コード/メッセージ that accompany a result (e.g. card expiring soon): shown verbatim.
    pub notice: Option<String>,
    /// Serial of the card's user-authentication certificate (upper-case hex), when a card was used.
    pub card_serial: Option<String>,
}

/// Where one qualification of a result stands on the day it was checked, for its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// In force on that day.
    InForce,
    /// Lost (資格喪失) on this day.
    Lost(Date),
    /// Its 有効期限 passed.
    Expired(Date),
    /// It starts later.
    NotYet(Date),
}

impl Qualification {
    pub fn standing(&self, day: Date) -> Standing {
        if self.covers(day) {
            return Standing::InForce;
        }
        if let Some(lost) = self.disqualification_date.filter(|e| *e <= day) {
            return Standing::Lost(lost);
        }
        if let Some(until) = self.valid_until.filter(|e| *e < day) {
            return Standing::Expired(until);
        }
        match self.valid_from.or(self.qualification_date) {
            Some(start) => Standing::NotYet(start),
            // Unreachable in practice: with no dates at all `covers` is true.
            None => Standing::InForce,
        }
    }
}

impl EligibilityResult {
    pub fn primary(&self) -> Option<&Qualification> {
        self.qualifications.first()
    }

    /// The qualifications in force on the day of the check.
    pub fn in_force(&self) -> Vec<usize> {
        (0..self.qualifications.len())
            .filter(|&i| self.qualifications[i].covers(self.checked_on))
            .collect()
    }

    /// Which qualification a registration takes unless staff choose: the one in force on
    /// the day of the check (新しい資格あり: the new one, not the lost one); with none in
    /// force, the one that started last (a lost insurance is still on record). `None` when
    /// several are in force (複数該当): only staff, asking the patient, can tell which.
    pub fn default_choice(&self) -> Option<usize> {
        match self.in_force().as_slice() {
            [one] => Some(*one),
            [] => (0..self.qualifications.len()).max_by_key(|&i| {
                let q = &self.qualifications[i];
                (q.valid_from.or(q.qualification_date), std::cmp::Reverse(i))
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in ["1", "2", "3", "4", "5", "6"] {
            let v = QualificationValidity::from_code(c).expect("known code");
            assert_eq!(v.code(), c);
        }
        assert_eq!(QualificationValidity::from_code("7"), None);
        assert_eq!(
            PersonalFamily::from_code(" 2"),
            Some(PersonalFamily::Dependent)
        );
        assert_eq!(ReasonOfLoss::from_code("99"), Some(ReasonOfLoss::Other));
    }
}
