//! 受付's eligibility check: the mode, the running check and its steps, its result or failure,
//! imported results waiting for review, and what registering them did. A new check clears
//! the last result; a result is registered only by the press made for it (`result_seq`).
//! The book itself is `records`: registering hands an `Edit` back to the app's reducer.

use super::{Area, Failure};
use crate::i18n::Lang;
use ukemi_core::eligibility::EligibilityResult;
use ukemi_core::protocol::{CheckMode, ProgressStep};
use ukemi_core::records::{Edit, Registration};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Check {
    pub mode: Option<CheckMode>,
    pub running: bool,
    pub progress: Option<ProgressStep>,
    /// The last check's (or insurance check's, or the simulator's) failure.
    pub failure: Option<Failure>,
    pub result: Option<EligibilityResult>,
    /// How many results the last import brought in.
    pub imported: Option<usize>,
    /// Results of checks made elsewhere, waiting for staff to review them before they are
    /// applied (nothing is created or changed until then).
    pub import_review: Option<Vec<EligibilityResult>>,
    /// Bumped on every new result, so the view can move focus to it once, and so a
    /// registration names the very result it was asked for.
    pub result_seq: u32,
    /// The `result_seq` of the result last registered: that result offers no second press.
    pub registered_seq: Option<u32>,
    /// Who that result was registered as (id, name): its 施術録 button opens them, whatever
    /// an import registers afterwards.
    pub registered_patient: Option<(String, String)>,
    /// Bumped when a check fails, so the view can move the focus to the error once.
    pub failure_seq: u32,
    /// What the last registration did (new patient, or what changed).
    pub registered: Vec<Registration>,
    /// Whether `registered` came from an import (shown under the import, not the result).
    pub registered_by_import: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SetMode(CheckMode),
    Running,
    Progress(ProgressStep),
    /// A failure of a check, an insurance check or the simulator (not pairing's).
    Failure(Failure),
    Result(EligibilityResult),
    /// The shown result becomes a patient (or updates one); `at` is the page's clock. `seq`
    /// is the `result_seq` the button was shown for: a result replaced since is never
    /// registered. `qualification` is the one staff chose (`None`: the one in force), and
    /// `address` (住所, 郵便番号) what staff typed when the service had none.
    Register {
        seq: u32,
        qualification: Option<usize>,
        address: Option<(String, String)>,
        at: String,
    },
    /// Results of checks made elsewhere, to be reviewed before anything changes.
    Imported(Vec<EligibilityResult>),
    /// The reviewed import is applied: each result becomes (or updates) a patient.
    ApplyImport {
        at: String,
    },
    CancelImport,
    /// The connection was lost: no check is running any more.
    Interrupted,
}

/// Which press a registration edit was made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registering {
    /// The result shown with this `result_seq`.
    Result(u32),
    Import,
}

/// What the app's reducer must do after this one.
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    /// A sentence for the polite live region (`Some("")` silences it).
    pub announce: Option<String>,
    /// The book edit to apply; its outcome comes back through `registered`.
    pub register: Option<(Edit, Registering)>,
}

impl Check {
    fn clear_result(&mut self) {
        self.result = None;
        self.registered.clear();
        self.registered_seq = None;
        self.registered_patient = None;
        self.imported = None;
    }
}

pub fn reduce(s: &mut Check, lang: Lang, action: Action) -> Outcome {
    let mut out = Outcome::default();
    match action {
        Action::SetMode(m) => {
            s.mode = Some(m);
            s.failure = None;
        }
        Action::Running => {
            // A new check: the last patient's result (and its register button) go at
            // once, so nothing of theirs stays on screen under this check's outcome.
            s.running = true;
            s.progress = None;
            s.failure = None;
            s.clear_result();
            // Said (and shown) at the start of every check, so the same result twice
            // is still announced twice.
            out.announce = Some(lang.t("確認を始めています…", "Starting the check…").into());
        }
        Action::Progress(p) => {
            // Each step once; the same step again says nothing new.
            if s.progress != Some(p) {
                out.announce = Some(format!("{}…", lang.t(p.label_ja(), p.label_en())));
            }
            s.progress = Some(p);
        }
        Action::Failure(f) => {
            s.running = false;
            s.progress = None;
            if matches!(f.area, Area::Check | Area::Insurance) {
                s.clear_result();
                s.failure_seq += 1;
                // The error itself is an alert where it is shown; the polite region
                // must not still say "checking…" over it.
                out.announce = Some(String::new());
            }
            s.failure = Some(f);
        }
        Action::Result(r) => {
            s.running = false;
            s.progress = None;
            s.failure = None;
            out.announce = Some(result_sentence(lang, &r));
            s.result = Some(r);
            s.result_seq += 1;
            s.registered.clear();
            s.registered_seq = None;
            s.registered_patient = None;
        }
        Action::Register {
            seq,
            qualification,
            address,
            at,
        } => {
            let current = s.result.clone().filter(|_| seq == s.result_seq);
            if let (Some(mut result), None) = (current, s.registered_seq) {
                if let Some((addr, postal)) = address {
                    let i = qualification.or_else(|| result.default_choice());
                    if let Some(q) = i.and_then(|i| result.qualifications.get_mut(i)) {
                        q.address = Some(addr).filter(|a| !a.trim().is_empty());
                        q.postal_code = Some(postal).filter(|p| !p.trim().is_empty());
                    }
                }
                s.registered_by_import = false;
                out.register = Some((
                    Edit::RegisterCheck {
                        result,
                        qualification,
                        at,
                    },
                    Registering::Result(seq),
                ));
            }
        }
        Action::Imported(results) => {
            s.imported = None;
            s.registered.clear();
            s.import_review = Some(results);
        }
        Action::ApplyImport { at } => {
            if let Some(results) = s.import_review.take() {
                s.imported = Some(results.len());
                s.registered_by_import = true;
                out.register = Some((Edit::RegisterChecks { results, at }, Registering::Import));
            }
        }
        Action::CancelImport => s.import_review = None,
        Action::Interrupted => {
            s.running = false;
            s.progress = None;
        }
    }
    out
}

/// What the book made of a registration edit: `Some` list when it was applied, `None` when
/// it was refused (the refusal is the records' to show). `by` is `None` for a registering
/// edit made elsewhere.
pub fn registered(s: &mut Check, by: Option<Registering>, done: Option<Vec<Registration>>) {
    let Some(list) = done else { return };
    if let Some(Registering::Result(seq)) = by {
        s.registered_seq = Some(seq);
        s.registered_patient = list.first().map(|r| (r.patient_id.clone(), r.name.clone()));
    }
    s.registered = list;
}

/// The check's outcome as one sentence: validity first, then whose (the same words the
/// result panel shows).
pub fn result_sentence(lang: Lang, r: &EligibilityResult) -> String {
    let name = r.primary().map(|q| q.name.clone()).unwrap_or_default();
    match (lang, name.is_empty()) {
        (Lang::Ja, false) => format!("資格確認結果：{}。{}さん。", r.validity.label_ja(), name),
        (Lang::Ja, true) => format!("資格確認結果：{}。", r.validity.label_ja()),
        (Lang::En, false) => format!("Eligibility result: {}. {}.", r.validity.label_en(), name),
        (Lang::En, true) => format!("Eligibility result: {}.", r.validity.label_en()),
    }
}
