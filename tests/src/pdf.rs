//! Reading back what Chromium printed, with poppler (installed by `cargo xtask test`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn pdftotext(pdf: &Path, page: Option<usize>) -> String {
    let mut cmd = Command::new("pdftotext");
    cmd.arg("-layout");
    if let Some(p) = page {
        cmd.args(["-f", &p.to_string(), "-l", &p.to_string()]);
    }
    let out = cmd
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by `cargo xtask test`");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The whole document's text, laid out.
pub fn text(pdf: &Path) -> String {
    pdftotext(pdf, None)
}

/// One page's text (1-based).
pub fn page_text(pdf: &Path, page: usize) -> String {
    pdftotext(pdf, Some(page))
}

pub fn pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    assert!(out.status.success(), "pdfinfo failed on {}", pdf.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| {
            l.strip_prefix("Pages:")
                .map(|n| n.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0)
}

/// Collapses all whitespace: pdftotext splits boxes over lines and spaces, and names hold a
/// space (half- or full-width) between family and given name.
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The first page whose text contains `needle` (whitespace ignored), 1-based.
pub fn page_with(pdf: &Path, needle: &str) -> Option<usize> {
    (1..=pages(pdf)).find(|p| squash(&page_text(pdf, *p)).contains(&squash(needle)))
}

/// Renders one page to `<artifacts>/<stem>.png` at `dpi`; returns the PNG's path.
pub fn page_png(pdf: &Path, page: usize, dpi: u32, stem: &str) -> PathBuf {
    let prefix = crate::artifacts_dir().join(stem);
    let page = page.to_string();
    let ok = Command::new("pdftoppm")
        .args([
            "-png",
            "-r",
            &dpi.to_string(),
            "-f",
            &page,
            "-l",
            &page,
            "-singlefile",
        ])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm")
        .success();
    assert!(ok, "pdftoppm failed on {}", pdf.display());
    prefix.with_extension("png")
}

/// The first page's size in millimetres (pdfinfo's `Page size: w x h pts`).
pub fn page_size_mm(pdf: &Path) -> (f64, f64) {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    assert!(out.status.success(), "pdfinfo failed on {}", pdf.display());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .unwrap_or_default()
        .to_string();
    let nums: Vec<f64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let mm = |pt: f64| pt * 25.4 / 72.0;
    match nums.as_slice() {
        [w, h, ..] => (mm(*w), mm(*h)),
        _ => panic!("no page size in pdfinfo's answer for {}", pdf.display()),
    }
}
