//! Real card readers through PC/SC (pcsc-lite on Linux/macOS, WinSCard on Windows).
//! A watcher thread blocks in `SCardGetStatusChange` (with the PnP pseudo-reader, so
//! attaching a reader wakes it too — no busy polling) and reports changes; the worker
//! thread does every card operation, inside one PC/SC transaction, and resets the card after.

use crate::hub::Hub;
use crate::worker::{CardItem, Lanes};
use pcsc::{
    Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State, MAX_BUFFER_SIZE,
    PNP_NOTIFICATION,
};
use std::collections::BTreeMap;
use std::ffi::{CStr, CString};
use std::time::Duration;
use ukemi_core::engine::Readers;
use ukemi_core::jpki::{Jpki, Transport, TransportError};
use ukemi_core::protocol::{CardInfo, CardKind, ErrorCode, Message, ReaderInfo};

fn service_error(e: pcsc::Error) -> ErrorCode {
    match e {
        pcsc::Error::NoService | pcsc::Error::ServiceStopped | pcsc::Error::NoReadersAvailable => {
            if matches!(e, pcsc::Error::NoReadersAvailable) {
                ErrorCode::NoReader
            } else {
                ErrorCode::ReaderServiceUnavailable
            }
        }
        pcsc::Error::UnknownReader | pcsc::Error::ReaderUnavailable => ErrorCode::ReaderNotFound,
        pcsc::Error::NoSmartcard | pcsc::Error::RemovedCard => ErrorCode::NoCard,
        pcsc::Error::UnresponsiveCard
        | pcsc::Error::UnpoweredCard
        | pcsc::Error::UnsupportedCard => ErrorCode::NotMyNumberCard,
        _ => ErrorCode::CardError,
    }
}

fn transport_error(e: pcsc::Error) -> TransportError {
    match e {
        pcsc::Error::RemovedCard | pcsc::Error::ResetCard | pcsc::Error::NoSmartcard => {
            TransportError::CardRemoved
        }
        pcsc::Error::ReaderUnavailable | pcsc::Error::UnknownReader => TransportError::ReaderGone,
        pcsc::Error::NoService | pcsc::Error::ServiceStopped => TransportError::NoService,
        other => TransportError::Other(format!("{other:?}")),
    }
}

/// APDUs through a PC/SC card handle (inside a transaction).
struct PcscTransport<'a> {
    card: &'a pcsc::Card,
}

impl Transport for PcscTransport<'_> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut buf = [0u8; MAX_BUFFER_SIZE];
        let r = self
            .card
            .transmit(capdu, &mut buf)
            .map(<[u8]>::to_vec)
            .map_err(transport_error)?;
        if r.len() < 2 {
            // Some readers (vpcd among them) answer nothing instead of an error when the card
            // is pulled out mid-command, and report the removal only at their next presence
            // poll: ask for up to a second whether it is still there.
            for _ in 0..10 {
                match self.card.status2_owned() {
                    Ok(st) if st.status().contains(pcsc::Status::PRESENT) => {
                        std::thread::sleep(std::time::Duration::from_millis(100))
                    }
                    _ => return Err(TransportError::CardRemoved),
                }
            }
            return Err(TransportError::Other("empty response".into()));
        }
        Ok(r)
    }
}

pub struct PcscReaders {
    ctx: Option<Context>,
    /// What we learnt about the card in each reader when it arrived.
    cards: BTreeMap<String, CardInfo>,
}

impl Default for PcscReaders {
    fn default() -> Self {
        Self::new()
    }
}

impl PcscReaders {
    pub fn new() -> PcscReaders {
        PcscReaders {
            ctx: None,
            cards: BTreeMap::new(),
        }
    }

    /// A context, re-established when the service went away (pcscd restarted, RDP attach).
    fn context(&mut self) -> Result<&Context, ErrorCode> {
        let alive = self.ctx.as_ref().is_some_and(|c| c.is_valid().is_ok());
        if !alive {
            self.ctx = Some(Context::establish(Scope::User).map_err(service_error)?);
        }
        self.ctx.as_ref().ok_or(ErrorCode::ReaderServiceUnavailable)
    }

    fn names(&mut self) -> Result<Vec<CString>, ErrorCode> {
        let ctx = self.context()?;
        match ctx.list_readers_owned() {
            Ok(list) => Ok(list),
            Err(pcsc::Error::NoReadersAvailable) => Ok(vec![]),
            Err(e) => {
                let code = service_error(e);
                if code == ErrorCode::ReaderServiceUnavailable {
                    self.ctx = None;
                }
                Err(code)
            }
        }
    }

    /// Identifies the card in `reader` (called when one arrives) and remembers it.
    pub fn identify(&mut self, reader: &str) -> Option<CardInfo> {
        let info = self
            .with_card(reader, |t| {
                let mut j = Jpki::new(t);
                let kind = j.identify().unwrap_or(CardKind::Other);
                let tries = if kind == CardKind::MyNumber {
                    j.auth_pin_tries().ok()
                } else {
                    None
                };
                CardInfo {
                    kind,
                    pin_tries_left: tries,
                }
            })
            .ok()?;
        self.cards.insert(reader.to_string(), info.clone());
        Some(info)
    }

    pub fn forget(&mut self, reader: &str) {
        self.cards.remove(reader);
    }
}

impl Readers for PcscReaders {
    fn list(&mut self) -> Result<Vec<ReaderInfo>, ErrorCode> {
        let names = self.names()?;
        let ctx = self.context()?;
        let mut states: Vec<ReaderState> = names
            .iter()
            .map(|n| ReaderState::new(n.clone(), State::UNAWARE))
            .collect();
        if !states.is_empty() {
            ctx.get_status_change(Duration::ZERO, &mut states)
                .map_err(service_error)?;
        }
        let mut out = Vec::new();
        for st in &states {
            let name = st.name().to_string_lossy().into_owned();
            let present = st.event_state().contains(State::PRESENT);
            let card = if present {
                match self.cards.get(&name).cloned() {
                    Some(c) => Some(c),
                    None => self.identify(&name),
                }
            } else {
                self.cards.remove(&name);
                None
            };
            out.push(ReaderInfo {
                name,
                simulated: false,
                card,
            });
        }
        Ok(out)
    }

    fn card_arrived(&mut self, reader: &str) -> Option<CardInfo> {
        self.identify(reader)
    }

    fn card_left(&mut self, reader: &str) {
        self.forget(reader);
    }

    fn with_card<T>(
        &mut self,
        reader: &str,
        f: impl FnOnce(&mut dyn Transport) -> T,
    ) -> Result<T, ErrorCode> {
        let name = CString::new(reader).map_err(|_| ErrorCode::ReaderNotFound)?;
        let ctx = self.context()?;
        let mut card = ctx
            .connect(&name, ShareMode::Shared, Protocols::ANY)
            .map_err(service_error)?;
        let out = {
            // One transaction: no other program can put APDUs between our VERIFY and SIGN.
            let tx = card.transaction().map_err(service_error)?;
            let out = f(&mut PcscTransport { card: &tx });
            let _ = tx.end(Disposition::LeaveCard);
            out
        };
        // Reset so no verified PIN state stays on the card for another program.
        let _ = card.disconnect(Disposition::ResetCard);
        Ok(out)
    }
}

/// Watches readers and cards, and asks the worker to look at each card that arrives.
pub fn spawn_watcher(hub: Hub, lanes: Lanes) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("pcsc-watcher".into())
        .spawn(move || watch(hub, lanes))
        .map(|_| ())
}

fn watch(hub: Hub, lanes: Lanes) {
    let mut backoff = Duration::from_millis(500);
    loop {
        let ctx = match Context::establish(Scope::User) {
            Ok(c) => c,
            Err(e) => {
                // pcscd not running (or the Windows service stopped): try again, slower.
                crate::info!(
                    "pcsc: no service ({e:?}); retrying in {} ms",
                    backoff.as_millis()
                );
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(10));
                continue;
            }
        };
        backoff = Duration::from_millis(500);
        let mut known: BTreeMap<CString, bool> = BTreeMap::new();
        let mut states = vec![ReaderState::new(PNP_NOTIFICATION(), State::UNAWARE)];
        loop {
            // Rebuild the reader list from the service; announce what came and went.
            let names = match ctx.list_readers_owned() {
                Ok(n) => n,
                Err(pcsc::Error::NoReadersAvailable) => vec![],
                Err(_) => break,
            };
            for gone in known
                .keys()
                .filter(|k| !names.contains(k))
                .cloned()
                .collect::<Vec<_>>()
            {
                known.remove(&gone);
                let name = gone.to_string_lossy().into_owned();
                crate::info!("pcsc: reader removed");
                lanes.card_event(CardItem::Left {
                    reader: name.clone(),
                });
                hub.publish(Message::ReaderRemoved { name });
            }
            for n in &names {
                if !known.contains_key(n) {
                    known.insert(n.clone(), false);
                    crate::info!("pcsc: reader added");
                    hub.publish(Message::ReaderAdded {
                        reader: ReaderInfo {
                            name: n.to_string_lossy().into_owned(),
                            simulated: false,
                            card: None,
                        },
                    });
                }
            }
            states.retain(|s| is_pnp(s.name()) || names.iter().any(|n| n.as_c_str() == s.name()));
            for n in &names {
                if !states.iter().any(|s| s.name() == n.as_c_str()) {
                    states.push(ReaderState::new(n.clone(), State::UNAWARE));
                }
            }
            match ctx.get_status_change(Duration::from_secs(2), &mut states) {
                Ok(()) | Err(pcsc::Error::Timeout) => {}
                Err(pcsc::Error::NoService | pcsc::Error::ServiceStopped) => break,
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
            for st in &mut states {
                if is_pnp(st.name()) {
                    st.sync_current_state();
                    continue;
                }
                let present = st.event_state().contains(State::PRESENT)
                    && !st.event_state().contains(State::MUTE);
                let name = st.name().to_owned();
                let was = known.get(&name).copied().unwrap_or(false);
                if present != was {
                    known.insert(name.clone(), present);
                    let reader = name.to_string_lossy().into_owned();
                    let job = if present {
                        CardItem::Arrived { reader }
                    } else {
                        CardItem::Left { reader }
                    };
                    lanes.card_event(job);
                }
                st.sync_current_state();
            }
        }
        crate::info!("pcsc: service went away; waiting for it");
        for (name, _) in std::mem::take(&mut known) {
            hub.publish(Message::ReaderRemoved {
                name: name.to_string_lossy().into_owned(),
            });
        }
        std::thread::sleep(backoff);
    }
}

fn is_pnp(name: &CStr) -> bool {
    name == PNP_NOTIFICATION()
}
