//! The app's reducer as a clinic's reception drives it: a check, its result, the one press
//! that registers it, an import reviewed then applied, failures by area.

use super::*;
use ukemi_core::date::Date;
use ukemi_core::eligibility::{
    EligibilityResult, PersonalFamily, Qualification, QualificationValidity, ReferenceKind, Sex,
};
use ukemi_core::protocol::ProgressStep;
use ukemi_core::records::Edit;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap_or_else(|e| panic!("test date {s}: {e:?}"))
}

fn qualification(name: &str, number: &str) -> Qualification {
    Qualification {
        insurer_number: "06139992".into(),
        insurer_name: "うけみ健康保険組合".into(),
        card_classification: None,
        symbol: Some("12".into()),
        number: number.into(),
        branch: Some("00".into()),
        personal_family: PersonalFamily::Insured,
        insured_name: None,
        name: name.into(),
        name_kana: "ﾔﾏﾀﾞ ﾊﾅｺ".into(),
        sex: Sex::Female,
        // Another number, another person (the book matches people by birth date too).
        birthdate: d(if number == "345" {
            "1980-05-05"
        } else {
            "1975-01-20"
        }),
        address: None,
        postal_code: None,
        qualification_date: Some(d("2020-04-01")),
        disqualification_date: None,
        reason_of_loss: None,
        valid_from: Some(d("2020-04-01")),
        valid_until: None,
        contribution_percent: Some(30),
        preschool: false,
        elderly: None,
    }
}

fn result(name: &str, number: &str) -> EligibilityResult {
    EligibilityResult {
        checked_on: d("2026-11-02"),
        reference: ReferenceKind::CardPin,
        validity: QualificationValidity::Valid,
        qualifications: vec![qualification(name, number)],
        notice: None,
        card_serial: None,
    }
}

fn failure(area: Area) -> Failure {
    Failure {
        area,
        code: ErrorCode::PinWrong,
        message_ja: "暗証番号が違います".into(),
        message_en: None,
        detail: ErrorDetail::default(),
    }
}

fn register(seq: u32) -> Action {
    check::Action::Register {
        seq,
        qualification: None,
        address: Some(("東京都新宿区西新宿2-8-1".into(), "163-8001".into())),
        at: "2026-11-02T09:00:00Z".into(),
    }
    .into()
}

fn checked(s: &mut State, name: &str, number: &str) {
    s.apply(check::Action::Running.into());
    s.apply(check::Action::Progress(ProgressStep::ReadingCertificate).into());
    s.apply(check::Action::Result(result(name, number)).into());
}

// The app's book: the widget's build (no cargo feature `app`) has none.
#[cfg(feature = "app")]
#[test]
fn a_result_is_registered_once_by_its_own_press_with_the_typed_address() {
    let mut s = State::default();
    checked(&mut s, "山田　花子", "345");
    assert_eq!(s.announcement, "資格確認結果：有効。山田　花子さん。");
    let seq = s.check.result_seq;
    s.apply(register(seq));
    assert_eq!(s.records.book.patients.len(), 1);
    let id = s.records.patient.clone().unwrap_or_default();
    assert_eq!(
        s.check.registered_patient,
        Some((id.clone(), "山田　花子".into()))
    );
    assert_eq!(s.check.registered_seq, Some(seq));
    let p = s.records.book.patient(&id).map(|p| p.address.clone());
    assert_eq!(p.as_deref(), Some("東京都新宿区西新宿2-8-1"));
    assert_eq!(
        s.announcement,
        "山田　花子さんを新しい患者として登録しました。"
    );
    // A second press of the same button changes nothing.
    let book = Rc::clone(&s.records.book);
    s.apply(register(seq));
    assert!(Rc::ptr_eq(&book, &s.records.book));
}

#[test]
fn a_press_for_a_result_since_replaced_registers_nothing() {
    let mut s = State::default();
    checked(&mut s, "山田　花子", "345");
    let stale = s.check.result_seq;
    checked(&mut s, "髙橋　一郎", "346");
    s.apply(register(stale));
    assert_eq!(s.records.book.patients.len(), 0);
    assert_eq!(s.check.registered_seq, None);
}

#[test]
fn a_new_check_clears_the_last_patients_result_and_says_it_started() {
    let mut s = State::default();
    checked(&mut s, "山田　花子", "345");
    s.apply(register(s.check.result_seq));
    s.apply(check::Action::Running.into());
    assert!(s.check.result.is_none() && s.check.registered.is_empty());
    assert_eq!(s.check.registered_patient, None);
    assert_eq!(s.announcement, "確認を始めています…");
    // The same step twice is said once.
    s.apply(check::Action::Progress(ProgressStep::ReadingCertificate).into());
    s.apply(Action::Announce("other".into()));
    s.apply(check::Action::Progress(ProgressStep::ReadingCertificate).into());
    assert_eq!(s.announcement, "other");
}

#[test]
fn failures_go_to_their_area_and_a_check_failure_silences_the_polite_region() {
    let mut s = State::default();
    s.apply(check::Action::Running.into());
    s.apply(Action::Failure(failure(Area::Pairing)));
    assert!(s.companion.failure.is_some());
    assert!(s.check.running, "a pairing failure does not end a check");
    s.apply(Action::Failure(failure(Area::Check)));
    assert!(!s.check.running);
    assert_eq!(s.check.failure_seq, 1);
    assert_eq!(s.announcement, "");
    s.apply(companion::Action::Paired.into());
    assert!(s.companion.failure.is_none());
    assert!(s.check.failure.is_some(), "the check's failure stays shown");
}

#[test]
fn losing_the_connection_ends_a_running_check() {
    let mut s = State::default();
    s.apply(check::Action::Running.into());
    s.apply(check::Action::Progress(ProgressStep::ReadingCertificate).into());
    s.apply(companion::Action::Connecting.into());
    assert!(!s.check.running && s.check.progress.is_none());
}

// The app's book: the widget's build (no cargo feature `app`) has none.
#[cfg(feature = "app")]
#[test]
fn an_import_changes_nothing_until_reviewed_and_applied() {
    let mut s = State::default();
    let results = vec![result("山田　花子", "345"), result("髙橋　一郎", "346")];
    s.apply(check::Action::Imported(results.clone()).into());
    assert_eq!(s.records.book.patients.len(), 0);
    s.apply(check::Action::CancelImport.into());
    s.apply(
        check::Action::ApplyImport {
            at: "2026-11-02T09:00:00Z".into(),
        }
        .into(),
    );
    assert_eq!(s.records.book.patients.len(), 0, "cancelled: nothing");
    s.apply(check::Action::Imported(results).into());
    s.apply(
        check::Action::ApplyImport {
            at: "2026-11-02T09:00:00Z".into(),
        }
        .into(),
    );
    assert_eq!(s.records.book.patients.len(), 2);
    assert_eq!(s.check.imported, Some(2));
    assert!(s.check.registered_by_import);
    assert_eq!(s.check.registered.len(), 2);
    assert_eq!(s.announcement, "2人の患者を登録・更新しました。");
}

// The app's book: the widget's build (no cargo feature `app`) has none.
#[cfg(feature = "app")]
#[test]
fn a_refused_edit_is_kept_for_its_screen_until_the_screen_changes() {
    let mut s = State::default();
    s.apply(
        records::Action::Edit(Edit::DeletePatient {
            id: "nobody".into(),
        })
        .into(),
    );
    assert_eq!(s.records.refusals, 1);
    assert!(s.records.edit_error.is_some());
    assert!(!s.announcement.is_empty(), "a refusal is announced");
    s.apply(Action::Navigate(Screen::Claims));
    assert!(s.records.edit_error.is_none());
    assert_eq!(s.announcement, "", "not said again on another screen");
}

// The app's book: the widget's build (no cargo feature `app`) has none.
#[cfg(feature = "app")]
#[test]
fn deleting_the_chosen_patient_unchooses_them_and_says_who() {
    let mut s = State::default();
    checked(&mut s, "山田　花子", "345");
    s.apply(register(s.check.result_seq));
    let id = s.records.patient.clone().unwrap_or_default();
    s.apply(records::Action::Edit(Edit::DeletePatient { id }).into());
    assert_eq!(s.records.patient, None);
    assert_eq!(s.announcement, "山田　花子さんの記録を削除しました。");
}

// The app's book: the widget's build (no cargo feature `app`) has none.
#[cfg(feature = "app")]
#[test]
fn english_pages_announce_in_english() {
    let mut s = State::default();
    s.apply(Action::SetLang(Lang::En));
    checked(&mut s, "Hanako Yamada", "345");
    assert_eq!(s.announcement, "Eligibility result: Valid. Hanako Yamada.");
    s.apply(
        records::Action::SaveFailed {
            ja: "保存できません".into(),
            en: "Could not save".into(),
        }
        .into(),
    );
    assert_eq!(s.announcement, "Could not save");
}

#[test]
fn screens_round_trip_through_their_hash() {
    for screen in Screen::ALL {
        assert_eq!(Screen::from_hash(&format!("#{}", screen.hash())), screen);
    }
    assert_eq!(Screen::from_hash("#records/p1"), Screen::Records);
    assert_eq!(Screen::from_hash("#nowhere"), Screen::Reception);
}
