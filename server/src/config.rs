//! Configuration from environment variables (documented in the README). No secret has a default here: the JWT key and
//! the demo password are generated on first run and kept in the data folder, unless given.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// PostgreSQL URL; without it Nexus runs a private cluster under the data folder.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Folder for the private cluster, the generated JWT key and the demo password.
    #[arg(long, env = "NEXUS_DATA_DIR", default_value = ".data")]
    pub data_dir: PathBuf,
    /// Port of the private PostgreSQL cluster.
    #[arg(long, env = "NEXUS_PG_PORT", default_value_t = 54329)]
    pub pg_port: u16,
    /// Database name in the private cluster.
    #[arg(long, env = "NEXUS_PG_DATABASE", default_value = "nexus")]
    pub pg_database: String,
    /// HS256 key for access tokens (≥ 32 bytes). Generated and stored in the data folder when absent.
    #[arg(long, env = "NEXUS_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Public origin (scheme://host[:port]) browsers use; writes from other origins are refused. When absent, the
    /// request's own Host is the expected origin.
    #[arg(long, env = "NEXUS_PUBLIC_ORIGIN")]
    pub public_origin: Option<String>,
    /// Mark cookies Secure and send HSTS (set when served over HTTPS, e.g. behind a TLS proxy).
    #[arg(long, env = "NEXUS_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Take the client address from X-Forwarded-For (only behind a proxy you control).
    #[arg(long, env = "NEXUS_TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,
    /// Requests per minute per user (or per IP when signed out).
    #[arg(long, env = "NEXUS_RATE_LIMIT", default_value_t = 100)]
    pub rate_limit_per_min: u32,
    /// Login and registration attempts per minute per IP.
    #[arg(long, env = "NEXUS_AUTH_RATE_LIMIT", default_value_t = 10)]
    pub auth_rate_limit_per_min: u32,
    /// Seed the demo tenants and accounts at start (off by default: a production start never creates known accounts;
    /// `scripts/start` turns it on).
    #[arg(long, env = "NEXUS_DEMO", default_value_t = false, action = clap::ArgAction::Set)]
    pub demo: bool,
    /// Password of the demo accounts. Generated and stored in the data folder when absent.
    #[arg(long, env = "NEXUS_DEMO_PASSWORD", hide_env_values = true)]
    pub demo_password: Option<String>,
    #[command(flatten)]
    pub inventory: InventoryConfig,
    #[command(flatten)]
    pub production: ProductionConfig,
    #[command(flatten)]
    pub mail: MailConfig,
    /// Database connections per instance.
    #[arg(long, env = "NEXUS_DB_MAX_CONNECTIONS", default_value_t = 20)]
    pub db_max_connections: u32,
    #[command(flatten)]
    pub scale: ScaleConfig,
}

/// Running past one machine: a pooler, a replica, the metrics, the logs (README, "Past one machine").
#[derive(Debug, Clone, Args)]
pub struct ScaleConfig {
    /// A direct connection to the primary (not through a transaction pooler), for what needs a session of its own:
    /// listening for notices and the migrations' lock. Defaults to DATABASE_URL.
    #[arg(long, env = "NEXUS_DATABASE_DIRECT_URL", hide_env_values = true)]
    pub database_direct_url: Option<String>,
    /// A streaming replica (or its pooler) for reads that tolerate a little lag. Without it every read is on the
    /// primary.
    #[arg(long, env = "NEXUS_REPLICA_URL", hide_env_values = true)]
    pub replica_url: Option<String>,
    /// How far behind the primary (milliseconds) the replica may fall before reads leave it; they return once it has
    /// caught up.
    #[arg(long, env = "NEXUS_REPLICA_MAX_LAG_MS", default_value_t = 2000)]
    pub replica_max_lag_ms: u64,
    /// Where to serve the metrics in Prometheus' format (e.g. 127.0.0.1:9100), apart from the app's address. Off
    /// when absent.
    #[arg(long, env = "NEXUS_METRICS_ADDR")]
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// `text` (default) or `json`: one JSON object per log line, with the request id, tenant and user.
    #[arg(long, env = "NEXUS_LOG_FORMAT", default_value = "text")]
    pub log_format: LogFormat,
    /// Longest a request may take (seconds) before it is answered 503 "try again"; event streams and uploads are
    /// exempt.
    #[arg(long, env = "NEXUS_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// The inventory area's settings.
#[derive(Debug, Clone, Args)]
pub struct InventoryConfig {
    /// Largest inventory upload, in MB.
    #[arg(long, env = "NEXUS_UPLOAD_MAX_MB", default_value_t = 50)]
    pub upload_max_mb: u64,
    /// Most data rows in one inventory upload.
    #[arg(long, env = "NEXUS_UPLOAD_MAX_ROWS", default_value_t = 1_000_000)]
    pub upload_max_rows: u64,
}

/// Outgoing e-mail (invitations): an SMTP server, else a folder of `.eml` files, else none (links are shown to pass
/// on instead).
#[derive(Debug, Clone, Args)]
pub struct MailConfig {
    /// SMTP server as a URL: smtps://user:pass@host:465, or smtp://user:pass@host:587?tls=required (STARTTLS).
    #[arg(long, env = "NEXUS_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Without an SMTP server: write each message into this folder as an .eml file (development, tests).
    #[arg(long, env = "NEXUS_MAIL_DIR")]
    pub mail_dir: Option<PathBuf>,
    /// The sender: "Nexus <no-reply@example.com>" or an address.
    #[arg(long, env = "NEXUS_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// Let organisations' webhooks call addresses on loopback, private and link-local networks (a receiver on the
    /// server's own network). Off: the server calls only the internet.
    #[arg(long, env = "NEXUS_WEBHOOKS_ALLOW_INTERNAL", default_value_t = false)]
    pub webhooks_allow_internal: bool,
}

impl MailConfig {
    pub fn mailer(&self) -> Result<nexus::mail::Mailer> {
        if let Some(dir) = &self.mail_dir {
            std::fs::create_dir_all(dir).with_context(|| format!("creating the mail folder {}", dir.display()))?;
        }
        Ok(nexus::mail::Mailer::from_settings(
            self.smtp_url.as_deref(),
            self.mail_dir.clone(),
            self.mail_from.as_deref(),
        )?)
    }
}

/// The production area's settings.
#[derive(Debug, Clone, Args)]
pub struct ProductionConfig {
    /// Whole months of raw production units kept before the current one (older months are dropped; their rollups
    /// and downtime stay), 1 to 120. Ingest accepts units from the first day of the oldest month kept.
    #[arg(long, env = "NEXUS_PRODUCTION_KEEP_MONTHS", default_value_t = 24,
          value_parser = clap::value_parser!(u32).range(1..=120))]
    pub production_keep_months: u32,
    /// Seconds between two rounds of the production downtime job.
    #[arg(long, env = "NEXUS_DOWNTIME_EVERY_SECS", default_value_t = 60)]
    pub downtime_every_secs: u64,
}

impl ProductionConfig {
    /// How the area's jobs run.
    pub fn jobs(&self) -> nexus::production::service::JobSettings {
        nexus::production::service::JobSettings {
            keep_months: self.production_keep_months,
            downtime_every: std::time::Duration::from_secs(self.downtime_every_secs),
        }
    }
}

impl Config {
    pub fn data_dir(&self) -> Result<PathBuf> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating the data folder {}", self.data_dir.display()))?;
        Ok(self.data_dir.canonicalize()?)
    }

    /// The JWT key: given, or read from (first run: generated into) `<data>/jwt.key`.
    pub fn jwt_secret(&self) -> Result<Vec<u8>> {
        if let Some(s) = &self.jwt_secret {
            anyhow::ensure!(s.len() >= 32, "NEXUS_JWT_SECRET must be at least 32 characters");
            return Ok(s.as_bytes().to_vec());
        }
        Ok(read_or_generate(&self.data_dir()?.join("jwt.key"), || random_hex(48))?.into_bytes())
    }

    /// The demo password, and whether it was generated here (only a generated one is printed): given, or read from
    /// (first run: generated into) `<data>/demo-password`.
    pub fn demo_password(&self) -> Result<(String, bool)> {
        if let Some(p) = &self.demo_password {
            return Ok((p.clone(), false));
        }
        // The fixed part makes any random part meet the password policy (upper, lower, digit, 8+ characters).
        let p = read_or_generate(&self.data_dir()?.join("demo-password"), || format!("Demo-{}-9a", random_hex(4)))?;
        Ok((p, true))
    }
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
    hex::encode(b)
}

fn read_or_generate(path: &Path, make: impl FnOnce() -> String) -> Result<String> {
    if let Ok(s) = std::fs::read_to_string(path) {
        let s = s.trim().to_owned();
        if !s.is_empty() {
            return Ok(s);
        }
    }
    let value = make();
    write_secret(path, &value)?;
    Ok(value)
}

/// Writes a secret so that it is never readable by others, not even for a moment: a temporary file created with mode
/// 0600 (never wider), written, synced, then renamed over `path` (atomic: readers see the old file or the whole new one).
pub fn write_secret(path: &Path, value: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("creating {}", tmp.display()))?;
    f.write_all(value.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn secrets_are_private_from_the_first_byte() {
        let dir = std::env::temp_dir().join(format!("nexus-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("jwt.key");
        let v = super::read_or_generate(&path, || "s3cret".into()).unwrap();
        assert_eq!(v, "s3cret");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        // Read back, not regenerated.
        assert_eq!(super::read_or_generate(&path, || "other".into()).unwrap(), "s3cret");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
