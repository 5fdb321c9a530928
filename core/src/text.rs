//! Text normalisation for Japanese forms: the eligibility service sends 氏名カナ in
//! half-width katakana (`ｼﾝﾘｮｳ ﾀﾛｳ`), while the 申請書 and the screen want full-width.

/// Converts half-width katakana (U+FF61–U+FF9F) and ASCII space to full-width, joining a
/// following ﾞ/ﾟ into the voiced/semi-voiced letter. Everything else passes through.
pub fn to_fullwidth_kana(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if let Some(base) = halfwidth_base(c) {
            match next {
                Some('\u{FF9E}') if voiced(base).is_some() => {
                    out.push(voiced(base).unwrap_or(base));
                    i += 2;
                    continue;
                }
                Some('\u{FF9F}') if semi_voiced(base).is_some() => {
                    out.push(semi_voiced(base).unwrap_or(base));
                    i += 2;
                    continue;
                }
                _ => out.push(base),
            }
        } else if c == ' ' {
            out.push('\u{3000}');
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

const HALF_TO_FULL: &[(char, char)] = &[
    ('｡', '。'),
    ('｢', '「'),
    ('｣', '」'),
    ('､', '、'),
    ('･', '・'),
    ('ｦ', 'ヲ'),
    ('ｧ', 'ァ'),
    ('ｨ', 'ィ'),
    ('ｩ', 'ゥ'),
    ('ｪ', 'ェ'),
    ('ｫ', 'ォ'),
    ('ｬ', 'ャ'),
    ('ｭ', 'ュ'),
    ('ｮ', 'ョ'),
    ('ｯ', 'ッ'),
    ('ｰ', 'ー'),
    ('ｱ', 'ア'),
    ('ｲ', 'イ'),
    ('ｳ', 'ウ'),
    ('ｴ', 'エ'),
    ('ｵ', 'オ'),
    ('ｶ', 'カ'),
    ('ｷ', 'キ'),
    ('ｸ', 'ク'),
    ('ｹ', 'ケ'),
    ('ｺ', 'コ'),
    ('ｻ', 'サ'),
    ('ｼ', 'シ'),
    ('ｽ', 'ス'),
    ('ｾ', 'セ'),
    ('ｿ', 'ソ'),
    ('ﾀ', 'タ'),
    ('ﾁ', 'チ'),
    ('ﾂ', 'ツ'),
    ('ﾃ', 'テ'),
    ('ﾄ', 'ト'),
    ('ﾅ', 'ナ'),
    ('ﾆ', 'ニ'),
    ('ﾇ', 'ヌ'),
    ('ﾈ', 'ネ'),
    ('ﾉ', 'ノ'),
    ('ﾊ', 'ハ'),
    ('ﾋ', 'ヒ'),
    ('ﾌ', 'フ'),
    ('ﾍ', 'ヘ'),
    ('ﾎ', 'ホ'),
    ('ﾏ', 'マ'),
    ('ﾐ', 'ミ'),
    ('ﾑ', 'ム'),
    ('ﾒ', 'メ'),
    ('ﾓ', 'モ'),
    ('ﾔ', 'ヤ'),
    ('ﾕ', 'ユ'),
    ('ﾖ', 'ヨ'),
    ('ﾗ', 'ラ'),
    ('ﾘ', 'リ'),
    ('ﾙ', 'ル'),
    ('ﾚ', 'レ'),
    ('ﾛ', 'ロ'),
    ('ﾜ', 'ワ'),
    ('ﾝ', 'ン'),
    ('ﾞ', '゛'),
    ('ﾟ', '゜'),
];

fn halfwidth_base(c: char) -> Option<char> {
    HALF_TO_FULL.iter().find(|(h, _)| *h == c).map(|(_, f)| *f)
}

fn voiced(c: char) -> Option<char> {
    match c {
        'ウ' => Some('ヴ'),
        'ワ' => Some('ヷ'),
        'ヲ' => Some('ヺ'),
        // カ..ト and ハ..ホ: the voiced letter is the next code point.
        'カ' | 'キ' | 'ク' | 'ケ' | 'コ' | 'サ' | 'シ' | 'ス' | 'セ' | 'ソ' | 'タ' | 'チ'
        | 'ツ' | 'テ' | 'ト' | 'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => {
            char::from_u32(c as u32 + 1)
        }
        _ => None,
    }
}

fn semi_voiced(c: char) -> Option<char> {
    match c {
        'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => char::from_u32(c as u32 + 2),
        _ => None,
    }
}

/// Converts full-width katakana back to half-width, for the service's query fields and
/// for vendors who must send half-width.
pub fn to_halfwidth_kana(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\u{3000}' {
            out.push(' ');
            continue;
        }
        if let Some((h, _)) = HALF_TO_FULL.iter().find(|(_, f)| *f == c) {
            out.push(*h);
            continue;
        }
        let base_voiced = HALF_TO_FULL.iter().find(|(_, f)| voiced(*f) == Some(c));
        if let Some((h, _)) = base_voiced {
            out.push(*h);
            out.push('ﾞ');
            continue;
        }
        let base_semi = HALF_TO_FULL
            .iter()
            .find(|(_, f)| semi_voiced(*f) == Some(c));
        if let Some((h, _)) = base_semi {
            out.push(*h);
            out.push('ﾟ');
            continue;
        }
        out.push(c);
    }
    out
}

/// Converts hiragana to katakana (used when staff type a カナ search in hiragana).
pub fn hiragana_to_katakana(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Full-width digits and letters to ASCII; used on identifiers typed with an IME.
pub fn ascii_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            '\u{3000}' => ' ',
            '－' | 'ー' | '―' => '-',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halfwidth_kana_becomes_fullwidth_with_dakuten_joined() {
        assert_eq!(to_fullwidth_kana("ｼﾝﾘｮｳ ﾀﾛｳ"), "シンリョウ　タロウ");
        assert_eq!(to_fullwidth_kana("ﾔﾏﾀﾞ ﾊﾅｺ"), "ヤマダ　ハナコ");
        assert_eq!(to_fullwidth_kana("ﾎﾟﾝﾌﾟ ｳﾞｧ"), "ポンプ　ヴァ");
        // A stray sound mark after a letter that cannot take it stays visible.
        assert_eq!(to_fullwidth_kana("ｱﾞ"), "ア゛");
        assert_eq!(to_fullwidth_kana("山田"), "山田");
    }

    #[test]
    fn round_trips_to_halfwidth() {
        for s in [
            "シンリョウ　タロウ",
            "ガギグゲゴ　パピプペポ",
            "ヴァイオリン",
        ] {
            assert_eq!(to_fullwidth_kana(&to_halfwidth_kana(s)), s);
        }
    }

    #[test]
    fn hiragana_and_fullwidth_digits() {
        assert_eq!(hiragana_to_katakana("やまだ はなこ"), "ヤマダ ハナコ");
        assert_eq!(ascii_digits("０６１３０００１－２"), "06130001-2");
    }
}
