//! Authentication: passwords, access tokens, browser sessions with rotating refresh tokens, registration.
//!
//! - Passwords are Argon2id with OWASP parameters, hashed on the blocking pool so a login never stalls the async
//!   runtime. An unknown login is verified against a dummy hash, so it costs the same time as a known one.
//! - A session is one login (the refresh-token "family"). Access JWTs live 15 minutes and name their session, which is
//!   checked on every request so logout and revocation are immediate. Refresh tokens are random, stored as SHA-256,
//!   rotated on each use; a rotated token presented again revokes the whole session, except within a short grace window
//!   that absorbs a browser sending two requests at once.
//! - Sessions end after 30 idle minutes or 30 days; a user holds at most 3, the oldest revoked when a 4th opens.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use crate::domain::account::{Email, RegistrationInput, check_password};
use crate::domain::auth::{
    ACCESS_TOKEN_TTL_SECS, AccessClaims, IDLE_TIMEOUT_SECS, MAX_SESSIONS_PER_USER, REFRESH_REUSE_GRACE_SECS,
    REFRESH_TOKEN_TTL_SECS, Role, TOKEN_AUDIENCE, TOKEN_ISSUER,
};
use crate::domain::codes::ErrorCode;
use crate::store::db::{self, PLATFORM_TENANT, Scope};
use crate::store::{sessions, tenants, users};

use super::audit::{self, Actor, Event};
use super::caller::{Caller, RequestMeta};
use super::error::{Error, Result};

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
    pub caller: Caller,
    pub tokens: Tokens,
}

/// The result of presenting a refresh token.
#[derive(Debug, Clone)]
pub enum Refreshed {
    /// Rotated: new tokens to hand out.
    Rotated(LoggedIn),
    /// A token rotated moments ago by a parallel request of the same browser: serve this request as the session, but
    /// hand out nothing (the other response carries the new tokens).
    Grace(Caller),
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
        Ok(Self {
            inner: Arc::new(Keys {
                encoding: EncodingKey::from_secret(secret),
                decoding: DecodingKey::from_secret(secret),
                validation,
                dummy_hash,
            }),
        })
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

    fn tokens_for(&self, caller: &Caller, refresh_token: String, session_expires: DateTime<Utc>) -> Result<Tokens> {
        let now = Utc::now();
        let claims =
            AccessClaims::new(caller.user_id, caller.tenant_id, caller.session_id, caller.role, now.timestamp());
        Ok(Tokens {
            access_token: self.issue_access(&claims)?,
            access_expires_at: now + Duration::seconds(ACCESS_TOKEN_TTL_SECS),
            refresh_token,
            refresh_expires_at: session_expires,
        })
    }

    /// Logs in by e-mail or username. Wrong password and unknown login are indistinguishable, in answer and in time.
    pub async fn login(&self, pool: &PgPool, login: &str, password: &str, meta: &RequestMeta) -> Result<LoggedIn> {
        let login = login.trim().to_lowercase();
        if login.is_empty() || password.is_empty() {
            return Err(Error::Unauthorized(ErrorCode::InvalidCredentials));
        }
        if password.chars().count() > crate::domain::account::PASSWORD_MAX_CHARS {
            return Err(Error::Unauthorized(ErrorCode::InvalidCredentials));
        }
        let mut tx = db::begin(pool, Scope::Platform).await?;
        let found = users::find_for_login(&mut tx, &login).await?;
        tx.commit().await?;

        let hash = found.as_ref().map_or_else(|| self.inner.dummy_hash.clone(), |u| u.password_hash.clone());
        let ok = verify_password(password.to_owned(), hash).await?;
        let Some(user) = found.filter(|_| ok) else {
            let mut tx = db::begin(pool, Scope::Platform).await?;
            let tenant_id = PLATFORM_TENANT;
            let actor = Actor { tenant_id, user_id: None, email: Some(&login), meta };
            audit::record(&mut tx, &actor, Event::new("auth.login_failed")).await?;
            tx.commit().await?;
            return Err(Error::Unauthorized(ErrorCode::InvalidCredentials));
        };
        // Only a caller who knows the password learns the account's state.
        match user.status.as_str() {
            "pending" => return Err(Error::Unauthorized(ErrorCode::AccountPending)),
            "active" if user.tenant_status == "suspended" => {
                return Err(Error::Unauthorized(ErrorCode::AccountDeactivated));
            }
            "active" => {}
            _ => return Err(Error::Unauthorized(ErrorCode::AccountDeactivated)),
        }
        let role = Role::parse(&user.role).ok_or_else(|| Error::internal("unknown role in database"))?;

        let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
        let locked = users::lock(&mut tx, user.tenant_id, user.id).await?.ok_or(Error::NotFound)?;
        let display_name = users::get(&mut tx, user.id).await?.map(|u| u.display_name).unwrap_or_default();
        let capped = sessions::revoke_beyond(&mut tx, user.tenant_id, user.id, MAX_SESSIONS_PER_USER - 1).await?;
        let expires_at = Utc::now() + Duration::seconds(REFRESH_TOKEN_TTL_SECS);
        let session_id = sessions::insert(
            &mut tx,
            sessions::NewSession {
                tenant_id: user.tenant_id,
                user_id: user.id,
                expires_at,
                ip: meta.ip_network(),
                user_agent: truncate(&meta.user_agent, 400),
            },
        )
        .await?;
        let refresh = random_token();
        sessions::insert_refresh(&mut tx, user.tenant_id, session_id, &token_hash(&refresh)).await?;
        let caller = Caller {
            user_id: user.id,
            tenant_id: user.tenant_id,
            session_id,
            role,
            email: locked.email.clone(),
            display_name,
        };
        let mut event = Event::new("auth.login").target("session", session_id);
        if !capped.is_empty() {
            event = event.after(json!({ "revoked_sessions": capped }));
        }
        audit::record(&mut tx, &Actor::of(&caller, meta), event).await?;
        tx.commit().await?;
        let tokens = self.tokens_for(&caller, refresh, expires_at)?;
        Ok(LoggedIn { caller, tokens })
    }

    /// Resolves an access token to its caller, checking that the session is still live and the account active.
    pub async fn authenticate(&self, pool: &PgPool, token: &str) -> Result<Caller> {
        let claims = self.decode_access(token)?;
        let mut tx = db::begin(pool, Scope::Tenant(claims.tid)).await?;
        let row = sessions::find_for_auth(&mut tx, claims.tid, claims.sid)
            .await?
            .ok_or(Error::Unauthorized(ErrorCode::TokenInvalid))?;
        let now = Utc::now();
        if row.user_id != claims.sub {
            return Err(Error::Unauthorized(ErrorCode::TokenInvalid));
        }
        if row.revoked_at.is_some() || row.expires_at <= now {
            return Err(Error::Unauthorized(ErrorCode::SessionExpired));
        }
        if row.last_seen_at < now - Duration::seconds(IDLE_TIMEOUT_SECS) {
            sessions::revoke(&mut tx, claims.tid, claims.sid, None, "idle").await?;
            tx.commit().await?;
            return Err(Error::Unauthorized(ErrorCode::SessionExpired));
        }
        if row.status != "active" {
            return Err(Error::Unauthorized(ErrorCode::AccountDeactivated));
        }
        // Activity is recorded at most once a minute: the idle timeout needs no finer grain.
        if row.last_seen_at < now - Duration::seconds(60) {
            sessions::touch(&mut tx, claims.tid, claims.sid).await?;
        }
        tx.commit().await?;
        Ok(Caller {
            user_id: row.user_id,
            tenant_id: claims.tid,
            session_id: claims.sid,
            role: Role::parse(&row.role).ok_or_else(|| Error::internal("unknown role in database"))?,
            email: row.email,
            display_name: row.display_name,
        })
    }

    /// Presents a refresh token: rotates it, or detects its reuse and revokes the session family.
    pub async fn refresh(&self, pool: &PgPool, token: &str, meta: &RequestMeta) -> Result<Refreshed> {
        let hash = token_hash(token);
        let mut tx = db::begin(pool, Scope::Platform).await?;
        let row = sessions::find_refresh_for_update(&mut tx, &hash)
            .await?
            .ok_or(Error::Unauthorized(ErrorCode::TokenInvalid))?;
        let now = Utc::now();
        let role = Role::parse(&row.role).ok_or_else(|| Error::internal("unknown role in database"))?;
        let caller = Caller {
            user_id: row.user_id,
            tenant_id: row.tenant_id,
            session_id: row.session_id,
            role,
            email: row.email.clone(),
            display_name: String::new(),
        };
        if row.revoked_at.is_some() {
            return Err(Error::Unauthorized(ErrorCode::SessionExpired));
        }
        if row.expires_at <= now {
            sessions::revoke(&mut tx, row.tenant_id, row.session_id, None, "expired").await?;
            tx.commit().await?;
            return Err(Error::Unauthorized(ErrorCode::SessionExpired));
        }
        if row.last_seen_at < now - Duration::seconds(IDLE_TIMEOUT_SECS) {
            sessions::revoke(&mut tx, row.tenant_id, row.session_id, None, "idle").await?;
            tx.commit().await?;
            return Err(Error::Unauthorized(ErrorCode::SessionExpired));
        }
        if let Some(used_at) = row.used_at {
            if used_at > now - Duration::seconds(REFRESH_REUSE_GRACE_SECS) {
                tx.commit().await?;
                return Ok(Refreshed::Grace(self.with_display_name(pool, caller).await?));
            }
            sessions::revoke(&mut tx, row.tenant_id, row.session_id, None, "refresh_reuse").await?;
            let actor = Actor::of(&caller, meta);
            audit::record(&mut tx, &actor, Event::new("auth.refresh_reuse").target("session", row.session_id)).await?;
            tx.commit().await?;
            return Err(Error::Unauthorized(ErrorCode::RefreshReused));
        }
        if row.status != "active" {
            sessions::revoke(&mut tx, row.tenant_id, row.session_id, None, "deactivated").await?;
            tx.commit().await?;
            return Err(Error::Unauthorized(ErrorCode::AccountDeactivated));
        }
        sessions::mark_refresh_used(&mut tx, row.tenant_id, &hash).await?;
        let next = random_token();
        sessions::insert_refresh(&mut tx, row.tenant_id, row.session_id, &token_hash(&next)).await?;
        sessions::touch(&mut tx, row.tenant_id, row.session_id).await?;
        tx.commit().await?;
        let caller = self.with_display_name(pool, caller).await?;
        let tokens = self.tokens_for(&caller, next, row.expires_at)?;
        Ok(Refreshed::Rotated(LoggedIn { caller, tokens }))
    }

    async fn with_display_name(&self, pool: &PgPool, mut caller: Caller) -> Result<Caller> {
        let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id)).await?;
        caller.display_name = users::get(&mut tx, caller.user_id).await?.map(|u| u.display_name).unwrap_or_default();
        tx.commit().await?;
        Ok(caller)
    }
}

fn truncate(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Ends the caller's session.
pub async fn logout(pool: &PgPool, caller: &Caller, meta: &RequestMeta) -> Result<()> {
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id)).await?;
    sessions::revoke(&mut tx, caller.tenant_id, caller.session_id, None, "logout").await?;
    audit::record(&mut tx, &Actor::of(caller, meta), Event::new("auth.logout").target("session", caller.session_id))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends the session a refresh token belongs to (REST logout, where no access token may be at hand).
pub async fn logout_refresh(pool: &PgPool, refresh_token: &str, meta: &RequestMeta) -> Result<()> {
    let hash = token_hash(refresh_token);
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let Some(row) = sessions::find_refresh_for_update(&mut tx, &hash).await? else {
        return Ok(());
    };
    if sessions::revoke(&mut tx, row.tenant_id, row.session_id, None, "logout").await? {
        let actor = Actor { tenant_id: row.tenant_id, user_id: Some(row.user_id), email: Some(&row.email), meta };
        audit::record(&mut tx, &actor, Event::new("auth.logout").target("session", row.session_id)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Self-registration of a workshop or a bodega: a new pending tenant with one pending user, until an admin approves.
pub async fn register(pool: &PgPool, input: &RegistrationInput, meta: &RequestMeta) -> Result<Uuid> {
    let reg = input.validate().map_err(Error::Validation)?;
    let hash = hash_password(reg.password.clone()).await?;
    let mut tx = db::begin(pool, Scope::Platform).await?;
    if users::exists_by_email(&mut tx, reg.email.as_str()).await? {
        return Err(Error::field("email", ErrorCode::EmailTaken));
    }
    let kind = match reg.role {
        Role::Workshop => "workshop",
        _ => "warehouse",
    };
    let tenant_id = tenants::insert(
        &mut tx,
        tenants::NewTenant {
            kind,
            name: &reg.business_name,
            status: "pending",
            phone: &reg.phone,
            address: &reg.address,
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
            status: "pending",
        },
    )
    .await?;
    let actor = Actor { tenant_id, user_id: Some(user_id), email: Some(reg.email.as_str()), meta };
    let event = Event::new("auth.register").target("user", user_id).after(json!({
        "email": reg.email.as_str(), "role": reg.role.as_str(), "business_name": reg.business_name,
    }));
    audit::record(&mut tx, &actor, event).await?;
    tx.commit().await?;
    Ok(user_id)
}

/// Changes the caller's password after checking the current one; every other session of the user ends.
pub async fn change_password(
    pool: &PgPool,
    caller: &Caller,
    current: &str,
    new: &str,
    meta: &RequestMeta,
) -> Result<()> {
    check_password(new).map_err(|c| Error::field("new_password", c))?;
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id)).await?;
    let hash = users::password_hash(&mut tx, caller.user_id).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    if !verify_password(current.to_owned(), hash).await? {
        return Err(Error::field("current_password", ErrorCode::InvalidCredentials));
    }
    let new_hash = hash_password(new.to_owned()).await?;
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id)).await?;
    users::set_password(&mut tx, caller.user_id, &new_hash).await?;
    let ended = sessions::revoke_all_for_user(
        &mut tx,
        caller.tenant_id,
        caller.user_id,
        "password_changed",
        Some(caller.session_id),
    )
    .await?;
    let event =
        Event::new("auth.password_changed").target("user", caller.user_id).after(json!({ "sessions_ended": ended }));
    audit::record(&mut tx, &Actor::of(caller, meta), event).await?;
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

pub async fn my_sessions(pool: &PgPool, caller: &Caller) -> Result<Vec<SessionInfo>> {
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id)).await?;
    let rows = sessions::list_live(&mut tx, caller.tenant_id, caller.user_id).await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| SessionInfo {
            id: r.id,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            ip: r.ip.map(|i| i.ip().to_string()),
            user_agent: r.user_agent,
            current: r.id == caller.session_id,
        })
        .collect())
}

/// Revokes one of the caller's own sessions.
pub async fn revoke_my_session(pool: &PgPool, caller: &Caller, session: Uuid, meta: &RequestMeta) -> Result<()> {
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id)).await?;
    if !sessions::revoke(&mut tx, caller.tenant_id, session, Some(caller.user_id), "user_revoked").await? {
        return Err(Error::NotFound);
    }
    audit::record(&mut tx, &Actor::of(caller, meta), Event::new("auth.session_revoked").target("session", session))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Current state of a user, for "me".
pub async fn me(pool: &PgPool, caller: &Caller) -> Result<users::UserRow> {
    let mut tx = db::begin(pool, Scope::Tenant(caller.tenant_id)).await?;
    let row = users::get(&mut tx, caller.user_id).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// Lower-cases and validates a login e-mail for flows that take one (demo seeding, admin tools).
pub fn parse_email(raw: &str) -> Result<Email> {
    Email::parse(raw).map_err(|c| Error::field("email", c))
}
