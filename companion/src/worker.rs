//! The card worker: one thread owns the readers and the service and runs jobs one at a
//! time, in arrival order. Two pages asking at once are therefore queued, never
//! interleaved on the card. Answers and progress go back on each job's own channel.

use crate::card::Readers;
use crate::hub::Hub;
use crate::service::Eligibility;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;
use ukemi_core::eligibility::{EligibilityResult, InsuranceQuery};
use ukemi_core::jpki::{CardError, Jpki};
use ukemi_core::protocol::{
    CardInfo, CardKind, CheckMode, ErrorCode, ErrorDetail, Message, Pin, ProgressStep,
    ServerMessage,
};
use ukemi_core::sim::{CardCheck, ServiceError};

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
        from: ukemi_core::Date,
        to: ukemi_core::Date,
    },
    SimPersonas,
    SimInsert {
        persona: String,
    },
    SimRemove,
    /// From the reader watcher: a card appeared; identify it and tell every page.
    #[cfg_attr(not(feature = "pcsc"), allow(dead_code))]
    CardArrived {
        reader: String,
    },
    /// From the reader watcher: the card went away.
    #[cfg_attr(not(feature = "pcsc"), allow(dead_code))]
    CardLeft {
        reader: String,
    },
}

pub struct Request {
    pub conn: u64,
    pub req: Option<u64>,
    pub job: Job,
    pub reply: Sender<ServerMessage>,
}

/// Shared flag so a session can tell the page its command is waiting in line.
#[derive(Clone, Default)]
pub struct Busy(Arc<AtomicBool>);

impl Busy {
    pub fn is_busy(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    fn set(&self, v: bool) {
        self.0.store(v, Ordering::SeqCst)
    }
}

type Failure = (ErrorCode, ErrorDetail);

fn card_failure(e: CardError) -> Failure {
    match &e {
        CardError::Unexpected { step, sw } => {
            crate::warn!("card answered {sw:04X} at step '{step}'")
        }
        CardError::Transport(t) => crate::warn!("card transport: {t:?}"),
        CardError::Malformed(what) => crate::warn!("card data: {what}"),
        _ => {}
    }
    e.code()
}

fn service_failure(e: ServiceError) -> Failure {
    (e.code, e.detail)
}

pub fn run<R: Readers, S: Eligibility>(
    mut readers: R,
    mut service: S,
    jobs: Receiver<Request>,
    busy: Busy,
    hub: Hub,
) {
    for r in jobs {
        match r.job {
            Job::CardArrived { reader } => {
                if let Some(card) = readers.card_arrived(&reader) {
                    crate::info!("card inserted: {:?}", card.kind);
                    hub.publish(Message::CardInserted { reader, card });
                }
                continue;
            }
            Job::CardLeft { reader } => {
                readers.card_left(&reader);
                crate::info!("card removed");
                hub.publish(Message::CardRemoved { reader });
                continue;
            }
            job => run_one(&mut readers, &mut service, Request { job, ..r }, &busy),
        }
    }
}

fn run_one<R: Readers, S: Eligibility>(readers: &mut R, service: &mut S, r: Request, busy: &Busy) {
    {
        busy.set(true);
        let progress = |step: ProgressStep| {
            let _ = r.reply.send(ServerMessage {
                req: r.req,
                body: Message::Progress { step },
            });
        };
        let outcome = handle(readers, service, r.job, &progress);
        let body = match outcome {
            Ok(body) => body,
            Err((code, detail)) => {
                crate::info!("conn={} req={:?} failed: {}", r.conn, r.req, code.as_str());
                Message::error(code, detail)
            }
        };
        if let Message::Eligibility { result } = &body {
            // Support needs to know what happened, not to whom.
            crate::info!(
                "conn={} req={:?} eligibility: {:?} via {:?}, {} qualification(s)",
                r.conn,
                r.req,
                result.validity,
                result.reference,
                result.qualifications.len()
            );
        }
        let _ = r.reply.send(ServerMessage { req: r.req, body });
        busy.set(false);
    }
}

fn handle<R: Readers, S: Eligibility>(
    readers: &mut R,
    service: &mut S,
    job: Job,
    progress: &dyn Fn(ProgressStep),
) -> Result<Message, Failure> {
    let plain = |c: ErrorCode| (c, ErrorDetail::default());
    match job {
        Job::Readers => Ok(Message::Readers {
            readers: readers.list().map_err(plain)?,
        }),
        Job::CardStatus { reader } => {
            // Read from the card itself: after a wrong PIN anything remembered is stale.
            let card = readers
                .with_card(&reader, |t| {
                    let mut j = Jpki::new(t);
                    let kind = j.identify().map_err(card_failure)?;
                    let tries = match kind {
                        CardKind::MyNumber => Some(j.auth_pin_tries().map_err(card_failure)?),
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
                progress,
            )?;
            Ok(Message::Eligibility { result })
        }
        Job::CheckByInsurance { query } => {
            let query = query.normalised()?;
            progress(ProgressStep::ContactingService);
            let result = service
                .check_by_insurance(&query)
                .map_err(service_failure)?;
            Ok(Message::Eligibility { result })
        }
        Job::ImportResults { from, to } => {
            if to < from || from.days_until(to) > 30 {
                return Err((ErrorCode::InvalidQuery, ErrorDetail::field("to")));
            }
            progress(ProgressStep::ContactingService);
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
        // Handled in `run` before a page's job; never reaches here.
        Job::CardArrived { .. } | Job::CardLeft { .. } => Ok(Message::Ok),
    }
}

/// What the card part of a check produced.
struct CardPart {
    certificate: Vec<u8>,
    signed: Option<(Vec<u8>, Vec<u8>)>,
}

#[allow(clippy::too_many_arguments)]
fn check_by_card<R: Readers, S: Eligibility>(
    readers: &mut R,
    service: &mut S,
    reader: &str,
    mode: CheckMode,
    pin: Option<Pin>,
    allow_last_try: bool,
    visual_confirmed: bool,
    progress: &dyn Fn(ProgressStep),
) -> Result<EligibilityResult, Failure> {
    let plain = |c: ErrorCode| (c, ErrorDetail::default());
    // Check what the page sent before touching the card: a malformed PIN must not cost a try.
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
    progress(ProgressStep::ReadingCertificate);
    let part = readers
        .with_card(reader, |t| -> Result<CardPart, Failure> {
            let mut j = Jpki::new(t);
            j.require_my_number().map_err(card_failure)?;
            let certificate = j.read_auth_certificate().map_err(card_failure)?;
            let Some(pin) = pin.as_ref() else {
                return Ok(CardPart {
                    certificate,
                    signed: None,
                });
            };
            let tries = j.auth_pin_tries().map_err(card_failure)?;
            if tries == 0 {
                return Err((ErrorCode::PinLocked, ErrorDetail::tries(0)));
            }
            if tries == 1 && !allow_last_try {
                return Err((ErrorCode::LastTryNotConfirmed, ErrorDetail::tries(1)));
            }
            let challenge = service.challenge().map_err(service_failure)?;
            progress(ProgressStep::VerifyingPin);
            j.verify_auth_pin(pin.as_bytes()).map_err(card_failure)?;
            progress(ProgressStep::Signing);
            let signature = j.sign_auth(&challenge).map_err(card_failure)?;
            Ok(CardPart {
                certificate,
                signed: Some((challenge, signature)),
            })
        })
        .map_err(plain)??;
    drop(pin);
    progress(ProgressStep::ContactingService);
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
