//! The documents a clinic hands over or attaches, as data the page prints (docs/documents.md):
//! 明細書 (per visit or per month), 領収証, 日計表, and for あはき the 施術報告書, the
//! 1年以上・月16回以上 施術継続理由・状態記入書 and the 往療内訳表. Every amount comes from the
//! claim engine's `MonthlyClaim` (lines and the window per visit) or the window's takings;
//! nothing here computes money.

use super::ledger::DayLedger;
use super::Book;
use crate::claims::{consent, Case, ClaimLine, ClaimMonth, Discipline, MonthlyClaim, VisitMode};
use crate::date::Date;
use serde::{Deserialize, Serialize};

/// What the あはき documents say in words, kept with the case.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseNotes {
    /// 施術報告書: 患者の状態・経過.
    pub report_condition: String,
    /// 施術報告書: 今後の見通し・特記事項.
    pub report_outlook: String,
    /// 継続理由・状態記入書: why treatment goes on.
    pub continuation_reason: String,
    /// 継続理由・状態記入書: the patient's state (評価).
    pub continuation_state: String,
    /// 往療内訳表: 往療の起点 (blank = 施術所).
    pub outreach_origin: String,
    /// 往療内訳表: 施術した場所 (blank = 自宅).
    pub outreach_place: String,
}

impl CaseNotes {
    pub fn is_empty(&self) -> bool {
        *self == CaseNotes::default()
    }
}

/// Which sheet, and so which paper and layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    Statement,
    Receipt,
    DayLedger,
    TreatmentReport,
    Continuation,
    OutreachTable,
}

impl DocKind {
    pub fn css(self) -> &'static str {
        match self {
            DocKind::Statement => "doc-statement",
            DocKind::Receipt => "doc-receipt",
            DocKind::DayLedger => "doc-ledger",
            DocKind::TreatmentReport => "doc-report",
            DocKind::Continuation => "doc-continuation",
            DocKind::OutreachTable => "doc-outreach",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocField {
    pub label: String,
    pub value: String,
}

fn field(label: &str, value: impl Into<String>) -> DocField {
    DocField {
        label: label.to_string(),
        value: value.into(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocTable {
    pub caption: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub foot: Vec<Vec<String>>,
}

/// One printable document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: DocKind,
    pub title: String,
    /// The day or month it is for, in 和暦.
    pub subtitle: String,
    /// Who it is for (氏名, 生年月日, 保険…).
    pub fields: Vec<DocField>,
    pub tables: Vec<DocTable>,
    /// The amounts that matter, large.
    pub totals: Vec<DocField>,
    /// Paragraphs: the words typed for the case, the rule the document follows.
    pub texts: Vec<DocField>,
    pub notes: Vec<String>,
    /// 施術所 and 施術管理者.
    pub issuer: Vec<DocField>,
}

/// `1,234円`.
pub fn yen(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out.push('円');
    out
}

fn issuer(book: &Book) -> Vec<DocField> {
    let c = &book.settings.clinic;
    vec![
        field("施術所", &c.name),
        field("所在地", &c.address),
        field("施術管理者", &c.manager_name),
        field("登録記号番号", &c.registration_number),
    ]
}

/// A claim line as the patient reads it: the item, with its 部位 for 柔整.
fn item_label(case: &Case, l: &ClaimLine) -> String {
    match (case, l.injury) {
        (Case::Judo(j), Some(i)) => match j.injuries.get(i) {
            Some(inj) => format!("{}（{}）", l.label_ja, inj.name_ja()),
            None => l.label_ja.clone(),
        },
        _ => l.label_ja.clone(),
    }
}

fn rate(l: &ClaimLine) -> String {
    let mut parts = Vec::new();
    if l.multi_part_percent != 100 {
        parts.push(format!("多部位{}%", l.multi_part_percent));
    }
    if l.long_term_percent != 100 {
        parts.push(format!("長期{}%", l.long_term_percent));
    }
    parts.join("・")
}

fn line_rows(case: &Case, lines: &[&ClaimLine]) -> Vec<Vec<String>> {
    lines
        .iter()
        .map(|l| {
            vec![
                l.date.wareki(),
                item_label(case, l),
                yen(u64::from(l.unit_yen)),
                l.count.to_string(),
                rate(l),
                yen(u64::from(l.amount_yen)),
            ]
        })
        .collect()
}

fn discipline_fee(d: Discipline) -> &'static str {
    match d {
        Discipline::Judo => "柔道整復施術療養費",
        Discipline::Acupuncture => "はり・きゅう療養費",
        Discipline::Massage => "あん摩マッサージ療養費",
    }
}

/// The claim of `case_id` for `month` as the book has it (frozen when closed).
fn claim_of(book: &Book, case_id: &str, month: ClaimMonth) -> Option<(Case, MonthlyClaim)> {
    let c = book
        .month_claims(month)
        .into_iter()
        .find(|c| c.case_id == case_id)?;
    let case = c.input.ok()?.case;
    Some((case, c.claim.ok()?))
}

impl Book {
    fn patient_fields(&self, patient_id: &str) -> Vec<DocField> {
        let Some(p) = self.patient(patient_id) else {
            return Vec::new();
        };
        let mut out = vec![field("氏名", format!("{} 様", p.name))];
        if let Some(i) = p.insurance() {
            out.push(field(
                "保険",
                format!(
                    "{} {}（{}割負担）",
                    i.insurer_name,
                    i.insurance.insurer_number,
                    i.insurance.copay_percent / 10
                ),
            ));
        }
        out
    }

    /// 明細書: the items of one visit (`day`) or of the whole month, with the amount the
    /// patient pays at the window. `None` when the claim cannot be computed.
    pub fn statement(
        &self,
        case_id: &str,
        month: ClaimMonth,
        day: Option<Date>,
    ) -> Option<Document> {
        let rec = self.case(case_id)?;
        let (case, claim) = claim_of(self, case_id, month)?;
        let lines: Vec<&ClaimLine> = claim
            .lines
            .iter()
            .filter(|l| day.is_none_or(|d| l.date == d))
            .collect();
        let window: Vec<_> = claim
            .window
            .iter()
            .filter(|w| day.is_none_or(|d| w.date == d))
            .collect();
        if lines.is_empty() {
            return None;
        }
        let total: u64 = window.iter().map(|w| u64::from(w.total_yen)).sum();
        let pays: u64 = window.iter().map(|w| u64::from(w.pays_yen)).sum();
        let mut fields = self.patient_fields(&rec.patient_id);
        fields.push(field("施術", claim.discipline.label_ja()));
        let mut tables = vec![DocTable {
            caption: "保険施術の明細".into(),
            head: ["施術日", "項目", "単価", "回数", "逓減", "金額"]
                .map(String::from)
                .to_vec(),
            rows: line_rows(&case, &lines),
            foot: vec![vec![
                String::new(),
                "施術料金の合計".into(),
                String::new(),
                String::new(),
                String::new(),
                yen(total),
            ]],
        }];
        let mut self_pay_total = 0u64;
        let days: Vec<Date> = window.iter().map(|w| w.date).collect();
        let mut extra = Vec::new();
        for d in &days {
            if let Some(t) = self.takings(&rec.patient_id, *d) {
                for l in &t.self_pay {
                    self_pay_total += u64::from(l.amount_yen());
                    extra.push(vec![
                        d.wareki(),
                        l.name.clone(),
                        yen(u64::from(l.unit_yen)),
                        l.count.to_string(),
                        yen(u64::from(l.amount_yen())),
                    ]);
                }
            }
        }
        if !extra.is_empty() {
            tables.push(DocTable {
                caption: "保険外（自費）".into(),
                head: ["日", "品目", "単価", "数量", "金額"]
                    .map(String::from)
                    .to_vec(),
                rows: extra,
                foot: Vec::new(),
            });
        }
        let mut totals = vec![
            field("施術料金の合計", yen(total)),
            field("一部負担金（窓口でのお支払い）", yen(pays)),
        ];
        if self_pay_total > 0 {
            totals.push(field("保険外（自費）", yen(self_pay_total)));
            totals.push(field("お支払いの合計", yen(pays + self_pay_total)));
        }
        let notes = vec![match claim.discipline {
            Discipline::Judo => "一部負担金は10円未満を四捨五入しています（柔道整復の窓口の取扱い）。この明細書は無償で交付しています。".to_string(),
            _ => "一部負担金は1円未満を四捨五入しています。この明細書は無償で交付しています。".to_string(),
        }];
        Some(Document {
            kind: DocKind::Statement,
            title: "明細書".into(),
            subtitle: match day {
                Some(d) => format!("{}施術分", d.wareki()),
                None => format!("{}施術分", month.wareki()),
            },
            fields,
            tables,
            totals,
            texts: Vec::new(),
            notes,
            issuer: issuer(self),
        })
    }

    /// 領収証 of one patient's day: the insured part (the window amount) apart from 自費.
    pub fn receipt(&self, patient_id: &str, date: Date) -> Option<Document> {
        let row = self.ledger_row(patient_id, date);
        if row.visits.is_empty() && row.self_pay.is_empty() {
            return None;
        }
        let mut rows: Vec<Vec<String>> = row
            .visits
            .iter()
            .map(|v| {
                vec![
                    discipline_fee(v.discipline).to_string(),
                    yen(u64::from(v.total_yen)),
                    yen(u64::from(v.pays_yen)),
                ]
            })
            .collect();
        for l in &row.self_pay {
            rows.push(vec![
                format!("保険外：{}（{}）", l.name, l.count),
                String::new(),
                yen(u64::from(l.amount_yen())),
            ]);
        }
        let mut totals = vec![
            field("保険（一部負担金）", yen(u64::from(row.insured_yen))),
            field("保険外（自費）", yen(u64::from(row.self_pay_yen))),
            field(
                "領収金額",
                yen(u64::from(row.received_yen.unwrap_or(row.due_yen))),
            ),
        ];
        if row.received_yen.is_some_and(|r| r < row.due_yen) {
            totals.push(field("未収", yen(u64::from(row.unpaid_yen))));
        }
        Some(Document {
            kind: DocKind::Receipt,
            title: "領収証".into(),
            subtitle: format!("{}施術分", date.wareki()),
            fields: self.patient_fields(patient_id),
            tables: vec![DocTable {
                caption: "内訳".into(),
                head: ["区分", "施術料金", "お支払い"].map(String::from).to_vec(),
                rows,
                foot: Vec::new(),
            }],
            totals,
            texts: Vec::new(),
            notes: vec!["上記の金額を領収しました。この領収証は無償で交付しています。".into()],
            issuer: issuer(self),
        })
    }

    /// 日計表: every patient of the day, insured and 自費, received and 未収.
    pub fn day_ledger_document(&self, date: Date) -> Document {
        let l: DayLedger = self.day_ledger(date);
        let rows = l
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.patient_name.clone(),
                    r.visits
                        .iter()
                        .map(|v| v.discipline.label_ja())
                        .collect::<Vec<_>>()
                        .join("・"),
                    yen(u64::from(r.insured_yen)),
                    yen(u64::from(r.self_pay_yen)),
                    yen(u64::from(r.due_yen)),
                    r.received_yen
                        .map(|x| yen(u64::from(x)))
                        .unwrap_or_else(|| "未入力".into()),
                    yen(u64::from(r.unpaid_yen)),
                ]
            })
            .collect();
        Document {
            kind: DocKind::DayLedger,
            title: "日計表".into(),
            subtitle: date.wareki(),
            fields: vec![field("来院", format!("{}人", l.rows.len()))],
            tables: vec![DocTable {
                caption: "患者ごとの窓口会計".into(),
                head: [
                    "患者",
                    "施術",
                    "保険（一部負担金）",
                    "保険外",
                    "請求",
                    "領収",
                    "未収",
                ]
                .map(String::from)
                .to_vec(),
                rows,
                foot: vec![vec![
                    "合計".into(),
                    String::new(),
                    yen(l.insured_yen),
                    yen(l.self_pay_yen),
                    yen(l.due_yen),
                    yen(l.received_yen),
                    yen(l.unpaid_yen),
                ]],
            }],
            totals: vec![
                field("領収合計", yen(l.received_yen)),
                field("未収合計", yen(l.unpaid_yen)),
            ],
            texts: Vec::new(),
            notes: vec![
                "保険の金額は申請書と同じ計算（窓口の端数処理）による1回ごとの一部負担金です。"
                    .into(),
            ],
            issuer: issuer(self),
        }
    }

    fn ahaki_head(&self, case_id: &str) -> Option<(Vec<DocField>, &Case)> {
        let rec = self.case(case_id)?;
        let p = self.patient(&rec.patient_id)?;
        let mut fields = vec![
            field("患者氏名", &p.name),
            field("生年月日", p.birth_date.wareki()),
            field("住所", &p.address),
            field("施術", rec.case.discipline().label_ja()),
            field("初療日", rec.case.first_visit_date().wareki()),
        ];
        match &rec.case {
            Case::Acupuncture(a) => {
                let mut names: Vec<String> = a
                    .diseases
                    .iter()
                    .map(|d| d.label_ja().to_string())
                    .collect();
                if let Some(o) = &a.other_disease {
                    names.push(o.clone());
                }
                fields.push(field("傷病名", names.join("・")));
                fields.push(field("症状", &a.symptoms));
            }
            Case::Massage(m) => fields.push(field("症状", &m.symptoms)),
            Case::Judo(_) => return None,
        }
        if let Some(c) = rec.case.consents().last() {
            let p = consent::ConsentPeriod::of(c, rec.case.first_visit_date());
            fields.push(field(
                "同意",
                format!("{}（{} {}）", c.date.wareki(), c.clinic, c.doctor),
            ));
            fields.push(field("同意の期間", format!("{}まで", p.until.wareki())));
        }
        Some((fields, &rec.case))
    }

    /// Visits of the case per month over the six months up to `month`.
    fn visits_by_month(&self, case_id: &str, month: ClaimMonth) -> Vec<(ClaimMonth, usize)> {
        let Some(rec) = self.case(case_id) else {
            return Vec::new();
        };
        let mut m = month;
        let mut out = Vec::new();
        for _ in 0..6 {
            let n = rec
                .visits
                .iter()
                .filter(|v| ClaimMonth::of(v.date) == m)
                .count();
            out.push((m, n));
            m = m.previous();
        }
        out.reverse();
        out.into_iter().skip_while(|(_, n)| *n == 0).collect()
    }

    /// 施術報告書 (あはき): the case, the 同意, how often it was treated (月平均), and the
    /// practitioner's words, for the doctor before a 再同意.
    pub fn treatment_report(&self, case_id: &str, month: ClaimMonth) -> Option<Document> {
        let (fields, _) = self.ahaki_head(case_id)?;
        let rec = self.case(case_id)?;
        let counts = self.visits_by_month(case_id, month);
        let total: usize = counts.iter().map(|(_, n)| n).sum();
        let average = if counts.is_empty() {
            0.0
        } else {
            total as f64 / counts.len() as f64
        };
        Some(Document {
            kind: DocKind::TreatmentReport,
            title: "施術報告書".into(),
            subtitle: month.wareki(),
            fields,
            tables: vec![DocTable {
                caption: "施術の頻度".into(),
                head: vec!["月".into(), "施術回数".into()],
                rows: counts
                    .iter()
                    .map(|(m, n)| vec![m.wareki(), format!("{n}回")])
                    .collect(),
                foot: vec![vec!["月平均".into(), format!("{average:.1}回")]],
            }],
            totals: Vec::new(),
            texts: vec![
                field("患者の状態・経過", &rec.notes.report_condition),
                field("今後の見通し・特記事項", &rec.notes.report_outlook),
            ],
            notes: vec!["施術報告書交付料は、前5か月に交付料の支給がないとき、同意期間の最終月に算定します（変形徒手矯正術を除く）。".into()],
            issuer: issuer(self),
        })
    }

    /// Whether `month` needs the 1年以上・月16回以上 施術継続理由・状態記入書: a year or more
    /// since the 初療日 and 16 or more visits in the month.
    pub fn needs_continuation_form(&self, case_id: &str, month: ClaimMonth) -> bool {
        let Some(rec) = self.case(case_id) else {
            return false;
        };
        if matches!(rec.case, Case::Judo(_)) {
            return false;
        }
        let first = rec.case.first_visit_date();
        let Some(start) = month.first_day() else {
            return false;
        };
        let a_year = Date::new(first.year() + 1, first.month(), 1)
            .map(|d| d.add_days(i64::from(first.day()) - 1))
            .unwrap_or(first);
        let n = rec
            .visits
            .iter()
            .filter(|v| ClaimMonth::of(v.date) == month)
            .count();
        let last_day =
            start.add_days(i64::from(crate::date::days_in_month(month.year, month.month)) - 1);
        last_day >= a_year && n >= 16
    }

    /// 1年以上・月16回以上 施術継続理由・状態記入書.
    pub fn continuation_form(&self, case_id: &str, month: ClaimMonth) -> Option<Document> {
        let (fields, _) = self.ahaki_head(case_id)?;
        let rec = self.case(case_id)?;
        let counts = self.visits_by_month(case_id, month);
        Some(Document {
            kind: DocKind::Continuation,
            title: "1年以上・月16回以上 施術継続理由・状態記入書".into(),
            subtitle: format!("{}施術分", month.wareki()),
            fields,
            tables: vec![DocTable {
                caption: "施術回数".into(),
                head: vec!["月".into(), "施術回数".into()],
                rows: counts
                    .iter()
                    .map(|(m, n)| vec![m.wareki(), format!("{n}回")])
                    .collect(),
                foot: Vec::new(),
            }],
            totals: Vec::new(),
            texts: vec![
                field("施術の継続が必要な理由", &rec.notes.continuation_reason),
                field("患者の状態（評価）", &rec.notes.continuation_state),
            ],
            notes: vec!["初療から1年以上で、月16回以上施術した月の申請書に添付します（記入は原則としてその月に施術した施術者）。".into()],
            issuer: issuer(self),
        })
    }

    /// 往療内訳表: every house call of the month, with its distance and fee.
    pub fn outreach_table(&self, case_id: &str, month: ClaimMonth) -> Option<Document> {
        let (fields, _) = self.ahaki_head(case_id)?;
        let rec = self.case(case_id)?;
        let (_, claim) = claim_of(self, case_id, month)?;
        let origin = if rec.notes.outreach_origin.trim().is_empty() {
            "施術所".to_string()
        } else {
            rec.notes.outreach_origin.clone()
        };
        let place = if rec.notes.outreach_place.trim().is_empty() {
            "自宅".to_string()
        } else {
            rec.notes.outreach_place.clone()
        };
        let rows: Vec<Vec<String>> = rec
            .visits
            .iter()
            .filter(|v| ClaimMonth::of(v.date) == month)
            .filter_map(|v| {
                let (kind, people, km) = match &v.mode {
                    VisitMode::Clinic => return None,
                    VisitMode::Home {
                        people,
                        distance_km,
                    } => ("訪問施術", people.to_string(), *distance_km),
                    VisitMode::Call { distance_km } => {
                        ("往療", "1".to_string(), Some(*distance_km))
                    }
                };
                let fee: Vec<&ClaimLine> = claim
                    .lines
                    .iter()
                    .filter(|l| {
                        l.date == v.date
                            && (l.code.starts_with("ouryo")
                                || l.code.contains("_visit_")
                                || l.code == "special_area")
                    })
                    .collect();
                let label = fee
                    .iter()
                    .map(|l| l.label_ja.clone())
                    .collect::<Vec<_>>()
                    .join("・");
                let amount: u64 = fee.iter().map(|l| u64::from(l.amount_yen)).sum();
                Some(vec![
                    v.date.wareki(),
                    format!("{kind}（{label}）"),
                    origin.clone(),
                    place.clone(),
                    km.map(|k| format!("{k}km")).unwrap_or_default(),
                    people,
                    yen(amount),
                ])
            })
            .collect();
        if rows.is_empty() {
            return None;
        }
        Some(Document {
            kind: DocKind::OutreachTable,
            title: "往療内訳表".into(),
            subtitle: format!("{}施術分", month.wareki()),
            fields,
            tables: vec![DocTable {
                caption: "往療・訪問施術".into(),
                head: ["施術日", "区分", "往療の起点", "施術した場所", "距離（片道・直線）", "同一日同一建物の人数", "金額"]
                    .map(String::from)
                    .to_vec(),
                rows,
                foot: Vec::new(),
            }],
            totals: Vec::new(),
            texts: Vec::new(),
            notes: vec!["往療の起点は実際に患家へ出発した場所、距離は施術所と患家の直線距離です（取扱規程 様式第7号）。".into()],
            issuer: issuer(self),
        })
    }
}
