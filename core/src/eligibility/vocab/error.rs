//! Why a message could not be read, in words the clinic and a vendor can act on.

use core::fmt;

/// A response or request that could not be read. Every variant is a distinct, testable
/// condition; `path` values name the element as `XmlMsg/MessageBody/…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VocabError {
    /// Nothing but whitespace.
    Empty,
    /// Larger than [`super::MAX_INPUT_BYTES`].
    TooLarge {
        size: usize,
        max: usize,
    },
    /// Elements nested deeper than [`super::MAX_DEPTH`].
    TooDeep {
        max: usize,
    },
    /// More elements in the document than [`super::MAX_ELEMENTS`].
    TooManyElements {
        max: usize,
    },
    /// More items in one list (e.g. `ResultList`) than [`super::MAX_LIST_ITEMS`].
    TooManyResults {
        path: String,
        max: usize,
    },
    /// Starts with neither `<` nor `{`.
    NotXmlOrJson,
    /// The XML declaration names an encoding other than UTF-8 or Shift_JIS.
    UnsupportedEncoding {
        label: String,
    },
    /// The bytes are not valid in the encoding the document declares.
    BadEncoding {
        encoding: String,
    },
    /// The document ends before it is complete.
    Truncated,
    /// Not well-formed XML (mismatched tags, bad escapes, two roots…).
    XmlSyntax {
        position: u64,
        reason: String,
    },
    /// Not well-formed JSON.
    JsonSyntax {
        line: usize,
        column: usize,
        reason: String,
    },
    /// The outermost element is not `XmlMsg`.
    UnexpectedRoot {
        found: String,
    },
    MissingElement {
        path: String,
    },
    /// A single-valued element appears twice: which one is meant cannot be decided.
    DuplicateElement {
        path: String,
    },
    BadValue {
        path: String,
        reason: String,
    },
}

impl VocabError {
    /// The clinic's text: what is wrong with the file or answer.
    pub fn message_ja(&self) -> String {
        use VocabError::*;
        match self {
            Empty => "資格確認の結果が空です。".into(),
            TooLarge { size, max } => format!(
                "資格確認の結果が大きすぎます（{size}バイト、上限{max}バイト）。正しい結果ファイルか確かめてください。"
            ),
            TooDeep { max } => format!(
                "資格確認の結果の入れ子が深すぎます（上限{max}段）。正しい結果ファイルか確かめてください。"
            ),
            TooManyElements { max } => format!(
                "資格確認の結果の要素が多すぎます（上限{max}個）。正しい結果ファイルか確かめてください。"
            ),
            TooManyResults { path, max } => {
                format!("資格確認の結果の件数が多すぎます（{path}、上限{max}件）。")
            }
            NotXmlOrJson => {
                "資格確認の結果ではありません（XMLでもJSONでもありません）。".into()
            }
            UnsupportedEncoding { label } => format!(
                "資格確認の結果の文字コード「{label}」には対応していません（UTF-8またはShift_JISのみ）。"
            ),
            BadEncoding { encoding } => format!(
                "資格確認の結果の文字が{encoding}として正しくありません（文字化けのおそれ）。"
            ),
            Truncated => {
                "資格確認の結果が途中で切れています。もう一度確認するか、ファイルを取り直してください。"
                    .into()
            }
            XmlSyntax { position, reason } => {
                format!("資格確認の結果（XML）の形式が正しくありません（{position}バイト目付近：{reason}）。")
            }
            JsonSyntax {
                line,
                column,
                reason,
            } => format!(
                "資格確認の結果（JSON）の形式が正しくありません（{line}行{column}列：{reason}）。"
            ),
            UnexpectedRoot { found } => format!(
                "資格確認の結果ではありません（最上位の要素が XmlMsg ではなく {found} です）。"
            ),
            MissingElement { path } => {
                format!("資格確認の結果に必要な項目がありません（{path}）。")
            }
            DuplicateElement { path } => {
                format!("資格確認の結果に同じ項目が重複しています（{path}）。")
            }
            BadValue { path, reason } => {
                format!("資格確認の結果の項目の値が正しくありません（{path}：{reason}）。")
            }
        }
    }

    /// English text for the `en` UI and for vendors reading logs.
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for VocabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use VocabError::*;
        match self {
            Empty => write!(f, "the eligibility response is empty"),
            TooLarge { size, max } => {
                write!(
                    f,
                    "the eligibility response is too large ({size} bytes, limit {max})"
                )
            }
            TooDeep { max } => write!(f, "elements are nested deeper than {max} levels"),
            TooManyElements { max } => write!(f, "more than {max} elements"),
            TooManyResults { path, max } => write!(f, "more than {max} items in {path}"),
            NotXmlOrJson => write!(f, "neither XML nor JSON"),
            UnsupportedEncoding { label } => {
                write!(
                    f,
                    "unsupported encoding {label:?} (only UTF-8 and Shift_JIS)"
                )
            }
            BadEncoding { encoding } => write!(f, "the bytes are not valid {encoding}"),
            Truncated => write!(f, "the document is truncated"),
            XmlSyntax { position, reason } => {
                write!(f, "malformed XML near byte {position}: {reason}")
            }
            JsonSyntax {
                line,
                column,
                reason,
            } => write!(f, "malformed JSON at line {line} column {column}: {reason}"),
            UnexpectedRoot { found } => write!(f, "the root element is {found:?}, not XmlMsg"),
            MissingElement { path } => write!(f, "missing element {path}"),
            DuplicateElement { path } => write!(f, "element {path} appears more than once"),
            BadValue { path, reason } => write!(f, "bad value in {path}: {reason}"),
        }
    }
}

impl std::error::Error for VocabError {}
