//! The typed wire model: one struct per element of the service's vocabulary, field names
//! in snake_case with the element name beside them. Everything is optional at this level
//! (the service omits what does not apply); identifiers are kept as sent, spaces and
//! leading zeros included. What a usable result needs is checked by normalisation.

use super::codes::*;
use super::node::{Element, Field, Node};
use super::VocabError;

/// Declares a wire struct and its mapping to and from [`Node`] in one list, so the element
/// names are written once for reading and writing.
macro_rules! wire {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $elem:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct $name {
            $( $(#[$fmeta])* #[doc = concat!("`", $elem, "`")] pub $field: $ty, )*
        }

        impl Element for $name {
            fn read(node: &Node, path: &str) -> Result<Self, VocabError> {
                Ok(Self { $( $field: Field::read_field(node, path, $elem)?, )* })
            }
            fn write(&self, name: &str) -> Node {
                let mut node = Node::new(name);
                $( Field::write_field(&self.$field, &mut node, $elem); )*
                node
            }
        }

        /// A required-in-shape structure: absent reads as empty, empty is not written.
        impl Field for $name {
            fn read_field(parent: &Node, path: &str, elem: &str) -> Result<Self, VocabError> {
                match parent.one(path, elem)? {
                    Some(n) => Self::read(n, &super::node::join(path, elem)),
                    None => Ok(Self::default()),
                }
            }
            fn write_field(&self, parent: &mut Node, elem: &str) {
                if *self != Self::default() {
                    parent.children.push(self.write(elem));
                }
            }
        }
    };
}

wire! {
    /// The whole message, request or response.
    XmlMsg {
        message_header: MessageHeader = "MessageHeader",
        message_body: MessageBody = "MessageBody",
    }
}

wire! {
    /// `MessageHeader` (docs/reference/eligibility.md §4.2). In a request only the first three
    /// are sent.
    MessageHeader {
        /// 資格確認日 `yyyyMMdd`.
        qualification_confirmation_date: Option<String> = "QualificationConfirmationDate",
        /// 医療機関コード (施術所: 登録記号番号 \[U\]).
        medical_institution_code: Option<String> = "MedicalInstitutionCode",
        /// 任意のファイル識別子, echoed back.
        arbitrary_file_identifier: Option<String> = "ArbitraryFileIdentifier",
        /// 処理実行日時 `yyyyMMddHHmmss`.
        process_execution_time: Option<String> = "ProcessExecutionTime",
        /// 照会区分 (OQSCD002).
        reference_classification: Option<ReferenceClassification> = "ReferenceClassification",
        /// 処理結果区分 (OQSCD003).
        segment_of_result: Option<SegmentOfResult> = "SegmentOfResult",
        /// エラーコード (only when `SegmentOfResult` ≠ 1).
        error_code: Option<String> = "ErrorCode",
        /// エラーメッセージ.
        error_message: Option<String> = "ErrorMessage",
        /// 文字コード識別 (OQSCD005).
        character_code_identifier: Option<CharacterCodeIdentifier> = "CharacterCodeIdentifier",
    }
}

wire! {
    /// `MessageBody` (docs/reference/eligibility.md §4.3).
    MessageBody {
        /// 処理結果状況 (OQSCD004).
        processing_result_status: Option<ProcessingResultStatus> = "ProcessingResultStatus",
        /// 処理結果コード: on error, or with 付帯情報 on success.
        processing_result_code: Option<String> = "ProcessingResultCode",
        /// 処理結果メッセージ: shown verbatim.
        processing_result_message: Option<String> = "ProcessingResultMessage",
        /// 資格有効性 (OQSCD006).
        qualification_validity: Option<ValidityCode> = "QualificationValidity",
        /// The query (request), or its echo (response).
        qualification_confirm_search_info: Option<QualificationConfirmSearchInfo> = "QualificationConfirmSearchInfo",
        /// 処方箋発行形態 (1 電子 / 2 紙): irrelevant for 施術所, kept for echo.
        prescription_issue_select: Option<String> = "PrescriptionIssueSelect",
        /// 資格確認結果, 0..n.
        result_list: Vec<ResultOfQualificationConfirmation> = "ResultList/ResultOfQualificationConfirmation",
    }
}

wire! {
    /// 被保険者証情報での照会 (docs/reference/eligibility.md §4.1).
    QualificationConfirmSearchInfo {
        insurer_number: Option<String> = "InsurerNumber",
        insured_card_symbol: Option<String> = "InsuredCardSymbol",
        insured_identification_number: Option<String> = "InsuredIdentificationNumber",
        insured_branch_number: Option<String> = "InsuredBranchNumber",
        /// `yyyyMMdd`.
        birthdate: Option<String> = "Birthdate",
        /// 限度額適用認定証提供同意フラグ: 0 未同意 / 1 同意.
        limit_application_certificate_related_cons_flg: Option<String> = "LimitApplicationCertificateRelatedConsFlg",
    }
}

wire! {
    /// One 資格確認結果 (docs/reference/eligibility.md §4.4).
    ResultOfQualificationConfirmation {
        /// 被保険者証区分 (OQSCD010).
        insured_card_classification: Option<InsuredCardClassification> = "InsuredCardClassification",
        /// 保険者番号: 国保 may be left-space-padded; kept as sent.
        insurer_number: Option<String> = "InsurerNumber",
        insurer_name: Option<String> = "InsurerName",
        /// 記号: may contain kanji and hyphens.
        insured_card_symbol: Option<String> = "InsuredCardSymbol",
        insured_identification_number: Option<String> = "InsuredIdentificationNumber",
        /// 枝番, 2 digits.
        insured_branch_number: Option<String> = "InsuredBranchNumber",
        /// 本人・家族の別 (OQSCD009).
        personal_family_classification: Option<PersonalFamilyClassification> = "PersonalFamilyClassification",
        /// 被保険者氏名 (世帯主氏名).
        insured_name: Option<String> = "InsuredName",
        name: Option<String> = "Name",
        /// 氏名（その他: 通称等）.
        name_of_other: Option<String> = "NameOfOther",
        /// 氏名カナ, half-width katakana on the wire.
        name_kana: Option<String> = "NameKana",
        name_of_other_kana: Option<String> = "NameOfOtherKana",
        /// 性別1 (OQSCD007).
        sex1: Option<SexCode> = "Sex1",
        /// 性別2: 券面表記上の性別.
        sex2: Option<SexCode> = "Sex2",
        /// `yyyyMMdd`.
        birthdate: Option<String> = "Birthdate",
        /// 住所 as registered with the insurer.
        address: Option<String> = "Address",
        /// 郵便番号 `123-4567`.
        post_number: Option<String> = "PostNumber",
        /// 資格取得年月日.
        qualification_date: Option<String> = "QualificationDate",
        /// 資格喪失年月日.
        disqualification_date: Option<String> = "DisqualificationDate",
        /// 資格喪失事由.
        reason_of_loss: Option<ReasonOfLossCode> = "ReasonOfLoss",
        /// 被保険者証交付年月日.
        insured_certificate_issuance_date: Option<String> = "InsuredCertificateIssuanceDate",
        /// 被保険者証有効開始年月日.
        insured_card_valid_date: Option<String> = "InsuredCardValidDate",
        /// 被保険者証有効終了年月日.
        insured_card_expiration_date: Option<String> = "InsuredCardExpirationDate",
        /// 一部負担金割合, percent in 3 digits (`030` = 3割).
        insured_partial_contribution_ratio: Option<String> = "InsuredPartialContributionRatio",
        /// 未就学区分: 1 未就学該当.
        preschool_classification: Option<String> = "PreschoolClassification",
        elderly_recipient_certificate_info: Option<ElderlyRecipientCertificateInfo> = "ElderlyRecipientCertificateInfo",
        /// 限度額適用認定証提供同意フラグ.
        limit_application_certificate_related_cons_flg: Option<String> = "LimitApplicationCertificateRelatedConsFlg",
        /// 限度額適用認定証提供同意日時.
        limit_application_certificate_related_cons_time: Option<String> = "LimitApplicationCertificateRelatedConsTime",
        limit_application_certificate_related_info: Option<LimitApplicationCertificateRelatedInfo> = "LimitApplicationCertificateRelatedInfo",
        /// 特定疾病療養受療証提供同意フラグ: 0 同意なし / 1 同意あり / 2 期限切れ.
        specific_diseases_certificate_related_cons_flg: Option<String> = "SpecificDiseasesCertificateRelatedConsFlg",
        /// \[U\] name inferred from the `…ConsFlg`/`…ConsTime` pattern.
        specific_diseases_certificate_related_cons_time: Option<String> = "SpecificDiseasesCertificateRelatedConsTime",
        specific_diseases_certificate_list: Vec<SpecificDiseasesCertificateInfo> = "SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo",
        /// 閲覧同意 flags: not available in 資格確認限定型; kept for echo. \[U\] exact names.
        specific_health_checkups_info_cons_flg: Option<String> = "SpecificHealthCheckupsInfoConsFlg",
        specific_health_checkups_info_cons_time: Option<String> = "SpecificHealthCheckupsInfoConsTime",
        pharmacists_info_cons_flg: Option<String> = "PharmacistsInfoConsFlg",
        pharmacists_info_cons_time: Option<String> = "PharmacistsInfoConsTime",
        diagnosis_info_cons_flg: Option<String> = "DiagnosisInfoConsFlg",
        diagnosis_info_cons_time: Option<String> = "DiagnosisInfoConsTime",
        operation_info_cons_flg: Option<String> = "OperationInfoConsFlg",
        operation_info_cons_time: Option<String> = "OperationInfoConsTime",
    }
}

wire! {
    /// 高齢受給者証.
    ElderlyRecipientCertificateInfo {
        /// 交付年月日.
        elderly_recipient_certificate_date: Option<String> = "ElderlyRecipientCertificateDate",
        elderly_recipient_valid_start_date: Option<String> = "ElderlyRecipientValidStartDate",
        elderly_recipient_valid_end_date: Option<String> = "ElderlyRecipientValidEndDate",
        /// 一部負担金割合, percent in 3 digits.
        elderly_recipient_contribution_ratio: Option<String> = "ElderlyRecipientContributionRatio",
    }
}

wire! {
    /// 限度額適用認定証関連情報: largely irrelevant to 療養費, kept for completeness.
    LimitApplicationCertificateRelatedInfo {
        /// OQSCD011.
        limit_application_certificate_classification: Option<LimitApplicationCertificateClassification> = "LimitApplicationCertificateClassification",
        /// OQSCD012.
        limit_application_certificate_classification_flag: Option<LimitApplicationCertificateClassificationFlag> = "LimitApplicationCertificateClassificationFlag",
        limit_application_certificate_date: Option<String> = "LimitApplicationCertificateDate",
        limit_application_certificate_valid_start_date: Option<String> = "LimitApplicationCertificateValidStartDate",
        limit_application_certificate_valid_end_date: Option<String> = "LimitApplicationCertificateValidEndDate",
        limit_application_certificate_long_term_date: Option<String> = "LimitApplicationCertificateLongTermDate",
    }
}

wire! {
    /// 特定疾病療養受療証.
    SpecificDiseasesCertificateInfo {
        /// OQSCD013.
        specific_diseases_disease_category: Option<SpecificDiseasesDiseaseCategory> = "SpecificDiseasesDiseaseCategory",
        specific_diseases_certificate_date: Option<String> = "SpecificDiseasesCertificateDate",
        specific_diseases_valid_start_date: Option<String> = "SpecificDiseasesValidStartDate",
        specific_diseases_valid_end_date: Option<String> = "SpecificDiseasesValidEndDate",
        /// 自己負担限度額.
        specific_diseases_self_pay: Option<String> = "SpecificDiseasesSelfPay",
    }
}
