//! Fixtures in `tests/fixtures/eligibility/`, malformed input, round trips and properties.

use super::*;
use crate::date::Date;
use crate::eligibility::{
    ElderlyRecipient, EligibilityResult, InsuranceQuery, PersonalFamily, Qualification,
    QualificationValidity, ReasonOfLoss, ReferenceKind, Sex,
};
use proptest::prelude::*;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/eligibility/",
            $name
        ))
        .as_slice()
    };
}

const FIXTURES: &[(&str, &[u8])] = &[
    ("sample-utf8.xml", fixture!("sample-utf8.xml")),
    ("sample-sjis.xml", fixture!("sample-sjis.xml")),
    ("sample.json", fixture!("sample.json")),
    ("elderly.xml", fixture!("elderly.xml")),
    ("lost.xml", fixture!("lost.xml")),
    ("multiple.xml", fixture!("multiple.xml")),
    ("abnormal-9.xml", fixture!("abnormal-9.xml")),
    ("abnormal-3.json", fixture!("abnormal-3.json")),
    ("minimal.xml", fixture!("minimal.xml")),
    ("shuffled.xml", fixture!("shuffled.xml")),
    ("notice.xml", fixture!("notice.xml")),
    ("person-error.xml", fixture!("person-error.xml")),
];

fn d(s: &str) -> Date {
    Date::parse(s).expect("test date")
}

fn parse(bytes: &[u8]) -> XmlMsg {
    parse_response(bytes).expect("fixture parses")
}

fn result(bytes: &[u8]) -> EligibilityResult {
    to_result(&parse(bytes), ReferenceKind::CardPin).expect("fixture is a result")
}

fn err(bytes: &[u8]) -> VocabError {
    parse_response(bytes).expect_err("must be refused")
}

// ---- fixtures -------------------------------------------------------------------------

#[test]
fn sample_parses_into_the_wire_model() {
    let m = parse(fixture!("sample-utf8.xml"));
    let h = &m.message_header;
    assert_eq!(h.process_execution_time.as_deref(), Some("20230221174835"));
    assert_eq!(h.segment_of_result, Some(SegmentOfResult::Normal));
    assert_eq!(
        h.reference_classification,
        Some(ReferenceClassification::MyNumberCard)
    );
    assert_eq!(
        h.character_code_identifier,
        Some(CharacterCodeIdentifier::Utf8)
    );
    assert_eq!(h.medical_institution_code.as_deref(), Some("1311111111"));
    assert_eq!(
        h.arbitrary_file_identifier.as_deref(),
        Some("ArnHCeDfNjMCFzg=")
    );
    let b = &m.message_body;
    assert_eq!(b.qualification_validity, Some(ValidityCode::Valid));
    assert_eq!(b.result_list.len(), 1);
    let r = &b.result_list[0];
    // Kept verbatim: the padding is data.
    assert_eq!(r.insurer_number.as_deref(), Some("  123456"));
    assert_eq!(r.insured_branch_number.as_deref(), Some("01"));
    assert_eq!(r.name_kana.as_deref(), Some("ｼﾝﾘｮｳ ﾀﾛｳ"));
    assert_eq!(
        r.insured_card_classification,
        Some(InsuredCardClassification::General)
    );
    assert_eq!(
        r.insured_certificate_issuance_date.as_deref(),
        Some("20191001")
    );
}

#[test]
fn sample_normalises() {
    let r = result(fixture!("sample-utf8.xml"));
    assert_eq!(r.checked_on, d("20230221"));
    assert_eq!(r.validity, QualificationValidity::Valid);
    assert_eq!(r.reference, ReferenceKind::CardPin);
    let q = r.primary().expect("one qualification");
    assert_eq!(q.insurer_number, "123456");
    assert_eq!(q.symbol.as_deref(), Some("12-34"));
    assert_eq!(q.number, "4260");
    assert_eq!(q.branch.as_deref(), Some("01"));
    assert_eq!(q.card_classification.as_deref(), Some("01"));
    assert_eq!(q.personal_family, PersonalFamily::Insured);
    assert_eq!(q.name, "診療　太郎");
    assert_eq!(q.name_kana, "シンリョウ　タロウ");
    assert_eq!(q.sex, Sex::Male);
    assert_eq!(q.birthdate, d("20010327"));
    assert_eq!(q.address.as_deref(), Some("東京都"));
    assert_eq!(q.postal_code.as_deref(), Some("123-4567"));
    assert_eq!(q.valid_from, Some(d("20191001")));
    assert_eq!(q.insurer_name, "東京都");
    assert_eq!(q.contribution_percent, None);
    // 12345 → check digit 5, the sample says 6: kept, with a notice.
    let notice = r.notice.expect("check-digit notice");
    assert!(notice.contains("123456"), "{notice}");
    assert!(notice.contains("検証番号"), "{notice}");
}

#[test]
fn shift_jis_fixture_reads_like_utf8() {
    let sjis = parse(fixture!("sample-sjis.xml"));
    let mut utf8 = parse(fixture!("sample-utf8.xml"));
    assert_eq!(
        sjis.message_header.character_code_identifier,
        Some(CharacterCodeIdentifier::ShiftJis)
    );
    utf8.message_header.character_code_identifier = Some(CharacterCodeIdentifier::ShiftJis);
    assert_eq!(sjis, utf8);
    assert_eq!(
        result(fixture!("sample-sjis.xml")),
        result(fixture!("sample-utf8.xml"))
    );
}

#[test]
fn shift_jis_made_by_encoding_rs_reads_like_utf8() {
    let text = std::str::from_utf8(fixture!("sample-utf8.xml"))
        .expect("utf-8 fixture")
        .replace("encoding=\"UTF-8\"", "encoding=\"Shift_JIS\"");
    let (bytes, _, lossy) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!lossy);
    assert_ne!(bytes.as_ref(), text.as_bytes());
    assert_eq!(parse(&bytes), parse(fixture!("sample-utf8.xml")));
}

#[test]
fn json_form_reads_like_xml() {
    assert_eq!(detect_format(fixture!("sample.json")), Ok(WireFormat::Json));
    assert_eq!(
        detect_format(fixture!("sample-utf8.xml")),
        Ok(WireFormat::Xml)
    );
    assert_eq!(
        parse(fixture!("sample.json")),
        parse(fixture!("sample-utf8.xml"))
    );
}

#[test]
fn shuffled_order_unknown_elements_namespaces_cdata_and_entities() {
    assert_eq!(
        parse(fixture!("shuffled.xml")),
        parse(fixture!("sample-utf8.xml"))
    );
}

#[test]
fn elderly_recipient_and_limit_and_specific_diseases() {
    let m = parse(fixture!("elderly.xml"));
    let w = &m.message_body.result_list[0];
    let lim = w
        .limit_application_certificate_related_info
        .as_ref()
        .expect("limit info");
    assert_eq!(
        lim.limit_application_certificate_classification,
        Some(LimitApplicationCertificateClassification::LimitApplication)
    );
    assert_eq!(
        lim.limit_application_certificate_classification_flag,
        Some(LimitApplicationCertificateClassificationFlag::B04)
    );
    assert_eq!(w.specific_diseases_certificate_list.len(), 1);
    assert_eq!(
        w.specific_diseases_certificate_list[0].specific_diseases_disease_category,
        Some(SpecificDiseasesDiseaseCategory::Dialysis)
    );
    assert_eq!(w.sex2, Some(SexCode::Male));
    assert_eq!(
        w.elderly_recipient_certificate_info
            .as_ref()
            .and_then(|e| e.elderly_recipient_certificate_date.as_deref()),
        Some("20240301")
    );

    let r = result(fixture!("elderly.xml"));
    assert_eq!(r.notice, None, "valid insurer number, no service notice");
    let q = r.primary().expect("qualification");
    assert_eq!(q.insurer_number, "01130012");
    assert_eq!(q.symbol.as_deref(), Some("７１２３０４５６"));
    assert_eq!(q.contribution_percent, Some(30));
    assert_eq!(
        q.elderly,
        Some(ElderlyRecipient {
            valid_from: Some(d("20240501")),
            valid_until: Some(d("20290430")),
            contribution_percent: Some(20),
        })
    );
    assert_eq!(q.effective_contribution_percent(), Some(20));
    assert_eq!(q.insured_name.as_deref(), Some("高齢　一郎"));
    assert_eq!(q.qualification_date, Some(d("19770401")));
}

#[test]
fn lost_eligibility_with_reason() {
    let m = parse(fixture!("lost.xml"));
    let echo = m
        .message_body
        .qualification_confirm_search_info
        .as_ref()
        .expect("echo");
    assert_eq!(echo.insurer_number.as_deref(), Some("06270011"));
    assert_eq!(
        m.message_header.reference_classification,
        Some(ReferenceClassification::InsuranceCardInfo)
    );
    let r = to_result(&m, ReferenceKind::InsuranceNumbers).expect("result");
    assert_eq!(r.validity, QualificationValidity::Invalid);
    let q = r.primary().expect("qualification");
    assert_eq!(q.disqualification_date, Some(d("20261001")));
    assert_eq!(q.reason_of_loss, Some(ReasonOfLoss::OtherInsurance));
    assert_eq!(q.personal_family, PersonalFamily::Dependent);
    assert_eq!(q.sex, Sex::Female);
    assert_eq!(q.symbol.as_deref(), Some("記号1"));
    assert!(!q.covers(d("20261125")));
    assert!(q.covers(d("20260930")));
}

#[test]
fn multiple_results_in_order_with_kokuho_padding_trimmed() {
    let r = result(fixture!("multiple.xml"));
    assert_eq!(r.validity, QualificationValidity::MultipleMatches);
    let numbers: Vec<&str> = r
        .qualifications
        .iter()
        .map(|q| q.insurer_number.as_str())
        .collect();
    assert_eq!(numbers, ["06012348", "138008"]);
    assert_eq!(r.qualifications[0].name_kana, "フクスウ　ジロウ");
    assert_eq!(r.notice, None);
}

#[test]
fn abnormal_nine_is_shown_verbatim() {
    let m = parse(fixture!("abnormal-9.xml"));
    let a = to_result(&m, ReferenceKind::CardPin).expect_err("abnormal");
    assert_eq!(
        a.kind,
        AbnormalKind::Service {
            segment: SegmentOfResult::Abnormal
        }
    );
    assert_eq!(a.error_code.as_deref(), Some("EXXXX001"));
    assert_eq!(
        a.error_message.as_deref(),
        Some("システムエラーが発生しました。")
    );
    assert!(a.message_ja().contains("システムエラーが発生しました。"));
    assert!(a.message_en().contains("EXXXX001"));
}

#[test]
fn abnormal_three_in_json_with_numbers_and_null_body() {
    let m = parse(fixture!("abnormal-3.json"));
    assert_eq!(
        m.message_header.segment_of_result,
        Some(SegmentOfResult::AbnormalAlt)
    );
    assert_eq!(m.message_body, MessageBody::default());
    let a = to_result(&m, ReferenceKind::CardPin).expect_err("abnormal");
    assert_eq!(a.error_code.as_deref(), Some("EXXXX002"));
}

#[test]
fn in_progress_is_not_a_result() {
    let xml =
        "<XmlMsg><MessageHeader><SegmentOfResult>2</SegmentOfResult></MessageHeader></XmlMsg>";
    let a = to_result(&parse(xml.as_bytes()), ReferenceKind::CardPin).expect_err("in progress");
    assert_eq!(
        a.kind,
        AbnormalKind::Service {
            segment: SegmentOfResult::InProgress
        }
    );
    assert!(a.message_ja().contains("処理中"));
}

#[test]
fn person_error_without_validity() {
    let a = to_result(&parse(fixture!("person-error.xml")), ReferenceKind::CardPin)
        .expect_err("person error");
    assert_eq!(a.kind, AbnormalKind::Person);
    assert_eq!(a.error_code.as_deref(), Some("EXXXX010"));
    assert!(a.message_ja().contains("該当する資格情報が存在しません。"));
}

#[test]
fn absent_and_empty_optional_elements() {
    let m = parse(fixture!("minimal.xml"));
    assert_eq!(m.message_body.result_list[0].insured_card_symbol, None);
    assert_eq!(m.message_body.result_list[0].address, None);
    let r = to_result(&m, ReferenceKind::CardVisual).expect("result");
    let q = r.primary().expect("qualification");
    assert_eq!(q.insurer_number, "39130018");
    assert_eq!(q.number, "00012345");
    assert_eq!(q.name_kana, "");
    assert_eq!(q.insurer_name, "");
    assert_eq!(q.sex, Sex::Unset);
    assert_eq!(q.symbol, None);
    assert_eq!(q.branch, None);
    assert_eq!(q.address, None);
    assert_eq!(q.elderly, None);
    assert_eq!(q.contribution_percent, None);
    assert!(!q.preschool);
    assert_eq!(r.notice, None);
}

#[test]
fn processing_result_on_success_is_a_notice() {
    let r = result(fixture!("notice.xml"));
    assert_eq!(
        r.notice.as_deref(),
        Some("マイナンバーカードの電子証明書の有効期限が3か月以内です。（WXXXX001）")
    );
    let q = r.primary().expect("qualification");
    assert!(q.preschool);
    assert_eq!(q.contribution_percent, Some(20));
}

#[test]
fn checked_on_falls_back_to_execution_time() {
    let xml = "<XmlMsg><MessageHeader><SegmentOfResult>1</SegmentOfResult>\
        <ProcessExecutionTime>20261124235959</ProcessExecutionTime></MessageHeader>\
        <MessageBody><QualificationValidity>4</QualificationValidity></MessageBody></XmlMsg>";
    let r = to_result(&parse(xml.as_bytes()), ReferenceKind::CardPin).expect("result");
    assert_eq!(r.checked_on, d("20261124"));
    assert_eq!(r.validity, QualificationValidity::NoMatch);
    assert!(r.qualifications.is_empty());
}

// ---- values a result cannot be made from ----------------------------------------------

fn sample_with(from: &str, to: &str) -> Vec<u8> {
    let text = std::str::from_utf8(fixture!("sample-utf8.xml")).expect("utf-8");
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1).into_bytes()
}

fn unusable(bytes: &[u8]) -> VocabError {
    match to_result(&parse(bytes), ReferenceKind::CardPin) {
        Err(Abnormal {
            kind: AbnormalKind::Unusable(e),
            ..
        }) => e,
        other => panic!("expected an unusable message, got {other:?}"),
    }
}

#[test]
fn bad_values_name_the_element() {
    let e = unusable(&sample_with("20010327", "20010230"));
    assert!(
        matches!(&e, VocabError::BadValue { path, .. } if path.ends_with("ResultOfQualificationConfirmation[1]/Birthdate")),
        "{e:?}"
    );
    let e = unusable(&sample_with(
        "<InsuredCardValidDate>20191001</InsuredCardValidDate>",
        "<InsuredPartialContributionRatio>3割</InsuredPartialContributionRatio>",
    ));
    assert!(
        matches!(&e, VocabError::BadValue { path, .. } if path.ends_with("InsuredPartialContributionRatio")),
        "{e:?}"
    );
    let e = unusable(&sample_with(
        "<QualificationValidity>1</QualificationValidity>",
        "<QualificationValidity>8</QualificationValidity>",
    ));
    assert!(matches!(e, VocabError::BadValue { .. }), "{e:?}");
    let e = unusable(&sample_with("<Sex1>1</Sex1>", "<Sex1>x</Sex1>"));
    assert!(matches!(e, VocabError::BadValue { .. }), "{e:?}");
    let e = unusable(&sample_with("<Name>診療　太郎</Name>", ""));
    assert_eq!(
        e,
        VocabError::MissingElement {
            path: "XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation[1]/Name".into()
        }
    );
    assert!(e.message_ja().contains("必要な項目"));
}

#[test]
fn unknown_reason_of_loss_is_a_notice_not_a_failure() {
    let bytes = sample_with(
        "<InsurerName>",
        "<ReasonOfLoss>42</ReasonOfLoss><InsurerName>",
    );
    let m = parse(&bytes);
    assert_eq!(
        m.message_body.result_list[0].reason_of_loss,
        Some(ReasonOfLossCode::Unknown("42".into()))
    );
    let r = to_result(&m, ReferenceKind::CardPin).expect("result");
    assert_eq!(r.primary().and_then(|q| q.reason_of_loss), None);
    assert!(r.notice.unwrap_or_default().contains("「42」"));
}

// ---- malformed input: each a typed error ----------------------------------------------

#[test]
fn truncated_anywhere_is_truncated_or_syntax() {
    let full = fixture!("sample-utf8.xml");
    let text = std::str::from_utf8(full).expect("utf-8");
    for cut in (1..full.len() - 12).step_by(7) {
        if !text.is_char_boundary(cut) {
            continue;
        }
        match parse_response(&full[..cut]) {
            Err(VocabError::Truncated) => {}
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    let json = fixture!("sample.json");
    assert_eq!(
        parse_response(&json[..json.len() / 2]),
        Err(VocabError::Truncated)
    );
}

#[test]
fn truncated_inside_a_multibyte_character_is_bad_encoding() {
    let full = fixture!("sample-utf8.xml");
    let at = full.iter().position(|b| *b >= 0x80).expect("non-ASCII") + 1;
    assert!(matches!(err(&full[..at]), VocabError::BadEncoding { .. }));
}

#[test]
fn wrong_encoding_is_bad_encoding() {
    // Shift_JIS bytes under a UTF-8 declaration.
    let mut bytes = fixture!("sample-sjis.xml").to_vec();
    let decl = b"encoding=\"Shift_JIS\"";
    let at = bytes
        .windows(decl.len())
        .position(|w| w == decl)
        .expect("declaration");
    bytes.splice(at..at + decl.len(), b"encoding=\"UTF-8\"".iter().copied());
    assert_eq!(
        err(&bytes),
        VocabError::BadEncoding {
            encoding: "UTF-8".into()
        }
    );
    // UTF-8 bytes under a Shift_JIS declaration: UTF-8's continuation bytes are not valid
    // Shift_JIS trail bytes here.
    assert_eq!(
        err(&sample_with("encoding=\"UTF-8\"", "encoding=\"Shift_JIS\"")),
        VocabError::BadEncoding {
            encoding: "Shift_JIS".into()
        }
    );
    assert!(matches!(
        err(&sample_with("encoding=\"UTF-8\"", "encoding=\"KOI8-R\"")),
        VocabError::UnsupportedEncoding { .. }
    ));
    // JSON must be UTF-8.
    assert!(matches!(
        err(b"{\"XmlMsg\":{\"x\":\"\x82\xa0\"}}"),
        VocabError::BadEncoding { .. }
    ));
}

#[test]
fn huge_input_is_too_large() {
    let mut big = b"<XmlMsg>".to_vec();
    big.resize(MAX_INPUT_BYTES + 1, b' ');
    assert_eq!(
        err(&big),
        VocabError::TooLarge {
            size: MAX_INPUT_BYTES + 1,
            max: MAX_INPUT_BYTES
        }
    );
}

#[test]
fn deep_nesting_is_too_deep() {
    let xml = format!("<XmlMsg>{}{}</XmlMsg>", "<a>".repeat(40), "</a>".repeat(40));
    assert_eq!(err(xml.as_bytes()), VocabError::TooDeep { max: MAX_DEPTH });
    let json = format!("{{\"XmlMsg\":{}1{}}}", "{\"a\":".repeat(40), "}".repeat(40));
    assert_eq!(err(json.as_bytes()), VocabError::TooDeep { max: MAX_DEPTH });
    // Beyond serde_json's own recursion limit.
    let json = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    assert_eq!(err(json.as_bytes()), VocabError::NotXmlOrJson);
    let json = format!("{{\"XmlMsg\":{}{}}}", "[".repeat(5000), "]".repeat(5000));
    assert_eq!(err(json.as_bytes()), VocabError::TooDeep { max: MAX_DEPTH });
}

#[test]
fn too_many_elements_and_results() {
    let item =
        "<ResultOfQualificationConfirmation><Name>x</Name></ResultOfQualificationConfirmation>";
    let xml = format!(
        "<XmlMsg><MessageHeader><SegmentOfResult>1</SegmentOfResult></MessageHeader>\
         <MessageBody><ResultList>{}</ResultList></MessageBody></XmlMsg>",
        item.repeat(MAX_LIST_ITEMS + 1)
    );
    assert!(matches!(
        err(xml.as_bytes()),
        VocabError::TooManyResults { .. }
    ));
    let xml = format!("<XmlMsg>{}</XmlMsg>", "<a/>".repeat(MAX_ELEMENTS + 1));
    assert_eq!(
        err(xml.as_bytes()),
        VocabError::TooManyElements { max: MAX_ELEMENTS }
    );
}

#[test]
fn garbage_empty_and_foreign_documents() {
    assert_eq!(err(b""), VocabError::Empty);
    assert_eq!(err(b" \r\n\t"), VocabError::Empty);
    assert_eq!(err(b"\x00\x01\x02garbage"), VocabError::NotXmlOrJson);
    assert_eq!(err(b"HTTP/1.1 500 Internal"), VocabError::NotXmlOrJson);
    assert_eq!(err(&[0xff; 64]), VocabError::NotXmlOrJson);
    assert_eq!(
        err(b"<html><body>502</body></html>"),
        VocabError::UnexpectedRoot {
            found: "html".into()
        }
    );
    assert!(matches!(
        err(b"{\"other\":{}}"),
        VocabError::UnexpectedRoot { .. }
    ));
    assert!(matches!(err(b"[1,2]"), VocabError::NotXmlOrJson));
    assert!(matches!(
        err(b"{\"XmlMsg\": }"),
        VocabError::JsonSyntax { .. }
    ));
    assert!(matches!(
        err(b"<XmlMsg><a></b></XmlMsg>"),
        VocabError::XmlSyntax { .. }
    ));
    assert!(matches!(
        err(b"<XmlMsg/><XmlMsg/>"),
        VocabError::XmlSyntax { .. }
    ));
    assert!(matches!(
        err(b"<XmlMsg>&bogus;</XmlMsg>"),
        VocabError::XmlSyntax { .. }
    ));
}

#[test]
fn structural_requirements() {
    assert_eq!(
        err(b"<XmlMsg><MessageBody/></XmlMsg>"),
        VocabError::MissingElement {
            path: "XmlMsg/MessageHeader".into()
        }
    );
    assert_eq!(
        err(b"<XmlMsg><MessageHeader/></XmlMsg>"),
        VocabError::MissingElement {
            path: "XmlMsg/MessageHeader/SegmentOfResult".into()
        }
    );
    assert_eq!(
        err(b"<XmlMsg><MessageHeader><SegmentOfResult>1</SegmentOfResult><SegmentOfResult>9</SegmentOfResult></MessageHeader></XmlMsg>"),
        VocabError::DuplicateElement {
            path: "XmlMsg/MessageHeader/SegmentOfResult".into()
        }
    );
    assert!(matches!(
        err(b"<XmlMsg><MessageHeader><SegmentOfResult><x/></SegmentOfResult></MessageHeader></XmlMsg>"),
        VocabError::BadValue { .. }
    ));
}

#[test]
fn every_error_has_japanese_and_english_text() {
    let errors = [
        VocabError::Empty,
        VocabError::TooLarge { size: 9, max: 8 },
        VocabError::TooDeep { max: 32 },
        VocabError::TooManyElements { max: 1 },
        VocabError::TooManyResults {
            path: "p".into(),
            max: 1,
        },
        VocabError::NotXmlOrJson,
        VocabError::UnsupportedEncoding { label: "x".into() },
        VocabError::BadEncoding {
            encoding: "UTF-8".into(),
        },
        VocabError::Truncated,
        VocabError::XmlSyntax {
            position: 1,
            reason: "r".into(),
        },
        VocabError::JsonSyntax {
            line: 1,
            column: 2,
            reason: "r".into(),
        },
        VocabError::UnexpectedRoot { found: "a".into() },
        VocabError::MissingElement { path: "p".into() },
        VocabError::DuplicateElement { path: "p".into() },
        VocabError::BadValue {
            path: "p".into(),
            reason: "r".into(),
        },
    ];
    for e in errors {
        assert!(e.message_ja().contains("資格確認"), "{e:?}");
        assert!(!e.message_en().is_empty());
    }
}

// ---- writing back ---------------------------------------------------------------------

fn header() -> ResponseHeader {
    ResponseHeader {
        process_execution_time: "20261125093000".into(),
        medical_institution_code: "1390000001".into(),
        arbitrary_file_identifier: Some("req-1".into()),
    }
}

fn round_trips(r: &EligibilityResult) {
    let msg = XmlMsg::from_result(r, &header());
    let xml = to_xml(&msg);
    let back = parse_response(xml.as_bytes()).expect("our XML parses");
    assert_eq!(back, msg, "{xml}");
    assert_eq!(to_result(&back, r.reference).as_ref(), Ok(r), "{xml}");
    let json = to_json(&msg);
    let back = parse_response(json.as_bytes()).expect("our JSON parses");
    assert_eq!(back, msg, "{json}");
    assert_eq!(to_result(&back, r.reference).as_ref(), Ok(r), "{json}");
    let sjis = to_xml_shift_jis(&msg);
    let back = parse_response(&sjis).expect("our Shift_JIS parses");
    assert_eq!(to_result(&back, r.reference).as_ref(), Ok(r));
}

#[test]
fn every_fixture_keeps_the_invariants() {
    for (name, bytes) in FIXTURES {
        let outcome = invariants::check(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = if name.starts_with("abnormal") || name.starts_with("person") {
            invariants::Outcome::Abnormal
        } else {
            invariants::Outcome::Result
        };
        assert_eq!(outcome, expected, "{name}");
    }
}

#[test]
fn a_structure_of_only_unknown_elements_is_absent() {
    let xml = "<XmlMsg><MessageHeader><SegmentOfResult>1</SegmentOfResult></MessageHeader>\
        <MessageBody><ResultList><ResultOfQualificationConfirmation><Future>1</Future>\
        </ResultOfQualificationConfirmation></ResultList>\
        <QualificationConfirmSearchInfo><Future>1</Future></QualificationConfirmSearchInfo>\
        </MessageBody></XmlMsg>";
    let m = parse(xml.as_bytes());
    assert!(m.message_body.result_list.is_empty());
    assert_eq!(m.message_body.qualification_confirm_search_info, None);
    assert!(invariants::check(xml.as_bytes()).is_ok());
}

#[test]
fn fixtures_round_trip_through_xml_json_and_shift_jis() {
    for (name, bytes) in FIXTURES {
        let m = parse(bytes);
        if let Ok(r) = to_result(&m, ReferenceKind::CardPin) {
            round_trips(&r);
        }
        // The wire model itself survives writing in both forms.
        assert_eq!(parse(to_xml(&m).as_bytes()), m, "{name}");
        assert_eq!(parse(to_json(&m).as_bytes()), m, "{name}");
    }
}

#[test]
fn written_xml_keeps_padding_and_escapes() {
    let mut m = parse(fixture!("sample-utf8.xml"));
    m.message_body.result_list[0].address = Some("A&B <東京>".into());
    let xml = to_xml(&m);
    assert!(
        xml.contains("<InsurerNumber>  123456</InsurerNumber>"),
        "{xml}"
    );
    assert!(xml.contains("A&amp;B &lt;東京&gt;"), "{xml}");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\""));
    assert_eq!(parse(xml.as_bytes()), m);
    let json: serde_json::Value = serde_json::from_str(&to_json(&m)).expect("json");
    // Lists are always arrays in what we write.
    assert!(
        json["XmlMsg"]["MessageBody"]["ResultList"]["ResultOfQualificationConfirmation"].is_array()
    );
}

#[test]
fn abnormal_answer_for_a_simulator() {
    let m = XmlMsg::abnormal(&header(), d("20261125"), "EXXXX001", "異常です");
    let back = parse(to_xml(&m).as_bytes());
    assert_eq!(
        back.message_header
            .segment_of_result
            .as_ref()
            .map(|s| s.code()),
        Some("9")
    );
    let a = to_result(&back, ReferenceKind::CardPin).expect_err("abnormal");
    assert_eq!(a.error_message.as_deref(), Some("異常です"));
}

#[test]
fn control_characters_in_a_bad_insurer_number_stay_on_one_notice_line() {
    // Found by cargo-fuzz: a newline inside the number split our notice over two lines,
    // and reading the written result back repeated it.
    let bytes = sample_with("  123456", "0627\n}\n0011\u{0}ca");
    let r = result(&bytes);
    let notice = r.notice.clone().expect("notice");
    assert_eq!(notice.lines().count(), 1, "{notice}");
    assert!(notice.contains("\\u{a}"), "{notice}");
    round_trips(&r);
    assert!(invariants::check(&bytes).is_ok());
}

#[test]
fn a_bad_check_digit_notice_is_not_repeated_on_round_trip() {
    let r = result(fixture!("sample-utf8.xml"));
    assert!(r.notice.is_some());
    round_trips(&r);
}

// ---- request side ---------------------------------------------------------------------

fn query() -> InsuranceQuery {
    InsuranceQuery {
        insurer_number: "０６２７００１１".into(),
        symbol: Some(" 記号1 ".into()),
        number: "1234".into(),
        branch: Some("2".into()),
        birthdate: d("19900105"),
    }
}

#[test]
fn search_request_in_xml_and_json() {
    let m = search_request(
        &query(),
        d("20261125"),
        "1390000001",
        Some("f-1"),
        Some(false),
    )
    .expect("valid query");
    let xml = to_xml(&m);
    assert!(
        xml.contains("<InsurerNumber>06270011</InsurerNumber>"),
        "{xml}"
    );
    assert!(
        xml.contains("<InsuredBranchNumber>02</InsuredBranchNumber>"),
        "{xml}"
    );
    assert!(xml.contains("<QualificationConfirmationDate>20261125</QualificationConfirmationDate>"));
    assert!(xml.contains(
        "<LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg>"
    ));
    for bytes in [xml.into_bytes(), to_json(&m).into_bytes()] {
        let back = parse_request(&bytes).expect("request parses");
        assert_eq!(back, m);
        let (q, day) = search_query(&back).expect("query");
        assert_eq!(day, d("20261125"));
        assert_eq!(q, query().normalised().expect("valid"));
    }
    // A response is not a request.
    assert!(matches!(
        parse_request(fixture!("abnormal-9.xml")),
        Err(VocabError::MissingElement { .. })
    ));
}

#[test]
fn search_request_refuses_a_bad_query() {
    let bad = InsuranceQuery {
        insurer_number: "06270012".into(),
        ..query()
    };
    let (code, detail) =
        search_request(&bad, d("20261125"), "1390000001", None, None).expect_err("check digit");
    assert_eq!(code, crate::protocol::ErrorCode::InvalidQuery);
    assert_eq!(detail.field.as_deref(), Some("insurer_number"));
    let (_, detail) =
        search_request(&query(), d("20261125"), "  ", None, None).expect_err("no institution");
    assert_eq!(detail.field.as_deref(), Some("institution_code"));
}

// ---- properties -----------------------------------------------------------------------

fn arb_date() -> impl Strategy<Value = Date> {
    (-40_000i64..40_000).prop_map(Date::from_days)
}

fn arb_text() -> impl Strategy<Value = String> {
    // Names and addresses: kanji, kana, full-width space, markup characters, ASCII.
    proptest::string::string_regex("[山田太郎東京都&<>\"'a-z0-9　-]{1,12}")
        .expect("regex")
        .prop_map(|s| s.trim().to_string())
        .prop_filter("non-blank", |s| !s.is_empty())
}

fn arb_kana() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[アイウカガキパピヴンー]{1,6}(　[アカサタナハマヤラワ]{1,6})?")
        .expect("regex")
}

fn arb_insurer() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..100_000).prop_map(|n| format!("{n:05}")),
        (0u32..10_000_000).prop_map(|n| format!("{n:07}")),
    ]
    .prop_map(|body| crate::eligibility::insurer::with_check_digit(&body).unwrap_or_default())
}

prop_compose! {
    fn arb_qualification()(
        insurer_number in arb_insurer(),
        insurer_name in prop_oneof![Just(String::new()), arb_text()],
        card_classification in proptest::option::of(prop_oneof![Just("01".to_string()), Just("A1".to_string()), Just("Z9".to_string())]),
        symbol in proptest::option::of(arb_text()),
        number in "[0-9]{1,8}",
        branch in proptest::option::of("[0-9]{2}"),
        dependent in any::<bool>(),
        insured_name in proptest::option::of(arb_text()),
        name in arb_text(),
        name_kana in prop_oneof![Just(String::new()), arb_kana()],
        sex in prop_oneof![Just(Sex::Male), Just(Sex::Female), Just(Sex::Unset)],
        birthdate in arb_date(),
        address in proptest::option::of(arb_text()),
        postal_code in proptest::option::of("[0-9]{3}-[0-9]{4}"),
        dates in (proptest::option::of(arb_date()), proptest::option::of(arb_date()), proptest::option::of(arb_date()), proptest::option::of(arb_date())),
        reason in proptest::option::of(prop_oneof![Just(ReasonOfLoss::Death), Just(ReasonOfLoss::PublicAssistance), Just(ReasonOfLoss::OtherInsurance), Just(ReasonOfLoss::Other)]),
        contribution_percent in proptest::option::of(0u8..=100),
        preschool in any::<bool>(),
        elderly in proptest::option::of((proptest::option::of(arb_date()), proptest::option::of(arb_date()), 0u8..=100)),
    ) -> Qualification {
        Qualification {
            insurer_number, insurer_name, card_classification, symbol, number, branch,
            personal_family: if dependent { PersonalFamily::Dependent } else { PersonalFamily::Insured },
            insured_name, name, name_kana, sex, birthdate, address, postal_code,
            qualification_date: dates.0, disqualification_date: dates.1, reason_of_loss: reason,
            valid_from: dates.2, valid_until: dates.3, contribution_percent, preschool,
            elderly: elderly.map(|(f, u, p)| ElderlyRecipient { valid_from: f, valid_until: u, contribution_percent: Some(p) }),
        }
    }
}

prop_compose! {
    fn arb_result()(
        checked_on in arb_date(),
        reference in prop_oneof![Just(ReferenceKind::CardPin), Just(ReferenceKind::CardVisual), Just(ReferenceKind::InsuranceNumbers), Just(ReferenceKind::Imported)],
        validity in (1u8..=6).prop_map(|c| QualificationValidity::from_code(&c.to_string()).unwrap_or(QualificationValidity::Valid)),
        qualifications in proptest::collection::vec(arb_qualification(), 0..4),
        notice in proptest::option::of(arb_text()),
    ) -> EligibilityResult {
        EligibilityResult { checked_on, reference, validity, qualifications, notice, card_serial: None }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn results_round_trip(r in arb_result()) {
        round_trips(&r);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(invariants::check(&bytes).is_ok());
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0..FIXTURES.len(),
        edits in proptest::collection::vec((any::<u16>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = FIXTURES[which].1.to_vec();
        for (at, byte, op) in edits {
            let i = usize::from(at) % (bytes.len() + 1);
            match op {
                0 if i < bytes.len() => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ if i < bytes.len() => { bytes.remove(i); }
                _ => {}
            }
        }
        let checked = invariants::check(&bytes);
        prop_assert!(checked.is_ok(), "{:?}", checked);
    }
}

// ---- more forms ------------------------------------------------------------------------

#[test]
fn byte_order_marks() {
    let utf8 = fixture!("sample-utf8.xml");
    let mut with_bom = b"\xef\xbb\xbf".to_vec();
    with_bom.extend_from_slice(utf8);
    assert_eq!(parse(&with_bom), parse(utf8));
    // UTF-16 is not the service's, but a BOM says exactly what the bytes are.
    let text = std::str::from_utf8(utf8).expect("utf-8");
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(parse(&utf16), parse(utf8));
    let mut json = b"\xef\xbb\xbf".to_vec();
    json.extend_from_slice(fixture!("sample.json"));
    assert_eq!(parse(&json), parse(utf8));
}

#[test]
fn shift_jis_output_carries_characters_it_lacks_as_references() {
    let mut m = parse(fixture!("sample-utf8.xml"));
    m.message_body.result_list[0].name = Some("𠮷野　家😀".into());
    let bytes = to_xml_shift_jis(&m);
    assert!(std::str::from_utf8(&bytes).is_err(), "really Shift_JIS");
    assert!(bytes.windows(3).any(|w| w == b"&#1"), "numeric references");
    assert_eq!(parse(&bytes), m);
}

#[test]
fn json_lists_in_every_shape() {
    let item = |n: &str| {
        format!(
            "{{\"InsurerNumber\":\"01130012\",\"InsuredIdentificationNumber\":\"{n}\",\
             \"PersonalFamilyClassification\":1,\"Name\":\"a\",\"Sex1\":2,\"Birthdate\":\"19800101\"}}"
        )
    };
    let head = "{\"XmlMsg\":{\"MessageHeader\":{\"SegmentOfResult\":\"1\",\
                \"QualificationConfirmationDate\":\"20261125\"},\"MessageBody\":{\
                \"QualificationValidity\":\"5\",\"ResultList\":";
    let shapes = [
        format!("{{\"ResultOfQualificationConfirmation\":[{},{}]}}", item("1"), item("2")),
        format!(
            "[{{\"ResultOfQualificationConfirmation\":{}}},{{\"ResultOfQualificationConfirmation\":{}}}]",
            item("1"),
            item("2")
        ),
    ];
    for shape in shapes {
        let json = format!("{head}{shape}}}}}}}");
        let r = result(json.as_bytes());
        let numbers: Vec<&str> = r.qualifications.iter().map(|q| q.number.as_str()).collect();
        assert_eq!(numbers, ["1", "2"], "{json}");
        assert_eq!(r.qualifications[1].sex, Sex::Female);
    }
}
