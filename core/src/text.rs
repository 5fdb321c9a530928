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

/// Old and variant forms of kanji common in Japanese names (異体字・旧字体), each with the form
/// a receptionist most likely types. A name registered from the card (髙橋, 山﨑, 渡邊) must be
/// found when typed with the everyday form (高橋, 山崎, 渡辺), and the other way round.
const NAME_VARIANTS: &[(char, char)] = &[
    ('髙', '高'),
    ('﨑', '崎'),
    ('嵜', '崎'),
    ('碕', '崎'),
    ('濵', '浜'),
    ('濱', '浜'),
    ('邊', '辺'),
    ('邉', '辺'),
    ('齋', '斎'),
    ('齊', '斉'),
    ('澤', '沢'),
    ('廣', '広'),
    ('國', '国'),
    ('櫻', '桜'),
    ('瀨', '瀬'),
    ('冨', '富'),
    ('德', '徳'),
    ('惠', '恵'),
    ('眞', '真'),
    ('增', '増'),
    ('龍', '竜'),
    ('檜', '桧'),
    ('條', '条'),
    ('實', '実'),
    ('黑', '黒'),
    ('藏', '蔵'),
    ('壽', '寿'),
    ('淺', '浅'),
    ('榮', '栄'),
    ('豐', '豊'),
    ('圓', '円'),
    ('來', '来'),
    ('團', '団'),
    ('寳', '宝'),
    ('寶', '宝'),
    ('彌', '弥'),
    ('萬', '万'),
    ('學', '学'),
    ('亞', '亜'),
    ('兒', '児'),
    ('嶋', '島'),
    ('嶌', '島'),
    ('槇', '槙'),
    ('栁', '柳'),
    ('曻', '昇'),
];

/// The form a name is compared in when searching: half-width カナ made full-width, hiragana
/// made katakana, variant kanji folded to their everyday form, spaces of either width
/// removed, full-width digits made ASCII. Both the query and the record go through it.
pub fn search_key(s: &str) -> String {
    let kana = hiragana_to_katakana(&to_fullwidth_kana(s));
    ascii_digits(&kana)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            NAME_VARIANTS
                .iter()
                .find(|(old, _)| *old == c)
                .map_or(c, |(_, new)| *new)
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

    /// What a receptionist types finds what the card registered: やまだ and ﾔﾏﾀﾞ find
    /// ヤマダ; 高橋 finds 髙橋 and 山崎 finds 山﨑.
    #[test]
    fn search_keys_fold_kana_widths_and_variant_kanji() {
        assert_eq!(search_key("やまだ　はなこ"), search_key("ヤマダ ハナコ"));
        assert_eq!(search_key("ﾔﾏﾀﾞ"), "ヤマダ");
        assert_eq!(search_key("髙橋"), search_key("高橋"));
        assert_eq!(search_key("山﨑 太郎"), "山崎太郎");
        assert_eq!(search_key("渡邊"), search_key("渡辺"));
        assert_ne!(search_key("山田"), search_key("山口"));
        assert_eq!(search_key("１９８０"), "1980");
    }

    #[test]
    fn hiragana_and_fullwidth_digits() {
        assert_eq!(hiragana_to_katakana("やまだ はなこ"), "ヤマダ ハナコ");
        assert_eq!(ascii_digits("０６１３０００１－２"), "06130001-2");
    }
}
