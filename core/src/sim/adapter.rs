//! The simulated service behind the engine's [`Service`] trait, with an injected clock.
//! It does not wait: it records how long a real service would have taken (the `slow`
//! persona), and the caller decides how to wait (a thread sleep, or a browser timer).

use super::{CardCheck, ServiceError, Simulator};
use crate::eligibility::{EligibilityResult, InsuranceQuery};
use crate::engine::Service;
use crate::protocol::ErrorCode;
use crate::Date;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::sync::{Arc, Mutex, MutexGuard};

pub struct SimService {
    sim: Arc<Mutex<Simulator>>,
    rng: ChaCha20Rng,
    today: Box<dyn Fn() -> Date + Send>,
    /// How long the last answer should have taken.
    pub last_delay_ms: u64,
}

impl SimService {
    /// `seed` makes the challenges; `today` is the caller's clock.
    pub fn new(
        sim: Arc<Mutex<Simulator>>,
        seed: [u8; 32],
        today: impl Fn() -> Date + Send + 'static,
    ) -> SimService {
        SimService {
            sim,
            rng: ChaCha20Rng::from_seed(seed),
            today: Box::new(today),
            last_delay_ms: 0,
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, Simulator>, ServiceError> {
        self.sim
            .lock()
            .map_err(|_| ServiceError::new(ErrorCode::Internal))
    }
}

impl Service for SimService {
    fn challenge(&mut self) -> Result<Vec<u8>, ServiceError> {
        let mut rng = self.rng.clone();
        let c = self.lock()?.service.challenge(&mut rng);
        self.rng = rng;
        Ok(c)
    }

    fn check_by_card(&mut self, check: &CardCheck<'_>) -> Result<EligibilityResult, ServiceError> {
        let today = (self.today)();
        let answer = self.lock()?.service.check_by_card(check, today);
        self.last_delay_ms = answer.delay_ms;
        answer.result
    }

    fn check_by_insurance(
        &mut self,
        query: &InsuranceQuery,
    ) -> Result<EligibilityResult, ServiceError> {
        let today = (self.today)();
        let answer = self.lock()?.service.check_by_insurance(query, today);
        self.last_delay_ms = answer.delay_ms;
        answer.result
    }

    fn import(&mut self, from: Date, to: Date) -> Result<Vec<EligibilityResult>, ServiceError> {
        self.last_delay_ms = 0;
        Ok(self.lock()?.service.imported(from, to))
    }
}
