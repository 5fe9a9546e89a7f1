//! The shared rate limits' leases (`rate_limits`; platform data, no tenant).

use sqlx::PgPool;

/// Claims up to `want` of `key`'s `quota` for the minute `window`; returns how many were granted (0 once the quota is
/// all claimed). One statement: the row's old count is what `SET`'s right-hand side reads.
pub(in crate::identity) async fn claim(
    pool: &PgPool,
    key: &str,
    window: i64,
    want: i32,
    quota: i32,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into rate_limits as r (key, window_start, claimed, granted) values ($1, $2, least($3::int, $4::int), least($3::int, $4::int))
         on conflict (key, window_start) do update
         set claimed = least(r.claimed + $3::int, $4::int), granted = least(r.claimed + $3::int, $4::int) - r.claimed
         returning granted",
        key,
        window,
        want,
        quota
    )
    .fetch_one(pool)
    .await
}

/// Forgets the minutes before `window`.
pub(in crate::identity) async fn forget_before(pool: &PgPool, window: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!("delete from rate_limits where window_start < $1", window).execute(pool).await?.rows_affected())
}
