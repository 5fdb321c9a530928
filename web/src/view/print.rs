//! The forms on paper: each 申請書 and 総括票 as an A4 sheet of labelled boxes. The values come
//! formatted from `core::claims::forms` (和暦, full-width カナ); this module only places them.
//! Where each box sits is in `www/print.css` (`.sheet-… .b-<field key>` in millimetres), so
//! the layout is corrected in one place and the page needs no inline styles (the companion's
//! CSP forbids them). The positions follow the official forms' order of boxes but are our
//! approximation: the official PDFs' exact coordinates are not in our references.
//! The same sheets are the on-screen preview.

use ukemi_core::claims::forms::{FormField, FormModel, FormSection, Sheet, SummaryForm};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PrintSheetsProps {
    pub forms: Vec<FormModel>,
    #[prop_or_default]
    pub summaries: Vec<SummaryForm>,
    #[prop_or_default]
    pub id: Option<AttrValue>,
    /// Per form: its claim still has errors. Such a sheet prints as a draft, marked on paper,
    /// so it cannot be mistaken for one ready to file.
    #[prop_or_default]
    pub drafts: Vec<bool>,
    /// The trainer demo's sheets: each carries a 見本 mark on paper, so a practice form is
    /// never mistaken for one to file.
    #[prop_or_default]
    pub sample: bool,
    /// The sheets in the order they are bound (`forms::binding_order`: 総括票(Ⅰ), then per
    /// 保険者 its 総括票(Ⅱ) and its 申請書; `Claim(i)` is `forms[i]`). Without it: `summaries`
    /// on top, then `forms` as given.
    #[prop_or_default]
    pub order: Option<Vec<Sheet>>,
}

/// Field keys that have their own box on the sheet; anything else goes to 摘要, so no value
/// is ever dropped from paper.
const PLACED: &[&str] = &[
    "prefecture_code",
    "insurer_number",
    "insurance_kind",
    "single_combined",
    "symbol_number",
    "insured_or_family",
    "benefit_rate",
    "elderly",
    "public_payer_1",
    "public_recipient_1",
    "public_payer_2",
    "public_recipient_2",
    "holder_name",
    "holder_address",
    "patient_name",
    "patient_kana",
    "birth_date",
    "sex",
    "relationship",
    "disease",
    "symptoms",
    "first_visit_date",
    "consent",
    "consent_until",
    "outcome",
    "doctor_consent",
    "visit_days",
    "actual_days",
    "total",
    "copay",
    "billed",
    "public_copay",
    "public_billed",
    "clinic_name",
    "clinic_address",
    "manager",
    "registration_number",
];

fn fields(form: &FormModel) -> impl Iterator<Item = &FormField> {
    form.sections.iter().flat_map(|s| s.fields.iter())
}

fn value<'a>(form: &'a FormModel, key: &str) -> &'a str {
    fields(form)
        .find(|f| f.key == key)
        .map(|f| f.value.as_str())
        .unwrap_or("")
}

fn section<'a>(form: &'a FormModel, key: &str) -> Option<&'a FormSection> {
    form.sections.iter().find(|s| s.key == key)
}

/// One labelled box; its position comes from the stylesheet by key.
fn boxed(key: &str, label: &str, value: &str) -> Html {
    html! {
        <div class={classes!("box", format!("b-{key}"))}>
            <span class="lbl">{ label.to_string() }</span>
            <span class="val">{ value.to_string() }</span>
        </div>
    }
}

/// Boxes the official form prints even when empty (a frame with its caption), so every
/// sheet has the same grid whether or not the case has 公費 or a 高齢受給者 mark.
const ALWAYS: &[(&str, &str)] = &[
    ("elderly", "高齢受給者"),
    ("public_payer_1", "公費負担者番号1"),
    ("public_recipient_1", "公費受給者番号1"),
    ("public_payer_2", "公費負担者番号2"),
    ("public_recipient_2", "公費受給者番号2"),
];

fn placed(form: &FormModel, key: &str) -> Html {
    match fields(form).find(|f| f.key == key) {
        Some(f) => boxed(&f.key, &f.label, &f.value),
        None => match ALWAYS.iter().find(|(k, _)| *k == key) {
            Some((k, label)) => boxed(k, label, ""),
            None => html! {},
        },
    }
}

fn cell<'a>(row: &'a [FormField], key: &str) -> &'a str {
    row.iter()
        .find(|f| f.key == key)
        .map(|f| f.value.as_str())
        .unwrap_or("")
}

/// Where an item without a 部位 goes in the list of 施術料等: the form's order (初検, 相談支援,
/// 再検, 往療, then the 加算 and the rest as they come).
fn general_rank(code: &str) -> usize {
    const ORDER: &[&str] = &["shoken", "shoken_consult", "saiken", "ouryo"];
    ORDER
        .iter()
        .position(|o| code == *o || code.starts_with(&format!("{o}_")))
        .unwrap_or(ORDER.len())
}

/// Does this item code go in the column.
type Takes = fn(&str) -> bool;

/// The 柔整 部位 table's columns: (caption, which item codes go there).
const PART_COLUMNS: &[(&str, Takes)] = &[
    ("整復・固定・施療料", |c| {
        c.starts_with("first_")
            || c.starts_with("reduction_")
            || c.starts_with("fixation_")
            || c == "manual_first_fee"
    }),
    ("後療料", |c| c.starts_with("after_")),
    ("冷罨法", |c| c == "cold"),
    ("温罨法", |c| c == "warm"),
    ("電療", |c| c == "electro"),
    ("金属副子等", |c| c == "metal_splint"),
];

fn num(n: u64) -> String {
    n.to_string()
}

/// 様式第5号's fee area: the 施術料等 without a 部位 as a row of small boxes, then one row per
/// 部位 and 逓減 band with 回数 and 金額 per kind of fee, as the official form's 部位 rows.
/// A fee of a kind without a column is written in the row's その他 cell: nothing is dropped.
fn judo_amounts(s: &FormSection) -> Html {
    let mut general: Vec<&Vec<FormField>> = s
        .rows
        .iter()
        .filter(|r| cell(r, "part").is_empty())
        .collect();
    general.sort_by_key(|r| general_rank(cell(r, "code")));
    // (部位, 逓減) bands in order; per band the sums per column and the その他 items.
    struct Band<'a> {
        part: &'a str,
        rate: &'a str,
        cols: Vec<(u64, u64)>,
        other: Vec<String>,
        total: u64,
    }
    let mut bands: Vec<Band> = Vec::new();
    for r in s.rows.iter().filter(|r| !cell(r, "part").is_empty()) {
        let (part, rate) = (cell(r, "part"), cell(r, "rate"));
        let i = match bands.iter().position(|b| b.part == part && b.rate == rate) {
            Some(i) => i,
            None => {
                bands.push(Band {
                    part,
                    rate,
                    cols: vec![(0, 0); PART_COLUMNS.len()],
                    other: Vec::new(),
                    total: 0,
                });
                bands.len() - 1
            }
        };
        let b = &mut bands[i];
        let count: u64 = cell(r, "count").parse().unwrap_or(0);
        let amount: u64 = cell(r, "amount").parse().unwrap_or(0);
        b.total += amount;
        let code = cell(r, "code");
        match PART_COLUMNS.iter().position(|(_, is)| is(code)) {
            Some(c) => {
                b.cols[c].0 += count;
                b.cols[c].1 += amount;
            }
            None => b
                .other
                .push(format!("{} {}回 {}", cell(r, "label"), count, amount)),
        }
    }
    bands.sort_by(|a, b| {
        let n = |p: &str| p.parse::<u32>().unwrap_or(u32::MAX);
        n(a.part).cmp(&n(b.part)).then(a.rate.cmp(b.rate))
    });
    let any_other = bands.iter().any(|b| !b.other.is_empty());
    html! {
        <div class="box block-amounts judo-amounts">
            <span class="lbl">{ &s.title }</span>
            <ul class="general">
                { for general.iter().map(|r| html! {
                    <li>
                        <span class="lbl">{ cell(r, "label") }</span>
                        <span class="val"><span class="n">{ format!("{}回", cell(r, "count")) }</span>{ cell(r, "amount") }</span>
                    </li>
                }) }
            </ul>
            <table class="parts">
                <thead>
                    <tr>
                        <th scope="col" rowspan="2">{ "部位" }</th>
                        { for PART_COLUMNS.iter().map(|(label, _)| html! { <th scope="colgroup" colspan="2">{ *label }</th> }) }
                        if any_other { <th scope="col" rowspan="2">{ "その他" }</th> }
                        <th scope="col" rowspan="2">{ "逓減" }</th>
                        <th scope="col" rowspan="2">{ "計" }</th>
                    </tr>
                    <tr>
                        { for PART_COLUMNS.iter().map(|_| html! { <><th scope="col">{ "回" }</th><th scope="col">{ "金額" }</th></> }) }
                    </tr>
                </thead>
                <tbody>
                    { for bands.iter().map(|b| html! {
                        <tr>
                            <th scope="row">{ b.part }</th>
                            { for b.cols.iter().map(|(n, yen)| if *n == 0 && *yen == 0 {
                                html! { <><td class="c-count"></td><td class="c-amount"></td></> }
                            } else {
                                html! { <><td class="c-count">{ num(*n) }</td><td class="c-amount">{ num(*yen) }</td></> }
                            }) }
                            if any_other { <td class="c-other">{ b.other.join("、") }</td> }
                            <td class="c-rate">{ b.rate }</td>
                            <td class="c-amount">{ num(b.total) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

/// 1–31 with the treated days circled, as the form's 施術日 row.
fn calendar(days: &str) -> Html {
    let treated: Vec<u32> = days
        .split(',')
        .filter_map(|d| d.trim().parse().ok())
        .collect();
    let said = if treated.is_empty() {
        "施術日：なし".to_string()
    } else {
        format!(
            "施術日：{}（{}日）",
            treated
                .iter()
                .map(|d| format!("{d}日"))
                .collect::<Vec<_>>()
                .join("、"),
            treated.len()
        )
    };
    html! {
        <div class="box block-calendar">
            <span class="lbl" aria-hidden="true">{ "施術日" }</span>
            // The circles are drawn; a screen reader hears the treated days in words.
            <p class="sr-only screen-only">{ said }</p>
            <ol class="days" aria-hidden="true">
                { for (1..=31u32).map(|d| {
                    let on = treated.contains(&d);
                    html! { <li class={classes!(on.then_some("on"))}>{ d }</li> }
                }) }
            </ol>
        </div>
    }
}

fn table(s: &FormSection, class: &str, skip: &[&str]) -> Html {
    let Some(first) = s.rows.first() else {
        return html! { <div class={classes!("box", class.to_string())}><span class="lbl">{ &s.title }</span></div> };
    };
    let cols: Vec<&FormField> = first
        .iter()
        .filter(|f| !skip.contains(&f.key.as_str()))
        .collect();
    html! {
        <div class={classes!("box", class.to_string())}>
            <table>
                <thead><tr>{ for cols.iter().map(|f| html! { <th scope="col">{ &f.label }</th> }) }</tr></thead>
                <tbody>
                    { for s.rows.iter().map(|row| html! {
                        <tr>{ for row.iter().filter(|f| !skip.contains(&f.key.as_str())).map(|f| html! {
                            <td class={format!("c-{}", f.key)}>{ &f.value }</td>
                        }) }</tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

fn claim_sheet(form: &FormModel, draft: bool, sample: bool) -> Html {
    let kind = match form.form_id.as_str() {
        "様式第5号" => "judo",
        "様式第6号" => "acupuncture",
        _ => "massage",
    };
    let label = format!(
        "{}{} {} {}{}",
        if sample { "見本 " } else { "" },
        form.form_id,
        form.month_ja,
        value(form, "patient_name"),
        if draft {
            "（下書き・エラーあり）"
        } else {
            ""
        }
    );
    // 負傷の原因 is printed under the injuries, one line per 負傷.
    let causes: Vec<String> = section(form, "injuries")
        .map(|s| {
            s.rows
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    r.iter()
                        .find(|f| f.key == "cause" && !f.value.is_empty())
                        .map(|f| format!("{}. {}", i + 1, f.value))
                })
                .collect()
        })
        .unwrap_or_default();
    let others: Vec<&FormField> = fields(form)
        .filter(|f| !PLACED.contains(&f.key.as_str()) && !f.key.starts_with("practitioner_"))
        .filter(|f| !f.value.is_empty())
        .collect();
    let practitioners: Vec<&FormField> = fields(form)
        .filter(|f| f.key.starts_with("practitioner_"))
        .collect();
    html! {
        <article class={classes!("sheet", format!("sheet-{kind}"))} role="document" aria-label={label} lang="ja">
            <p class="form-id">{ &form.form_id }</p>
            <h3 class="title">{ &form.title }</h3>
            if draft {
                <p class="draft-mark">{ "下書き（エラーあり・提出不可）" }</p>
            }
            if sample {
                <p class="sample-mark" aria-hidden="true"></p>
            }
            <div class="box b-month"><span class="val">{ &form.month_ja }</span></div>
            { for PLACED.iter().filter(|k| !matches!(**k, "visit_days" | "clinic_name" | "clinic_address" | "manager" | "registration_number")).map(|k| placed(form, k)) }
            if kind == "judo" {
                if let Some(s) = section(form, "injuries") { { table(s, "block-injuries", &["cause"]) } }
                if value(form, "doctor_consent").is_empty() { { boxed("doctor_consent", "医師の同意", "") } }
                <div class="box block-causes">
                    <span class="lbl">{ "負傷の原因" }</span>
                    <span class="val">{ for causes.iter().map(|c| html! { <span class="line">{ c }</span> }) }</span>
                </div>
            }
            { calendar(value(form, "visit_days")) }
            if let Some(s) = section(form, "amounts") {
                if kind == "judo" { { judo_amounts(s) } } else { { table(s, "block-amounts", &["part", "code", "review"]) } }
            }
            <div class="box block-remarks">
                <span class="lbl">{ "摘要" }</span>
                <span class="val">{ for others.iter().map(|f| html! { <span class="line">{ format!("{}：{}", f.label, f.value) }</span> }) }</span>
            </div>
            <div class="box block-cert">
                <span class="lbl">{ "施術証明欄　上記のとおり施術を行い、その費用を領収しました。" }</span>
                <span class="val">
                    <span class="line">{ format!("施術所　{}", value(form, "clinic_name")) }</span>
                    <span class="line">{ format!("所在地　{}", value(form, "clinic_address")) }</span>
                    <span class="line">{ format!("施術管理者　{}　登録記号番号　{}", value(form, "manager"), value(form, "registration_number")) }</span>
                    { for practitioners.iter().map(|p| html! { <span class="line">{ format!("施術者　{}", p.value) }</span> }) }
                </span>
            </div>
            <div class="box block-apply">
                <span class="lbl">{ "申請欄" }</span>
                <span class="val small">{ "上記の療養に要した費用について、療養費の支給を申請します。" }</span>
                <span class="lbl">{ "受領委任欄" }</span>
                <span class="val small">{ "上記の療養費の受領を施術管理者に委任します。" }</span>
                // Written by the patient (記載要領): the date and the 氏名 by hand; the 住所
                // may be printed 「上記と同じ」 when the insured's address is on the form.
                <span class="val sign delegation-date">{ "委任年月日　令和　　年　　月　　日" }</span>
                <span class="val sign delegation-address">{
                    if value(form, "holder_address").trim().is_empty() { "被保険者住所" } else { "被保険者住所　上記と同じ" }
                }</span>
                <span class="val sign delegation-name">{ "被保険者氏名" }</span>
            </div>
            if !form.needs_review.is_empty() {
                <p class="review screen-only">{ format!("要確認（料金表の金額が未確認の項目）：{}", form.needs_review.join("、")) }</p>
            }
        </article>
    }
}

fn summary_sheet(s: &SummaryForm, sample: bool) -> Html {
    let insurer = s
        .insurer_number
        .clone()
        .unwrap_or_else(|| "全保険者".into());
    let label = format!(
        "{}{} {} {} {}",
        if sample { "見本 " } else { "" },
        s.form_id,
        s.title,
        s.month_ja,
        insurer
    );
    let cell = |k: &str, l: &str, v: String| boxed(k, l, &v);
    html! {
        <article class="sheet sheet-summary" role="document" aria-label={label} lang="ja">
            <p class="form-id">{ &s.form_id }</p>
            <h3 class="title">{ &s.title }</h3>
            if sample {
                <p class="sample-mark" aria-hidden="true"></p>
            }
            <div class="box b-month"><span class="val">{ &s.month_ja }</span></div>
            { cell("s_insurer", "保険者番号", insurer) }
            { cell("s_count", "件数", s.claim_count.to_string()) }
            { cell("s_days", "実日数", s.actual_days.to_string()) }
            { cell("s_total", "合計金額", s.total_yen.to_string()) }
            { cell("s_copay", "一部負担金", s.copay_yen.to_string()) }
            { cell("s_billed", "請求金額", s.billed_yen.to_string()) }
            { cell("s_public", "公費請求額", s.public_billed_yen.to_string()) }
        </article>
    }
}

/// Every sheet of one print job, in binding order when given (docs/claims.md "Forms").
#[function_component(PrintSheets)]
pub fn print_sheets(p: &PrintSheetsProps) -> Html {
    let claim = |i: usize| -> Html {
        p.forms
            .get(i)
            .map(|f| claim_sheet(f, p.drafts.get(i).copied().unwrap_or(false), p.sample))
            .unwrap_or_default()
    };
    html! {
        <div class="print-sheets" id={p.id.clone()}>
            if let Some(order) = &p.order {
                { for order.iter().map(|s| match s {
                    Sheet::Summary(s) => summary_sheet(s, p.sample),
                    Sheet::Claim(i) => claim(*i),
                }) }
            } else {
                { for p.summaries.iter().map(|s| summary_sheet(s, p.sample)) }
                { for (0..p.forms.len()).map(claim) }
            }
        </div>
    }
}
