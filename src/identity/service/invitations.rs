//! Invitations: an owner invites people into their organisation (the platform admin, creating an organisation,
//! invites its first owner: `users::create_tenant`); the invitee opens the one-time link and sets their own name and
//! password, and their account is active at once. The link goes out by e-mail when a mail server is configured
//! ([`crate::mail`]); otherwise (or when the server does not take it) the inviter is given the link to pass on.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;

use super::auth::{hash_password, random_token, token_hash};
use crate::audit::{self, Actor, Event};
use crate::caller::{RequestMeta, User};
use crate::codes::ErrorCode;
use crate::db::{self, Scope, Tx};
use crate::error::{Error, Result};
use crate::identity::rules::auth::{Permission, Role};
use crate::identity::rules::invitation::{
    AcceptInput, INVITATION_TTL, InvitationInput, InvitationProblem, InvitationStatus, Language, NewInvitation,
    TOKEN_MAX_CHARS, invitation_mail,
};
use crate::identity::rules::tenant::{TenantKind, TenantStatus, UserStatus};
use crate::identity::store::{invitations as store, tenants, users};
use crate::ids::{InvitationId, TenantId, UserId};
use crate::mail::{Mail, Mailer};
use crate::paging::{self, At, Limit, Page};

/// Invitations per page of the owner's list.
pub const PAGE: Limit = Limit::fixed(50);

/// How a link and its e-mail are written: the site's address as people reach it, the mail's language, and the
/// role's name in that language (the UI's vocabulary, which the edge holds).
#[derive(Clone, Copy)]
pub struct Outgoing<'a> {
    /// `https://nexus.example.com`, no trailing slash.
    pub origin: &'a str,
    pub lang: Language,
    pub role_name: fn(Language, Role) -> &'static str,
}

impl Outgoing<'_> {
    /// The page an invitation's token opens.
    pub fn link(&self, token: &str) -> String {
        format!("{}/invitation/{token}", self.origin.trim_end_matches('/'))
    }
}

/// An invitation just made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invited {
    pub id: InvitationId,
    pub email: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    /// Whether the link went out by e-mail.
    pub mailed: bool,
    /// The link, when it did not go out by e-mail: the inviter passes it on. Shown this once; only its hash is kept.
    pub link: Option<String>,
}

/// An invitation as the owner's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationSummary {
    pub id: InvitationId,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub status: InvitationStatus,
    pub mailed: bool,
}

/// What the link's page shows before the invitee accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationView {
    pub organisation: String,
    pub kind: TenantKind,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    pub expires_at: DateTime<Utc>,
}

/// Invites `input.email` into the caller's organisation as `input.role` (a role its kind allows; `admin` only from
/// the platform). An open invitation of the same address is replaced (its link stops working). An address that
/// already has an account anywhere is refused (409 `email_taken`): one account per address on the platform.
pub async fn invite(
    pool: &PgPool,
    mailer: &Mailer,
    user: &User,
    input: &InvitationInput,
    out: Outgoing<'_>,
    meta: &RequestMeta,
) -> Result<Invited> {
    user.require(Permission::UsersManage)?;
    let new = input.validate().map_err(Error::Validation)?;
    if !user.tenant_kind.allows(new.role) {
        return Err(Error::field("role", ErrorCode::RoleNotAllowed));
    }
    let actor = Actor::of(user, meta);
    let (tenant, made) = create(pool, user.tenant_id, &new, user, &actor).await?;
    deliver(pool, mailer, &tenant, user, made, out).await
}

/// What [`create`] made: the row's id and its token (to be mailed or shown, never stored).
pub(super) struct Made {
    tenant: TenantId,
    id: InvitationId,
    token: String,
    email: String,
    role: Role,
    expires_at: DateTime<Utc>,
}

/// Writes the invitation in `tenant` (revoking an open one of the same address) and its audit entry, in the tenant's
/// scope, after checking the address has no account on the platform. Returns the organisation's name and the
/// invitation.
pub(super) async fn create(
    pool: &PgPool,
    tenant: TenantId,
    new: &NewInvitation,
    inviter: &User,
    actor: &Actor<'_>,
) -> Result<(String, Made)> {
    email_is_free(pool, new.email.as_str()).await?;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let made = insert(&mut tx, tenant, new, inviter, actor).await?;
    let name = tenants::get(&mut tx, tenant).await?.ok_or(Error::NotFound)?.name;
    tx.commit().await?;
    Ok((name, made))
}

/// The invitation's row and audit entry in an open transaction of `tenant` (the platform's creation of an
/// organisation writes it in the same transaction as the organisation).
pub(super) async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    new: &NewInvitation,
    inviter: &User,
    actor: &Actor<'_>,
) -> Result<Made> {
    let replaced = store::revoke_open_for(tx, tenant, new.email.as_str()).await?;
    let token = random_token();
    let expires_at = Utc::now() + INVITATION_TTL;
    let id = store::insert(
        tx,
        store::NewInvitation {
            tenant_id: tenant,
            email: new.email.as_str(),
            role: new.role.as_str(),
            token_hash: &token_hash(&token),
            invited_by: inviter.user_id,
            invited_by_name: &inviter.display_name,
            expires_at,
            department: new.department,
        },
    )
    .await?;
    let event = Event::new("invitation.created")
        .target("invitation", id)
        .after(json!({ "email": new.email.as_str(), "role": new.role, "department": new.department,
                       "replaced_open_invitation": replaced }));
    audit::record(tx, &actor.in_tenant(tenant), event).await?;
    Ok(Made { tenant, id: InvitationId(id), token, email: new.email.as_str().to_owned(), role: new.role, expires_at })
}

/// Mails the link when a mailer is on, and records that it went out; otherwise (or when the mail server fails) the
/// link comes back for the inviter to pass on. The invitation stands either way.
pub(super) async fn deliver(
    pool: &PgPool,
    mailer: &Mailer,
    organisation: &str,
    inviter: &User,
    made: Made,
    out: Outgoing<'_>,
) -> Result<Invited> {
    let link = out.link(&made.token);
    let role = (out.role_name)(out.lang, made.role);
    let (subject, text) = invitation_mail(out.lang, organisation, &inviter.display_name, role, &link, made.expires_at);
    let mailed = match mailer.send(Mail { to: &made.email, subject: &subject, text: &text }).await {
        Ok(sent) => sent,
        Err(e) => {
            tracing::warn!(error = %e, invitation = %made.id, "invitation e-mail not sent; the link is shown instead");
            false
        }
    };
    if mailed {
        let mut tx = db::begin(pool, Scope::Tenant(made.tenant)).await?;
        store::set_mailed(&mut tx, made.tenant, made.id.0).await?;
        tx.commit().await?;
    }
    Ok(Invited {
        id: made.id,
        email: made.email,
        role: made.role,
        expires_at: made.expires_at,
        mailed,
        link: (!mailed).then_some(link),
    })
}

/// One account per address on the platform: an address already in use anywhere is `email_taken` (409), as at
/// registration. Read in the platform's scope (an owner cannot see other organisations' accounts).
async fn email_is_free(pool: &PgPool, email: &str) -> Result<()> {
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let taken = users::exists_by_email(&mut tx, email).await?;
    tx.commit().await?;
    if taken { Err(Error::field("email", ErrorCode::EmailTaken)) } else { Ok(()) }
}

/// The caller's organisation's invitations, newest first, with where each stands now.
pub async fn list(pool: &PgPool, user: &User, after: Option<&str>) -> Result<Page<InvitationSummary>> {
    user.require(Permission::UsersManage)?;
    let after = paging::after::<At<InvitationId>>(after, ())?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let rows = store::list(&mut tx, user.tenant_id, after.map(|a| (a.at, a.id.0)), PAGE.fetch()).await?;
    tx.commit().await?;
    let now = Utc::now();
    Page::cut(rows, PAGE, |r| At::new(r.created_at, InvitationId(r.id))).try_map(|r| {
        Ok(InvitationSummary {
            id: InvitationId(r.id),
            role: Role::decode(&r.role)?,
            status: InvitationStatus::at(r.accepted_at, r.revoked_at, r.expires_at, now),
            email: r.email,
            invited_by: r.invited_by_name,
            created_at: r.created_at,
            expires_at: r.expires_at,
            mailed: r.mailed,
        })
    })
}

/// Revokes an open invitation of the caller's organisation: its link stops working at once. One that is already
/// accepted or revoked, or another organisation's, is 404.
pub async fn revoke(pool: &PgPool, user: &User, id: InvitationId, meta: &RequestMeta) -> Result<()> {
    user.require(Permission::UsersManage)?;
    let mut tx = db::begin(pool, Scope::Tenant(user.tenant_id)).await?;
    let (email, role) = store::revoke(&mut tx, user.tenant_id, id.0).await?.ok_or(Error::NotFound)?;
    let event =
        Event::new("invitation.revoked").target("invitation", id).before(json!({ "email": email, "role": role }));
    audit::record(&mut tx, &Actor::of(user, meta), event).await?;
    tx.commit().await?;
    Ok(())
}

/// What a link's page shows: the organisation, the address and role invited, until when. A link that cannot be used
/// says why ([`InvitationProblem`]).
pub async fn view(pool: &PgPool, token: &str) -> Result<InvitationView> {
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let row = usable(&mut tx, token).await?;
    tx.commit().await?;
    Ok(InvitationView {
        organisation: row.tenant_name,
        kind: TenantKind::decode(&row.tenant_kind)?,
        role: Role::decode(&row.role)?,
        email: row.email,
        invited_by: row.invited_by_name,
        expires_at: row.expires_at,
    })
}

/// The invitation a token names, locked, if it can be used now; else why not.
async fn usable(tx: &mut Tx, token: &str) -> Result<store::InvitationRow> {
    if token.is_empty() || token.chars().count() > TOKEN_MAX_CHARS {
        return Err(Error::rejected(InvitationProblem::Unknown));
    }
    let row = store::by_token_for_update(tx, &token_hash(token)).await?;
    let row = row.ok_or_else(|| Error::rejected(InvitationProblem::Unknown))?;
    let status = InvitationStatus::at(row.accepted_at, row.revoked_at, row.expires_at, Utc::now());
    // A suspended organisation takes no one in: its link reads as revoked until the platform lets it back.
    let suspended = TenantStatus::decode(&row.tenant_status)? == TenantStatus::Suspended;
    match status.problem() {
        Some(problem) => Err(Error::rejected(problem)),
        None if suspended => Err(Error::rejected(InvitationProblem::Revoked)),
        None => Ok(row),
    }
}

/// Accepts an invitation: the invitee's account, active, in the role invited, with the name and password they chose;
/// the link is spent. Returns the address to sign in with. Two tabs accepting one link: the second waits on the
/// first's lock and then finds it used (410).
pub async fn accept(pool: &PgPool, input: &AcceptInput, meta: &RequestMeta) -> Result<(UserId, String)> {
    let name = input.validate().map_err(Error::Validation)?;
    if super::passwords::is_common(&input.password) {
        return Err(Error::field("password", ErrorCode::PasswordTooCommon));
    }
    let hash = hash_password(input.password.clone()).await?;
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let row = usable(&mut tx, &input.token).await?;
    let tenant = TenantId(row.tenant_id);
    let user_id = users::insert(
        &mut tx,
        users::NewUser {
            tenant_id: tenant,
            email: &row.email,
            username: None,
            display_name: &name,
            password_hash: &hash,
            role: &row.role,
            status: UserStatus::Active.as_str(),
        },
    )
    .await?;
    store::mark_accepted(&mut tx, tenant, row.id, user_id).await?;
    // An organisation the platform created is active already; one that registered and was approved too. A pending
    // one (its registrant not yet approved) stays pending: accepting does not approve it.
    let actor = Actor { tenant_id: tenant, user_id: Some(user_id), email: Some(&row.email), meta };
    let event = Event::new("invitation.accepted")
        .target("invitation", row.id)
        .after(json!({ "user": user_id, "email": row.email, "role": row.role }));
    audit::record(&mut tx, &actor, event).await?;
    tx.commit().await?;
    Ok((user_id, row.email))
}
