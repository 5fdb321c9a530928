//! The service's code tables (業務コード `OQSCDxxx`, docs/reference/eligibility.md §4). A code
//! the table does not know is kept as `Unknown(code)` rather than failing the whole message: a
//! new code from the service must not stop a clinic from seeing the rest of the answer.

use super::node::{leaf_text, Element, Node};
use super::VocabError;

macro_rules! code_table {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $var:ident = $code:literal $(| $alias:literal)* => $ja:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $var, )*
            /// A code this table does not know, kept as sent (trimmed).
            Unknown(String),
        }

        impl $name {
            /// Never fails: unknown codes become [`Self::Unknown`].
            pub fn from_code(code: &str) -> Self {
                match code.trim() {
                    $( $code $(| $alias)* => Self::$var, )*
                    other => Self::Unknown(other.to_string()),
                }
            }

            /// The code as the service writes it.
            pub fn code(&self) -> &str {
                match self {
                    $( Self::$var => $code, )*
                    Self::Unknown(c) => c,
                }
            }

            /// The table's Japanese label; `None` for unknown codes.
            pub fn label_ja(&self) -> Option<&'static str> {
                match self {
                    $( Self::$var => Some($ja), )*
                    Self::Unknown(_) => None,
                }
            }

            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl Element for $name {
            fn read(node: &Node, path: &str) -> Result<Self, VocabError> {
                leaf_text(node, path).map(Self::from_code)
            }
            fn write(&self, name: &str) -> Node {
                Node::leaf(name, self.code())
            }
        }
    };
}

code_table! {
    /// 照会区分 (OQSCD002).
    ReferenceClassification {
        MyNumberCard = "1" => "マイナンバーカード",
        InsuranceCardInfo = "2" => "被保険者証情報",
    }
}

code_table! {
    /// 処理結果区分 (OQSCD003). The abnormal value is 9 in one source and 3 in another
    /// (docs/reference/eligibility.md §5, \[U\]): both are read as abnormal and written
    /// back as received.
    SegmentOfResult {
        Normal = "1" => "正常終了",
        InProgress = "2" => "処理中",
        Abnormal = "9" => "異常終了",
        /// \[U\] `3`, seen in one source as 異常終了.
        AbnormalAlt = "3" => "異常終了",
    }
}

impl SegmentOfResult {
    pub fn is_normal(&self) -> bool {
        matches!(self, Self::Normal)
    }
}

code_table! {
    /// 処理結果状況 (OQSCD004), per person.
    ProcessingResultStatus {
        Normal = "1" => "正常終了",
        Error = "2" => "エラー",
    }
}

code_table! {
    /// 文字コード識別 (OQSCD005).
    CharacterCodeIdentifier {
        Utf8 = "0" => "UTF-8",
        ShiftJis = "1" => "Shift_JIS",
    }
}

code_table! {
    /// 資格有効性 (OQSCD006).
    ValidityCode {
        Valid = "1" => "有効",
        Invalid = "2" => "無効",
        InvalidNewerExists = "3" => "無効（新しい資格あり）",
        NoMatch = "4" => "該当資格なし",
        MultipleMatches = "5" => "複数該当",
        /// 医療扶助.
        ValidUnregistered = "6" => "有効（未登録）",
    }
}

code_table! {
    /// 性別 (OQSCD007), for `Sex1` and `Sex2`.
    SexCode {
        Male = "1" => "男",
        Female = "2" => "女",
        Unset = "3" => "未設定",
    }
}

code_table! {
    /// 本人・家族の別 (OQSCD009).
    PersonalFamilyClassification {
        Insured = "1" => "本人",
        Dependent = "2" => "家族",
    }
}

code_table! {
    /// 被保険者証区分 (OQSCD010). One-digit aliases accept JSON writers that send numbers.
    InsuredCardClassification {
        General = "01" | "1" => "被保険者証（一般）",
        Retired = "02" | "2" => "被保険者証（退職）",
        ShortTermGeneral = "03" | "3" => "短期被保険者証（一般）",
        ShortTermRetired = "04" | "4" => "短期被保険者証（退職）",
        QualificationCertificate = "05" | "5" => "被保険者資格証明書",
        SpecialRetired = "06" | "6" => "特例退職被保険者証",
        SelfDefenseForces = "07" | "7" => "自衛官診療証",
        MedicalAssistance = "A1" => "医療扶助",
    }
}

code_table! {
    /// 限度額適用認定証区分 (OQSCD011).
    LimitApplicationCertificateClassification {
        LimitApplication = "01" | "1" => "限度額適用認定証",
        LimitAndReduction = "02" | "2" => "限度額適用・標準負担額減額認定証",
        Reduction = "03" | "3" => "標準負担額減額認定証",
    }
}

code_table! {
    /// 限度額適用認定証適用区分 (OQSCD012).
    LimitApplicationCertificateClassificationFlag {
        A01 = "A01" => "ア",
        A02 = "A02" => "イ",
        A03 = "A03" => "ウ",
        A04 = "A04" => "エ",
        A05 = "A05" => "オ",
        A06 = "A06" => "オ（境）",
        B01 = "B01" => "現役並みⅢ",
        B02 = "B02" => "現役並みⅡ",
        B03 = "B03" => "現役並みⅠ",
        B04 = "B04" => "一般",
        B05 = "B05" => "低所得Ⅱ",
        B06 = "B06" => "低所得Ⅰ",
        B07 = "B07" => "低所得Ⅰ（老福）",
        B08 = "B08" => "低所得Ⅰ（境）",
        B09 = "B09" => "一般Ⅱ",
        B10 = "B10" => "一般Ⅰ",
    }
}

code_table! {
    /// 特定疾病区分 (OQSCD013).
    SpecificDiseasesDiseaseCategory {
        Dialysis = "1" => "人工透析を必要とする慢性腎不全",
        Hemophilia = "2" => "血友病",
        Hiv = "3" => "抗ウイルス剤を投与している後天性免疫不全症候群（HIV感染を含む）",
    }
}

code_table! {
    /// 資格喪失事由. One-digit aliases as in [`crate::eligibility::ReasonOfLoss::from_code`].
    ReasonOfLossCode {
        Death = "01" | "1" => "死亡",
        PublicAssistance = "02" | "2" => "生活保護受給開始",
        OtherInsurance = "03" | "3" => "医療保険等の資格取得",
        Other = "99" => "その他",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_codes_are_kept_and_known_ones_round_trip() {
        assert_eq!(SegmentOfResult::from_code(" 9 "), SegmentOfResult::Abnormal);
        assert_eq!(
            SegmentOfResult::from_code("3"),
            SegmentOfResult::AbnormalAlt
        );
        assert_eq!(SegmentOfResult::from_code("3").code(), "3");
        let u = ValidityCode::from_code("7");
        assert_eq!(u, ValidityCode::Unknown("7".into()));
        assert_eq!(u.code(), "7");
        assert!(!u.is_known());
        assert_eq!(u.label_ja(), None);
        assert_eq!(
            InsuredCardClassification::from_code("1"),
            InsuredCardClassification::General
        );
        assert_eq!(InsuredCardClassification::General.code(), "01");
        assert_eq!(
            LimitApplicationCertificateClassificationFlag::from_code("B10").label_ja(),
            Some("一般Ⅰ")
        );
    }
}
