//! A case's month of visits as a date grid (the WAI-ARIA date-picker pattern): one Tab stop;
//! the arrow keys move a day or a week, Home/End to the week's start and end, PageUp and
//! PageDown to the month before and after; Enter or Space opens the day's entry below; 今日
//! jumps to today. Visit days carry a dot and say so in words. Beside it the month's amount,
//! computed by the claim engine on every change.

use super::case_editor::CaseProps;
use super::day_entry::DayEntry;
use super::form::yen;
use super::use_app;
use crate::i18n::Lang;
use ukemi_core::claims::{ClaimMonth, Severity};
use ukemi_core::date::days_in_month;
use ukemi_core::Date;
use yew::prelude::*;

const WEEKDAYS_JA: [&str; 7] = ["日", "月", "火", "水", "木", "金", "土"];
const WEEKDAYS_EN: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// The same day `n` months on, clamped to the month's end (1/31 → 2/29).
fn months_on(d: Date, n: i32) -> Date {
    let m = d.month_start_offset(n);
    let last = days_in_month(m.year(), m.month());
    Date::new(m.year(), m.month(), d.day().min(last)).unwrap_or(m)
}

/// Where a key moves the grid's cursor, if it is one of the grid's keys.
pub(crate) fn moved(from: Date, key: &str) -> Option<Date> {
    let weekday = i64::from(from.weekday());
    Some(match key {
        "ArrowLeft" => from.add_days(-1),
        "ArrowRight" => from.add_days(1),
        "ArrowUp" => from.add_days(-7),
        "ArrowDown" => from.add_days(7),
        "Home" => from.add_days(-weekday),
        "End" => from.add_days(6 - weekday),
        "PageUp" => months_on(from, -1),
        "PageDown" => months_on(from, 1),
        _ => return None,
    })
}

/// Focuses a day's button once the grid shows it.
pub(crate) fn focus_day(d: Date) {
    super::form::focus_later(format!("day-{d}"));
}

/// The month's visits as a calendar; a day opens its entry below.
#[function_component(Calendar)]
pub fn calendar(p: &CaseProps) -> Html {
    let app = use_app();
    let lang = app.lang();
    let today = crate::clock::today();
    // This month, unless the case's last visit is older than last month (an old case, or
    // the demo's sample data): then the month of that visit.
    let opening = {
        let now = ClaimMonth::of(today);
        match p.case.visits.last().map(|v| ClaimMonth::of(v.date)) {
            Some(last) if last < now.previous() => last,
            _ => now,
        }
    };
    let month = use_state(|| opening);
    let day = use_state(|| None::<Date>);
    // The grid's one Tab stop: the chosen day, else today in this month, else the 1st.
    let cursor = use_state(|| None::<Date>);
    let rec = &p.case;
    let m = *month;
    let closed = app.state.records.book.is_closed(m);
    let days = days_in_month(m.year, m.month);
    let first = Date::new(m.year, m.month, 1).unwrap_or(today);
    let in_month = |d: Date| ClaimMonth::of(d) == m;
    let stop = (*cursor)
        .filter(|d| in_month(*d))
        .or((*day).filter(|d| in_month(*d)))
        .or(Some(today).filter(|d| in_month(*d)))
        .unwrap_or(first);
    let offset = first.weekday() as usize;
    let mut cells: Vec<Option<Date>> = vec![None; offset];
    cells.extend((1..=days).map(|d| Date::new(m.year, m.month, d).ok()));
    while !cells.len().is_multiple_of(7) {
        cells.push(None);
    }
    let go_to = {
        let month = month.clone();
        let cursor = cursor.clone();
        move |d: Date| {
            month.set(ClaimMonth::of(d));
            cursor.set(Some(d));
            focus_day(d);
        }
    };
    let move_month = |n: i32| {
        let month = month.clone();
        let day = day.clone();
        let cursor = cursor.clone();
        Callback::from(move |_| {
            let next = if n < 0 {
                month.previous()
            } else {
                month.next()
            };
            month.set(next);
            day.set(None);
            cursor.set(None);
        })
    };
    let onkeydown = {
        let go_to = go_to.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.alt_key() || e.ctrl_key() || e.meta_key() {
                return;
            }
            if let Some(to) = moved(stop, &e.key()) {
                e.prevent_default();
                go_to(to);
            }
        })
    };
    let to_today = {
        let go_to = go_to.clone();
        let day = day.clone();
        Callback::from(move |_| {
            day.set(Some(today));
            go_to(today);
        })
    };
    let claim = app
        .state
        .records
        .book
        .claim_input(&rec.id, m)
        .ok()
        .filter(|i| i.visits.iter().any(|v| ClaimMonth::of(v.date) == m))
        .map(|i| crate::claims_memo::case_claims(&rec.id, &i));
    let on_visit_changed = {
        // After a day is recorded or deleted, the focus goes back to that day in the grid,
        // never to whatever button took the removed one's place.
        let cursor = cursor.clone();
        Callback::from(move |d: Date| {
            cursor.set(Some(d));
            focus_day(d);
        })
    };
    html! {
        <section id="visit-calendar" class="panel" aria-labelledby="calendar-heading">
            <h2 id="calendar-heading">{ app.t("施術日", "Visits") }{ "　" }{ lang.t(m.wareki(), m.to_string()) }</h2>
            <div class="month-nav">
                <button type="button" id="prev-month" onclick={move_month(-1)}>{ app.t("← 前の月", "← Previous month") }</button>
                <button type="button" id="next-month" onclick={move_month(1)}>{ app.t("次の月 →", "Next month →") }</button>
                <button type="button" id="to-today" class="secondary" onclick={to_today}>{ app.t("今日", "Today") }</button>
            </div>
            if closed {
                <p class="warn-box" id="month-closed-note">{ app.t("この月は締め済みです。変更するには月次請求の画面で締めを解除してください。", "This month is closed; reopen it on the monthly claims screen to change it.") }</p>
            }
            <p class="hint" id="calendar-keys">{ app.t(
                "矢印キーで日を移動、Home・Endで週の始めと終わり、PageUp・PageDownで前後の月。EnterかSpaceでその日の施術を入力します。",
                "Arrow keys move by day and week, Home/End to the week's start and end, PageUp/PageDown to the month before and after. Enter or Space opens the day.") }</p>
            <table class="calendar" role="grid" data-field="visit.date" aria-labelledby="calendar-heading" aria-describedby="calendar-keys" onkeydown={onkeydown}>
                <thead><tr>{ for (0..7).map(|i| html! { <th scope="col" abbr={ lang.t(format!("{}曜日", WEEKDAYS_JA[i]), WEEKDAYS_EN[i].to_string()) }>{ lang.t(WEEKDAYS_JA[i], WEEKDAYS_EN[i]) }</th> }) }</tr></thead>
                <tbody>
                    { for cells.chunks(7).map(|week| html! {
                        <tr>{ for week.iter().map(|c| match c {
                            None => html! { <td></td> },
                            Some(d) => {
                                let visited = rec.visits.iter().any(|v| v.date == *d);
                                let selected = *day == Some(*d);
                                let pick = {
                                    let day = day.clone();
                                    let cursor = cursor.clone();
                                    let d = *d;
                                    Callback::from(move |_| { day.set(Some(d)); cursor.set(Some(d)); })
                                };
                                let label = lang.t(
                                    format!("{}月{}日{}{}", d.month(), d.day(), if visited { " 施術あり" } else { "" }, if *d == today { " 今日" } else { "" }),
                                    format!("{}{}{}", d, if visited { " visit" } else { "" }, if *d == today { " today" } else { "" }),
                                );
                                html! { <td class={classes!(visited.then_some("visited"), (*d == today).then_some("today"))}
                                        aria-selected={selected.to_string()}>
                                    <button type="button" class="day" id={format!("day-{}", d)} aria-label={label}
                                        tabindex={ if *d == stop { "0" } else { "-1" } }
                                        aria-pressed={selected.to_string()} onclick={pick}>
                                        <span aria-hidden="true">{ d.day() }{ if visited { "●" } else { "" } }</span>
                                    </button>
                                </td> }
                            }
                        }) }</tr>
                    }) }
                </tbody>
            </table>
            if let Some(d) = *day {
                <DayEntry key={d.to_string()} case={rec.clone()} date={d} closed={closed} onchanged={on_visit_changed}
                    money={ claim.as_ref().and_then(|r| r.as_ref().ok()).and_then(|cs| cs.first()).and_then(|c| c.window.iter().find(|w| w.date == d).cloned()) } />
            }
            <div id="month-amount" class="amount" aria-live="polite">
                { match &claim {
                    None => html! { <p>{ app.t("この月の施術はまだありません。", "No visits this month yet.") }</p> },
                    Some(Err(e)) => html! { <p class="error">{ e.message_ja() }</p> },
                    Some(Ok(cs)) => match cs.first() {
                        None => html! {},
                        Some(c) => html! {
                            <>
                                <p>
                                    { app.t("実日数 ", "Days ") }<strong>{ c.visit_dates.len() }</strong>
                                    { app.t("　合計 ", "  Total ") }<strong id="amount-total">{ yen(c.total_yen.into()) }</strong>
                                    { app.t("　一部負担金 ", "  Co-payment ") }<strong id="amount-copay">{ yen(c.copay_yen.into()) }</strong>
                                    { app.t("　請求金額 ", "  Claimed ") }<strong id="amount-billed">{ yen(c.billed_yen.into()) }</strong>
                                </p>
                                <p>
                                    { app.t("窓口でいただいた額（月計）", "Paid at the window this month") }{ " " }<strong id="amount-window">{ yen(c.window_yen.into()) }</strong>
                                    if c.window_yen != c.copay_yen {
                                        <span class="note">{ app.t("（申請書の一部負担金とは窓口の端数処理の分だけ違います）", " (differs from the form's co-payment by the window's rounding)") }</span>
                                    }
                                </p>
                                if !c.findings.is_empty() {
                                    <ul class="findings" id="record-findings">
                                        { for c.findings.iter().map(|f| html! {
                                            <li class={ if f.severity == Severity::Error { "finding-error" } else { "finding-warning" } }>
                                                <strong>{ if f.severity == Severity::Error { app.t("エラー：", "Error: ") } else { app.t("要確認：", "Check: ") } }</strong>
                                                if lang == Lang::Ja || f.message_en.is_empty() { <span lang="ja">{ &f.message_ja }</span> } else { <span>{ &f.message_en }</span> }
                                            </li>
                                        }) }
                                    </ul>
                                }
                            </>
                        },
                    },
                } }
            </div>
            <super::nav::BackToScreens id="calendar-to-screens" />
        </section>
    }
}
