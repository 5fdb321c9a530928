//! The simulator's reader: one virtual reader named "Simulator" into which a test
//! persona's emulated card can be put and from which it can be taken out.

use super::Readers;
use crate::hub::Hub;
use std::sync::{Arc, Mutex};
use ukemi_core::jpki::{EmuCard, Jpki, Transport};
use ukemi_core::protocol::{CardInfo, ErrorCode, Message, PersonaInfo, ReaderInfo};
use ukemi_core::sim::{SimError, Simulator};

pub const SIM_READER: &str = "Simulator";

pub struct SimReaders {
    sim: Arc<Mutex<Simulator>>,
    card: Option<(String, EmuCard)>,
    hub: Hub,
}

impl SimReaders {
    pub fn new(sim: Arc<Mutex<Simulator>>, hub: Hub) -> SimReaders {
        SimReaders {
            sim,
            card: None,
            hub,
        }
    }

    pub fn personas(&self) -> Vec<PersonaInfo> {
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

    fn card_info(card: &mut EmuCard) -> CardInfo {
        let kind = Jpki::new(card)
            .identify()
            .unwrap_or(ukemi_core::protocol::CardKind::Other);
        let tries =
            (kind == ukemi_core::protocol::CardKind::MyNumber).then(|| card.auth_tries_left());
        card.reset();
        CardInfo {
            kind,
            pin_tries_left: tries,
        }
    }

    pub fn insert(&mut self, persona: &str) -> Result<(), ErrorCode> {
        let card = {
            let sim = self.sim.lock().map_err(|_| ErrorCode::Internal)?;
            sim.card_for(persona).map_err(|e| match e {
                SimError::UnknownPersona => ErrorCode::UnknownPersona,
                SimError::Pki(_) => ErrorCode::Internal,
            })?
        };
        if self.card.is_some() {
            self.remove();
        }
        let mut card = card;
        let info = Self::card_info(&mut card);
        self.card = Some((persona.to_string(), card));
        self.hub.publish(Message::CardInserted {
            reader: SIM_READER.into(),
            card: info,
        });
        Ok(())
    }

    pub fn remove(&mut self) {
        if self.card.take().is_some() {
            self.hub.publish(Message::CardRemoved {
                reader: SIM_READER.into(),
            });
        }
    }
}

impl Readers for SimReaders {
    fn list(&mut self) -> Result<Vec<ReaderInfo>, ErrorCode> {
        let card = self.card.as_mut().map(|(_, c)| Self::card_info(c));
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
        let Some((_, card)) = self.card.as_mut() else {
            return Err(ErrorCode::NoCard);
        };
        let out = f(card);
        card.reset();
        Ok(out)
    }

    fn simulator(&mut self) -> Option<&mut SimReaders> {
        Some(self)
    }
}
