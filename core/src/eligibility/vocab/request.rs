//! The request side: 被保険者証情報での照会 (`QualificationConfirmSearchInfo`), built from an
//! [`InsuranceQuery`] and read back by a simulated service.

use super::model::{MessageBody, MessageHeader, QualificationConfirmSearchInfo, XmlMsg};
use super::VocabError;
use crate::date::Date;
use crate::eligibility::InsuranceQuery;
use crate::protocol::{ErrorCode, ErrorDetail};

/// \[U\] Whether a 6-digit 国保 insurer number is sent left-padded to 8 with spaces, as
/// responses show it. The request form is not public; we send the 6 digits as they are.
const PAD_KOKUHO_IN_REQUEST: bool = false;

fn wire_insurer_number(n: &str) -> String {
    if PAD_KOKUHO_IN_REQUEST {
        format!("{n:>8}")
    } else {
        n.to_string()
    }
}

/// A search request for `query` on 資格確認日 `confirmation_date` from the 施術所 or
/// 医療機関 `institution_code`. The query is normalised first (full-width digits, check
/// digit, 枝番 padded to 2); an unusable query is `INVALID_QUERY` naming the field.
pub fn search_request(
    query: &InsuranceQuery,
    confirmation_date: Date,
    institution_code: &str,
    file_identifier: Option<&str>,
    limit_certificate_consent: Option<bool>,
) -> Result<XmlMsg, (ErrorCode, ErrorDetail)> {
    let q = query.normalised()?;
    let institution = institution_code.trim();
    if institution.is_empty() {
        return Err((
            ErrorCode::InvalidQuery,
            ErrorDetail::field("institution_code"),
        ));
    }
    Ok(XmlMsg {
        message_header: MessageHeader {
            qualification_confirmation_date: Some(confirmation_date.compact()),
            medical_institution_code: Some(institution.to_string()),
            arbitrary_file_identifier: file_identifier.map(str::to_string),
            ..MessageHeader::default()
        },
        message_body: MessageBody {
            qualification_confirm_search_info: Some(QualificationConfirmSearchInfo {
                insurer_number: Some(wire_insurer_number(&q.insurer_number)),
                insured_card_symbol: q.symbol,
                insured_identification_number: Some(q.number),
                insured_branch_number: q.branch,
                birthdate: Some(q.birthdate.compact()),
                limit_application_certificate_related_cons_flg: limit_certificate_consent
                    .map(|c| if c { "1" } else { "0" }.to_string()),
            }),
            ..MessageBody::default()
        },
    })
}

/// What a request asks: the query and the 資格確認日. For simulated services.
pub fn search_query(msg: &XmlMsg) -> Result<(InsuranceQuery, Date), VocabError> {
    const INFO: &str = "XmlMsg/MessageBody/QualificationConfirmSearchInfo";
    let info = msg
        .message_body
        .qualification_confirm_search_info
        .as_ref()
        .ok_or_else(|| VocabError::MissingElement { path: INFO.into() })?;
    let need = |v: &Option<String>, elem: &str| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or_else(|| VocabError::MissingElement {
                path: format!("{INFO}/{elem}"),
            })
    };
    let date = |s: String, path: String| {
        Date::parse(&s).map_err(|_| VocabError::BadValue {
            path,
            reason: format!("{s:?} is not a date yyyyMMdd"),
        })
    };
    let birthdate = date(
        need(&info.birthdate, "Birthdate")?,
        format!("{INFO}/Birthdate"),
    )?;
    let day = date(
        need(
            &msg.message_header.qualification_confirmation_date,
            "../../MessageHeader/QualificationConfirmationDate",
        )?,
        "XmlMsg/MessageHeader/QualificationConfirmationDate".into(),
    )?;
    let query = InsuranceQuery {
        insurer_number: need(&info.insurer_number, "InsurerNumber")?,
        symbol: info
            .insured_card_symbol
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        number: need(
            &info.insured_identification_number,
            "InsuredIdentificationNumber",
        )?,
        branch: info
            .insured_branch_number
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        birthdate,
    };
    Ok((query, day))
}
