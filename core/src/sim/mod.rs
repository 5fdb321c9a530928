//! Simulators that stand in for the outside world: the emulated My Number cards of a
//! synthetic population and the eligibility service that knows them. The companion's
//! simulator mode, the browser demo and the tests all use these.

pub mod adapter;
pub mod population;
pub mod readers;
pub mod service;

pub use population::{CardState, Population, Scenario, SimPerson, SIM_PIN};
pub use service::{Answer, CardCheck, ServiceError, SimService};

use crate::date::Date;
use crate::jpki::emu::{EmuCard, Personality};
use crate::jpki::pki::{PkiError, TestPki};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

/// Generated people beyond the named personas.
pub const DEFAULT_EXTRA_PEOPLE: usize = 500;

/// Everything a simulated world needs: the test PKI, the service and its population.
pub struct Simulator {
    pub pki: TestPki,
    pub service: SimService,
    pub today: Date,
}

impl Simulator {
    /// A world that is the same for the same seed and day.
    pub fn new(seed: u64, today: Date) -> Result<Simulator, PkiError> {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let pki = TestPki::generate(&mut rng, today)?;
        let population = Population::generate(seed, today, DEFAULT_EXTRA_PEOPLE);
        let service = SimService::new(population, pki.ca_cert.clone());
        Ok(Simulator {
            pki,
            service,
            today,
        })
    }

    /// The card a persona carries, ready to be put into a reader.
    pub fn card_for(&self, person_id: &str) -> Result<EmuCard, SimError> {
        let p = self
            .service
            .population
            .find(person_id)
            .ok_or(SimError::UnknownPersona)?;
        let (nb, na) = if p.scenario == Scenario::CertExpired {
            (self.today.add_days(-365 * 6), self.today.add_days(-30))
        } else {
            (self.today.add_days(-365), self.today.add_days(365 * 4))
        };
        let cert = self
            .pki
            .issue_card_certificate(&p.card_serial, nb, na)
            .map_err(SimError::Pki)?;
        let card = EmuCard::my_number(cert, self.pki.card_key.clone(), SIM_PIN)
            .with_ca_certificate(self.pki.ca_cert.clone());
        Ok(match p.card {
            CardState::MyNumber { tries_left } => card.with_auth_tries(tries_left),
            CardState::Juki => card.with_personality(Personality::Juki),
            CardState::Foreign => card.with_personality(Personality::Foreign),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimError {
    UnknownPersona,
    Pki(PkiError),
}

#[cfg(test)]
mod tests;
