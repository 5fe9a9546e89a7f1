//! The inbox's SQL. Indexes: `notify_inbox_user_idx (tenant_id, user_id, id desc)` for a page of a person's inbox;
//! `notify_inbox_unread_idx` (partial, unread) for the count.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::Tx;
use crate::ids::{TenantId, UserId};

/// A notice of `kind` to each of `users` by the channel they chose for it (none chosen: `default`; `off`: none), and
/// a delivery of `hook` to each webhook of the organisation told of `kind`: one statement, one round trip, however
/// many are told. How many notices.
#[allow(clippy::too_many_arguments)]
pub(super) async fn send(
    tx: &mut Tx,
    tenant: TenantId,
    users: &[Uuid],
    kind: &str,
    params: &serde_json::Value,
    link: &str,
    hook: &serde_json::Value,
    default: &str,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "with hooks as (
             insert into notify_deliveries (tenant_id, webhook_id, kind, payload)
             select tenant_id, id, $3, $6 from notify_webhooks
             where tenant_id = $1 and (cardinality(kinds) = 0 or $3 = any(kinds)))
         insert into notify_inbox (tenant_id, user_id, kind, params, link, by_mail)
         select $1, r.u, $3, $4, $5, coalesce(p.channel, $7) = 'email'
         from unnest($2::uuid[]) as r(u)
         left join notify_preferences p on p.tenant_id = $1 and p.user_id = r.u and p.kind = $3
         where coalesce(p.channel, $7) <> 'off'",
        tenant.0,
        users,
        kind,
        params,
        link,
        hook,
        default
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

pub(super) struct NoticeRow {
    pub id: i64,
    pub params: serde_json::Value,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

pub(super) async fn inbox(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    unread_only: bool,
    before: Option<i64>,
    fetch: i64,
) -> Result<Vec<NoticeRow>, sqlx::Error> {
    sqlx::query_as!(
        NoticeRow,
        r#"select id, params, link, created_at, read_at is not null as "read!" from notify_inbox
           where tenant_id = $1 and user_id = $2 and (not $3 or read_at is null) and ($4::bigint is null or id < $4)
           order by id desc limit $5"#,
        tenant.0,
        user.0,
        unread_only,
        before,
        fetch
    )
    .fetch_all(&mut **tx)
    .await
}

pub(super) async fn unread(tx: &mut Tx, tenant: TenantId, user: UserId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from notify_inbox where tenant_id = $1 and user_id = $2 and read_at is null"#,
        tenant.0,
        user.0
    )
    .fetch_one(&mut **tx)
    .await
}

/// Marks read some of a person's notices (`ids`), or all of them (`None`): how many changed.
pub(super) async fn mark_read(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    ids: Option<&[i64]>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "update notify_inbox set read_at = now()
         where tenant_id = $1 and user_id = $2 and read_at is null and ($3::bigint[] is null or id = any($3))",
        tenant.0,
        user.0,
        ids
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

pub(super) async fn preferences(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select kind, channel from notify_preferences where tenant_id = $1 and user_id = $2",
        tenant.0,
        user.0
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.kind, r.channel)).collect())
}

pub(super) async fn set_preference(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    kind: &str,
    channel: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into notify_preferences (tenant_id, user_id, kind, channel) values ($1, $2, $3, $4)
         on conflict (tenant_id, user_id, kind) do update set channel = excluded.channel",
        tenant.0,
        user.0,
        kind,
        channel
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) struct SettingsRow {
    pub language: String,
    pub time_zone: String,
    pub digest: bool,
}

pub(super) async fn settings(tx: &mut Tx, tenant: TenantId, user: UserId) -> Result<Option<SettingsRow>, sqlx::Error> {
    sqlx::query_as!(
        SettingsRow,
        "select language, time_zone, digest from notify_settings where tenant_id = $1 and user_id = $2",
        tenant.0,
        user.0
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Records a person's language, zone and the origin they use; the digest choice when given (else kept; off at
/// first).
pub(super) async fn set_settings(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    language: &str,
    time_zone: &str,
    digest: Option<bool>,
    origin: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into notify_settings (tenant_id, user_id, language, time_zone, digest, origin)
         values ($1, $2, $3, $4, coalesce($5, false), $6)
         on conflict (tenant_id, user_id) do update set language = excluded.language, time_zone = excluded.time_zone,
             digest = coalesce($5, notify_settings.digest), origin = coalesce($6, notify_settings.origin)",
        tenant.0,
        user.0,
        language,
        time_zone,
        digest,
        origin
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A notice to mail, with its reader's address and settings.
pub(super) struct MailRow {
    pub tenant_id: Uuid,
    pub id: i64,
    pub params: serde_json::Value,
    pub link: String,
    pub email: String,
    pub language: String,
    pub origin: Option<String>,
}

/// The oldest notices still to mail (of the last two days, tried fewer than `attempts` times, to people still
/// active), locked so that no other round takes them. Platform scope. Index: `notify_inbox_mail_idx` (partial).
pub(super) async fn to_mail(tx: &mut Tx, attempts: i16, limit: i64) -> Result<Vec<MailRow>, sqlx::Error> {
    sqlx::query_as!(
        MailRow,
        r#"select n.tenant_id, n.id, n.params, n.link, u.email, coalesce(s.language, 'es') as "language!", s.origin
           from notify_inbox n
           join users u on u.tenant_id = n.tenant_id and u.id = n.user_id
           left join notify_settings s on s.tenant_id = n.tenant_id and s.user_id = n.user_id
           where n.by_mail and n.mailed_at is null and n.mail_attempts < $1
             and n.created_at > now() - interval '2 days' and u.status = 'active'
           order by n.created_at limit $2
           for update of n skip locked"#,
        attempts,
        limit
    )
    .fetch_all(&mut **tx)
    .await
}

/// Marks notices mailed (`sent`) and counts a failed attempt on others (`failed`).
pub(super) async fn mailed(tx: &mut Tx, sent: &[(Uuid, i64)], failed: &[(Uuid, i64)]) -> Result<(), sqlx::Error> {
    let (st, si): (Vec<Uuid>, Vec<i64>) = sent.iter().copied().unzip();
    let (ft, fi): (Vec<Uuid>, Vec<i64>) = failed.iter().copied().unzip();
    sqlx::query!(
        "update notify_inbox n set mailed_at = now() from unnest($1::uuid[], $2::bigint[]) as r(t, i)
         where n.tenant_id = r.t and n.id = r.i",
        &st,
        &si
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "update notify_inbox n set mail_attempts = mail_attempts + 1 from unnest($1::uuid[], $2::bigint[]) as r(t, i)
         where n.tenant_id = r.t and n.id = r.i",
        &ft,
        &fi
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A person whose digest is due.
pub(super) struct DueRow {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub language: String,
    pub time_zone: String,
    pub origin: Option<String>,
    pub digest_last_at: Option<DateTime<Utc>>,
}

/// The people whose digest is due at `now`: they want one, it is `hour` or later in their zone, and none was made on
/// their today yet. Locked for the round. Platform scope. Index: `notify_settings_digest_idx` (partial).
pub(super) async fn digests_due(
    tx: &mut Tx,
    now: DateTime<Utc>,
    hour: i32,
    limit: i64,
) -> Result<Vec<DueRow>, sqlx::Error> {
    sqlx::query_as!(
        DueRow,
        "select s.tenant_id, s.user_id, u.email, u.display_name, s.language, s.time_zone, s.origin, s.digest_last_at
         from notify_settings s
         join users u on u.tenant_id = s.tenant_id and u.id = s.user_id
         where s.digest and u.status = 'active'
           and extract(hour from $1 at time zone s.time_zone)::int >= $2
           and (s.digest_last_at is null
                or (s.digest_last_at at time zone s.time_zone)::date < ($1 at time zone s.time_zone)::date)
         order by s.tenant_id, s.user_id limit $3
         for update of s skip locked",
        now,
        hour,
        limit
    )
    .fetch_all(&mut **tx)
    .await
}

/// A notice of a digest: one of the newest unread since `since`, with how many such there are.
pub(super) struct DigestRow {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub params: serde_json::Value,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub unread: i64,
}

/// For each person (`tenants`, `users`, `since`: one per person), their newest `lines` unread notices that came
/// after `since`, each with the count of all such. One statement. Index: `notify_inbox_user_idx`.
pub(super) async fn digest_lines(
    tx: &mut Tx,
    tenants: &[Uuid],
    users: &[Uuid],
    since: &[DateTime<Utc>],
    lines: i64,
) -> Result<Vec<DigestRow>, sqlx::Error> {
    sqlx::query_as!(
        DigestRow,
        r#"select r.t as "tenant_id!", r.u as "user_id!", n.params, n.link, n.created_at, c.n as "unread!"
           from unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) as r(t, u, since)
           cross join lateral (select count(*) as n from notify_inbox
                               where tenant_id = r.t and user_id = r.u and read_at is null and created_at > r.since) c
           cross join lateral (select params, link, created_at from notify_inbox
                               where tenant_id = r.t and user_id = r.u and read_at is null and created_at > r.since
                               order by id desc limit $4) n
           order by r.t, r.u, n.created_at desc"#,
        tenants,
        users,
        since,
        lines
    )
    .fetch_all(&mut **tx)
    .await
}

/// Records that the digests of these people were made at `at`.
pub(super) async fn digested(
    tx: &mut Tx,
    tenants: &[Uuid],
    users: &[Uuid],
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update notify_settings s set digest_last_at = $3 from unnest($1::uuid[], $2::uuid[]) as r(t, u)
         where s.tenant_id = r.t and s.user_id = r.u",
        tenants,
        users,
        at
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

// Webhooks. Indexes: `notify_webhooks` primary key (tenant_id, id) for an organisation's list and its matching
// webhooks; `notify_deliveries_webhook_idx (tenant_id, webhook_id, id desc)` for a log page and a webhook's newest;
// `notify_deliveries_due_idx (next_at) where pending` for the delivery job.

pub(super) struct WebhookRow {
    pub id: i64,
    pub url: String,
    pub kinds: Vec<String>,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub last: Option<String>,
}

pub(super) async fn insert_webhook(
    tx: &mut Tx,
    tenant: TenantId,
    url: &str,
    secret: &str,
    kinds: &[String],
    description: &str,
    by: UserId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into notify_webhooks (tenant_id, url, secret, kinds, description, created_by)
         values ($1, $2, $3, $4, $5, $6) returning id",
        tenant.0,
        url,
        secret,
        kinds,
        description,
        by.0
    )
    .fetch_one(&mut **tx)
    .await
}

/// The organisation's webhooks (or one of them), oldest first, each with how its newest delivery stands.
pub(super) async fn webhooks(tx: &mut Tx, tenant: TenantId, one: Option<i64>) -> Result<Vec<WebhookRow>, sqlx::Error> {
    sqlx::query_as!(
        WebhookRow,
        r#"select w.id, w.url, w.kinds, w.description, w.created_at,
                  (select d.state from notify_deliveries d where d.tenant_id = w.tenant_id and d.webhook_id = w.id
                   order by d.id desc limit 1) as last
           from notify_webhooks w where w.tenant_id = $1 and ($2::bigint is null or w.id = $2) order by w.id"#,
        tenant.0,
        one
    )
    .fetch_all(&mut **tx)
    .await
}

pub(super) async fn delete_webhook(tx: &mut Tx, tenant: TenantId, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("delete from notify_webhooks where tenant_id = $1 and id = $2 returning url", tenant.0, id)
        .fetch_optional(&mut **tx)
        .await
}

pub(super) async fn set_secret(tx: &mut Tx, tenant: TenantId, id: i64, secret: &str) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query!("update notify_webhooks set secret = $3 where tenant_id = $1 and id = $2", tenant.0, id, secret)
            .execute(&mut **tx)
            .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) struct DeliveryRow {
    pub id: i64,
    pub event: Uuid,
    pub kind: String,
    pub state: String,
    pub attempts: i16,
    pub created_at: DateTime<Utc>,
    pub next_at: DateTime<Utc>,
    pub last_at: Option<DateTime<Utc>>,
    pub last_status: Option<i16>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// One delivery to one webhook (a test's): the row, or none when the webhook is not the organisation's.
pub(super) async fn enqueue_to(
    tx: &mut Tx,
    tenant: TenantId,
    webhook: i64,
    kind: &str,
    payload: &serde_json::Value,
) -> Result<Option<DeliveryRow>, sqlx::Error> {
    sqlx::query_as!(
        DeliveryRow,
        "insert into notify_deliveries (tenant_id, webhook_id, kind, payload)
         select tenant_id, id, $3, $4 from notify_webhooks where tenant_id = $1 and id = $2
         returning id, event, kind, state, attempts, created_at, next_at, last_at, last_status, last_error, delivered_at",
        tenant.0,
        webhook,
        kind,
        payload
    )
    .fetch_optional(&mut **tx)
    .await
}

/// A page of a webhook's deliveries, newest first.
pub(super) async fn deliveries(
    tx: &mut Tx,
    tenant: TenantId,
    webhook: i64,
    before: Option<i64>,
    fetch: i64,
) -> Result<Vec<DeliveryRow>, sqlx::Error> {
    sqlx::query_as!(
        DeliveryRow,
        "select id, event, kind, state, attempts, created_at, next_at, last_at, last_status, last_error, delivered_at
         from notify_deliveries where tenant_id = $1 and webhook_id = $2 and ($3::bigint is null or id < $3)
         order by id desc limit $4",
        tenant.0,
        webhook,
        before,
        fetch
    )
    .fetch_all(&mut **tx)
    .await
}

/// Sends a delivery again now, with a fresh count of attempts (a failed one, or a pending one brought forward).
pub(super) async fn retry(tx: &mut Tx, tenant: TenantId, id: i64) -> Result<Option<DeliveryRow>, sqlx::Error> {
    sqlx::query_as!(
        DeliveryRow,
        "update notify_deliveries set state = 'pending', attempts = 0, next_at = now()
         where tenant_id = $1 and id = $2 and state <> 'delivered'
         returning id, event, kind, state, attempts, created_at, next_at, last_at, last_status, last_error, delivered_at",
        tenant.0,
        id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Whether a delivery of the organisation exists (to tell 404 from 409 on a retry).
pub(super) async fn delivery_exists(tx: &mut Tx, tenant: TenantId, id: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from notify_deliveries where tenant_id = $1 and id = $2) as "e!""#,
        tenant.0,
        id
    )
    .fetch_one(&mut **tx)
    .await
}

/// A delivery due now, with where it goes.
#[derive(Clone)]
pub(super) struct DueDelivery {
    pub tenant_id: Uuid,
    pub id: i64,
    pub event: Uuid,
    pub kind: String,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub attempts: i16,
    pub url: String,
    pub secret: String,
}

/// The deliveries due, a person's test (`ping`) first, then oldest first (a test waits for no backlog of deliveries to
/// receivers that do not answer: someone is looking at its row), claimed for the round: each is leased (its `next_at` moved `lease_secs` ahead, so
/// no other round takes it meanwhile, and a round that dies leaves it to be tried again after the lease), and the
/// claim commits before anything is sent: no row stays locked while a receiver is called (a webhook deleted meanwhile
/// once waited for a whole round of unanswered calls). Platform scope.
pub(super) async fn claim(tx: &mut Tx, limit: i64, lease_secs: f64) -> Result<Vec<DueDelivery>, sqlx::Error> {
    sqlx::query_as!(
        DueDelivery,
        r#"with c as (select d.tenant_id, d.id from notify_deliveries d
                      where d.state = 'pending' and d.next_at <= now()
                      order by d.kind = 'ping' desc, d.next_at limit $1
                      for update of d skip locked),
                u as (update notify_deliveries d set next_at = now() + make_interval(secs => $2)
                      from c where d.tenant_id = c.tenant_id and d.id = c.id
                      returning d.tenant_id, d.id, d.webhook_id, d.event, d.kind, d.payload, d.created_at, d.attempts)
           select u.tenant_id as "tenant_id!", u.id as "id!", u.event as "event!", u.kind as "kind!",
                  u.payload as "payload!", u.created_at as "created_at!", u.attempts as "attempts!", w.url, w.secret
           from u join notify_webhooks w on w.tenant_id = u.tenant_id and w.id = u.webhook_id
           order by u.created_at"#,
        limit,
        lease_secs
    )
    .fetch_all(&mut **tx)
    .await
}

/// How each attempt went (one statement): the arrays run side by side, one element per delivery.
pub(super) struct Attempts {
    pub tenants: Vec<Uuid>,
    pub ids: Vec<i64>,
    pub states: Vec<String>,
    pub next_at: Vec<DateTime<Utc>>,
    pub statuses: Vec<Option<i16>>,
    pub errors: Vec<Option<String>>,
}

pub(super) async fn record_attempts(tx: &mut Tx, a: &Attempts) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update notify_deliveries d set state = r.state, attempts = d.attempts + 1, next_at = r.next_at,
                last_at = now(), last_status = r.status, last_error = r.error,
                delivered_at = case when r.state = 'delivered' then now() end
         from unnest($1::uuid[], $2::bigint[], $3::text[], $4::timestamptz[], $5::int2[], $6::text[])
              as r(t, i, state, next_at, status, error)
         where d.tenant_id = r.t and d.id = r.i",
        &a.tenants,
        &a.ids,
        &a.states,
        &a.next_at,
        &a.statuses as &[Option<i16>],
        &a.errors as &[Option<String>]
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
