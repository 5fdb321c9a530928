//! Money arithmetic. Integer yen only: floats never touch an amount.

/// 一部負担金 = 合計 × 負担割合, 10円未満四捨五入 (a 5-yen remainder rounds up).
pub fn copay(total_yen: u32, percent: u8) -> u32 {
    // In tenths of yen ×10: total × percent is yen × 100; +500 then /1000 rounds at 10 yen.
    let x = u64::from(total_yen) * u64::from(percent);
    let tens = (x + 500) / 1000;
    u32::try_from(tens * 10).unwrap_or(u32::MAX)
}

/// A unit price reduced by percentages (多部位 60/100, 長期 75/100 …), 1円未満切り捨て.
/// The rounding of reduced unit prices is not in claims.md ([U], docs/claims.md).
pub fn reduced(unit_yen: u32, percents: &[u32]) -> u32 {
    let mut num = u64::from(unit_yen);
    let mut den = 1u64;
    for p in percents {
        num *= u64::from(*p);
        den *= 100;
    }
    u32::try_from(num / den).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "10円未満 of the patient's 一部負担金 is rounded (四捨五入)"
    #[test]
    fn copay_rounds_half_up_at_ten_yen() {
        // 1,550 × 10% = 155 → 160 (5 yen rounds up)
        assert_eq!(copay(1550, 10), 160);
        // 1,549 × 10% = 154.9 → 150
        assert_eq!(copay(1549, 10), 150);
        // 2,915 × 20% = 583 → 580
        assert_eq!(copay(2915, 20), 580);
        // 2,915 × 30% = 874.5 → 870 (4.5 yen rounds down)
        assert_eq!(copay(2915, 30), 870);
        // 3,150 × 30% = 945 → 950
        assert_eq!(copay(3150, 30), 950);
        assert_eq!(copay(0, 30), 0);
        assert_eq!(copay(12345, 0), 0);
    }

    #[test]
    fn reductions_truncate_below_one_yen() {
        assert_eq!(reduced(505, &[60]), 303);
        assert_eq!(reduced(505, &[75]), 378);
        assert_eq!(reduced(505, &[60, 75]), 227);
        assert_eq!(reduced(505, &[]), 505);
    }
}
