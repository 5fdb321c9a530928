//! Computes 10,000 monthly claims and prints the time taken. Not a test: run it with
//! `cargo run --release -p ukemi-core --example claims_bench`. The same work runs in the
//! browser (`cargo xtask test` prints both).

use std::time::Instant;

fn main() {
    let origin = Instant::now();
    let now = || origin.elapsed().as_secs_f64() * 1e3;
    match ukemi_core::claims::bench::run(10_000, &now) {
        Ok(r) => println!("{}", r.line("native")),
        Err(e) => {
            eprintln!("claims_bench: {e}");
            std::process::exit(1);
        }
    }
}
