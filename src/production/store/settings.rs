//! The plant's configuration writes: lines, products and reasons (insert or update by id), a role's dashboard, the
//! lines an operator works on; and the widget catalog's parameter schemas the service checks dashboards against.
//! Unique codes are the tables' own constraints (`…_tenant_id_code_key`, answered as a taken code).

use uuid::Uuid;

use crate::db::Tx;
use crate::production::rules::settings::LineChecked;

/// Writes a line (new when `id` is none); its id, or none when `id` names no line of the plant.
pub(in crate::production) async fn save_line(
    tx: &mut Tx,
    tenant: Uuid,
    l: &LineChecked,
) -> Result<Option<i32>, sqlx::Error> {
    let target = l.target;
    match l.id {
        None => {
            let id = sqlx::query_scalar!(
                "insert into production_lines (tenant_id, code, name, downtime_threshold_ms, micro_stop_ms, oee_target, active)
                 values ($1, $2, $3, $4, $5, $6::float8::numeric(5, 4), $7) returning id",
                tenant,
                l.code,
                l.name,
                l.downtime_threshold_ms,
                l.micro_stop_ms,
                target,
                l.active
            )
            .fetch_one(&mut **tx)
            .await?;
            // A new line counts its units at an output area (the other areas are the machines' to name).
            sqlx::query!(
                "insert into production_areas (tenant_id, line_id, kind, code, name)
                 values ($1, $2, 'input', 'ENT', 'Entrada'), ($1, $2, 'process', 'PRO', 'Proceso'),
                        ($1, $2, 'inspection', 'INS', 'Inspección'), ($1, $2, 'output', 'SAL', 'Salida')",
                tenant,
                id
            )
            .execute(&mut **tx)
            .await?;
            Ok(Some(id))
        }
        Some(id) => {
            sqlx::query_scalar!(
                "update production_lines set code = $2, name = $3, downtime_threshold_ms = $4, micro_stop_ms = $5,
                    oee_target = $6::float8::numeric(5, 4), active = $7
             where id = $1 returning id",
                id,
                l.code,
                l.name,
                l.downtime_threshold_ms,
                l.micro_stop_ms,
                target,
                l.active
            )
            .fetch_optional(&mut **tx)
            .await
        }
    }
}

pub(in crate::production) async fn save_product(
    tx: &mut Tx,
    tenant: Uuid,
    id: Option<i32>,
    (code, name, cycle): (&str, &str, i32),
    active: bool,
) -> Result<Option<i32>, sqlx::Error> {
    match id {
        None => sqlx::query_scalar!(
            "insert into production_products (tenant_id, code, name, ideal_cycle_ms, active) values ($1, $2, $3, $4, $5)
             returning id",
            tenant,
            code,
            name,
            cycle,
            active
        )
        .fetch_one(&mut **tx)
        .await
        .map(Some),
        Some(id) => sqlx::query_scalar!(
            "update production_products set code = $2, name = $3, ideal_cycle_ms = $4, active = $5 where id = $1 returning id",
            id,
            code,
            name,
            cycle,
            active
        )
        .fetch_optional(&mut **tx)
        .await,
    }
}

pub(in crate::production) async fn save_reason(
    tx: &mut Tx,
    tenant: Uuid,
    id: Option<i32>,
    (code, name, colour): (&str, &str, &str),
    planned: bool,
    active: bool,
) -> Result<Option<i32>, sqlx::Error> {
    match id {
        None => sqlx::query_scalar!(
            "insert into production_reasons (tenant_id, code, name, planned, colour, active) values ($1, $2, $3, $4, $5, $6)
             returning id",
            tenant,
            code,
            name,
            planned,
            colour,
            active
        )
        .fetch_one(&mut **tx)
        .await
        .map(Some),
        Some(id) => sqlx::query_scalar!(
            "update production_reasons set code = $2, name = $3, planned = $4, colour = $5, active = $6 where id = $1
             returning id",
            id,
            code,
            name,
            planned,
            colour,
            active
        )
        .fetch_optional(&mut **tx)
        .await,
    }
}

/// Each widget kind's parameter schema (the platform's catalog).
pub(in crate::production) async fn widget_schemas(
    tx: &mut Tx,
) -> Result<Vec<(String, serde_json::Value)>, sqlx::Error> {
    Ok(sqlx::query!("select kind, param_schema from production_widgets order by kind")
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|r| (r.kind, r.param_schema))
        .collect())
}

pub(in crate::production) async fn save_dashboard(
    tx: &mut Tx,
    tenant: Uuid,
    role: &str,
    widgets: &serde_json::Value,
    by: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into production_dashboards (tenant_id, role, widgets, updated_by) values ($1, $2, $3, $4)
         on conflict (tenant_id, role) do update set widgets = excluded.widgets, updated_by = excluded.updated_by,
                                                     updated_at = now()",
        tenant,
        role,
        widgets,
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The plant's operators: id, name, e-mail, the lines they work on.
pub(in crate::production) async fn operators(
    tx: &mut Tx,
) -> Result<Vec<(Uuid, String, String, Vec<i32>)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"select u.id, u.display_name, u.email,
                  coalesce(array_agg(o.line_id order by o.line_id) filter (where o.line_id is not null), '{}') as "lines!"
           from users u left join production_line_operators o on o.tenant_id = u.tenant_id and o.user_id = u.id
           where u.role = 'operator' and u.status = 'active'
           group by u.id, u.display_name, u.email order by u.display_name"#
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.display_name, r.email, r.lines))
    .collect())
}

/// Sets the lines an operator works on; false when `user` is no operator of the plant.
pub(in crate::production) async fn set_operator_lines(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    lines: &[i32],
) -> Result<bool, sqlx::Error> {
    let is_operator =
        sqlx::query_scalar!("select exists (select 1 from users where id = $1 and role = 'operator') as \"e!\"", user)
            .fetch_one(&mut **tx)
            .await?;
    if !is_operator {
        return Ok(false);
    }
    sqlx::query!("delete from production_line_operators where user_id = $1", user).execute(&mut **tx).await?;
    sqlx::query!(
        "insert into production_line_operators (tenant_id, user_id, line_id)
         select $1, $2, l.id from production_lines l where l.id = any($3)",
        tenant,
        user,
        lines
    )
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

pub(in crate::production) struct LineFull {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub downtime_threshold_ms: i32,
    pub micro_stop_ms: i32,
    pub target: f64,
    pub active: bool,
}

/// Every line, the retired ones too.
pub(in crate::production) async fn lines(tx: &mut Tx) -> Result<Vec<LineFull>, sqlx::Error> {
    sqlx::query_as!(
        LineFull,
        r#"select id, code, name, downtime_threshold_ms, micro_stop_ms, oee_target::float8 as "target!", active
           from production_lines order by code"#
    )
    .fetch_all(&mut **tx)
    .await
}

/// Every product: id, code, name, ideal cycle (ms), active.
pub(in crate::production) async fn products(tx: &mut Tx) -> Result<Vec<(i32, String, String, i32, bool)>, sqlx::Error> {
    Ok(sqlx::query!("select id, code, name, ideal_cycle_ms, active from production_products order by code")
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|r| (r.id, r.code, r.name, r.ideal_cycle_ms, r.active))
        .collect())
}

/// Each role's dashboard as stored.
pub(in crate::production) async fn dashboards(tx: &mut Tx) -> Result<Vec<(String, serde_json::Value)>, sqlx::Error> {
    Ok(sqlx::query!("select role, widgets from production_dashboards order by role")
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|r| (r.role, r.widgets))
        .collect())
}

/// The widget catalog: kind, Spanish and English names.
pub(in crate::production) async fn widget_names(tx: &mut Tx) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    Ok(sqlx::query!("select kind, name_es, name_en from production_widgets order by kind")
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|r| (r.kind, r.name_es, r.name_en))
        .collect())
}
