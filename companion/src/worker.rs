//! The card worker: one thread owns the readers and the service and runs jobs one at a
//! time, in arrival order, through `ukemi_core::engine`. Two pages asking at once are
//! therefore queued, never interleaved on the card. Answers and progress go back on each
//! job's own channel; card events go to every page through the hub.

use crate::hub::Hub;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;
use ukemi_core::engine::{self, Hooks, Job, Readers, Service};
use ukemi_core::protocol::{Message, ProgressStep, ServerMessage};

/// What reaches the worker: a page's job, or news from the reader watcher.
pub enum Work {
    Page(Job),
    /// A card appeared; identify it and tell every page.
    #[cfg_attr(not(feature = "pcsc"), allow(dead_code))]
    CardArrived {
        reader: String,
    },
    /// The card went away.
    #[cfg_attr(not(feature = "pcsc"), allow(dead_code))]
    CardLeft {
        reader: String,
    },
}

pub struct Request {
    pub conn: u64,
    pub req: Option<u64>,
    pub work: Work,
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

pub fn run<R: Readers, S: Service>(
    mut readers: R,
    mut service: S,
    jobs: Receiver<Request>,
    busy: Busy,
    hub: Hub,
) {
    for r in jobs {
        match r.work {
            Work::CardArrived { reader } => {
                if let Some(card) = readers.card_arrived(&reader) {
                    crate::info!("card inserted: {:?}", card.kind);
                    hub.publish(Message::CardInserted { reader, card });
                }
            }
            Work::CardLeft { reader } => {
                readers.card_left(&reader);
                crate::info!("card removed");
                hub.publish(Message::CardRemoved { reader });
            }
            Work::Page(job) => {
                busy.set(true);
                run_job(&mut readers, &mut service, r.conn, r.req, job, &r.reply);
                busy.set(false);
            }
        }
        for event in readers.take_events() {
            hub.publish(event);
        }
    }
}

fn run_job<R: Readers, S: Service>(
    readers: &mut R,
    service: &mut S,
    conn: u64,
    req: Option<u64>,
    job: Job,
    reply: &Sender<ServerMessage>,
) {
    let progress = |step: ProgressStep| {
        let _ = reply.send(ServerMessage {
            req,
            body: Message::Progress { step },
        });
    };
    let diagnostic = |d: String| crate::warn!("conn={conn} req={req:?} {d}");
    let hooks = Hooks {
        progress: &progress,
        diagnostic: &diagnostic,
    };
    let body = match engine::handle(readers, service, job, &hooks) {
        Ok(body) => body,
        Err((code, detail)) => {
            crate::info!("conn={conn} req={req:?} failed: {}", code.as_str());
            Message::error(code, detail)
        }
    };
    if let Message::Eligibility { result } = &body {
        // Support needs to know what happened, not to whom.
        crate::info!(
            "conn={conn} req={req:?} eligibility: {:?} via {:?}, {} qualification(s)",
            result.validity,
            result.reference,
            result.qualifications.len()
        );
    }
    let _ = reply.send(ServerMessage { req, body });
}
