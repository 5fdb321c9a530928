use super::backup::{self, BackupError};
use super::month::{export_csv, CaseClaim};
use super::store::{self, LoadError, Migration, Tables};
use super::*;
use crate::claims::{AcuDisease, AcupunctureCase, Consent, PartTreatment, Severity, VisitMode};
use crate::eligibility::{PersonalFamily, Qualification, Sex};

fn d(s: &str) -> Date {
    Date::parse(s).expect("test date")
}

fn qualification() -> Qualification {
    Qualification {
        insurer_number: "06139992".into(),
        insurer_name: "うけみ健康保険組合".into(),
        card_classification: None,
        symbol: Some("12".into()),
        number: "345".into(),
        branch: Some("00".into()),
        personal_family: PersonalFamily::Insured,
        insured_name: None,
        name: "山田　一郎".into(),
        name_kana: "ﾔﾏﾀﾞ ｲﾁﾛｳ".into(),
        sex: Sex::Male,
        birthdate: d("1980-05-05"),
        address: Some("東京都新宿区西新宿2-8-1".into()),
        postal_code: Some("163-8001".into()),
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

fn result(q: Qualification, on: &str) -> EligibilityResult {
    EligibilityResult {
        checked_on: d(on),
        reference: ReferenceKind::CardPin,
        validity: QualificationValidity::Valid,
        qualifications: vec![q],
        notice: None,
        card_serial: None,
    }
}

fn register(book: &mut Book, q: Qualification, on: &str) -> Registration {
    match book.apply(Edit::RegisterCheck {
        result: result(q, on),
        qualification: None,
        at: format!("{on}T09:00:00Z"),
    }) {
        Ok(Applied::Registered(mut r)) => r.remove(0),
        other => panic!("registration failed: {other:?}"),
    }
}

fn settings() -> Settings {
    Settings {
        clinic: Clinic {
            name: "うけみ接骨院".into(),
            address: "東京都千代田区千代田1-1".into(),
            prefecture_code: "13".into(),
            registration_number: "協13-1234".into(),
            manager_name: "受身 太郎".into(),
            statement_system: true,
        },
        practitioners: vec![],
        ..Default::default()
    }
}

fn fixture() -> ClaimInput {
    serde_json::from_str(include_str!(
        "../../../tests/fixtures/claims/judo_sprain_3parts.json"
    ))
    .expect("fixture parses")
}

/// The judo fixture typed into a book the way the page does it.
fn judo_book() -> (Book, String) {
    let mut book = Book::default();
    book.apply(Edit::PutSettings(Settings {
        clinic: fixture().clinic,
        practitioners: fixture().practitioners,
        ..Default::default()
    }))
    .expect("settings");
    let reg = register(&mut book, qualification(), "2024-10-01");
    let case_id = judo_case(&mut book, reg.patient_id);
    (book, case_id)
}

/// The fixture's 柔整 case with its visits, for `patient_id`.
fn judo_case(book: &mut Book, patient_id: String) -> String {
    let case_id = match book.apply(Edit::NewCase {
        patient_id,
        case: fixture().case,
    }) {
        Ok(Applied::Case(id)) => id,
        other => panic!("{other:?}"),
    };
    for v in fixture().visits {
        book.apply(Edit::SetVisit {
            case_id: case_id.clone(),
            visit: v,
        })
        .expect("visit");
    }
    case_id
}

fn october() -> ClaimMonth {
    ClaimMonth::parse("2024-10").expect("month")
}

#[test]
fn a_first_check_creates_a_patient_with_the_insured_address() {
    let mut book = Book::default();
    let r = register(&mut book, qualification(), "2024-10-01");
    assert!(r.created);
    let p = book.patient(&r.patient_id).expect("patient");
    assert_eq!(p.address, "東京都新宿区西新宿2-8-1");
    let ins = &p.insurance().expect("insurance").insurance;
    assert_eq!(ins.holder_address, "東京都新宿区西新宿2-8-1");
    assert_eq!(ins.holder_name, "山田　一郎");
    assert_eq!(ins.copay_percent, 30);
    assert_eq!(p.checks.len(), 1);
}

#[test]
fn a_later_check_updates_the_same_patient_and_lists_what_changed() {
    let mut book = Book::default();
    let first = register(&mut book, qualification(), "2024-10-01");
    let mut moved = qualification();
    moved.address = Some("東京都中野区中野4-1-1".into());
    // Spaces and half-width カナ differ, the person does not.
    moved.name = "山田 一郎".into();
    moved.name_kana = "ヤマダ　イチロウ".into();
    let second = register(&mut book, moved, "2024-11-01");
    assert!(!second.created);
    assert_eq!(second.patient_id, first.patient_id);
    assert_eq!(book.patients.len(), 1);
    let address = second
        .changes
        .iter()
        .find(|c| c.field == "address")
        .expect("address change listed");
    assert_eq!(address.before, "東京都新宿区西新宿2-8-1");
    assert_eq!(address.after, "東京都中野区中野4-1-1");
    let p = book.patient(&first.patient_id).expect("patient");
    // Same card: the entry is refreshed, not duplicated; the history has both checks.
    assert_eq!(p.insurances.len(), 1);
    assert_eq!(
        p.insurance().expect("ins").insurance.holder_address,
        "東京都中野区中野4-1-1"
    );
    assert_eq!(p.checks.len(), 2);
}

#[test]
fn a_new_insurer_starts_a_new_insurance_entry() {
    let mut book = Book::default();
    register(&mut book, qualification(), "2024-10-01");
    let mut switched = qualification();
    switched.insurer_number = "01130012".into();
    switched.symbol = Some("7".into());
    let r = register(&mut book, switched, "2024-12-01");
    assert!(r
        .changes
        .iter()
        .any(|c| c.field == "insurer_number" && c.before == "06139992" && c.after == "01130012"));
    let p = book.patient(&r.patient_id).expect("patient");
    assert_eq!(p.insurances.len(), 2);
    // November visits keep the insurance of November.
    assert_eq!(
        p.insurance_on(d("2024-11-15"))
            .expect("ins")
            .insurance
            .insurer_number,
        "06139992"
    );
    assert_eq!(
        p.insurance_on(d("2024-12-02"))
            .expect("ins")
            .insurance
            .insurer_number,
        "01130012"
    );
}

#[test]
fn a_result_without_qualification_is_refused_and_changes_nothing() {
    let mut book = Book::default();
    let mut r = result(qualification(), "2024-10-01");
    r.qualifications.clear();
    r.validity = QualificationValidity::NoMatch;
    let before = book.clone();
    assert_eq!(
        book.apply(Edit::RegisterCheck {
            result: r,
            qualification: None,
            at: "x".into()
        }),
        Err(RecordError::NothingToRegister)
    );
    assert_eq!(book, before);
}

/// 無効（新しい資格あり）: the lost insurance first, the new one in force second.
fn newer_exists(on: &str) -> EligibilityResult {
    let mut old = qualification();
    old.disqualification_date = Some(d("2024-09-01"));
    old.reason_of_loss = Some(crate::eligibility::ReasonOfLoss::OtherInsurance);
    let mut new = qualification();
    new.insurer_number = "01130012".into();
    new.number = "3003".into();
    new.qualification_date = Some(d("2024-09-01"));
    new.valid_from = Some(d("2024-09-01"));
    let mut r = result(old, on);
    r.validity = QualificationValidity::InvalidNewerExists;
    r.qualifications.push(new);
    r
}

#[test]
fn a_newer_qualification_is_registered_by_default_not_the_lost_one() {
    use crate::eligibility::Standing;
    let r = newer_exists("2024-10-01");
    assert_eq!(
        r.qualifications[0].standing(r.checked_on),
        Standing::Lost(d("2024-09-01"))
    );
    assert_eq!(
        r.qualifications[1].standing(r.checked_on),
        Standing::InForce
    );
    assert_eq!(r.default_choice(), Some(1));
    let mut book = Book::default();
    let applied = book
        .apply(Edit::RegisterCheck {
            result: r.clone(),
            qualification: None,
            at: "t".into(),
        })
        .expect("registers");
    let Applied::Registered(reg) = applied else {
        panic!("{applied:?}")
    };
    let p = book.patient(&reg[0].patient_id).expect("patient");
    assert_eq!(p.insurances.len(), 1);
    assert_eq!(
        p.insurance().expect("ins").insurance.insurer_number,
        "01130012"
    );
    // Staff may still register the other one deliberately.
    let mut other = Book::default();
    other
        .apply(Edit::RegisterCheck {
            result: r,
            qualification: Some(0),
            at: "t".into(),
        })
        .expect("registers");
    assert_eq!(
        other.patients[0]
            .insurance()
            .expect("ins")
            .insurance
            .insurer_number,
        "06139992"
    );
}

#[test]
fn several_qualifications_in_force_wait_for_staff_to_choose() {
    let mut second = qualification();
    second.insurer_number = "32130011".into();
    second.number = "4004".into();
    let mut r = result(qualification(), "2024-10-01");
    r.validity = QualificationValidity::MultipleMatches;
    r.qualifications.push(second);
    assert_eq!(r.in_force(), vec![0, 1]);
    assert_eq!(r.default_choice(), None);
    let mut book = Book::default();
    assert_eq!(
        book.apply(Edit::RegisterCheck {
            result: r.clone(),
            qualification: None,
            at: "t".into(),
        }),
        Err(RecordError::ChoiceNeeded)
    );
    assert!(book.patients.is_empty());
    // An import leaves it for reception and registers the rest.
    let applied = book
        .apply(Edit::RegisterChecks {
            results: vec![r.clone()],
            at: "t".into(),
        })
        .expect("import");
    assert_eq!(applied, Applied::Registered(vec![]));
    book.apply(Edit::RegisterCheck {
        result: r,
        qualification: Some(1),
        at: "t".into(),
    })
    .expect("chosen");
    assert_eq!(
        book.patients[0]
            .insurance()
            .expect("ins")
            .insurance
            .insurer_number,
        "32130011"
    );
}

#[test]
fn the_same_check_registered_or_imported_twice_changes_nothing() {
    let mut book = Book::default();
    let first = register(&mut book, qualification(), "2024-10-01");
    assert!(first.check_added);
    let once = book.clone();
    // A second press of 患者として登録 (the page's clock has moved on).
    let again = match book.apply(Edit::RegisterCheck {
        result: result(qualification(), "2024-10-01"),
        qualification: None,
        at: "2024-10-01T09:05:00Z".into(),
    }) {
        Ok(Applied::Registered(mut r)) => r.remove(0),
        other => panic!("{other:?}"),
    };
    assert!(!again.check_added && again.changes.is_empty());
    assert_eq!(book, once);

    // An import of a week that holds a switch of insurer, twice.
    let mut switched = qualification();
    switched.insurer_number = "01130012".into();
    let week = vec![
        result(switched.clone(), "2024-10-05"),
        result(qualification(), "2024-10-03"),
    ];
    let edit = || Edit::RegisterChecks {
        results: week.clone(),
        at: "t".into(),
    };
    let preview = book.preview(edit()).expect("preview");
    assert_eq!(book, once, "a preview changes nothing");
    book.apply(edit()).expect("import");
    assert_eq!(Ok(preview), once.preview(edit()));
    let imported = book.clone();
    let Applied::Registered(second) = book.apply(edit()).expect("import again") else {
        panic!()
    };
    assert!(second
        .iter()
        .all(|r| !r.check_added && r.changes.is_empty()));
    assert_eq!(book, imported, "the second import changes nothing");
    let p = &book.patients[0];
    assert_eq!(p.insurances.len(), 2, "{:?}", p.insurances);
    assert_eq!(
        p.insurance().expect("ins").insurance.insurer_number,
        "01130012"
    );
    let dates: Vec<Date> = p.checks.iter().map(|c| c.checked_on).collect();
    assert_eq!(
        dates,
        vec![d("2024-10-01"), d("2024-10-03"), d("2024-10-05")]
    );
}

#[test]
fn an_older_check_joins_the_history_and_changes_nothing_current() {
    let mut book = Book::default();
    let mut now = qualification();
    now.address = Some("東京都中野区中野4-1-1".into());
    register(&mut book, now, "2024-10-10");
    let mut before = qualification();
    before.insurer_number = "01130012".into();
    before.address = Some("東京都新宿区西新宿2-8-1".into());
    let r = register(&mut book, before, "2024-09-02");
    assert!(r.older && r.check_added && r.changes.is_empty());
    let p = &book.patients[0];
    assert_eq!(p.address, "東京都中野区中野4-1-1");
    assert_eq!(
        p.insurance().expect("ins").insurance.insurer_number,
        "06139992"
    );
    assert_eq!(p.insurances[0].insurance.insurer_number, "01130012");
    assert_eq!(p.checks[0].checked_on, d("2024-09-02"));
}

#[test]
fn settings_stored_before_the_clinic_kind_load_without_it() {
    let old = r#"{"clinic":{"name":"うけみ接骨院","address":"","prefecture_code":"13","registration_number":"","manager_name":""},"practitioners":[]}"#;
    let s: Settings = serde_json::from_str(old).expect("old settings load");
    assert_eq!(s.discipline, None);
    assert_eq!(s.clinic.name, "うけみ接骨院");
    let mut new = s.clone();
    new.discipline = Some(crate::claims::Discipline::Acupuncture);
    let text = serde_json::to_string(&new).expect("json");
    assert!(text.contains(r#""discipline":"acupuncture""#), "{text}");
    assert_eq!(serde_json::from_str::<Settings>(&text).expect("loads"), new);
}

#[test]
fn the_book_computes_the_same_claim_as_the_case_file() {
    let (book, case_id) = judo_book();
    let claims = book.month_claims(october());
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].case_id, case_id);
    let ours = claims[0].claim.as_ref().expect("computed");
    let theirs = crate::claims::compute(&fixture())
        .expect("computes")
        .remove(0);
    assert_eq!(ours.total_yen, theirs.total_yen);
    assert_eq!(ours.billed_yen, theirs.billed_yen);
    assert_eq!(ours.visit_dates, theirs.visit_dates);
    let form = claims[0].form().expect("form");
    let address = form
        .sections
        .iter()
        .flat_map(|s| s.fields.iter())
        .any(|f| f.value.contains("東京都新宿区西新宿2-8-1"));
    assert!(address, "the form carries the insured's address");
}

fn acupuncture_book(symptoms: &str) -> (Book, String) {
    let mut book = Book::default();
    book.apply(Edit::PutSettings(settings())).expect("settings");
    let reg = register(&mut book, qualification(), "2024-10-01");
    let case = Case::Acupuncture(AcupunctureCase {
        first_visit_date: d("2024-10-02"),
        diseases: vec![AcuDisease::LumbagoSyndrome],
        other_disease: None,
        symptoms: symptoms.into(),
        consent: Some(Consent {
            date: d("2024-09-30"),
            valid_until: d("2025-03-31"),
            doctor: "医師 一郎".into(),
            clinic: String::new(),
            deformity: false,
        }),
        reconsents: Vec::new(),
        outcome: None,
    });
    let Ok(Applied::Case(id)) = book.apply(Edit::NewCase {
        patient_id: reg.patient_id,
        case,
    }) else {
        panic!("case")
    };
    let mut v = Visit::on(d("2024-10-02"));
    v.techniques = Some(2);
    book.apply(Edit::SetVisit {
        case_id: id.clone(),
        visit: v,
    })
    .expect("visit");
    (book, id)
}

#[test]
fn errors_block_closing_until_fixed() {
    let (mut book, id) = acupuncture_book("");
    let claims = book.month_claims(october());
    assert!(claims[0].blocking(), "{:?}", claims[0].problems());
    let err = book
        .apply(Edit::CloseMonth {
            month: october(),
            at: "t".into(),
        })
        .expect_err("blocked");
    assert!(matches!(err, RecordError::ClaimsHaveErrors { .. }));
    let Some(Case::Acupuncture(mut c)) = book.case(&id).map(|c| c.case.clone()) else {
        panic!("case")
    };
    c.symptoms = "腰部の疼痛".into();
    book.apply(Edit::PutCase {
        id: id.clone(),
        case: Case::Acupuncture(c),
    })
    .expect("fix");
    assert!(!book.month_claims(october())[0].blocking());
    book.apply(Edit::CloseMonth {
        month: october(),
        at: "2024-11-01T10:00:00Z".into(),
    })
    .expect("closes");
    assert!(book.is_closed(october()));
}

#[test]
fn a_closed_month_is_read_only_until_reopened_with_a_reason() {
    let (mut book, id) = judo_book();
    let before_total = book.month_claims(october())[0]
        .claim
        .as_ref()
        .expect("claim")
        .total_yen;
    book.apply(Edit::CloseMonth {
        month: october(),
        at: "t1".into(),
    })
    .expect("closes");
    let visit = Visit::on(d("2024-10-20"));
    assert_eq!(
        book.apply(Edit::SetVisit {
            case_id: id.clone(),
            visit: visit.clone()
        }),
        Err(RecordError::MonthClosed { month: october() })
    );
    assert!(book
        .apply(Edit::RemoveVisit {
            case_id: id.clone(),
            date: d("2024-10-01")
        })
        .is_err());
    // Editing the case after closing does not change what was filed.
    let mut case = book.case(&id).expect("case").case.clone();
    if let Case::Judo(j) = &mut case {
        j.injuries.truncate(1);
    }
    book.apply(Edit::PutCase {
        id: id.clone(),
        case,
    })
    .expect("case edit");
    assert_eq!(
        book.month_claims(october())[0]
            .claim
            .as_ref()
            .expect("claim")
            .total_yen,
        before_total
    );
    assert_eq!(
        book.apply(Edit::ReopenMonth {
            month: october(),
            at: "t2".into(),
            reason: "  ".into()
        }),
        Err(RecordError::ReasonRequired)
    );
    book.apply(Edit::ReopenMonth {
        month: october(),
        at: "t2".into(),
        reason: "施術日の追加漏れ".into(),
    })
    .expect("reopens");
    book.apply(Edit::SetVisit { case_id: id, visit })
        .expect("editable again");
    assert_eq!(book.month(october()).expect("record").reopened.len(), 1);
}

#[test]
fn writes_hold_only_what_changed() {
    let (book, id) = judo_book();
    let mut next = book.clone();
    let mut v = Visit::on(d("2024-10-09"));
    v.parts = vec![PartTreatment {
        injury: 0,
        cold: false,
        warm: true,
        electro: false,
    }];
    next.apply(Edit::SetVisit {
        case_id: id.clone(),
        visit: v,
    })
    .expect("visit");
    let w = store::writes(&book, &next);
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!((w[0].store, w[0].key.as_str()), (store::CASES, id.as_str()));

    // An import of two new people: both patients and the id counter, in one set of writes.
    let mut other = qualification();
    other.name = "佐藤　ハナ".into();
    other.name_kana = "ｻﾄｳ ﾊﾅ".into();
    other.birthdate = d("1945-02-11");
    other.number = "999".into();
    let mut third = other.clone();
    third.name = "鈴木　太一".into();
    third.name_kana = "ｽｽﾞｷ ﾀｲﾁ".into();
    third.birthdate = d("1950-07-01");
    let mut imported = book.clone();
    imported
        .apply(Edit::RegisterChecks {
            results: vec![result(other, "2024-10-05"), result(third, "2024-10-05")],
            at: "t".into(),
        })
        .expect("import");
    let w = store::writes(&book, &imported);
    assert_eq!(w.iter().filter(|w| w.store == store::PATIENTS).count(), 2);
    assert!(w.iter().any(|w| w.store == store::META));
}

fn rows(writes: Vec<store::Write>) -> Vec<(String, String, String)> {
    writes
        .into_iter()
        .filter_map(|w| w.value.map(|v| (w.store.to_string(), w.key, v)))
        .collect()
}

#[test]
fn stored_records_load_back_exactly() {
    let (mut book, _) = judo_book();
    // More than nine ids, so text order (p10 < p2) differs from creation order.
    for i in 0..10 {
        let mut q = qualification();
        q.name = format!("患者　{i}");
        q.name_kana = format!("ｶﾝｼﾞｬ {i}");
        q.number = format!("{i}");
        register(&mut book, q, "2024-10-03");
    }
    book.apply(Edit::CloseMonth {
        month: october(),
        at: "t".into(),
    })
    .expect("close");
    let (loaded, upgrade) = store::load(rows(store::initial_writes(&book))).expect("loads");
    assert_eq!(loaded, book);
    assert!(upgrade.is_empty());
}

#[test]
fn an_empty_database_loads_as_an_empty_book_and_gets_its_version() {
    let (book, upgrade) = store::load(Vec::new()).expect("loads");
    assert_eq!(book, Book::default());
    assert!(upgrade
        .iter()
        .any(|w| w.store == store::META && w.key == "schema"));
}

#[test]
fn a_damaged_record_or_newer_schema_is_refused() {
    let (book, _) = judo_book();
    let mut r = rows(store::initial_writes(&book));
    let case = r
        .iter_mut()
        .find(|(s, _, _)| s == store::CASES)
        .expect("case row");
    case.2 = "{\"id\":".into();
    assert!(matches!(
        store::load(r),
        Err(LoadError::Record { store, .. }) if store == "cases"
    ));
    let mut r = rows(store::initial_writes(&book));
    for row in r.iter_mut().filter(|(_, k, _)| k == "schema") {
        row.2 = (SCHEMA_VERSION + 1).to_string();
    }
    assert_eq!(
        store::load(r),
        Err(LoadError::Newer {
            found: SCHEMA_VERSION + 1
        })
    );
}

#[test]
fn migration_steps_run_in_order_from_the_stored_version() {
    fn rename_note(t: &mut Tables) -> Result<(), String> {
        for p in t.entry("patients".into()).or_default().values_mut() {
            if let Some(o) = p.as_object_mut() {
                let v = o.remove("memo").unwrap_or_default();
                o.insert("note".into(), v);
            }
        }
        Ok(())
    }
    fn upper(t: &mut Tables) -> Result<(), String> {
        for p in t.entry("patients".into()).or_default().values_mut() {
            if let Some(n) = p
                .get("note")
                .and_then(|n| n.as_str())
                .map(str::to_uppercase)
            {
                p["note"] = n.into();
            }
        }
        Ok(())
    }
    let steps = [
        Migration {
            from: 2,
            apply: upper,
        },
        Migration {
            from: 1,
            apply: rename_note,
        },
    ];
    let mut t: Tables = Tables::new();
    t.entry("patients".into())
        .or_default()
        .insert("p1".into(), serde_json::json!({"memo": "abc"}));
    store::migrate(&mut t, 1, &steps, 3).expect("migrates");
    assert_eq!(t["patients"]["p1"]["note"], "ABC");
    assert!(store::migrate(&mut t, 1, &steps[..1], 3).is_err());
}

/// The 往療理由 is kept with the day in the book: the month's form prints it beside the 距離,
/// the warning goes once it is typed, and a backup brings it back unchanged.
#[test]
fn a_house_call_keeps_its_reason_through_the_form_and_a_backup() {
    let (mut book, id) = judo_book();
    let mut v = fixture().visits[1].clone();
    v.mode = VisitMode::Call { distance_km: 3.0 };
    book.apply(Edit::SetVisit {
        case_id: id.clone(),
        visit: v.clone(),
    })
    .expect("visit");
    let claim = |book: &Book| {
        book.month_claims(october())
            .into_iter()
            .find(|c| c.case_id == id)
            .expect("the case's claim")
    };
    let missing = |c: &CaseClaim| {
        c.claim
            .as_ref()
            .map(|m| {
                m.findings
                    .iter()
                    .any(|f| f.code == "outreach_reason_missing")
            })
            .unwrap_or(false)
    };
    assert!(missing(&claim(&book)));
    v.outreach_reason = Some("歩行困難（右足関節捻挫）".into());
    book.apply(Edit::SetVisit {
        case_id: id.clone(),
        visit: v,
    })
    .expect("visit with its reason");
    let c = claim(&book);
    assert!(!missing(&c));
    let form = c.form().expect("form");
    let printed: Vec<(&str, &str)> = form
        .sections
        .iter()
        .flat_map(|s| s.fields.iter())
        .filter(|f| f.key.starts_with("outreach_"))
        .map(|f| (f.key.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(
        printed,
        [
            ("outreach_distance", "2日 3km"),
            ("outreach_reason", "歩行困難（右足関節捻挫）")
        ]
    );
    let restored = backup::import(&backup::export(&book, "now")).expect("restores");
    assert_eq!(restored, book);
    let day = restored
        .case(&id)
        .and_then(|r| r.visits.iter().find(|v| v.date == d("2024-10-02")))
        .and_then(Visit::outreach_reason);
    assert_eq!(day, Some("歩行困難（右足関節捻挫）"));
}

#[test]
fn a_backup_restores_exactly_what_was_exported() {
    let (mut book, _) = judo_book();
    book.apply(Edit::CloseMonth {
        month: october(),
        at: "t".into(),
    })
    .expect("close");
    let text = backup::export(&book, "2024-11-01T00:00:00Z");
    let restored = backup::import(&text).expect("restores");
    assert_eq!(restored, book);
    // And exporting the restored book gives the same file.
    assert_eq!(backup::export(&restored, "2024-11-01T00:00:00Z"), text);
}

#[test]
fn a_corrupt_foreign_or_newer_backup_is_refused() {
    let (book, _) = judo_book();
    let text = backup::export(&book, "now");
    let edited = text.replace("西新宿2-8-1", "西新宿9-9-9");
    assert_ne!(edited, text);
    assert_eq!(backup::import(&edited), Err(BackupError::Corrupt));
    assert!(matches!(
        backup::import(&text[..text.len() / 2]),
        Err(BackupError::NotJson(_))
    ));
    assert_eq!(backup::import("{\"hello\": 1}"), Err(BackupError::Foreign));
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    doc["schema"] = (SCHEMA_VERSION + 1).into();
    let newer = doc.to_string();
    assert_eq!(
        backup::import(&newer),
        Err(BackupError::Newer {
            found: SCHEMA_VERSION + 1
        })
    );
    for e in [BackupError::Corrupt, BackupError::Foreign] {
        assert!(e.message_ja().contains("現在のデータはそのままです"));
    }
}

#[test]
fn a_backup_with_a_dangling_case_is_refused() {
    let (mut book, _) = judo_book();
    book.patients.clear();
    let text = backup::export(&book, "now");
    assert!(matches!(
        backup::import(&text),
        Err(BackupError::Unreadable(_))
    ));
}

#[test]
fn csv_export_carries_the_address_and_amounts() {
    let (book, _) = judo_book();
    let claims = book.month_claims(october());
    let csv = export_csv(&claims);
    assert!(csv.starts_with('\u{feff}'));
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 2);
    let total = claims[0]
        .claim
        .as_ref()
        .expect("claim")
        .total_yen
        .to_string();
    let row: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(row[8], "東京都新宿区西新宿2-8-1");
    assert_eq!(row[15], total);
    let json = month::export_json(&book, october());
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["claims"][0]["claim"]["total_yen"].to_string(), total);
}

#[test]
fn search_finds_by_name_kana_birthdate_and_insurer() {
    let mut book = Book::default();
    register(&mut book, qualification(), "2024-10-01");
    let p = &book.patients[0];
    for q in [
        "山田",
        "山田一郎",
        "ヤマダ",
        "ﾔﾏﾀﾞ",
        "1980-05",
        "昭和55年",
        "06139992",
        "うけみ健康",
    ] {
        assert!(p.matches(q), "{q}");
    }
    assert!(!p.matches("佐藤"));
}

fn typed() -> NewPatient {
    NewPatient {
        name: " 佐藤　花子 ".into(),
        name_kana: "サトウ　ハナコ".into(),
        birth_date: d("1950-02-03"),
        sex: Some(PatientSex::Female),
        address: "東京都中野区中野4-8-1".into(),
        postal_code: "164-0001".into(),
        insurer_name: String::new(),
        insurance: Insurance {
            insurer_number: "06139992".into(),
            symbol: "7".into(),
            number: " 88 ".into(),
            branch: Some(" ".into()),
            holder_name: String::new(),
            holder_address: String::new(),
            person: PersonalFamily::Insured,
            copay_percent: 20,
            elderly_recipient: false,
            valid_from: None,
            valid_until: None,
        },
    }
}

fn add(book: &mut Book, p: NewPatient) -> Result<Applied, RecordError> {
    book.apply(Edit::AddPatient {
        patient: p,
        on: d("2024-10-01"),
    })
}

#[test]
fn a_typed_patient_is_trimmed_and_the_insured_fields_filled_for_the_insured() {
    let mut book = Book::default();
    let id = match add(&mut book, typed()) {
        Ok(Applied::Registered(r)) => {
            assert!(r[0].created);
            r[0].patient_id.clone()
        }
        other => panic!("{other:?}"),
    };
    let p = book.patient(&id).expect("patient");
    assert_eq!(p.name, "佐藤　花子");
    assert!(p.checks.is_empty(), "no check was made");
    let ins = &p.insurance().expect("insurance").insurance;
    assert_eq!(ins.number, "88");
    assert_eq!(ins.branch, None, "a blank 枝番 is none");
    assert_eq!(ins.holder_name, "佐藤　花子");
    assert_eq!(ins.holder_address, "東京都中野区中野4-8-1");
    assert_eq!(ins.copay_percent, 20);
}

#[test]
fn a_typed_patient_with_bad_numbers_or_no_name_is_refused_and_nothing_changes() {
    let mut book = Book::default();
    let before = book.clone();
    let mut wrong_digit = typed();
    wrong_digit.insurance.insurer_number = "06139993".into();
    match add(&mut book, wrong_digit) {
        Err(RecordError::InsurerNumber { message_ja }) => {
            assert!(message_ja.contains("検証番号"), "{message_ja}")
        }
        other => panic!("{other:?}"),
    }
    let mut no_name = typed();
    no_name.name = " 　".into();
    assert_eq!(add(&mut book, no_name), Err(RecordError::NameRequired));
    let mut no_number = typed();
    no_number.insurance.number = "".into();
    assert_eq!(
        add(&mut book, no_number),
        Err(RecordError::InsuredNumberRequired)
    );
    let mut odd_copay = typed();
    odd_copay.insurance.copay_percent = 15;
    assert_eq!(
        add(&mut book, odd_copay),
        Err(RecordError::CopayPercent { percent: 15 })
    );
    assert_eq!(
        RecordError::CopayPercent { percent: 15 }.kind(),
        "copay_percent"
    );
    let mut backwards = typed();
    backwards.insurance.valid_from = Some(d("2024-04-01"));
    backwards.insurance.valid_until = Some(d("2024-03-31"));
    assert_eq!(add(&mut book, backwards), Err(RecordError::ValidityPeriod));
    assert_eq!(book, before);
}

#[test]
fn a_patient_typed_twice_is_refused_naming_the_one_registered() {
    let mut book = Book::default();
    add(&mut book, typed()).expect("first");
    let mut again = typed();
    again.name = "佐藤 花子".into();
    match add(&mut book, again) {
        Err(RecordError::AlreadyRegistered { id, .. }) => assert_eq!(id, "p1"),
        other => panic!("{other:?}"),
    }
    assert_eq!(book.patients.len(), 1);
}

#[test]
fn a_typed_patient_claims_with_a_warning_until_a_check_matches_them() {
    let mut book = Book::default();
    book.apply(Edit::PutSettings(Settings {
        clinic: fixture().clinic,
        practitioners: fixture().practitioners,
        ..Default::default()
    }))
    .expect("settings");
    let mut p = typed();
    p.name = "山田　一郎".into();
    p.name_kana = "ヤマダ　イチロウ".into();
    p.birth_date = d("1980-05-05");
    p.sex = Some(PatientSex::Male);
    let id = match add(&mut book, p) {
        Ok(Applied::Registered(r)) => r[0].patient_id.clone(),
        other => panic!("{other:?}"),
    };
    judo_case(&mut book, id.clone());
    let warned = |book: &Book| {
        book.month_claims(october())[0]
            .problems()
            .iter()
            .any(|(s, m)| *s == Severity::Warning && m == UNCHECKED_WARNING_JA)
    };
    let claims = book.month_claims(october());
    assert_eq!(claims.len(), 1);
    assert!(warned(&book), "{:?}", claims[0].problems());
    assert!(!claims[0].blocking(), "a warning asks, it does not block");

    // A later card check matches the typed patient and the warning goes.
    let r = register(&mut book, qualification(), "2024-10-20");
    assert_eq!(r.patient_id, id);
    assert!(!r.created);
    assert!(!warned(&book));
}

#[test]
fn a_check_finds_a_typed_patient_by_numbers_despite_another_kanji_and_no_branch() {
    let mut book = Book::default();
    let mut p = typed();
    // 山田 typed with a variant, no カナ, and the 枝番 left empty.
    p.name = "山田　一朗".into();
    p.name_kana = String::new();
    p.birth_date = d("1980-05-05");
    p.insurance.symbol = "12".into();
    p.insurance.number = "345".into();
    p.insurance.branch = None;
    let id = match add(&mut book, p) {
        Ok(Applied::Registered(r)) => r[0].patient_id.clone(),
        other => panic!("{other:?}"),
    };
    let r = register(&mut book, qualification(), "2024-10-20");
    assert_eq!(
        r.patient_id, id,
        "the same person, found by the insurance numbers"
    );
    assert_eq!(book.patients.len(), 1);
    assert!(
        r.changes.iter().any(|c| c.field == "name"),
        "{:?}",
        r.changes
    );
    let p = book.patient(&id).expect("patient");
    assert_eq!(p.insurances.len(), 1, "the typed card, refreshed in place");
    assert_eq!(p.insurances[0].insurance.branch.as_deref(), Some("00"));

    // A different 枝番 is a different family member.
    let mut sibling = qualification();
    sibling.name = "山田　二郎".into();
    sibling.name_kana = "ﾔﾏﾀﾞ ｼﾞﾛｳ".into();
    sibling.branch = Some("01".into());
    let r2 = register(&mut book, sibling, "2024-10-21");
    assert!(r2.created);
}

#[test]
fn merging_two_records_of_one_person_moves_everything_and_keeps_the_claims() {
    let (mut book, case_id) = judo_book();
    let before = book.month_claims(october());
    // The same person typed again with a typo, before the card check found them.
    let mut p = typed();
    p.name = "山田　一朗".into();
    p.name_kana = String::new();
    p.birth_date = d("1980-05-05");
    let typo = match add(&mut book, p) {
        Ok(Applied::Registered(r)) => r[0].patient_id.clone(),
        other => panic!("{other:?}"),
    };
    let extra_case = judo_case(&mut book, typo.clone());
    let kept = book.case(&case_id).expect("case").patient_id.clone();

    assert_eq!(
        book.apply(Edit::MergePatients {
            into: kept.clone(),
            from: kept.clone()
        }),
        Err(RecordError::SamePatient)
    );
    let unmerged = book.clone();
    book.apply(Edit::MergePatients {
        into: kept.clone(),
        from: typo.clone(),
    })
    .expect("merge");
    // One change for the database: the gone record deleted, the moved case and the kept
    // patient written.
    let w = store::writes(&unmerged, &book);
    assert!(w
        .iter()
        .any(|w| w.store == "patients" && w.key == typo && w.value.is_none()));
    assert!(w
        .iter()
        .any(|w| w.store == "cases" && w.key == extra_case && w.value.is_some()));
    assert!(w
        .iter()
        .any(|w| w.store == "patients" && w.key == kept && w.value.is_some()));
    assert!(book.patient(&typo).is_none());
    assert_eq!(book.patients.len(), 1);
    assert_eq!(book.cases_of(&kept).count(), 2);
    assert_eq!(book.case(&extra_case).expect("moved").patient_id, kept);
    let p = book.patient(&kept).expect("kept");
    assert_eq!(p.name, "山田　一郎", "the kept record's name stays");
    assert_eq!(p.insurances.len(), 2, "both cards in the history");
    assert!(p.insurances.windows(2).all(|w| w[0].since <= w[1].since));
    assert_eq!(p.checks.len(), 1);
    book.check_integrity().expect("consistent");
    // The kept case's claim is what it was (its visits and insurance are unchanged).
    let after = book.month_claims(october());
    let amount = |claims: &[month::CaseClaim], id: &str| {
        claims
            .iter()
            .find(|c| c.case_id == id)
            .and_then(|c| c.claim.as_ref().ok())
            .map(|c| (c.total_yen, c.billed_yen))
    };
    assert_eq!(amount(&after, &case_id), amount(&before, &case_id));
}

#[test]
fn a_patient_registered_by_mistake_is_deleted_unless_they_have_cases() {
    let (mut book, case_id) = judo_book();
    let with_case = book.case(&case_id).expect("case").patient_id.clone();
    assert_eq!(
        book.apply(Edit::DeletePatient {
            id: with_case.clone()
        }),
        Err(RecordError::PatientHasCases { count: 1 })
    );
    let id = match add(&mut book, typed()) {
        Ok(Applied::Registered(r)) => r[0].patient_id.clone(),
        other => panic!("{other:?}"),
    };
    let before = book.clone();
    book.apply(Edit::DeletePatient { id: id.clone() })
        .expect("delete");
    assert!(book.patient(&id).is_none());
    assert!(book.patient(&with_case).is_some());
    let w = store::writes(&before, &book);
    assert_eq!(w.len(), 1, "one delete");
    assert!(w[0].value.is_none());
}

/// "A closed month keeps its frozen figures; reopening it recomputes with the corrected
/// engine and shows what changed." The month was closed by an earlier engine: its kept
/// claim says 合計 8,911 and 一部負担金 2,670 (the old 10-yen rounding on the form). The
/// closed month still shows those; reopening recomputes (the engine's figures now) and the
/// reopening lists the change, filed → now.
#[test]
fn a_closed_month_keeps_its_figures_and_a_reopening_lists_what_changed() {
    let (mut book, id) = judo_book();
    book.apply(Edit::CloseMonth {
        month: october(),
        at: "t1".into(),
    })
    .expect("closes");
    let now = book.month_claims(october())[0]
        .claim
        .clone()
        .expect("claim");
    // As an earlier engine filed it.
    let mut old = now.clone();
    old.total_yen += 220;
    old.copay_yen = 2670;
    old.billed_yen = old.total_yen - 2670;
    let r = book
        .months
        .iter_mut()
        .find(|r| r.month == october())
        .expect("month");
    assert_eq!(r.frozen.len(), 1, "the claims are kept at closing");
    r.frozen[0].1 = old.clone();
    let shown = book.month_claims(october())[0]
        .claim
        .clone()
        .expect("claim");
    assert_eq!(
        shown.total_yen, old.total_yen,
        "a closed month shows what was filed"
    );

    book.apply(Edit::ReopenMonth {
        month: october(),
        at: "t2".into(),
        reason: "計算規則の修正".into(),
    })
    .expect("reopens");
    let r = book.month(october()).expect("month");
    assert!(r.frozen.is_empty() && r.closed_at.is_none());
    let changes = &r.reopened.last().expect("reopening").changes;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].case_id, id);
    assert_eq!(changes[0].filed.map(|f| f.copay_yen), Some(2670));
    assert_eq!(changes[0].now, Some(Figures::of(&now)));
    // Closing again keeps the new figures; reopening without a change lists none.
    book.apply(Edit::CloseMonth {
        month: october(),
        at: "t3".into(),
    })
    .expect("closes again");
    book.apply(Edit::ReopenMonth {
        month: october(),
        at: "t4".into(),
        reason: "確認".into(),
    })
    .expect("reopens");
    let r = book.month(october()).expect("month");
    assert!(r.reopened.last().expect("reopening").changes.is_empty());
}

/// A month closed before Ukemi kept the figures shows its claims computed from the frozen
/// inputs; on reopening every claim is listed with its filed figures unknown.
#[test]
fn a_month_closed_without_kept_figures_lists_its_claims_as_unknown_on_reopening() {
    let (mut book, _) = judo_book();
    book.apply(Edit::CloseMonth {
        month: october(),
        at: "t1".into(),
    })
    .expect("closes");
    if let Some(r) = book.months.iter_mut().find(|r| r.month == october()) {
        r.frozen.clear();
    }
    assert!(book.month_claims(october())[0].claim.is_ok());
    book.apply(Edit::ReopenMonth {
        month: october(),
        at: "t2".into(),
        reason: "確認".into(),
    })
    .expect("reopens");
    let changes = &book.month(october()).expect("month").reopened[0].changes;
    assert_eq!(changes.len(), 1);
    assert!(changes[0].filed.is_none() && changes[0].now.is_some());
}

// ---- the clinic's month: 返戻・再請求, 入金, the window's takings, documents ----

fn close_october(book: &mut Book) {
    book.apply(Edit::CloseMonth {
        month: october(),
        at: "2024-11-05T09:00:00Z".into(),
    })
    .expect("closes");
}

fn november() -> ClaimMonth {
    ClaimMonth::parse("2024-11").expect("month")
}

#[test]
fn a_returned_claim_is_corrected_and_resubmitted_with_its_own_month() {
    let (mut book, case_id) = judo_book();
    close_october(&mut book);
    assert_eq!(
        book.claim_status(october(), &case_id),
        Some(returns::ClaimStatus::Filed)
    );
    let ret = NewReturn {
        month: october(),
        case_id: case_id.clone(),
        returned_on: d("2024-12-10"),
        reason: ReturnReason::WrongNumber,
        note: "番号相違".into(),
    };
    book.apply(Edit::RecordReturn {
        ret: ret.clone(),
        at: "2024-12-10T10:00:00Z".into(),
    })
    .expect("recorded");
    assert_eq!(
        book.claim_status(october(), &case_id),
        Some(returns::ClaimStatus::Returned)
    );
    // A second return of the same claim before its 再請求 is refused.
    assert!(matches!(
        book.apply(Edit::RecordReturn {
            ret,
            at: String::new()
        }),
        Err(RecordError::AlreadyReturned { .. })
    ));
    // The clinic corrects the number on the patient's insurance.
    let mut p = book.patients[0].clone();
    p.insurances[0].insurance.number = "346".into();
    book.apply(Edit::PutPatient(p)).expect("corrected");
    let id = book.returns[0].id.clone();
    assert_eq!(
        book.apply(Edit::Resubmit {
            id: id.clone(),
            batch: october(),
            at: String::new()
        }),
        Err(RecordError::BatchNotLater {
            month: october(),
            batch: october()
        })
    );
    book.apply(Edit::Resubmit {
        id: id.clone(),
        batch: november(),
        at: "2024-12-11T09:00:00Z".into(),
    })
    .expect("resubmitted");
    assert_eq!(
        book.claim_status(october(), &case_id),
        Some(returns::ClaimStatus::Resubmitted { batch: november() })
    );
    let again = book.resubmitted_claims(november());
    assert_eq!(again.len(), 1);
    let input = again[0].input.as_ref().expect("input");
    let claim = again[0].claim.as_ref().expect("claim");
    // The original 施術年月 and money, the corrected number.
    assert_eq!(claim.month, october());
    assert_eq!(input.insurance.number, "346");
    assert_eq!(claim.billed_yen, book.returns[0].filed.billed_yen);
    // What was filed in October stays as filed.
    assert_eq!(
        book.month_claims(october())[0]
            .input
            .as_ref()
            .map(|i| i.insurance.number.as_str()),
        Ok("345")
    );
    // The store and a backup carry it.
    let (loaded, _) = store::load(rows(store::initial_writes(&book))).expect("loads");
    assert_eq!(loaded, book);
}

#[test]
fn payments_are_matched_per_insurer_and_month_with_what_is_outstanding() {
    let (mut book, case_id) = judo_book();
    close_october(&mut book);
    // 合計 8,691, 3割: 請求金額 6,083 (docs/claims.md worked example).
    let m = book.matching();
    assert_eq!(m.groups.len(), 1);
    assert_eq!(
        (m.groups[0].expected_yen, m.groups[0].outstanding_yen),
        (6083, 6083)
    );
    let pay = |yen: u32| {
        Edit::AddPayment(NewPayment {
            payer: "０６１３９９９２".into(),
            month: october(),
            received_on: d("2025-01-20"),
            amount_yen: yen,
            note: String::new(),
        })
    };
    assert_eq!(book.clone().apply(pay(0)), Err(RecordError::AmountRequired));
    book.apply(pay(5000)).expect("paid");
    let m = book.matching();
    let g = &m.groups[0];
    assert_eq!(g.payer, "06139992");
    assert_eq!(
        (g.received_yen, g.outstanding_yen, g.over_yen),
        (5000, 1083, 0)
    );
    assert_eq!(g.claims[0].matched_yen, 5000);
    assert!(!g.claims[0].paid());
    assert_eq!(m.totals[0].outstanding_yen, 1083);
    book.apply(pay(1083)).expect("paid");
    let m = book.matching();
    assert!(m.groups[0].claims[0].paid());
    assert_eq!(m.totals[0].outstanding_yen, 0);
    // A returned claim is not expected until it is filed again.
    book.apply(Edit::RecordReturn {
        ret: NewReturn {
            month: october(),
            case_id,
            returned_on: d("2024-12-10"),
            reason: ReturnReason::Other,
            note: "理由".into(),
        },
        at: String::new(),
    })
    .expect("returned");
    let m = book.matching();
    assert_eq!((m.groups[0].expected_yen, m.groups[0].over_yen), (0, 6083));
}

#[test]
fn the_day_ledger_takes_the_window_amount_from_the_claim_and_adds_self_pay() {
    let (mut book, _) = judo_book();
    let pid = book.patients[0].id.clone();
    // 10/1: 4,061 at 3割 → 1,218.3 → 1,220 at the window (docs/claims.md).
    let row = book.ledger_row(&pid, d("2024-10-01"));
    assert_eq!(
        (row.insured_yen, row.due_yen, row.unpaid_yen),
        (1220, 1220, 1220)
    );
    book.apply(Edit::PutTakings {
        patient_id: pid.clone(),
        date: d("2024-10-01"),
        self_pay: vec![SelfPayLine {
            name: "テーピング".into(),
            unit_yen: 500,
            count: 2,
        }],
        received_yen: Some(2000),
    })
    .expect("takings");
    let l = book.day_ledger(d("2024-10-01"));
    assert_eq!(l.rows.len(), 1);
    assert_eq!(
        (
            l.insured_yen,
            l.self_pay_yen,
            l.due_yen,
            l.received_yen,
            l.unpaid_yen
        ),
        (1220, 1000, 2220, 2000, 220)
    );
    let r = book.receipt(&pid, d("2024-10-01")).expect("receipt");
    let total = |doc: &documents::Document, label: &str| {
        doc.totals
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.value.clone())
    };
    assert_eq!(total(&r, "領収金額").as_deref(), Some("2,000円"));
    assert_eq!(total(&r, "未収").as_deref(), Some("220円"));
    let s = book
        .statement(&book.cases[0].id.clone(), october(), Some(d("2024-10-01")))
        .expect("statement");
    assert_eq!(total(&s, "施術料金の合計").as_deref(), Some("4,061円"));
    assert_eq!(
        total(&s, "一部負担金（窓口でのお支払い）").as_deref(),
        Some("1,220円")
    );
    assert_eq!(total(&s, "お支払いの合計").as_deref(), Some("2,220円"));
    // Emptying the day removes its record.
    book.apply(Edit::PutTakings {
        patient_id: pid,
        date: d("2024-10-01"),
        self_pay: Vec::new(),
        received_yen: None,
    })
    .expect("cleared");
    assert!(book.takings.is_empty());
}

#[test]
fn a_schema_1_database_migrates_to_2_with_the_new_stores() {
    let (book, _) = judo_book();
    let mut r: Vec<(String, String, String)> = rows(store::initial_writes(&book))
        .into_iter()
        .filter(|(s, _, _)| {
            ![store::RETURNS, store::PAYMENTS, store::TAKINGS].contains(&s.as_str())
        })
        .collect();
    for row in r.iter_mut().filter(|(_, k, _)| k == "schema") {
        row.2 = "1".into();
    }
    let (loaded, upgrade) = store::load(r).expect("migrates");
    assert_eq!(loaded, book);
    assert!(upgrade
        .iter()
        .any(|w| w.key == "schema" && w.value.as_deref() == Some("2")));
    // A schema-1 record in a store schema 1 did not have is refused, not silently read.
    let mut bad = rows(store::initial_writes(&book));
    for row in bad.iter_mut().filter(|(_, k, _)| k == "schema") {
        row.2 = "1".into();
    }
    bad.push((store::RETURNS.into(), "r9".into(), "{}".into()));
    assert!(matches!(store::load(bad), Err(LoadError::Integrity(_))));
}

#[test]
fn an_ahaki_consent_about_to_lapse_is_flagged_and_documents_print() {
    let (mut book, case_id) = acupuncture_book("腰部の疼痛");
    // 初療 2024-10-02 → the 同意 runs to 2025-03-31.
    let case = book.case(&case_id).expect("case").case.clone();
    let dl = crate::claims::consent::deadline(&case, d("2025-03-10")).expect("deadline");
    assert_eq!(dl.urgency, crate::claims::consent::Urgency::Soon);
    assert_eq!(dl.period.until, d("2025-03-31"));
    assert!(dl.message_ja().contains("令和7年3月31日"));
    let far = crate::claims::consent::deadline(&case, d("2024-11-10")).expect("deadline");
    assert_eq!(far.urgency, crate::claims::consent::Urgency::Fine);
    let late = crate::claims::consent::deadline(&case, d("2025-04-01")).expect("deadline");
    assert_eq!(late.urgency, crate::claims::consent::Urgency::Lapsed);
    book.apply(Edit::PutCaseNotes {
        id: case_id.clone(),
        notes: documents::CaseNotes {
            report_condition: "腰部の疼痛は軽減".into(),
            ..Default::default()
        },
    })
    .expect("notes");
    let r = book.treatment_report(&case_id, october()).expect("report");
    assert!(r.texts.iter().any(|t| t.value == "腰部の疼痛は軽減"));
    assert!(!book.needs_continuation_form(&case_id, october()));
}

#[test]
fn the_exports_carry_returns_resubmissions_payments_and_the_ledger() {
    let (mut book, case_id) = judo_book();
    close_october(&mut book);
    book.apply(Edit::RecordReturn {
        ret: NewReturn {
            month: october(),
            case_id,
            returned_on: d("2024-12-10"),
            reason: ReturnReason::CauseMissing,
            note: String::new(),
        },
        at: String::new(),
    })
    .expect("returned");
    let id = book.returns[0].id.clone();
    book.apply(Edit::Resubmit {
        id,
        batch: november(),
        at: String::new(),
    })
    .expect("resubmitted");
    book.apply(Edit::AddPayment(NewPayment {
        payer: "06139992".into(),
        month: october(),
        received_on: d("2025-02-20"),
        amount_yen: 6000,
        note: String::new(),
    }))
    .expect("paid");
    let oct: serde_json::Value =
        serde_json::from_str(&month::export_json(&book, october())).expect("json");
    assert_eq!(oct["returns"][0]["reason"], "cause_missing");
    assert_eq!(oct["payments"][0]["outstanding_yen"], 83);
    let nov: serde_json::Value =
        serde_json::from_str(&month::export_json(&book, november())).expect("json");
    assert_eq!(nov["resubmitted"][0]["claim"]["month"], "2024-10");
    // November's batch has no claim of its own here; its 総括票 count the October 再請求
    // under November (月遅れ・再提出分 are bundled into the current month): (Ⅰ) and (Ⅱ).
    let batch = book.month_summaries(november());
    assert_eq!(batch.len(), 2, "{batch:?}");
    for s in &batch {
        assert_eq!((s.month_ja.as_str(), s.claim_count), ("令和6年11月分", 1));
        assert_eq!(s.billed_yen, u64::from(book.returns[0].filed.billed_yen));
    }
    assert_eq!(nov["summaries"][0]["claim_count"], 1);
    let csv = month::export_payments_csv(&book);
    assert!(csv.contains("06139992,2024-10,6083,6000,83,0\r\n"), "{csv}");
    let ledger = month::export_ledger_csv(&book, october());
    assert!(
        ledger.contains("2024-10-01,山田　一郎,1220,0,1220,,1220\r\n"),
        "{ledger}"
    );
}

#[test]
fn the_memo_recomputes_only_the_cases_whose_input_changed() {
    let (mut book, first) = judo_book();
    let mut other = qualification();
    other.name = "髙橋　二郎".into();
    other.number = "346".into();
    other.birthdate = d("1975-01-20");
    let reg = register(&mut book, other, "2024-10-01");
    let second = judo_case(&mut book, reg.patient_id.clone());
    let mut memo = month::ClaimMemo::default();
    let plain = book.month_claims(october());
    assert_eq!(book.month_claims_memo(october(), &mut memo), plain);
    assert_eq!(memo.computed(), 2);
    // The same book again (a re-render): nothing computed.
    assert_eq!(book.month_claims_memo(october(), &mut memo), plain);
    assert_eq!(memo.computed(), 2);
    // One patient's name is typed: only their case's input changed.
    let mut p = book.patient(&reg.patient_id).expect("patient").clone();
    p.name = "髙橋　次郎".into();
    book.apply(Edit::PutPatient(p)).expect("rename");
    let now = book.month_claims_memo(october(), &mut memo);
    assert_eq!(memo.computed(), 3, "only the renamed patient's case");
    assert_eq!(now, book.month_claims(october()));
    assert!(now
        .iter()
        .any(|c| c.case_id == second && c.patient_name == "髙橋　次郎"));
    assert!(now.iter().any(|c| c.case_id == first));
    // Settings feed every claim: both recomputed.
    let mut s = book.settings.clone();
    s.clinic.name = "うけみ整骨院".into();
    book.apply(Edit::PutSettings(s)).expect("settings");
    book.month_claims_memo(october(), &mut memo);
    assert_eq!(memo.computed(), 5);
}
