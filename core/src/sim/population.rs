//! A synthetic insured population for the simulated eligibility service: named personas
//! for trainers and tests first, then several hundred generated people. Deterministic for a
//! given seed and "today", so tests can assert names and addresses.

use crate::date::Date;
use crate::eligibility::insurer::with_check_digit;
use crate::eligibility::{
    ElderlyRecipient, PersonalFamily, Qualification, QualificationValidity, ReasonOfLoss, Sex,
};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// What the simulated service does when this person is looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Normal,
    /// 資格喪失 (with a reason): validity 無効.
    Lost,
    /// 無効（新しい資格あり）: an old qualification and a newer one.
    NewerExists,
    /// 複数該当.
    Multiple,
    /// The card is not linked to any insurance (該当資格なし).
    NotLinked,
    /// 住所 not on file.
    NoAddress,
    CertExpired,
    CertRevoked,
    /// The service answers `SegmentOfResult` 9 (異常終了).
    ServiceError,
    /// The service answers, slowly.
    Slow,
    /// The service answers bytes that are not a response.
    Garbage,
}

/// The card the person carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardState {
    /// A working My Number card.
    MyNumber { tries_left: u8 },
    /// An old 住基カード.
    Juki,
    /// Not a JPKI card at all (e.g. a credit card).
    Foreign,
}

#[derive(Debug, Clone)]
pub struct SimPerson {
    /// Stable id: a persona name (`normal`, `lost`, …) or `p0042`.
    pub id: String,
    /// Label for the trainer's picker.
    pub label: String,
    pub scenario: Scenario,
    pub card: CardState,
    /// Serial of the card's user-authentication certificate.
    pub card_serial: Vec<u8>,
    /// What the service returns (for `NewerExists` and `Multiple`, more than one).
    pub qualifications: Vec<Qualification>,
}

impl SimPerson {
    pub fn serial_hex(&self) -> String {
        self.card_serial
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect()
    }
    pub fn primary(&self) -> &Qualification {
        // Every person is built with at least one qualification.
        &self.qualifications[0]
    }
}

pub struct Population {
    pub people: Vec<SimPerson>,
}

/// The PIN of every simulated card. Trainers say it out loud; it is not a secret.
pub const SIM_PIN: &str = "1234";

struct Insurer {
    body: &'static str,
    name: &'static str,
}

const INSURERS: &[Insurer] = &[
    Insurer {
        body: "0113001",
        name: "全国健康保険協会　東京支部",
    },
    Insurer {
        body: "0127001",
        name: "全国健康保険協会　大阪支部",
    },
    Insurer {
        body: "0614012",
        name: "ウケミ商事健康保険組合",
    },
    Insurer {
        body: "3213001",
        name: "地方職員共済組合　東京都支部",
    },
    Insurer {
        body: "13811",
        name: "世田谷区",
    },
    Insurer {
        body: "27100",
        name: "大阪市",
    },
];
const KOUKI: Insurer = Insurer {
    body: "3913001",
    name: "東京都後期高齢者医療広域連合",
};

const SURNAMES: &[(&str, &str)] = &[
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("斎藤", "サイトウ"),
    ("清水", "シミズ"),
    ("林", "ハヤシ"),
    ("長谷川", "ハセガワ"),
];
const MALE: &[(&str, &str)] = &[
    ("太郎", "タロウ"),
    ("健一", "ケンイチ"),
    ("誠", "マコト"),
    ("大輔", "ダイスケ"),
    ("翔太", "ショウタ"),
    ("一郎", "イチロウ"),
    ("浩", "ヒロシ"),
    ("蓮", "レン"),
    ("博之", "ヒロユキ"),
    ("勇気", "ユウキ"),
];
const FEMALE: &[(&str, &str)] = &[
    ("花子", "ハナコ"),
    ("陽子", "ヨウコ"),
    ("恵子", "ケイコ"),
    ("美咲", "ミサキ"),
    ("結衣", "ユイ"),
    ("幸子", "サチコ"),
    ("直美", "ナオミ"),
    ("葵", "アオイ"),
    ("由美", "ユミ"),
    ("千尋", "チヒロ"),
];
const PLACES: &[(&str, &str)] = &[
    ("154-0004", "東京都世田谷区太子堂"),
    ("530-0001", "大阪府大阪市北区梅田"),
    ("231-0023", "神奈川県横浜市中区山下町"),
    ("460-0008", "愛知県名古屋市中区栄"),
    ("812-0011", "福岡県福岡市博多区博多駅前"),
    ("060-0001", "北海道札幌市中央区北一条西"),
    ("980-0811", "宮城県仙台市青葉区一番町"),
    ("730-0051", "広島県広島市中区大手町"),
];
const KANJI_DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

fn insurer_number(i: &Insurer) -> String {
    with_check_digit(i.body).unwrap_or_else(|| i.body.to_string())
}

struct PersonSpec<'a> {
    surname: (&'a str, &'a str),
    given: (&'a str, &'a str),
    sex: Sex,
    birthdate: Date,
    place: (&'a str, &'a str),
    block: String,
    insurer: &'a Insurer,
    family: PersonalFamily,
    number: String,
    symbol: Option<String>,
}

fn qualification(spec: &PersonSpec<'_>, today: Date) -> Qualification {
    let age = spec.birthdate.age_on(today);
    let kouki = std::ptr::eq(spec.insurer, &KOUKI);
    let percent = if kouki {
        10
    } else if age < 6 || (70..75).contains(&age) {
        20
    } else {
        30
    };
    let elderly = (!kouki && (70..75).contains(&age)).then(|| ElderlyRecipient {
        valid_from: Some(spec.birthdate.month_start_offset(70 * 12 + 1)),
        valid_until: Some(spec.birthdate.month_start_offset(75 * 12).add_days(-1)),
        contribution_percent: Some(20),
    });
    let name = format!("{}\u{3000}{}", spec.surname.0, spec.given.0);
    let kana = format!("{}\u{3000}{}", spec.surname.1, spec.given.1);
    let since = today.month_start_offset(-36);
    Qualification {
        insurer_number: insurer_number(spec.insurer),
        insurer_name: spec.insurer.name.to_string(),
        card_classification: Some("01".into()),
        symbol: if kouki { None } else { spec.symbol.clone() },
        number: spec.number.clone(),
        branch: if kouki {
            None
        } else {
            Some(
                if spec.family == PersonalFamily::Insured {
                    "00"
                } else {
                    "01"
                }
                .into(),
            )
        },
        personal_family: spec.family,
        insured_name: Some(name.clone()),
        name,
        name_kana: kana,
        sex: spec.sex,
        birthdate: spec.birthdate,
        address: Some(format!("{}{}", spec.place.1, spec.block)),
        postal_code: Some(spec.place.0.to_string()),
        qualification_date: Some(since),
        disqualification_date: None,
        reason_of_loss: None,
        valid_from: Some(since),
        valid_until: None,
        contribution_percent: Some(percent),
        preschool: age < 6,
        elderly,
    }
}

fn block_address(a: u32, b: u32, c: u32) -> String {
    format!(
        "{}丁目{}番{}号",
        KANJI_DIGITS[(a % 9 + 1) as usize],
        b % 30 + 1,
        c % 20 + 1
    )
}

/// The personas a trainer can pick, in picker order, with what makes each one special.
fn personas(today: Date) -> Vec<SimPerson> {
    let d = |y: i32, m: u8, day: u8| Date::new(y, m, day).unwrap_or(today);
    let kyokai = &INSURERS[0];
    let kumiai = &INSURERS[2];
    let kokuho = &INSURERS[4];
    let mut out = Vec::new();
    let mut add =
        |id: &str, label: &str, scenario: Scenario, card: CardState, spec: PersonSpec<'_>| {
            let serial = 0x1000_0000u32 + out.len() as u32;
            let q = qualification(&spec, today);
            out.push(SimPerson {
                id: id.into(),
                label: label.into(),
                scenario,
                card,
                card_serial: serial.to_be_bytes().to_vec(),
                qualifications: vec![q],
            });
        };
    let ok = CardState::MyNumber { tries_left: 3 };
    let spec = |surname,
                given,
                sex,
                birthdate,
                place: usize,
                block: &str,
                insurer,
                family,
                number: &str| PersonSpec {
        surname,
        given,
        sex,
        birthdate,
        place: PLACES[place],
        block: block.to_string(),
        insurer,
        family,
        number: number.to_string(),
        symbol: Some("1234567".into()),
    };
    add(
        "normal",
        "正常（本人・3割）",
        Scenario::Normal,
        ok,
        spec(
            ("山田", "ヤマダ"),
            ("花子", "ハナコ"),
            Sex::Female,
            d(1968, 4, 12),
            0,
            "四丁目1番1号",
            kyokai,
            PersonalFamily::Insured,
            "42",
        ),
    );
    add(
        "family",
        "正常（家族・2割・未就学）",
        Scenario::Normal,
        ok,
        spec(
            ("山田", "ヤマダ"),
            ("蓮", "レン"),
            Sex::Male,
            today.add_days(-365 * 4),
            0,
            "四丁目1番1号",
            kyokai,
            PersonalFamily::Dependent,
            "42",
        ),
    );
    add(
        "elderly",
        "高齢受給者（70〜74歳・2割）",
        Scenario::Normal,
        ok,
        spec(
            ("佐藤", "サトウ"),
            ("一郎", "イチロウ"),
            Sex::Male,
            today.add_days(-365 * 72),
            1,
            "二丁目3番4号",
            kumiai,
            PersonalFamily::Insured,
            "1001",
        ),
    );
    add(
        "kouki",
        "後期高齢者（1割）",
        Scenario::Normal,
        ok,
        spec(
            ("鈴木", "スズキ"),
            ("幸子", "サチコ"),
            Sex::Female,
            d(1940, 2, 29),
            0,
            "一丁目2番3号",
            &KOUKI,
            PersonalFamily::Insured,
            "00012345",
        ),
    );
    add(
        "kokuho",
        "国民健康保険（6桁の保険者番号）",
        Scenario::Normal,
        ok,
        spec(
            ("高橋", "タカハシ"),
            ("誠", "マコト"),
            Sex::Male,
            d(1985, 10, 1),
            0,
            "三丁目5番8号",
            kokuho,
            PersonalFamily::Insured,
            "5550123",
        ),
    );
    add(
        "lost",
        "資格喪失",
        Scenario::Lost,
        ok,
        spec(
            ("田中", "タナカ"),
            ("健一", "ケンイチ"),
            Sex::Male,
            d(1979, 7, 7),
            2,
            "一丁目1番2号",
            kyokai,
            PersonalFamily::Insured,
            "77",
        ),
    );
    add(
        "newer",
        "新しい資格あり",
        Scenario::NewerExists,
        ok,
        spec(
            ("伊藤", "イトウ"),
            ("陽子", "ヨウコ"),
            Sex::Female,
            d(1990, 12, 24),
            3,
            "五丁目6番7号",
            kyokai,
            PersonalFamily::Insured,
            "88",
        ),
    );
    add(
        "multiple",
        "複数該当",
        Scenario::Multiple,
        ok,
        spec(
            ("渡辺", "ワタナベ"),
            ("翔太", "ショウタ"),
            Sex::Male,
            d(2001, 3, 27),
            4,
            "二丁目2番2号",
            kumiai,
            PersonalFamily::Insured,
            "2002",
        ),
    );
    add(
        "no_address",
        "住所未登録",
        Scenario::NoAddress,
        ok,
        spec(
            ("中村", "ナカムラ"),
            ("美咲", "ミサキ"),
            Sex::Female,
            d(1995, 5, 5),
            5,
            "一丁目1番1号",
            kyokai,
            PersonalFamily::Insured,
            "99",
        ),
    );
    add(
        "not_linked",
        "保険証利用登録なし（該当資格なし）",
        Scenario::NotLinked,
        ok,
        spec(
            ("小林", "コバヤシ"),
            ("大輔", "ダイスケ"),
            Sex::Male,
            d(1988, 8, 8),
            6,
            "三丁目3番3号",
            kyokai,
            PersonalFamily::Insured,
            "100",
        ),
    );
    add(
        "cert_expired",
        "カード証明書期限切れ",
        Scenario::CertExpired,
        ok,
        spec(
            ("加藤", "カトウ"),
            ("恵子", "ケイコ"),
            Sex::Female,
            d(1960, 1, 15),
            7,
            "四丁目4番4号",
            kyokai,
            PersonalFamily::Insured,
            "101",
        ),
    );
    add(
        "cert_revoked",
        "カード証明書失効",
        Scenario::CertRevoked,
        ok,
        spec(
            ("吉田", "ヨシダ"),
            ("浩", "ヒロシ"),
            Sex::Male,
            d(1955, 6, 30),
            0,
            "五丁目5番5号",
            kyokai,
            PersonalFamily::Insured,
            "102",
        ),
    );
    add(
        "service_error",
        "サービス障害",
        Scenario::ServiceError,
        ok,
        spec(
            ("佐々木", "ササキ"),
            ("直美", "ナオミ"),
            Sex::Female,
            d(1975, 9, 9),
            1,
            "六丁目6番6号",
            kyokai,
            PersonalFamily::Insured,
            "103",
        ),
    );
    add(
        "slow",
        "応答が遅い",
        Scenario::Slow,
        ok,
        spec(
            ("松本", "マツモト"),
            ("博之", "ヒロユキ"),
            Sex::Male,
            d(1970, 11, 11),
            2,
            "七丁目7番7号",
            kyokai,
            PersonalFamily::Insured,
            "104",
        ),
    );
    add(
        "garbage",
        "壊れた応答",
        Scenario::Garbage,
        ok,
        spec(
            ("井上", "イノウエ"),
            ("由美", "ユミ"),
            Sex::Female,
            d(1982, 4, 1),
            3,
            "八丁目8番8号",
            kyokai,
            PersonalFamily::Insured,
            "105",
        ),
    );
    add(
        "one_try",
        "暗証番号 残り1回",
        Scenario::Normal,
        CardState::MyNumber { tries_left: 1 },
        spec(
            ("木村", "キムラ"),
            ("千尋", "チヒロ"),
            Sex::Female,
            d(1966, 2, 2),
            4,
            "一丁目9番9号",
            kyokai,
            PersonalFamily::Insured,
            "106",
        ),
    );
    add(
        "locked",
        "暗証番号ロック",
        Scenario::Normal,
        CardState::MyNumber { tries_left: 0 },
        spec(
            ("斎藤", "サイトウ"),
            ("勇気", "ユウキ"),
            Sex::Male,
            d(1958, 3, 3),
            5,
            "二丁目8番1号",
            kyokai,
            PersonalFamily::Insured,
            "107",
        ),
    );
    add(
        "juki",
        "住基カード（使えないカード）",
        Scenario::Normal,
        CardState::Juki,
        spec(
            ("清水", "シミズ"),
            ("葵", "アオイ"),
            Sex::Female,
            d(1950, 5, 20),
            6,
            "三丁目1番4号",
            kyokai,
            PersonalFamily::Insured,
            "108",
        ),
    );
    add(
        "foreign",
        "マイナンバーカード以外のカード",
        Scenario::Normal,
        CardState::Foreign,
        spec(
            ("林", "ハヤシ"),
            ("太郎", "タロウ"),
            Sex::Male,
            d(1992, 7, 14),
            7,
            "四丁目2番6号",
            kyokai,
            PersonalFamily::Insured,
            "109",
        ),
    );
    out
}

impl Population {
    /// The personas plus `extra` generated people.
    pub fn generate(seed: u64, today: Date, extra: usize) -> Population {
        let mut people = personas(today);
        apply_scenarios(&mut people, today);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for i in 0..extra {
            let female = rng.next_u32() % 2 == 0;
            let surname = SURNAMES[rng.next_u32() as usize % SURNAMES.len()];
            let given = if female { FEMALE } else { MALE }[rng.next_u32() as usize % 10];
            let age_days = i64::from(rng.next_u32() % (95 * 365));
            let birthdate = today.add_days(-age_days - 1);
            let age = birthdate.age_on(today);
            let insurer = if age >= 75 {
                &KOUKI
            } else {
                &INSURERS[rng.next_u32() as usize % INSURERS.len()]
            };
            let family = if age < 20 || rng.next_u32() % 4 == 0 {
                PersonalFamily::Dependent
            } else {
                PersonalFamily::Insured
            };
            let spec = PersonSpec {
                surname,
                given,
                sex: if female { Sex::Female } else { Sex::Male },
                birthdate,
                place: PLACES[rng.next_u32() as usize % PLACES.len()],
                block: block_address(rng.next_u32(), rng.next_u32(), rng.next_u32()),
                insurer,
                family,
                number: format!("{}", 1000 + i),
                symbol: Some(format!("{:07}", rng.next_u32() % 10_000_000)),
            };
            let serial = 0x2000_0000u32 + i as u32;
            people.push(SimPerson {
                id: format!("p{i:04}"),
                label: format!("{}（{}）", spec.surname.0, age),
                scenario: Scenario::Normal,
                card: CardState::MyNumber { tries_left: 3 },
                card_serial: serial.to_be_bytes().to_vec(),
                qualifications: vec![qualification(&spec, today)],
            });
        }
        Population { people }
    }

    pub fn find(&self, id: &str) -> Option<&SimPerson> {
        self.people.iter().find(|p| p.id == id)
    }

    pub fn by_serial(&self, serial_hex: &str) -> Option<&SimPerson> {
        self.people.iter().find(|p| p.serial_hex() == serial_hex)
    }

    /// The named personas (the trainer's picker), in order.
    pub fn personas(&self) -> impl Iterator<Item = &SimPerson> {
        self.people
            .iter()
            .filter(|p| !p.id.starts_with('p') || p.id.len() != 5)
    }
}

/// Reshapes the qualifications of personas whose scenario needs it.
fn apply_scenarios(people: &mut [SimPerson], today: Date) {
    for p in people.iter_mut() {
        match p.scenario {
            Scenario::Lost => {
                let q = &mut p.qualifications[0];
                q.disqualification_date = Some(today.month_start_offset(-1));
                q.reason_of_loss = Some(ReasonOfLoss::OtherInsurance);
            }
            Scenario::NewerExists => {
                let mut newer = p.qualifications[0].clone();
                let old = &mut p.qualifications[0];
                old.disqualification_date = Some(today.month_start_offset(-2));
                old.reason_of_loss = Some(ReasonOfLoss::OtherInsurance);
                newer.insurer_number = insurer_number(&INSURERS[2]);
                newer.insurer_name = INSURERS[2].name.to_string();
                newer.number = "3003".into();
                newer.qualification_date = Some(today.month_start_offset(-2));
                newer.valid_from = newer.qualification_date;
                p.qualifications.push(newer);
            }
            Scenario::Multiple => {
                let mut second = p.qualifications[0].clone();
                second.insurer_number = insurer_number(&INSURERS[3]);
                second.insurer_name = INSURERS[3].name.to_string();
                second.number = "4004".into();
                p.qualifications.push(second);
            }
            Scenario::NoAddress => {
                let q = &mut p.qualifications[0];
                q.address = None;
                q.postal_code = None;
            }
            _ => {}
        }
    }
}

/// The validity the service reports for a person on `today`.
pub fn validity_of(p: &SimPerson, today: Date) -> QualificationValidity {
    match p.scenario {
        Scenario::NotLinked => QualificationValidity::NoMatch,
        Scenario::NewerExists => QualificationValidity::InvalidNewerExists,
        Scenario::Multiple => QualificationValidity::MultipleMatches,
        _ if p.qualifications.iter().any(|q| q.covers(today)) => QualificationValidity::Valid,
        _ => QualificationValidity::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eligibility::validate_insurer_number;

    fn today() -> Date {
        Date::parse("2026-11-25").expect("date")
    }

    #[test]
    fn population_is_deterministic_and_large_enough() {
        let a = Population::generate(7, today(), 500);
        let b = Population::generate(7, today(), 500);
        assert!(a.people.len() >= 500);
        assert_eq!(a.people[300].primary().name, b.people[300].primary().name);
        assert_eq!(
            a.people[300].primary().address,
            b.people[300].primary().address
        );
    }

    #[test]
    fn every_insurer_number_has_a_valid_check_digit_and_serials_are_unique() {
        let pop = Population::generate(1, today(), 500);
        let mut serials = std::collections::BTreeSet::new();
        for p in &pop.people {
            for q in &p.qualifications {
                assert!(
                    validate_insurer_number(&q.insurer_number).is_ok(),
                    "{}",
                    q.insurer_number
                );
            }
            assert!(
                serials.insert(p.serial_hex()),
                "duplicate serial {}",
                p.serial_hex()
            );
        }
    }

    #[test]
    fn personas_cover_ratios_and_failures() {
        let pop = Population::generate(1, today(), 0);
        let pct = |id: &str| {
            pop.find(id)
                .and_then(|p| p.primary().effective_contribution_percent())
        };
        assert_eq!(pct("normal"), Some(30));
        assert_eq!(pct("family"), Some(20));
        assert_eq!(pct("elderly"), Some(20));
        assert_eq!(pct("kouki"), Some(10));
        let lost = pop.find("lost").expect("persona");
        assert_eq!(validity_of(lost, today()), QualificationValidity::Invalid);
        assert_eq!(
            validity_of(pop.find("normal").expect("persona"), today()),
            QualificationValidity::Valid
        );
        assert_eq!(
            validity_of(pop.find("not_linked").expect("persona"), today()),
            QualificationValidity::NoMatch
        );
        assert!(pop
            .find("no_address")
            .expect("persona")
            .primary()
            .address
            .is_none());
        assert!(pop.personas().count() >= 15);
    }
}
