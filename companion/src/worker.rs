//! The two workers: one thread owns the readers and runs card work one piece at a time (so
//! card access is serialised), another owns the service and runs calls to it (so a slow
//! service never holds the reader). Each has a line in `ukemi_core::engine::queue`: one
//! piece of work per page, bounded, a leaving page's waiting work dropped. A check by card
//! moves between them: challenge (service), card session (card), check (service).
//! Answers and progress go back on each page's outbox; card events go to every page.

use crate::hub::Hub;
use crate::session::Outbox;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;
use ukemi_core::engine::queue::{Busy, Entry, JobQueue};
use ukemi_core::engine::{self, CardWork, Hooks, Job, Next, Readers, Service, ServiceWork, Work};
use ukemi_core::protocol::{ErrorCode, ErrorDetail, Message, ProgressStep, ServerMessage};

/// What waits for the card thread: a page's card work, or news from the reader watcher.
pub enum CardItem {
    Page(CardWork, Outbox),
    /// A card appeared; identify it and tell every page.
    #[cfg_attr(not(feature = "pcsc"), allow(dead_code))]
    Arrived {
        reader: String,
    },
    /// The card went away.
    #[cfg_attr(not(feature = "pcsc"), allow(dead_code))]
    Left {
        reader: String,
    },
}

pub struct ServiceItem(ServiceWork, Outbox);

/// One worker's line.
pub struct Lane<T> {
    queue: Mutex<JobQueue<T>>,
    ready: Condvar,
}

impl<T> Default for Lane<T> {
    fn default() -> Self {
        Lane {
            queue: Mutex::new(JobQueue::default()),
            ready: Condvar::new(),
        }
    }
}

impl<T> Lane<T> {
    fn with<R>(&self, f: impl FnOnce(&mut JobQueue<T>) -> R) -> Option<R> {
        let r = self.queue.lock().ok().map(|mut q| f(&mut q));
        self.ready.notify_one();
        r
    }

    fn take(&self) -> Option<Entry<T>> {
        let mut q = self.queue.lock().ok()?;
        loop {
            if let Some(e) = q.take() {
                return Some(e);
            }
            q = self.ready.wait(q).ok()?;
        }
    }

    fn finished(&self) {
        self.with(|q| q.finished());
    }
}

#[derive(Clone, Default)]
pub struct Lanes {
    pub card: Arc<Lane<CardItem>>,
    pub service: Arc<Lane<ServiceItem>>,
}

impl Lanes {
    /// Admits a page's job. `Ok(n)`: admitted with `n` pieces of other pages' work ahead.
    pub fn submit(
        &self,
        conn: u64,
        req: Option<u64>,
        job: Job,
        reply: &Outbox,
    ) -> Result<u32, (ErrorCode, ErrorDetail)> {
        let busy = |b: Busy| {
            (
                ErrorCode::Busy,
                ErrorDetail {
                    queue_position: Some(b.position),
                    ..Default::default()
                },
            )
        };
        let internal = (ErrorCode::Internal, ErrorDetail::default());
        match engine::start(job)? {
            Work::Card(w) => self
                .card
                .with(|q| q.admit(conn, req, CardItem::Page(w, reply.clone())))
                .ok_or(internal)?
                .map_err(busy),
            Work::Service(w) => self
                .service
                .with(|q| q.admit(conn, req, ServiceItem(w, reply.clone())))
                .ok_or(internal)?
                .map_err(busy),
        }
    }

    /// News from the reader watcher, behind the pages' work already waiting.
    #[cfg_attr(not(feature = "pcsc"), allow(dead_code))]
    pub fn card_event(&self, item: CardItem) {
        self.card.with(|q| q.continue_with(0, None, item));
    }

    /// The page left: its waiting work is dropped. Returns how many pieces.
    pub fn drop_conn(&self, conn: u64) -> usize {
        self.card.with(|q| q.drop_conn(conn)).unwrap_or(0)
            + self.service.with(|q| q.drop_conn(conn)).unwrap_or(0)
    }

    /// Hands the next piece of a job to the other worker.
    fn then(&self, conn: u64, req: Option<u64>, work: Work, reply: Outbox) {
        match work {
            Work::Card(w) => {
                self.card
                    .with(|q| q.continue_with(conn, req, CardItem::Page(w, reply)));
            }
            Work::Service(w) => {
                self.service
                    .with(|q| q.continue_with(conn, req, ServiceItem(w, reply)));
            }
        }
    }
}

/// What a step led to, carried out only after the worker has let go of the page's slot: a
/// page that sends its next command the moment it reads the answer must find it free.
enum Outcome {
    Answer(Outbox, ServerMessage),
    Then(u64, Option<u64>, Work, Outbox),
}

impl Outcome {
    fn carry_out(self, lanes: &Lanes) {
        match self {
            Outcome::Answer(reply, m) => {
                reply.send(m);
            }
            Outcome::Then(conn, req, work, reply) => lanes.then(conn, req, work, reply),
        }
    }
}

/// Runs `f` with hooks that send progress on `reply` and log diagnostics; returns the next
/// piece of work or the answer.
fn step(
    conn: u64,
    req: Option<u64>,
    reply: Outbox,
    what: &str,
    f: impl FnOnce(&Hooks<'_>) -> Result<Next, (ErrorCode, ErrorDetail)>,
) -> Outcome {
    let progress = |step: ProgressStep| {
        reply.send(ServerMessage {
            req,
            body: Message::Progress {
                step,
                queue_position: None,
            },
        });
    };
    let diagnostic = |d: String| crate::warn!("conn={conn} req={req:?} {d}");
    let hooks = Hooks {
        progress: &progress,
        diagnostic: &diagnostic,
    };
    let started = Instant::now();
    let result = f(&hooks);
    // How long each side took, so support (and the latency benchmark) can tell the card's
    // and the service's share from the companion's own.
    crate::info!(
        "conn={conn} req={req:?} {what} took {} us",
        started.elapsed().as_micros()
    );
    let body = match result {
        Ok(Next::Then(work)) => return Outcome::Then(conn, req, work, reply),
        Ok(Next::Done(body)) => body,
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
    Outcome::Answer(reply, ServerMessage { req, body })
}

/// The card thread.
pub fn run_card<R: Readers>(mut readers: R, lanes: Lanes, hub: Hub) {
    while let Some(e) = lanes.card.take() {
        let answer = match e.item {
            CardItem::Arrived { reader } => {
                if let Some(card) = readers.card_arrived(&reader) {
                    crate::info!("card inserted: {:?}", card.kind);
                    hub.publish(Message::CardInserted { reader, card });
                }
                None
            }
            CardItem::Left { reader } => {
                readers.card_left(&reader);
                crate::info!("card removed");
                hub.publish(Message::CardRemoved { reader });
                None
            }
            CardItem::Page(work, reply) => Some(step(e.conn, e.req, reply, "card", |hooks| {
                engine::run_card(&mut readers, work, hooks)
            })),
        };
        lanes.card.finished();
        if let Some(o) = answer {
            o.carry_out(&lanes);
        }
        for event in readers.take_events() {
            hub.publish(event);
        }
    }
}

/// The service thread.
pub fn run_service<S: Service>(mut service: S, lanes: Lanes) {
    while let Some(e) = lanes.service.take() {
        let ServiceItem(work, reply) = e.item;
        let outcome = step(e.conn, e.req, reply, "service", |hooks| {
            engine::run_service(&mut service, work, hooks)
        });
        lanes.service.finished();
        outcome.carry_out(&lanes);
    }
}
