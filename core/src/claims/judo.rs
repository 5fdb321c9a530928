//! 柔道整復 fee rules. Amounts and rounding come from the tariff; what is billable, when,
//! and at which rate is decided here. Every rule names its clause in docs/claims.md
//! ("Rule table"), and its test in `claims/tests.rs` works the arithmetic out by hand.

use super::claim::{Finding, Lines, Rates};
use super::model::{
    Bone, BoneClass, ClaimMonth, Clinic, FirstVisitAddon, Injury, InjuryKind, Joint, JudoCase,
    OutreachAddon, Visit, VisitMode,
};
use super::tariff::{Schedule, Tariff, TariffItem, TariffSet};
use super::ClaimError;
use crate::date::Date;
use std::collections::{BTreeMap, BTreeSet};

/// Lines of one month plus the reductions that applied.
pub(crate) struct JudoMonth {
    pub lines: Lines,
    pub long_term: bool,
    pub long_term_frequent: bool,
}

/// One 部位 treated on one visit.
#[derive(Clone, Copy)]
struct Treated {
    injury: usize,
    cold: bool,
    warm: bool,
    electro: bool,
}

/// The first day of the 長期 count: "初検日を含む月（初検の日が月の16日以降の場合にあっては、
/// 当該月の翌月）から起算".
pub fn long_term_start(first_visit: Date) -> Date {
    first_visit.month_start_offset(i32::from(first_visit.day() >= 16))
}

/// "5か月を超える月": the count's first month is month 1, so month index 5 (the 6th) on.
pub fn is_long_term(first_visit: Date, visit: Date) -> bool {
    long_term_start(first_visit).months_until(visit) >= 5
}

/// Days from the injury during which 温罨法・電療 are not billable: "骨折又は不全骨折の場合に
/// あってはその受傷の日から起算して7日間を除き、脱臼、打撲、不全脱臼又は捻挫の場合にあっては
/// その受傷の日から起算して5日間を除き" — the injury day is day 1.
pub fn warm_excluded(kind: InjuryKind, injury_date: Date, visit: Date) -> bool {
    let days = if kind.is_fracture() { 7 } else { 5 };
    visit < injury_date.add_days(days)
}

/// 冷罨法: 骨折・不全骨折 within 7 days of the injury (the injury day is day 1), 脱臼 within 5
/// days, 打撲・捻挫・挫傷 only on the 初検日 and only when that is the injury day or the next.
pub fn cold_allowed(kind: InjuryKind, injury_date: Date, first_day: Date, visit: Date) -> bool {
    match kind {
        InjuryKind::Fracture | InjuryKind::IncompleteFracture => visit < injury_date.add_days(7),
        InjuryKind::Dislocation => visit < injury_date.add_days(5),
        InjuryKind::Contusion | InjuryKind::Sprain | InjuryKind::Strain => {
            visit == first_day && first_day <= injury_date.add_days(1)
        }
    }
}

/// 長期頻回 (疑義解釈 R6.5.31 問2): in the 長期 period, and in each of the 5 or more months
/// just before `month` — all counted from the 長期 start month — the 負傷 was treated at least
/// 10 times. `per_month` counts the days this 負傷 was treated.
pub fn is_long_term_frequent(
    first_day: Date,
    month: ClaimMonth,
    per_month: &BTreeMap<ClaimMonth, u32>,
) -> bool {
    let Some(month_day) = month.first_day() else {
        return false;
    };
    if !is_long_term(first_day, month_day) {
        return false;
    }
    let start = ClaimMonth::of(long_term_start(first_day));
    let mut run = 0;
    let mut m = month.previous();
    while m >= start && per_month.get(&m).copied().unwrap_or(0) >= 10 {
        run += 1;
        m = m.previous();
    }
    run >= 5
}

fn item<'t>(t: &'t Tariff, code: &str) -> Result<&'t TariffItem, ClaimError> {
    t.item(code).ok_or_else(|| ClaimError::MissingTariffItem {
        tariff_id: t.id.clone(),
        code: code.to_string(),
    })
}

/// Parts treated on a visit that exist, are injured by then, and have no earlier 転帰, each
/// once. Also returns the 部位 given twice in the visit.
fn treated_with_repeats(case: &JudoCase, v: &Visit) -> (Vec<Treated>, Vec<usize>) {
    let all: Vec<Treated> = if v.parts.is_empty() {
        (0..case.injuries.len())
            .map(|injury| Treated {
                injury,
                cold: false,
                warm: false,
                electro: false,
            })
            .collect()
    } else {
        v.parts
            .iter()
            .map(|p| Treated {
                injury: p.injury,
                cold: p.cold,
                warm: p.warm,
                electro: p.electro,
            })
            .collect()
    };
    let mut seen = Vec::with_capacity(all.len());
    let mut repeats = Vec::new();
    let parts = all
        .into_iter()
        .filter(|p| {
            let Some(inj) = case.injuries.get(p.injury) else {
                return false;
            };
            let fresh = !seen.contains(&p.injury);
            if !fresh && !repeats.contains(&p.injury) {
                repeats.push(p.injury);
            }
            seen.push(p.injury);
            let open = inj.outcome.as_ref().is_none_or(|o| v.date <= o.date);
            fresh && open && inj.injury_date <= v.date && v.date >= case.first_visit_date
        })
        .collect();
    (parts, repeats)
}

fn treated(case: &JudoCase, v: &Visit) -> Vec<Treated> {
    treated_with_repeats(case, v).0
}

/// The 負傷 a visit treats (each once), as the engine bills them: what the form's 負傷 rows
/// count as days of 施術.
pub(crate) fn treated_injuries(case: &JudoCase, v: &Visit) -> Vec<usize> {
    treated(case, v).into_iter().map(|p| p.injury).collect()
}

/// What the case's history says about each 負傷: the day it was first treated (its own
/// 初検日, from which its 長期 count runs) and how many days it was treated each month.
pub(crate) struct InjuryHistory {
    pub first_day: Vec<Option<Date>>,
    pub per_month: Vec<BTreeMap<ClaimMonth, u32>>,
}

impl InjuryHistory {
    pub fn of(case: &JudoCase, history: &[&Visit]) -> InjuryHistory {
        let n = case.injuries.len();
        let mut first_day = vec![None; n];
        let mut per_month = vec![BTreeMap::new(); n];
        for v in history {
            for p in treated(case, v) {
                if let Some(slot) = first_day.get_mut(p.injury) {
                    slot.get_or_insert(v.date);
                }
                if let Some(m) = per_month.get_mut(p.injury) {
                    *m.entry(ClaimMonth::of(v.date)).or_insert(0) += 1;
                }
            }
        }
        // The 初検日's own visit not entered (a clinic that began with Ukemi in the middle of
        // a treatment, or forgot that day): the 負傷 there on the 初検日 were first treated
        // that day, not on the first visit entered — else that visit would bill 初検料 and
        // 施療料 again and restart the 長期 count (docs/claims.md, "A case entered without
        // its 初検日's visit").
        if !first_visit_entered(case, history) {
            for (slot, inj) in first_day.iter_mut().zip(&case.injuries) {
                if slot.is_some_and(|d| d > case.first_visit_date)
                    && inj.injury_date <= case.first_visit_date
                {
                    *slot = Some(case.first_visit_date);
                }
            }
        }
        InjuryHistory {
            first_day,
            per_month,
        }
    }
}

/// Whether a visit on the case's 初検日 is entered.
fn first_visit_entered(case: &JudoCase, history: &[&Visit]) -> bool {
    history.iter().any(|v| v.date == case.first_visit_date)
}

/// The 整復料 (骨折, 脱臼), 固定料 (不全骨折) or 施療料 row of a 負傷, if the table has one.
pub fn first_fee_code(inj: &Injury) -> Option<&'static str> {
    match inj.kind {
        InjuryKind::Contusion | InjuryKind::Sprain => Some("first_contusion_sprain"),
        InjuryKind::Strain => Some("first_strain"),
        InjuryKind::Fracture => match (inj.bone, inj.bone_class) {
            (Some(Bone::Clavicle | Bone::Rib), _) => Some("reduction_fracture_clavicle_rib"),
            (Some(Bone::Humerus | Bone::Forearm | Bone::Femur | Bone::LowerLeg), _) => {
                Some("reduction_fracture_long")
            }
            (
                Some(
                    Bone::Carpal
                    | Bone::Tarsal
                    | Bone::Metacarpal
                    | Bone::Metatarsal
                    | Bone::Phalanx,
                ),
                _,
            ) => Some("reduction_fracture_hand_foot"),
            (Some(Bone::Sternum | Bone::Pelvis | Bone::Patella), _) => None,
            (None, Some(BoneClass::MajorLongBone)) => Some("reduction_fracture_long"),
            // The old coarse class: both of its rows (鎖骨・肋骨, 手根骨等) have one amount.
            (None, Some(BoneClass::Minor)) => Some("reduction_fracture_hand_foot"),
            (None, None) => None,
        },
        InjuryKind::IncompleteFracture => match inj.bone {
            Some(Bone::Clavicle | Bone::Sternum | Bone::Rib) => {
                Some("fixation_incomplete_clavicle_sternum_rib")
            }
            Some(Bone::Pelvis | Bone::Femur) => Some("fixation_incomplete_pelvis_femur"),
            Some(Bone::Humerus | Bone::Forearm | Bone::LowerLeg | Bone::Patella) => {
                Some("fixation_incomplete_limb")
            }
            Some(
                Bone::Carpal | Bone::Tarsal | Bone::Metacarpal | Bone::Metatarsal | Bone::Phalanx,
            ) => Some("fixation_incomplete_hand_foot"),
            None => None,
        },
        InjuryKind::Dislocation => match inj.joint {
            Some(Joint::Jaw) => Some("reduction_dislocation_jaw"),
            Some(Joint::Shoulder) => Some("reduction_dislocation_shoulder"),
            Some(Joint::Hip) => Some("reduction_dislocation_hip"),
            Some(Joint::Elbow | Joint::Knee | Joint::Wrist | Joint::Ankle | Joint::Finger) => {
                Some("reduction_dislocation_other")
            }
            None => None,
        },
    }
}

/// The 後療料 row: "医師により後療を依頼された場合で拘縮が2関節以上に及ぶ場合" has its own
/// amount for 骨折 and 不全骨折.
pub fn after_fee_code(inj: &Injury) -> &'static str {
    match (inj.kind, inj.contracture) {
        (InjuryKind::Contusion | InjuryKind::Sprain, _) => "after_contusion_sprain",
        (InjuryKind::Strain, _) => "after_strain",
        (InjuryKind::Fracture, false) => "after_fracture",
        (InjuryKind::Fracture, true) => "after_fracture_contracture",
        (InjuryKind::IncompleteFracture, false) => "after_incomplete_fracture",
        (InjuryKind::IncompleteFracture, true) => "after_incomplete_fracture_contracture",
        (InjuryKind::Dislocation, _) => "after_dislocation",
    }
}

/// Requests the rules refuse, collected over the month and reported once per kind and 部位
/// with every date, instead of once per part and day.
#[derive(Default)]
struct Skipped {
    by: BTreeMap<(&'static str, Option<usize>), BTreeSet<Date>>,
}

impl Skipped {
    fn add(&mut self, code: &'static str, injury: Option<usize>, d: Date) {
        self.by.entry((code, injury)).or_default().insert(d);
    }

    fn findings(self, case: &JudoCase) -> Vec<Finding> {
        let mut out = Vec::new();
        for ((code, injury), dates) in self.by {
            let name = injury
                .and_then(|i| case.injuries.get(i))
                .map(Injury::name_ja)
                .unwrap_or_default();
            let (ja_dates, en_dates) = super::checks::date_lists(&dates);
            let field = match injury {
                Some(i) => format!("case.injuries[{i}]"),
                None => format!(
                    "visits[{}]",
                    dates
                        .iter()
                        .next()
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                ),
            };
            let (ja, en) = match code {
                "cold_not_billable" => (
                    format!("{name}: 冷罨法は打撲・捻挫・挫傷では受傷の日又は翌日の初検日だけ、脱臼は受傷から5日間、骨折・不全骨折は7日間だけ算定できます（{ja_dates}は算定しませんでした）。"),
                    format!("{name}: cold compress is billable only on a first visit on the injury day or the next (contusion, sprain, strain), within 5 days of a dislocation or 7 days of a fracture; not billed on {en_dates}."),
                ),
                "warm_excluded_period" => (
                    format!("{name}: 負傷日から{}日間は温罨法・電療を算定できません（{ja_dates}は算定しませんでした）。",
                        injury.and_then(|i| case.injuries.get(i)).map_or(5, |i| if i.kind.is_fracture() { 7 } else { 5 })),
                    format!("{name}: warm compress and electrotherapy are not billable in the first days after the injury; not billed on {en_dates}."),
                ),
                "warm_not_on_first_day" => (
                    format!("{name}: 温罨法・電療は後療の日だけ算定できます（初検・施療の日の{ja_dates}は算定しませんでした）。"),
                    format!("{name}: warm compress and electrotherapy are billable on after-care days only; not billed on the first-treatment day {en_dates}."),
                ),
                "duplicate_part" => (
                    format!("{name}が同じ日に2回入力されています（{ja_dates}、1回分だけ算定しました）。"),
                    format!("{name} is entered twice on the same day ({en_dates}); billed once."),
                ),
                "exercise_aftercare_not_billable" => (
                    format!("柔道整復運動後療料は骨折・不全骨折・脱臼の後療で、負傷日から15日間を除き、月5回（半月は2回）までです（{ja_dates}は算定しませんでした）。"),
                    format!("Exercise after-care is billable for fractures and dislocations after the first 15 days, at most 5 a month (2 in a half month); not billed on {en_dates}."),
                ),
                "metal_splint_not_billable" => (
                    format!("金属副子等加算は当日施術した骨折・不全骨折・脱臼の部位だけです（{ja_dates}は算定しませんでした）。"),
                    format!("The metal splint addition applies to a fracture or dislocation treated that day only; not billed on {en_dates}."),
                ),
                "metal_splint_limit" => (
                    format!("{name}: 金属副子等加算は1部位3回（交換2回）までです（{ja_dates}は算定しませんでした）。"),
                    format!("{name}: the metal splint addition is limited to 3 per part (2 changes); not billed on {en_dates}."),
                ),
                "first_visit_addon_not_first" => (
                    format!("初検の時間外・休日・深夜加算は初検の日だけです（{ja_dates}は算定しませんでした）。"),
                    format!("The out-of-hours, holiday or late-night addition is for the first visit only; not billed on {en_dates}."),
                ),
                "outreach_addon_without_outreach" => (
                    format!("往療の夜間・難路・暴風雨雪加算は往療の日だけです（{ja_dates}は算定しませんでした）。"),
                    format!("The night, difficult-road or storm addition needs a house call; not billed on {en_dates}."),
                ),
                "contracture_not_billable" => (
                    format!("{name}: 拘縮2関節以上の後療料は骨折・不全骨折で医師の後療依頼（同意）がある場合だけです（{ja_dates}は通常の後療料で算定しました）。"),
                    format!("{name}: the contracture after-care rate needs a fracture and a doctor's request; the normal rate was billed on {en_dates}."),
                ),
                other => (
                    format!("{other}: {ja_dates}"),
                    format!("{other}: {en_dates}"),
                ),
            };
            let f = if code == "duplicate_part" {
                Finding::error(code, field, ja, en)
            } else {
                Finding::warning(code, field, ja, en)
            };
            out.push(f);
        }
        out
    }
}

/// Computes the lines of `month`. `history` is every valid visit of the case, sorted by
/// date without duplicates.
pub(crate) fn month_lines(
    case: &JudoCase,
    clinic: &Clinic,
    history: &[&Visit],
    month: ClaimMonth,
    tariffs: &TariffSet,
    findings: &mut Vec<Finding>,
) -> Result<JudoMonth, ClaimError> {
    let hist = InjuryHistory::of(case, history);
    if !first_visit_entered(case, history)
        && history
            .first()
            .is_some_and(|v| ClaimMonth::of(v.date) == month)
    {
        findings.push(first_visit_not_entered(case));
    }
    let first_visits = first_visit_days(case, &hist);
    let after_care_checks = recheck_days(case, &hist, history, &first_visits);
    let frequent: Vec<bool> = (0..case.injuries.len())
        .map(|i| {
            hist.first_day[i].is_some_and(|f| is_long_term_frequent(f, month, &hist.per_month[i]))
        })
        .collect();

    let mut out = JudoMonth {
        lines: Lines::new(),
        long_term: false,
        long_term_frequent: false,
    };
    let mut skipped = Skipped::default();
    let mut addon_done = false;
    // 金属副子等加算 is counted over the whole case (初回 + 交換 2回), so earlier months count.
    let mut splints = vec![0u32; case.injuries.len()];
    for v in history.iter().filter(|v| ClaimMonth::of(v.date) < month) {
        let open = treated(case, v);
        for i in &splinted(v) {
            if open.iter().any(|p| p.injury == *i) && splint_kind(case, *i) {
                if let Some(n) = splints.get_mut(*i) {
                    *n += 1;
                }
            }
        }
    }
    let month_visits: Vec<&Visit> = history
        .iter()
        .copied()
        .filter(|v| ClaimMonth::of(v.date) == month)
        .collect();
    let mut exercise = Exercise::new(case, &hist, &month_visits, month);
    for v in &month_visits {
        let (parts, repeats) = treated_with_repeats(case, v);
        for i in repeats {
            skipped.add("duplicate_part", Some(i), v.date);
        }
        // Before the 初検 or after every 転帰 nothing is billable (checks report why).
        if parts.is_empty() {
            continue;
        }
        let t = tariffs
            .on(Schedule::Judo, v.date)
            .ok_or(ClaimError::NoTariff { date: v.date })?;
        let lines = &mut out.lines;
        if first_visits.contains(&v.date) {
            lines.add(v.date, t, "shoken", 1, None, Rates::default())?;
            if let Some(a) = v.first_visit_addon {
                lines.add(
                    v.date,
                    t,
                    first_visit_addon_code(a),
                    1,
                    None,
                    Rates::default(),
                )?;
            }
            if case.consult_support && v.date == case.first_visit_date {
                lines.add(v.date, t, "shoken_consult", 1, None, Rates::default())?;
            }
        } else {
            if v.first_visit_addon.is_some() {
                skipped.add("first_visit_addon_not_first", None, v.date);
            }
            if after_care_checks.contains(&v.date) {
                lines.add(v.date, t, "saiken", 1, None, Rates::default())?;
            }
        }

        for (rank, p) in ranked(parts).into_iter().enumerate() {
            let Some(inj) = case.injuries.get(p.injury) else {
                continue;
            };
            let first = hist.first_day.get(p.injury).copied().flatten();
            let first_day = first == Some(v.date);
            // "4部位目以降の後療料等は3部位までの料金に含まれ算定不可 (初回の施療料は算定可)".
            if rank >= 3 && !first_day {
                continue;
            }
            let multi_part = if rank == 2 {
                Some(item(t, "rate_third_part")?)
            } else {
                None
            };
            let long = first.is_some_and(|f| is_long_term(f, v.date)) && !inj.kind.is_fracture();
            let long_rate = if long {
                out.long_term = true;
                let freq = frequent.get(p.injury).copied().unwrap_or(false)
                    && t.item("rate_long_term_frequent").is_some();
                if freq {
                    out.long_term_frequent = true;
                    Some(item(t, "rate_long_term_frequent")?)
                } else {
                    Some(item(t, "rate_long_term")?)
                }
            } else {
                None
            };
            // 逓減 applies to 後療料・温罨法料・冷罨法料・電療料, never to 整復料・固定料・施療料.
            let rates = Rates {
                multi_part,
                long_term: long_rate,
            };
            if first_day {
                first_fee(case, inj, p.injury, v.date, t, lines, findings)?;
            } else {
                let code = after_fee_code(inj);
                if inj.contracture && (!inj.kind.is_fracture() || case.doctor_consent.is_none()) {
                    skipped.add("contracture_not_billable", Some(p.injury), v.date);
                    let mut plain = inj.clone();
                    plain.contracture = false;
                    lines.add(v.date, t, after_fee_code(&plain), 1, Some(p.injury), rates)?;
                } else {
                    lines.add(v.date, t, code, 1, Some(p.injury), rates)?;
                }
            }
            if rank >= 3 {
                continue;
            }
            let injury_first = first.unwrap_or(v.date);
            if p.cold {
                if cold_allowed(inj.kind, inj.injury_date, injury_first, v.date) {
                    lines.add(v.date, t, "cold", 1, Some(p.injury), rates)?;
                } else {
                    skipped.add("cold_not_billable", Some(p.injury), v.date);
                }
            }
            for (wanted, code) in [(p.warm, "warm"), (p.electro, "electro")] {
                if !wanted {
                    continue;
                }
                if first_day {
                    skipped.add("warm_not_on_first_day", Some(p.injury), v.date);
                } else if warm_excluded(inj.kind, inj.injury_date, v.date) {
                    skipped.add("warm_excluded_period", Some(p.injury), v.date);
                } else {
                    lines.add(v.date, t, code, 1, Some(p.injury), rates)?;
                }
            }
        }

        extras(case, v, t, lines, &mut splints, &mut exercise, &mut skipped)?;
        outreach(v, t, lines, &mut skipped, findings)?;
        // "明細書発行体制加算 (月1回)".
        if clinic.statement_system && !addon_done {
            addon_done = true;
            lines.add(v.date, t, "statement_addon", 1, None, Rates::default())?;
        }
    }
    findings.extend(skipped.findings(case));
    Ok(out)
}

/// The days a 初検料 is billed: the case's 初検日, and the first day of a 負傷 that arrives
/// when every 負傷 treated before it has ended (留意事項通知 第2 初検料: "患者の負傷が治癒した
/// 後、同一月内に新たに発生した負傷に対し施術を行った場合の初検料は算定できる"; a 負傷 arising
/// while another is still treated shares the first 初検料).
pub(crate) fn first_visit_days(case: &JudoCase, hist: &InjuryHistory) -> Vec<Date> {
    let mut days = vec![case.first_visit_date];
    let mut firsts: Vec<Date> = hist.first_day.iter().flatten().copied().collect();
    firsts.sort();
    firsts.dedup();
    for d in firsts.into_iter().filter(|d| *d > case.first_visit_date) {
        let all_ended = case
            .injuries
            .iter()
            .zip(&hist.first_day)
            .filter(|(_, f)| f.is_some_and(|f| f < d))
            .all(|(inj, _)| inj.outcome.as_ref().is_some_and(|o| o.date < d));
        if all_ended {
            days.push(d);
        }
    }
    days
}

/// 再検料: "初検料を算定する初検の日後最初の後療の日のみ" — the first later visit after each 初検
/// where a 部位 has its 後療 (is treated after its own first day). A day that only gives a
/// 負傷 arising during treatment its 初回の施療 is not a 後療 day.
fn recheck_days(
    case: &JudoCase,
    hist: &InjuryHistory,
    history: &[&Visit],
    first_visits: &[Date],
) -> Vec<Date> {
    let after_care_days: Vec<Date> = history
        .iter()
        .filter(|v| {
            treated(case, v)
                .iter()
                .any(|p| hist.first_day.get(p.injury).copied().flatten() != Some(v.date))
        })
        .map(|v| v.date)
        .collect();
    // A 初検 whose visit is not entered (the case's 初検日, see `InjuryHistory::of`) had its
    // first 後療 before the visits entered, as far as anyone can tell here: no 再検料.
    first_visits
        .iter()
        .filter(|f| history.iter().any(|v| v.date == **f))
        .filter_map(|f| {
            let next_first = first_visits.iter().filter(|x| *x > f).min();
            after_care_days
                .iter()
                .copied()
                .find(|d| d > f && next_first.is_none_or(|n| d < n))
        })
        .collect()
}

/// Said on the month of the first visit entered, when the 初検日's own visit is not.
fn first_visit_not_entered(case: &JudoCase) -> Finding {
    let day = std::collections::BTreeSet::from([case.first_visit_date]);
    let (ja, en) = super::checks::date_lists(&day);
    Finding::warning(
        "first_visit_not_entered",
        "case.first_visit_date",
        format!("初検日（{ja}）の来院が入力されていません。初検料・施療料（整復料・固定料）・再検料は、初検日の来院を入力したときだけ請求に入ります。入力した日はすべて後療として計算しました（初検日の月に請求済みなら、このままで正しい金額です）。"),
        format!("No visit is entered on the first-visit day ({en}). The first-visit fee, the first treatment fee and the re-examination fee are claimed only with that day's visit entered; every entered day was computed as after-care (right as it is if the first-visit month was already claimed)."),
    )
}

fn first_visit_addon_code(a: FirstVisitAddon) -> &'static str {
    match a {
        FirstVisitAddon::OutOfHours => "shoken_addon_out_of_hours",
        FirstVisitAddon::Holiday => "shoken_addon_holiday",
        FirstVisitAddon::LateNight => "shoken_addon_late_night",
    }
}

/// 多部位逓減 counts the 部位 in the order of the 負傷 on the form ((1), (2), (3) …): the
/// 3rd treated that day is at 60/100, the 4th and later are included. No clause ranks them
/// by price (docs/claims.md); a 部位 whose treatment ended moves the others up.
fn ranked(mut parts: Vec<Treated>) -> Vec<Treated> {
    parts.sort_by_key(|p| p.injury);
    parts
}

/// The 整復料, 固定料 or 施療料 of a 負傷 on the day it is first treated.
fn first_fee(
    case: &JudoCase,
    inj: &Injury,
    index: usize,
    date: Date,
    t: &Tariff,
    lines: &mut Lines,
    findings: &mut Vec<Finding>,
) -> Result<(), ClaimError> {
    let _ = case;
    if let Some(yen) = inj.manual_first_fee_yen {
        let label = match inj.kind {
            InjuryKind::IncompleteFracture => "固定料（手入力）",
            InjuryKind::Contusion | InjuryKind::Sprain | InjuryKind::Strain => "施療料（手入力）",
            _ => "整復料（手入力）",
        };
        lines.add_manual(date, t, label.to_string(), yen, index);
        return Ok(());
    }
    match first_fee_code(inj) {
        Some(code) => lines.add(date, t, code, 1, Some(index), Rates::default()),
        None => {
            let (what_ja, what_en) = match inj.kind {
                InjuryKind::Dislocation => ("関節", "joint"),
                _ => ("骨", "bone"),
            };
            findings.push(Finding::error(
                "manual_fee_missing",
                format!("case.injuries[{index}]"),
                format!(
                    "{}の整復料・固定料の行が決まりません。{what_ja}を選ぶか、料金表にない場合は金額を入力してください。",
                    inj.name_ja()
                ),
                format!(
                    "{}: no 整復料/固定料 row; choose the {what_en}, or type the amount when the table has none.",
                    inj.name_ja()
                ),
            ));
            Ok(())
        }
    }
}

/// 往療料: 片道4km超 is its own amount; "夜間、難路又は暴風雨時若しくは暴風雪時の往療" adds
/// 100/100 of the 往療料 billed. A distance that cannot be right is refused, never billed.
fn outreach(
    v: &Visit,
    t: &Tariff,
    lines: &mut Lines,
    skipped: &mut Skipped,
    findings: &mut Vec<Finding>,
) -> Result<(), ClaimError> {
    let km = match &v.mode {
        VisitMode::Clinic => {
            if v.outreach_addon.is_some() {
                skipped.add("outreach_addon_without_outreach", None, v.date);
            }
            return Ok(());
        }
        VisitMode::Home { distance_km, .. } => *distance_km,
        VisitMode::Call { distance_km } => Some(*distance_km),
    };
    let Some(km) = km else {
        findings.push(super::checks::distance_missing(v.date));
        return Ok(());
    };
    if let Some(f) = super::checks::distance_refused(v.date, km) {
        findings.push(f);
        return Ok(());
    }
    let code = if km > 4.0 { "ouryo_over4km" } else { "ouryo" };
    lines.add(v.date, t, code, 1, None, Rates::default())?;
    if let Some(a) = v.outreach_addon {
        let base = item(t, code)?;
        let rate = item(t, "rate_ouryo_addon")?;
        let yen = super::rounding::reduced(base.value, &[rate.value], t.rounding.reduced_unit.mode);
        lines.add_derived(
            v.date,
            t,
            outreach_addon_code(a),
            format!("往療料加算（{}）", a.label_ja()),
            yen,
            base.verified && rate.verified,
        );
    }
    if km > 16.0 {
        findings.push(super::checks::over_16km(v.date));
    }
    Ok(())
}

fn outreach_addon_code(a: OutreachAddon) -> &'static str {
    match a {
        OutreachAddon::Night => "ouryo_addon_night",
        OutreachAddon::DifficultRoad => "ouryo_addon_difficult_road",
        OutreachAddon::Storm => "ouryo_addon_storm",
    }
}

/// The 部位 given a 金属副子等加算 on a visit, each once: "one addition per 損傷部位
/// regardless of size/number", so a 部位 listed twice (an imported file) is one 加算.
fn splinted(v: &Visit) -> Vec<usize> {
    let mut parts = v.metal_splint.clone();
    parts.sort_unstable();
    parts.dedup();
    parts
}

fn splint_kind(case: &JudoCase, injury: usize) -> bool {
    case.injuries.get(injury).is_some_and(|i| {
        matches!(
            i.kind,
            InjuryKind::Fracture | InjuryKind::IncompleteFracture | InjuryKind::Dislocation
        )
    })
}

/// 柔道整復運動後療料: "骨折・不全骨折・脱臼 … 負傷日から15日間を除き … 1週間に1回程度、1月(暦月)
/// に5回を限度"; "当該負傷の日が月の15日以前の場合及び前月から施術を継続しているもので、当該月の
/// 16日以降に後療が行われない場合には、当該月について2回を限度" (疑義解釈 H30.8.9).
struct Exercise {
    cap: u32,
    used: u32,
    /// Each 負傷's first day of treatment: that day is its 整復・固定・施療, not a 後療.
    first_day: Vec<Option<Date>>,
}

impl Exercise {
    fn new(
        case: &JudoCase,
        hist: &InjuryHistory,
        visits: &[&Visit],
        month: ClaimMonth,
    ) -> Exercise {
        // Only a 負傷 treated this month can be "当該負傷": one that ended in an earlier month
        // (a fracture cured before a new 脱臼) says nothing about this month's cap.
        let treated_now = |i: usize| {
            visits
                .iter()
                .any(|v| treated(case, v).iter().any(|p| p.injury == i))
        };
        let eligible: Vec<usize> = (0..case.injuries.len())
            .filter(|i| splint_kind(case, *i) && treated_now(*i))
            .collect();
        let half_month = eligible.iter().any(|i| {
            let Some(inj) = case.injuries.get(*i) else {
                return false;
            };
            let injured_early_this_month =
                ClaimMonth::of(inj.injury_date) == month && inj.injury_date.day() <= 15;
            let continued = hist.first_day[*i].is_some_and(|f| ClaimMonth::of(f) < month);
            let late_after_care = visits.iter().any(|v| {
                v.date.day() >= 16
                    && hist.first_day[*i] != Some(v.date)
                    && treated(case, v).iter().any(|p| p.injury == *i)
            });
            injured_early_this_month || (continued && !late_after_care)
        });
        Exercise {
            cap: if half_month { 2 } else { 5 },
            used: 0,
            first_day: hist.first_day.clone(),
        }
    }

    /// Whether the visit may bill it: a 骨折・不全骨折・脱臼 treated that day as 後療 (it is "後療
    /// 料の加算", so never on the 負傷's first day — its 整復料・固定料 — even for one arising
    /// during treatment), from the 16th day after its injury, within the month's cap.
    fn allow(&mut self, case: &JudoCase, v: &Visit, open: &[Treated]) -> bool {
        let ok = open.iter().any(|p| {
            let after_care = self
                .first_day
                .get(p.injury)
                .copied()
                .flatten()
                .is_some_and(|f| f < v.date);
            case.injuries.get(p.injury).is_some_and(|inj| {
                splint_kind(case, p.injury)
                    && after_care
                    && v.date >= inj.injury_date.add_days(15)
                    && v.date > case.first_visit_date
            })
        });
        if ok && self.used < self.cap {
            self.used += 1;
            true
        } else {
            false
        }
    }
}

/// 金属副子等加算: "one addition per 損傷部位 regardless of size/number", 初回 plus
/// "2回目・3回目 (交換)" — at most 3 per 部位 over the case. 施術情報提供料: when a 紹介 is
/// written.
fn extras(
    case: &JudoCase,
    v: &Visit,
    t: &Tariff,
    lines: &mut Lines,
    splints: &mut [u32],
    exercise: &mut Exercise,
    skipped: &mut Skipped,
) -> Result<(), ClaimError> {
    let open = treated(case, v);
    for i in &splinted(v) {
        let treated_now = open.iter().any(|p| p.injury == *i);
        let Some(n) = splints
            .get_mut(*i)
            .filter(|_| treated_now && splint_kind(case, *i))
        else {
            skipped.add("metal_splint_not_billable", None, v.date);
            continue;
        };
        if *n >= 3 {
            skipped.add("metal_splint_limit", Some(*i), v.date);
            continue;
        }
        *n += 1;
        lines.add(v.date, t, "metal_splint", 1, Some(*i), Rates::default())?;
    }
    if v.exercise_aftercare {
        if exercise.allow(case, v, &open) {
            lines.add(v.date, t, "exercise_aftercare", 1, None, Rates::default())?;
        } else {
            skipped.add("exercise_aftercare_not_billable", None, v.date);
        }
    }
    if v.info_provision {
        lines.add(v.date, t, "info_provision", 1, None, Rates::default())?;
    }
    Ok(())
}
