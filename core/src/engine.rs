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
use crate::Date;

pub mod queue;

/// The reader name the simulator's reader has (the page marks it as practice).
pub const SIM_READER: &str = "Simulator";

/// A failure the service reports, mapped to the protocol's codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub code: ErrorCode,
    pub detail: ErrorDetail,
}

impl ServiceError {
    pub fn new(code: ErrorCode) -> Self {
        ServiceError {
            code,
            detail: ErrorDetail::default(),
        }
    }
    #[cfg(feature = "sim")]
    pub(crate) fn upstream(code: &str, message: &str) -> Self {
        ServiceError {
            code: ErrorCode::ServiceError,
            detail: ErrorDetail {
                service_code: Some(code.into()),
                service_message: Some(message.into()),
                ..Default::default()
            },
        }
    }
}

/// A card check as it reaches the service.
pub struct CardCheck<'a> {
    pub certificate: &'a [u8],
    /// The challenge the service issued, and the card's signature over it (PIN mode).
    pub signed_challenge: Option<(&'a [u8], &'a [u8])>,
    /// 目視確認 by staff (visual mode).
    pub visual_confirmed: bool,
}

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
#[derive(Debug)]
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
            | Command::Pair
            | Command::Auth { .. }
            | Command::Unpair
            | Command::GetStatus
            | Command::BookInfo
            | Command::BookPush { .. }
            | Command::BookPull
            | Command::BookTrail { .. }
            | Command::BackupRestore { .. } => return None,
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

/// Where a piece of work runs: on the card (one card session at a time, on the
/// companion's card thread) or at the service (network calls, on the service thread, so
/// a slow service never holds the reader).
#[derive(Debug)]
pub enum Work {
    Card(CardWork),
    Service(ServiceWork),
}

/// Work on the readers and cards.
#[derive(Debug)]
pub enum CardWork {
    Readers,
    CardStatus {
        reader: String,
    },
    /// The card session of a check: with `challenge` (pin mode) the PIN is verified and
    /// the challenge signed; without it (visual mode) only the certificate is read.
    CheckByCard {
        reader: String,
        mode: CheckMode,
        pin: Option<Pin>,
        allow_last_try: bool,
        challenge: Option<Vec<u8>>,
    },
    SimPersonas,
    SimInsert {
        persona: String,
    },
    SimRemove,
}

/// Work at the eligibility service.
#[derive(Debug)]
pub enum ServiceWork {
    /// A fresh challenge, then the card session of a check in pin mode.
    Challenge {
        reader: String,
        pin: Pin,
        allow_last_try: bool,
    },
    /// The service half of a check by card.
    CardCheck {
        certificate: Vec<u8>,
        signed: Option<(Vec<u8>, Vec<u8>)>,
        visual_confirmed: bool,
    },
    Insurance {
        query: InsuranceQuery,
    },
    Import {
        from: Date,
        to: Date,
    },
}

/// What a piece of work led to: the answer, or more work elsewhere.
#[derive(Debug)]
pub enum Next {
    Done(Message),
    Then(Work),
}

impl Work {
    pub fn is_card(&self) -> bool {
        matches!(self, Work::Card(_))
    }
}

/// The first piece of work for a job. Input is checked here, before anything is touched:
/// a malformed PIN must not cost a try, a bad query must not reach the service.
pub fn start(job: Job) -> Result<Work, Failure> {
    Ok(match job {
        Job::Readers => Work::Card(CardWork::Readers),
        Job::CardStatus { reader } => Work::Card(CardWork::CardStatus { reader }),
        Job::CheckByCard {
            reader,
            mode: CheckMode::Pin,
            pin,
            allow_last_try,
            ..
        } => {
            let pin = pin.ok_or(plain(ErrorCode::PinRequired))?;
            if !pin.is_well_formed() {
                return Err(plain(ErrorCode::PinFormat));
            }
            Work::Service(ServiceWork::Challenge {
                reader,
                pin,
                allow_last_try,
            })
        }
        Job::CheckByCard {
            visual_confirmed: false,
            ..
        } => return Err(plain(ErrorCode::VisualNotConfirmed)),
        Job::CheckByCard { reader, .. } => Work::Card(CardWork::CheckByCard {
            reader,
            mode: CheckMode::Visual,
            pin: None,
            allow_last_try: false,
            challenge: None,
        }),
        Job::CheckByInsurance { query } => Work::Service(ServiceWork::Insurance {
            query: query.normalised()?,
        }),
        Job::ImportResults { from, to } => {
            if to < from || from.days_until(to) > 30 {
                return Err((ErrorCode::InvalidQuery, ErrorDetail::field("to")));
            }
            Work::Service(ServiceWork::Import { from, to })
        }
        Job::SimPersonas => Work::Card(CardWork::SimPersonas),
        Job::SimInsert { persona } => Work::Card(CardWork::SimInsert { persona }),
        Job::SimRemove => Work::Card(CardWork::SimRemove),
    })
}

/// Runs one piece of card work.
pub fn run_card<R: Readers>(
    readers: &mut R,
    work: CardWork,
    hooks: &Hooks<'_>,
) -> Result<Next, Failure> {
    let done = |m| Ok(Next::Done(m));
    match work {
        CardWork::Readers => done(Message::Readers {
            readers: readers.list().map_err(plain)?,
        }),
        CardWork::CardStatus { reader } => {
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
            done(Message::CardStatus { reader, card })
        }
        CardWork::CheckByCard {
            reader,
            mode,
            pin,
            allow_last_try,
            challenge,
        } => {
            let part = card_session(readers, &reader, pin, allow_last_try, challenge, hooks)?;
            Ok(Next::Then(Work::Service(ServiceWork::CardCheck {
                certificate: part.certificate,
                signed: part.signed,
                visual_confirmed: mode == CheckMode::Visual,
            })))
        }
        CardWork::SimPersonas => {
            let sim = readers.simulator().ok_or(plain(ErrorCode::NotSimulator))?;
            done(Message::Personas {
                personas: sim.personas(),
            })
        }
        CardWork::SimInsert { persona } => {
            let sim = readers.simulator().ok_or(plain(ErrorCode::NotSimulator))?;
            sim.insert(&persona).map_err(plain)?;
            done(Message::Ok)
        }
        CardWork::SimRemove => {
            let sim = readers.simulator().ok_or(plain(ErrorCode::NotSimulator))?;
            sim.remove();
            done(Message::Ok)
        }
    }
}

/// Runs one piece of service work.
pub fn run_service<S: Service + ?Sized>(
    service: &mut S,
    work: ServiceWork,
    hooks: &Hooks<'_>,
) -> Result<Next, Failure> {
    match work {
        ServiceWork::Challenge {
            reader,
            pin,
            allow_last_try,
        } => {
            let challenge = service.challenge().map_err(service_failure)?;
            Ok(Next::Then(Work::Card(CardWork::CheckByCard {
                reader,
                mode: CheckMode::Pin,
                pin: Some(pin),
                allow_last_try,
                challenge: Some(challenge),
            })))
        }
        ServiceWork::CardCheck {
            certificate,
            signed,
            visual_confirmed,
        } => {
            (hooks.progress)(ProgressStep::ContactingService);
            let check = CardCheck {
                certificate: &certificate,
                signed_challenge: signed.as_ref().map(|(c, s)| (c.as_slice(), s.as_slice())),
                visual_confirmed,
            };
            let result = service.check_by_card(&check).map_err(service_failure)?;
            Ok(Next::Done(Message::Eligibility { result }))
        }
        ServiceWork::Insurance { query } => {
            (hooks.progress)(ProgressStep::ContactingService);
            let result = service
                .check_by_insurance(&query)
                .map_err(service_failure)?;
            Ok(Next::Done(Message::Eligibility { result }))
        }
        ServiceWork::Import { from, to } => {
            (hooks.progress)(ProgressStep::ContactingService);
            let results = service.import(from, to).map_err(service_failure)?;
            Ok(Next::Done(Message::Imported { results }))
        }
    }
}

/// Handles one job from start to answer on the calling thread (the browser demo, tests);
/// the companion runs the same pieces on its card and service threads instead.
pub fn handle<R: Readers, S: Service>(
    readers: &mut R,
    service: &mut S,
    job: Job,
    hooks: &Hooks<'_>,
) -> Result<Message, Failure> {
    let mut work = start(job)?;
    loop {
        let next = match work {
            Work::Card(w) => run_card(readers, w, hooks)?,
            Work::Service(w) => run_service(service, w, hooks)?,
        };
        match next {
            Next::Done(m) => return Ok(m),
            Next::Then(w) => work = w,
        }
    }
}

/// What the card part of a check produced.
struct CardPart {
    certificate: Vec<u8>,
    signed: Option<(Vec<u8>, Vec<u8>)>,
}

/// The card session of a check: the certificate, the tries, the one VERIFY and the
/// signature, in one session that ends with the card reset. The challenge was fetched
/// beforehand, so the service is never called while the card is held.
fn card_session<R: Readers>(
    readers: &mut R,
    reader: &str,
    pin: Option<Pin>,
    allow_last_try: bool,
    challenge: Option<Vec<u8>>,
    hooks: &Hooks<'_>,
) -> Result<CardPart, Failure> {
    (hooks.progress)(ProgressStep::ReadingCertificate);
    let fail = |e| card_failure(hooks, e);
    let part = readers
        .with_card(reader, |t| -> Result<CardPart, Failure> {
            let mut j = Jpki::new(t);
            j.require_my_number().map_err(fail)?;
            let certificate = j.read_auth_certificate().map_err(fail)?;
            let (Some(pin), Some(challenge)) = (pin.as_ref(), challenge) else {
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
    Ok(part)
}
