//! What the companion does with a command, without threads, sockets or clocks: read the
//! card, ask the service, answer. The companion runs it on its card-worker thread around
//! real readers and the TLS relay; the browser's trainer demo runs the very same code
//! in-process around the simulator. Readers and service are traits the caller implements.

use crate::eligibility::{EligibilityResult, InsuranceQuery};
use crate::jpki::{CardError, Jpki, Transport};
use crate::protocol::{
    CardInfo, CardKind, CheckMode, Command, ErrorCode, ErrorDetail, Message, PersonaInfo, Pin,
    ProgressStep, ReaderInfo,
};
use crate::sim::{CardCheck, ServiceError};
use crate::Date;

/// Card readers: the simulator's, or real ones through PC/SC.
pub trait Readers {
    /// The readers present now, with what card each holds.
    fn list(&mut self) -> Result<Vec<ReaderInfo>, ErrorCode>;

    /// Runs `f` with exclusive use of the card in `reader`, then resets the card so no
    /// verified PIN state lingers.
    fn with_card<T>(
        &mut self,
        reader: &str,
        f: impl FnOnce(&mut dyn Transport) -> T,
    ) -> Result<T, ErrorCode>;

    /// A card appeared in `reader`: what is it?
    fn card_arrived(&mut self, _reader: &str) -> Option<CardInfo> {
        None
    }

    /// The card in `reader` went away.
    fn card_left(&mut self, _reader: &str) {}

    /// Events (cards in and out) produced while handling a job, for the caller to publish.
    fn take_events(&mut self) -> Vec<Message> {
        Vec::new()
    }

    /// The simulator's controls, when this is the simulator.
    fn simulator(&mut self) -> Option<&mut dyn SimControls> {
        None
    }
}

/// Putting practice cards in and out (simulator only).
pub trait SimControls {
    fn personas(&self) -> Vec<PersonaInfo>;
    fn insert(&mut self, persona: &str) -> Result<(), ErrorCode>;
    fn remove(&mut self);
}

/// The eligibility service: simulated, or the national one through the relay.
pub trait Service {
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

impl<S: Service + ?Sized> Service for Box<S> {
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

/// The work a page can ask for.
pub enum Job {
    Readers,
    CardStatus {
        reader: String,
    },
    CheckByCard {
        reader: String,
        mode: CheckMode,
        pin: Option<Pin>,
        allow_last_try: bool,
        visual_confirmed: bool,
    },
    CheckByInsurance {
        query: InsuranceQuery,
    },
    ImportResults {
        from: Date,
        to: Date,
    },
    SimPersonas,
    SimInsert {
        persona: String,
    },
    SimRemove,
}

impl Job {
    /// The job a command asks for; `None` for the connection's own commands (HELLO,
    /// pairing), which the session answers itself, and for `GET_STATUS`, answered beside the
    /// card worker so it never waits behind a card check (the demo answers it in-process).
    pub fn from_command(c: Command) -> Option<Job> {
        Some(match c {
            Command::GetReaders => Job::Readers,
            Command::GetCardStatus { reader } => Job::CardStatus { reader },
            Command::CheckByCard {
                reader,
                mode,
                pin,
                allow_last_try,
                visual_confirmed,
            } => Job::CheckByCard {
                reader,
                mode,
                pin,
                allow_last_try,
                visual_confirmed,
            },
            Command::CheckByInsurance { query } => Job::CheckByInsurance { query },
            Command::ImportResults { from, to } => Job::ImportResults { from, to },
            Command::SimListPersonas => Job::SimPersonas,
            Command::SimInsertCard { persona } => Job::SimInsert { persona },
            Command::SimRemoveCard => Job::SimRemove,
            Command::Hello { .. }
            | Command::Pair { .. }
            | Command::Auth { .. }
            | Command::Unpair
            | Command::GetStatus => return None,
        })
    }
}

pub type Failure = (ErrorCode, ErrorDetail);

/// Where the engine reports progress, and diagnostics for the vendor's log (never a PIN or
/// personal data: status words, steps, codes).
pub struct Hooks<'a> {
    pub progress: &'a dyn Fn(ProgressStep),
    pub diagnostic: &'a dyn Fn(String),
}

fn card_failure(hooks: &Hooks<'_>, e: CardError) -> Failure {
    match &e {
        CardError::Unexpected { step, sw } => {
            (hooks.diagnostic)(format!("card answered {sw:04X} at step '{step}'"))
        }
        CardError::Transport(t) => (hooks.diagnostic)(format!("card transport: {t:?}")),
        CardError::Malformed(what) => (hooks.diagnostic)(format!("card data: {what}")),
        _ => {}
    }
    e.code()
}

fn service_failure(e: ServiceError) -> Failure {
    (e.code, e.detail)
}

fn plain(c: ErrorCode) -> Failure {
    (c, ErrorDetail::default())
}

/// Handles one job; the answer, or the failure to report.
pub fn handle<R: Readers, S: Service>(
    readers: &mut R,
    service: &mut S,
    job: Job,
    hooks: &Hooks<'_>,
) -> Result<Message, Failure> {
    match job {
        Job::Readers => Ok(Message::Readers {
            readers: readers.list().map_err(plain)?,
        }),
        Job::CardStatus { reader } => {
            // Read from the card itself: after a wrong PIN anything remembered is stale.
            let card = readers
                .with_card(&reader, |t| {
                    let mut j = Jpki::new(t);
                    let kind = j.identify().map_err(|e| card_failure(hooks, e))?;
                    let tries = match kind {
                        CardKind::MyNumber => {
                            Some(j.auth_pin_tries().map_err(|e| card_failure(hooks, e))?)
                        }
                        _ => None,
                    };
                    Ok::<_, Failure>(CardInfo {
                        kind,
                        pin_tries_left: tries,
                    })
                })
                .map_err(plain)??;
            Ok(Message::CardStatus { reader, card })
        }
        Job::CheckByCard {
            reader,
            mode,
            pin,
            allow_last_try,
            visual_confirmed,
        } => {
            let result = check_by_card(
                readers,
                service,
                &reader,
                mode,
                pin,
                allow_last_try,
                visual_confirmed,
                hooks,
            )?;
            Ok(Message::Eligibility { result })
        }
        Job::CheckByInsurance { query } => {
            let query = query.normalised()?;
            (hooks.progress)(ProgressStep::ContactingService);
            let result = service
                .check_by_insurance(&query)
                .map_err(service_failure)?;
            Ok(Message::Eligibility { result })
        }
        Job::ImportResults { from, to } => {
            if to < from || from.days_until(to) > 30 {
                return Err((ErrorCode::InvalidQuery, ErrorDetail::field("to")));
            }
            (hooks.progress)(ProgressStep::ContactingService);
            let results = service.import(from, to).map_err(service_failure)?;
            Ok(Message::Imported { results })
        }
        Job::SimPersonas => {
            let sim = readers.simulator().ok_or(plain(ErrorCode::NotSimulator))?;
            Ok(Message::Personas {
                personas: sim.personas(),
            })
        }
        Job::SimInsert { persona } => {
            let sim = readers.simulator().ok_or(plain(ErrorCode::NotSimulator))?;
            sim.insert(&persona).map_err(plain)?;
            Ok(Message::Ok)
        }
        Job::SimRemove => {
            let sim = readers.simulator().ok_or(plain(ErrorCode::NotSimulator))?;
            sim.remove();
            Ok(Message::Ok)
        }
    }
}

/// What the card part of a check produced.
struct CardPart {
    certificate: Vec<u8>,
    signed: Option<(Vec<u8>, Vec<u8>)>,
}

/// The check by card: input checked before the card is touched (a malformed PIN must not
/// cost a try); the certificate, the tries, the one VERIFY and the signature in one card
/// session; then the service.
#[allow(clippy::too_many_arguments)]
fn check_by_card<R: Readers, S: Service>(
    readers: &mut R,
    service: &mut S,
    reader: &str,
    mode: CheckMode,
    pin: Option<Pin>,
    allow_last_try: bool,
    visual_confirmed: bool,
    hooks: &Hooks<'_>,
) -> Result<EligibilityResult, Failure> {
    let pin = match mode {
        CheckMode::Pin => {
            let pin = pin.ok_or(plain(ErrorCode::PinRequired))?;
            if !pin.is_well_formed() {
                return Err(plain(ErrorCode::PinFormat));
            }
            Some(pin)
        }
        CheckMode::Visual if !visual_confirmed => return Err(plain(ErrorCode::VisualNotConfirmed)),
        CheckMode::Visual => None,
    };
    (hooks.progress)(ProgressStep::ReadingCertificate);
    let fail = |e| card_failure(hooks, e);
    let part = readers
        .with_card(reader, |t| -> Result<CardPart, Failure> {
            let mut j = Jpki::new(t);
            j.require_my_number().map_err(fail)?;
            let certificate = j.read_auth_certificate().map_err(fail)?;
            let Some(pin) = pin.as_ref() else {
                return Ok(CardPart {
                    certificate,
                    signed: None,
                });
            };
            let tries = j.auth_pin_tries().map_err(fail)?;
            if tries == 0 {
                return Err((ErrorCode::PinLocked, ErrorDetail::tries(0)));
            }
            if tries == 1 && !allow_last_try {
                return Err((ErrorCode::LastTryNotConfirmed, ErrorDetail::tries(1)));
            }
            let challenge = service.challenge().map_err(service_failure)?;
            (hooks.progress)(ProgressStep::VerifyingPin);
            j.verify_auth_pin(pin.as_bytes()).map_err(fail)?;
            (hooks.progress)(ProgressStep::Signing);
            let signature = j.sign_auth(&challenge).map_err(fail)?;
            Ok(CardPart {
                certificate,
                signed: Some((challenge, signature)),
            })
        })
        .map_err(plain)??;
    drop(pin);
    (hooks.progress)(ProgressStep::ContactingService);
    let check = CardCheck {
        certificate: &part.certificate,
        signed_challenge: part
            .signed
            .as_ref()
            .map(|(c, s)| (c.as_slice(), s.as_slice())),
        visual_confirmed: mode == CheckMode::Visual && visual_confirmed,
    };
    service.check_by_card(&check).map_err(service_failure)
}
