//! The WebSocket to the companion. Tries each candidate address in turn until one answers
//! `HELLO`; reports what happens as [`LinkEvent`]s. Knows nothing about pairing or cards:
//! the driver decides whether what answered has proved itself, and calls [`Link::skip`] to
//! move on to the next candidate when it has not.

use std::cell::RefCell;
use std::rc::Rc;
use ukemi_core::protocol::{
    self, ClientInfo, ClientMessage, Command, Message, ServerMessage, API_LEVELS, WS_PATH,
};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

#[derive(Debug, Clone)]
pub enum LinkEvent {
    /// A companion answered HELLO at this `host:port`.
    Connected {
        host: String,
    },
    Message(ServerMessage),
    /// No candidate answered (not running, or this page's origin is not allowed).
    Failed,
    /// An established connection closed.
    Closed,
}

type Handler = Rc<dyn Fn(LinkEvent)>;

struct Inner {
    /// Every address to try, and those being tried now (all, or one to pair with).
    all: Vec<String>,
    candidates: Vec<String>,
    index: usize,
    ws: Option<WebSocket>,
    connected: bool,
    next_req: u64,
    handler: Handler,
    /// The trainer demo's in-process stand-in, instead of a socket.
    demo: Option<Rc<RefCell<crate::demo::DemoCompanion>>>,
    // Kept alive as long as the socket uses them.
    closures: Vec<Box<dyn std::any::Any>>,
}

#[derive(Clone)]
pub struct Link {
    inner: Rc<RefCell<Inner>>,
}

/// A companion address a page may dial: a loopback host and a port. Anything else (a
/// `?companion=` naming another machine, or a path) is ignored: the companion only ever
/// listens on loopback, so any other address would be someone else.
pub fn loopback_address(s: &str) -> Option<String> {
    let s = s.trim().to_ascii_lowercase();
    let (host, port) = s.rsplit_once(':')?;
    let port: u16 = port.parse().ok().filter(|p| *p != 0)?;
    matches!(host, "127.0.0.1" | "localhost" | "[::1]").then(|| format!("{host}:{port}"))
}

/// Where to look for the companion: `?companion=host:port[,host:port…]` (loopback only)
/// if given; otherwise this page's own host when it is loopback (the companion serves the
/// app), then the defaults.
pub fn candidates() -> Vec<String> {
    let Some(window) = web_sys::window() else {
        return vec![];
    };
    let location = window.location();
    let search = location.search().unwrap_or_default();
    if let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) {
        if let Some(c) = params.get("companion").filter(|c| !c.is_empty()) {
            let listed: Vec<String> = c.split(',').filter_map(loopback_address).collect();
            if !listed.is_empty() {
                return listed;
            }
        }
    }
    let mut out = Vec::new();
    let hostname = location.hostname().unwrap_or_default();
    let port = location.port().unwrap_or_default();
    if matches!(hostname.as_str(), "127.0.0.1" | "localhost" | "[::1]") && !port.is_empty() {
        out.push(format!("{hostname}:{port}"));
    }
    for p in protocol::DEFAULT_PORTS {
        let c = format!("127.0.0.1:{p}");
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

impl Link {
    pub fn start(candidates: Vec<String>, handler: impl Fn(LinkEvent) + 'static) -> Link {
        let link = Link {
            inner: Rc::new(RefCell::new(Inner {
                all: candidates.clone(),
                candidates,
                index: 0,
                ws: None,
                connected: false,
                next_req: 1,
                handler: Rc::new(handler),
                demo: None,
                closures: Vec::new(),
            })),
        };
        if crate::demo::requested() {
            link.start_demo();
        } else {
            link.open_current();
        }
        link
    }

    /// The trainer demo: build the simulated world after the first paint (its keys take a
    /// moment), then greet it as if it were a companion.
    fn start_demo(&self) {
        let link = self.clone();
        gloo_timers::callback::Timeout::new(50, move || match crate::demo::DemoCompanion::new() {
            Ok(d) => {
                link.inner.borrow_mut().demo = Some(Rc::new(RefCell::new(d)));
                link.emit(LinkEvent::Connected {
                    host: crate::demo::DEMO_HOST.into(),
                });
                link.send(Command::Hello {
                    api_levels: API_LEVELS.to_vec(),
                    client: ClientInfo {
                        name: "ukemi-web".into(),
                        version: env!("CARGO_PKG_VERSION").into(),
                    },
                });
            }
            Err(_) => link.emit(LinkEvent::Failed),
        })
        .forget();
    }

    fn send_demo(&self, demo: Rc<RefCell<crate::demo::DemoCompanion>>, req: u64, command: Command) {
        let link = self.clone();
        // Answer on a later tick, as a socket would: never inside the sender's own call.
        gloo_timers::callback::Timeout::new(0, move || {
            let deliveries = demo.borrow_mut().handle(req, command);
            for d in deliveries {
                if d.delay_ms == 0 {
                    link.emit(LinkEvent::Message(d.message));
                } else {
                    let link = link.clone();
                    gloo_timers::callback::Timeout::new(d.delay_ms, move || {
                        link.emit(LinkEvent::Message(d.message))
                    })
                    .forget();
                }
            }
        })
        .forget();
    }

    /// The connected candidate did not prove itself: close it and try the next one (or
    /// report [`LinkEvent::Failed`] when none is left).
    pub fn skip(&self) {
        if self.inner.borrow().demo.is_some() {
            return;
        }
        self.shutdown();
        self.inner.borrow_mut().connected = false;
        self.next_candidate();
    }

    /// Only `candidates` from now on, from the first (the driver goes back to a companion
    /// that answered but holds no key for this page, to pair with it).
    pub fn restrict(&self, candidates: Vec<String>) {
        if self.inner.borrow().demo.is_some() {
            return;
        }
        self.shutdown();
        {
            let mut i = self.inner.borrow_mut();
            i.candidates = candidates;
            i.index = 0;
            i.connected = false;
        }
        self.open_current();
    }

    /// Candidates after the current one.
    pub fn has_more(&self) -> bool {
        let i = self.inner.borrow();
        i.index + 1 < i.candidates.len()
    }

    pub fn is_demo(&self) -> bool {
        self.inner.borrow().demo.is_some()
    }

    /// Starts again from the first candidate (after a close, or when the user asks).
    pub fn restart(&self) {
        if self.inner.borrow().demo.is_some() {
            return;
        }
        self.shutdown();
        {
            let mut i = self.inner.borrow_mut();
            i.candidates = i.all.clone();
            i.index = 0;
            i.connected = false;
        }
        self.open_current();
    }

    fn shutdown(&self) {
        let ws = self.inner.borrow_mut().ws.take();
        if let Some(ws) = ws {
            ws.set_onopen(None);
            ws.set_onmessage(None);
            ws.set_onclose(None);
            ws.set_onerror(None);
            let _ = ws.close();
        }
        self.inner.borrow_mut().closures.clear();
    }

    fn emit(&self, e: LinkEvent) {
        let handler = Rc::clone(&self.inner.borrow().handler);
        handler(e);
    }

    fn open_current(&self) {
        let target = {
            let i = self.inner.borrow();
            i.candidates.get(i.index).cloned()
        };
        let Some(target) = target else {
            self.emit(LinkEvent::Failed);
            return;
        };
        let ws = match WebSocket::new(&format!("ws://{target}{WS_PATH}")) {
            Ok(ws) => ws,
            Err(_) => {
                self.next_candidate();
                return;
            }
        };
        let on_open = {
            let link = self.clone();
            Closure::<dyn FnMut()>::new(move || {
                let hello = Command::Hello {
                    api_levels: API_LEVELS.to_vec(),
                    client: ClientInfo {
                        name: "ukemi-web".into(),
                        version: env!("CARGO_PKG_VERSION").into(),
                    },
                };
                link.send(hello);
            })
        };
        let on_message = {
            let link = self.clone();
            let host = target.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let Some(text) = e.data().as_string() else {
                    return;
                };
                let Ok(msg) = protocol::decode_server(&text) else {
                    return;
                };
                let first =
                    !link.inner.borrow().connected && matches!(msg.body, Message::Hello { .. });
                if first {
                    link.inner.borrow_mut().connected = true;
                    link.emit(LinkEvent::Connected { host: host.clone() });
                }
                link.emit(LinkEvent::Message(msg));
            })
        };
        let on_close = {
            let link = self.clone();
            Closure::<dyn FnMut(CloseEvent)>::new(move |_e: CloseEvent| link.closed())
        };
        let on_error = {
            let link = self.clone();
            // An error is always followed by close; close decides what to do.
            Closure::<dyn FnMut(Event)>::new(move |_e: Event| {
                let _ = &link;
            })
        };
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let mut i = self.inner.borrow_mut();
        i.ws = Some(ws);
        i.closures = vec![
            Box::new(on_open),
            Box::new(on_message),
            Box::new(on_close),
            Box::new(on_error),
        ];
    }

    fn closed(&self) {
        let was_connected = self.inner.borrow().connected;
        if was_connected {
            self.inner.borrow_mut().connected = false;
            self.emit(LinkEvent::Closed);
        } else {
            self.next_candidate();
        }
    }

    fn next_candidate(&self) {
        self.inner.borrow_mut().index += 1;
        // We may be inside the old socket's callback, whose closure the next socket replaces:
        // open it on the next tick instead, after that callback has returned.
        let link = self.clone();
        gloo_timers::callback::Timeout::new(0, move || link.open_current()).forget();
    }

    /// Sends a command; returns its `req`, or None when not connected.
    pub fn send(&self, command: Command) -> Option<u64> {
        let mut i = self.inner.borrow_mut();
        let req = i.next_req;
        i.next_req += 1;
        if let Some(demo) = i.demo.clone() {
            drop(i);
            self.send_demo(demo, req, command);
            return Some(req);
        }
        let ws = i.ws.as_ref()?;
        let text = protocol::encode(&ClientMessage {
            req: Some(req),
            command,
        });
        ws.send_with_str(&text).ok().map(|_| req)
    }
}
