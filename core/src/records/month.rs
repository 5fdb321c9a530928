//! From the book to the month's claims: one claim input per case with visits in the month
//! (frozen inputs once the month is closed), computed by the claim engine, and the exports
//! for the 請求代行団体.

use super::{Book, FigureChange, Figures, RecordError};
use crate::claims::forms::{self, FormModel, SummaryForm};
use crate::claims::{self, ClaimError, ClaimInput, ClaimMonth, MonthlyClaim, Severity};
use crate::date::Date;
use serde::Serialize;
use std::collections::HashMap;

/// One case's claim for the month.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseClaim {
    pub case_id: String,
    pub patient_id: String,
    pub patient_name: String,
    pub input: Result<ClaimInput, RecordError>,
    /// The engine's claim, or why none could be computed (Japanese).
    pub claim: Result<MonthlyClaim, String>,
    /// The patient has no eligibility check on record (typed in by hand): a warning.
    pub unchecked: bool,
}

impl CaseClaim {
    /// Errors block closing the month and printing as final.
    pub fn blocking(&self) -> bool {
        match &self.claim {
            Ok(c) => c.has_errors(),
            Err(_) => true,
        }
    }

    pub fn form(&self) -> Option<FormModel> {
        match (&self.input, &self.claim) {
            (Ok(i), Ok(c)) => Some(forms::claim_form(i, c)),
            _ => None,
        }
    }

    /// Every problem as text: the engine's findings, or the reason nothing was computed.
    pub fn problems(&self) -> Vec<(Severity, String)> {
        let mut out: Vec<(Severity, String)> = match &self.claim {
            Ok(c) => c
                .findings
                .iter()
                .map(|f| (f.severity, f.message_ja.clone()))
                .collect(),
            Err(e) => vec![(Severity::Error, e.clone())],
        };
        if self.unchecked {
            out.push((Severity::Warning, super::UNCHECKED_WARNING_JA.to_string()));
        }
        out
    }
}

/// The claims whose money differs between `filed` (a closed month's claims) and `now`
/// (recomputed after reopening). `kept`: the filed figures were frozen at closing; without
/// them (a month closed before Ukemi kept them) every filed side is unknown.
pub fn figure_changes(filed: &[CaseClaim], now: &[CaseClaim], kept: bool) -> Vec<FigureChange> {
    let figures = |c: &CaseClaim| c.claim.as_ref().ok().map(Figures::of);
    let mut ids: Vec<(&str, &str)> = filed
        .iter()
        .chain(now)
        .map(|c| (c.case_id.as_str(), c.patient_name.as_str()))
        .collect();
    ids.sort();
    ids.dedup_by(|a, b| a.0 == b.0);
    ids.into_iter()
        .filter_map(|(id, name)| {
            let before = filed
                .iter()
                .find(|c| c.case_id == id)
                .and_then(figures)
                .filter(|_| kept);
            let after = now.iter().find(|c| c.case_id == id).and_then(figures);
            (before != after).then(|| FigureChange {
                case_id: id.to_string(),
                patient_name: name.to_string(),
                filed: before,
                now: after,
            })
        })
        .collect()
}

fn month_end(m: ClaimMonth) -> Option<Date> {
    Date::new(m.year, m.month, crate::date::days_in_month(m.year, m.month)).ok()
}

impl Book {
    /// The engine's input for one case and month: the clinic, the patient, the insurance in
    /// force that month, and the case's visits up to the month's end (earlier months feed
    /// 長期・頻回・再検).
    pub fn claim_input(&self, case_id: &str, month: ClaimMonth) -> Result<ClaimInput, RecordError> {
        let c = self.case(case_id).ok_or_else(|| RecordError::UnknownCase {
            id: case_id.to_string(),
        })?;
        let p = self
            .patient(&c.patient_id)
            .ok_or_else(|| RecordError::UnknownPatient {
                id: c.patient_id.clone(),
            })?;
        let end = month_end(month);
        let sex = p.sex.ok_or_else(|| RecordError::SexUnknown {
            patient: p.name.clone(),
        })?;
        let insurance = end
            .and_then(|d| p.insurance_on(d))
            .ok_or_else(|| RecordError::NoInsurance {
                patient: p.name.clone(),
            })?
            .insurance
            .clone();
        Ok(ClaimInput {
            clinic: self.settings.clinic.clone(),
            practitioners: self.settings.practitioners.clone(),
            patient: claims::Patient {
                name: p.name.clone(),
                name_kana: p.name_kana.clone(),
                birth_date: p.birth_date,
                sex,
                relationship: None,
            },
            insurance,
            public_funds: p.public_funds.clone(),
            case: c.case.clone(),
            visits: c
                .visits
                .iter()
                .filter(|v| end.is_none_or(|e| v.date <= e))
                .cloned()
                .collect(),
            month: Some(month),
        })
    }

    /// Every claim of the month, in patient-name order: the frozen inputs of a closed month,
    /// else one per case with a visit in it.
    pub fn month_claims(&self, month: ClaimMonth) -> Vec<CaseClaim> {
        self.month_claims_by(month, &mut |_, input| claims::compute(input))
    }

    /// `month_claims`, computing only the cases whose engine input changed since `memo`
    /// last saw them: what a screen re-rendered as the clinic types asks for.
    pub fn month_claims_memo(&self, month: ClaimMonth, memo: &mut ClaimMemo) -> Vec<CaseClaim> {
        self.month_claims_by(month, &mut |case_id, input| memo.compute(case_id, input))
    }

    fn month_claims_by(&self, month: ClaimMonth, engine: &mut Engine<'_>) -> Vec<CaseClaim> {
        let mut out: Vec<CaseClaim> = match self.month(month).filter(|r| r.closed_at.is_some()) {
            Some(closed) => closed
                .snapshot
                .iter()
                .map(|(case_id, input)| {
                    let patient_id = self
                        .case(case_id)
                        .map(|c| c.patient_id.clone())
                        .unwrap_or_default();
                    // What was filed, when it was kept; else the inputs computed anew.
                    match closed.frozen.iter().find(|(id, _)| id == case_id) {
                        Some((_, claim)) => CaseClaim {
                            case_id: case_id.clone(),
                            patient_id,
                            patient_name: input.patient.name.clone(),
                            input: Ok(input.clone()),
                            claim: Ok(claim.clone()),
                            unchecked: false,
                        },
                        None => computed_by(
                            case_id,
                            &patient_id,
                            &input.patient.name,
                            Ok(input.clone()),
                            engine,
                        ),
                    }
                })
                .collect(),
            None => self
                .cases
                .iter()
                .filter(|c| c.visits.iter().any(|v| ClaimMonth::of(v.date) == month))
                .map(|c| {
                    let name = self
                        .patient(&c.patient_id)
                        .map(|p| p.name.clone())
                        .unwrap_or_default();
                    computed_by(
                        &c.id,
                        &c.patient_id,
                        &name,
                        self.claim_input(&c.id, month),
                        engine,
                    )
                })
                .collect(),
        };
        for c in &mut out {
            c.unchecked = self
                .patient(&c.patient_id)
                .is_some_and(|p| p.checks.is_empty());
        }
        out.sort_by(|a, b| (&a.patient_name, &a.case_id).cmp(&(&b.patient_name, &b.case_id)));
        out
    }

    /// The 総括票 of the batch sent with `month`'s claims: every computed claim of the month
    /// and the 再請求 going out with it, all counted under `month` (月遅れ・再提出分 are
    /// bundled into the current month: docs/claims.md "Forms").
    pub fn month_summaries(&self, month: ClaimMonth) -> Vec<SummaryForm> {
        let claims: Vec<MonthlyClaim> = self
            .month_claims(month)
            .into_iter()
            .chain(self.resubmitted_claims(month))
            .filter_map(|c| c.claim.ok())
            .collect();
        forms::batch_summaries(month, &claims)
    }

    /// Months that have visits or a closing record, newest first.
    pub fn months_with_work(&self) -> Vec<ClaimMonth> {
        let mut ms: Vec<ClaimMonth> = self
            .cases
            .iter()
            .flat_map(|c| c.visits.iter().map(|v| ClaimMonth::of(v.date)))
            .chain(self.months.iter().map(|m| m.month))
            .collect();
        ms.sort();
        ms.dedup();
        ms.reverse();
        ms
    }
}

pub(super) fn computed(
    case_id: &str,
    patient_id: &str,
    name: &str,
    input: Result<ClaimInput, RecordError>,
) -> CaseClaim {
    computed_by(case_id, patient_id, name, input, &mut |_, i| {
        claims::compute(i)
    })
}

/// The claim engine as `month_claims` calls it: a case's id and its input.
type Engine<'a> = dyn FnMut(&str, &ClaimInput) -> Result<Vec<MonthlyClaim>, ClaimError> + 'a;

fn computed_by(
    case_id: &str,
    patient_id: &str,
    name: &str,
    input: Result<ClaimInput, RecordError>,
    engine: &mut Engine<'_>,
) -> CaseClaim {
    let claim = match &input {
        Ok(i) => engine(case_id, i)
            .map_err(|e| e.message_ja())
            .and_then(|mut v| {
                if v.is_empty() {
                    Err("申請書を作れませんでした。".to_string())
                } else {
                    Ok(v.remove(0))
                }
            }),
        Err(e) => Err(e.message_ja()),
    };
    CaseClaim {
        case_id: case_id.to_string(),
        patient_id: patient_id.to_string(),
        patient_name: name.to_string(),
        input,
        claim,
        unchecked: false,
    }
}

/// The claim engine's last answer per case and month, reused while the case's input is
/// unchanged. Inputs are compared whole (the clinic, the patient, the insurance, every
/// visit up to the month's end), so an edit anywhere in what a claim reads recomputes it,
/// and an edit elsewhere in the book does not. Pure data: the caller keeps it.
#[derive(Debug, Default)]
pub struct ClaimMemo {
    entries: HashMap<(String, Option<ClaimMonth>), MemoEntry>,
    computed: u64,
}

type MemoEntry = (ClaimInput, Result<Vec<MonthlyClaim>, ClaimError>);

impl ClaimMemo {
    /// Beyond this many (case, month) answers the memo starts again: a clinic's open months
    /// hold far fewer, so this only bounds a tab left open for years.
    const MAX_ENTRIES: usize = 20_000;

    /// The engine's claims for `input` (as `claims::compute`), computed only when this
    /// case's input for that month differs from the last one seen.
    pub fn compute(
        &mut self,
        case_id: &str,
        input: &ClaimInput,
    ) -> Result<Vec<MonthlyClaim>, ClaimError> {
        let key = (case_id.to_string(), input.month);
        if let Some((seen, answer)) = self.entries.get(&key) {
            if seen == input {
                return answer.clone();
            }
        }
        if self.entries.len() >= Self::MAX_ENTRIES {
            self.entries.clear();
        }
        let answer = claims::compute(input);
        self.computed += 1;
        self.entries.insert(key, (input.clone(), answer.clone()));
        answer
    }

    /// How many times the engine actually ran: what tests (and a curious developer) read.
    pub fn computed(&self) -> u64 {
        self.computed
    }
}

/// A CSV cell: quoted when it holds a comma, quote or line break.
pub fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

const CSV_HEADER: &[&str] = &[
    "施術年月",
    "施術区分",
    "保険者番号",
    "記号",
    "番号",
    "枝番",
    "本人家族",
    "被保険者氏名",
    "被保険者住所",
    "患者氏名",
    "患者氏名カナ",
    "生年月日",
    "性別",
    "実日数",
    "施術日",
    "合計",
    "一部負担金",
    "請求金額",
    "公費負担者番号",
    "公費請求額",
    "窓口負担金",
    "エラー",
    "確認事項",
];

/// The month's claims as CSV for a 請求代行団体: UTF-8 with a BOM (Excel opens it as
/// UTF-8), CRLF line ends, one row per claim, amounts in yen.
pub fn export_csv(claims: &[CaseClaim]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&CSV_HEADER.join(","));
    out.push_str("\r\n");
    for c in claims {
        let (Ok(i), Ok(m)) = (&c.input, &c.claim) else {
            let reason = c
                .problems()
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join(" ");
            let mut row = vec![String::new(); CSV_HEADER.len()];
            row[9] = csv_cell(&c.patient_name);
            row[CSV_HEADER.len() - 2] = "1".into();
            row[CSV_HEADER.len() - 1] = csv_cell(&reason);
            out.push_str(&row.join(","));
            out.push_str("\r\n");
            continue;
        };
        let findings: Vec<String> = m.findings.iter().map(|f| f.message_ja.clone()).collect();
        let row = [
            m.month.to_string(),
            m.discipline.label_ja().to_string(),
            csv_cell(&m.insurer_number),
            csv_cell(&i.insurance.symbol),
            csv_cell(&i.insurance.number),
            csv_cell(i.insurance.branch.as_deref().unwrap_or("")),
            i.insurance.person.label_ja().to_string(),
            csv_cell(&i.insurance.holder_name),
            csv_cell(&i.insurance.holder_address),
            csv_cell(&i.patient.name),
            csv_cell(&crate::text::to_fullwidth_kana(&i.patient.name_kana)),
            i.patient.birth_date.to_string(),
            match i.patient.sex {
                claims::PatientSex::Male => "男".into(),
                claims::PatientSex::Female => "女".into(),
            },
            m.visit_dates.len().to_string(),
            m.visit_dates
                .iter()
                .map(|d| d.day().to_string())
                .collect::<Vec<_>>()
                .join(" "),
            m.total_yen.to_string(),
            m.copay_yen.to_string(),
            m.billed_yen.to_string(),
            m.public
                .as_ref()
                .map(|p| p.payer_number.clone())
                .unwrap_or_default(),
            m.public
                .as_ref()
                .map_or(0, |p| p.public_billed_yen)
                .to_string(),
            m.window_yen.to_string(),
            if m.has_errors() { "1" } else { "0" }.to_string(),
            csv_cell(&findings.join(" ")),
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

#[derive(Serialize)]
struct JsonClaim<'a> {
    case_id: &'a str,
    input: &'a ClaimInput,
    claim: &'a MonthlyClaim,
    form: FormModel,
}

#[derive(Serialize)]
struct JsonExport<'a> {
    format: &'static str,
    month: ClaimMonth,
    closed: bool,
    claims: Vec<JsonClaim<'a>>,
    summaries: Vec<SummaryForm>,
    /// Claims that could not be computed, with the reason.
    not_computed: Vec<(&'a str, String)>,
    /// 返戻 recorded against this 施術年月's claims.
    returns: Vec<&'a super::ClaimReturn>,
    /// 再請求 going out with this month's batch (each keeps its own 施術年月).
    resubmitted: Vec<JsonResubmission<'a>>,
    /// 入金 matched per payer for this 施術年月.
    payments: Vec<super::payments::PayerMonth>,
}

#[derive(Serialize)]
struct JsonResubmission<'a> {
    return_id: &'a str,
    case_id: &'a str,
    input: &'a ClaimInput,
    claim: &'a MonthlyClaim,
    form: FormModel,
}

/// The month as JSON: each claim's input (the `claims compute` case format), the computed
/// claim, the form as data, and the 総括票.
pub fn export_json(book: &Book, month: ClaimMonth) -> String {
    let claims = book.month_claims(month);
    let doc = JsonExport {
        format: "ukemi-claims-month/1",
        month,
        closed: book.is_closed(month),
        claims: claims
            .iter()
            .filter_map(|c| match (&c.input, &c.claim) {
                (Ok(input), Ok(claim)) => Some(JsonClaim {
                    case_id: &c.case_id,
                    input,
                    claim,
                    form: forms::claim_form(input, claim),
                }),
                _ => None,
            })
            .collect(),
        summaries: book.month_summaries(month),
        not_computed: claims
            .iter()
            .filter_map(|c| match &c.claim {
                Err(e) => Some((c.patient_name.as_str(), e.clone())),
                Ok(_) => None,
            })
            .collect(),
        returns: book.returns.iter().filter(|r| r.month == month).collect(),
        resubmitted: book
            .resubmissions_in(month)
            .into_iter()
            .filter_map(|r| {
                let s = r.resubmitted.as_ref()?;
                Some(JsonResubmission {
                    return_id: &r.id,
                    case_id: &r.case_id,
                    input: &s.input,
                    claim: &s.claim,
                    form: forms::claim_form(&s.input, &s.claim),
                })
            })
            .collect(),
        payments: book
            .matching()
            .groups
            .into_iter()
            .filter(|g| g.month == month)
            .collect(),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// 入金照合 as CSV (UTF-8 with a BOM, CRLF): one row per payer and 施術年月 — 請求額, 入金額,
/// 未収, 過入金 — then one 合計 row per payer.
pub fn export_payments_csv(book: &Book) -> String {
    let m = book.matching();
    let mut out = String::from("\u{feff}支払者番号,施術年月,請求額,入金額,未収,過入金\r\n");
    for g in &m.groups {
        out.push_str(&format!(
            "{},{},{},{},{},{}\r\n",
            csv_cell(&g.payer),
            g.month,
            g.expected_yen,
            g.received_yen,
            g.outstanding_yen,
            g.over_yen
        ));
    }
    for t in &m.totals {
        out.push_str(&format!(
            "{},合計,{},{},{},\r\n",
            csv_cell(&t.payer),
            t.expected_yen,
            t.received_yen,
            t.outstanding_yen
        ));
    }
    out
}

/// The month's 日計 as CSV: one row per patient and day — 保険（一部負担金）, 自費, 請求,
/// 領収 (blank when not recorded), 未収.
pub fn export_ledger_csv(book: &Book, month: ClaimMonth) -> String {
    let mut out = String::from("\u{feff}日付,患者,保険,自費,請求,領収,未収\r\n");
    let Some(first) = month.first_day() else {
        return out;
    };
    // The month's claims once, for every day of it.
    let claims = book.month_claims(month);
    for n in 0..i64::from(crate::date::days_in_month(month.year, month.month)) {
        let day = first.add_days(n);
        for r in book.day_ledger_in(day, &claims).rows {
            out.push_str(&format!(
                "{},{},{},{},{},{},{}\r\n",
                day,
                csv_cell(&r.patient_name),
                r.insured_yen,
                r.self_pay_yen,
                r.due_yen,
                r.received_yen.map(|x| x.to_string()).unwrap_or_default(),
                r.unpaid_yen
            ));
        }
    }
    out
}
