//! Postal code ⇄ address from Japan Post's 郵便番号データ, bundled as small text files in
//! `www/postal/` (written by `cargo xtask postal`; format in docs/postal.md). The page
//! fetches only the file it needs: `NN.txt` for codes starting with NN, `cities.txt` to know
//! which files hold a 市区町村. Pure: the caller brings the text.

use crate::text::ascii_digits;

/// One row: a code and the address it stands for (`town` may be empty: 以下に掲載がない場合).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalEntry {
    pub code: String,
    pub prefecture: String,
    pub city: String,
    pub town: String,
}

impl PostalEntry {
    pub fn address(&self) -> String {
        format!("{}{}{}", self.prefecture, self.city, self.town)
    }
    /// `100-0001`.
    pub fn code_display(&self) -> String {
        format!("{}-{}", &self.code[..3], &self.code[3..])
    }
}

/// The seven digits of a typed code (`〒100-0001`, `１００００００１`), if it has seven.
pub fn normalise_code(input: &str) -> Option<String> {
    let digits: String = ascii_digits(input)
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    (digits.len() == 7).then_some(digits)
}

/// The data file holding `code` (`"10"` → `postal/10.txt`).
pub fn chunk_of(code: &str) -> &str {
    &code[..2.min(code.len())]
}

/// Reads one data file: `@k⇥都道府県⇥市区町村` lines define city `k`; `5桁⇥k⇥町域` lines
/// are codes (the file's two digits in front). Malformed lines are skipped.
pub fn parse_chunk(chunk: &str, text: &str) -> Vec<PostalEntry> {
    let mut cities: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            [k, pref, city] if k.starts_with('@') => {
                cities.push((pref.to_string(), city.to_string()));
            }
            [rest, k, town] => {
                let Some((pref, city)) = k.parse::<usize>().ok().and_then(|i| cities.get(i)) else {
                    continue;
                };
                out.push(PostalEntry {
                    code: format!("{chunk}{rest}"),
                    prefecture: pref.clone(),
                    city: city.clone(),
                    town: town.to_string(),
                });
            }
            _ => {}
        }
    }
    out
}

/// Every address of `code` in the parsed file (several when one code covers several 町域).
pub fn lookup<'a>(entries: &'a [PostalEntry], code: &str) -> Vec<&'a PostalEntry> {
    entries.iter().filter(|e| e.code == code).collect()
}

/// What to put in the address field for a code: the one address, or the part all its
/// addresses share (the 市区町村 when the 町域 differ). `None` when the code is unknown.
pub fn fill(entries: &[PostalEntry], code: &str) -> Option<String> {
    let found = lookup(entries, code);
    let first = found.first()?;
    if found.iter().all(|e| e.town == first.town) {
        Some(first.address())
    } else {
        Some(format!("{}{}", first.prefecture, first.city))
    }
}

/// `cities.txt`: which data files hold each 市区町村.
pub struct CityIndex {
    rows: Vec<(String, String, Vec<String>)>,
}

impl CityIndex {
    pub fn parse(text: &str) -> CityIndex {
        CityIndex {
            rows: text
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| {
                    let f: Vec<&str> = l.split('\t').collect();
                    match f.as_slice() {
                        [pref, city, chunks] => Some((
                            pref.to_string(),
                            city.to_string(),
                            chunks.split(',').map(str::to_string).collect(),
                        )),
                        _ => None,
                    }
                })
                .collect(),
        }
    }

    /// The 都道府県 and 市区町村 an address starts with (the longest match; the 都道府県
    /// may be left out when the 市区町村 name is unique), the data files to look in, and the
    /// rest of the address.
    pub fn find<'a>(&self, address: &'a str) -> Option<(&str, &str, &[String], &'a str)> {
        let a = address.trim();
        let mut best: Option<(&str, &str, &[String], &'a str, usize)> = None;
        for (pref, city, chunks) in &self.rows {
            let rest = a
                .strip_prefix(pref.as_str())
                .and_then(|r| r.strip_prefix(city.as_str()));
            let (rest, len) = match rest {
                Some(r) => (r, pref.len() + city.len()),
                None => match a.strip_prefix(city.as_str()) {
                    Some(r) if self.rows.iter().filter(|x| x.1 == *city).count() == 1 => {
                        (r, city.len())
                    }
                    _ => continue,
                },
            };
            if best.as_ref().is_none_or(|b| len > b.4) {
                best = Some((pref, city, chunks, rest, len));
            }
        }
        best.map(|(p, c, k, r, _)| (p, c, k, r))
    }
}

/// The code of an address when exactly one fits: the entries of its 市区町村 whose 町域 the
/// rest of the address starts with, the longest 町域 winning; two codes for that 町域 (a
/// 丁目 split, a building) is ambiguous, and so is no 町域 at all.
pub fn code_for(
    entries: &[PostalEntry],
    prefecture: &str,
    city: &str,
    rest: &str,
) -> Option<String> {
    let rest = rest.trim();
    let candidates: Vec<&PostalEntry> = entries
        .iter()
        .filter(|e| e.prefecture == prefecture && e.city == city && !e.town.is_empty())
        .filter(|e| rest.starts_with(e.town.as_str()))
        .collect();
    let longest = candidates.iter().map(|e| e.town.len()).max()?;
    let mut codes: Vec<&str> = candidates
        .iter()
        .filter(|e| e.town.len() == longest)
        .map(|e| e.code.as_str())
        .collect();
    codes.sort();
    codes.dedup();
    match codes.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHUNK: &str = "#ukemi-postal/1\t日本郵便\tcargo xtask postal
@0\t東京都\t千代田区
00000\t0\t
00001\t0\t千代田
00002\t0\t皇居外苑
@1\t東京都\t中央区
40001\t1\t八丁堀
40032\t1\t八丁堀
";

    #[test]
    fn a_code_fills_its_address_and_the_data_file_is_named() {
        assert_eq!(
            normalise_code("〒１００－０００１").as_deref(),
            Some("1000001")
        );
        assert_eq!(normalise_code("100-001"), None);
        assert_eq!(chunk_of("1000001"), "10");
        let e = parse_chunk("10", CHUNK);
        assert_eq!(e.len(), 5);
        assert_eq!(fill(&e, "1000001").as_deref(), Some("東京都千代田区千代田"));
        assert_eq!(lookup(&e, "1000001")[0].code_display(), "100-0001");
        assert_eq!(fill(&e, "1009999"), None);
    }

    #[test]
    fn an_address_gives_its_code_only_when_unambiguous() {
        let index =
            CityIndex::parse("#h\n東京都\t千代田区\t10\n東京都\t中央区\t10\n北海道\t中央区\t06\n");
        let (p, c, chunks, rest) = index.find("東京都千代田区千代田1-1").expect("city");
        assert_eq!(
            (p, c, chunks, rest),
            ("東京都", "千代田区", &["10".to_string()][..], "千代田1-1")
        );
        // 中央区 is in two prefectures: without one it is not guessed.
        assert!(index.find("中央区八丁堀1").is_none());
        let e = parse_chunk("10", CHUNK);
        assert_eq!(
            code_for(&e, "東京都", "千代田区", "千代田1-1").as_deref(),
            Some("1000001")
        );
        // Two codes for 八丁堀: ambiguous.
        assert_eq!(code_for(&e, "東京都", "中央区", "八丁堀2-1"), None);
        // No 町域 matches: nothing.
        assert_eq!(code_for(&e, "東京都", "千代田区", "丸の内1"), None);
    }

    #[test]
    fn the_bundled_data_reads() {
        let text = include_str!("../../www/postal/10.txt");
        let e = parse_chunk("10", text);
        assert!(e.len() > 100);
        assert_eq!(fill(&e, "1000001").as_deref(), Some("東京都千代田区千代田"));
        let index = CityIndex::parse(include_str!("../../www/postal/cities.txt"));
        let (p, c, chunks, rest) = index.find("東京都千代田区千代田1-1").expect("city");
        assert_eq!((p, c, rest), ("東京都", "千代田区", "千代田1-1"));
        assert!(chunks.contains(&"10".to_string()));
        assert_eq!(code_for(&e, p, c, rest).as_deref(), Some("1000001"));
    }
}
