//! The claim benchmark in WebAssembly, in headless Chromium: the same work as the native
//! `claims_bench` example (10,000 monthly claims, then forms and 総括票). Not a timed test:
//! it only checks the run completed, and keeps the numbers in
//! target/e2e-artifacts/bench-wasm.txt, which `cargo xtask test` prints.

use ukemi_e2e::webdriver::Browser;
use ukemi_e2e::{artifacts_dir, dist, Companion};

#[test]
fn claims_benchmark_runs_in_wasm() {
    let dist = dist(false);
    let comp = Companion::start(&["--serve", &dist.to_string_lossy()]);
    let b = Browser::start();
    // The app's own exports (Trunk's loader keeps them in `window.wasmBindings`): the
    // widget computes no claims.
    b.goto(&format!("{}/", comp.origin()));
    let line = b.exec_async(
        "const done = arguments[arguments.length - 1];
         const run = () => {
           try { done(window.wasmBindings.bench_claims(10000)); }
           catch (e) { done('bench failed: ' + e); }
         };
         if (window.wasmBindings) { run(); }
         else { addEventListener('TrunkApplicationStarted', run); }",
        serde_json::json!([]),
    );
    let line = line.as_str().unwrap_or_default().to_string();
    assert!(
        line.starts_with("[wasm, Chromium] 10000 monthly claims"),
        "{line}"
    );
    std::fs::write(artifacts_dir().join("bench-wasm.txt"), format!("{line}\n")).expect("write");
}
