//! Stable error codes with the Japanese text the clinic sees and what to do next.
//! Codes never change meaning within an API level; the texts may improve.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The frame was not valid JSON, not an object, or a known command with wrong fields.
    InvalidMessage,
    UnknownCommand,
    MessageTooLarge,
    /// Binary frames are not part of the protocol.
    BinaryNotSupported,
    /// No API level in common (`detail.supported` lists the companion's).
    UnsupportedApiLevel,
    /// A command came before `HELLO`.
    HelloRequired,
    /// A command that needs pairing came before `PAIR`/`AUTH` succeeded.
    NotPaired,
    /// The person at the PC refused the pairing request.
    PairingRefused,
    /// Nobody approved the pairing request in time.
    PairingExpired,
    /// Refused or failed pairings from this origin, or too many requests waiting: wait
    /// `detail.retry_after_ms`.
    PairingRateLimited,
    /// The companion holds no key for this origin (it was reset, or the pairing removed).
    KeyUnknown,
    /// The page's proof did not match the key the companion holds for this origin.
    ProofWrong,
    /// This page already has a command waiting or running (`detail.queue_position`, 0 =
    /// running), or the queue is full: send it again when the earlier one is answered.
    Busy,
    /// PC/SC is not available (pcscd not running, Windows smart card service stopped).
    ReaderServiceUnavailable,
    NoReader,
    ReaderNotFound,
    NoCard,
    /// The card is not a マイナンバーカード (or is upside down).
    NotMyNumberCard,
    /// An old 住基カード.
    JukiCard,
    /// The card was taken out while it was being used.
    CardRemoved,
    /// The card answered something unexpected.
    CardError,
    PinFormat,
    PinRequired,
    /// `detail.tries_left` says how many tries remain.
    PinWrong,
    PinLocked,
    /// One try is left and the page did not send `allow_last_try`.
    LastTryNotConfirmed,
    /// 目視 mode without `visual_confirmed`.
    VisualNotConfirmed,
    /// The card's certificate has expired (`detail.service_code` may say more).
    CardCertificateExpired,
    /// The card's certificate has been revoked (card reported lost, or renewed).
    CardCertificateRevoked,
    /// The service answered with an error (`detail.service_code`, `detail.service_message`).
    ServiceError,
    /// The service could not be reached or did not answer in time.
    ServiceUnavailable,
    InvalidQuery,
    /// A simulator-only command on a real companion.
    NotSimulator,
    UnknownPersona,
    /// The companion cannot use its copy of the book (the file is damaged, or the disk
    /// refused): nothing was written. `BOOK_INFO` says why and offers the latest good backup.
    BookUnavailable,
    /// The companion holds another book (another clinic's, or one started elsewhere): a
    /// change for this page's book is not applied to it.
    BookMismatch,
    /// The page's origin may check eligibility but not read or change the clinic's book
    /// (a vendor's portal): the administrator lists the origins that may.
    BookNotAllowed,
    /// No backup by that name.
    BackupNotFound,
    Internal,
}

/// Structured facts that go with an error. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tries_left: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported: Option<Vec<u32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_message: Option<String>,
    /// A field name for `INVALID_QUERY` / `INVALID_MESSAGE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `BUSY`: how many commands run or wait before the one the page is waiting for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_position: Option<u32>,
}

impl ErrorDetail {
    pub fn is_empty(&self) -> bool {
        *self == ErrorDetail::default()
    }
    pub fn tries(n: u8) -> ErrorDetail {
        ErrorDetail {
            tries_left: Some(n),
            ..Default::default()
        }
    }
    pub fn retry_after(ms: u64) -> ErrorDetail {
        ErrorDetail {
            retry_after_ms: Some(ms),
            ..Default::default()
        }
    }
    pub fn field(name: &str) -> ErrorDetail {
        ErrorDetail {
            field: Some(name.to_string()),
            ..Default::default()
        }
    }
}

impl ErrorCode {
    /// The wire name, e.g. `PIN_WRONG`.
    pub fn as_str(self) -> String {
        crate::wire_name(&self)
    }

    /// The clinic's text: what happened and what to do next.
    pub fn message_ja(self, d: &ErrorDetail) -> String {
        use ErrorCode::*;
        match self {
            InvalidMessage => "コンパニオンが読めない要求を受け取りました。ページを再読み込みしてください。".into(),
            UnknownCommand => "コンパニオンが知らない要求です。コンパニオンを最新版に更新してください。".into(),
            MessageTooLarge => "要求が大きすぎます。ページを再読み込みしてください。".into(),
            BinaryNotSupported => "コンパニオンが読めない形式の要求です。".into(),
            UnsupportedApiLevel => "このページとコンパニオンの版が合いません。コンパニオンとページを最新版にしてください。".into(),
            HelloRequired => "接続の手順が正しくありません。ページを再読み込みしてください。".into(),
            NotPaired => "このページはまだコンパニオンと連携していません。連携（ペアリング）を依頼し、このパソコンで承認してください。".into(),
            PairingRefused => "このパソコンの承認画面で、連携が拒否されました。必要なら、もう一度依頼してください。".into(),
            PairingExpired => "連携の依頼が承認されないまま時間切れになりました。もう一度依頼し、このパソコンの承認画面で「承認する」を押してください。".into(),
            PairingRateLimited => format!(
                "連携の依頼や確認の失敗が続いたため、しばらく受け付けません。{}秒後にもう一度お試しください。",
                d.retry_after_ms.unwrap_or(1000).div_ceil(1000)
            ),
            KeyUnknown => "コンパニオンにこのページの連携の記録がありません（コンパニオンを入れ直した場合など）。もう一度連携を依頼してください。".into(),
            ProofWrong => "連携の確認に失敗しました。もう一度連携を依頼してください。".into(),
            Busy => match d.queue_position {
                Some(0) => "前の操作がまだ終わっていません。終わってからもう一度お試しください。".into(),
                Some(n) => format!("混み合っています（{n}件待ち）。少し待ってからもう一度お試しください。"),
                None => "混み合っています。少し待ってからもう一度お試しください。".into(),
            },
            ReaderServiceUnavailable => "カードリーダーの仕組み（スマートカードサービス）が動いていません。パソコンを再起動するか、管理者に連絡してください。".into(),
            NoReader => "カードリーダーが見つかりません。USBケーブルをつなぎ直してください。".into(),
            ReaderNotFound => "選んだカードリーダーが見つかりません。つなぎ直すか、別のリーダーを選んでください。".into(),
            NoCard => "カードが置かれていません。マイナンバーカードをカードリーダーに置いてください。".into(),
            NotMyNumberCard => "マイナンバーカードではないか、向きが違います。マイナンバーカードを表向きに置き直してください。".into(),
            JukiCard => "住民基本台帳カードは使えません。マイナンバーカードか資格確認書で確認してください。".into(),
            CardRemoved => "読み取り中にカードが外れました。カードを置き直して、もう一度確認してください。".into(),
            CardError => "カードを正しく読み取れませんでした。カードを置き直して、もう一度確認してください。".into(),
            PinFormat => "暗証番号は4桁の数字です。".into(),
            PinRequired => "暗証番号（4桁）を入力してください。".into(),
            PinWrong => match d.tries_left {
                Some(1) => "暗証番号が違います。残り1回です。次に間違えるとロックされ、市区町村の窓口での再設定が必要になります。".into(),
                Some(n) => format!("暗証番号が違います。残り{n}回です。"),
                None => "暗証番号が違います。".into(),
            },
            PinLocked => "暗証番号がロックされています。患者さんご本人が、お住まいの市区町村の窓口で暗証番号の再設定（ロック解除）をする必要があります。今回は「目視確認」で資格確認ができます。".into(),
            LastTryNotConfirmed => "暗証番号の残り回数が1回です。患者さんに確認のうえ、「残り1回を使う」を選んでから入力してください。".into(),
            VisualNotConfirmed => "目視確認では、カードの顔写真とご本人を見比べたことの確認が必要です。".into(),
            CardCertificateExpired => "カードの電子証明書の有効期限が切れています。市区町村の窓口で更新が必要です。今回は資格確認書などで確認してください。".into(),
            CardCertificateRevoked => "カードの電子証明書が失効しています（紛失届や更新など）。市区町村の窓口で確認が必要です。".into(),
            ServiceError => match (&d.service_code, &d.service_message) {
                (Some(c), Some(m)) => format!("資格確認サービスがエラーを返しました（{c}：{m}）。時間をおいて再度お試しください。"),
                (Some(c), None) => format!("資格確認サービスがエラーを返しました（{c}）。時間をおいて再度お試しください。"),
                _ => "資格確認サービスがエラーを返しました。時間をおいて再度お試しください。".into(),
            },
            ServiceUnavailable => "資格確認サービスにつながりません。インターネット接続を確認し、時間をおいて再度お試しください。".into(),
            InvalidQuery => match &d.field {
                Some(f) => format!("入力内容に誤りがあります（{}）。", field_label_ja(f)),
                None => "入力内容に誤りがあります。".into(),
            },
            NotSimulator => "この操作は練習用（シミュレーター）モードでのみ使えます。".into(),
            UnknownPersona => "その練習用カードはありません。".into(),
            Internal => "コンパニオンの内部でエラーが発生しました。コンパニオンを再起動してください。".into(),
            BookUnavailable => "コンパニオンの台帳ファイルを使えないため、コンパニオンへの保存を止めています。変更はこのブラウザに保存され、使えるようになってから送られます。設定画面で状況を確認してください。".into(),
            BookMismatch => "コンパニオンには別の台帳が保存されています。混ざらないよう、この変更はコンパニオンに送っていません。設定画面でどちらの台帳を使うか選んでください。".into(),
            BookNotAllowed => "このページには患者の記録（台帳）の読み書きが許可されていません。資格確認だけができます。施術所のアプリの画面なら、管理者がコンパニオンの設定で許可してください。".into(),
            BackupNotFound => "そのバックアップは見つかりません。一覧を読み直してください。".into(),
        }
    }

    /// English text for the `en` UI.
    pub fn message_en(self, d: &ErrorDetail) -> String {
        use ErrorCode::*;
        match self {
            InvalidMessage => "The companion received a request it could not read. Reload the page.".into(),
            UnknownCommand => "The companion does not know this request. Update the companion.".into(),
            MessageTooLarge => "The request is too large. Reload the page.".into(),
            BinaryNotSupported => "The companion cannot read this kind of request.".into(),
            UnsupportedApiLevel => "This page and the companion are incompatible versions. Update both.".into(),
            HelloRequired => "The connection started the wrong way. Reload the page.".into(),
            NotPaired => "This page is not paired with the companion yet. Ask to pair and approve it on this PC.".into(),
            PairingRefused => "The pairing was refused on this PC's approval page. Ask again if needed.".into(),
            PairingExpired => "Nobody approved the pairing in time. Ask again and press Approve on this PC.".into(),
            PairingRateLimited => format!(
                "Too many refused or failed pairings. Try again in {} s.",
                d.retry_after_ms.unwrap_or(1000).div_ceil(1000)
            ),
            KeyUnknown => "The companion does not know this page any more. Ask to pair again.".into(),
            ProofWrong => "The pairing could not be confirmed. Ask to pair again.".into(),
            Busy => match d.queue_position {
                Some(0) => "The previous request is still running. Try again when it is done.".into(),
                Some(n) => format!("Busy ({n} waiting). Try again shortly."),
                None => "Busy. Try again shortly.".into(),
            },
            ReaderServiceUnavailable => "The smart card service is not running. Restart the PC or call your administrator.".into(),
            NoReader => "No card reader found. Reconnect the USB cable.".into(),
            ReaderNotFound => "The chosen card reader is gone. Reconnect it or choose another.".into(),
            NoCard => "No card. Place the My Number card on the reader.".into(),
            NotMyNumberCard => "This is not a My Number card, or it is upside down. Place it face up.".into(),
            JukiCard => "Basic resident register cards cannot be used.".into(),
            CardRemoved => "The card was removed while being read. Place it again and retry.".into(),
            CardError => "The card could not be read. Place it again and retry.".into(),
            PinFormat => "The PIN is 4 digits.".into(),
            PinRequired => "Enter the 4-digit PIN.".into(),
            PinWrong => match d.tries_left {
                Some(n) => format!("Wrong PIN. {n} tries left."),
                None => "Wrong PIN.".into(),
            },
            PinLocked => "The PIN is locked. The patient must reset it at their municipal office. Use the visual check this time.".into(),
            LastTryNotConfirmed => "Only one PIN try is left. Confirm with the patient before entering it.".into(),
            VisualNotConfirmed => "The visual check needs staff confirmation that the photo matches the patient.".into(),
            CardCertificateExpired => "The card's certificate has expired.".into(),
            CardCertificateRevoked => "The card's certificate has been revoked.".into(),
            ServiceError => "The eligibility service returned an error. Try again later.".into(),
            ServiceUnavailable => "The eligibility service cannot be reached. Check the Internet connection.".into(),
            InvalidQuery => format!("Invalid input ({}).", d.field.as_deref().unwrap_or("?")),
            NotSimulator => "Only available in simulator mode.".into(),
            UnknownPersona => "No such practice card.".into(),
            Internal => "Internal error in the companion. Restart it.".into(),
            BookUnavailable => "The companion cannot use its copy of the book, so nothing is saved there. Changes stay in this browser and are sent once it can. See Settings.".into(),
            BookMismatch => "The companion holds a different book. To keep them apart, this change was not sent. Choose which book to keep in Settings.".into(),
            BookNotAllowed => "This page may check eligibility but not read or change the clinic's records. If it is the clinic's own app, the administrator allows it in the companion's settings.".into(),
            BackupNotFound => "No such backup. Reload the list.".into(),
        }
    }
}

fn field_label_ja(field: &str) -> &str {
    match field {
        "insurer_number" => "保険者番号",
        "symbol" => "記号",
        "number" => "番号",
        "branch" => "枝番",
        "birthdate" => "生年月日",
        "pin" => "暗証番号",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_pin_says_tries_left_in_japanese() {
        assert!(ErrorCode::PinWrong
            .message_ja(&ErrorDetail::tries(2))
            .contains("残り2回"));
        assert!(ErrorCode::PinWrong
            .message_ja(&ErrorDetail::tries(1))
            .contains("ロック"));
        assert!(ErrorCode::PinLocked
            .message_ja(&ErrorDetail::default())
            .contains("市区町村"));
    }

    #[test]
    fn wire_names_are_screaming_snake() {
        assert_eq!(ErrorCode::PinWrong.as_str(), "PIN_WRONG");
        assert_eq!(
            ErrorCode::ReaderServiceUnavailable.as_str(),
            "READER_SERVICE_UNAVAILABLE"
        );
    }
}
