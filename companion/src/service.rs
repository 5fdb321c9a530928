//! The eligibility service behind one interface: the simulated service today, the
//! mutual-TLS relay to the national service through the same trait.

use std::sync::{Arc, Mutex};
use ukemi_core::eligibility::{EligibilityResult, InsuranceQuery};
use ukemi_core::protocol::ErrorCode;
use ukemi_core::sim::{CardCheck, ServiceError, Simulator};
use ukemi_core::Date;

pub trait Eligibility {
    /// A fresh challenge for the card to sign.
    fn challenge(&mut self) -> Result<Vec<u8>, ServiceError>;
    fn check_by_card(&mut self, check: &CardCheck<'_>) -> Result<EligibilityResult, ServiceError>;
    fn check_by_insurance(
        &mut self,
        query: &InsuranceQuery,
    ) -> Result<EligibilityResult, ServiceError>;
    /// Results of checks made elsewhere between two dates.
    fn import(&mut self, from: Date, to: Date) -> Result<Vec<EligibilityResult>, ServiceError>;
}

impl Eligibility for Box<dyn Eligibility + Send> {
    fn challenge(&mut self) -> Result<Vec<u8>, ServiceError> {
        (**self).challenge()
    }
    fn check_by_card(&mut self, check: &CardCheck<'_>) -> Result<EligibilityResult, ServiceError> {
        (**self).check_by_card(check)
    }
    fn check_by_insurance(
        &mut self,
        query: &InsuranceQuery,
    ) -> Result<EligibilityResult, ServiceError> {
        (**self).check_by_insurance(query)
    }
    fn import(&mut self, from: Date, to: Date) -> Result<Vec<EligibilityResult>, ServiceError> {
        (**self).import(from, to)
    }
}

/// The simulated service, answering from the synthetic population with the companion's
/// clock, and waiting as long as a slow real service would.
pub struct SimEligibility {
    sim: Arc<Mutex<Simulator>>,
    rng: rand_chacha::ChaCha20Rng,
}

impl SimEligibility {
    pub fn new(sim: Arc<Mutex<Simulator>>) -> SimEligibility {
        use rand_core::SeedableRng;
        let mut seed = [0u8; 32];
        // Challenges need not be secret in the simulator, but fresh ones make replays fail
        // the way they would against the real service.
        let _ = getrandom::getrandom(&mut seed);
        SimEligibility {
            sim,
            rng: rand_chacha::ChaCha20Rng::from_seed(seed),
        }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Simulator>, ServiceError> {
        self.sim
            .lock()
            .map_err(|_| ServiceError::new(ErrorCode::Internal))
    }
}

impl Eligibility for SimEligibility {
    fn challenge(&mut self) -> Result<Vec<u8>, ServiceError> {
        let mut rng = self.rng.clone();
        let c = self.lock()?.service.challenge(&mut rng);
        self.rng = rng;
        Ok(c)
    }

    fn check_by_card(&mut self, check: &CardCheck<'_>) -> Result<EligibilityResult, ServiceError> {
        let today = crate::clock::today_jst();
        let answer = self.lock()?.service.check_by_card(check, today);
        std::thread::sleep(std::time::Duration::from_millis(answer.delay_ms));
        answer.result
    }

    fn check_by_insurance(
        &mut self,
        query: &InsuranceQuery,
    ) -> Result<EligibilityResult, ServiceError> {
        let today = crate::clock::today_jst();
        let answer = self.lock()?.service.check_by_insurance(query, today);
        std::thread::sleep(std::time::Duration::from_millis(answer.delay_ms));
        answer.result
    }

    fn import(&mut self, from: Date, to: Date) -> Result<Vec<EligibilityResult>, ServiceError> {
        Ok(self.lock()?.service.imported(from, to))
    }
}
