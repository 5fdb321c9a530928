//! Computes 10,000 monthly claims and prints the time taken. Not a test: run it with
//! `cargo run --release -p ukemi-core --example claims_bench`.

use std::time::Instant;
use ukemi_core::claims::forms::{claim_form, summaries};
use ukemi_core::claims::{compute_with, ClaimInput, TariffSet};

const CASES: [&str; 3] = [
    include_str!("../../tests/fixtures/claims/judo_sprain_3parts.json"),
    include_str!("../../tests/fixtures/claims/acupuncture_home_visit.json"),
    include_str!("../../tests/fixtures/claims/massage_deformity.json"),
];

fn main() {
    let Ok(tariffs) = TariffSet::builtin() else {
        eprintln!("builtin tariffs do not load");
        std::process::exit(1);
    };
    let inputs: Vec<ClaimInput> = CASES
        .iter()
        .filter_map(|t| serde_json::from_str(t).ok())
        .collect();
    if inputs.len() != CASES.len() {
        eprintln!("a fixture does not parse");
        std::process::exit(1);
    }
    const N: usize = 10_000;
    let start = Instant::now();
    let mut claims = Vec::with_capacity(N);
    for k in 0..N {
        let input = &inputs[k % inputs.len()];
        match compute_with(input, &tariffs) {
            Ok(mut c) => claims.append(&mut c),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
    let computed = start.elapsed();
    let forms_start = Instant::now();
    let mut boxes = 0usize;
    for (k, c) in claims.iter().enumerate() {
        boxes += claim_form(&inputs[k % inputs.len()], c).sections.len();
    }
    let s = summaries(&claims);
    let formed = forms_start.elapsed();
    let total: u64 = claims.iter().map(|c| u64::from(c.total_yen)).sum();
    println!(
        "{} monthly claims computed in {:.1} ms ({:.2} µs each); forms and {} 総括票 in {:.1} ms ({boxes} sections); 合計 {total} 円",
        claims.len(),
        computed.as_secs_f64() * 1e3,
        computed.as_secs_f64() * 1e6 / claims.len() as f64,
        s.len(),
        formed.as_secs_f64() * 1e3,
    );
}
