//! 導入状況: is this clinic's online eligibility checking operational? Each condition —
//! companion paired, a reader seen, the clinic's client certificate valid and not about to
//! expire, the eligibility service reachable — with ✔/✖ and a word (never colour alone),
//! then the deadlines that apply (受領委任の取扱い中止 around 2026-12, the やむを得ない事由)
//! counted from the browser's today. Asks the companion (`GET_STATUS`) when shown and on
//! 再確認; every change is said in a polite live region.

use super::{use_app, AppCtx};
use crate::i18n::Lang;
use crate::state::{Conn, Pairing};
use ukemi_core::eligibility::adoption::{self, Deadline, Standing};
use ukemi_core::protocol::{
    Command, CompanionStatus, Reachable, ServiceKind, CERTIFICATE_WARNING_DAYS,
};
use ukemi_core::Date;
use yew::prelude::*;

/// How a condition stands. Each has its own symbol and word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Ok,
    Warn,
    Bad,
    Unknown,
    NotApplicable,
}

impl Mark {
    fn symbol(self) -> &'static str {
        match self {
            Mark::Ok => "✔",
            Mark::Warn => "⚠",
            Mark::Bad => "✖",
            Mark::Unknown => "？",
            Mark::NotApplicable => "－",
        }
    }
    fn word(self, app: &AppCtx) -> &'static str {
        match self {
            Mark::Ok => app.t("正常", "OK"),
            Mark::Warn => app.t("要注意", "Attention"),
            Mark::Bad => app.t("要対応", "Action needed"),
            Mark::Unknown => app.t("未確認", "Not checked"),
            Mark::NotApplicable => app.t("対象外", "Not applicable"),
        }
    }
    fn class(self) -> &'static str {
        match self {
            Mark::Ok => "ok-text",
            Mark::Warn => "finding-warning",
            Mark::Bad => "finding-error",
            Mark::Unknown | Mark::NotApplicable => "hint",
        }
    }
    fn needs_action(self) -> bool {
        matches!(self, Mark::Warn | Mark::Bad | Mark::Unknown)
    }
}

struct Row {
    id: &'static str,
    label: &'static str,
    mark: Mark,
    detail: String,
}

fn date_text(lang: Lang, d: Date) -> String {
    lang.t(format!("{}（{d}）", d.wareki()), d.to_string())
}

/// `2026-11-25T09:30:00+09:00` as `令和8年11月25日 9時30分` / `2026-11-25 09:30 JST`.
fn time_text(lang: Lang, checked_at: &str) -> String {
    let date = checked_at.get(..10).and_then(|d| Date::parse(d).ok());
    let hour = checked_at.get(11..13).and_then(|h| h.parse::<u8>().ok());
    let minute = checked_at.get(14..16);
    match (date, hour, minute) {
        (Some(d), Some(h), Some(m)) => lang.t(
            format!("{} {h}時{m}分", d.wareki()),
            format!("{d} {h:02}:{m} JST"),
        ),
        _ => checked_at.to_string(),
    }
}

fn companion_row(app: &AppCtx) -> Row {
    let s = &app.state;
    let lang = app.lang();
    let (mark, detail) = match (&s.companion.conn, &s.companion.pairing) {
        (Conn::Connected { host }, Pairing::Paired) => {
            let version = s
                .readiness.status
                .as_ref()
                .map(|st| st.companion_version.clone())
                .unwrap_or_default();
            let place = if s.demo {
                lang.t("デモ：ブラウザの中の練習用コンパニオン".into(),
                    "Demo: the practice companion inside the browser".into(),
                )
            } else {
                host.clone()
            };
            let text = match (version.is_empty(), lang) {
                (true, _) => place,
                (false, Lang::Ja) => format!("{place}（版 {version}）"),
                (false, Lang::En) => format!("{place} (version {version})"),
            };
            (Mark::Ok, text)
        }
        (Conn::Connected { .. }, _) => (
            Mark::Bad,
            lang.t("接続していますが、このページはまだ連携（ペアリング）していません。受付の画面で連携を依頼し、このパソコンの承認画面で承認してください。".into(),
                "Connected, but this page is not paired yet. Ask to pair on the reception screen and approve it on this PC's approval page.".into(),
            ),
        ),
        (Conn::Connecting, _) => (
            Mark::Unknown,
            lang.t("コンパニオンに接続しています…".into(),
                "Connecting to the companion…".into(),
            ),
        ),
        (Conn::Failed, _) => (
            Mark::Bad,
            lang.t("コンパニオンに接続できません。このパソコンでコンパニオン（ukemi-companion）が起動しているか確認してください。".into(),
                "Cannot connect to the companion. Check that ukemi-companion is running on this PC.".into(),
            ),
        ),
    };
    Row {
        id: "readiness-companion",
        label: app.t("コンパニオンとの連携", "Companion paired"),
        mark,
        detail,
    }
}

fn reader_row(app: &AppCtx, ready: bool) -> Row {
    let s = &app.state;
    let lang = app.lang();
    let (mark, detail) = if !ready {
        (
            Mark::Unknown,
            lang.t(
                "コンパニオンとつながると確認できます。".into(),
                "Can be checked once the companion is connected.".into(),
            ),
        )
    } else if s.companion.readers.is_empty() {
        (
            Mark::Bad,
            lang.t(
                "カードリーダーが見つかりません。USBケーブルをつなぎ直してください。".into(),
                "No card reader found. Reconnect the USB cable.".into(),
            ),
        )
    } else {
        let names: Vec<&str> = s
            .companion
            .readers
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        let practice = s.companion.readers.iter().all(|r| r.simulated);
        let text = match (practice, lang) {
            (true, Lang::Ja) => format!("練習用のリーダー：{}", names.join("、")),
            (true, Lang::En) => format!("Practice reader: {}", names.join(", ")),
            (false, Lang::Ja) => names.join("、"),
            (false, Lang::En) => names.join(", "),
        };
        (Mark::Ok, text)
    };
    Row {
        id: "readiness-reader",
        label: app.t("カードリーダー", "Card reader"),
        mark,
        detail,
    }
}

/// Why a fact from the companion is not known (yet).
fn not_checked(app: &AppCtx) -> String {
    let s = &app.state;
    if s.companion.ready() {
        app.t("まだ確認していません。", "Not checked yet.")
            .to_string()
    } else {
        app.t(
            "コンパニオンとつながると確認できます。",
            "Can be checked once the companion is connected.",
        )
        .to_string()
    }
}

fn certificate_row(app: &AppCtx, status: Option<&CompanionStatus>) -> Row {
    let lang = app.lang();
    let (mark, detail) = match status {
        None => (Mark::Unknown, not_checked(app)),
        Some(st) => match &st.certificate {
            None if st.service == ServiceKind::Simulator => (
                Mark::NotApplicable,
                lang.t("練習用モードでは使いません。本番では、施術所の電子証明書をコンパニオンに設定します。".into(),
                    "Not used in practice mode. For real checks, the clinic's certificate is configured in the companion.".into(),
                ),
            ),
            None => (
                Mark::Bad,
                lang.t("施術所の電子証明書が設定されていません。".into(),
                    "No clinic certificate is configured.".into(),
                ),
            ),
            Some(c) => {
                let until = date_text(lang, c.not_after);
                let who = if c.subject_cn.is_empty() {
                    String::new()
                } else {
                    lang.t(format!("名義：{}。", c.subject_cn),
                        format!("Issued to {}. ", c.subject_cn),
                    )
                };
                if c.expired() {
                    (
                        Mark::Bad,
                        lang.t(format!("{who}有効期限が切れています（{until}まで）。証明書を更新し、コンパニオンに設定し直してください。"),
                            format!("{who}Expired on {until}. Renew it and configure the companion with the new one."),
                        ),
                    )
                } else if c.days_left <= CERTIFICATE_WARNING_DAYS {
                    (
                        Mark::Warn,
                        lang.t(format!("{who}有効期限は{until}、残り{}日です。期限が近づいています。更新の手続きをしてください。", c.days_left),
                            format!("{who}Valid until {until}: {} days left. It expires soon — renew it now.", c.days_left),
                        ),
                    )
                } else {
                    (
                        Mark::Ok,
                        lang.t(format!("{who}有効期限は{until}（残り{}日）です。", c.days_left),
                            format!("{who}Valid until {until} ({} days left).", c.days_left),
                        ),
                    )
                }
            }
        },
    };
    Row {
        id: "readiness-certificate",
        label: app.t("施術所の電子証明書", "Clinic certificate"),
        mark,
        detail,
    }
}

fn service_row(app: &AppCtx, status: Option<&CompanionStatus>) -> Row {
    let lang = app.lang();
    let (mark, detail) = match status {
        None => (Mark::Unknown, not_checked(app)),
        Some(st) => {
            let name = match (st.service, &st.service_url) {
                (ServiceKind::Simulator, _) => lang.t(
                    "練習用の資格確認サービス（シミュレーター）".into(),
                    "The practice eligibility service (simulator)".into(),
                ),
                (ServiceKind::Relay, Some(host)) => lang.t(
                    format!("資格確認サービス（{host}）"),
                    format!("The eligibility service ({host})"),
                ),
                (ServiceKind::Relay, None) => {
                    lang.t("資格確認サービス".into(), "The eligibility service".into())
                }
            };
            match st.service_reachable {
                Reachable::Yes => (
                    Mark::Ok,
                    lang.t(
                        format!("{name}につながります。"),
                        format!("{name} can be reached."),
                    ),
                ),
                Reachable::Unknown => (
                    Mark::Unknown,
                    lang.t(
                        format!("{name}につながるかは確認できませんでした。"),
                        format!("Whether {name} can be reached is not known."),
                    ),
                ),
                Reachable::No => {
                    let kind = st.service_error_detail.service_code.as_deref();
                    let advice = match (kind, lang) {
                        (Some("TLS"), Lang::Ja) => "安全な接続を確立できません。施術所の電子証明書と、サービスの証明書（CA）の設定を確認してください。".to_string(),
                        (Some("TLS"), Lang::En) => "A secure connection could not be set up. Check the clinic certificate and the service CA in the companion's settings.".to_string(),
                        (Some("TIMEOUT"), Lang::Ja) => "時間内に応答がありませんでした。インターネット接続を確認し、時間をおいて再確認してください。".to_string(),
                        (Some("TIMEOUT"), Lang::En) => "No answer in time. Check the Internet connection and check again later.".to_string(),
                        (_, Lang::Ja) => "インターネット接続と、コンパニオンに設定したサービスのアドレスを確認し、時間をおいて再確認してください。".to_string(),
                        (_, Lang::En) => "Check the Internet connection and the service address in the companion's settings, then check again later.".to_string(),
                    };
                    let code = kind.map(|k| format!("（{k}）")).unwrap_or_default();
                    (
                        Mark::Bad,
                        lang.t(
                            format!("{name}につながりません{code}。{advice}"),
                            format!("{name} cannot be reached{code}. {advice}"),
                        ),
                    )
                }
            }
        }
    };
    Row {
        id: "readiness-service",
        label: app.t("資格確認サービスへの接続", "Eligibility service reachable"),
        mark,
        detail,
    }
}

fn row_html(app: &AppCtx, r: &Row) -> Html {
    html! {
        <li id={r.id} data-mark={format!("{:?}", r.mark).to_lowercase()}>
            <strong>{ r.label }</strong>{ app.t("：", ": ") }
            <span class={r.mark.class()}>
                <span aria-hidden="true">{ r.mark.symbol() }{ " " }</span>{ r.mark.word(app) }
            </span>
            <br />
            <span class="detail">{ r.detail.clone() }</span>
        </li>
    }
}

/// How far `today` is from a deadline, in the page's words.
fn days_text(lang: Lang, today: Date, d: &Deadline) -> String {
    match (d.standing(today), d.approximate) {
        (Standing::Today, _) => lang.t("今日", "today").into(),
        (Standing::Left(n), false) => lang.t(format!("あと{n}日"), format!("{n} days left")),
        (Standing::Left(n), true) => lang.t(
            format!("あと約{n}日（目安）"),
            format!("about {n} days left (approximate)"),
        ),
        (Standing::Passed(n), false) => lang.t(
            format!("{n}日前に過ぎました"),
            format!("passed {n} days ago"),
        ),
        (Standing::Passed(_), true) => lang.t("過ぎました（目安）", "passed (approximate)").into(),
        (Standing::AboutNow, _) => lang.t("今ごろ（目安）", "about now (approximate)").into(),
    }
}

#[function_component(Deadlines)]
fn deadlines() -> Html {
    let app = use_app();
    let lang = app.lang();
    let today = crate::clock::today();
    let all = adoption::deadlines();
    let exceptions = adoption::exceptions();
    let stop = all.iter().find(|d| d.key);
    html! {
        <section class="panel" aria-labelledby="deadlines-heading">
            <h2 id="deadlines-heading">{ app.t("期限", "Deadlines") }</h2>
            <p id="deadlines-today">{ lang.t(format!("今日は{}です。", date_text(Lang::Ja, today)), format!("Today is {today}.")) }</p>
            if let Some(d) = stop {
                <p id="deadline-key" class="warn-box">
                    <strong>{ lang.t(format!("受領委任の取扱い中止（{}）まで：{}", d.when_ja, days_text(Lang::Ja, today, d)),
                                   format!("受領委任 stops ({}): {}", d.when_en, days_text(Lang::En, today, d))) }</strong>
                    <br />
                    { app.t(
                        "オンライン資格確認を導入して使える状態にしているか、やむを得ない事由を届け出た施術所は対象外です。この画面は機器と接続の状態を確かめるもので、利用開始申請が済んでいるかは確認できません。",
                        "Clinics that have adopted online eligibility checks, or declared an unavoidable reason, are not affected. This screen checks the equipment and connections; it cannot tell whether the application to start has been filed.") }
                </p>
            }
            <div class="table-wrap" role="region" tabindex="0" aria-labelledby="deadlines-caption">
                <table id="deadlines-table">
                    <caption id="deadlines-caption">{ app.t("オンライン資格確認に関する主な期限（厚生労働省の説明資料より。「ごろ」は目安）", "Key deadlines for online eligibility checks (from the MHLW briefing; \"around\" dates are approximate)") }</caption>
                    <thead><tr>
                        <th scope="col">{ app.t("時期", "When") }</th>
                        <th scope="col">{ app.t("内容", "What") }</th>
                        <th scope="col">{ app.t("今日から", "From today") }</th>
                    </tr></thead>
                    <tbody>
                        { for all.iter().map(|d| html! {
                            <tr id={d.id.clone()}>
                                <th scope="row">{ app.t(&d.when_ja, &d.when_en) }</th>
                                <td>
                                    if d.key { <strong>{ app.t(&d.what_ja, &d.what_en) }</strong> }
                                    else { { app.t(&d.what_ja, &d.what_en) } }
                                </td>
                                <td>{ days_text(app.lang(), today, d) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
            <h3 id="exceptions-heading">{ app.t(&exceptions.title_ja, &exceptions.title_en) }</h3>
            <p>{ app.t("次のどれかに当たる施術所は、届け出ることで導入の義務の例外になります。", "A clinic that meets one of these can declare it and is excepted from the obligation.") }</p>
            <ul id="exceptions" aria-labelledby="exceptions-heading">
                { for exceptions.reasons.iter().map(|r| html! {
                    <li id={r.id.clone()}>{ app.t(&r.ja, &r.en) }</li>
                }) }
            </ul>
        </section>
    }
}

#[function_component(Readiness)]
pub fn readiness() -> Html {
    let app = use_app();
    let s = &app.state;
    let lang = app.lang();
    let ready = s.companion.ready();
    let checking = use_state(|| false);
    {
        // An answer (or an error) ends the check; declared first so the request below wins
        // on the first render.
        let checking = checking.clone();
        use_effect_with(s.readiness.status_seq, move |_| {
            checking.set(false);
            || ()
        });
    }
    {
        // Ask when shown, and again whenever the companion becomes ready.
        let checking = checking.clone();
        let send = app.ctl.send.clone();
        use_effect_with(ready, move |ready| {
            if *ready {
                checking.set(true);
                send.emit(Command::GetStatus);
            }
            || ()
        });
    }
    let recheck = {
        let checking = checking.clone();
        let ctl = app.ctl.clone();
        Callback::from(move |_| {
            if ready {
                checking.set(true);
                ctl.send.emit(Command::GetReaders);
                ctl.send.emit(Command::GetStatus);
            } else {
                ctl.reconnect.emit(());
            }
        })
    };
    let status = if ready {
        s.readiness.status.as_ref()
    } else {
        None
    };
    let rows = [
        companion_row(&app),
        reader_row(&app, ready),
        certificate_row(&app, status),
        service_row(&app, status),
    ];
    let problems: Vec<&'static str> = rows
        .iter()
        .filter(|r| r.mark.needs_action())
        .map(|r| r.label)
        .collect();
    let practice = status.is_some_and(|st| st.service == ServiceKind::Simulator);
    let when = status.map(|st| time_text(lang, &st.checked_at));
    let error = s
        .readiness
        .status_error
        .as_ref()
        .filter(|_| ready)
        .map(|(code, detail)| lang.t(code.message_ja(detail), code.message_en(detail)));
    let summary = if !ready {
        app.t(
            "コンパニオンとつながっていないため、確認できません。",
            "Cannot check: the companion is not connected.",
        )
        .to_string()
    } else if *checking {
        app.t("確認しています…", "Checking…").to_string()
    } else if let Some(e) = &error {
        lang.t(
            format!("確認できませんでした：{e}"),
            format!("Could not check: {e}"),
        )
    } else {
        let at = when.clone().unwrap_or_default();
        match (problems.is_empty(), practice, lang) {
            (true, false, Lang::Ja) => format!("{at}に確認しました。オンライン資格確認を使える状態です。"),
            (true, false, Lang::En) => format!("Checked at {at}. Online eligibility checking is operational."),
            (true, true, Lang::Ja) => format!("{at}に確認しました。練習用モードで動いています（本番の資格確認サービスにはつながっていません）。"),
            (true, true, Lang::En) => format!("Checked at {at}. Running in practice mode (not connected to the real eligibility service)."),
            (false, _, Lang::Ja) => format!("{at}に確認しました。対応が必要な項目が{}つあります：{}。", problems.len(), problems.join("、")),
            (false, _, Lang::En) => format!("Checked at {at}. {} item(s) need attention: {}.", problems.len(), problems.join(", ")),
        }
    };
    html! {
        <>
            <h1 id="screen-heading" tabindex="-1">{ app.t("導入状況", "Readiness") }</h1>
            <p class="hint">{ app.t(
                "この施術所でオンライン資格確認を使える状態かを確かめます。すべて「OK」なら、受付でマイナ保険証の資格確認ができます。",
                "Checks whether this clinic can use online eligibility checking. When every item is OK, reception can check My Number insurance cards.") }</p>
            <section class="panel" aria-labelledby="readiness-heading">
                <h2 id="readiness-heading">{ app.t("確認項目", "Conditions") }</h2>
                <p id="readiness-summary" role="status" aria-live="polite" aria-atomic="true">{ summary }</p>
                <ul id="readiness-checks" aria-labelledby="readiness-heading">
                    { for rows.iter().map(|r| row_html(&app, r)) }
                </ul>
                if let Some(at) = when {
                    <p class="hint" id="readiness-checked-at">
                        { app.t("最後に確認した時刻：", "Last checked: ") }
                        <time datetime={status.map(|st| st.checked_at.clone()).unwrap_or_default()}>{ at }</time>
                    </p>
                }
                <button id="readiness-recheck" type="button" onclick={recheck} aria-describedby="readiness-summary">
                    { app.t("再確認", "Check again") }
                </button>
            </section>
            <Deadlines />
        </>
    }
}
