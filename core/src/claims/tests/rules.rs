//! One worked example per amount-changing rule of docs/claims.md ("Rule table"). Each
//! quotes the clause it proves and writes the arithmetic out by hand from that text; the
//! expected figures were computed on paper before the engine ran.

use super::*;

fn month(y: i32, m: u8) -> Option<ClaimMonth> {
    Some(ClaimMonth { year: y, month: m })
}

fn total_on(c: &MonthlyClaim, date: &str) -> u32 {
    codes(c, date).iter().map(|x| x.1).sum()
}

pub(super) fn visits_on(days: &[&str]) -> Vec<Visit> {
    days.iter().map(|s| Visit::on(d(s))).collect()
}

/// Ten visits a month on the 2nd to the 11th.
fn ten_a_month(months: &[&str]) -> Vec<Visit> {
    months
        .iter()
        .flat_map(|ym| (2..=11).map(move |day| Visit::on(d(&format!("{ym}-{day:02}")))))
        .collect()
}

// ---- 逓減 and its rounding ----

/// 備考3 "3部位目は所定料金の100分の60"; 備考4 "後療料、温罨法料、冷罨法料及び電療料について
/// 所定料金（備考3.により算定されたものを含む。）の100分の75"; 疑義解釈 R6.5.31 問5 "1円未満
/// 四捨五入". 初検 2024-04-10, three sprains, October (month 7) with 温罨法 and 電療:
/// (1)(2) 後療 505 × 75/100 = 378.75 → 379; 温 75 × 75/100 = 56.25 → 56; 電 33 × 75/100 =
/// 24.75 → 25. (3) 後療 505 × 60/100 × 75/100 = 227.25 → 227; 温 75 × 0.45 = 33.75 → 34;
/// 電 33 × 0.45 = 14.85 → 15. 379·2 + 56·2 + 25·2 + 227 + 34 + 15 = 1,196.
#[test]
fn third_part_in_the_long_term_period_multiplies_both_rates() {
    let injuries = (0..3)
        .map(|k| {
            injury(
                InjuryKind::Sprain,
                ["足関節", "膝関節", "手関節"][k],
                "2024-04-09",
            )
        })
        .collect();
    let mut v = monthly_history(
        "2024-04-10",
        &[
            ("2024-05", 2),
            ("2024-06", 2),
            ("2024-07", 2),
            ("2024-08", 2),
            ("2024-09", 2),
        ],
    );
    v.push(visit_parts("2024-10-01", parts(3, false, true, true)));
    let mut i = input(judo("2024-04-10", injuries), v);
    i.month = month(2024, 10);
    let c = one(&i);
    assert_eq!(c.total_yen, 1196);
    assert!(c.long_term && !c.long_term_frequent);
}

// ---- 長期頻回 ----

/// 疑義解釈 R6.5.31 問2: 50/100 when the 負傷 had "1月当たり10回以上の施術…を…5ヶ月以上連続"
/// up to the month before; counted per 負傷 (問 on the form: "同月に施術を受けている他負傷名
/// が長期施術に係る逓減の対象となる場合は、当該負傷の「長期」欄に0.75"). 初検 2024-05-01: 足関節
/// (treated 11 times in May, 10 in June–September) is 長期頻回 in October: 505 × 50/100 =
/// 252.5 → 253. 大腿部, injured 2024-07-01 and first treated 07-02, counts from July: October
/// is its 4th month, so its 後療 is whole: 505. 253 + 505 = 758.
#[test]
fn long_term_frequent_is_judged_per_injury() {
    let injuries = vec![
        injury(InjuryKind::Sprain, "足関節", "2024-04-30"),
        injury(InjuryKind::Contusion, "大腿部", "2024-07-01"),
    ];
    let mut v = visits_on(&["2024-05-01"]);
    v.extend(ten_a_month(&[
        "2024-05", "2024-06", "2024-07", "2024-08", "2024-09",
    ]));
    v.push(Visit::on(d("2024-10-01")));
    let mut i = input(judo("2024-05-01", injuries), v);
    i.month = month(2024, 10);
    let c = one(&i);
    assert_eq!(
        codes(&c, "2024-10-01"),
        vec![
            ("after_contusion_sprain".into(), 253),
            ("after_contusion_sprain".into(), 505),
        ]
    );
    assert_eq!(c.total_yen, 758);
    assert!(c.long_term_frequent);
}

/// The run of months with 10 or more must be unbroken up to the month before: 9 visits in
/// July leave only August and September, so October is 長期 at 75/100: 505 × 0.75 = 378.75
/// → 379.
#[test]
fn long_term_frequent_needs_an_unbroken_run() {
    let mut v = visits_on(&["2024-05-01"]);
    v.extend(ten_a_month(&["2024-05", "2024-06", "2024-08", "2024-09"]));
    v.extend((2..=10).map(|day| Visit::on(d(&format!("2024-07-{day:02}")))));
    v.push(Visit::on(d("2024-10-01")));
    let mut i = input(
        judo(
            "2024-05-01",
            vec![injury(InjuryKind::Sprain, "足関節", "2024-04-30")],
        ),
        v,
    );
    i.month = month(2024, 10);
    let c = one(&i);
    assert_eq!(c.total_yen, 379);
    assert!(c.long_term && !c.long_term_frequent);
}

/// "初検日を含む月（ただし、初検の日が、月の16日以降の場合にあっては、当該月の翌月）": 初検
/// 2024-05-16, so the count starts in June. October is the 5th month (not 長期: 505); in
/// November the run June–October is 5 months of 10: 505 × 50/100 = 252.5 → 253.
#[test]
fn long_term_frequent_counts_from_the_next_month_after_the_15th() {
    let mut v: Vec<Visit> = (16..=25)
        .map(|day| Visit::on(d(&format!("2024-05-{day:02}"))))
        .collect();
    v.extend(ten_a_month(&[
        "2024-06", "2024-07", "2024-08", "2024-09", "2024-10",
    ]));
    v.push(Visit::on(d("2024-11-01")));
    let case = judo(
        "2024-05-16",
        vec![injury(InjuryKind::Sprain, "足関節", "2024-05-15")],
    );
    let mut i = input(case, v);
    i.month = month(2024, 10);
    assert_eq!(total_on(&one(&i), "2024-10-11"), 505);
    i.month = month(2024, 11);
    let nov = one(&i);
    assert_eq!(nov.total_yen, 253);
    assert!(nov.long_term_frequent);
}

// ---- 長期 per 負傷 ----

/// 備考4 counts "初検日を含む月" for each 負傷 (the form carries a 長期 factor per 負傷名):
/// 初検 2024-04-10 for 足関節; 大腿部 injured and first treated 2024-06-03. October: 足関節
/// is in its 7th month, 505 × 75/100 = 378.75 → 379; 大腿部 in its 5th, 505. 884. November:
/// both 長期, 379 + 379 = 758.
#[test]
fn long_term_counts_from_each_injurys_own_first_day() {
    let injuries = vec![
        injury(InjuryKind::Sprain, "足関節", "2024-04-09"),
        injury(InjuryKind::Contusion, "大腿部", "2024-06-03"),
    ];
    let mut v = monthly_history(
        "2024-04-10",
        &[
            ("2024-05", 2),
            ("2024-06", 2),
            ("2024-07", 2),
            ("2024-08", 2),
            ("2024-09", 2),
        ],
    );
    v.push(Visit::on(d("2024-06-03")));
    v.push(Visit::on(d("2024-10-01")));
    v.push(Visit::on(d("2024-11-01")));
    let mut i = input(judo("2024-04-10", injuries), v);
    i.month = month(2024, 10);
    assert_eq!(one(&i).total_yen, 884);
    i.month = month(2024, 11);
    assert_eq!(one(&i).total_yen, 758);
}

// ---- 初検料 and 再検料 in one case ----

/// 留意事項通知 第2 初検料: "患者の負傷が治癒した後、同一月内に新たに発生した負傷に対し施術を
/// 行った場合の初検料は算定できる"; a 負傷 arising while another is treated shares the first
/// 初検料; 再検料 on the first 後療 day after each 初検. 足関節 捻挫 10/1, 治癒 10/10; 大腿部 打撲
/// injured 10/20, seen 10/21: 10/1 1,550 + 760; 10/3 410 + 505; 10/21 1,550 + 760; 10/23
/// 410 + 505. 6,450. If 足関節 is still treated on 10/21: no second 初検料 nor 再検料:
/// 10/21 505 + 760; 10/23 505 + 505.
#[test]
fn a_new_injury_after_the_others_ended_is_a_new_first_visit() {
    let mut a = injury(InjuryKind::Sprain, "足関節", "2024-10-01");
    a.outcome = Some(Outcome {
        kind: OutcomeKind::Cured,
        date: d("2024-10-10"),
    });
    let b = injury(InjuryKind::Contusion, "大腿部", "2024-10-20");
    let days = ["2024-10-01", "2024-10-03", "2024-10-21", "2024-10-23"];
    let c = one(&input(
        judo("2024-10-01", vec![a.clone(), b.clone()]),
        visits_on(&days),
    ));
    assert_eq!(c.total_yen, 6450);
    a.outcome = None;
    let c = one(&input(judo("2024-10-01", vec![a, b]), visits_on(&days)));
    assert_eq!(total_on(&c, "2024-10-21"), 505 + 760);
    assert_eq!(total_on(&c, "2024-10-23"), 1010);
}

// ---- 冷罨法・温罨法・電療 ----

/// 冷罨法 85円 "打撲・捻挫の場合、受傷の日又はその翌日の初検日のみ": injured 10/1, 初検 10/2:
/// 1,550 + 760 + 85 = 2,395. 初検 on 10/3 instead: no 冷罨法, 2,310, and one finding.
#[test]
fn cold_for_a_sprain_only_on_an_early_first_visit() {
    let case = |first: &str| {
        judo(
            first,
            vec![injury(InjuryKind::Sprain, "足関節", "2024-10-01")],
        )
    };
    let c = one(&input(
        case("2024-10-02"),
        vec![visit_parts("2024-10-02", parts(1, true, false, false))],
    ));
    assert_eq!(c.total_yen, 2395);
    let c = one(&input(
        case("2024-10-03"),
        vec![visit_parts("2024-10-03", parts(1, true, false, false))],
    ));
    assert_eq!(c.total_yen, 2310);
    assert_eq!(count(&c, "cold_not_billable"), 1);
}

/// 冷罨法 "骨折・不全骨折の場合、ケガした日から数えて7日間以内"; "脱臼の場合 … 5日間".
/// 骨折 (前腕骨) injured 10/1: 10/1 1,550 + 11,800 + 85 = 13,435; 10/7 (day 7) 再検 410 +
/// 850 + 85 = 1,345; 10/8 (day 8) 850 only. 15,630.
/// 脱臼 (肩関節) injured 10/1: 10/1 1,550 + 8,200 + 85 = 9,835; 10/5 (day 5) 410 + 720 + 85
/// = 1,215; 10/6 720. 11,770.
#[test]
fn cold_windows_for_fractures_and_dislocations() {
    let mut f = injury(InjuryKind::Fracture, "前腕骨", "2024-10-01");
    f.bone = Some(Bone::Forearm);
    let cold = |days: &[&str]| {
        days.iter()
            .map(|s| visit_parts(s, parts(1, true, false, false)))
            .collect::<Vec<_>>()
    };
    let c = one(&input(
        judo("2024-10-01", vec![f]),
        cold(&["2024-10-01", "2024-10-07", "2024-10-08"]),
    ));
    assert_eq!(
        (total_on(&c, "2024-10-07"), total_on(&c, "2024-10-08")),
        (1345, 850)
    );
    assert_eq!(c.total_yen, 15630);
    let mut x = injury(InjuryKind::Dislocation, "肩関節", "2024-10-01");
    x.joint = Some(Joint::Shoulder);
    let c = one(&input(
        judo("2024-10-01", vec![x]),
        cold(&["2024-10-01", "2024-10-05", "2024-10-06"]),
    ));
    assert_eq!(c.total_yen, 11770);
    assert_eq!(count(&c, "cold_not_billable"), 1);
}

/// 備考1 温罨法・電療 "後療において" only, "受傷の日から起算して5日間を除き": a sprain injured
/// 9/1 and first seen 10/1 gets no 温罨法・電療 on the 初検日 (2,310), then 10/2 410 + 505 +
/// 75 + 33 = 1,023; 3,333. Injured 10/1: 10/5 is day 5 (915, refused), 10/6 day 6: 505 + 75
/// = 580; 2,310 + 915 + 580 = 3,805.
#[test]
fn warm_and_electro_only_on_after_care_days_after_the_excluded_days() {
    let case = |injured: &str| {
        judo(
            "2024-10-01",
            vec![injury(InjuryKind::Sprain, "足関節", injured)],
        )
    };
    let c = one(&input(
        case("2024-09-01"),
        vec![
            visit_parts("2024-10-01", parts(1, false, true, true)),
            visit_parts("2024-10-02", parts(1, false, true, true)),
        ],
    ));
    assert_eq!(c.total_yen, 3333);
    assert_eq!(count(&c, "warm_not_on_first_day"), 1);
    let c = one(&input(
        case("2024-10-01"),
        vec![
            Visit::on(d("2024-10-01")),
            visit_parts("2024-10-05", parts(1, false, true, false)),
            visit_parts("2024-10-06", parts(1, false, true, false)),
        ],
    ));
    assert_eq!(c.total_yen, 3805);
    assert_eq!(count(&c, "warm_excluded_period"), 1);
}

// ---- 柔道整復運動後療料 ----

/// 320円, "骨折・不全骨折・脱臼 … 負傷日から15日間を除き … 1月(暦月)に5回を限度"; "当該負傷の日が
/// 月の15日以前の場合及び前月から施術を継続しているもので、当該月の16日以降に後療が行われない場合
/// には、当該月について2回を限度" (疑義解釈 H30.8.9). 前腕骨 fracture injured 10/1:
/// October: 10/1 1,550 + 11,800 = 13,350; 10/15 (day 15, refused) 410 + 850; 10/16, 10/22
/// 850 + 320 each; 10/29 850 (the injury month's cap of 2 is used). 17,800.
/// November, 7 visits asking for it: 7 × 850 + 5 × 320 = 7,550.
/// December, 治癒 12/10: three visits before the 16th: 3 × 850 + 2 × 320 = 3,190.
#[test]
fn exercise_after_care_limits() {
    let mut f = injury(InjuryKind::Fracture, "前腕骨", "2024-10-01");
    f.bone = Some(Bone::Forearm);
    f.outcome = Some(Outcome {
        kind: OutcomeKind::Cured,
        date: d("2024-12-10"),
    });
    let Case::Judo(mut j) = judo("2024-10-01", vec![f]) else {
        unreachable!()
    };
    j.doctor_consent = Some(DoctorConsent {
        date: d("2024-10-02"),
        clinic: "うけみ整形外科".into(),
        doctor: "医師 一郎".into(),
    });
    let mut v = vec![Visit::on(d("2024-10-01"))];
    for s in [
        "2024-10-15",
        "2024-10-16",
        "2024-10-22",
        "2024-10-29",
        "2024-11-01",
        "2024-11-05",
        "2024-11-08",
        "2024-11-12",
        "2024-11-15",
        "2024-11-19",
        "2024-11-22",
        "2024-12-02",
        "2024-12-05",
        "2024-12-09",
    ] {
        let mut x = Visit::on(d(s));
        x.exercise_aftercare = true;
        v.push(x);
    }
    let claims = compute(&input(Case::Judo(j), v)).expect("computes");
    let totals: Vec<u32> = claims.iter().map(|c| c.total_yen).collect();
    assert_eq!(totals, vec![17800, 7550, 3190]);
    let n = |c: &MonthlyClaim| {
        c.lines
            .iter()
            .filter(|l| l.code == "exercise_aftercare")
            .count()
    };
    assert_eq!(claims.iter().map(n).collect::<Vec<_>>(), vec![2, 5, 2]);
    assert_eq!(count(&claims[0], "exercise_aftercare_not_billable"), 1);
}

// ---- 施術報告書交付料 ----

/// 480円 only "施術報告書を交付した月の前5ヶ月の期間に係る療養費の支給で施術報告書交付料が支給され
/// ていない場合" (疑義解釈 H30.10.1 問26): マッサージ 4局所 (1,800). October 2024 with a report:
/// 2,280. March 2025 (5 months later): refused, 1,800. April 2025 (6 months): 2,280.
#[test]
fn report_fee_not_within_five_months() {
    let Case::Massage(mut m) = massage() else {
        unreachable!()
    };
    m.consent = Some(Consent {
        date: d("2024-10-01"),
        valid_until: d("2025-09-30"),
        doctor: "医師 花子".into(),
        clinic: String::new(),
        deformity: false,
    });
    let v = ["2024-10-03", "2025-03-05", "2025-04-02"]
        .iter()
        .map(|s| {
            let mut x = Visit::on(d(s));
            x.local_count = 4;
            x.report_issued = true;
            x
        })
        .collect();
    let claims = compute(&input(Case::Massage(m), v)).expect("computes");
    let totals: Vec<u32> = claims.iter().map(|c| c.total_yen).collect();
    assert_eq!(totals, vec![2280, 1800, 2280]);
    assert!(has(&claims[1], "report_within_5_months"));
}

// ---- Tables ----

fn first_fee(
    kind: InjuryKind,
    bone: Option<Bone>,
    joint: Option<Joint>,
) -> Result<u32, Vec<String>> {
    let mut inj = injury(kind, "部位", "2024-10-01");
    inj.bone = bone;
    inj.joint = joint;
    let c = one(&input(
        judo("2024-10-01", vec![inj]),
        vec![Visit::on(d("2024-10-01"))],
    ));
    if c.has_errors() {
        return Err(c.findings.iter().map(|f| f.code.clone()).collect());
    }
    Ok(c.total_yen - 1550)
}

/// The 算定基準's 整復料 (骨折・脱臼) and 固定料 (不全骨折) rows, R6 amounts (docs/claims.md,
/// tariff sources): each first day is 初検料 1,550 + the row.
#[test]
fn reduction_and_fixation_rows() {
    use InjuryKind::{Dislocation, Fracture, IncompleteFracture};
    let rows = [
        (Fracture, Some(Bone::Clavicle), None, 5500),
        (Fracture, Some(Bone::Rib), None, 5500),
        (Fracture, Some(Bone::Humerus), None, 11800),
        (Fracture, Some(Bone::LowerLeg), None, 11800),
        (Fracture, Some(Bone::Metacarpal), None, 5500),
        (IncompleteFracture, Some(Bone::Rib), None, 4100),
        (IncompleteFracture, Some(Bone::Sternum), None, 4100),
        (IncompleteFracture, Some(Bone::Pelvis), None, 9500),
        (IncompleteFracture, Some(Bone::Femur), None, 9500),
        (IncompleteFracture, Some(Bone::Patella), None, 7300),
        (IncompleteFracture, Some(Bone::Forearm), None, 7300),
        (IncompleteFracture, Some(Bone::Phalanx), None, 3900),
        (Dislocation, None, Some(Joint::Jaw), 2600),
        (Dislocation, None, Some(Joint::Shoulder), 8200),
        (Dislocation, None, Some(Joint::Hip), 9300),
        (Dislocation, None, Some(Joint::Elbow), 3900),
        (Dislocation, None, Some(Joint::Finger), 3900),
    ];
    for (kind, bone, joint, yen) in rows {
        assert_eq!(
            first_fee(kind, bone, joint),
            Ok(yen),
            "{kind:?} {bone:?} {joint:?}"
        );
    }
    // No row for a 胸骨 fracture, nor without the bone: typed by hand, an error until then.
    assert!(
        matches!(first_fee(Fracture, Some(Bone::Sternum), None), Err(c) if c.contains(&"manual_fee_missing".to_string()))
    );
    assert!(first_fee(Dislocation, None, None).is_err());
}

/// 後療料: 不全骨折 720, 脱臼 720; "医師により後療を依頼された場合で拘縮が2関節以上に及ぶ場合"
/// 骨折 1,090. 肋骨 不全骨折: 1,550 + 4,100, then 410 + 720 = 6,780. 前腕骨 骨折 with 拘縮 and
/// the doctor's request: 10/3 410 + 1,090 = 1,500; without the doctor's request: 410 + 850 and
/// a finding.
#[test]
fn after_care_rows_and_contracture() {
    let mut r = injury(InjuryKind::IncompleteFracture, "肋骨", "2024-10-01");
    r.bone = Some(Bone::Rib);
    let c = one(&input(
        judo("2024-10-01", vec![r]),
        visits_on(&["2024-10-01", "2024-10-03"]),
    ));
    assert_eq!(c.total_yen, 6780);

    let mut f = injury(InjuryKind::Fracture, "前腕骨", "2024-10-01");
    f.bone = Some(Bone::Forearm);
    f.contracture = true;
    let Case::Judo(mut j) = judo("2024-10-01", vec![f]) else {
        unreachable!()
    };
    let without = one(&input(
        Case::Judo(j.clone()),
        visits_on(&["2024-10-01", "2024-10-03"]),
    ));
    assert_eq!(total_on(&without, "2024-10-03"), 1260);
    assert!(has(&without, "contracture_not_billable"));
    j.doctor_consent = Some(DoctorConsent {
        date: d("2024-10-02"),
        clinic: String::new(),
        doctor: "医師 一郎".into(),
    });
    let with = one(&input(
        Case::Judo(j),
        visits_on(&["2024-10-01", "2024-10-03"]),
    ));
    assert_eq!(total_on(&with, "2024-10-03"), 1500);
}

/// 初検料の加算: 時間外 540, 休日 1,560, 深夜 3,120 — on the 初検日 only. A sprain's 初検 on a
/// holiday: 1,550 + 1,560 + 760 = 3,870. Asked on a later day: refused, the day is 410 + 505.
#[test]
fn first_visit_addons() {
    for (addon, yen) in [
        (FirstVisitAddon::OutOfHours, 540),
        (FirstVisitAddon::Holiday, 1560),
        (FirstVisitAddon::LateNight, 3120),
    ] {
        let mut v = Visit::on(d("2024-10-01"));
        v.first_visit_addon = Some(addon);
        let mut later = Visit::on(d("2024-10-02"));
        later.first_visit_addon = Some(addon);
        let c = one(&input(
            judo(
                "2024-10-01",
                vec![injury(InjuryKind::Sprain, "足関節", "2024-10-01")],
            ),
            vec![v, later],
        ));
        assert_eq!(total_on(&c, "2024-10-01"), 1550 + yen + 760);
        assert_eq!(total_on(&c, "2024-10-02"), 915);
        assert!(has(&c, "first_visit_addon_not_first"));
    }
}

/// 往療料 2,300 (片道4km以内, 4km included), 2,550 over 4km; "夜間、難路又は暴風雨時若しくは
/// 暴風雪時" 往療所定金額の100分の100: 5km at night 2,550 + 2,550 = 5,100; 3km on a difficult
/// road 2,300 + 2,300 = 4,600. Over 16km: billed with a warning.
#[test]
fn outreach_addons_and_16_km() {
    let case = judo(
        "2024-10-01",
        vec![injury(InjuryKind::Sprain, "足関節", "2024-10-01")],
    );
    let call = |date: &str, km: f64, addon: Option<OutreachAddon>| {
        let mut v = Visit::on(d(date));
        v.mode = VisitMode::Call { distance_km: km };
        v.outreach_addon = addon;
        v
    };
    let c = one(&input(
        case.clone(),
        vec![
            call("2024-10-01", 5.0, Some(OutreachAddon::Night)),
            call("2024-10-02", 3.0, Some(OutreachAddon::DifficultRoad)),
            call("2024-10-03", 17.0, None),
        ],
    ));
    assert_eq!(total_on(&c, "2024-10-01"), 1550 + 760 + 5100);
    assert_eq!(total_on(&c, "2024-10-02"), 410 + 505 + 4600);
    assert_eq!(total_on(&c, "2024-10-03"), 505 + 2550);
    assert!(has(&c, "over_16km"));
}

/// 往療理由 is one of the 往療 fields of 様式第5号 (reference 1.1): each day an 往療料 is billed
/// without one is named in one warning — a sudden call and a planned 往療 with a distance
/// alike; a clinic day never. The amounts do not depend on it: 10/1 1,550 + 760 + 2,300;
/// 10/2 410 + 505 + 2,300; 10/3 505 + 2,300; 10/4 505.
#[test]
fn an_outreach_without_its_reason_is_a_warning_and_bills_the_same() {
    let case = judo(
        "2024-10-01",
        vec![injury(InjuryKind::Sprain, "足関節", "2024-10-01")],
    );
    let away = |date: &str, mode: VisitMode, reason: Option<&str>| {
        let mut v = Visit::on(d(date));
        v.mode = mode;
        v.outreach_reason = reason.map(str::to_string);
        v
    };
    let home = VisitMode::Home {
        people: 1,
        distance_km: Some(2.0),
    };
    let days = |r1: Option<&str>, r2: Option<&str>, r3: Option<&str>| {
        vec![
            away("2024-10-01", VisitMode::Call { distance_km: 3.0 }, r1),
            away("2024-10-02", home.clone(), r2),
            away("2024-10-03", VisitMode::Call { distance_km: 1.0 }, r3),
            Visit::on(d("2024-10-04")),
        ]
    };
    let blank = one(&input(
        case.clone(),
        days(None, Some("　"), Some("歩行困難")),
    ));
    let found: Vec<&Finding> = blank
        .findings
        .iter()
        .filter(|f| f.code == "outreach_reason_missing")
        .collect();
    assert_eq!(found.len(), 1, "{:?}", blank.findings);
    assert_eq!(found[0].severity, Severity::Warning);
    assert_eq!(found[0].field, "visits[2024-10-01].outreach_reason");
    assert!(
        found[0]
            .message_ja
            .contains("令和6年10月1日、令和6年10月2日")
            && found[0].message_ja.contains("往療理由が未入力"),
        "{}",
        found[0].message_ja
    );
    assert!(!found[0].message_ja.contains("10月3日"));
    assert!(found[0].message_en.contains("2024-10-01, 2024-10-02"));
    let amounts = |c: &MonthlyClaim| {
        ["2024-10-01", "2024-10-02", "2024-10-03", "2024-10-04"].map(|x| total_on(c, x))
    };
    assert_eq!(
        amounts(&blank),
        [1550 + 760 + 2300, 410 + 505 + 2300, 505 + 2300, 505]
    );
    let typed = one(&input(
        case,
        days(Some("歩行困難"), Some("寝たきり"), Some("歩行困難")),
    ));
    assert!(
        !has(&typed, "outreach_reason_missing"),
        "{:?}",
        typed.findings
    );
    assert_eq!(amounts(&typed), amounts(&blank));
    assert_eq!(
        (typed.total_yen, typed.billed_yen),
        (blank.total_yen, blank.billed_yen)
    );
}

/// A visit without the field (a case file written before it existed) still reads, and a
/// visit without a reason writes no `outreach_reason` key.
#[test]
fn old_case_files_without_the_reason_still_read() {
    let v: Visit = serde_json::from_str(
        r#"{ "date": "2024-10-02", "mode": { "kind": "call", "distance_km": 2.0 } }"#,
    )
    .expect("an old visit reads");
    assert_eq!(v.outreach_reason, None);
    let written = serde_json::to_string(&v).expect("writes");
    assert!(!written.contains("outreach_reason"), "{written}");
    let mut with = v.clone();
    with.outreach_reason = Some("歩行困難".into());
    let back: Visit =
        serde_json::from_str(&serde_json::to_string(&with).expect("writes")).expect("reads");
    assert_eq!(back.outreach_reason(), Some("歩行困難"));
}

// ---- Input that must be refused ----

/// A negative or absurd distance, or none, bills no 往療料 and is an error: the day is
/// 1,550 + 760 = 2,310 without it.
#[test]
fn impossible_distances_are_refused() {
    let case = judo(
        "2024-10-01",
        vec![injury(InjuryKind::Sprain, "足関節", "2024-10-01")],
    );
    for (mode, code) in [
        (VisitMode::Call { distance_km: -1.0 }, "distance_invalid"),
        (VisitMode::Call { distance_km: 250.0 }, "distance_invalid"),
        (
            VisitMode::Call {
                distance_km: f64::NAN,
            },
            "distance_invalid",
        ),
        (
            VisitMode::Home {
                people: 1,
                distance_km: None,
            },
            "distance_missing",
        ),
    ] {
        let mut v = Visit::on(d("2024-10-01"));
        v.mode = mode;
        let c = one(&input(case.clone(), vec![v]));
        assert_eq!(c.total_yen, 2310);
        assert!(has(&c, code) && c.has_errors());
        let f = c.findings.iter().find(|f| f.code == code).expect("finding");
        assert!(!f.message_ja.is_empty() && !f.message_en.is_empty());
    }
}

/// 訪問施術 with 0 people treated: an error, the day not billed (no 訪問施術料1 by default).
#[test]
fn zero_people_is_refused() {
    let mut v = acu_visit(
        "2024-10-02",
        VisitMode::Home {
            people: 0,
            distance_km: Some(2.0),
        },
    );
    v.electro = false;
    let c = one(&input(acupuncture(), vec![v]));
    assert_eq!(c.total_yen, 0);
    assert!(has(&c, "people_zero") && c.has_errors());
}

/// The same 部位 twice in one visit is an error, reported once for the month with both
/// dates, and billed once: 10/1 1,550 + 760; 10/2 410 + 505.
#[test]
fn a_part_twice_in_a_visit_is_one_error() {
    let twice = |date: &str| {
        visit_parts(
            date,
            vec![
                PartTreatment {
                    injury: 0,
                    cold: false,
                    warm: false,
                    electro: false,
                },
                PartTreatment {
                    injury: 0,
                    cold: false,
                    warm: false,
                    electro: false,
                },
            ],
        )
    };
    let c = one(&input(
        judo(
            "2024-10-01",
            vec![injury(InjuryKind::Sprain, "足関節", "2024-10-01")],
        ),
        vec![twice("2024-10-01"), twice("2024-10-02")],
    ));
    assert_eq!(c.total_yen, 1550 + 760 + 410 + 505);
    assert_eq!(count(&c, "duplicate_part"), 1);
    assert!(c.has_errors());
}

/// Impossible dates never reach the engine: the case file is refused with the reason.
#[test]
fn impossible_dates_are_refused_with_the_reason() {
    let text = include_str!("../../../../tests/fixtures/claims/judo_sprain_3parts.json");
    for (bad, ja) in [
        ("2024-02-30", "2024年2月は29日まで"),
        ("2024-13-01", "13月はありません"),
    ] {
        let e = serde_json::from_str::<ClaimInput>(&text.replace("2024-10-04", bad))
            .expect_err("refused");
        assert!(e.to_string().contains(ja), "{e}");
    }
}

// ---- 公費 (医療証) ----

fn fund(payer: &str, pct: u8) -> PublicFund {
    PublicFund {
        payer_number: payer.into(),
        recipient_number: "7654321".into(),
        copay_percent: pct,
        monthly_cap_yen: None,
        per_day_cap_yen: None,
        paid_days_per_month: None,
        program: None,
    }
}

/// 大阪府 福祉医療費助成: "1つの医療機関あたり、自己負担額は1日につき最大500円まで", "1ヶ月の受診の
/// うち、3回目以降の受診の自己負担額なし" (osaka-jyusei.or.jp, local_aid.json `osaka_child`).
/// A sprain, 3割, four visits: 10/1 1,550 + 760 = 2,310; 10/2 再検 410 + 505 = 915; 10/3 and
/// 10/4 505 each. 合計 4,235; 請求 4,235 × 0.7 = 2,964.5 → 2,964; 一部負担金 1,271. Window
/// without the 公費: 2,310 × 0.3 = 693 → 690; 915 × 0.3 = 274.5 → 270; 505 × 0.3 = 151.5 →
/// 150 (×2). Under it: 10/1 min(690, 500) = 500; 10/2 min(270, 500) = 270; 10/3, 10/4: the
/// 3rd and 4th days → 0. The patient pays 770; 公費請求額 = 1,271 − 770 = 501.
#[test]
fn osaka_local_aid_caps_the_day_and_frees_the_third_visit() {
    let program = crate::claims::public::local_aid_by_id("osaka_child").expect("bundled");
    let mut i = input(
        judo(
            "2024-10-01",
            vec![injury(InjuryKind::Sprain, "足関節", "2024-10-01")],
        ),
        visits_on(&["2024-10-01", "2024-10-02", "2024-10-03", "2024-10-04"]),
    );
    i.public_funds.push(program.fund("82270004", "1234567"));
    let c = one(&i);
    assert_eq!(c.total_yen, 4235);
    assert_eq!((c.copay_yen, c.billed_yen), (1271, 2964));
    let paid: Vec<u32> = c.window.iter().map(|w| w.pays_yen).collect();
    assert_eq!(paid, vec![500, 270, 0, 0]);
    assert_eq!(c.window_yen, 770);
    let p = c.public.expect("split");
    assert_eq!((p.patient_pays_yen, p.public_billed_yen), (770, 501));
}

/// A second 公費 applies to what the first left (docs/claims.md, 公費, [U] order: the form's
/// 公費① first). 柔整 sprain, 3割, 10/1 and 10/2: 合計 3,225, 一部負担金 968 (as
/// `public_fund_split`). 公費① 2割: 10/1 2,310 × 0.2 = 462 → 460; 10/2 915 × 0.2 = 183 → 180;
/// the patient would pay 640, so 公費① bills 968 − 640 = 328. 公費② 1割 with a 100-yen
/// month cap: 10/1 231 → 230, capped 100; 10/2 cap used up → 0. The patient pays 100; 公費②
/// bills 640 − 100 = 540.
#[test]
fn a_second_public_fund_takes_what_the_first_left() {
    let mut i = input(
        judo(
            "2024-10-01",
            vec![injury(InjuryKind::Sprain, "足関節", "2024-10-01")],
        ),
        visits_on(&["2024-10-01", "2024-10-02"]),
    );
    i.public_funds.push(fund("82130006", 20));
    let mut second = fund("88130005", 10);
    second.monthly_cap_yen = Some(100);
    i.public_funds.push(second);
    let c = one(&i);
    assert_eq!(c.copay_yen, 968);
    assert_eq!(c.window_yen, 100);
    let first = c.public.expect("first");
    assert_eq!(first.public_billed_yen, 328);
    let second = c.public2.expect("second");
    assert_eq!(
        (second.payer_number.as_str(), second.public_billed_yen),
        ("88130005", 540)
    );
    assert_eq!(
        first.public_billed_yen + second.public_billed_yen + c.window_yen,
        c.copay_yen
    );
}

// ---- あはき 同意 ----

/// 疑義解釈 H30 (deepimpact id=4160): "初療の日又は医師による再同意日が、月の15日以前の場合は
/// 当該月の5ヶ月後の月の末日 … まで". はり・きゅう 初療 2024-10-02 → 2025-03-31. A visit on
/// 2025-04-02 is outside; with a 再同意 of 2025-03-25 (16日以降 → 2025-09-30) it is covered, and
/// in September 2025 the claim warns that the 同意 ends that month.
#[test]
fn consent_periods_and_the_reconsent() {
    let case = |reconsent: bool| {
        let Case::Acupuncture(mut a) = acupuncture() else {
            unreachable!()
        };
        if let Some(c) = a.consent.as_mut() {
            c.valid_until = d("2025-12-31");
        }
        if reconsent {
            a.reconsents.push(Consent {
                date: d("2025-03-25"),
                valid_until: d("2025-09-30"),
                doctor: "医師 花子".into(),
                clinic: String::new(),
                deformity: false,
            });
        }
        Case::Acupuncture(a)
    };
    let visit = |s: &str| acu_visit(s, VisitMode::Clinic);
    let mut i = input(case(false), vec![visit("2024-10-02"), visit("2025-04-02")]);
    i.month = month(2025, 4);
    let c = one(&i);
    assert!(c.findings.iter().any(|f| f.code == "consent_expired"));
    assert!(c
        .findings
        .iter()
        .any(|f| f.code == "consent_longer_than_rules"));
    i.case = case(true);
    let c = one(&i);
    assert!(
        !c.findings.iter().any(|f| f.code == "consent_expired"),
        "{:?}",
        c.findings
    );
    i.visits.push(visit("2025-09-10"));
    i.month = month(2025, 9);
    let c = one(&i);
    assert!(c
        .findings
        .iter()
        .any(|f| f.code == "consent_ends_this_month"));
}

/// The second 公費's 請求額 reaches paper (摘要) and the 総括票's 公費 total.
#[test]
fn the_second_public_fund_is_on_the_form_and_the_summary() {
    let mut i = input(
        judo(
            "2024-10-01",
            vec![injury(InjuryKind::Sprain, "足関節", "2024-10-01")],
        ),
        visits_on(&["2024-10-01", "2024-10-02"]),
    );
    i.public_funds.push(fund("82130006", 20));
    i.public_funds.push(fund("88130005", 10));
    let c = one(&i);
    let second = c.public2.clone().expect("second").public_billed_yen;
    let form = crate::claims::forms::claim_form(&i, &c);
    let totals = form
        .sections
        .iter()
        .find(|s| s.key == "totals")
        .expect("totals");
    assert!(totals
        .fields
        .iter()
        .any(|f| f.key == "public_billed_2" && f.value == second.to_string()));
    let first = c.public.clone().expect("first").public_billed_yen;
    let summary = crate::claims::forms::summaries(&[c]);
    assert_eq!(summary[0].public_billed_yen, u64::from(first + second));
}
