//! The claim benchmark's body, shared by the native example (`core/examples/claims_bench.rs`)
//! and the browser (`ukemi_web::bench_claims`), so both measure the same work. The clock is
//! the caller's (milliseconds), as core reads none of its own.

use super::forms::{claim_form, summaries};
use super::{compute_with, ClaimInput, TariffSet};

const CASES: [&str; 3] = [
    include_str!("../../../tests/fixtures/claims/judo_sprain_3parts.json"),
    include_str!("../../../tests/fixtures/claims/acupuncture_home_visit.json"),
    include_str!("../../../tests/fixtures/claims/massage_deformity.json"),
];

#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    pub claims: usize,
    pub compute_ms: f64,
    pub forms_ms: f64,
    pub summaries: usize,
    pub sections: usize,
    pub total_yen: u64,
}

impl BenchReport {
    pub fn line(&self, target: &str) -> String {
        format!(
            "[{target}] {} monthly claims computed in {:.1} ms ({:.2} µs each); forms and {} 総括票 in {:.1} ms ({} sections); 合計 {} 円",
            self.claims,
            self.compute_ms,
            self.compute_ms * 1e3 / self.claims.max(1) as f64,
            self.summaries,
            self.forms_ms,
            self.sections,
            self.total_yen
        )
    }
}

/// Computes `n` monthly claims from the example cases, then their forms and 総括票.
pub fn run(n: usize, now_ms: &dyn Fn() -> f64) -> Result<BenchReport, String> {
    let tariffs = TariffSet::builtin().map_err(|e| format!("builtin tariffs: {e:?}"))?;
    let inputs: Vec<ClaimInput> = CASES
        .iter()
        .map(|t| serde_json::from_str(t).map_err(|e| format!("example case: {e}")))
        .collect::<Result<_, _>>()?;
    let start = now_ms();
    let mut claims = Vec::with_capacity(n);
    for k in 0..n {
        let mut c = compute_with(&inputs[k % inputs.len()], tariffs).map_err(|e| e.to_string())?;
        claims.append(&mut c);
    }
    let computed = now_ms();
    let sections: usize = claims
        .iter()
        .enumerate()
        .map(|(k, c)| claim_form(&inputs[k % inputs.len()], c).sections.len())
        .sum();
    let s = summaries(&claims);
    let formed = now_ms();
    Ok(BenchReport {
        claims: claims.len(),
        compute_ms: computed - start,
        forms_ms: formed - computed,
        summaries: s.len(),
        sections,
        total_yen: claims.iter().map(|c| u64::from(c.total_yen)).sum(),
    })
}
