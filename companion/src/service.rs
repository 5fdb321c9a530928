//! The simulated eligibility service as the companion runs it: `ukemi_core`'s adapter with
//! the companion's clock, waiting as long as a slow real service would. The relay to the
//! national service implements the same `ukemi_core::engine::Service` trait.

use std::sync::{Arc, Mutex};
use ukemi_core::eligibility::{EligibilityResult, InsuranceQuery};
use ukemi_core::engine::Service;
use ukemi_core::sim::adapter::SimService;
use ukemi_core::sim::{CardCheck, ServiceError, Simulator};
use ukemi_core::Date;

pub struct SimEligibility {
    inner: SimService,
}

impl SimEligibility {
    pub fn new(sim: Arc<Mutex<Simulator>>) -> SimEligibility {
        let mut seed = [0u8; 32];
        // Challenges need not be secret in the simulator, but fresh ones make replays fail
        // the way they would against the real service.
        let _ = getrandom::getrandom(&mut seed);
        SimEligibility {
            inner: SimService::new(sim, seed, crate::clock::today_jst),
        }
    }

    fn wait(&self) {
        std::thread::sleep(std::time::Duration::from_millis(self.inner.last_delay_ms));
    }
}

impl Service for SimEligibility {
    fn challenge(&mut self) -> Result<Vec<u8>, ServiceError> {
        self.inner.challenge()
    }

    fn check_by_card(&mut self, check: &CardCheck<'_>) -> Result<EligibilityResult, ServiceError> {
        let r = self.inner.check_by_card(check);
        self.wait();
        r
    }

    fn check_by_insurance(
        &mut self,
        query: &InsuranceQuery,
    ) -> Result<EligibilityResult, ServiceError> {
        let r = self.inner.check_by_insurance(query);
        self.wait();
        r
    }

    fn import(&mut self, from: Date, to: Date) -> Result<Vec<EligibilityResult>, ServiceError> {
        self.inner.import(from, to)
    }
}
