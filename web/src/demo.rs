//! The trainer demo (`?demo`): no companion, no reader. A stand-in that answers the same
//! protocol in-process: core's session decides the stages, features and pairing exactly as
//! the companion's does (the demo is a trusted origin, so its `PAIR` is approved at once and
//! the page still receives and proves a key), and `ukemi_core::engine` runs the jobs around
//! the emulated cards and the simulated service — the very code the companion runs in
//! simulator mode, so the demo cannot drift from the real thing. Nothing here is stored.
//!
//! The demo is its own build (`target/dist/demo/`, cargo feature `sim`): the clinic app and
//! the widget link no simulators, no test PKI and no synthetic population. The clinic app
//! opened with `?demo` sends the browser on to the demo build beside it.

use ukemi_core::protocol::ServerMessage;

#[cfg(feature = "sim")]
mod companion;
#[cfg(feature = "sim")]
pub use companion::DemoCompanion;

/// Without the simulators there is no demo companion: this type has no values, so the
/// link's demo path is never taken (and the optimiser drops it).
#[cfg(not(feature = "sim"))]
pub enum DemoCompanion {}

#[cfg(not(feature = "sim"))]
impl DemoCompanion {
    pub fn new() -> Result<DemoCompanion, String> {
        Err("this build has no simulators (the demo is target/dist/demo/)".into())
    }
    pub fn handle(&mut self, _req: u64, _command: ukemi_core::protocol::Command) -> Vec<Delivery> {
        match *self {}
    }
}

/// Is this page the trainer demo? The demo build always is.
pub fn requested() -> bool {
    cfg!(feature = "sim")
}

/// Was this page opened with `?demo` (the demo's address before it was its own build)?
pub fn asked_in_url() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok())
        .is_some_and(|p| p.has("demo"))
}

/// The clinic app opened as `…/?demo`: on to the demo build beside it (`demo/`), keeping
/// the query and the screen. Returns whether the page is leaving.
pub fn redirect_to_demo_build() -> bool {
    if requested() || !asked_in_url() {
        return false;
    }
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return false;
    };
    let search = location.search().unwrap_or_default();
    let hash = location.hash().unwrap_or_default();
    location.replace(&format!("demo/{search}{hash}")).is_ok()
}

/// The address the demo's page "dials": what a proof is bound to.
pub const DEMO_HOST: &str = "demo";

/// A message to deliver, after `delay_ms` (how long a real service would take).
pub struct Delivery {
    pub message: ServerMessage,
    pub delay_ms: u32,
}

/// The month of the sample clinic's claims: where the demo's 月次請求 opens.
pub fn sample_month() -> Option<ukemi_core::claims::ClaimMonth> {
    sample_book().months_with_work().first().copied()
}

/// The demo's sample clinic as a book: the example case files (tests/fixtures/claims) as
/// patients with their cases and visits, so a trainer can walk through 施術録 and 月次請求.
/// Kept in the page only. The clinic app (no cargo feature `sim`) has no demo, and an empty
/// book here.
#[cfg(not(feature = "sim"))]
pub fn sample_book() -> ukemi_core::records::Book {
    ukemi_core::records::Book::default()
}

/// The demo's sample clinic (see above), from the example case files.
#[cfg(feature = "sim")]
pub fn sample_book() -> ukemi_core::records::Book {
    use ukemi_core::claims::ClaimInput;
    use ukemi_core::eligibility::{QualificationValidity, ReferenceKind};
    use ukemi_core::records::{
        Book, CaseRecord, CheckEntry, InsuranceEntry, PatientRecord, Settings,
    };
    const CASES: [&str; 3] = [
        include_str!("../../tests/fixtures/claims/judo_sprain_3parts.json"),
        include_str!("../../tests/fixtures/claims/acupuncture_home_visit.json"),
        include_str!("../../tests/fixtures/claims/massage_deformity.json"),
    ];
    let mut book = Book::default();
    for text in CASES {
        let Ok(input) = serde_json::from_str::<ClaimInput>(text) else {
            continue;
        };
        if book.settings.clinic.name.is_empty() {
            book.settings = Settings {
                clinic: input.clinic.clone(),
                practitioners: input.practitioners.clone(),
                discipline: Some(input.case.discipline()),
                ..Settings::default()
            };
        }
        book.next_id += 1;
        let pid = format!("p{}", book.next_id);
        book.patients.push(PatientRecord {
            id: pid.clone(),
            name: input.patient.name.clone(),
            name_kana: input.patient.name_kana.clone(),
            birth_date: input.patient.birth_date,
            sex: Some(input.patient.sex),
            address: input.insurance.holder_address.clone(),
            postal_code: String::new(),
            insurances: vec![InsuranceEntry {
                since: input
                    .insurance
                    .valid_from
                    .unwrap_or(input.patient.birth_date),
                insurer_name: String::new(),
                insurance: input.insurance.clone(),
            }],
            // The sample patients were checked by card at their first visit this month, as a
            // clinic's would be (a patient without a check gets a warning on the claim).
            checks: input
                .visits
                .first()
                .map(|v| CheckEntry {
                    at: format!("{}T09:00:00+09:00", v.date),
                    checked_on: v.date,
                    reference: ReferenceKind::CardPin,
                    validity: QualificationValidity::Valid,
                    insurer_number: input.insurance.insurer_number.clone(),
                    notice: None,
                })
                .into_iter()
                .collect(),
            public_funds: input.public_funds.clone(),
        });
        book.next_id += 1;
        book.cases.push(CaseRecord {
            id: format!("c{}", book.next_id),
            patient_id: pid,
            case: input.case.clone(),
            visits: input.visits.clone(),
            notes: Default::default(),
        });
    }
    book
}
