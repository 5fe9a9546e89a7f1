//! Shift reports' sign-offs: one row per line, shift and day (its primary key), read with the signer's name.

use chrono::{DateTime, Utc};

use crate::db::Tx;
use crate::ids::{TenantId, UserId};
use crate::production::rules::dashboard::ReportKey;

pub(in crate::production) struct Signed {
    pub by: String,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
    pub figures: serde_json::Value,
}

/// The report's sign-off, if it has one.
pub(in crate::production) async fn signoff(tx: &mut Tx, key: &ReportKey) -> Result<Option<Signed>, sqlx::Error> {
    sqlx::query_as!(
        Signed,
        r#"select coalesce(u.display_name, u.email) as "by!", s.signed_at as at, s.note, s.figures
           from production_shift_signoffs s
           left join users u on u.tenant_id = s.tenant_id and u.id = s.signed_by
           where s.line_id = $1 and s.shift_id = $2 and s.day = $3"#,
        key.line.0,
        key.shift.0,
        key.day
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Signs the report off (again: the last signature stands, each one is in the audit log).
pub(in crate::production) async fn sign(
    tx: &mut Tx,
    tenant: TenantId,
    key: &ReportKey,
    by: UserId,
    note: Option<&str>,
    figures: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into production_shift_signoffs (tenant_id, line_id, shift_id, day, signed_by, note, figures)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (tenant_id, line_id, shift_id, day)
         do update set signed_by = excluded.signed_by, signed_at = now(), note = excluded.note, figures = excluded.figures",
        tenant.0,
        key.line.0,
        key.shift.0,
        key.day,
        by.0,
        note,
        figures
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
