//! The companion's configuration file (JSON): the eligibility service endpoint and the
//! clinic's certificate, the 施術所's identifiers, allowed origins. Relative paths are read
//! against the file's folder. The companion refuses to start, saying why in Japanese and
//! English, when a named file is missing or the clinic's certificate is not valid today.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ukemi_core::Date;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub service: ServiceConfig,
    pub clinic: ClinicConfig,
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    #[serde(default)]
    pub trusted_origins: Vec<String>,
    /// The clinic app served from another origin than the companion: may use the book.
    #[serde(default)]
    pub book_origins: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// `https://host[:port][/base]` of the eligibility service.
    pub url: String,
    /// PEM: the CA(s) the service's certificate must chain to.
    pub ca: PathBuf,
    /// PEM: the clinic's client certificate (chain) and its private key …
    #[serde(default)]
    pub client_certificate: Option<PathBuf>,
    #[serde(default)]
    pub client_key: Option<PathBuf>,
    /// … or one PKCS#12 file, its password in the environment variable named here (never
    /// in this file).
    #[serde(default)]
    pub client_pkcs12: Option<PathBuf>,
    #[serde(default)]
    pub client_pkcs12_password_env: Option<String>,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
}

fn default_timeout() -> u64 {
    20
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClinicConfig {
    /// 登録記号番号 (受領委任の契約/協定の記号番号, no hyphens).
    pub registration_number: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// The clinic certificate `config set-certificate` installs beside the configuration, used
/// when the configuration names none.
pub const INSTALLED_CERTIFICATE: &str = "client.pem";
pub const INSTALLED_KEY: &str = "client-key.pem";

/// Days before expiry from which the companion warns at start.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

pub fn load(path: &Path, today: Date) -> Result<Config, String> {
    let text = std::fs::read(path).map_err(|e| {
        format!(
            "設定ファイルを読めません / cannot read the configuration {}: {e}",
            path.display()
        )
    })?;
    let mut cfg: Config = serde_json::from_slice(&text).map_err(|e| {
        format!(
            "設定ファイルの形式が違います / the configuration {} is not valid: {e}",
            path.display()
        )
    })?;
    let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let resolve = |p: &mut PathBuf| -> Result<(), String> {
        if p.is_relative() {
            *p = base.join(&*p);
        }
        if p.is_file() {
            Ok(())
        } else {
            Err(format!(
                "ファイルがありません / file missing: {}",
                p.display()
            ))
        }
    };
    resolve(&mut cfg.service.ca)?;
    let s = &mut cfg.service;
    for p in [
        &mut s.client_certificate,
        &mut s.client_key,
        &mut s.client_pkcs12,
    ]
    .into_iter()
    .flatten()
    {
        resolve(p)?;
    }
    if s.client_certificate.is_none() && s.client_key.is_none() && s.client_pkcs12.is_none() {
        // What `config set-certificate` installed beside the file.
        s.client_certificate = Some(base.join(INSTALLED_CERTIFICATE));
        s.client_key = Some(base.join(INSTALLED_KEY));
        for p in [&mut s.client_certificate, &mut s.client_key]
            .into_iter()
            .flatten()
        {
            resolve(p).map_err(|e| {
                format!("{e}\n施術所の証明書を `ukemi-companion config set-certificate FILE.p12` で入れてください / install the clinic certificate with `ukemi-companion config set-certificate FILE.p12`")
            })?;
        }
    }
    let pem = s.client_certificate.is_some() && s.client_key.is_some();
    if pem == s.client_pkcs12.is_some() {
        return Err("施術所の証明書は client_certificate と client_key（PEM）か、client_pkcs12 のどちらか一方で指定してください / \
             give either client_certificate + client_key (PEM) or client_pkcs12"
            .into());
    }
    if cfg.clinic.registration_number.trim().is_empty() {
        return Err("登録記号番号が空です / clinic.registration_number is empty".into());
    }
    crate::https::Endpoint::parse(&cfg.service.url)?;
    let identity = cfg.service.identity()?;
    let (_, not_after) = crate::tls::check_valid(&identity.source, &identity.certs, today)
        .map_err(|e| e.to_string())?;
    let left = today.days_until(not_after);
    if left <= EXPIRY_WARNING_DAYS {
        crate::warn!("client certificate expires in {left} days ({not_after})");
        println!(
            "注意: 施術所の電子証明書の有効期限が近づいています（{}まで、残り{left}日）。更新の手続きをしてください。",
            not_after.wareki()
        );
    }
    crate::tls::load_certs(&cfg.service.ca).map_err(|e| e.to_string())?;
    Ok(cfg)
}

impl ServiceConfig {
    /// The clinic's certificate and key, from PEM files or the PKCS#12 file.
    pub fn identity(&self) -> Result<crate::tls::Identity, String> {
        match (
            &self.client_certificate,
            &self.client_key,
            &self.client_pkcs12,
        ) {
            (Some(c), Some(k), None) => {
                crate::tls::Identity::from_pem(c, k).map_err(|e| e.to_string())
            }
            (None, None, Some(p12)) => {
                let var = self
                    .client_pkcs12_password_env
                    .as_deref()
                    .unwrap_or("UKEMI_PKCS12_PASSWORD");
                let password = zeroize::Zeroizing::new(std::env::var(var).unwrap_or_default());
                crate::tls::Identity::from_pkcs12(p12, &password).map_err(|e| e.to_string())
            }
            _ => Err(
                "施術所の証明書の指定が不完全です / incomplete client certificate settings".into(),
            ),
        }
    }
}
