//! Money audit (2026-11): cases worked out on paper from the reference facts alone, before
//! the engine ran, then compared with it (clauses: docs/claims.md "Rule table"; what the
//! audit left open: docs/claims.md "Known gaps"). Each test writes its arithmetic out.

use super::rules::visits_on;
use super::*;

pub(super) fn month(y: i32, m: u8) -> Option<ClaimMonth> {
    Some(ClaimMonth { year: y, month: m })
}

pub(super) fn day_total(c: &MonthlyClaim, date: &str) -> u32 {
    codes(c, date).iter().map(|x| x.1).sum()
}

/// Each visit's total (the window's line per day).
pub(super) fn all_days(c: &MonthlyClaim) -> Vec<u32> {
    c.window.iter().map(|w| w.total_yen).collect()
}

pub(super) fn windows(c: &MonthlyClaim) -> Vec<u32> {
    c.window.iter().map(|w| w.pays_yen).collect()
}

pub(super) fn part(injury: usize, cold: bool, warm: bool, electro: bool) -> PartTreatment {
    PartTreatment {
        injury,
        cold,
        warm,
        electro,
    }
}

pub(super) fn with_mode(mut v: Visit, mode: VisitMode) -> Visit {
    v.mode = mode;
    v
}

pub(super) fn consent(date: &str, until: &str) -> Consent {
    Consent {
        date: d(date),
        valid_until: d(until),
        doctor: "医師 花子".into(),
        clinic: "うけみ医院".into(),
        deformity: false,
    }
}

pub(super) fn acu_case(first: &str, c: Consent) -> Case {
    Case::Acupuncture(AcupunctureCase {
        first_visit_date: d(first),
        diseases: vec![AcuDisease::Neuralgia],
        other_disease: None,
        symptoms: "腰部から下肢の疼痛".into(),
        consent: Some(c),
        reconsents: Vec::new(),
        outcome: None,
    })
}

pub(super) fn massage_case(first: &str, c: Consent, reconsents: Vec<Consent>) -> Case {
    Case::Massage(MassageCase {
        first_visit_date: d(first),
        symptoms: "両下肢の関節拘縮".into(),
        consent: Some(c),
        reconsents,
        outcome: None,
    })
}

pub(super) fn acu(date: &str, techniques: u8, electro: bool, mode: VisitMode) -> Visit {
    let mut v = Visit::on(d(date));
    v.techniques = Some(techniques);
    v.electro = electro;
    v.mode = mode;
    v
}

pub(super) fn mas(date: &str, locals: u8, warmth: Warmth, mode: VisitMode) -> Visit {
    let mut v = Visit::on(d(date));
    v.local_count = locals;
    v.warmth = warmth;
    v.mode = mode;
    v
}

// ---- 柔整 ----

/// A1. 前腕骨骨折 + 肩関節捻挫 + 膝打撲, all injured and first seen 2024-11-04; 初検時相談支援料,
/// 金属副子等加算 on the fracture, 柔道整復運動後療料 on day 17. 3割.
/// 11/04: 初検 1,550 + 相談支援 100 + 整復料 (前腕骨) 11,800 + 施療料 760 + 760 + 冷罨法 85 +
///        85 + (3部位目 85 × 60/100 = 51) + 金属副子 1,000 = 16,191.
/// 11/05: 再検 410 + 後療 850 + 505 + (505 × 0.6 = 303) + 冷罨法 (骨折, within 7 days) 85
///        = 2,153.
/// 11/11 (day 8 of all): 後療 850 + 505 + 303 = 1,658; 温罨法 75 + 75 + 45; 電療 33 + 33 +
///        (19.8 → 20) = 1,658 + 195 + 86 = 1,939.
/// 11/20 (day 17; injured by the 15th → 2 this month): 1,658 + 運動後療 320 = 1,978.
/// 合計 22,261. 請求 22,261 × 0.7 = 15,582.7 → 15,582; 一部負担金 6,679.
/// Window: 4,857.3 → 4,860; 645.9 → 650; 581.7 → 580; 593.4 → 590 = 6,680.
#[test]
fn a1_fracture_with_two_soft_tissue_parts() {
    let mut fracture = injury(InjuryKind::Fracture, "前腕", "2024-11-04");
    fracture.bone = Some(Bone::Forearm);
    let mut case = judo(
        "2024-11-04",
        vec![
            fracture,
            injury(InjuryKind::Sprain, "肩関節", "2024-11-04"),
            injury(InjuryKind::Contusion, "膝", "2024-11-04"),
        ],
    );
    if let Case::Judo(j) = &mut case {
        j.consult_support = true;
    }
    let mut first = visit_parts("2024-11-04", parts(3, true, false, false));
    first.metal_splint = vec![0];
    let second = visit_parts(
        "2024-11-05",
        vec![
            part(0, true, false, false),
            part(1, false, false, false),
            part(2, false, false, false),
        ],
    );
    let third = visit_parts("2024-11-11", parts(3, false, true, true));
    let mut fourth = visit_parts("2024-11-20", parts(3, false, false, false));
    fourth.exercise_aftercare = true;
    let c = one(&input(case, vec![first, second, third, fourth]));
    assert_eq!(day_total(&c, "2024-11-04"), 16191);
    assert_eq!(day_total(&c, "2024-11-05"), 2153);
    assert_eq!(day_total(&c, "2024-11-11"), 1939);
    assert_eq!(day_total(&c, "2024-11-20"), 1978);
    assert_eq!(c.total_yen, 22261);
    assert_eq!((c.copay_yen, c.billed_yen), (6679, 15582));
    assert_eq!(windows(&c), vec![4860, 650, 580, 590]);
    assert_eq!(c.window_yen, 6680);
}

/// A2. 長期 line, 1割 (高齢者). 捻挫 injured 2024-06-19, 初検 2024-06-20 (16日以降 → the count
/// starts in July): July 1, Aug 2, Sep 3, Oct 4, Nov 5 — November is not yet "5か月を超える月";
/// December (6th) is, at 75/100.
/// Nov 29: 後療 505 + 温 75 + 電 33 = 613. 請求 613 × 0.9 = 551.7 → 551; 一部負担金 62;
///   window 61.3 → 60.
/// Dec 2: 505 × 0.75 = 378.75 → 379; 75 × 0.75 = 56.25 → 56; 33 × 0.75 = 24.75 → 25 = 460.
///   請求 414; 一部負担金 46; window 46 → 50.
#[test]
fn a2_long_term_line_at_ten_percent() {
    let case = judo(
        "2024-06-20",
        vec![injury(InjuryKind::Sprain, "足関節", "2024-06-19")],
    );
    let visits = vec![
        Visit::on(d("2024-06-20")),
        Visit::on(d("2024-07-10")),
        Visit::on(d("2024-08-10")),
        Visit::on(d("2024-09-10")),
        Visit::on(d("2024-10-10")),
        visit_parts("2024-11-29", parts(1, false, true, true)),
        visit_parts("2024-12-02", parts(1, false, true, true)),
    ];
    let mut i = input(case, visits);
    i.insurance = insurance(10);
    i.month = month(2024, 11);
    let nov = one(&i);
    assert_eq!(nov.total_yen, 613);
    assert!(!nov.long_term);
    assert_eq!((nov.copay_yen, nov.billed_yen), (62, 551));
    assert_eq!(nov.window_yen, 60);
    i.month = month(2024, 12);
    let dec = one(&i);
    assert_eq!(dec.total_yen, 460);
    assert!(dec.long_term && !dec.long_term_frequent);
    assert_eq!((dec.copay_yen, dec.billed_yen), (46, 414));
    assert_eq!(dec.window_yen, 50);
}

/// A3. 初検 on the last day of a month, 再検 in the next; 明細書発行体制加算 (10円, 月1回); 2割.
/// Oct 31: 初検 1,550 + 施療料 760 + 冷罨法 (受傷当日の初検) 85 + 加算 10 = 2,405.
///   請求 2,405 × 0.8 = 1,924; 一部負担金 481; window 481 → 480.
/// Nov 1: 再検 410 + 後療 505 + 加算 10 = 925; Nov 8 (day 9): 505 + 温罨法 75 = 580.
///   合計 1,505; 請求 1,204; 一部負担金 301. Window 185 → 190; 116 → 120 = 310.
#[test]
fn a3_first_visit_on_the_31st_recheck_next_month() {
    let case = judo(
        "2024-10-31",
        vec![injury(InjuryKind::Sprain, "手関節", "2024-10-31")],
    );
    let visits = vec![
        visit_parts("2024-10-31", parts(1, true, false, false)),
        Visit::on(d("2024-11-01")),
        visit_parts("2024-11-08", parts(1, false, true, false)),
    ];
    let mut i = input(case, visits);
    i.clinic.statement_system = true;
    i.insurance = insurance(20);
    i.month = month(2024, 10);
    let oct = one(&i);
    assert_eq!(oct.total_yen, 2405);
    assert_eq!((oct.copay_yen, oct.billed_yen), (481, 1924));
    assert_eq!(oct.window_yen, 480);
    i.month = month(2024, 11);
    let nov = one(&i);
    assert_eq!(day_total(&nov, "2024-11-01"), 925);
    assert_eq!(day_total(&nov, "2024-11-08"), 580);
    assert_eq!(nov.total_yen, 1505);
    assert_eq!((nov.copay_yen, nov.billed_yen), (301, 1204));
    assert_eq!(windows(&nov), vec![190, 120]);
}

/// A4. 往療: 片道4km超 2,550 with 夜間加算 (100/100 of the 往療料), then 3.0 km and exactly
/// 4.0 km (not "超": 2,300). 3割.
/// 10/10 (往療 5.2 km, night): 初検 1,550 + 施療料 760 + 冷罨法 85 + 2,550 + 2,550 = 7,495.
/// 10/11 (訪問 3.0 km): 再検 410 + 505 + 2,300 = 3,215. 10/12 (4.0 km): 505 + 2,300 = 2,805.
/// 合計 13,515; 請求 × 0.7 = 9,460.5 → 9,460; 一部負担金 4,055.
/// Window 2,248.5 → 2,250; 964.5 → 960; 841.5 → 840 = 4,050.
#[test]
fn a4_outreach_over_four_km_at_night() {
    let case = judo(
        "2024-10-10",
        vec![injury(InjuryKind::Sprain, "足関節", "2024-10-10")],
    );
    let mut first = with_mode(
        visit_parts("2024-10-10", parts(1, true, false, false)),
        VisitMode::Call { distance_km: 5.2 },
    );
    first.outreach_addon = Some(OutreachAddon::Night);
    let visits = vec![
        first,
        with_mode(
            Visit::on(d("2024-10-11")),
            VisitMode::Home {
                people: 1,
                distance_km: Some(3.0),
            },
        ),
        with_mode(
            Visit::on(d("2024-10-12")),
            VisitMode::Call { distance_km: 4.0 },
        ),
    ];
    let c = one(&input(case, visits));
    assert_eq!(day_total(&c, "2024-10-10"), 7495);
    assert_eq!(day_total(&c, "2024-10-11"), 3215);
    assert_eq!(day_total(&c, "2024-10-12"), 2805);
    assert_eq!(c.total_yen, 13515);
    assert_eq!((c.copay_yen, c.billed_yen), (4055, 9460));
    assert_eq!(windows(&c), vec![2250, 960, 840]);
}

/// A5. Four parts; the 1st is cured on 11/08, so from 11/12 the 4th moves up to be the 3rd.
/// 11/01: 初検 1,550 + 施療料 760 × 4 = 4,590 (the 4th's 初回の施療料 is billable).
/// 11/05: 再検 410 + 505 + 505 + 303 (+ 4th: included, nothing) = 1,723.
/// 11/08 (the 1st's 治癒 day, still treated): 505 + 505 + 303 = 1,313.
/// 11/12: parts 2, 3, 4 → 505 + 505 + 303 = 1,313.
/// 合計 8,939; 請求 × 0.7 = 6,257.3 → 6,257; 一部負担金 2,682.
/// Window 1,377 → 1,380; 516.9 → 520; 393.9 → 390; 390 = 2,680.
#[test]
fn a5_four_parts_then_one_cured() {
    let mut inj = sprains3();
    inj[0].injury_date = d("2024-11-01");
    inj[1].injury_date = d("2024-11-01");
    inj[2].injury_date = d("2024-11-01");
    inj.push(injury(InjuryKind::Contusion, "大腿部", "2024-11-01"));
    inj[0].outcome = Some(Outcome {
        kind: OutcomeKind::Cured,
        date: d("2024-11-08"),
    });
    let c = one(&input(
        judo("2024-11-01", inj),
        visits_on(&["2024-11-01", "2024-11-05", "2024-11-08", "2024-11-12"]),
    ));
    assert_eq!(day_total(&c, "2024-11-01"), 4590);
    assert_eq!(day_total(&c, "2024-11-05"), 1723);
    assert_eq!(day_total(&c, "2024-11-08"), 1313);
    assert_eq!(day_total(&c, "2024-11-12"), 1313);
    assert_eq!(c.total_yen, 8939);
    assert_eq!((c.copay_yen, c.billed_yen), (2682, 6257));
    assert_eq!(c.window_yen, 2680);
}

/// A6. 不全骨折 (肋骨) and 捻挫 from 2024-05-07, in November (the 7th month): the 捻挫 is at
/// 75/100, the 不全骨折 is not reduced ("骨折・不全骨折を除く"). Two visits, both with 温・電.
/// Per visit: 後療 720 + 75 + 33 = 828; 379 + 56 + 25 = 460; = 1,288. × 2 = 2,576.
/// 3割: 請求 1,803.2 → 1,803; 一部負担金 773. Window 386.4 → 390, twice = 780.
#[test]
fn a6_incomplete_fracture_is_never_long_term() {
    let mut rib = injury(InjuryKind::IncompleteFracture, "右第5肋骨", "2024-05-07");
    rib.bone = Some(Bone::Rib);
    let case = judo(
        "2024-05-07",
        vec![rib, injury(InjuryKind::Sprain, "腰部", "2024-05-07")],
    );
    let mut visits = visits_on(&[
        "2024-05-07",
        "2024-05-08",
        "2024-06-03",
        "2024-07-03",
        "2024-08-05",
        "2024-09-03",
        "2024-10-03",
    ]);
    visits.push(visit_parts("2024-11-05", parts(2, false, true, true)));
    visits.push(visit_parts("2024-11-19", parts(2, false, true, true)));
    let mut i = input(case, visits);
    i.month = month(2024, 11);
    let c = one(&i);
    assert_eq!(day_total(&c, "2024-11-05"), 1288);
    assert_eq!(c.total_yen, 2576);
    assert_eq!((c.copay_yen, c.billed_yen), (773, 1803));
    assert_eq!(c.window_yen, 780);
}

/// A7. 肩関節脱臼 injured 2024-10-20: 整復料 8,200, 金属副子 1,000, 冷罨法 within 5 days; then
/// 柔道整復運動後療料 from day 16 (11/04), at most 5 in November (continued from October with
/// 後療 after the 15th → the full 5). 3割.
/// Oct: 10/20 初検 1,550 + 8,200 + 85 + 1,000 = 10,835; 10/21 再検 410 + 後療 720 + 85 = 1,215.
///   合計 12,050; 請求 8,435; 一部負担金 3,615; window 3,250.5 → 3,250; 364.5 → 360 = 3,610.
/// Nov: six visits of 720, five with 320: 4,320 + 1,600 = 5,920; 請求 4,144; 一部負担金 1,776;
///   window 1,040 × 0.3 = 312 → 310 (× 5) + 216 → 220 = 1,770.
#[test]
fn a7_dislocation_splint_and_exercise_cap() {
    let mut shoulder = injury(InjuryKind::Dislocation, "肩関節", "2024-10-20");
    shoulder.joint = Some(Joint::Shoulder);
    let case = judo("2024-10-20", vec![shoulder]);
    let mut first = visit_parts("2024-10-20", parts(1, true, false, false));
    first.metal_splint = vec![0];
    let mut visits = vec![
        first,
        visit_parts("2024-10-21", parts(1, true, false, false)),
    ];
    for day in [
        "2024-11-04",
        "2024-11-08",
        "2024-11-12",
        "2024-11-16",
        "2024-11-20",
        "2024-11-25",
    ] {
        let mut v = Visit::on(d(day));
        v.exercise_aftercare = true;
        visits.push(v);
    }
    let mut i = input(case, visits);
    i.month = month(2024, 10);
    let oct = one(&i);
    assert_eq!(oct.total_yen, 12050);
    assert_eq!((oct.copay_yen, oct.billed_yen), (3615, 8435));
    assert_eq!(oct.window_yen, 3610);
    i.month = month(2024, 11);
    let nov = one(&i);
    assert_eq!(nov.total_yen, 5920);
    assert_eq!((nov.copay_yen, nov.billed_yen), (1776, 4144));
    assert_eq!(windows(&nov), vec![310, 310, 310, 310, 310, 220]);
}

/// A8. 長期頻回 with a 3rd part: three sprains, 初検 2024-05-01, ten visits each month
/// May–September, October with 温罨法: (1)(2) 505 × 50/100 = 252.5 → 253, 温 37.5 → 38;
/// (3) 505 × 0.6 × 0.5 = 151.5 → 152, 温 75 × 0.3 = 22.5 → 23. 253·2 + 38·2 + 152 + 23 = 757.
/// 3割: 請求 529.9 → 529; 一部負担金 228; window 227.1 → 230.
#[test]
fn a8_long_term_frequent_third_part() {
    let inj: Vec<Injury> = ["足関節", "膝関節", "手関節"]
        .iter()
        .map(|s| injury(InjuryKind::Sprain, s, "2024-04-30"))
        .collect();
    let mut visits = visits_on(&["2024-05-01"]);
    for ym in ["2024-05", "2024-06", "2024-07", "2024-08", "2024-09"] {
        for day in 2..=11 {
            visits.push(Visit::on(d(&format!("{ym}-{day:02}"))));
        }
    }
    visits.push(visit_parts("2024-10-01", parts(3, false, true, false)));
    let mut i = input(judo("2024-05-01", inj), visits);
    i.month = month(2024, 10);
    let c = one(&i);
    assert_eq!(c.total_yen, 757);
    assert!(c.long_term_frequent);
    assert_eq!((c.copay_yen, c.billed_yen), (228, 529));
    assert_eq!(c.window_yen, 230);
}

/// A9. 不全骨折 (前腕骨) first seen on a holiday: 初検 1,550 + 休日加算 1,560 + 相談支援 100 +
/// 固定料 7,300 + 冷罨法 85 = 10,595. 1割: 請求 10,595 × 0.9 = 9,535.5 → 9,535; 一部負担金
/// 1,060; window 1,059.5 → 1,060.
#[test]
fn a9_incomplete_fracture_on_a_holiday() {
    let mut arm = injury(InjuryKind::IncompleteFracture, "前腕", "2024-11-03");
    arm.bone = Some(Bone::Forearm);
    let mut case = judo("2024-11-03", vec![arm]);
    if let Case::Judo(j) = &mut case {
        j.consult_support = true;
    }
    let mut v = visit_parts("2024-11-03", parts(1, true, false, false));
    v.first_visit_addon = Some(FirstVisitAddon::Holiday);
    let mut i = input(case, vec![v]);
    i.insurance = insurance(10);
    let c = one(&i);
    assert_eq!(c.total_yen, 10595);
    assert_eq!((c.copay_yen, c.billed_yen), (1060, 9535));
    assert_eq!(c.window_yen, 1060);
}

/// A10. A 負傷 arising while another is treated shares the 初検 (no 2nd 初検料); its 施療料 and
/// 冷罨法 on its own first day. 11/01 初検 1,550 + 760 = 2,310; 11/05 再検 410 + 505 = 915;
/// 11/06 505 + (new) 760 + 85 = 1,350. 合計 4,575; 請求 × 0.7 = 3,202.5 → 3,202; 一部負担金
/// 1,373. Window 693 → 690; 274.5 → 270; 405 → 410 = 1,370.
#[test]
fn a10_new_injury_during_treatment() {
    let case = judo(
        "2024-11-01",
        vec![
            injury(InjuryKind::Sprain, "足関節", "2024-11-01"),
            injury(InjuryKind::Contusion, "前胸部", "2024-11-06"),
        ],
    );
    let visits = vec![
        Visit::on(d("2024-11-01")),
        Visit::on(d("2024-11-05")),
        visit_parts(
            "2024-11-06",
            vec![part(0, false, false, false), part(1, true, false, false)],
        ),
    ];
    let c = one(&input(case, visits));
    assert_eq!(day_total(&c, "2024-11-06"), 1350);
    assert_eq!(c.total_yen, 4575);
    assert_eq!((c.copay_yen, c.billed_yen), (1373, 3202));
    assert_eq!(windows(&c), vec![690, 270, 410]);
}

/// A11. After the only 負傷 is cured (11/08), a new one (11/20) is a new 初検: 初検料 and
/// 再検料 again. 11/01 2,310; 11/05 915; 11/08 505; 11/20 初検 1,550 + 760 + 冷罨法 85 =
/// 2,395; 11/21 再検 410 + 505 = 915. 合計 7,040; 請求 4,928; 一部負担金 2,112.
#[test]
fn a11_new_first_visit_after_cure() {
    let mut first = injury(InjuryKind::Sprain, "足関節", "2024-11-01");
    first.outcome = Some(Outcome {
        kind: OutcomeKind::Cured,
        date: d("2024-11-08"),
    });
    let case = judo(
        "2024-11-01",
        vec![first, injury(InjuryKind::Contusion, "膝", "2024-11-20")],
    );
    let visits = vec![
        Visit::on(d("2024-11-01")),
        Visit::on(d("2024-11-05")),
        Visit::on(d("2024-11-08")),
        visit_parts("2024-11-20", vec![part(1, true, false, false)]),
        Visit::on(d("2024-11-21")),
    ];
    let c = one(&input(case, visits));
    assert_eq!(day_total(&c, "2024-11-20"), 2395);
    assert_eq!(day_total(&c, "2024-11-21"), 915);
    assert_eq!(c.total_yen, 7040);
    assert_eq!((c.copay_yen, c.billed_yen), (2112, 4928));
}

/// A12. 再検料 "初検料を算定する初検の日後最初の後療の日のみ": a day that only gives a 負傷
/// arising during treatment its 初回の施療 is not a 後療 day. 足関節捻挫 初検 10/30; 10/31 only
/// the new 膝打撲 (injured that day): 施療料 760 + 冷罨法 85; 11/04 both in 後療: 再検 410 and
/// 後療 505 × 2. 3割.
/// Oct: 1,550 + 760 = 2,310; 845. 合計 3,155; 請求 × 0.7 = 2,208.5 → 2,208; 一部負担金 947;
///   window 693 → 690; 253.5 → 250 = 940.
/// Nov: 1,420; 請求 994; 一部負担金 426; window 426 → 430.
/// (The engine billed the 410 on 10/31: October 3,565, November 1,010.)
#[test]
fn a12_recheck_waits_for_the_first_after_care_day() {
    let case = judo(
        "2024-10-30",
        vec![
            injury(InjuryKind::Sprain, "足関節", "2024-10-30"),
            injury(InjuryKind::Contusion, "膝", "2024-10-31"),
        ],
    );
    let visits = vec![
        Visit::on(d("2024-10-30")),
        visit_parts("2024-10-31", vec![part(1, true, false, false)]),
        Visit::on(d("2024-11-04")),
    ];
    let mut i = input(case, visits);
    i.month = month(2024, 10);
    let oct = one(&i);
    assert_eq!(day_total(&oct, "2024-10-31"), 845);
    assert_eq!(oct.total_yen, 3155);
    assert_eq!((oct.copay_yen, oct.billed_yen), (947, 2208));
    assert_eq!(oct.window_yen, 940);
    i.month = month(2024, 11);
    let nov = one(&i);
    assert_eq!(
        codes(&nov, "2024-11-04"),
        vec![
            ("saiken".into(), 410),
            ("after_contusion_sprain".into(), 505),
            ("after_contusion_sprain".into(), 505),
        ]
    );
    assert_eq!(
        (nov.total_yen, nov.copay_yen, nov.billed_yen),
        (1420, 426, 994)
    );
    assert_eq!(nov.window_yen, 430);
}

/// A13. September 2024 (令和6年6月の料金表): 長期 at 80/100 and 明細書発行体制加算 13円. 捻挫 初検
/// 2024-04-10 (count from April; September is the 6th month). 9/10 with 温罨法: 505 × 0.8 =
/// 404; 75 × 0.8 = 60; + 13 = 477. 3割: 請求 333.9 → 333; 一部負担金 144; window 143.1 → 140.
#[test]
fn a13_september_long_term_eighty_and_addon_thirteen() {
    let case = judo(
        "2024-04-10",
        vec![injury(InjuryKind::Sprain, "足関節", "2024-04-09")],
    );
    let mut visits = visits_on(&[
        "2024-04-10",
        "2024-05-10",
        "2024-06-10",
        "2024-07-10",
        "2024-08-10",
    ]);
    visits.push(visit_parts("2024-09-10", parts(1, false, true, false)));
    let mut i = input(case, visits);
    i.clinic.statement_system = true;
    i.month = month(2024, 9);
    let c = one(&i);
    assert_eq!(
        codes(&c, "2024-09-10"),
        vec![
            ("after_contusion_sprain".into(), 404),
            ("warm".into(), 60),
            ("statement_addon".into(), 13),
        ]
    );
    assert_eq!((c.total_yen, c.copay_yen, c.billed_yen), (477, 144, 333));
    assert_eq!(c.window_yen, 140);
}

/// A14. Two 公費: 捻挫 3割, 11/01 2,310; 11/05 再検 410 + 505 = 915; 11/06 505; 11/07 505.
/// 合計 4,235; 請求 2,964.5 → 2,964; 一部負担金 1,271. 公費① 1割, paid on 2 days a month:
/// 231 → 230; 91.5 → 90; then 0, 0 = 320 → 公費①請求 1,271 − 320 = 951. 公費② free: the
/// patient pays 0; 公費②請求 320.
#[test]
fn a14_two_public_funds() {
    let case = judo(
        "2024-11-01",
        vec![injury(InjuryKind::Sprain, "足関節", "2024-11-01")],
    );
    let mut i = input(
        case,
        visits_on(&["2024-11-01", "2024-11-05", "2024-11-06", "2024-11-07"]),
    );
    let fund = |payer: &str, pct: u8, days: Option<u8>| PublicFund {
        payer_number: payer.into(),
        recipient_number: "7654321".into(),
        copay_percent: pct,
        monthly_cap_yen: None,
        per_day_cap_yen: None,
        paid_days_per_month: days,
        program: None,
    };
    i.public_funds.push(fund("82130006", 10, Some(2)));
    i.public_funds.push(fund("88130005", 0, None));
    let c = one(&i);
    assert_eq!((c.total_yen, c.copay_yen, c.billed_yen), (4235, 1271, 2964));
    assert_eq!(c.window_yen, 0);
    let p1 = c.public.expect("公費①");
    let p2 = c.public2.expect("公費②");
    assert_eq!(p1.public_billed_yen, 951);
    assert_eq!((p2.patient_pays_yen, p2.public_billed_yen), (0, 320));
}

// ---- はり・きゅう ----

/// B1. 1術 at the clinic with 電療, 1割: 11/01 初検 1,950 + 施術料 1,610 + 100 = 3,660; 11/08
/// 1,710; 11/15 1,610. 合計 6,980; 一部負担金 698 (1円未満四捨五入); 請求 6,282. Window 366,
/// 171, 161.
#[test]
fn b1_acupuncture_one_technique_at_ten_percent() {
    let case = acu_case("2024-11-01", consent("2024-10-25", "2025-04-30"));
    let mut i = input(
        case,
        vec![
            acu("2024-11-01", 1, true, VisitMode::Clinic),
            acu("2024-11-08", 1, true, VisitMode::Clinic),
            acu("2024-11-15", 1, false, VisitMode::Clinic),
        ],
    );
    i.insurance = insurance(10);
    let c = one(&i);
    assert_eq!(c.total_yen, 6980);
    assert_eq!((c.copay_yen, c.billed_yen), (698, 6282));
    assert_eq!(windows(&c), vec![366, 171, 161]);
}

/// B2. September 2024 (before 訪問施術料): 9/02 初検 1,950 + 施術料 1,610 + 往療 (3 km) 2,300 =
/// 5,860; 9/09 1,610 + 往療 (6 km, 4km超) 2,550 = 4,160. 合計 10,020; 3割 一部負担金 3,006.
/// November: 11/05 訪問施術料3 (5人) 2術 2,230 + 100 = 2,330; 11/12 突発の往療 6 km: 施術料
/// 2術 1,770 + 往療 2,300 (4km超加算廃止) + 特別地域 250 = 4,320. 合計 6,650; 一部負担金
/// 1,995; 請求 4,655.
#[test]
fn b2_acupuncture_outreach_before_and_after_october() {
    let case = acu_case("2024-09-02", consent("2024-08-30", "2025-02-28"));
    let mut call = acu("2024-11-12", 2, false, VisitMode::Call { distance_km: 6.0 });
    call.special_area = true;
    let mut i = input(
        case,
        vec![
            acu(
                "2024-09-02",
                1,
                false,
                VisitMode::Home {
                    people: 1,
                    distance_km: Some(3.0),
                },
            ),
            acu(
                "2024-09-09",
                1,
                false,
                VisitMode::Home {
                    people: 1,
                    distance_km: Some(6.0),
                },
            ),
            acu(
                "2024-11-05",
                2,
                true,
                VisitMode::Home {
                    people: 5,
                    distance_km: Some(2.0),
                },
            ),
            call,
        ],
    );
    i.month = month(2024, 9);
    let sep = one(&i);
    assert_eq!(sep.total_yen, 10020);
    assert_eq!((sep.copay_yen, sep.billed_yen), (3006, 7014));
    i.month = month(2024, 11);
    let nov = one(&i);
    assert_eq!(day_total(&nov, "2024-11-05"), 2330);
    assert_eq!(day_total(&nov, "2024-11-12"), 4320);
    assert_eq!(
        (nov.total_yen, nov.copay_yen, nov.billed_yen),
        (6650, 1995, 4655)
    );
}

/// B3. A distance that cannot be right loses the 往療料 only ("往療料は算定していません", as for
/// 柔整); the 初検料 and 施術料 stay. 11/01 突発の往療 at "−3 km": 初検 1,950 + 施術料 1,610 =
/// 3,560; 11/02 at the clinic 1,610; 11/08 訪問施術料1 (1人, 1術) at "250 km" (the 訪問施術料
/// does not depend on the distance) 3,910 + 特別地域 250 = 4,160. 合計 9,330; 3割 一部負担金
/// 2,799; 請求 6,531. (The engine dropped both days with the bad distance: 1,610.)
#[test]
fn b3_bad_distance_loses_only_the_outreach_fee() {
    let case = acu_case("2024-11-01", consent("2024-10-30", "2025-04-30"));
    let mut home = acu(
        "2024-11-08",
        1,
        false,
        VisitMode::Home {
            people: 1,
            distance_km: Some(250.0),
        },
    );
    home.special_area = true;
    let c = one(&input(
        case,
        vec![
            acu(
                "2024-11-01",
                1,
                false,
                VisitMode::Call { distance_km: -3.0 },
            ),
            acu("2024-11-02", 1, false, VisitMode::Clinic),
            home,
        ],
    ));
    assert_eq!(day_total(&c, "2024-11-01"), 3560);
    assert_eq!(day_total(&c, "2024-11-08"), 4160);
    assert_eq!((c.total_yen, c.copay_yen, c.billed_yen), (9330, 2799, 6531));
    assert_eq!(count(&c, "distance_invalid"), 2);
    assert!(c.has_errors() && !has(&c, "over_16km"));
}

// ---- マッサージ ----

/// C1. 訪問施術料1 (1人) 5局所 4,550 + 温罨法・電気光線器具 300 = 4,850; 訪問施術料1 5局所 +
/// 変形徒手矯正術 2肢 940 = 5,490; 訪問施術料2 (2人) 3局所 2,500 + 施術報告書交付料 480 =
/// 2,980. 合計 13,320; 2割: 一部負担金 2,664; 請求 10,656. Window 970, 1,098, 596.
#[test]
fn c1_massage_home_visits_deformity_and_report() {
    let case = massage_case("2024-06-03", consent("2024-06-01", "2024-11-30"), vec![]);
    let home1 = VisitMode::Home {
        people: 1,
        distance_km: Some(2.0),
    };
    let mut deformity = mas("2024-11-13", 5, Warmth::None, home1.clone());
    deformity.deformity_limbs = 2;
    let mut report = mas(
        "2024-11-27",
        3,
        Warmth::None,
        VisitMode::Home {
            people: 2,
            distance_km: Some(2.0),
        },
    );
    report.report_issued = true;
    let mut i = input(
        case,
        vec![
            mas("2024-11-06", 5, Warmth::WarmElectric, home1),
            deformity,
            report,
        ],
    );
    i.insurance = insurance(20);
    i.month = month(2024, 11);
    let c = one(&i);
    assert_eq!(day_total(&c, "2024-11-06"), 4850);
    assert_eq!(day_total(&c, "2024-11-13"), 5490);
    assert_eq!(day_total(&c, "2024-11-27"), 2980);
    assert_eq!(
        (c.total_yen, c.copay_yen, c.billed_yen),
        (13320, 2664, 10656)
    );
    assert_eq!(windows(&c), vec![970, 1098, 596]);
}

/// C2. 3局所 + 温罨法 at the clinic, three visits: 1,350 + 180 = 1,530 each, 合計 4,590; 3割
/// 一部負担金 1,377, 請求 3,213. 公費 (1割, month cap 400): the patient pays 153, 153, then
/// the 94 left of the cap = 400; 公費請求 1,377 − 400 = 977.
#[test]
fn c2_massage_with_a_capped_public_fund() {
    let case = massage_case("2024-11-05", consent("2024-11-01", "2025-04-30"), vec![]);
    let mut i = input(
        case,
        ["2024-11-05", "2024-11-12", "2024-11-19"]
            .iter()
            .map(|s| mas(s, 3, Warmth::Warm, VisitMode::Clinic))
            .collect(),
    );
    i.public_funds.push(PublicFund {
        payer_number: "82130006".into(),
        recipient_number: "7654321".into(),
        copay_percent: 10,
        monthly_cap_yen: Some(400),
        per_day_cap_yen: None,
        paid_days_per_month: None,
        program: None,
    });
    let c = one(&i);
    assert_eq!((c.total_yen, c.copay_yen, c.billed_yen), (4590, 1377, 3213));
    assert_eq!(windows(&c), vec![153, 153, 94]);
    let p = c.public.expect("公費");
    assert_eq!((p.patient_pays_yen, p.public_billed_yen), (400, 977));
}

/// C3. 施術報告書交付料: billed in June; November's is refused (June is in its 前5ヶ月), December's
/// is billed. 2局所 900 a visit: November 900; December 900 + 480 = 1,380.
#[test]
fn c3_report_fee_five_month_gap() {
    let case = massage_case(
        "2024-06-10",
        consent("2024-06-07", "2024-11-30"),
        vec![consent("2024-11-28", "2025-05-31")],
    );
    let visits: Vec<Visit> = ["2024-06-10", "2024-11-05", "2024-12-03"]
        .iter()
        .map(|s| {
            let mut v = mas(s, 2, Warmth::None, VisitMode::Clinic);
            v.report_issued = true;
            v
        })
        .collect();
    let mut i = input(case, visits);
    i.month = month(2024, 11);
    assert_eq!(one(&i).total_yen, 900);
    i.month = month(2024, 12);
    assert_eq!(one(&i).total_yen, 1380);
}

/// C4. マッサージ in September 2024 (before 訪問施術料): 9/03 訪問 5.0 km, 4局所 + 温罨法: 1,800 +
/// 180 + 往療 (4km超) 2,550 = 4,530; 9/10 訪問 3.0 km, 4局所: 1,800 + 2,300 = 4,100. 合計
/// 8,630; 1割 一部負担金 863; 請求 7,767.
#[test]
fn c4_massage_home_before_october() {
    let case = massage_case("2024-09-03", consent("2024-09-01", "2025-02-28"), vec![]);
    let home = |km: f64| VisitMode::Home {
        people: 1,
        distance_km: Some(km),
    };
    let mut i = input(
        case,
        vec![
            mas("2024-09-03", 4, Warmth::Warm, home(5.0)),
            mas("2024-09-10", 4, Warmth::None, home(3.0)),
        ],
    );
    i.insurance = insurance(10);
    let c = one(&i);
    assert_eq!(day_total(&c, "2024-09-03"), 4530);
    assert_eq!((c.total_yen, c.copay_yen, c.billed_yen), (8630, 863, 7767));
}

/// A22. A case entered without its 初検日's visit (docs/claims.md, "A case entered without
/// its 初検日's visit"; 留意事項通知 第2: 初検料 "初検の日", 施療料 on the 負傷's first
/// treatment, 再検料 "初検料を算定する初検の日後最初の後療の日のみ"). 捻挫 (足関節), 初検日
/// 2024-10-01, only 11/15 and 11/20 entered (the clinic began with Ukemi in November).
/// Both November days are 後療: 505 + 505 = 1,010 — no 初検料 1,550, no 施療料 760, no
/// 再検料 410 (the engine billed 1,550 + 760 + 410 + 505 = 3,225 before). 3割: 一部負担金
/// 1,010 × 0.3 = 303, 請求 707; window 303 → 300 (10円未満四捨五入). Said as a warning.
/// The same case with 初検日 11/10 not entered bills the same 1,010 and warns (an under-bill
/// the clinic sees); with 11/10 entered: 1,550 + 760 | 410 + 505 | 505 = 3,730.
#[test]
fn a22_a_case_entered_without_its_first_visit_bills_after_care_only_and_says_so() {
    let sprain = |first: &str| judo(first, vec![injury(InjuryKind::Sprain, "足関節", first)]);
    let mut i = input(
        sprain("2024-10-01"),
        visits_on(&["2024-11-15", "2024-11-20"]),
    );
    i.month = month(2024, 11);
    let nov = one(&i);
    for day in ["2024-11-15", "2024-11-20"] {
        assert_eq!(
            codes(&nov, day),
            vec![("after_contusion_sprain".into(), 505)],
            "{day}"
        );
    }
    assert_eq!(
        (nov.total_yen, nov.copay_yen, nov.billed_yen),
        (1010, 303, 707)
    );
    assert_eq!(nov.window_yen, 300);
    let warned = |c: &MonthlyClaim| {
        c.findings
            .iter()
            .any(|f| f.code == "first_visit_not_entered" && f.message_ja.contains("初検日"))
    };
    assert!(warned(&nov), "{:?}", nov.findings);

    // 初検日 in the same month, its visit forgotten: the same 1,010, and the warning.
    let mut i = input(
        sprain("2024-11-10"),
        visits_on(&["2024-11-15", "2024-11-20"]),
    );
    i.month = month(2024, 11);
    let forgot = one(&i);
    assert_eq!(forgot.total_yen, 1010);
    assert!(warned(&forgot));

    // Entered: 初検料 and 施療料 on 11/10, 再検料 on the first 後療 day.
    let mut i = input(
        sprain("2024-11-10"),
        visits_on(&["2024-11-10", "2024-11-15", "2024-11-20"]),
    );
    i.month = month(2024, 11);
    let whole = one(&i);
    assert_eq!(day_total(&whole, "2024-11-10"), 1550 + 760);
    assert_eq!(
        codes(&whole, "2024-11-15"),
        vec![
            ("saiken".into(), 410),
            ("after_contusion_sprain".into(), 505)
        ]
    );
    assert_eq!(whole.total_yen, 3730);
    assert!(!warned(&whole));
}
