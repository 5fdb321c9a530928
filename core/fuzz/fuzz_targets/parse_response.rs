//! libFuzzer target: any bytes as an eligibility response or request. The properties live
//! in `ukemi_core::eligibility::vocab::invariants` so this target, the stable harness and
//! the proptests check the same things.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ukemi_core::eligibility::vocab::invariants::check;

fuzz_target!(|data: &[u8]| {
    if let Err(broken) = check(data) {
        panic!("{broken}");
    }
});
