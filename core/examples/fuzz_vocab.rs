//! A bounded-time fuzz harness for the eligibility vocabulary that needs nothing but
//! stable Rust and the workspace (no cargo-fuzz, no libFuzzer, no C++ compiler), so it can
//! run anywhere the tests run. `core/fuzz` is the coverage-guided one.
//!
//!     cargo run --release -p ukemi-core --features vocab --example fuzz_vocab -- SECONDS [SEED]
//!
//! It mutates the fixtures in `tests/fixtures/eligibility/` (byte edits, markup tokens,
//! splices between fixtures, truncation, nesting), keeps mutants that read as a message
//! or hit a new kind of refusal as further seeds, and checks every input with
//! `vocab::invariants::check` (no panic; what reads, writes back and reads the same).
//! Prints iterations and outcome counts; exits 1 and saves the input on a failure.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use ukemi_core::eligibility::vocab::invariants::{check, Outcome};

macro_rules! fixtures {
    ($($name:literal),* $(,)?) => {
        [$(include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/eligibility/", $name)).as_slice()),*]
    };
}

const SEEDS: [&[u8]; 12] = fixtures!(
    "sample-utf8.xml",
    "sample-sjis.xml",
    "sample.json",
    "elderly.xml",
    "lost.xml",
    "multiple.xml",
    "abnormal-9.xml",
    "abnormal-3.json",
    "minimal.xml",
    "shuffled.xml",
    "notice.xml",
    "person-error.xml",
);

/// Fragments that move a mutant across the grammar's edges.
const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"</",
    b"/>",
    b"<a>",
    b"</a>",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>",
    b"encoding=\"UTF-8\"",
    b"&amp;",
    b"&#x0;",
    b"&#12354;",
    b"&bogus;",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"null",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x82\xa0",
    b"\xb1",
    b"\xe3\x81",
    b" ",
    b"\r\n",
    b"<ResultOfQualificationConfirmation>",
    b"</ResultOfQualificationConfirmation>",
    b"<SegmentOfResult>9</SegmentOfResult>",
    b"<QualificationValidity>7</QualificationValidity>",
    b"<InsurerNumber>  123456</InsurerNumber>",
    b"<Birthdate>20230230</Birthdate>",
    b"<InsuredPartialContributionRatio>999</InsuredPartialContributionRatio>",
    b"\"ResultOfQualificationConfirmation\":[{},{}]",
    b"\"SegmentOfResult\":1",
];

const MAX_LEN: usize = 256 * 1024;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seconds: u64 = match args.first().map(|s| s.parse()) {
        Some(Ok(s)) => s,
        Some(Err(_)) | None => {
            eprintln!("usage: fuzz_vocab SECONDS [SEED]");
            std::process::exit(2);
        }
    };
    let seed: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    });
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut corpus: Vec<Vec<u8>> = SEEDS.iter().map(|s| s.to_vec()).collect();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut iterations = 0u64;
    while Instant::now() < deadline {
        let parent = &corpus[pick(&mut rng, corpus.len())];
        let input = mutate(&mut rng, parent, &corpus);
        let result = std::panic::catch_unwind(|| check(&input));
        let outcome = match result {
            Ok(Ok(o)) => o,
            Ok(Err(broken)) => fail(seed, iterations, &input, &broken),
            Err(_) => fail(seed, iterations, &input, "panicked"),
        };
        let key = match &outcome {
            Outcome::Refused(kind) => format!("refused {kind}"),
            Outcome::Result => "result".to_string(),
            Outcome::Abnormal => "abnormal".to_string(),
        };
        let seen = counts.entry(key).or_insert(0);
        *seen += 1;
        // Keep what normalises (it explores the model), some of what reads, and the first
        // of each refusal: mostly-abnormal seeds would crowd out the interesting ones.
        let keep = match outcome {
            Outcome::Result => true,
            Outcome::Abnormal => pick(&mut rng, 8) == 0,
            Outcome::Refused(_) => *seen == 1,
        };
        if keep && input.len() <= MAX_LEN {
            if corpus.len() < 4096 {
                corpus.push(input);
            } else {
                let i = SEEDS.len() + pick(&mut rng, corpus.len() - SEEDS.len());
                corpus[i] = input;
            }
        }
        iterations += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "fuzz_vocab: seed {seed}, {iterations} iterations in {secs:.1} s ({:.0}/s), corpus {}",
        iterations as f64 / secs.max(0.001),
        corpus.len()
    );
    for (k, v) in &counts {
        println!("  {v:>9}  {k}");
    }
    println!("{iterations} passed, 0 failed");
}

fn fail(seed: u64, iteration: u64, input: &[u8], why: &str) -> ! {
    let path = std::env::temp_dir().join(format!("fuzz_vocab-{seed}-{iteration}.bin"));
    let saved = std::fs::write(&path, input).is_ok();
    eprintln!(
        "fuzz_vocab: property broken at iteration {iteration} (seed {seed}): {why}\ninput{}: {:?}",
        if saved {
            format!(" saved to {}", path.display())
        } else {
            String::new()
        },
        String::from_utf8_lossy(&input[..input.len().min(2000)])
    );
    std::process::exit(1);
}

fn pick(rng: &mut ChaCha8Rng, n: usize) -> usize {
    if n == 0 {
        0
    } else {
        (rng.next_u64() % n as u64) as usize
    }
}

fn mutate(rng: &mut ChaCha8Rng, parent: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut v = parent.to_vec();
    let rounds = 1 + pick(rng, 4);
    for _ in 0..rounds {
        let len = v.len();
        match pick(rng, 11) {
            0 if len > 0 => {
                let i = pick(rng, len);
                v[i] ^= 1 << pick(rng, 8);
            }
            1 if len > 0 => {
                let i = pick(rng, len);
                v[i] = rng.next_u32() as u8;
            }
            2 => {
                let i = pick(rng, len + 1);
                v.insert(i, rng.next_u32() as u8);
            }
            3 if len > 0 => {
                let a = pick(rng, len);
                let b = (a + 1 + pick(rng, 64)).min(len);
                v.drain(a..b);
            }
            4 if len > 0 => {
                let a = pick(rng, len);
                let b = (a + 1 + pick(rng, 256)).min(len);
                let chunk = v[a..b].to_vec();
                let at = pick(rng, v.len() + 1);
                v.splice(at..at, chunk);
            }
            5 | 6 => {
                let t = TOKENS[pick(rng, TOKENS.len())];
                let at = pick(rng, len + 1);
                v.splice(at..at, t.iter().copied());
            }
            7 => {
                let other = &corpus[pick(rng, corpus.len())];
                if !other.is_empty() {
                    let a = pick(rng, other.len());
                    let b = (a + 1 + pick(rng, 512)).min(other.len());
                    let at = pick(rng, len + 1);
                    v.splice(at..at, other[a..b].iter().copied());
                }
            }
            8 if len > 0 => v.truncate(pick(rng, len)),
            9 => {
                // Nesting near and past the depth limit.
                let depth = 20 + pick(rng, 30);
                let at = pick(rng, len + 1);
                let mut nest = b"<n>".repeat(depth);
                nest.extend(b"</n>".repeat(depth));
                v.splice(at..at, nest);
            }
            _ => {
                // Repeat an element-sized region many times (list and element limits).
                if len > 0 {
                    let a = pick(rng, len);
                    let b = (a + 1 + pick(rng, 128)).min(len);
                    let chunk = v[a..b].to_vec();
                    let times = 1 + pick(rng, 200);
                    let at = pick(rng, len + 1);
                    v.splice(at..at, chunk.repeat(times));
                }
            }
        }
        if v.len() > MAX_LEN {
            v.truncate(MAX_LEN);
        }
    }
    v
}
