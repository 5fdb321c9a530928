//! The trainer demo's in-process companion (cargo feature `sim`: only the demo build links
//! the simulators). See `demo.rs`.

use super::{Delivery, DEMO_HOST};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::sync::{Arc, Mutex};
use ukemi_core::engine::{self, Hooks};
use ukemi_core::protocol::pairing::Pairings;
use ukemi_core::protocol::session::{Access, Context, Effect, Session, Settings};
use ukemi_core::protocol::{
    encode, jst_timestamp, ClientInfo, ClientMessage, Command, CompanionStatus, Message,
    ProgressStep, ServerMessage,
};
use ukemi_core::sim::adapter::SimService;
use ukemi_core::sim::readers::SimReaders;
use ukemi_core::sim::Simulator;
use ukemi_core::Date;

/// Today in Japan, from the browser's clock.
pub fn today_jst() -> Date {
    let ms = js_sys::Date::now();
    Date::from_days(((ms / 1000.0 + 9.0 * 3600.0) / 86_400.0).floor() as i64)
}

pub struct DemoCompanion {
    readers: SimReaders,
    service: SimService,
    session: Session,
    pairings: Pairings,
    rng: ChaCha20Rng,
    settings: Settings,
}

fn seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut seed).is_ok());
    if !filled {
        for b in seed.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    seed
}

impl DemoCompanion {
    /// Builds the simulated world. Generating its test keys takes a moment in the browser.
    pub fn new() -> Result<DemoCompanion, String> {
        let sim = Simulator::new(1, today_jst()).map_err(|e| e.to_string())?;
        let sim = Arc::new(Mutex::new(sim));
        let mut rng = ChaCha20Rng::from_seed(seed());
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        let access = Access {
            trusted: true,
            book: true,
        };
        let session = Session::new(1, &origin, DEMO_HOST, access, now_ms(), &mut rng);
        Ok(DemoCompanion {
            readers: SimReaders::new(Arc::clone(&sim)),
            service: SimService::new(sim, seed(), today_jst),
            session,
            pairings: Pairings::load(None, &mut rng),
            rng,
            settings: Settings {
                companion: ClientInfo {
                    name: "ukemi-demo".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                },
                simulator: true,
                demo: true,
                approve_url: String::new(),
                book: false,
            },
        })
    }

    pub fn handle(&mut self, req: u64, command: Command) -> Vec<Delivery> {
        let text = encode(&ClientMessage {
            req: Some(req),
            command,
        });
        let effects = {
            let mut cx = Context {
                pairings: &mut self.pairings,
                rng: &mut self.rng,
                now_ms: now_ms(),
                settings: &self.settings,
            };
            self.session.on_text(&text, &mut cx)
        };
        let mut out = Vec::new();
        for e in effects {
            match e {
                Effect::Send(message) => out.push(Delivery {
                    message,
                    delay_ms: 0,
                }),
                Effect::Status { req } => {
                    let secs = (js_sys::Date::now() / 1000.0).floor() as i64;
                    out.push(Delivery {
                        message: ServerMessage {
                            req,
                            body: Message::Status(Box::new(CompanionStatus::simulated(
                                env!("CARGO_PKG_VERSION"),
                                jst_timestamp(secs),
                            ))),
                        },
                        delay_ms: 0,
                    });
                }
                Effect::Run { req, job } => out.extend(self.run(req, job)),
                // The demo keeps no book (its settings say so; core answers for it).
                Effect::Book { .. } => {}
                // One page, in-process: no events to route, nothing to save or close.
                Effect::Subscribe
                | Effect::Unsubscribe
                | Effect::PairingsChanged
                | Effect::PairingPending
                | Effect::Close { .. }
                | Effect::Log(_) => {}
            }
        }
        out
    }

    fn run(&mut self, req: Option<u64>, job: engine::Job) -> Vec<Delivery> {
        let steps = std::cell::RefCell::new(Vec::new());
        let progress = |s: ProgressStep| steps.borrow_mut().push(s);
        let diagnostic = |_d: String| {};
        let hooks = Hooks {
            progress: &progress,
            diagnostic: &diagnostic,
        };
        self.service.last_delay_ms = 0;
        let body = match engine::handle(&mut self.readers, &mut self.service, job, &hooks) {
            Ok(b) => b,
            Err((code, detail)) => Message::error(code, detail),
        };
        let mut out: Vec<Delivery> = steps
            .into_inner()
            .into_iter()
            .map(|step| Delivery {
                message: ServerMessage {
                    req,
                    body: Message::Progress {
                        step,
                        queue_position: None,
                    },
                },
                delay_ms: 0,
            })
            .collect();
        out.extend(self.readers_events());
        out.push(Delivery {
            message: ServerMessage { req, body },
            delay_ms: self.service.last_delay_ms.min(10_000) as u32,
        });
        out
    }

    fn readers_events(&mut self) -> Vec<Delivery> {
        use ukemi_core::engine::Readers;
        self.readers
            .take_events()
            .into_iter()
            .map(|body| Delivery {
                message: ServerMessage { req: None, body },
                delay_ms: 0,
            })
            .collect()
    }
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}
