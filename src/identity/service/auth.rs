//! Authentication: passwords, access tokens, browser sessions with rotating refresh tokens, registration.
//!
//! - Passwords are Argon2id with OWASP parameters, hashed on the blocking pool so a login never stalls the async
//!   runtime. An unknown login is verified against a dummy hash, so it costs the same time as a known one.
//! - A session is one login (the refresh-token "family"). Access JWTs live 15 minutes and name their session, which is
//!   checked on every request so logout and revocation are immediate. Refresh tokens are random, stored as SHA-256,
//!   rotated on each use; a rotated token presented again revokes the whole session, except within a short grace window
//!   that absorbs a browser sending two requests at once (it gets the same successor again: the successor is derived
//!   from the token with a keyed hash, so a replay never mints a fresh credential).
//! - Sessions end after 30 idle minutes or 12 hours; a user holds at most 3, the oldest revoked when a 4th opens. Every
//!   end of a session is audited, whoever or whatever caused it.
//! - Failed logins are throttled per account and source network, and a client the account trusts (its device cookie,
//!   or a network it signed in from lately) still signs in while strangers wait (`rules::throttle`); counted from the
//!   audit log so every instance agrees. The owner is told of failures since their previous sign-in.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use sqlx::types::ipnetwork::IpNetwork;
use uuid::Uuid;

use crate::audit::{self, Actor, Event};
use crate::caller::{Caller, RequestMeta, User};
use crate::codes::ErrorCode;
use crate::db::{self, PLATFORM_TENANT, Scope, Tx};
use crate::error::{Error, Result};
use crate::identity::rules::account::{Email, RegistrationInput, check_password};
use crate::identity::rules::auth::{
    AccessClaims, ApiScope, EndReason, IDLE_TIMEOUT_SECS, LOGIN_MAX_CHARS, MAX_SESSIONS_PER_USER, Permission,
    REFRESH_REUSE_GRACE_SECS, REFRESH_TOKEN_MAX_CHARS, Role, SESSION_MAX_LIFETIME_SECS, TOKEN_AUDIENCE, TOKEN_ISSUER,
};
use crate::identity::rules::tenant::{TenantKind, TenantStatus, UserStatus};
use crate::identity::rules::throttle;
use crate::identity::store::{sessions, tenants, users};
use crate::ids::{TenantId, UserId};

/// Key material and the dummy hash; built once at start-up and shared.
#[derive(Clone)]
pub struct Auth {
    inner: Arc<Keys>,
}

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    dummy_hash: String,
    /// Keys the derivation of a refresh token's successor (see [`Auth::successor`]).
    successor_key: Vec<u8>,
    /// Signs device cookies (see [`Auth::device_cookie`]).
    device_key: Vec<u8>,
}

/// The OWASP-recommended Argon2id parameters: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19 * 1024, 2, 1, None).expect("valid argon2 params"))
}

pub async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::internal(e.to_string()))
    })
    .await
    .map_err(Error::internal)?
}

pub async fn verify_password(password: String, hash: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(|e| Error::internal(e.to_string()))?;
        Ok(argon2().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(Error::internal)?
}

/// 32 random bytes, URL-safe base64: refresh tokens and API key secrets.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Tokens are high-entropy, so a fast hash is the right one (a slow KDF protects guessable secrets, not these).
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// What a successful login or refresh hands back to the edge, which puts it in cookies or a JSON body.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub user: User,
    pub tokens: Tokens,
    /// The browser's device cookie for this account (renewed at each sign-in; a refresh leaves it as it is).
    pub device: Option<String>,
    /// Failed sign-ins of the account since its previous sign-in (a refresh says 0).
    pub failed_before: i64,
}

impl Auth {
    /// `secret` signs access tokens (HS256); it must be at least 32 bytes.
    pub async fn new(secret: &[u8]) -> Result<Self> {
        if secret.len() < 32 {
            return Err(Error::internal("the JWT secret must be at least 32 bytes"));
        }
        let mut validation = Validation::new(jsonwebtoken::Algorithm::HS256);
        validation.set_issuer(&[TOKEN_ISSUER]);
        validation.set_audience(&[TOKEN_AUDIENCE]);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let dummy_hash = hash_password(random_token()).await?;
        let successor_key =
            Sha256::new().chain_update(b"nexus refresh successor\0").chain_update(secret).finalize().to_vec();
        let device_key = Sha256::new().chain_update(b"nexus device cookie\0").chain_update(secret).finalize().to_vec();
        Ok(Self {
            inner: Arc::new(Keys {
                encoding: EncodingKey::from_secret(secret),
                decoding: DecodingKey::from_secret(secret),
                validation,
                dummy_hash,
                successor_key,
                device_key,
            }),
        })
    }

    /// The refresh token that replaces `token`: HMAC-SHA256 of it under a server key. Deterministic, so a browser
    /// racing itself within the grace window gets the very token its other request got; unguessable without `token`.
    fn successor(&self, token: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.inner.successor_key).expect("HMAC takes any key length");
        mac.update(token.as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// The MAC of a device cookie's `body`, keyed by the server and bound to the account's password hash: a new
    /// password (the remedy for an attacked account) ends the trust of every browser that signed in before it.
    fn device_mac(&self, body: &str, password_hash: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.inner.device_key).expect("HMAC takes any key length");
        mac.update(body.as_bytes());
        mac.update(b"\0");
        mac.update(password_hash.as_bytes());
        mac
    }

    /// The device cookie of `user` issued at `now`: `<user id>.<unix seconds>.<MAC>`. It says only that this browser
    /// signed in to this account with its current password; it authenticates nothing by itself.
    pub fn device_cookie(&self, user: UserId, password_hash: &str, now: DateTime<Utc>) -> String {
        let body = format!("{}.{}", user.0.simple(), now.timestamp());
        let mac = self.device_mac(&body, password_hash).finalize().into_bytes();
        format!("{body}.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac))
    }

    /// Whether `cookie` is a device cookie of `user` under its current password, signed by us, younger than a year.
    fn holds_device(&self, cookie: Option<&str>, user: UserId, password_hash: &str, now: DateTime<Utc>) -> bool {
        let Some(cookie) = cookie.filter(|c| c.len() <= 200) else { return false };
        let Some((body, mac)) = cookie.rsplit_once('.') else { return false };
        let Some((id, issued)) = body.split_once('.') else { return false };
        let Ok(issued) = issued.parse::<i64>() else { return false };
        let Some(age) = now.timestamp().checked_sub(issued) else { return false };
        let Ok(mac) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(mac) else { return false };
        id == user.0.simple().to_string()
            && (-60..throttle::DEVICE_COOKIE_DAYS * 86_400).contains(&age)
            && self.device_mac(body, password_hash).verify_slice(&mac).is_ok()
    }

    pub fn issue_access(&self, claims: &AccessClaims) -> Result<String> {
        jsonwebtoken::encode(&Header::new(jsonwebtoken::Algorithm::HS256), claims, &self.inner.encoding)
            .map_err(Error::internal)
    }

    /// Checks signature, algorithm (HS256 only: `none` and others are refused), issuer, audience and expiry.
    pub fn decode_access(&self, token: &str) -> Result<AccessClaims> {
        jsonwebtoken::decode::<AccessClaims>(token, &self.inner.decoding, &self.inner.validation)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => Error::Unauthorized(ErrorCode::SessionExpired),
                _ => Error::Unauthorized(ErrorCode::TokenInvalid),
            })
    }

    /// Tokens issued at `issued`: the same inputs give the same tokens (HS256 is deterministic).
    fn tokens_for(
        &self,
        user: &User,
        refresh_token: String,
        session_expires: DateTime<Utc>,
        issued: DateTime<Utc>,
    ) -> Result<Tokens> {
        let claims = AccessClaims::new(user.user_id, user.tenant_id, user.session_id, user.role, issued.timestamp());
        Ok(Tokens {
            access_token: self.issue_access(&claims)?,
            access_expires_at: DateTime::from_timestamp(claims.exp, 0).unwrap_or(issued),
            refresh_token,
            refresh_expires_at: session_expires,
        })
    }

    /// Logs in by e-mail or username. Wrong password and unknown login are indistinguishable, in answer and in time.
    pub async fn login(&self, pool: &PgPool, login: &str, password: &str, meta: &RequestMeta) -> Result<LoggedIn> {
        // Bounded before anything is looked up or recorded: no address is longer, and the audit log is append-only.
        if login.chars().count() > LOGIN_MAX_CHARS {
            return Err(Error::field("login", ErrorCode::TooLong));
        }
        // No address or username holds a control character; a NUL could not even be recorded.
        if login.chars().any(char::is_control) {
            return Err(Error::field("login", ErrorCode::InvalidInput));
        }
        let login = login.trim().to_lowercase();
        if login.is_empty() || password.is_empty() {
            return Err(Error::Unauthorized(ErrorCode::InvalidCredentials));
        }
        if password.chars().count() > crate::identity::rules::account::PASSWORD_MAX_CHARS {
            return Err(Error::Unauthorized(ErrorCode::InvalidCredentials));
        }
        let now = Utc::now();
        let network = meta.ip.map(|ip| {
            let (net, bits) = throttle::source_network(ip);
            IpNetwork::new(net, bits).expect("a /24 or /64 prefix is valid")
        });
        let mut tx = db::begin(pool, Scope::Platform).await?;
        let found = users::find_for_login(&mut tx, &login).await?;
        // Failures are counted under every name the account answers to, whichever the guesser typed.
        let mut logins = vec![login.clone()];
        logins.extend(found.iter().flat_map(|u| [Some(u.email.clone()), u.username.clone()]).flatten());
        // An unknown login asks the same questions (of a user that does not exist): the answer's timing is the same.
        let account = found.as_ref().map_or(UserId(Uuid::nil()), |u| UserId(u.id));
        // One attempt per account at a time, across instances, from the count to the recorded failure: attempts sent
        // at once would otherwise all read the count before any of them failed. Attempts the count refuses end at
        // once; only those it lets through wait on the password check.
        let lock = match &found {
            Some(u) => format!("nexus.login:{}", u.id),
            None => format!("nexus.login:{login}"),
        };
        db::lock_named(&mut tx, &lock).await?;
        let known_network = match network {
            Some(net) => {
                audit::signed_in_from(&mut tx, account, net, now - Duration::days(throttle::KNOWN_NETWORK_DAYS)).await?
            }
            None => false,
        };
        let trusted = found.as_ref().is_some_and(|u| {
            known_network || self.holds_device(meta.device.as_deref(), account, &u.password_hash, now)
        });
        let failures =
            audit::login_failures(&mut tx, &logins, network, now - Duration::seconds(throttle::WINDOW_SECS)).await?;
        if let Some(until) = throttle::wait_until(&failures, trusted, now) {
            let retry_after_secs = (until - now).num_seconds().max(1) as u64;
            return Err(Error::RateLimited { retry_after_secs });
        }
        let hash = found.as_ref().map_or_else(|| self.inner.dummy_hash.clone(), |u| u.password_hash.clone());
        let ok = verify_password(password.to_owned(), hash).await?;
        let Some(user) = found.filter(|_| ok) else {
            // Recorded before the lock is released: the next attempt counts this one.
            record_failure(&mut tx, &login, trusted, meta).await?;
            tx.commit().await?;
            return Err(Error::Unauthorized(ErrorCode::InvalidCredentials));
        };
        // What the owner is told: failures since their previous sign-in (a month back at most), read here in the
        // platform's scope where failures are recorded, and only once the password is right.
        let (failed_before, _) =
            audit::failures_since_last_sign_in(&mut tx, &logins, account, now - Duration::days(30)).await?;
        tx.commit().await?;
        let role = Role::decode(&user.role)?;
        let (tenant, user_id) = (TenantId(user.tenant_id), UserId(user.id));

        let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
        let locked = users::lock(&mut tx, tenant, user_id).await?.ok_or(Error::NotFound)?;
        // A password change may have committed between the check above and this lock: the password must match the
        // hash in force now.
        if locked.password_hash != user.password_hash
            && !verify_password(password.to_owned(), locked.password_hash.clone()).await?
        {
            // Rolled back now, not on drop: the failure is recorded on another connection and must not wait on
            // this row lock.
            tx.rollback().await?;
            return Err(self.login_failed(pool, &login, trusted, meta).await);
        }
        // Only a caller who knows the password learns the account's state.
        match (UserStatus::decode(&locked.status)?, TenantStatus::decode(&locked.tenant_status)?) {
            (UserStatus::Pending, _) => return Err(Error::Unauthorized(ErrorCode::AccountPending)),
            (UserStatus::Deactivated, _) => return Err(Error::Unauthorized(ErrorCode::AccountDeactivated)),
            (UserStatus::Active, TenantStatus::Suspended) => {
                return Err(Error::Unauthorized(ErrorCode::OrganisationSuspended));
            }
            (UserStatus::Active, TenantStatus::Pending) => return Err(Error::Unauthorized(ErrorCode::AccountPending)),
            (UserStatus::Active, TenantStatus::Active) => {}
        }
        let display_name = users::get(&mut tx, user_id).await?.map(|u| u.display_name).unwrap_or_default();
        let capped = sessions::revoke_beyond(&mut tx, tenant, user_id, MAX_SESSIONS_PER_USER - 1).await?;
        let now = Utc::now();
        let expires_at = now + Duration::seconds(SESSION_MAX_LIFETIME_SECS);
        let session_id = sessions::insert(
            &mut tx,
            sessions::NewSession {
                tenant_id: tenant,
                user_id,
                expires_at,
                ip: meta.ip_network(),
                user_agent: truncate(&meta.user_agent, 400),
                failed_before: i32::try_from(failed_before).unwrap_or(i32::MAX),
            },
        )
        .await?;
        let refresh = random_token();
        sessions::insert_refresh(&mut tx, tenant, session_id, &token_hash(&refresh)).await?;
        let me = User {
            user_id,
            tenant_id: tenant,
            session_id,
            role,
            tenant_kind: TenantKind::decode(&locked.tenant_kind)?,
            email: locked.email.clone(),
            display_name,
        };
        let mut after = serde_json::Map::new();
        if !capped.is_empty() {
            after.insert("revoked_sessions".into(), json!(capped));
            after.insert("reason".into(), json!(EndReason::SessionCap.as_str()));
        }
        if failed_before > 0 {
            after.insert("failed_before".into(), json!(failed_before));
        }
        let mut event = Event::new("auth.login").target("session", session_id);
        if !after.is_empty() {
            event = event.after(serde_json::Value::Object(after));
        }
        audit::record(&mut tx, &Actor::of(&me, meta), event).await?;
        tx.commit().await?;
        let tokens = self.tokens_for(&me, refresh, expires_at, now)?;
        let device = Some(self.device_cookie(user_id, &locked.password_hash, now));
        Ok(LoggedIn { user: me, tokens, device, failed_before })
    }

    /// Records a failed login (against the platform tenant: the account is not revealed) and returns the error to send.
    async fn login_failed(&self, pool: &PgPool, login: &str, trusted: bool, meta: &RequestMeta) -> Error {
        let record = async {
            let mut tx = db::begin(pool, Scope::Platform).await?;
            record_failure(&mut tx, login, trusted, meta).await?;
            tx.commit().await?;
            Ok::<_, Error>(())
        };
        match record.await {
            Ok(()) => Error::Unauthorized(ErrorCode::InvalidCredentials),
            Err(e) => e,
        }
    }

    /// Resolves an access token to its user, checking that the session is still live and the account and its tenant
    /// active. A session found idle is ended (and the end audited).
    pub async fn authenticate(&self, pool: &PgPool, token: &str, meta: &RequestMeta) -> Result<User> {
        let claims = self.decode_access(token)?;
        let mut tx = db::begin(pool, Scope::Tenant(claims.tid)).await?;
        let row = sessions::find_for_auth(&mut tx, claims.tid, claims.sid)
            .await?
            .ok_or(Error::Unauthorized(ErrorCode::TokenInvalid))?;
        let now = Utc::now();
        if row.user_id != claims.sub.0 {
            return Err(Error::Unauthorized(ErrorCode::TokenInvalid));
        }
        if row.revoked_at.is_some() {
            let reason = row.revoked_reason.as_deref().map(EndReason::decode).transpose()?;
            return Err(Error::Unauthorized(EndReason::code(reason)));
        }
        let user = User {
            user_id: claims.sub,
            tenant_id: claims.tid,
            session_id: claims.sid,
            role: Role::decode(&row.role)?,
            tenant_kind: TenantKind::decode(&row.tenant_kind)?,
            email: row.email,
            display_name: row.display_name,
        };
        let end = why_it_ends(row.expires_at, row.last_seen_at, &row.status, &row.tenant_status, now)?;
        if let Some((reason, code)) = end {
            end_session(&mut tx, &user, reason, meta).await?;
            tx.commit().await?;
            return Err(Error::Unauthorized(code));
        }
        // Activity is recorded at most once a minute: the idle timeout needs no finer grain.
        if row.last_seen_at < now - Duration::seconds(60) {
            sessions::touch(&mut tx, claims.tid, claims.sid).await?;
        }
        tx.commit().await?;
        Ok(user)
    }

    /// Presents a refresh token: rotates it, or detects its reuse and revokes the session family. Presented again
    /// within the grace window it yields the same successor and access token as the first time.
    pub async fn refresh(&self, pool: &PgPool, token: &str, meta: &RequestMeta) -> Result<LoggedIn> {
        check_refresh_token_length(token)?;
        let hash = token_hash(token);
        let mut tx = db::begin(pool, Scope::Platform).await?;
        let row = sessions::find_refresh_for_update(&mut tx, &hash)
            .await?
            .ok_or(Error::Unauthorized(ErrorCode::TokenInvalid))?;
        let now = Utc::now();
        let user = User {
            user_id: UserId(row.user_id),
            tenant_id: TenantId(row.tenant_id),
            session_id: row.session_id,
            role: Role::decode(&row.role)?,
            tenant_kind: TenantKind::decode(&row.tenant_kind)?,
            email: row.email.clone(),
            display_name: String::new(),
        };
        if row.revoked_at.is_some() {
            let reason = row.revoked_reason.as_deref().map(EndReason::decode).transpose()?;
            return Err(Error::Unauthorized(EndReason::code(reason)));
        }
        let end = why_it_ends(row.expires_at, row.last_seen_at, &row.status, &row.tenant_status, now)?;
        if let Some((reason, code)) = end {
            end_session(&mut tx, &user, reason, meta).await?;
            tx.commit().await?;
            return Err(Error::Unauthorized(code));
        }
        let next = self.successor(token);
        let issued = match row.used_at {
            Some(used_at) if used_at > now - Duration::seconds(REFRESH_REUSE_GRACE_SECS) => {
                // A browser racing itself: the same successor and the same access token (issued at the rotation).
                tx.commit().await?;
                used_at
            }
            Some(_) => {
                end_session(&mut tx, &user, EndReason::RefreshReuse, meta).await?;
                tx.commit().await?;
                return Err(Error::Unauthorized(ErrorCode::RefreshReused));
            }
            None => {
                let used_at = sessions::mark_refresh_used(&mut tx, user.tenant_id, &hash).await?;
                sessions::insert_refresh(&mut tx, user.tenant_id, row.session_id, &token_hash(&next)).await?;
                sessions::touch(&mut tx, user.tenant_id, row.session_id).await?;
                tx.commit().await?;
                used_at
            }
        };
        let user = self.with_display_name(pool, user).await?;
        let tokens = self.tokens_for(&user, next, row.expires_at, issued)?;
        Ok(LoggedIn { user, tokens, device: None, failed_before: 0 })
    }

    async fn with_display_name(&self, pool: &PgPool, mut user: User) -> Result<User> {
        let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
        user.display_name = users::get(&mut tx, user.user_id).await?.map(|u| u.display_name).unwrap_or_default();
        tx.commit().await?;
        Ok(user)
    }
}

/// Records a failed sign-in of `login` in the platform's audit log, with whether the client was one the account
/// trusts (those failures do not hold strangers back).
async fn record_failure(tx: &mut Tx, login: &str, trusted: bool, meta: &RequestMeta) -> Result<()> {
    let actor = Actor { tenant_id: PLATFORM_TENANT, user_id: None, email: Some(login), meta };
    audit::record(tx, &actor, Event::new(audit::LOGIN_FAILED).after(json!({ "trusted": trusted }))).await
}

/// Whether a live session must end now, and with what answer: past its lifetime, idle, its user no longer active, or
/// its tenant no longer active.
fn why_it_ends(
    expires_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    user_status: &str,
    tenant_status: &str,
    now: DateTime<Utc>,
) -> Result<Option<(EndReason, ErrorCode)>> {
    Ok(if expires_at <= now {
        Some((EndReason::Expired, ErrorCode::SessionExpired))
    } else if last_seen_at < now - Duration::seconds(IDLE_TIMEOUT_SECS) {
        Some((EndReason::Idle, ErrorCode::SessionExpired))
    } else if UserStatus::decode(user_status)? != UserStatus::Active {
        Some((EndReason::Deactivated, ErrorCode::AccountDeactivated))
    } else if TenantStatus::decode(tenant_status)? != TenantStatus::Active {
        Some((EndReason::TenantSuspended, ErrorCode::OrganisationSuspended))
    } else {
        None
    })
}

/// Ends a session for `reason` and records it: whatever ends a session (the user, an administrator, a timeout, a
/// detected theft) leaves an audit entry.
async fn end_session(tx: &mut Tx, user: &User, reason: EndReason, meta: &RequestMeta) -> Result<bool> {
    let ended = sessions::revoke(tx, user.tenant_id, user.session_id, None, reason.as_str()).await?;
    if ended {
        let event = Event::new("auth.session_ended")
            .target("session", user.session_id)
            .after(json!({ "reason": reason.as_str() }));
        audit::record(tx, &Actor::of(user, meta), event).await?;
    }
    Ok(ended)
}

fn truncate(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Ends the user's own session.
pub async fn logout(pool: &PgPool, user: &User, meta: &RequestMeta) -> Result<()> {
    user.require(Permission::AccountManage)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    sessions::revoke(&mut tx, user.tenant_id, user.session_id, None, EndReason::Logout.as_str()).await?;
    audit::record(&mut tx, &Actor::of(user, meta), Event::new("auth.logout").target("session", user.session_id))
        .await?;
    tx.commit().await?;
    Ok(())
}

fn check_refresh_token_length(token: &str) -> Result<()> {
    if token.chars().count() > REFRESH_TOKEN_MAX_CHARS {
        return Err(Error::field("refresh_token", ErrorCode::TooLong));
    }
    Ok(())
}

/// Ends the session a refresh token belongs to (REST logout, where no access token may be at hand). Holding the token
/// is the authority: it is the session's own credential.
pub async fn logout_refresh(pool: &PgPool, refresh_token: &str, meta: &RequestMeta) -> Result<()> {
    check_refresh_token_length(refresh_token)?;
    let hash = token_hash(refresh_token);
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let Some(row) = sessions::find_refresh_for_update(&mut tx, &hash).await? else {
        return Ok(());
    };
    let tenant = TenantId(row.tenant_id);
    if sessions::revoke(&mut tx, tenant, row.session_id, None, EndReason::Logout.as_str()).await? {
        let actor = Actor { tenant_id: tenant, user_id: Some(UserId(row.user_id)), email: Some(&row.email), meta };
        audit::record(&mut tx, &actor, Event::new("auth.logout").target("session", row.session_id)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Self-registration of a workshop, a bodega or a plant: a new pending tenant with one pending user (its
/// [`TenantKind::first_role`]), until an admin approves.
pub async fn register(pool: &PgPool, input: &RegistrationInput, meta: &RequestMeta) -> Result<UserId> {
    let reg = input.validate().map_err(Error::Validation)?;
    if super::passwords::is_common(&reg.password) {
        return Err(Error::field("password", ErrorCode::PasswordTooCommon));
    }
    let kind = reg.kind;
    let hash = hash_password(reg.password.clone()).await?;
    let mut tx = db::begin(pool, Scope::Platform).await?;
    if users::exists_by_email(&mut tx, reg.email.as_str()).await? {
        return Err(Error::field("email", ErrorCode::EmailTaken));
    }
    let tenant_id = tenants::insert(
        &mut tx,
        tenants::NewTenant {
            kind: kind.as_str(),
            name: &reg.business_name,
            status: TenantStatus::Pending.as_str(),
            phone: &reg.phone,
            address: &reg.address,
            country: &reg.country,
            hours: &reg.hours,
        },
    )
    .await?;
    let user_id = users::insert(
        &mut tx,
        users::NewUser {
            tenant_id,
            email: reg.email.as_str(),
            username: None,
            display_name: &reg.name,
            password_hash: &hash,
            role: reg.role.as_str(),
            status: UserStatus::Pending.as_str(),
        },
    )
    .await?;
    let actor = Actor { tenant_id, user_id: Some(user_id), email: Some(reg.email.as_str()), meta };
    let event = Event::new("auth.register").target("user", user_id).after(json!({
        "email": reg.email.as_str(), "role": reg.role.as_str(), "kind": kind.as_str(), "business_name": reg.business_name,
    }));
    audit::record(&mut tx, &actor, event).await?;
    tx.commit().await?;
    Ok(user_id)
}

/// Changes the user's password after checking the current one; every other session of the user ends. The user's row
/// is locked while the new hash is written, so a login racing the change re-checks against the hash in force.
pub async fn change_password(pool: &PgPool, user: &User, current: &str, new: &str, meta: &RequestMeta) -> Result<()> {
    user.require(Permission::AccountManage)?;
    check_password(new).map_err(|c| Error::field("new_password", c))?;
    if super::passwords::is_common(new) {
        return Err(Error::field("new_password", ErrorCode::PasswordTooCommon));
    }
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let hash = users::password_hash(&mut tx, user.user_id).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    if !verify_password(current.to_owned(), hash.clone()).await? {
        return Err(Error::field("current_password", ErrorCode::InvalidCredentials));
    }
    let new_hash = hash_password(new.to_owned()).await?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let locked = users::lock(&mut tx, user.tenant_id, user.user_id).await?.ok_or(Error::NotFound)?;
    if locked.password_hash != hash {
        // Changed by another request meanwhile: the current password checked above is no longer the current one.
        return Err(Error::field("current_password", ErrorCode::InvalidCredentials));
    }
    users::set_password(&mut tx, user.user_id, &new_hash).await?;
    let ended = sessions::revoke_all_for_user(
        &mut tx,
        user.tenant_id,
        user.user_id,
        EndReason::PasswordChanged.as_str(),
        Some(user.session_id),
    )
    .await?;
    let event = Event::new("auth.password_changed")
        .target("user", user.user_id)
        .after(json!({ "sessions_ended": ended, "reason": EndReason::PasswordChanged.as_str() }));
    audit::record(&mut tx, &Actor::of(user, meta), event).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: String,
    pub current: bool,
}

pub async fn my_sessions(pool: &PgPool, user: &User) -> Result<Vec<SessionInfo>> {
    user.require(Permission::AccountManage)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let rows = sessions::list_live(&mut tx, user.tenant_id, user.user_id).await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| SessionInfo {
            id: r.id,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            ip: r.ip.map(|i| i.ip().to_string()),
            user_agent: r.user_agent,
            current: r.id == user.session_id,
        })
        .collect())
}

/// Revokes one of the user's own sessions.
pub async fn revoke_my_session(pool: &PgPool, user: &User, session: Uuid, meta: &RequestMeta) -> Result<()> {
    user.require(Permission::AccountManage)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    if !sessions::revoke(&mut tx, user.tenant_id, session, Some(user.user_id), EndReason::UserRevoked.as_str()).await? {
        return Err(Error::NotFound);
    }
    audit::record(&mut tx, &Actor::of(user, meta), Event::new("auth.session_revoked").target("session", session))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A signed-in person as "me" shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub tenant_name: String,
    pub tenant_kind: TenantKind,
    /// Failed sign-ins of the account before this session's sign-in: an attack on their password, news to them.
    pub failed_before: i64,
    /// The organisation's country (ISO 3166): how its numbers and money are written.
    pub country: String,
}

/// Who is calling, as "me" answers it: a person's profile, or a key's tenant and scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whoami {
    User(Profile),
    Machine {
        key_id: Uuid,
        name: String,
        tenant_id: TenantId,
        tenant_name: String,
        tenant_kind: TenantKind,
        scopes: Vec<ApiScope>,
    },
}

/// The user's own profile.
pub async fn me(pool: &PgPool, user: &User) -> Result<Profile> {
    user.require(Permission::AccountManage)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let row = users::get(&mut tx, user.user_id).await?.ok_or(Error::NotFound)?;
    let failed_before = sessions::failed_before(&mut tx, user.tenant_id, user.session_id).await?;
    tx.commit().await?;
    Ok(Profile {
        failed_before: i64::from(failed_before),
        user_id: UserId(row.id),
        tenant_id: TenantId(row.tenant_id),
        email: row.email,
        display_name: row.display_name,
        role: user.role,
        tenant_name: row.tenant_name,
        tenant_kind: TenantKind::decode(&row.tenant_kind)?,
        country: row.tenant_country,
    })
}

/// "Me" for any caller. Every caller may ask who it is: that is what identifies it, not a permission it holds.
pub async fn whoami(pool: &PgPool, caller: &Caller) -> Result<Whoami> {
    match caller {
        Caller::User(u) => Ok(Whoami::User(me(pool, u).await?)),
        Caller::Machine(m) => {
            let mut tx = db::begin(pool, Scope::Tenant(m.tenant_id)).await?;
            let t = tenants::get(&mut tx, m.tenant_id).await?.ok_or(Error::NotFound)?;
            tx.commit().await?;
            Ok(Whoami::Machine {
                key_id: m.key_id,
                name: m.name.clone(),
                tenant_id: TenantId(t.id),
                tenant_name: t.name,
                tenant_kind: TenantKind::decode(&t.kind)?,
                scopes: m.scopes.clone(),
            })
        }
    }
}

/// Lower-cases and validates a login e-mail for flows that take one (demo seeding, admin tools).
pub fn parse_email(raw: &str) -> Result<Email> {
    Email::parse(raw).map_err(|c| Error::field("email", c))
}
