//! The claim engine's answers, kept while what they were computed from is unchanged, so a
//! screen re-rendered as the clinic types (a search box, a reason, a field of another
//! patient) does not recompute every claim of the month.
//!
//! Two levels: the month's list is kept per book (the very `Rc<Book>` the state holds:
//! every edit makes a new one, nothing else does), and below it core's `ClaimMemo`
//! recomputes only the cases whose engine input changed. One memo for the page (the
//! 月次請求 screen, its ledger and the 施術録's live amounts share it). The ledger's 入金照合
//! and a batch's 再請求 are kept per book the same way (the ledger's forms re-render it on
//! every keystroke).

use std::cell::RefCell;
use std::rc::Rc;
use ukemi_core::claims::{ClaimError, ClaimInput, ClaimMonth, MonthlyClaim};
use ukemi_core::records::month::{CaseClaim, ClaimMemo};
use ukemi_core::records::payments::Matching;
use ukemi_core::records::Book;

/// Month lists kept for the current book: the screens show one or two months at a time.
const MONTHS_KEPT: usize = 4;

#[derive(Default)]
struct Memo {
    engine: ClaimMemo,
    /// The book the lists below were computed from (held, so its address is not reused).
    book: Option<Rc<Book>>,
    months: Vec<(ClaimMonth, Rc<Vec<CaseClaim>>)>,
    matching: Option<Rc<Matching>>,
    resubmitted: Vec<(ClaimMonth, Rc<Vec<CaseClaim>>)>,
}

impl Memo {
    /// Forgets what was computed from another book.
    fn for_book(&mut self, book: &Rc<Book>) {
        if !self.book.as_ref().is_some_and(|b| Rc::ptr_eq(b, book)) {
            self.book = Some(Rc::clone(book));
            self.months.clear();
            self.matching = None;
            self.resubmitted.clear();
        }
    }
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// The list kept for `month`, or `compute`d and kept (the oldest dropped past
/// [`MONTHS_KEPT`]).
fn kept<T>(
    lists: &mut Vec<(ClaimMonth, Rc<T>)>,
    month: ClaimMonth,
    compute: impl FnOnce() -> T,
) -> Rc<T> {
    if let Some((_, list)) = lists.iter().find(|(m, _)| *m == month) {
        return Rc::clone(list);
    }
    let list = Rc::new(compute());
    if lists.len() >= MONTHS_KEPT {
        lists.remove(0);
    }
    lists.push((month, Rc::clone(&list)));
    list
}

/// `Book::month_claims`, computed once per book and month.
pub fn month_claims(book: &Rc<Book>, month: ClaimMonth) -> Rc<Vec<CaseClaim>> {
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        memo.for_book(book);
        let Memo { engine, months, .. } = &mut *memo;
        kept(months, month, || book.month_claims_memo(month, engine))
    })
}

/// `Book::matching` (入金照合), computed once per book.
pub fn matching(book: &Rc<Book>) -> Rc<Matching> {
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        memo.for_book(book);
        Rc::clone(
            memo.matching
                .get_or_insert_with(|| Rc::new(book.matching())),
        )
    })
}

/// `Book::resubmitted_claims` (a batch's 再請求), computed once per book and batch.
pub fn resubmitted_claims(book: &Rc<Book>, batch: ClaimMonth) -> Rc<Vec<CaseClaim>> {
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        memo.for_book(book);
        kept(&mut memo.resubmitted, batch, || {
            book.resubmitted_claims(batch)
        })
    })
}

/// `claims::compute` for one case's input, recomputed only when the input changed.
pub fn case_claims(case_id: &str, input: &ClaimInput) -> Result<Vec<MonthlyClaim>, ClaimError> {
    MEMO.with(|memo| memo.borrow_mut().engine.compute(case_id, input))
}

/// How many times the engine ran for this page (this thread: each test has its own).
#[cfg(test)]
fn computed() -> u64 {
    MEMO.with(|memo| memo.borrow().engine.computed())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ukemi_core::records::{Applied, Edit, InsuranceEntry, PatientRecord, Settings};

    fn fixture() -> ClaimInput {
        serde_json::from_str(include_str!(
            "../../tests/fixtures/claims/judo_sprain_3parts.json"
        ))
        .unwrap_or_else(|e| panic!("fixture: {e}"))
    }

    /// Two patients, each with the fixture's 柔整 case, typed the way the page does it.
    fn book() -> (Book, ClaimMonth) {
        let input = fixture();
        let mut book = Book::default();
        let ok = |r: Result<Applied, _>| r.unwrap_or_else(|e| panic!("edit: {e:?}"));
        ok(book.apply(Edit::PutSettings(Settings {
            clinic: input.clinic.clone(),
            practitioners: input.practitioners.clone(),
            ..Default::default()
        })));
        for (id, name) in [("p1", "山田　一郎"), ("p2", "髙橋　二郎")] {
            book.patients.push(PatientRecord {
                id: id.into(),
                name: name.into(),
                name_kana: String::new(),
                birth_date: input.patient.birth_date,
                sex: Some(input.patient.sex),
                address: "東京都新宿区西新宿2-8-1".into(),
                postal_code: "163-8001".into(),
                insurances: vec![InsuranceEntry {
                    since: input.patient.birth_date,
                    insurer_name: String::new(),
                    insurance: input.insurance.clone(),
                }],
                checks: Vec::new(),
                public_funds: Vec::new(),
            });
            let Applied::Case(case_id) = ok(book.apply(Edit::NewCase {
                patient_id: id.into(),
                case: input.case.clone(),
            })) else {
                panic!("no case id")
            };
            for visit in input.visits.clone() {
                ok(book.apply(Edit::SetVisit {
                    case_id: case_id.clone(),
                    visit,
                }));
            }
        }
        let month = ClaimMonth::of(input.visits[0].date);
        (book, month)
    }

    #[test]
    fn a_re_render_computes_nothing_and_an_edit_only_the_case_it_touched() {
        let (book, month) = book();
        let mut book = Rc::new(book);
        let start = computed();
        let first = month_claims(&book, month);
        assert_eq!(first.len(), 2);
        assert!(first.iter().all(|c| c.claim.is_ok()), "{first:?}");
        assert_eq!(computed() - start, 2);
        // Typing somewhere that does not change the book re-renders with the same book.
        let again = month_claims(&book, month);
        assert!(Rc::ptr_eq(&first, &again));
        assert_eq!(computed() - start, 2);
        // An edit of one patient: a new book, one case recomputed, the answer as without memo.
        let mut edited = (*book).clone();
        let mut p = edited.patients[1].clone();
        p.name = "髙橋　次郎".into();
        edited
            .apply(Edit::PutPatient(p))
            .unwrap_or_else(|e| panic!("{e:?}"));
        book = Rc::new(edited);
        let now = month_claims(&book, month);
        assert_eq!(computed() - start, 3);
        assert_eq!(*now, book.month_claims(month));
        // The 施術録's live amount for an unchanged case: from the memo.
        let input = book
            .claim_input(&now[0].case_id, month)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(case_claims(&now[0].case_id, &input).is_ok());
        assert_eq!(computed() - start, 3);
    }

    #[test]
    fn the_ledgers_matching_and_resubmissions_are_kept_per_book() {
        let (book, month) = book();
        let book = Rc::new(book);
        let first = matching(&book);
        assert!(Rc::ptr_eq(&first, &matching(&book)), "same book: kept");
        let batch = month.next();
        let r = resubmitted_claims(&book, batch);
        assert!(Rc::ptr_eq(&r, &resubmitted_claims(&book, batch)));
        // A payment recorded: a new book, and the matching says what it holds now.
        let mut paid = (*book).clone();
        paid.apply(Edit::AddPayment(
            ukemi_core::records::payments::NewPayment {
                payer: "06139999".into(),
                month,
                received_on: month
                    .next()
                    .first_day()
                    .unwrap_or_else(|| panic!("a month has a first day")),
                amount_yen: 1234,
                note: String::new(),
            },
        ))
        .unwrap_or_else(|e| panic!("{e:?}"));
        let paid = Rc::new(paid);
        let now = matching(&paid);
        assert!(!Rc::ptr_eq(&first, &now));
        assert_eq!(*now, paid.matching());
        assert_eq!(now.totals.iter().map(|t| t.received_yen).sum::<u64>(), 1234);
        assert_eq!(
            *resubmitted_claims(&paid, batch),
            paid.resubmitted_claims(batch)
        );
    }
}
