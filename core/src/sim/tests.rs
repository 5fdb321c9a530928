//! The simulated world end to end, in process: card → JPKI client → service.

use super::*;
use crate::eligibility::{QualificationValidity, ReferenceKind};
use crate::jpki::{CardError, Jpki};
use crate::protocol::{CardKind, ErrorCode};
use std::sync::{Mutex, OnceLock};

fn today() -> Date {
    Date::parse("2026-11-25").expect("date")
}

/// Key generation is the slow part: one world for the whole test binary.
fn world() -> &'static Mutex<Simulator> {
    static W: OnceLock<Mutex<Simulator>> = OnceLock::new();
    W.get_or_init(|| Mutex::new(Simulator::new(42, today()).expect("simulator")))
}

fn check_with_pin(sim: &mut Simulator, persona: &str, pin: &str) -> Result<Answer, CardError> {
    let mut card = sim.card_for(persona).expect("card");
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let mut j = Jpki::new(&mut card);
    j.require_my_number()?;
    let cert = j.read_auth_certificate()?;
    let challenge = sim.service.challenge(&mut rng);
    j.verify_auth_pin(pin.as_bytes())?;
    let sig = j.sign_auth(&challenge)?;
    let check = CardCheck {
        certificate: &cert,
        signed_challenge: Some((&challenge, &sig)),
        visual_confirmed: false,
    };
    Ok(sim.service.check_by_card(&check, today()))
}

#[test]
fn pin_check_returns_the_persona_with_address() {
    let mut sim = world().lock().expect("lock");
    let answer = check_with_pin(&mut sim, "normal", SIM_PIN).expect("card ok");
    let r = answer.result.expect("service ok");
    assert_eq!(r.validity, QualificationValidity::Valid);
    assert_eq!(r.reference, ReferenceKind::CardPin);
    let q = r.primary().expect("qualification");
    assert_eq!(q.name, "山田　花子");
    assert_eq!(
        q.address.as_deref(),
        Some("東京都世田谷区太子堂四丁目1番1号")
    );
}

#[test]
fn wrong_pin_counts_down_to_lock_and_the_tries_query_spends_nothing() {
    let sim = world().lock().expect("lock");
    let mut card = sim.card_for("normal").expect("card");
    let mut j = Jpki::new(&mut card);
    j.require_my_number().expect("jpki");
    assert_eq!(j.auth_pin_tries(), Ok(3));
    assert_eq!(j.auth_pin_tries(), Ok(3));
    assert_eq!(
        j.verify_auth_pin(b"0000"),
        Err(CardError::PinWrong { tries_left: 2 })
    );
    assert_eq!(
        j.verify_auth_pin(b"0000"),
        Err(CardError::PinWrong { tries_left: 1 })
    );
    assert_eq!(j.verify_auth_pin(b"0000"), Err(CardError::PinLocked));
    // Locked: even the right PIN is refused.
    assert_eq!(
        j.verify_auth_pin(SIM_PIN.as_bytes()),
        Err(CardError::PinLocked)
    );
    assert_eq!(j.auth_pin_tries(), Ok(0));
}

#[test]
fn signing_without_verify_is_refused_by_the_card() {
    let sim = world().lock().expect("lock");
    let mut card = sim.card_for("normal").expect("card");
    let mut j = Jpki::new(&mut card);
    j.require_my_number().expect("jpki");
    assert!(matches!(
        j.sign_auth(b"challenge"),
        Err(CardError::Unexpected { sw: 0x6982, .. })
    ));
}

#[test]
fn other_cards_are_named() {
    let sim = world().lock().expect("lock");
    let mut juki = sim.card_for("juki").expect("card");
    assert_eq!(Jpki::new(&mut juki).identify(), Ok(CardKind::Juki));
    let mut foreign = sim.card_for("foreign").expect("card");
    assert_eq!(Jpki::new(&mut foreign).identify(), Ok(CardKind::Other));
    assert_eq!(
        Jpki::new(&mut foreign).require_my_number(),
        Err(CardError::NotJpki)
    );
}

#[test]
fn visual_check_needs_staff_confirmation() {
    let mut sim = world().lock().expect("lock");
    let mut card = sim.card_for("lost").expect("card");
    let cert = {
        let mut j = Jpki::new(&mut card);
        j.require_my_number().expect("jpki");
        j.read_auth_certificate().expect("cert")
    };
    let unconfirmed = CardCheck {
        certificate: &cert,
        signed_challenge: None,
        visual_confirmed: false,
    };
    let e = sim
        .service
        .check_by_card(&unconfirmed, today())
        .result
        .expect_err("needs confirmation");
    assert_eq!(e.code, ErrorCode::VisualNotConfirmed);
    let confirmed = CardCheck {
        certificate: &cert,
        signed_challenge: None,
        visual_confirmed: true,
    };
    let r = sim
        .service
        .check_by_card(&confirmed, today())
        .result
        .expect("ok");
    assert_eq!(r.validity, QualificationValidity::Invalid);
    assert!(r.primary().and_then(|q| q.reason_of_loss).is_some());
}

#[test]
fn forged_signature_and_replayed_challenge_are_refused() {
    let mut sim = world().lock().expect("lock");
    let mut card = sim.card_for("normal").expect("card");
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let challenge = sim.service.challenge(&mut rng);
    let (cert, sig) = {
        let mut j = Jpki::new(&mut card);
        j.require_my_number().expect("jpki");
        let cert = j.read_auth_certificate().expect("cert");
        j.verify_auth_pin(SIM_PIN.as_bytes()).expect("pin");
        (cert, j.sign_auth(b"something else").expect("sig"))
    };
    let forged = CardCheck {
        certificate: &cert,
        signed_challenge: Some((&challenge, &sig)),
        visual_confirmed: false,
    };
    assert_eq!(
        sim.service
            .check_by_card(&forged, today())
            .result
            .expect_err("forged")
            .code,
        ErrorCode::ServiceError
    );
    // The challenge was used up by the failed attempt.
    let again = CardCheck {
        certificate: &cert,
        signed_challenge: Some((&challenge, &sig)),
        visual_confirmed: false,
    };
    assert!(sim.service.check_by_card(&again, today()).result.is_err());
}

#[test]
fn certificate_scenarios() {
    let mut sim = world().lock().expect("lock");
    for (persona, code) in [
        ("cert_expired", ErrorCode::CardCertificateExpired),
        ("cert_revoked", ErrorCode::CardCertificateRevoked),
        ("service_error", ErrorCode::ServiceError),
    ] {
        let answer = check_with_pin(&mut sim, persona, SIM_PIN).expect("card ok");
        assert_eq!(answer.result.expect_err(persona).code, code, "{persona}");
    }
    let slow = check_with_pin(&mut sim, "slow", SIM_PIN).expect("card ok");
    assert!(slow.delay_ms > 0 && slow.result.is_ok());
}

#[test]
fn insurance_numbers_find_the_person() {
    let sim = world().lock().expect("lock");
    let p = sim
        .service
        .population
        .find("kokuho")
        .expect("persona")
        .primary()
        .clone();
    let q = crate::eligibility::InsuranceQuery {
        insurer_number: format!("  {}", p.insurer_number),
        symbol: p.symbol.clone(),
        number: p.number.clone(),
        branch: p.branch.clone(),
        birthdate: p.birthdate,
    };
    let r = sim
        .service
        .check_by_insurance(&q, today())
        .result
        .expect("ok");
    assert_eq!(r.validity, QualificationValidity::Valid);
    assert_eq!(r.primary().map(|x| x.name.as_str()), Some("高橋　誠"));
    let wrong_birthday = crate::eligibility::InsuranceQuery {
        birthdate: p.birthdate.add_days(1),
        ..q
    };
    let r = sim
        .service
        .check_by_insurance(&wrong_birthday, today())
        .result
        .expect("ok");
    assert_eq!(r.validity, QualificationValidity::NoMatch);
}
