//! The simulator's reader: one virtual reader named "Simulator" into which a persona's
//! emulated card can be put and from which it can be taken out. Card events are collected
//! for the caller to publish (the companion's hub, or the browser demo's page).

use super::{SimError, Simulator};
use crate::engine::{Readers, SimControls};
use crate::jpki::{EmuCard, Jpki, Transport};
use crate::protocol::{CardInfo, CardKind, ErrorCode, Message, PersonaInfo, ReaderInfo};
use std::sync::{Arc, Mutex};

pub use crate::engine::SIM_READER;

pub struct SimReaders {
    sim: Arc<Mutex<Simulator>>,
    card: Option<EmuCard>,
    events: Vec<Message>,
}

impl SimReaders {
    pub fn new(sim: Arc<Mutex<Simulator>>) -> SimReaders {
        SimReaders {
            sim,
            card: None,
            events: Vec::new(),
        }
    }

    fn card_info(card: &mut EmuCard) -> CardInfo {
        let kind = Jpki::new(card).identify().unwrap_or(CardKind::Other);
        let tries = (kind == CardKind::MyNumber).then(|| card.auth_tries_left());
        card.reset();
        CardInfo {
            kind,
            pin_tries_left: tries,
        }
    }
}

impl SimControls for SimReaders {
    fn personas(&self) -> Vec<PersonaInfo> {
        match self.sim.lock() {
            Ok(s) => s
                .service
                .population
                .personas()
                .map(|p| PersonaInfo {
                    id: p.id.clone(),
                    label: p.label.clone(),
                })
                .collect(),
            Err(_) => vec![],
        }
    }

    fn insert(&mut self, persona: &str) -> Result<(), ErrorCode> {
        let mut card = {
            let sim = self.sim.lock().map_err(|_| ErrorCode::Internal)?;
            sim.card_for(persona).map_err(|e| match e {
                SimError::UnknownPersona => ErrorCode::UnknownPersona,
                SimError::Pki(_) => ErrorCode::Internal,
            })?
        };
        self.remove();
        let info = Self::card_info(&mut card);
        self.card = Some(card);
        self.events.push(Message::CardInserted {
            reader: SIM_READER.into(),
            card: info,
        });
        Ok(())
    }

    fn remove(&mut self) {
        if self.card.take().is_some() {
            self.events.push(Message::CardRemoved {
                reader: SIM_READER.into(),
            });
        }
    }
}

impl Readers for SimReaders {
    fn list(&mut self) -> Result<Vec<ReaderInfo>, ErrorCode> {
        let card = self.card.as_mut().map(Self::card_info);
        Ok(vec![ReaderInfo {
            name: SIM_READER.into(),
            simulated: true,
            card,
        }])
    }

    fn with_card<T>(
        &mut self,
        reader: &str,
        f: impl FnOnce(&mut dyn Transport) -> T,
    ) -> Result<T, ErrorCode> {
        if reader != SIM_READER {
            return Err(ErrorCode::ReaderNotFound);
        }
        let Some(card) = self.card.as_mut() else {
            return Err(ErrorCode::NoCard);
        };
        let out = f(card);
        card.reset();
        Ok(out)
    }

    fn take_events(&mut self) -> Vec<Message> {
        std::mem::take(&mut self.events)
    }

    fn simulator(&mut self) -> Option<&mut dyn SimControls> {
        Some(self)
    }
}
