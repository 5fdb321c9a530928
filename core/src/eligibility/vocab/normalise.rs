//! Wire model ⇄ Ukemi's [`EligibilityResult`]. Reading: 処理結果区分 ≠ 1 becomes an
//! [`Abnormal`] shown verbatim; カナ becomes full-width; the insurer number is trimmed and
//! its check digit verified (a mismatch is a notice, not a failure: the service is the
//! authority on its own numbers); ratios `030` become 30; dates become [`Date`]s.

use super::codes::*;
use super::model::*;
use super::VocabError;
use crate::date::Date;
use crate::eligibility::insurer::{validate_insurer_number, InsurerNumberError};
use crate::eligibility::{
    ElderlyRecipient, EligibilityResult, PersonalFamily, Qualification, QualificationValidity,
    ReasonOfLoss, ReferenceKind, Sex,
};
use crate::text::{to_fullwidth_kana, to_halfwidth_kana};

/// Why a parsed message does not yield a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abnormal {
    pub kind: AbnormalKind,
    /// エラーコード / 処理結果コード as sent, to be shown verbatim.
    pub error_code: Option<String>,
    /// エラーメッセージ / 処理結果メッセージ as sent, to be shown verbatim.
    pub error_message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AbnormalKind {
    /// `SegmentOfResult` ≠ 1 (異常終了, or 処理中): the header's `ErrorCode`/`ErrorMessage`.
    Service { segment: SegmentOfResult },
    /// `ProcessingResultStatus` 2 (エラー) with no 資格有効性: the body's
    /// `ProcessingResultCode`/`ProcessingResultMessage`.
    Person,
    /// The message claims 正常終了 but lacks what a result needs, or holds a value that
    /// cannot be read (e.g. a date `20231332`, an unknown 資格有効性).
    Unusable(VocabError),
}

impl Abnormal {
    fn unusable(e: VocabError) -> Abnormal {
        Abnormal {
            kind: AbnormalKind::Unusable(e),
            error_code: None,
            error_message: None,
        }
    }

    /// The clinic's text; the service's own code and message are included verbatim.
    pub fn message_ja(&self) -> String {
        let said = match (&self.error_code, &self.error_message) {
            (Some(c), Some(m)) => format!("（{c}：{m}）"),
            (Some(c), None) => format!("（{c}）"),
            (None, Some(m)) => format!("（{m}）"),
            (None, None) => String::new(),
        };
        match &self.kind {
            AbnormalKind::Service {
                segment: SegmentOfResult::InProgress,
            } => format!(
                "資格確認サービスで処理中です{said}。しばらくしてから結果を確認してください。"
            ),
            AbnormalKind::Service { .. } => {
                format!("資格確認サービスがエラーを返しました{said}。")
            }
            AbnormalKind::Person => format!("この方の資格確認ができませんでした{said}。"),
            AbnormalKind::Unusable(e) => e.message_ja(),
        }
    }

    pub fn message_en(&self) -> String {
        let said = match (&self.error_code, &self.error_message) {
            (Some(c), Some(m)) => format!(" ({c}: {m})"),
            (Some(c), None) => format!(" ({c})"),
            (None, Some(m)) => format!(" ({m})"),
            (None, None) => String::new(),
        };
        match &self.kind {
            AbnormalKind::Service {
                segment: SegmentOfResult::InProgress,
            } => format!("The eligibility service is still processing{said}."),
            AbnormalKind::Service { .. } => {
                format!("The eligibility service returned an error{said}.")
            }
            AbnormalKind::Person => format!("The check for this person failed{said}."),
            AbnormalKind::Unusable(e) => e.message_en(),
        }
    }
}

const HEADER: &str = "XmlMsg/MessageHeader";
const BODY: &str = "XmlMsg/MessageBody";
const RESULT: &str = "XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation";

/// The normalised result of a response, or why there is none.
pub fn to_result(msg: &XmlMsg, reference: ReferenceKind) -> Result<EligibilityResult, Abnormal> {
    let h = &msg.message_header;
    match &h.segment_of_result {
        None => {
            return Err(Abnormal::unusable(VocabError::MissingElement {
                path: format!("{HEADER}/SegmentOfResult"),
            }))
        }
        Some(s) if !s.is_normal() => {
            return Err(Abnormal {
                kind: AbnormalKind::Service { segment: s.clone() },
                error_code: non_blank(&h.error_code),
                error_message: non_blank(&h.error_message),
            })
        }
        Some(_) => {}
    }
    let b = &msg.message_body;
    let validity = match &b.qualification_validity {
        Some(v) => validity(v).map_err(Abnormal::unusable)?,
        None if b.processing_result_status == Some(ProcessingResultStatus::Error) => {
            return Err(Abnormal {
                kind: AbnormalKind::Person,
                error_code: non_blank(&b.processing_result_code),
                error_message: non_blank(&b.processing_result_message),
            })
        }
        None => {
            return Err(Abnormal::unusable(VocabError::MissingElement {
                path: format!("{BODY}/QualificationValidity"),
            }))
        }
    };
    let checked_on = checked_on(h).map_err(Abnormal::unusable)?;
    let mut notices = Vec::new();
    if let Some(n) = service_notice(b) {
        notices.push(n);
    }
    let mut qualifications = Vec::with_capacity(b.result_list.len());
    for (i, r) in b.result_list.iter().enumerate() {
        let path = format!("{RESULT}[{}]", i + 1);
        qualifications.push(qualification(r, &path, i, &mut notices).map_err(Abnormal::unusable)?);
    }
    Ok(EligibilityResult {
        checked_on,
        reference,
        validity,
        qualifications,
        notice: if notices.is_empty() {
            None
        } else {
            Some(notices.join("\n"))
        },
        // The service's vocabulary does not carry the card: the caller that read it sets it.
        card_serial: None,
    })
}

/// 処理結果コード/メッセージ on a successful answer (e.g. カード失効3か月前): shown verbatim,
/// the code after the message.
fn service_notice(b: &MessageBody) -> Option<String> {
    match (
        non_blank(&b.processing_result_code),
        non_blank(&b.processing_result_message),
    ) {
        (Some(c), Some(m)) => Some(format!("{m}（{c}）")),
        (Some(c), None) => Some(c),
        (None, Some(m)) => Some(m),
        (None, None) => None,
    }
}

/// 資格確認日, or the date part of 処理実行日時 when the header leaves it out.
fn checked_on(h: &MessageHeader) -> Result<Date, VocabError> {
    if let Some(d) = non_blank(&h.qualification_confirmation_date) {
        return date(&d, &format!("{HEADER}/QualificationConfirmationDate"));
    }
    match non_blank(&h.process_execution_time) {
        Some(t) => date(
            t.get(..8).unwrap_or(&t),
            &format!("{HEADER}/ProcessExecutionTime"),
        ),
        None => Err(VocabError::MissingElement {
            path: format!("{HEADER}/QualificationConfirmationDate"),
        }),
    }
}

fn qualification(
    r: &ResultOfQualificationConfirmation,
    path: &str,
    index: usize,
    notices: &mut Vec<String>,
) -> Result<Qualification, VocabError> {
    let insurer_number = required(&r.insurer_number, path, "InsurerNumber")?;
    if let Err(e) = validate_insurer_number(&insurer_number) {
        push_notice(notices, insurer_notice(index, &insurer_number, &e));
    }
    let personal_family = match &r.personal_family_classification {
        None => return Err(missing(path, "PersonalFamilyClassification")),
        Some(PersonalFamilyClassification::Insured) => PersonalFamily::Insured,
        Some(PersonalFamilyClassification::Dependent) => PersonalFamily::Dependent,
        Some(PersonalFamilyClassification::Unknown(c)) => {
            return Err(bad(path, "PersonalFamilyClassification", &unknown(c)))
        }
    };
    let sex = match &r.sex1 {
        None => return Err(missing(path, "Sex1")),
        Some(SexCode::Male) => Sex::Male,
        Some(SexCode::Female) => Sex::Female,
        Some(SexCode::Unset) => Sex::Unset,
        Some(SexCode::Unknown(c)) => return Err(bad(path, "Sex1", &unknown(c))),
    };
    let reason_of_loss = match &r.reason_of_loss {
        None => None,
        Some(ReasonOfLossCode::Death) => Some(ReasonOfLoss::Death),
        Some(ReasonOfLossCode::PublicAssistance) => Some(ReasonOfLoss::PublicAssistance),
        Some(ReasonOfLossCode::OtherInsurance) => Some(ReasonOfLoss::OtherInsurance),
        Some(ReasonOfLossCode::Other) => Some(ReasonOfLoss::Other),
        Some(ReasonOfLossCode::Unknown(c)) => {
            // The loss itself is in DisqualificationDate; an unknown reason must not hide it.
            push_notice(
                notices,
                format!(
                    "{}件目の資格：資格喪失事由のコード「{}」は未対応のため表示できません。",
                    index + 1,
                    quoted(c)
                ),
            );
            None
        }
    };
    let elderly = match &r.elderly_recipient_certificate_info {
        None => None,
        Some(e) => {
            let p = format!("{path}/ElderlyRecipientCertificateInfo");
            Some(ElderlyRecipient {
                valid_from: opt_date(
                    &e.elderly_recipient_valid_start_date,
                    &p,
                    "ElderlyRecipientValidStartDate",
                )?,
                valid_until: opt_date(
                    &e.elderly_recipient_valid_end_date,
                    &p,
                    "ElderlyRecipientValidEndDate",
                )?,
                contribution_percent: opt_ratio(
                    &e.elderly_recipient_contribution_ratio,
                    &p,
                    "ElderlyRecipientContributionRatio",
                )?,
            })
        }
    };
    Ok(Qualification {
        insurer_number,
        insurer_name: non_blank(&r.insurer_name).unwrap_or_default(),
        card_classification: r
            .insured_card_classification
            .as_ref()
            .map(|c| c.code().to_string()),
        symbol: non_blank(&r.insured_card_symbol),
        number: required(
            &r.insured_identification_number,
            path,
            "InsuredIdentificationNumber",
        )?,
        branch: non_blank(&r.insured_branch_number),
        personal_family,
        insured_name: non_blank(&r.insured_name),
        name: required(&r.name, path, "Name")?,
        name_kana: non_blank(&r.name_kana)
            .map(|k| to_fullwidth_kana(&k))
            .unwrap_or_default(),
        sex,
        birthdate: date(
            &required(&r.birthdate, path, "Birthdate")?,
            &format!("{path}/Birthdate"),
        )?,
        address: non_blank(&r.address),
        postal_code: non_blank(&r.post_number),
        qualification_date: opt_date(&r.qualification_date, path, "QualificationDate")?,
        disqualification_date: opt_date(&r.disqualification_date, path, "DisqualificationDate")?,
        reason_of_loss,
        valid_from: opt_date(&r.insured_card_valid_date, path, "InsuredCardValidDate")?,
        valid_until: opt_date(
            &r.insured_card_expiration_date,
            path,
            "InsuredCardExpirationDate",
        )?,
        contribution_percent: opt_ratio(
            &r.insured_partial_contribution_ratio,
            path,
            "InsuredPartialContributionRatio",
        )?,
        preschool: non_blank(&r.preschool_classification).as_deref() == Some("1"),
        elderly,
    })
}

/// Adds a notice of ours unless the service's message already carries it: a result written
/// back with [`XmlMsg::from_result`] holds our notices in its message, and reading it again
/// must not repeat them.
fn push_notice(notices: &mut Vec<String>, line: String) {
    if !notices.iter().any(|n| n.contains(&line)) {
        notices.push(line);
    }
}

/// A value from the wire quoted in a notice: control characters (a stray newline in an
/// insurer number) are shown as escapes so one notice stays one line.
fn quoted(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_unicode().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

fn insurer_notice(index: usize, number: &str, e: &InsurerNumberError) -> String {
    let what = match e {
        InsurerNumberError::CheckDigit { expected, .. } => {
            format!("検証番号（最後の1桁）が計算上の{expected}と合いません")
        }
        InsurerNumberError::Length { len } => format!("桁数が6桁・8桁ではありません（{len}桁）"),
        InsurerNumberError::NotDigits => "数字以外を含みます".to_string(),
    };
    format!(
        "{}件目の資格：保険者番号「{}」の{what}。資格確認サービスの回答のまま表示しています。保険証・資格確認書と照らし合わせてください。",
        index + 1,
        quoted(number)
    )
}

fn validity(v: &ValidityCode) -> Result<QualificationValidity, VocabError> {
    QualificationValidity::from_code(v.code()).ok_or_else(|| VocabError::BadValue {
        path: format!("{BODY}/QualificationValidity"),
        reason: unknown(v.code()),
    })
}

fn unknown(code: &str) -> String {
    format!("unknown code {code:?}")
}

/// Trimmed text, `None` when absent or blank (full-width spaces count as blank).
fn non_blank(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn missing(path: &str, elem: &str) -> VocabError {
    VocabError::MissingElement {
        path: format!("{path}/{elem}"),
    }
}

fn bad(path: &str, elem: &str, reason: &str) -> VocabError {
    VocabError::BadValue {
        path: format!("{path}/{elem}"),
        reason: reason.to_string(),
    }
}

fn required(v: &Option<String>, path: &str, elem: &str) -> Result<String, VocabError> {
    non_blank(v).ok_or_else(|| missing(path, elem))
}

fn date(s: &str, path: &str) -> Result<Date, VocabError> {
    Date::parse(s).map_err(|_| VocabError::BadValue {
        path: path.to_string(),
        reason: format!("{s:?} is not a date yyyyMMdd"),
    })
}

fn opt_date(v: &Option<String>, path: &str, elem: &str) -> Result<Option<Date>, VocabError> {
    non_blank(v)
        .map(|s| date(&s, &format!("{path}/{elem}")))
        .transpose()
}

/// `030` → 30. Percent, at most three digits, at most 100.
fn opt_ratio(v: &Option<String>, path: &str, elem: &str) -> Result<Option<u8>, VocabError> {
    let Some(s) = non_blank(v) else {
        return Ok(None);
    };
    let ok = s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    match s.parse::<u8>() {
        Ok(p) if ok && p <= 100 => Ok(Some(p)),
        _ => Err(bad(
            path,
            elem,
            &format!("{s:?} is not a percentage in 3 digits (030 = 3割)"),
        )),
    }
}

/// Header facts a server adds when it answers with [`XmlMsg::from_result`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHeader {
    /// 処理実行日時 `yyyyMMddHHmmss`.
    pub process_execution_time: String,
    pub medical_institution_code: String,
    /// Echo of the request's 任意のファイル識別子.
    pub arbitrary_file_identifier: Option<String>,
}

impl ResponseHeader {
    fn header(&self, checked_on: Date, segment: SegmentOfResult) -> MessageHeader {
        MessageHeader {
            qualification_confirmation_date: Some(checked_on.compact()),
            medical_institution_code: Some(self.medical_institution_code.clone()),
            arbitrary_file_identifier: self.arbitrary_file_identifier.clone(),
            process_execution_time: Some(self.process_execution_time.clone()),
            reference_classification: None,
            segment_of_result: Some(segment),
            error_code: None,
            error_message: None,
            character_code_identifier: Some(CharacterCodeIdentifier::Utf8),
        }
    }
}

impl XmlMsg {
    /// A 正常終了 response carrying `result`, in the service's vocabulary. Fields Ukemi's
    /// model does not hold (性別2, 限度額, 特定疾病 …) are left out; `card_serial` is not part
    /// of the vocabulary.
    pub fn from_result(result: &EligibilityResult, header: &ResponseHeader) -> XmlMsg {
        let mut h = header.header(result.checked_on, SegmentOfResult::Normal);
        h.reference_classification = match result.reference {
            ReferenceKind::CardPin | ReferenceKind::CardVisual => {
                Some(ReferenceClassification::MyNumberCard)
            }
            ReferenceKind::InsuranceNumbers => Some(ReferenceClassification::InsuranceCardInfo),
            // [U] a result imported from elsewhere does not say how it was obtained.
            ReferenceKind::Imported => None,
        };
        XmlMsg {
            message_header: h,
            message_body: MessageBody {
                processing_result_status: Some(ProcessingResultStatus::Normal),
                processing_result_code: None,
                processing_result_message: result.notice.clone(),
                qualification_validity: Some(ValidityCode::from_code(result.validity.code())),
                qualification_confirm_search_info: None,
                prescription_issue_select: None,
                result_list: result
                    .qualifications
                    .iter()
                    .map(wire_qualification)
                    .collect(),
            },
        }
    }

    /// A 異常終了 (`SegmentOfResult` 9) response with the service's error code and message.
    pub fn abnormal(
        header: &ResponseHeader,
        checked_on: Date,
        error_code: &str,
        error_message: &str,
    ) -> XmlMsg {
        let mut h = header.header(checked_on, SegmentOfResult::Abnormal);
        h.error_code = Some(error_code.to_string());
        h.error_message = Some(error_message.to_string());
        XmlMsg {
            message_header: h,
            message_body: MessageBody::default(),
        }
    }
}

fn ratio(p: u8) -> String {
    format!("{p:03}")
}

fn wire_qualification(q: &Qualification) -> ResultOfQualificationConfirmation {
    ResultOfQualificationConfirmation {
        insured_card_classification: q
            .card_classification
            .as_deref()
            .map(InsuredCardClassification::from_code),
        insurer_number: Some(q.insurer_number.clone()),
        insurer_name: Some(q.insurer_name.clone()).filter(|s| !s.is_empty()),
        insured_card_symbol: q.symbol.clone(),
        insured_identification_number: Some(q.number.clone()),
        insured_branch_number: q.branch.clone(),
        personal_family_classification: Some(match q.personal_family {
            PersonalFamily::Insured => PersonalFamilyClassification::Insured,
            PersonalFamily::Dependent => PersonalFamilyClassification::Dependent,
        }),
        insured_name: q.insured_name.clone(),
        name: Some(q.name.clone()),
        name_kana: Some(to_halfwidth_kana(&q.name_kana)).filter(|s| !s.is_empty()),
        sex1: Some(match q.sex {
            Sex::Male => SexCode::Male,
            Sex::Female => SexCode::Female,
            Sex::Unset => SexCode::Unset,
        }),
        birthdate: Some(q.birthdate.compact()),
        address: q.address.clone(),
        post_number: q.postal_code.clone(),
        qualification_date: q.qualification_date.map(Date::compact),
        disqualification_date: q.disqualification_date.map(Date::compact),
        reason_of_loss: q.reason_of_loss.map(|r| match r {
            ReasonOfLoss::Death => ReasonOfLossCode::Death,
            ReasonOfLoss::PublicAssistance => ReasonOfLossCode::PublicAssistance,
            ReasonOfLoss::OtherInsurance => ReasonOfLossCode::OtherInsurance,
            ReasonOfLoss::Other => ReasonOfLossCode::Other,
        }),
        insured_card_valid_date: q.valid_from.map(Date::compact),
        insured_card_expiration_date: q.valid_until.map(Date::compact),
        insured_partial_contribution_ratio: q.contribution_percent.map(ratio),
        preschool_classification: q.preschool.then(|| "1".to_string()),
        elderly_recipient_certificate_info: q.elderly.as_ref().map(|e| {
            ElderlyRecipientCertificateInfo {
                elderly_recipient_certificate_date: None,
                elderly_recipient_valid_start_date: e.valid_from.map(Date::compact),
                elderly_recipient_valid_end_date: e.valid_until.map(Date::compact),
                elderly_recipient_contribution_ratio: e.contribution_percent.map(ratio),
            }
        }),
        ..ResultOfQualificationConfirmation::default()
    }
}
