//! The claim input: one treatment case (one patient, one insurance, one 柔整 or あはき
//! case) with all its visits. Visits from earlier months are part of the input because
//! 長期逓減, 長期頻回 and 再検料 depend on the case's history, not only on the month billed.

use crate::date::Date;
use crate::eligibility::{InsuranceKind, PersonalFamily};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A calendar month, written `"YYYY-MM"` in JSON.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClaimMonth {
    pub year: i32,
    pub month: u8,
}

impl ClaimMonth {
    pub fn of(d: Date) -> ClaimMonth {
        ClaimMonth {
            year: d.year(),
            month: d.month(),
        }
    }
    pub fn parse(s: &str) -> Option<ClaimMonth> {
        let (y, m) = s.trim().split_once('-')?;
        let year: i32 = y.parse().ok()?;
        let month: u8 = m.parse().ok()?;
        if y.len() != 4 || m.len() != 2 || !(1..=12).contains(&month) {
            return None;
        }
        Some(ClaimMonth { year, month })
    }
    pub fn first_day(self) -> Option<Date> {
        Date::new(self.year, self.month, 1).ok()
    }
    /// The month before (January goes to December of the year before).
    pub fn previous(self) -> ClaimMonth {
        if self.month == 1 {
            ClaimMonth {
                year: self.year - 1,
                month: 12,
            }
        } else {
            ClaimMonth {
                year: self.year,
                month: self.month - 1,
            }
        }
    }
    /// The month after (December goes to January of the year after).
    pub fn next(self) -> ClaimMonth {
        if self.month == 12 {
            ClaimMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            ClaimMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
    /// `令和6年10月` for forms.
    pub fn wareki(self) -> String {
        match self.first_day() {
            Some(d) => {
                let e = d.era();
                format!("{}{}年{}月", e.name, e.year_label(), self.month)
            }
            None => self.to_string(),
        }
    }
}

impl fmt::Display for ClaimMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}
impl fmt::Debug for ClaimMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
impl Serialize for ClaimMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de> Deserialize<'de> for ClaimMonth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ClaimMonth, D::Error> {
        let s = String::deserialize(d)?;
        ClaimMonth::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("月は YYYY-MM で指定します: {s}")))
    }
}

/// One case file: the unit the CLI reads and the engine computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimInput {
    pub clinic: Clinic,
    #[serde(default)]
    pub practitioners: Vec<Practitioner>,
    pub patient: Patient,
    pub insurance: Insurance,
    #[serde(default)]
    pub public_funds: Vec<PublicFund>,
    pub case: Case,
    pub visits: Vec<Visit>,
    /// Compute only this month; absent = every month that has visits.
    #[serde(default)]
    pub month: Option<ClaimMonth>,
}

/// 施術所.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clinic {
    pub name: String,
    pub address: String,
    /// 都道府県番号 of the clinic's location (2 digits, 別表1).
    pub prefecture_code: String,
    /// 登録記号番号 (柔整: 契約/協定; あはき: 受領委任の登録記号番号).
    pub registration_number: String,
    /// 施術管理者.
    pub manager_name: String,
    /// The clinic has the 明細書発行体制 and claims the 加算 (柔整).
    #[serde(default)]
    pub statement_system: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Practitioner {
    pub name: String,
    #[serde(default)]
    pub registration_number: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatientSex {
    Male,
    Female,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patient {
    pub name: String,
    /// カナ as typed or as the eligibility service sent it; forms print it full-width.
    #[serde(default)]
    pub name_kana: String,
    pub birth_date: Date,
    pub sex: PatientSex,
    /// 続柄 (family members).
    #[serde(default)]
    pub relationship: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Insurance {
    pub insurer_number: String,
    #[serde(default)]
    pub symbol: String,
    pub number: String,
    #[serde(default)]
    pub branch: Option<String>,
    /// 被保険者氏名.
    pub holder_name: String,
    /// 被保険者の住所 — required on the form.
    #[serde(default)]
    pub holder_address: String,
    pub person: PersonalFamily,
    /// 負担割合 in percent: 0, 10, 20 or 30.
    pub copay_percent: u8,
    /// 高齢受給者.
    #[serde(default)]
    pub elderly_recipient: bool,
    /// Qualification period from the eligibility check.
    #[serde(default)]
    pub valid_from: Option<Date>,
    #[serde(default)]
    pub valid_until: Option<Date>,
}

impl Insurance {
    pub fn kind(&self) -> InsuranceKind {
        InsuranceKind::of(&self.insurer_number)
    }
}

/// 公費 (the 医療証: 公費負担者番号 and 受給者番号). The patient pays `copay_percent` of the
/// day's amount with the window's rounding, within the day and month caps; the 公費 pays the
/// rest of the 一部負担金. A second 公費 applies to what the first left (docs/claims.md, 公費).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicFund {
    pub payer_number: String,
    #[serde(default)]
    pub recipient_number: String,
    #[serde(default)]
    pub copay_percent: u8,
    #[serde(default)]
    pub monthly_cap_yen: Option<u32>,
    /// A cap per visit day (大阪府の福祉医療: 1日500円), when the program has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_day_cap_yen: Option<u32>,
    /// Days a month the patient pays at all (大阪府: 2日; the 3rd visit on is free).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_days_per_month: Option<u8>,
    /// The local 医療費助成 program the figures came from (`local_aid.json` id), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "discipline", rename_all = "snake_case")]
pub enum Case {
    /// 柔道整復.
    Judo(JudoCase),
    /// はり・きゅう.
    Acupuncture(AcupunctureCase),
    /// あん摩マッサージ.
    Massage(MassageCase),
}

impl Case {
    /// A new 施術録 of `discipline` first seen on `first_visit`: nothing yet typed — no
    /// 負傷/傷病, no 同意, no 転帰 (the engine's findings then say what a claim still needs).
    pub fn new(discipline: Discipline, first_visit: Date) -> Case {
        match discipline {
            Discipline::Judo => Case::Judo(JudoCase {
                first_visit_date: first_visit,
                injuries: Vec::new(),
                consult_support: false,
                long_term_reason: None,
                long_term_frequent_reason: None,
                doctor_consent: None,
            }),
            Discipline::Acupuncture => Case::Acupuncture(AcupunctureCase {
                first_visit_date: first_visit,
                diseases: Vec::new(),
                other_disease: None,
                symptoms: String::new(),
                consent: None,
                reconsents: Vec::new(),
                outcome: None,
            }),
            Discipline::Massage => Case::Massage(MassageCase {
                first_visit_date: first_visit,
                symptoms: String::new(),
                consent: None,
                reconsents: Vec::new(),
                outcome: None,
            }),
        }
    }

    /// The あはき 同意 and every 再同意, oldest first (none for 柔整).
    pub fn consents(&self) -> Vec<&Consent> {
        let (first, later) = match self {
            Case::Judo(_) => return Vec::new(),
            Case::Acupuncture(c) => (&c.consent, &c.reconsents),
            Case::Massage(c) => (&c.consent, &c.reconsents),
        };
        first.iter().chain(later.iter()).collect()
    }

    /// 初療日 (初検日).
    pub fn first_visit_date(&self) -> Date {
        match self {
            Case::Judo(c) => c.first_visit_date,
            Case::Acupuncture(c) => c.first_visit_date,
            Case::Massage(c) => c.first_visit_date,
        }
    }

    pub fn set_first_visit_date(&mut self, day: Date) {
        match self {
            Case::Judo(c) => c.first_visit_date = day,
            Case::Acupuncture(c) => c.first_visit_date = day,
            Case::Massage(c) => c.first_visit_date = day,
        }
    }

    pub fn discipline(&self) -> Discipline {
        match self {
            Case::Judo(_) => Discipline::Judo,
            Case::Acupuncture(_) => Discipline::Acupuncture,
            Case::Massage(_) => Discipline::Massage,
        }
    }
}

/// Which fee schedule applies; はり・きゅう and マッサージ share the あはき schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discipline {
    Judo,
    Acupuncture,
    Massage,
}

impl Discipline {
    pub const ALL: [Discipline; 3] = [
        Discipline::Judo,
        Discipline::Acupuncture,
        Discipline::Massage,
    ];

    /// The stored name (as serde writes it): `judo`, `acupuncture`, `massage`.
    pub fn code(self) -> &'static str {
        match self {
            Discipline::Judo => "judo",
            Discipline::Acupuncture => "acupuncture",
            Discipline::Massage => "massage",
        }
    }

    pub fn from_code(code: &str) -> Option<Discipline> {
        Discipline::ALL.into_iter().find(|d| d.code() == code)
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Discipline::Judo => "柔道整復",
            Discipline::Acupuncture => "はり・きゅう",
            Discipline::Massage => "あん摩マッサージ",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudoCase {
    /// 初検日.
    pub first_visit_date: Date,
    pub injuries: Vec<Injury>,
    /// 初検時相談支援料 claimed on the 初検日.
    #[serde(default)]
    pub consult_support: bool,
    /// 長期施術継続理由 (打撲・捻挫・挫傷 beyond 3 months).
    #[serde(default)]
    pub long_term_reason: Option<String>,
    /// 長期頻回理由.
    #[serde(default)]
    pub long_term_frequent_reason: Option<String>,
    /// 医師の同意 (骨折・脱臼 後療).
    #[serde(default)]
    pub doctor_consent: Option<DoctorConsent>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InjuryKind {
    /// 打撲
    Contusion,
    /// 捻挫
    Sprain,
    /// 挫傷
    Strain,
    /// 骨折
    Fracture,
    /// 不全骨折
    IncompleteFracture,
    /// 脱臼
    Dislocation,
}

impl InjuryKind {
    pub fn label_ja(self) -> &'static str {
        match self {
            InjuryKind::Contusion => "打撲",
            InjuryKind::Sprain => "捻挫",
            InjuryKind::Strain => "挫傷",
            InjuryKind::Fracture => "骨折",
            InjuryKind::IncompleteFracture => "不全骨折",
            InjuryKind::Dislocation => "脱臼",
        }
    }
    pub fn is_fracture(self) -> bool {
        matches!(self, InjuryKind::Fracture | InjuryKind::IncompleteFracture)
    }
    pub fn is_soft_tissue(self) -> bool {
        matches!(
            self,
            InjuryKind::Contusion | InjuryKind::Sprain | InjuryKind::Strain
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Left,
    Right,
    Both,
}

impl Side {
    pub fn label_ja(self) -> &'static str {
        match self {
            Side::Left => "左",
            Side::Right => "右",
            Side::Both => "両",
        }
    }
}

/// The older, coarse way to pick a fracture's 整復料 row (kept for existing files; prefer
/// [`Bone`], which also picks the 不全骨折 固定料 row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoneClass {
    /// 上腕骨・前腕骨・大腿骨・下腿骨.
    MajorLongBone,
    /// 鎖骨・肋骨・手根骨/足根骨/中手骨/中足骨/指骨.
    Minor,
}

/// The bone of a 骨折 or 不全骨折: picks the 整復料 (骨折) or 固定料 (不全骨折) row of the
/// 算定基準's table. A bone the table has no row for needs a typed amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bone {
    /// 鎖骨
    Clavicle,
    /// 胸骨
    Sternum,
    /// 肋骨
    Rib,
    /// 骨盤
    Pelvis,
    /// 上腕骨
    Humerus,
    /// 前腕骨
    Forearm,
    /// 大腿骨
    Femur,
    /// 下腿骨
    LowerLeg,
    /// 膝蓋骨
    Patella,
    /// 手根骨
    Carpal,
    /// 足根骨
    Tarsal,
    /// 中手骨
    Metacarpal,
    /// 中足骨
    Metatarsal,
    /// 指骨 (手・足)
    Phalanx,
}

impl Bone {
    pub const ALL: [Bone; 14] = [
        Bone::Clavicle,
        Bone::Sternum,
        Bone::Rib,
        Bone::Pelvis,
        Bone::Humerus,
        Bone::Forearm,
        Bone::Femur,
        Bone::LowerLeg,
        Bone::Patella,
        Bone::Carpal,
        Bone::Tarsal,
        Bone::Metacarpal,
        Bone::Metatarsal,
        Bone::Phalanx,
    ];
    pub fn label_ja(self) -> &'static str {
        match self {
            Bone::Clavicle => "鎖骨",
            Bone::Sternum => "胸骨",
            Bone::Rib => "肋骨",
            Bone::Pelvis => "骨盤",
            Bone::Humerus => "上腕骨",
            Bone::Forearm => "前腕骨",
            Bone::Femur => "大腿骨",
            Bone::LowerLeg => "下腿骨",
            Bone::Patella => "膝蓋骨",
            Bone::Carpal => "手根骨",
            Bone::Tarsal => "足根骨",
            Bone::Metacarpal => "中手骨",
            Bone::Metatarsal => "中足骨",
            Bone::Phalanx => "指骨",
        }
    }
}

/// The joint of a 脱臼: picks the 整復料 row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Joint {
    /// 顎関節
    Jaw,
    /// 肩関節
    Shoulder,
    /// 肘関節
    Elbow,
    /// 股関節
    Hip,
    /// 膝関節
    Knee,
    /// 手関節
    Wrist,
    /// 足関節
    Ankle,
    /// 指関節 (手・足)
    Finger,
}

impl Joint {
    pub const ALL: [Joint; 8] = [
        Joint::Jaw,
        Joint::Shoulder,
        Joint::Elbow,
        Joint::Hip,
        Joint::Knee,
        Joint::Wrist,
        Joint::Ankle,
        Joint::Finger,
    ];
    pub fn label_ja(self) -> &'static str {
        match self {
            Joint::Jaw => "顎関節",
            Joint::Shoulder => "肩関節",
            Joint::Elbow => "肘関節",
            Joint::Hip => "股関節",
            Joint::Knee => "膝関節",
            Joint::Wrist => "手関節",
            Joint::Ankle => "足関節",
            Joint::Finger => "指関節",
        }
    }
}

/// One 負傷 (部位 + 負傷名).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Injury {
    pub kind: InjuryKind,
    /// 部位, e.g. `足関節`.
    pub site: String,
    #[serde(default)]
    pub side: Option<Side>,
    /// 負傷日.
    pub injury_date: Date,
    /// 負傷の原因 ("どこで、どうして、どうなった").
    #[serde(default)]
    pub cause: Option<String>,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    #[serde(default)]
    pub bone_class: Option<BoneClass>,
    /// 骨折・不全骨折: the bone (the 整復料/固定料 row).
    #[serde(default)]
    pub bone: Option<Bone>,
    /// 脱臼: the joint (the 整復料 row).
    #[serde(default)]
    pub joint: Option<Joint>,
    /// 骨折・不全骨折: the doctor asked for the 後療 and the 拘縮 spans 2 or more joints
    /// (the higher 後療料 row).
    #[serde(default)]
    pub contracture: bool,
    /// 整復料/固定料 typed by the practitioner where the tariff has no amount.
    #[serde(default)]
    pub manual_first_fee_yen: Option<u32>,
}

impl Injury {
    /// A 負傷 with nothing optional filled in: the base for forms and tests.
    pub fn new(kind: InjuryKind, site: impl Into<String>, injury_date: Date) -> Injury {
        Injury {
            kind,
            site: site.into(),
            side: None,
            injury_date,
            cause: None,
            outcome: None,
            bone_class: None,
            bone: None,
            joint: None,
            contracture: false,
            manual_first_fee_yen: None,
        }
    }

    /// `右足関節捻挫`.
    pub fn name_ja(&self) -> String {
        format!(
            "{}{}{}",
            self.side.map(Side::label_ja).unwrap_or(""),
            self.site,
            self.kind.label_ja()
        )
    }
}

/// 転帰.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub kind: OutcomeKind,
    pub date: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// 治癒
    Cured,
    /// 中止
    Discontinued,
    /// 転医
    Transferred,
}

impl OutcomeKind {
    pub fn label_ja(self) -> &'static str {
        match self {
            OutcomeKind::Cured => "治癒",
            OutcomeKind::Discontinued => "中止",
            OutcomeKind::Transferred => "転医",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoctorConsent {
    pub date: Date,
    #[serde(default)]
    pub clinic: String,
    pub doctor: String,
}

/// 同意 (あはき), with the period it covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub date: Date,
    pub valid_until: Date,
    pub doctor: String,
    #[serde(default)]
    pub clinic: String,
    /// The 同意書 is for 変形徒手矯正術, whose period is one month, not six.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deformity: bool,
}

/// The six はり・きゅう 傷病名.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AcuDisease {
    /// 神経痛
    Neuralgia,
    /// リウマチ
    Rheumatism,
    /// 頸腕症候群
    CervicobrachialSyndrome,
    /// 五十肩
    FrozenShoulder,
    /// 腰痛症
    LumbagoSyndrome,
    /// 頸椎捻挫後遺症
    WhiplashSequelae,
    /// その他 (with a name in `other_disease`)
    Other,
}

impl AcuDisease {
    pub fn label_ja(self) -> &'static str {
        match self {
            AcuDisease::Neuralgia => "神経痛",
            AcuDisease::Rheumatism => "リウマチ",
            AcuDisease::CervicobrachialSyndrome => "頸腕症候群",
            AcuDisease::FrozenShoulder => "五十肩",
            AcuDisease::LumbagoSyndrome => "腰痛症",
            AcuDisease::WhiplashSequelae => "頸椎捻挫後遺症",
            AcuDisease::Other => "その他",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcupunctureCase {
    pub first_visit_date: Date,
    pub diseases: Vec<AcuDisease>,
    #[serde(default)]
    pub other_disease: Option<String>,
    /// 症状名 (required for 施術 from 2024-10).
    #[serde(default)]
    pub symptoms: String,
    pub consent: Option<Consent>,
    /// 再同意: later consents, oldest first; each starts a new period (docs/claims.md, 同意).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reconsents: Vec<Consent>,
    #[serde(default)]
    pub outcome: Option<Outcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MassageCase {
    pub first_visit_date: Date,
    /// 症状 (筋麻痺・関節拘縮 等).
    #[serde(default)]
    pub symptoms: String,
    pub consent: Option<Consent>,
    /// 再同意: later consents, oldest first; each starts a new period (docs/claims.md, 同意).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reconsents: Vec<Consent>,
    #[serde(default)]
    pub outcome: Option<Outcome>,
}

/// Where the 施術 took place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum VisitMode {
    /// 通所 (at the clinic).
    Clinic,
    /// 訪問施術 (定期的・計画的): `people` treated the same day in the same building.
    Home {
        people: u32,
        #[serde(default)]
        distance_km: Option<f64>,
    },
    /// 往療 (突発的な求め).
    Call { distance_km: f64 },
}

impl VisitMode {
    pub fn distance_km(&self) -> Option<f64> {
        match self {
            VisitMode::Clinic => None,
            VisitMode::Home { distance_km, .. } => *distance_km,
            VisitMode::Call { distance_km } => Some(*distance_km),
        }
    }
}

/// 柔整: what was done to one 部位 on a visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartTreatment {
    /// Index into `case.injuries`.
    pub injury: usize,
    /// 冷罨法.
    #[serde(default)]
    pub cold: bool,
    /// 温罨法.
    #[serde(default)]
    pub warm: bool,
    /// 電療.
    #[serde(default)]
    pub electro: bool,
}

/// マッサージ 温罨法.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Warmth {
    #[default]
    None,
    /// 温罨法.
    Warm,
    /// 温罨法 + 電気光線器具.
    WarmElectric,
}

/// 初検 outside the clinic's posted hours (柔整 初検料の加算).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FirstVisitAddon {
    /// 時間外加算: outside the posted hours.
    OutOfHours,
    /// 休日加算: on a holiday.
    Holiday,
    /// 深夜加算: 22:00–6:00.
    LateNight,
}

impl FirstVisitAddon {
    pub fn label_ja(self) -> &'static str {
        match self {
            FirstVisitAddon::OutOfHours => "時間外",
            FirstVisitAddon::Holiday => "休日",
            FirstVisitAddon::LateNight => "深夜",
        }
    }
}

/// 往療 under hard conditions (柔整 往療料の加算: 所定金額の100分の100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutreachAddon {
    /// 夜間
    Night,
    /// 難路
    DifficultRoad,
    /// 暴風雨時・暴風雪時
    Storm,
}

impl OutreachAddon {
    pub fn label_ja(self) -> &'static str {
        match self {
            OutreachAddon::Night => "夜間",
            OutreachAddon::DifficultRoad => "難路",
            OutreachAddon::Storm => "暴風雨雪",
        }
    }
}

fn clinic_mode() -> VisitMode {
    VisitMode::Clinic
}

/// One visit day. Fields that do not apply to the case's discipline are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Visit {
    pub date: Date,
    #[serde(default = "clinic_mode")]
    pub mode: VisitMode,
    /// 柔整: treated 部位; empty = every injury without a 転帰, nothing added.
    #[serde(default)]
    pub parts: Vec<PartTreatment>,
    /// はり・きゅう: 1 (はり又はきゅう) or 2 (併用).
    #[serde(default)]
    pub techniques: Option<u8>,
    /// はり・きゅう: 電療料加算.
    #[serde(default)]
    pub electro: bool,
    /// マッサージ: 局所数 (1–5).
    #[serde(default)]
    pub local_count: u8,
    /// マッサージ: 温罨法.
    #[serde(default)]
    pub warmth: Warmth,
    /// マッサージ: 変形徒手矯正術, number of limbs.
    #[serde(default)]
    pub deformity_limbs: u8,
    /// 柔整: 金属副子等加算 for these 部位 (indexes into `case.injuries`).
    #[serde(default)]
    pub metal_splint: Vec<usize>,
    /// 柔整: 柔道整復運動後療料 (骨折・不全骨折・脱臼).
    #[serde(default)]
    pub exercise_aftercare: bool,
    /// 柔整: 施術情報提供料 (紹介状 to a doctor).
    #[serde(default)]
    pub info_provision: bool,
    /// 特別地域加算 (離島・中山間地等).
    #[serde(default)]
    pub special_area: bool,
    /// 施術報告書交付.
    #[serde(default)]
    pub report_issued: bool,
    /// 柔整: the 初検 was outside the posted hours, on a holiday or late at night.
    #[serde(default)]
    pub first_visit_addon: Option<FirstVisitAddon>,
    /// 柔整: the 往療 was at night, on a difficult road or in a storm.
    #[serde(default)]
    pub outreach_addon: Option<OutreachAddon>,
    /// 往療理由: why the patient needed the practitioner to come (歩行困難 and its cause …).
    /// The form prints it beside the 往療 box; an 往療料 billed without one is a warning
    /// (docs/claims.md, `outreach_reason_missing`). Absent in files written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outreach_reason: Option<String>,
}

impl Visit {
    /// A clinic visit with nothing else: the base for tests and builders.
    pub fn on(date: Date) -> Visit {
        Visit {
            date,
            mode: VisitMode::Clinic,
            parts: Vec::new(),
            techniques: None,
            electro: false,
            local_count: 0,
            warmth: Warmth::None,
            deformity_limbs: 0,
            metal_splint: Vec::new(),
            exercise_aftercare: false,
            info_provision: false,
            special_area: false,
            report_issued: false,
            first_visit_addon: None,
            outreach_addon: None,
            outreach_reason: None,
        }
    }

    /// The typed 往療理由, trimmed; `None` when blank.
    pub fn outreach_reason(&self) -> Option<&str> {
        self.outreach_reason
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_case_is_of_its_discipline_from_its_first_visit_with_nothing_typed() {
        let day = Date::parse("2026-11-02").unwrap_or_else(|e| panic!("{e:?}"));
        let later = day.add_days(3);
        for d in Discipline::ALL {
            let mut c = Case::new(d, day);
            assert_eq!(c.discipline(), d);
            assert_eq!(c.first_visit_date(), day);
            assert!(c.consents().is_empty());
            c.set_first_visit_date(later);
            assert_eq!(c.first_visit_date(), later);
            // The code is the stored name.
            assert_eq!(
                serde_json::to_value(d).ok(),
                Some(serde_json::Value::from(d.code()))
            );
            assert_eq!(Discipline::from_code(d.code()), Some(d));
        }
        assert_eq!(Discipline::from_code(""), None);
    }
}
