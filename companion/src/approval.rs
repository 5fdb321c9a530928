//! The approval page, served by the companion on its own origin at `/pair`: a person at the
//! clinic PC sees each waiting pairing request — the requesting page's origin in large
//! type, and the code the asking page shows too — and approves or refuses it. No console is
//! needed, and nothing is typed into the asking page. The page works without script (plain
//! forms); a small script reloads it when requests come or go.
//!
//! Only the companion's own origin can decide: the form's POST must carry that `Origin`
//! (another web site cannot submit it, and cannot read the list: no CORS), the `Host` was
//! checked as for everything else, the request id is random, and other OS users never get
//! this far (`peer.rs`). The page cannot be framed (CSP `frame-ancestors 'none'`).

use crate::guard::{normalise_origin, OriginPolicy};
use crate::http::{self, RequestHead};
use crate::session::Shared;
use std::io::{Read, Write};
use std::net::TcpStream;
use ukemi_core::protocol::pairing::Pending;

const PAGE: &str = "/pair";
const STYLE: &str = "/pair.css";
const LIST: &str = "/pair/requests";
const DECIDE: &str = "/pair/decide";
const MAX_BODY: usize = 1024;

pub fn handles(head: &RequestHead) -> bool {
    let path = head.path.split(['?', '#']).next().unwrap_or("");
    [PAGE, STYLE, LIST, DECIDE].contains(&path)
}

pub(crate) fn escape_html(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn grouped(code: &str) -> String {
    if code.len() == 6 {
        format!("{} {}", &code[..3], &code[3..])
    } else {
        code.to_string()
    }
}

const SCRIPT: &str = "\
const shown = Array.from(document.querySelectorAll('[data-request]')).map(e => e.dataset.request).join(',');
setInterval(() => {
  fetch('/pair/requests', {cache: 'no-store'}).then(r => r.json()).then(j => {
    const now = j.pending.map(p => p.id).join(',');
    if (now !== shown) location.replace('/pair');
  }).catch(() => {});
}, 1500);";

/// What approving grants an origin, said beside it: the person at the PC should know
/// whether the page will see the clinic's patients (docs/protocol.md, "Origins and the book").
fn grants(book: bool) -> &'static str {
    if book {
        r#"<p class="grants" data-book="true">承認すると、このページは資格確認と<strong>患者の記録（台帳）の読み書き</strong>ができます（施術所のアプリ）。<br>
<span lang="en">Approved, this page checks eligibility and <strong>reads and changes the clinic's records</strong> (the clinic app).</span></p>"#
    } else {
        r#"<p class="grants" data-book="false">承認すると、このページは資格確認だけができます。患者の記録（台帳）は見られません。<br>
<span lang="en">Approved, this page checks eligibility only; it cannot see the clinic's records.</span></p>"#
    }
}

/// `book`: whether an origin may use the book.
fn page(
    pending: &[Pending],
    paired: &[String],
    done: Option<&str>,
    book: &dyn Fn(&str) -> bool,
) -> String {
    let mut requests = String::new();
    for p in pending {
        let id = escape_html(&p.id);
        let code = escape_html(&p.code);
        let grants = grants(book(&p.origin));
        requests.push_str(&format!(
            r#"<section class="request" data-request="{id}" aria-labelledby="origin-{id}">
<p class="label">連携を求めているページ <span lang="en">Page asking to pair</span></p>
<h2 class="origin" id="origin-{id}">{origin}</h2>
<p class="label">確認番号 <span lang="en">Number</span></p>
<p class="code" data-code="{code}" id="code-{id}">{grouped}</p>
<p>依頼したページにも同じ番号が出ています。心当たりのあるページだけ承認してください。<br>
<span lang="en">The asking page shows the same number. Approve only a page you expect.</span></p>
{grants}
<form method="post" action="/pair/decide">
<input type="hidden" name="id" value="{id}">
<button type="submit" name="decision" value="approve" class="approve" data-code="{code}" aria-describedby="origin-{id} code-{id}">承認する <span lang="en">Approve</span></button>
<button type="submit" name="decision" value="refuse" class="refuse" data-code="{code}" aria-describedby="origin-{id} code-{id}">拒否する <span lang="en">Refuse</span></button>
</form>
</section>
"#,
            origin = escape_html(&p.origin),
            grouped = escape_html(&grouped(&p.code)),
        ));
    }
    if pending.is_empty() {
        requests.push_str(
            "<p id=\"none\">いま承認を待っている依頼はありません。<br><span lang=\"en\">No page is waiting for approval.</span></p>\n",
        );
    }
    let status = match done {
        Some("approved") => "<p id=\"done\" role=\"status\">承認しました。依頼したページで使えるようになりました。 <span lang=\"en\">Approved.</span></p>",
        Some("refused") => "<p id=\"done\" role=\"status\">拒否しました。 <span lang=\"en\">Refused.</span></p>",
        Some(_) => "<p id=\"done\" role=\"status\">その依頼はもうありません（時間切れ、またはページが閉じられました）。 <span lang=\"en\">That request is gone.</span></p>",
        None => "",
    };
    let paired: String = if paired.is_empty() {
        "<li>（なし / none）</li>".into()
    } else {
        paired
            .iter()
            .map(|o| format!("<li>{}</li>", escape_html(o)))
            .collect()
    };
    let title = if pending.is_empty() {
        "連携の承認 — Ukemi".to_string()
    } else {
        format!("（{}件の依頼）連携の承認 — Ukemi", pending.len())
    };
    format!(
        r#"<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title}</title><link rel="stylesheet" href="/pair.css"></head>
<body><main>
<h1>連携（ペアリング）の承認 <span lang="en">Approve pairing</span></h1>
<p>このパソコンのカードリーダーと資格確認を使わせてよいか、ページごとに確認します。<br>
<span lang="en">Each web page must be approved here once before it may use this PC's card reader.</span></p>
{status}
<div id="requests">
{requests}</div>
<h2 class="small">連携済みのページ <span lang="en">Paired pages</span></h2>
<ul id="paired">{paired}</ul>
</main><script>{SCRIPT}</script></body></html>
"#
    )
}

const CSS: &str = "body{font-family:system-ui,sans-serif;font-size:1.25rem;line-height:1.6;margin:0;background:#fff;color:#111}
main{max-width:46rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem}
.request{border:3px solid #114;border-radius:.5rem;padding:1rem 1.25rem;margin:1.25rem 0}
.origin{font-size:2.4rem;word-break:break-all;margin:.2rem 0 .8rem}
.code{font-size:2.2rem;font-weight:bold;letter-spacing:.15em;margin:.2rem 0}
.label{margin:0;color:#333}
.grants{border-left:6px solid #555;padding:.4rem .8rem;background:#f3f3f3}
.grants[data-book=true]{border-color:#a15c00}
button{font-size:1.3rem;padding:.6rem 1.4rem;margin:.5rem 1rem .2rem 0;border-radius:.4rem;border:2px solid #114;cursor:pointer}
.approve{background:#0a5c2b;color:#fff}
.refuse{background:#fff;color:#7a0000;border-color:#7a0000}
button:focus{outline:4px solid #f90;outline-offset:2px}
#done{background:#eef6ee;padding:.5rem 1rem;border-left:6px solid #0a5c2b}
.small{font-size:1.1rem;margin-top:2rem}
";

pub(crate) fn respond(stream: &mut TcpStream, status: &str, ctype: &str, body: &[u8], extra: &str) {
    let hashes = if ctype.starts_with("text/html") {
        http::inline_script_hashes(&String::from_utf8_lossy(body))
    } else {
        vec![]
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n{}{extra}Connection: close\r\n\r\n",
        body.len(),
        http::security_headers_with(&hashes, "'self'")
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

fn form_value<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    body.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then_some(v)
    })
}

pub fn serve(
    stream: &mut TcpStream,
    head: &RequestHead,
    head_len: usize,
    shared: &Shared,
    policy: &OriginPolicy,
) {
    let mut consumed = vec![0u8; head_len];
    let _ = stream.read_exact(&mut consumed);
    let (path, query) = head.path.split_once('?').unwrap_or((&head.path, ""));
    let snapshot = || {
        shared
            .brain
            .lock()
            .ok()
            .map(|b| (b.pairings.pending().to_vec(), b.pairings.paired_origins()))
    };
    match (head.method.as_str(), path) {
        ("GET", PAGE) => {
            let (pending, paired) = snapshot().unwrap_or_default();
            let done = query.strip_prefix("done=");
            let html = page(&pending, &paired, done, &|o| policy.may_use_book(o));
            respond(stream, "200 OK", HTML, html.as_bytes(), "");
        }
        ("GET", STYLE) => respond(
            stream,
            "200 OK",
            "text/css; charset=utf-8",
            CSS.as_bytes(),
            "",
        ),
        ("GET", LIST) => {
            let (pending, _) = snapshot().unwrap_or_default();
            let list: Vec<serde_json::Value> = pending
                .iter()
                .map(|p| serde_json::json!({"id": p.id, "origin": p.origin, "code": p.code}))
                .collect();
            let body = serde_json::json!({ "pending": list }).to_string();
            respond(stream, "200 OK", "application/json", body.as_bytes(), "");
        }
        ("POST", DECIDE) => decide(stream, head, shared, policy),
        _ => respond(
            stream,
            "405 Method Not Allowed",
            TEXT,
            b"method not allowed\n",
            "",
        ),
    }
}

/// The body of a form posted by one of the companion's own pages (approval, backup), or
/// `None` after answering why not: another site's form carries its own `Origin` (browsers
/// send it on every POST), and a body over `max` bytes is refused unread. The bytes are
/// zeroed when dropped (a passphrase may be among them).
pub(crate) fn own_form(
    stream: &mut TcpStream,
    head: &RequestHead,
    policy: &OriginPolicy,
    max: usize,
    page: &str,
) -> Option<zeroize::Zeroizing<String>> {
    let own = head
        .header("origin")
        .map(normalise_origin)
        .is_some_and(|o| policy.own_origins().contains(&o));
    if !own {
        crate::warn!("{page}: a post that did not come from the page was refused");
        respond(stream, "403 Forbidden", TEXT, b"origin not allowed\n", "");
        return None;
    }
    let len: usize = head
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if len > max {
        respond(stream, "413 Content Too Large", TEXT, b"too large\n", "");
        return None;
    }
    let mut body = zeroize::Zeroizing::new(vec![0u8; len]);
    stream.read_exact(&mut body).ok()?;
    Some(zeroize::Zeroizing::new(
        String::from_utf8_lossy(&body).into_owned(),
    ))
}

pub(crate) const TEXT: &str = "text/plain; charset=utf-8";
pub(crate) const HTML: &str = "text/html; charset=utf-8";

fn decide(stream: &mut TcpStream, head: &RequestHead, shared: &Shared, policy: &OriginPolicy) {
    let Some(body) = own_form(stream, head, policy, MAX_BODY, "approval") else {
        return;
    };
    let id = form_value(&body, "id").unwrap_or("");
    let approve = match form_value(&body, "decision") {
        Some("approve") => true,
        Some("refuse") => false,
        _ => {
            return respond(
                stream,
                "400 Bad Request",
                TEXT,
                b"decision must be approve or refuse\n",
                "",
            )
        }
    };
    let decided = shared.brain.lock().ok().and_then(|mut b| {
        let crate::pairing::Brain { pairings, rng, .. } = &mut *b;
        let d = pairings.decide(id, approve, crate::clock::monotonic_ms(), rng);
        if d.as_ref().is_some_and(|d| d.key.is_some()) {
            b.save();
        }
        d
    });
    let done = match decided {
        Some(d) => {
            crate::info!(
                "conn={} pairing for origin={} {} on the approval page",
                d.conn,
                d.origin,
                if approve { "approved" } else { "refused" }
            );
            if let Some(outbox) = shared.conns.outbox(d.conn) {
                outbox.decided(d.key);
            }
            if approve {
                "approved"
            } else {
                "refused"
            }
        }
        None => "gone",
    };
    respond(
        stream,
        "303 See Other",
        TEXT,
        b"",
        &format!("Location: /pair?done={done}\r\n"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_shows_origin_and_code_escaped_and_works_without_script() {
        let p = Pending {
            id: "ab12".into(),
            origin: "https://portal.example.jp\"><script>".into(),
            code: "482913".into(),
            conn: 1,
            since_ms: 0,
        };
        let html = page(std::slice::from_ref(&p), &[], None, &|_| false);
        assert!(html.contains("482 913"));
        assert!(html.contains("portal.example.jp&quot;&gt;&lt;script&gt;"));
        assert!(html.contains(r#"<form method="post" action="/pair/decide">"#));
        assert!(html.contains("（1件の依頼）"));
        assert_eq!(http::inline_script_hashes(&html).len(), 1);
        assert!(html.contains(r#"data-book="false""#) && html.contains("資格確認だけ"));
        let app = page(&[p], &[], None, &|_| true);
        assert!(
            app.contains(r#"data-book="true""#) && app.contains("患者の記録（台帳）の読み書き")
        );
        assert!(page(&[], &[], Some("approved"), &|_| false).contains("承認しました"));
        assert_eq!(
            form_value("id=ab&decision=approve", "decision"),
            Some("approve")
        );
    }
}
