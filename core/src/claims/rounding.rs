//! Money arithmetic. Integer yen only: floats never touch an amount.
//!
//! How each figure is rounded is part of the dated tariff data ([`Rounding`] in each
//! schedule file), because the rules are notices that change with revisions, not arithmetic
//! facts. docs/claims.md ("Money on the form and at the window") cites each clause.

use serde::{Deserialize, Serialize};

/// How a reduced unit price (多部位 60/100, 長期 75/100, 長期頻回 50/100) loses its fraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitRounding {
    /// 1円未満四捨五入 (505 × 75/100 = 378.75 → 379).
    HalfUpYen,
    /// 1円未満切り捨て.
    FloorYen,
}

/// How the 申請書's 一部負担金 and 請求金額 are derived from the 合計.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimSplit {
    /// 請求金額 = 合計 × 給付割合, 1円未満切り捨て; 一部負担金 = 合計 − 請求金額 (柔整).
    BilledFloorYen,
    /// 一部負担金 = 合計 × 負担割合, 1円未満四捨五入; 請求金額 = 合計 − 一部負担金 (あはき).
    CopayHalfUpYen,
}

/// How the amount a patient pays at the window for one visit is rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowRounding {
    /// 10円未満四捨五入 (a 5-yen remainder rounds up).
    HalfUpTenYen,
    /// 1円未満四捨五入.
    HalfUpYen,
}

/// One rounding rule with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule<M> {
    pub mode: M,
    /// false when the clause was only read in a secondary source: lines stay usable.
    pub verified: bool,
    pub source: String,
}

/// The three rounding rules of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rounding {
    pub reduced_unit: Rule<UnitRounding>,
    pub claim: Rule<ClaimSplit>,
    pub window: Rule<WindowRounding>,
}

/// `n / d` rounded half up (d > 0).
fn div_half_up(n: u64, d: u64) -> u64 {
    (n + d / 2) / d
}

fn to_u32(x: u64) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX)
}

/// A unit price reduced by percentages (多部位 60/100, 長期 75/100 …): the rates are
/// multiplied first and the fraction is dropped once, at the end.
pub fn reduced(unit_yen: u32, percents: &[u32], mode: UnitRounding) -> u32 {
    let mut num = u64::from(unit_yen);
    let mut den = 1u64;
    for p in percents {
        num *= u64::from(*p);
        den *= 100;
    }
    to_u32(match mode {
        UnitRounding::HalfUpYen => div_half_up(num, den),
        UnitRounding::FloorYen => num / den,
    })
}

/// (一部負担金, 請求金額) on the 申請書 for a 合計 at a 負担割合 in percent.
pub fn claim_split(total_yen: u32, copay_percent: u8, mode: ClaimSplit) -> (u32, u32) {
    let total = u64::from(total_yen);
    let pct = u64::from(copay_percent.min(100));
    match mode {
        ClaimSplit::BilledFloorYen => {
            let billed = to_u32(total * (100 - pct) / 100);
            (total_yen - billed, billed)
        }
        ClaimSplit::CopayHalfUpYen => {
            let copay = to_u32(div_half_up(total * pct, 100)).min(total_yen);
            (copay, total_yen - copay)
        }
    }
}

/// What the patient pays at the window for a visit's total at a 負担割合 in percent.
pub fn window(total_yen: u32, copay_percent: u8, mode: WindowRounding) -> u32 {
    let x = u64::from(total_yen) * u64::from(copay_percent.min(100));
    let yen = match mode {
        // total × percent is yen × 100: /1000 then ×10 rounds at 10 yen.
        WindowRounding::HalfUpTenYen => div_half_up(x, 1000) * 10,
        WindowRounding::HalfUpYen => div_half_up(x, 100),
    };
    to_u32(yen)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 留意事項通知 第7: "患者が一部負担金を支払う場合の一〇円未満の金額については四捨五入".
    #[test]
    fn window_rounds_half_up_at_ten_yen() {
        let w = |t, p| window(t, p, WindowRounding::HalfUpTenYen);
        // 1,550 × 10% = 155 → 160 (5 yen rounds up)
        assert_eq!(w(1550, 10), 160);
        // 1,549 × 10% = 154.9 → 150
        assert_eq!(w(1549, 10), 150);
        // 2,915 × 30% = 874.5 → 870 (4.5 yen is under 5)
        assert_eq!(w(2915, 30), 870);
        // 6,990 × 30% = 2,097 → 2,100
        assert_eq!(w(6990, 30), 2100);
        assert_eq!(w(0, 30), 0);
        assert_eq!(w(12345, 0), 0);
        // あはき: 1円未満四捨五入. 1,549 × 10% = 154.9 → 155; 1,545 × 30% = 463.5 → 464.
        assert_eq!(window(1549, 10, WindowRounding::HalfUpYen), 155);
        assert_eq!(window(1545, 30, WindowRounding::HalfUpYen), 464);
    }

    /// 柔整: "保険者が支給する療養費の額は、一〇円未満の四捨五入を行わない額"; 請求金額 =
    /// 合計 × 給付割合 with 1円未満切り捨て. 6,990 × 70/100 = 4,893 → 一部負担金 2,097.
    /// 4,758 × 70/100 = 3,330.6 → 3,330; 一部負担金 1,428 (not the window's 1,430).
    #[test]
    fn judo_form_bills_the_floor_of_the_benefit() {
        let s = |t, p| claim_split(t, p, ClaimSplit::BilledFloorYen);
        assert_eq!(s(6990, 30), (2097, 4893));
        assert_eq!(s(4758, 30), (1428, 3330));
        // 1,555 × 90/100 = 1,399.5 → 1,399; 一部負担金 156.
        assert_eq!(s(1555, 10), (156, 1399));
        assert_eq!(s(1555, 0), (0, 1555));
    }

    /// あはき: 一部負担金 1円未満四捨五入. 4,758 × 30/100 = 1,427.4 → 1,427; 請求 3,331.
    /// 1,545 × 30/100 = 463.5 → 464; 請求 1,081.
    #[test]
    fn ahaki_form_rounds_the_copay_to_the_yen() {
        let s = |t, p| claim_split(t, p, ClaimSplit::CopayHalfUpYen);
        assert_eq!(s(4758, 30), (1427, 3331));
        assert_eq!(s(1545, 30), (464, 1081));
        assert_eq!(s(1545, 0), (0, 1545));
    }

    /// 疑義解釈 R6.5.31: reduced unit prices 1円未満四捨五入. 505 × 75/100 = 378.75 → 379;
    /// 33 × 60/100 = 19.8 → 20; 505 × 60/100 × 75/100 = 227.25 → 227; 75 × 50/100 = 37.5 → 38.
    #[test]
    fn reductions_round_half_up_to_the_yen() {
        let r = |u, p: &[u32]| reduced(u, p, UnitRounding::HalfUpYen);
        assert_eq!(r(505, &[75]), 379);
        assert_eq!(r(33, &[60]), 20);
        assert_eq!(r(505, &[60, 75]), 227);
        assert_eq!(r(75, &[50]), 38);
        assert_eq!(r(505, &[]), 505);
        assert_eq!(reduced(505, &[75], UnitRounding::FloorYen), 378);
    }
}
