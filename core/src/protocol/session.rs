//! One page's connection, decided in one place for the companion and the trainer demo:
//! the stages (HELLO → pairing or proof → commands), API-level negotiation, the features
//! offered, pairing and the proof of the shared key, and the deadlines an unpaired
//! connection must meet. Pure and clock-injected: the caller feeds it frames, the time and
//! an RNG, and carries out the [`Effect`]s it returns (send, run a job, subscribe to events,
//! close). The companion's `session.rs` and the web demo are thin adapters around it.

use super::auth::{self, Binding, NONCE_LEN};
use super::pairing::{Pairings, Refused, Requested, PAIRING_TTL_MS};
use super::{
    decode_client, negotiate, ClientInfo, Command, ErrorCode, ErrorDetail, Message, PairingState,
    ServerMessage, API_LEVELS,
};
use crate::engine::Job;
use rand_core::RngCore;

/// A new connection must say `HELLO` within this time.
pub const HELLO_DEADLINE_MS: u64 = 5_000;
/// After `HELLO`, an unpaired connection must `AUTH` or `PAIR` within this time (also
/// after a refused or expired request): idle unpaired connections do not hold a slot.
pub const AUTH_DEADLINE_MS: u64 = 30_000;

/// What the companion (or the demo) is.
#[derive(Debug, Clone)]
pub struct Settings {
    pub companion: ClientInfo,
    /// The simulated reader is in use (`SIM_*` commands work).
    pub simulator: bool,
    /// The browser-only trainer demo.
    pub demo: bool,
    /// Where a person at the PC approves pairings (shown to the asking page).
    pub approve_url: String,
    /// The companion keeps the book's durable copy (`BOOK_*` commands).
    pub book: bool,
}

impl Settings {
    /// The `features` offered in `HELLO` to a page allowed the book (`book`) or not: the
    /// same list for the companion and the demo.
    pub fn features(&self, book: bool) -> Vec<String> {
        [
            "check_by_card",
            "check_by_insurance",
            "import_results",
            "pairing",
            "status",
        ]
        .into_iter()
        .chain((self.book && book).then_some("book"))
        .chain(self.simulator.then_some("simulator"))
        .chain(self.demo.then_some("demo"))
        .map(str::to_string)
        .collect()
    }
}

/// What the companion's administrator allows a page's origin (the companion decides from
/// its lists; docs/protocol.md, "Origins").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Access {
    /// Listed as trusted: its pairing is approved without a click.
    pub trusted: bool,
    /// May read and change the clinic's book (`BOOK_*`, `BACKUP_RESTORE`, `BOOK_CHANGED`):
    /// the companion's own pages and the origins listed for the book. A vendor's portal that
    /// embeds the widget checks eligibility and never sees the clinic's patients.
    pub book: bool,
}

/// Everything a step needs from outside.
pub struct Context<'a> {
    pub pairings: &'a mut Pairings,
    pub rng: &'a mut dyn RngCore,
    pub now_ms: u64,
    pub settings: &'a Settings,
}

/// What the caller must do.
#[derive(Debug)]
pub enum Effect {
    Send(ServerMessage),
    /// Run a job for this page (the caller's job admission may answer `BUSY`).
    Run {
        req: Option<u64>,
        job: Job,
    },
    /// Answer `GET_STATUS` (beside the card worker).
    Status {
        req: Option<u64>,
    },
    /// A `BOOK_*` or `BACKUP_*` command, for the companion's book thread.
    Book {
        req: Option<u64>,
        command: Command,
    },
    /// Events (readers, cards) now go to this page; or no longer.
    Subscribe,
    Unsubscribe,
    /// The pairing store changed (a key was made or removed): save it.
    PairingsChanged,
    /// A request now waits on the approval page (the companion says so in its log).
    PairingPending,
    /// Close the connection with this WebSocket close code and reason.
    Close {
        code: u16,
        reason: &'static str,
    },
    /// A line for the vendor's log: names, codes and counts only.
    Log(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    NeedHello,
    NeedAuth,
    /// `PAIR` (with this `req`) waits for the approval page.
    Pairing {
        req: Option<u64>,
    },
    Ready,
}

pub struct Session {
    conn: u64,
    origin: String,
    host: String,
    access: Access,
    stage: Stage,
    nonce: [u8; NONCE_LEN],
    deadline_ms: Option<u64>,
}

fn send(req: Option<u64>, body: Message) -> Effect {
    Effect::Send(ServerMessage { req, body })
}

fn error(req: Option<u64>, code: ErrorCode, detail: ErrorDetail) -> Effect {
    send(req, Message::error(code, detail))
}

fn refused(req: Option<u64>, r: Refused) -> Effect {
    let ms = match r {
        Refused::RateLimited { retry_after_ms } => retry_after_ms.max(1),
        Refused::TooManyPending => 10_000,
    };
    error(
        req,
        ErrorCode::PairingRateLimited,
        ErrorDetail::retry_after(ms),
    )
}

impl Session {
    /// A connection from `origin` that dialled `host` (`127.0.0.1:47615`), accepted at
    /// `now_ms`, with what the administrator allows its origin.
    pub fn new(
        conn: u64,
        origin: &str,
        host: &str,
        access: Access,
        now_ms: u64,
        rng: &mut dyn RngCore,
    ) -> Session {
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        Session {
            conn,
            origin: origin.to_string(),
            host: host.to_ascii_lowercase(),
            access,
            stage: Stage::NeedHello,
            nonce,
            deadline_ms: Some(now_ms + HELLO_DEADLINE_MS),
        }
    }

    pub fn conn(&self) -> u64 {
        self.conn
    }

    /// The page has paired or proved its key: commands are accepted.
    pub fn is_ready(&self) -> bool {
        self.stage == Stage::Ready
    }

    /// When [`Session::on_tick`] must be called next.
    pub fn deadline_ms(&self) -> Option<u64> {
        self.deadline_ms
    }

    /// One text frame from the page.
    pub fn on_text(&mut self, text: &str, cx: &mut Context<'_>) -> Vec<Effect> {
        let msg = match decode_client(text) {
            Ok(m) => m,
            Err(e) => {
                return vec![
                    Effect::Log(format!("req={:?} refused frame: {}", e.req, e.reason)),
                    error(e.req, e.code, ErrorDetail::default()),
                ]
            }
        };
        let req = msg.req;
        let cmd = msg.command;
        let mut out = vec![Effect::Log(format!("req={req:?} {}", cmd.name()))];
        if self.stage == Stage::NeedHello && !matches!(cmd, Command::Hello { .. }) {
            out.push(error(req, ErrorCode::HelloRequired, ErrorDetail::default()));
            return out;
        }
        if self.stage != Stage::Ready && !cmd.allowed_unpaired() {
            out.push(error(req, ErrorCode::NotPaired, ErrorDetail::default()));
            return out;
        }
        match cmd {
            Command::Hello { api_levels, client } => {
                out.extend(self.hello(req, &api_levels, &client, cx))
            }
            Command::Pair => out.extend(self.pair(req, cx)),
            Command::Auth { nonce, proof } => out.extend(self.auth(req, &nonce, &proof, cx)),
            Command::Unpair => {
                cx.pairings.unpair(&self.origin);
                out.push(Effect::PairingsChanged);
                if self.stage == Stage::Ready {
                    out.push(Effect::Unsubscribe);
                }
                self.stage = Stage::NeedAuth;
                self.deadline_ms = Some(cx.now_ms + AUTH_DEADLINE_MS);
                out.push(send(req, Message::Ok));
            }
            Command::GetStatus => out.push(Effect::Status { req }),
            c @ (Command::BookInfo
            | Command::BookPush { .. }
            | Command::BookPull
            | Command::BookTrail { .. }
            | Command::BackupRestore { .. }) => {
                if !cx.settings.book {
                    out.push(error(
                        req,
                        ErrorCode::BookUnavailable,
                        ErrorDetail::default(),
                    ));
                } else if !self.access.book {
                    out.push(Effect::Log(format!(
                        "req={req:?} book refused: origin not allowed the book"
                    )));
                    out.push(error(
                        req,
                        ErrorCode::BookNotAllowed,
                        ErrorDetail::default(),
                    ));
                } else {
                    out.push(Effect::Book { req, command: c });
                }
            }
            other => match Job::from_command(other) {
                Some(job) => out.push(Effect::Run { req, job }),
                None => out.push(error(req, ErrorCode::Internal, ErrorDetail::default())),
            },
        }
        out
    }

    /// A binary frame: not part of the protocol.
    pub fn on_binary(&mut self) -> Vec<Effect> {
        vec![error(
            None,
            ErrorCode::BinaryNotSupported,
            ErrorDetail::default(),
        )]
    }

    fn hello(
        &mut self,
        req: Option<u64>,
        levels: &[u32],
        client: &ClientInfo,
        cx: &mut Context<'_>,
    ) -> Vec<Effect> {
        let Some(level) = negotiate(levels) else {
            let detail = ErrorDetail {
                supported: Some(API_LEVELS.to_vec()),
                ..Default::default()
            };
            return vec![error(req, ErrorCode::UnsupportedApiLevel, detail)];
        };
        let mut out = vec![Effect::Log(format!(
            "hello from {:.40} {:.20}, api level {level}",
            client.name, client.version
        ))];
        if self.stage == Stage::NeedHello {
            self.stage = Stage::NeedAuth;
            self.deadline_ms = Some(cx.now_ms + AUTH_DEADLINE_MS);
        }
        out.push(send(
            req,
            Message::Hello {
                api_level: level,
                companion: cx.settings.companion.clone(),
                simulator: cx.settings.simulator,
                origin: self.origin.clone(),
                pairing: if self.access.trusted {
                    PairingState::Trusted
                } else {
                    PairingState::Required
                },
                features: cx.settings.features(self.access.book),
                companion_id: cx.pairings.companion_id().to_string(),
                nonce: auth::hex(&self.nonce),
            },
        ));
        out
    }

    fn pair(&mut self, req: Option<u64>, cx: &mut Context<'_>) -> Vec<Effect> {
        match cx.pairings.request(
            self.conn,
            &self.origin,
            self.access.trusted,
            cx.now_ms,
            cx.rng,
        ) {
            Ok(Requested::Approved(key)) => {
                let mut out = vec![
                    Effect::Log("paired (trusted origin)".into()),
                    Effect::PairingsChanged,
                ];
                out.extend(self.become_ready());
                out.push(send(
                    req,
                    Message::Paired {
                        companion_id: cx.pairings.companion_id().to_string(),
                        key: key.to_hex(),
                    },
                ));
                out
            }
            Ok(Requested::Pending { code, .. }) => {
                let mut out = Vec::new();
                if self.stage == Stage::Ready {
                    out.push(Effect::Unsubscribe);
                }
                self.stage = Stage::Pairing { req };
                self.deadline_ms = Some(cx.now_ms + PAIRING_TTL_MS);
                out.push(Effect::PairingPending);
                out.push(send(
                    req,
                    Message::PairingPending {
                        code,
                        approve_url: cx.settings.approve_url.clone(),
                    },
                ));
                out
            }
            Err(r) => vec![
                Effect::Log(format!("pairing request refused: {r:?}")),
                refused(req, r),
            ],
        }
    }

    fn auth(
        &mut self,
        req: Option<u64>,
        nonce: &str,
        proof: &str,
        cx: &mut Context<'_>,
    ) -> Vec<Effect> {
        if let Err(r) = cx.pairings.admit(&self.origin, cx.now_ms) {
            return vec![refused(req, r)];
        }
        let Some(key) = cx.pairings.key(&self.origin) else {
            return vec![
                Effect::Log("auth: no key for this origin".into()),
                error(req, ErrorCode::KeyUnknown, ErrorDetail::default()),
            ];
        };
        let page_nonce = match auth::from_hex(nonce) {
            Some(n) if n.len() == NONCE_LEN => n,
            _ => {
                return vec![error(
                    req,
                    ErrorCode::InvalidMessage,
                    ErrorDetail::field("nonce"),
                )]
            }
        };
        let binding = Binding {
            origin: &self.origin,
            host: &self.host,
            companion_nonce: &self.nonce,
            page_nonce: &page_nonce,
        };
        if !auth::proof_matches(&auth::page_proof(key, &binding), proof) {
            let wait = cx.pairings.failed(&self.origin, cx.now_ms);
            return vec![
                Effect::Log("auth: wrong proof".into()),
                error(req, ErrorCode::ProofWrong, ErrorDetail::retry_after(wait)),
            ];
        }
        let answer = auth::hex(&auth::companion_proof(key, &binding));
        cx.pairings.proved(&self.origin);
        let mut out = vec![Effect::Log("authenticated".into())];
        out.extend(self.become_ready());
        out.push(send(req, Message::Authenticated { proof: answer }));
        out
    }

    fn become_ready(&mut self) -> Vec<Effect> {
        let was = self.stage == Stage::Ready;
        self.stage = Stage::Ready;
        self.deadline_ms = None;
        if was {
            vec![]
        } else {
            vec![Effect::Subscribe]
        }
    }

    /// The approval page decided this connection's request: `key` when approved.
    pub fn on_pairing_decided(
        &mut self,
        key: Option<&auth::SharedKey>,
        cx: &mut Context<'_>,
    ) -> Vec<Effect> {
        let Stage::Pairing { req } = self.stage else {
            return vec![];
        };
        match key {
            Some(key) => {
                let mut out = vec![
                    Effect::Log("paired (approved on this PC)".into()),
                    Effect::PairingsChanged,
                ];
                out.extend(self.become_ready());
                out.push(send(
                    req,
                    Message::Paired {
                        companion_id: cx.pairings.companion_id().to_string(),
                        key: key.to_hex(),
                    },
                ));
                out
            }
            None => {
                self.stage = Stage::NeedAuth;
                self.deadline_ms = Some(cx.now_ms + AUTH_DEADLINE_MS);
                vec![
                    Effect::Log("pairing refused on this PC".into()),
                    error(req, ErrorCode::PairingRefused, ErrorDetail::default()),
                ]
            }
        }
    }

    /// Time passed; call at [`Session::deadline_ms`].
    pub fn on_tick(&mut self, cx: &mut Context<'_>) -> Vec<Effect> {
        match self.deadline_ms {
            Some(d) if cx.now_ms >= d => {}
            _ => return vec![],
        }
        match self.stage {
            Stage::NeedHello => {
                self.deadline_ms = None;
                vec![
                    Effect::Log("no HELLO in time".into()),
                    Effect::Close {
                        code: 1008,
                        reason: "no HELLO in time",
                    },
                ]
            }
            Stage::NeedAuth => {
                self.deadline_ms = None;
                vec![
                    Effect::Log("not paired in time".into()),
                    Effect::Close {
                        code: 1008,
                        reason: "not paired in time",
                    },
                ]
            }
            Stage::Pairing { req } => {
                cx.pairings.expire(self.conn, cx.now_ms);
                self.stage = Stage::NeedAuth;
                self.deadline_ms = Some(cx.now_ms + AUTH_DEADLINE_MS);
                vec![
                    Effect::Log("pairing request expired".into()),
                    error(req, ErrorCode::PairingExpired, ErrorDetail::default()),
                ]
            }
            Stage::Ready => {
                self.deadline_ms = None;
                vec![]
            }
        }
    }

    /// The connection ended: a waiting request leaves the approval page.
    pub fn on_close(&mut self, cx: &mut Context<'_>) {
        cx.pairings.cancel(self.conn);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::auth::SharedKey;
    use crate::protocol::{decode_server, encode, ClientMessage};
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    const ORIGIN: &str = "http://127.0.0.1:47615";
    const HOST: &str = "127.0.0.1:47615";

    struct World {
        pairings: Pairings,
        rng: ChaCha20Rng,
        now: u64,
        settings: Settings,
    }

    impl World {
        fn new() -> World {
            let mut rng = ChaCha20Rng::seed_from_u64(7);
            World {
                pairings: Pairings::load(None, &mut rng),
                rng,
                now: 1_000,
                settings: Settings {
                    companion: ClientInfo {
                        name: "ukemi-companion".into(),
                        version: "0".into(),
                    },
                    simulator: true,
                    demo: false,
                    approve_url: "http://127.0.0.1:47615/pair".into(),
                    book: true,
                },
            }
        }
        fn session(&mut self, conn: u64, trusted: bool) -> Session {
            let access = Access {
                trusted,
                book: true,
            };
            Session::new(conn, ORIGIN, HOST, access, self.now, &mut self.rng)
        }
        fn cx(&mut self) -> Context<'_> {
            Context {
                pairings: &mut self.pairings,
                rng: &mut self.rng,
                now_ms: self.now,
                settings: &self.settings,
            }
        }
        fn text(&mut self, s: &mut Session, req: u64, c: Command) -> Vec<Effect> {
            let t = encode(&ClientMessage {
                req: Some(req),
                command: c,
            });
            let mut cx = self.cx();
            s.on_text(&t, &mut cx)
        }
    }

    fn hello() -> Command {
        Command::Hello {
            api_levels: API_LEVELS.to_vec(),
            client: ClientInfo {
                name: "t".into(),
                version: "0".into(),
            },
        }
    }

    fn sent(effects: &[Effect]) -> Vec<Message> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Send(m) => decode_server(&encode(m)).ok().map(|m| m.body),
                _ => None,
            })
            .collect()
    }

    fn code_of(effects: &[Effect]) -> Option<ErrorCode> {
        sent(effects).into_iter().find_map(|m| match m {
            Message::Error { code, .. } => Some(code),
            _ => None,
        })
    }

    /// HELLO, then the companion's nonce and id.
    fn greet(w: &mut World, s: &mut Session) -> (Vec<u8>, String) {
        let out = w.text(s, 1, hello());
        match sent(&out).pop() {
            Some(Message::Hello {
                nonce,
                companion_id,
                ..
            }) => (auth::from_hex(&nonce).expect("hex"), companion_id),
            other => panic!("{other:?}"),
        }
    }

    fn auth_cmd(key: &SharedKey, nc: &[u8], np: &[u8], host: &str) -> Command {
        let b = Binding {
            origin: ORIGIN,
            host,
            companion_nonce: nc,
            page_nonce: np,
        };
        Command::Auth {
            nonce: auth::hex(np),
            proof: auth::hex(&auth::page_proof(key, &b)),
        }
    }

    /// Pairs through the approval page and returns the key the page received.
    fn pair_approved(w: &mut World, s: &mut Session) -> SharedKey {
        greet(w, s);
        let out = w.text(s, 2, Command::Pair);
        assert!(out.iter().any(|e| matches!(e, Effect::PairingPending)));
        let Some(Message::PairingPending { code, approve_url }) = sent(&out).pop() else {
            panic!("{out:?}")
        };
        assert_eq!(approve_url, "http://127.0.0.1:47615/pair");
        assert_eq!(w.pairings.pending()[0].code, code);
        assert!(!s.is_ready());
        let id = w.pairings.pending()[0].id.clone();
        let d = w
            .pairings
            .decide(&id, true, w.now, &mut w.rng)
            .expect("decided");
        assert_eq!(d.conn, s.conn());
        let mut cx = w.cx();
        let out = s.on_pairing_decided(d.key.as_ref(), &mut cx);
        assert!(s.is_ready());
        assert!(out.iter().any(|e| matches!(e, Effect::Subscribe)));
        match sent(&out).pop() {
            Some(Message::Paired { key, .. }) => SharedKey::from_hex(&key).expect("key"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn hello_first_then_pairing_then_commands() {
        let mut w = World::new();
        let mut s = w.session(1, false);
        assert_eq!(
            code_of(&w.text(&mut s, 1, Command::GetReaders)),
            Some(ErrorCode::HelloRequired)
        );
        greet(&mut w, &mut s);
        assert_eq!(
            code_of(&w.text(&mut s, 2, Command::GetReaders)),
            Some(ErrorCode::NotPaired)
        );
        pair_approved(&mut w, &mut s);
        let out = w.text(&mut s, 3, Command::GetReaders);
        assert!(matches!(
            out.last(),
            Some(Effect::Run {
                req: Some(3),
                job: Job::Readers
            })
        ));
        assert!(matches!(
            w.text(&mut s, 4, Command::GetStatus).last(),
            Some(Effect::Status { req: Some(4) })
        ));
    }

    #[test]
    fn the_book_needs_a_paired_page_and_a_companion_that_keeps_it() {
        let mut w = World::new();
        let mut s = w.session(1, false);
        greet(&mut w, &mut s);
        assert_eq!(
            code_of(&w.text(&mut s, 2, Command::BookPull)),
            Some(ErrorCode::NotPaired)
        );
        pair_approved(&mut w, &mut s);
        assert!(matches!(
            w.text(&mut s, 3, Command::BookInfo).last(),
            Some(Effect::Book {
                req: Some(3),
                command: Command::BookInfo
            })
        ));
        assert!(w.settings.features(true).contains(&"book".to_string()));
        // The demo keeps no book: it says so, and does not offer the feature.
        w.settings.book = false;
        assert_eq!(
            code_of(&w.text(&mut s, 4, Command::BookInfo)),
            Some(ErrorCode::BookUnavailable)
        );
        assert!(!w.settings.features(true).contains(&"book".to_string()));
    }

    #[test]
    fn an_origin_not_allowed_the_book_checks_eligibility_but_never_sees_the_book() {
        let mut w = World::new();
        let access = Access {
            trusted: false,
            book: false,
        };
        let mut s = Session::new(1, ORIGIN, HOST, access, w.now, &mut w.rng);
        let out = w.text(&mut s, 1, hello());
        let Some(Message::Hello { features, .. }) = sent(&out).pop() else {
            panic!("no HELLO: {out:?}")
        };
        assert!(!features.contains(&"book".to_string()), "{features:?}");
        assert!(features.contains(&"check_by_card".to_string()));
        pair_approved(&mut w, &mut s);
        for (req, cmd) in [
            (3, Command::BookInfo),
            (4, Command::BookPull),
            (
                5,
                Command::BookTrail {
                    before: None,
                    limit: 10,
                },
            ),
        ] {
            let out = w.text(&mut s, req, cmd);
            assert_eq!(code_of(&out), Some(ErrorCode::BookNotAllowed), "{out:?}");
            assert!(!out.iter().any(|e| matches!(e, Effect::Book { .. })));
        }
        // Eligibility still runs.
        assert!(matches!(
            w.text(&mut s, 6, Command::GetReaders).last(),
            Some(Effect::Run { req: Some(6), .. })
        ));
    }

    #[test]
    fn features_are_the_same_for_the_companion_and_the_demo() {
        let mut w = World::new();
        let companion = w.settings.features(true);
        w.settings.demo = true;
        let demo = w.settings.features(true);
        assert!(companion.iter().all(|f| demo.contains(f)));
        assert!(demo.contains(&"import_results".to_string()));
        assert!(demo.contains(&"demo".to_string()));
    }

    #[test]
    fn unsupported_api_level_lists_ours() {
        let mut w = World::new();
        let mut s = w.session(1, false);
        let out = w.text(
            &mut s,
            1,
            Command::Hello {
                api_levels: vec![1],
                client: ClientInfo {
                    name: "old".into(),
                    version: "0".into(),
                },
            },
        );
        assert_eq!(code_of(&out), Some(ErrorCode::UnsupportedApiLevel));
    }

    #[test]
    fn a_kept_key_is_proved_both_ways_and_nothing_reusable_crosses() {
        let mut w = World::new();
        let mut first = w.session(1, false);
        let key = pair_approved(&mut w, &mut first);

        let mut s = w.session(2, false);
        let (nc, id) = greet(&mut w, &mut s);
        assert_eq!(id, w.pairings.companion_id());
        let np = [9u8; NONCE_LEN];
        let out = w.text(&mut s, 2, auth_cmd(&key, &nc, &np, HOST));
        let proof = match sent(&out).pop() {
            Some(Message::Authenticated { proof }) => proof,
            other => panic!("{other:?}"),
        };
        // The page checks the companion's proof with the same binding.
        let b = Binding {
            origin: ORIGIN,
            host: HOST,
            companion_nonce: &nc,
            page_nonce: &np,
        };
        assert!(auth::proof_matches(
            &auth::companion_proof(&key, &b),
            &proof
        ));
        assert!(s.is_ready());

        // The same AUTH replayed on another connection fails: its companion nonce differs.
        let mut replay = w.session(3, false);
        greet(&mut w, &mut replay);
        let out = w.text(&mut replay, 2, auth_cmd(&key, &nc, &np, HOST));
        assert_eq!(code_of(&out), Some(ErrorCode::ProofWrong));
        assert!(!replay.is_ready());
    }

    #[test]
    fn a_proof_made_for_a_squatters_port_fails_at_the_real_companion() {
        let mut w = World::new();
        let mut first = w.session(1, false);
        let key = pair_approved(&mut w, &mut first);
        let mut s = w.session(2, false);
        let (nc, _) = greet(&mut w, &mut s);
        // The page dialled the squatter on 47616, which relays the page's AUTH here.
        let out = w.text(
            &mut s,
            2,
            auth_cmd(&key, &nc, &[1; NONCE_LEN], "127.0.0.1:47616"),
        );
        assert_eq!(code_of(&out), Some(ErrorCode::ProofWrong));
        // Wrong proofs slow this origin down.
        let out = w.text(&mut s, 3, auth_cmd(&key, &nc, &[2; NONCE_LEN], HOST));
        assert_eq!(code_of(&out), Some(ErrorCode::PairingRateLimited));
        w.now += 1_000;
        let out = w.text(&mut s, 4, auth_cmd(&key, &nc, &[2; NONCE_LEN], HOST));
        assert!(s.is_ready(), "{out:?}");
    }

    #[test]
    fn an_unknown_origin_key_and_a_bad_nonce_are_told_apart() {
        let mut w = World::new();
        let mut s = w.session(1, false);
        let (nc, _) = greet(&mut w, &mut s);
        let key = SharedKey::from_bytes([1; 32]);
        assert_eq!(
            code_of(&w.text(&mut s, 2, auth_cmd(&key, &nc, &[1; NONCE_LEN], HOST))),
            Some(ErrorCode::KeyUnknown)
        );
        let mut p = w.session(2, false);
        let k = pair_approved(&mut w, &mut p);
        let out = w.text(
            &mut s,
            3,
            Command::Auth {
                nonce: "00".into(),
                proof: auth::hex(&auth::page_proof(
                    &k,
                    &Binding {
                        origin: ORIGIN,
                        host: HOST,
                        companion_nonce: &nc,
                        page_nonce: &[0],
                    },
                )),
            },
        );
        assert_eq!(code_of(&out), Some(ErrorCode::InvalidMessage));
    }

    #[test]
    fn trusted_origins_pair_without_a_click_but_still_get_a_key() {
        let mut w = World::new();
        let mut s = w.session(1, true);
        let out = w.text(&mut s, 1, hello());
        assert!(matches!(
            sent(&out).pop(),
            Some(Message::Hello {
                pairing: PairingState::Trusted,
                ..
            })
        ));
        assert_eq!(
            code_of(&w.text(&mut s, 2, Command::GetReaders)),
            Some(ErrorCode::NotPaired),
            "trusted still means: pair and prove"
        );
        let out = w.text(&mut s, 3, Command::Pair);
        assert!(matches!(sent(&out).pop(), Some(Message::Paired { .. })));
        assert!(s.is_ready());
    }

    #[test]
    fn refused_and_expired_requests_are_answered_and_slow_that_origin() {
        let mut w = World::new();
        let mut s = w.session(1, false);
        greet(&mut w, &mut s);
        w.text(&mut s, 2, Command::Pair);
        let id = w.pairings.pending()[0].id.clone();
        let d = w.pairings.decide(&id, false, w.now, &mut w.rng).expect("d");
        let mut cx = w.cx();
        let out = s.on_pairing_decided(d.key.as_ref(), &mut cx);
        assert_eq!(code_of(&out), Some(ErrorCode::PairingRefused));
        assert_eq!(
            code_of(&w.text(&mut s, 3, Command::Pair)),
            Some(ErrorCode::PairingRateLimited)
        );
        w.now += 1_000;
        w.text(&mut s, 4, Command::Pair);
        assert_eq!(s.deadline_ms(), Some(w.now + PAIRING_TTL_MS));
        w.now += PAIRING_TTL_MS;
        let mut cx = w.cx();
        let out = s.on_tick(&mut cx);
        assert_eq!(code_of(&out), Some(ErrorCode::PairingExpired));
        assert!(w.pairings.pending().is_empty());
    }

    #[test]
    fn deadlines_close_idle_unpaired_connections_but_not_paired_ones() {
        let mut w = World::new();
        let mut s = w.session(1, false);
        assert_eq!(s.deadline_ms(), Some(w.now + HELLO_DEADLINE_MS));
        w.now += HELLO_DEADLINE_MS - 1;
        assert!(s.on_tick(&mut w.cx()).is_empty());
        w.now += 1;
        let out = s.on_tick(&mut w.cx());
        assert!(matches!(out.last(), Some(Effect::Close { code: 1008, .. })));

        let mut s = w.session(2, false);
        greet(&mut w, &mut s);
        w.now += AUTH_DEADLINE_MS;
        assert!(matches!(
            s.on_tick(&mut w.cx()).last(),
            Some(Effect::Close { .. })
        ));

        let mut s = w.session(3, false);
        pair_approved(&mut w, &mut s);
        assert_eq!(s.deadline_ms(), None);
        w.now += 10 * AUTH_DEADLINE_MS;
        assert!(s.on_tick(&mut w.cx()).is_empty());
    }

    #[test]
    fn closing_a_waiting_connection_removes_its_request_and_unpair_forgets_the_key() {
        let mut w = World::new();
        let mut s = w.session(1, false);
        greet(&mut w, &mut s);
        w.text(&mut s, 2, Command::Pair);
        assert_eq!(w.pairings.pending().len(), 1);
        s.on_close(&mut w.cx());
        assert!(w.pairings.pending().is_empty());

        let mut s = w.session(2, false);
        pair_approved(&mut w, &mut s);
        let out = w.text(&mut s, 3, Command::Unpair);
        assert!(out.iter().any(|e| matches!(e, Effect::PairingsChanged)));
        assert!(out.iter().any(|e| matches!(e, Effect::Unsubscribe)));
        assert!(w.pairings.key(ORIGIN).is_none());
        assert!(!s.is_ready());
    }

    #[test]
    fn bad_frames_are_answered_and_logged_without_their_content() {
        let mut w = World::new();
        let mut s = w.session(1, false);
        let mut cx = w.cx();
        let out = s.on_text("{\"cmd\":\"HELLO\\nWARN forged\",\"req\":5}", &mut cx);
        assert_eq!(code_of(&out), Some(ErrorCode::UnknownCommand));
        for e in &out {
            if let Effect::Log(l) = e {
                assert!(!l.contains('\n') && !l.contains("forged"), "{l}");
            }
        }
        assert_eq!(code_of(&s.on_binary()), Some(ErrorCode::BinaryNotSupported));
    }
}
