//! The plant's configuration writes: lines, products and reasons (insert or update by id), a role's dashboard, the
//! lines an operator works on; and the widget catalog's parameter schemas the service checks dashboards against.
//! Unique codes are the tables' own constraints (`…_tenant_id_code_key`, answered as a taken code).

use crate::db::Tx;
use chrono::NaiveTime;

use crate::ids::AreaId;
use crate::ids::{LineId, PlannedStopId, ProductId, ReasonId, ShiftId, TenantId, UserId};
use crate::production::rules::kinds::AreaKind;
use crate::production::rules::settings::{
    AreaSetting, CheckedReason, LineChecked, NEW_LINE_AREAS, QueryLogEntry, ShiftChecked, ShiftSetting, StopSetting,
};

/// Sets the plant's time zone (the plant's row is made on its first setting). Returns the zone it had.
pub(in crate::production) async fn save_plant(
    tx: &mut Tx,
    tenant: TenantId,
    time_zone: &str,
) -> Result<Option<String>, sqlx::Error> {
    let before =
        sqlx::query_scalar!("select time_zone from production_plants where tenant_id = $1 for update", tenant.0)
            .fetch_optional(&mut **tx)
            .await?;
    sqlx::query!(
        "insert into production_plants (tenant_id, time_zone) values ($1, $2)
         on conflict (tenant_id) do update set time_zone = excluded.time_zone",
        tenant.0,
        time_zone
    )
    .execute(&mut **tx)
    .await?;
    Ok(before)
}

/// Writes a line (new when `id` is none); its id, or none when `id` names no line of the plant.
pub(in crate::production) async fn save_line(
    tx: &mut Tx,
    tenant: TenantId,
    l: &LineChecked,
) -> Result<Option<LineId>, sqlx::Error> {
    let target = l.target;
    match l.id {
        None => {
            let id = sqlx::query_scalar!(
                r#"insert into production_lines (tenant_id, code, name, downtime_threshold_ms, micro_stop_ms, oee_target, active,
                                                counting)
                 values ($1, $2, $3, $4, $5, $6::float8::numeric(5, 4), $7, $8) returning id as "id: LineId""#,
                tenant.0,
                l.code,
                l.name,
                l.downtime_threshold_ms,
                l.micro_stop_ms,
                target,
                l.active,
                l.counting.as_str()
            )
            .fetch_one(&mut **tx)
            .await?;
            // A new line counts its units at an output area; the others are there to be renamed or used.
            let kinds: Vec<&str> = NEW_LINE_AREAS.iter().map(|a| a.0.as_str()).collect();
            let codes: Vec<&str> = NEW_LINE_AREAS.iter().map(|a| a.1).collect();
            let names: Vec<&str> = NEW_LINE_AREAS.iter().map(|a| a.2).collect();
            sqlx::query!(
                "insert into production_areas (tenant_id, line_id, kind, code, name)
                 select $1, $2, k, c, n from unnest($3::text[], $4::text[], $5::text[]) as a(k, c, n)",
                tenant.0,
                id.0,
                &kinds as &[&str],
                &codes as &[&str],
                &names as &[&str]
            )
            .execute(&mut **tx)
            .await?;
            Ok(Some(id))
        }
        Some(id) => {
            sqlx::query_scalar!(
                r#"update production_lines set code = $2, name = $3, downtime_threshold_ms = $4, micro_stop_ms = $5,
                    oee_target = $6::float8::numeric(5, 4), active = $7, counting = $9
             where id = $1 and tenant_id = $8 returning id as "id: LineId""#,
                id.0,
                l.code,
                l.name,
                l.downtime_threshold_ms,
                l.micro_stop_ms,
                target,
                l.active,
                tenant.0,
                l.counting.as_str()
            )
            .fetch_optional(&mut **tx)
            .await
        }
    }
}

/// Ends a line's open stop now (a line that has come to be counted by people: the downtime job no longer ends it).
pub(in crate::production) async fn end_open_stop(
    tx: &mut Tx,
    tenant: TenantId,
    line: LineId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update production_downtime set end_at = greatest(now(), start_at + interval '1 millisecond')
         where tenant_id = $1 and line_id = $2 and end_at is null",
        tenant.0,
        line.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What saving an area came to.
pub(in crate::production) enum AreaSaved {
    Saved(AreaId),
    /// No area (or line) of the plant has that id.
    NotFound,
    /// The line has its output already (a line has one).
    SecondOutput,
    /// The line's output would be left without one.
    NoOutput,
}

/// Writes an area (new when `id` is none), keeping one output per line. A code the line uses already is the unique
/// key's conflict (`production_areas_tenant_id_line_id_code_key`).
pub(in crate::production) async fn save_area(
    tx: &mut Tx,
    tenant: TenantId,
    id: Option<AreaId>,
    line: LineId,
    (code, name, kind): (&str, &str, AreaKind),
) -> Result<AreaSaved, sqlx::Error> {
    // The line's areas, locked: two saves of the same line's areas never both pass the one-output rule.
    let areas = sqlx::query!(
        "select a.id, a.kind from production_areas a
         join production_lines l on l.tenant_id = a.tenant_id and l.id = a.line_id
         where a.tenant_id = $1 and a.line_id = $2 for update of a",
        tenant.0,
        line.0
    )
    .fetch_all(&mut **tx)
    .await?;
    let output = areas.iter().find(|a| a.kind == "output").map(|a| a.id);
    match id {
        Some(id) if !areas.iter().any(|a| a.id == id.0) => return Ok(AreaSaved::NotFound),
        Some(id) if output == Some(id.0) && kind != AreaKind::Output => return Ok(AreaSaved::NoOutput),
        _ if kind == AreaKind::Output && output.is_some() && output != id.map(|i| i.0) => {
            return Ok(AreaSaved::SecondOutput);
        }
        _ => {}
    }
    let saved = match id {
        None => {
            sqlx::query_scalar!(
                r#"insert into production_areas (tenant_id, line_id, kind, code, name)
                   select $1, l.id, $3, $4, $5 from production_lines l where l.tenant_id = $1 and l.id = $2
                   returning id as "id: AreaId""#,
                tenant.0,
                line.0,
                kind.as_str(),
                code,
                name
            )
            .fetch_optional(&mut **tx)
            .await?
        }
        Some(id) => {
            sqlx::query_scalar!(
                r#"update production_areas set kind = $4, code = $5, name = $6
                   where tenant_id = $1 and line_id = $2 and id = $3 returning id as "id: AreaId""#,
                tenant.0,
                line.0,
                id.0,
                kind.as_str(),
                code,
                name
            )
            .fetch_optional(&mut **tx)
            .await?
        }
    };
    Ok(saved.map_or(AreaSaved::NotFound, AreaSaved::Saved))
}

/// Every line's areas, by line code and area code.
pub(in crate::production) async fn areas(tx: &mut Tx) -> Result<Vec<AreaSetting>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select a.id as "id: AreaId", a.line_id as "line_id: LineId", l.code as line, a.code, a.name, a.kind
           from production_areas a join production_lines l on l.tenant_id = a.tenant_id and l.id = a.line_id
           order by l.code, a.code"#
    )
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter()
        .map(|r| {
            let kind = AreaKind::decode(&r.kind).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            Ok(AreaSetting { id: r.id, line_id: r.line_id, line: r.line, code: r.code, name: r.name, kind })
        })
        .collect()
}

pub(in crate::production) async fn save_product(
    tx: &mut Tx,
    tenant: TenantId,
    id: Option<ProductId>,
    (code, name, cycle): (&str, &str, i32),
    active: bool,
) -> Result<Option<ProductId>, sqlx::Error> {
    match id {
        None => sqlx::query_scalar!(
            r#"insert into production_products (tenant_id, code, name, ideal_cycle_ms, active) values ($1, $2, $3, $4, $5)
             returning id as "id: ProductId""#,
            tenant.0,
            code,
            name,
            cycle,
            active
        )
        .fetch_one(&mut **tx)
        .await
        .map(Some),
        Some(id) => {
            sqlx::query_scalar!(
                r#"update production_products set code = $2, name = $3, ideal_cycle_ms = $4, active = $5
             where id = $1 and tenant_id = $6 returning id as "id: ProductId""#,
                id.0,
                code,
                name,
                cycle,
                active,
                tenant.0
            )
            .fetch_optional(&mut **tx)
            .await
        }
    }
}

pub(in crate::production) async fn save_reason(
    tx: &mut Tx,
    tenant: TenantId,
    id: Option<ReasonId>,
    r: &CheckedReason,
    (planned, setup): (bool, bool),
    active: bool,
) -> Result<Option<ReasonId>, sqlx::Error> {
    let CheckedReason { code, name, colour, category } = r;
    match id {
        None => sqlx::query_scalar!(
            r#"insert into production_reasons (tenant_id, code, name, planned, colour, active, setup, category)
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning id as "id: ReasonId""#,
            tenant.0,
            code,
            name,
            planned,
            colour,
            active,
            setup,
            category.as_deref()
        )
        .fetch_one(&mut **tx)
        .await
        .map(Some),
        Some(id) => sqlx::query_scalar!(
            r#"update production_reasons set code = $2, name = $3, planned = $4, colour = $5, active = $6, setup = $8,
                                          category = $9
             where id = $1 and tenant_id = $7 returning id as "id: ReasonId""#,
            id.0,
            code,
            name,
            planned,
            colour,
            active,
            tenant.0,
            setup,
            category.as_deref()
        )
        .fetch_optional(&mut **tx)
        .await,
    }
}

/// Each widget kind's parameter schema (the platform's catalog), which the tests hold `WidgetParams` to.
#[cfg(test)]
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
    tenant: TenantId,
    role: &str,
    widgets: &serde_json::Value,
    by: UserId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into production_dashboards (tenant_id, role, widgets, updated_by) values ($1, $2, $3, $4)
         on conflict (tenant_id, role) do update set widgets = excluded.widgets, updated_by = excluded.updated_by,
                                                     updated_at = now()",
        tenant.0,
        role,
        widgets,
        by.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The plant's operators: id, name, e-mail, the lines they work on.
pub(in crate::production) async fn operators(
    tx: &mut Tx,
) -> Result<Vec<(UserId, String, String, Vec<LineId>)>, sqlx::Error> {
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
    .map(|r| (UserId(r.id), r.display_name, r.email, r.lines.into_iter().map(LineId).collect()))
    .collect())
}

/// Sets the lines an operator works on; false when `user` is no operator of the plant.
pub(in crate::production) async fn set_operator_lines(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    lines: &[LineId],
) -> Result<bool, sqlx::Error> {
    let lines: Vec<i32> = lines.iter().map(|l| l.0).collect();
    let is_operator = sqlx::query_scalar!(
        "select exists (select 1 from users where id = $1 and tenant_id = $2 and role = 'operator') as \"e!\"",
        user.0,
        tenant.0
    )
    .fetch_one(&mut **tx)
    .await?;
    if !is_operator {
        return Ok(false);
    }
    sqlx::query!("delete from production_line_operators where user_id = $1 and tenant_id = $2", user.0, tenant.0)
        .execute(&mut **tx)
        .await?;
    sqlx::query!(
        "insert into production_line_operators (tenant_id, user_id, line_id)
         select $1, $2, l.id from production_lines l where l.id = any($3) and l.tenant_id = $1",
        tenant.0,
        user.0,
        &lines
    )
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

pub(in crate::production) struct LineFull {
    pub id: LineId,
    pub code: String,
    pub name: String,
    pub downtime_threshold_ms: i32,
    pub micro_stop_ms: i32,
    pub target: f64,
    pub active: bool,
    pub counting: String,
}

/// Every line, the retired ones too.
pub(in crate::production) async fn lines(tx: &mut Tx) -> Result<Vec<LineFull>, sqlx::Error> {
    sqlx::query_as!(
        LineFull,
        r#"select id as "id: LineId", code, name, downtime_threshold_ms, micro_stop_ms, oee_target::float8 as "target!",
                  active, counting
           from production_lines order by code"#
    )
    .fetch_all(&mut **tx)
    .await
}

/// Every product: id, code, name, ideal cycle (ms), active.
pub(in crate::production) async fn products(
    tx: &mut Tx,
) -> Result<Vec<(ProductId, String, String, i32, bool)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"select id as "id: ProductId", code, name, ideal_cycle_ms, active from production_products order by code"#
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.code, r.name, r.ideal_cycle_ms, r.active))
    .collect())
}

/// Sets (or removes, without a cycle) a line's own ideal cycle for a product; false when the line or the product is
/// not the plant's.
pub(in crate::production) async fn save_line_cycle(
    tx: &mut Tx,
    tenant: TenantId,
    line: LineId,
    product: ProductId,
    cycle: Option<i32>,
) -> Result<bool, sqlx::Error> {
    let Some(cycle) = cycle else {
        sqlx::query!(
            "delete from production_line_cycles where tenant_id = $1 and line_id = $2 and product_id = $3",
            tenant.0,
            line.0,
            product.0
        )
        .execute(&mut **tx)
        .await?;
        return Ok(true);
    };
    let saved = sqlx::query!(
        "insert into production_line_cycles (tenant_id, line_id, product_id, ideal_cycle_ms)
         select l.tenant_id, l.id, p.id, $4 from production_lines l
         join production_products p on p.tenant_id = l.tenant_id and p.id = $3
         where l.tenant_id = $1 and l.id = $2
         on conflict (tenant_id, line_id, product_id) do update set ideal_cycle_ms = excluded.ideal_cycle_ms",
        tenant.0,
        line.0,
        product.0,
        cycle
    )
    .execute(&mut **tx)
    .await?;
    Ok(saved.rows_affected() == 1)
}

/// The lines' own rates: line, product, ideal cycle (ms), by line and product code.
pub(in crate::production) async fn line_cycles(tx: &mut Tx) -> Result<Vec<(LineId, ProductId, i32)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"select c.line_id as "line_id: LineId", c.product_id as "product_id: ProductId", c.ideal_cycle_ms
           from production_line_cycles c
           join production_lines l on l.tenant_id = c.tenant_id and l.id = c.line_id
           join production_products p on p.tenant_id = c.tenant_id and p.id = c.product_id
           order by l.code, p.code"#
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| (r.line_id, r.product_id, r.ideal_cycle_ms))
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

/// Every shift with its planned stops, by start time.
pub(in crate::production) async fn shifts(tx: &mut Tx) -> Result<Vec<ShiftSetting>, sqlx::Error> {
    let shifts = sqlx::query!(
        r#"select id as "id: ShiftId", name, days, start_time, end_time from production_shifts
               order by start_time, name"#
    )
    .fetch_all(&mut **tx)
    .await?;
    let stops = sqlx::query!(
        r#"select id as "id: PlannedStopId", shift_id as "shift_id: ShiftId", name, start_time, end_time
           from production_shift_stops order by start_time, id"#
    )
    .fetch_all(&mut **tx)
    .await?;
    let hm = |t: NaiveTime| t.format("%H:%M").to_string();
    Ok(shifts
        .into_iter()
        .map(|s| ShiftSetting {
            id: s.id,
            name: s.name,
            days: s.days as u8,
            start: hm(s.start_time),
            end: hm(s.end_time),
            stops: stops
                .iter()
                .filter(|b| b.shift_id == s.id)
                .map(|b| StopSetting { id: b.id, name: b.name.clone(), start: hm(b.start_time), end: hm(b.end_time) })
                .collect(),
        })
        .collect())
}

/// A shift's span, locked for the change at hand (none when `id` names no shift of the plant).
pub(in crate::production) async fn lock_shift(
    tx: &mut Tx,
    tenant: TenantId,
    id: ShiftId,
) -> Result<Option<(NaiveTime, NaiveTime)>, sqlx::Error> {
    Ok(sqlx::query!(
        "select start_time, end_time from production_shifts where id = $1 and tenant_id = $2 for update",
        id.0,
        tenant.0
    )
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| (r.start_time, r.end_time)))
}

/// A shift's planned stops: id, start, end.
pub(in crate::production) async fn shift_stops(
    tx: &mut Tx,
    tenant: TenantId,
    shift: ShiftId,
) -> Result<Vec<(PlannedStopId, NaiveTime, NaiveTime)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"select id as "id: PlannedStopId", start_time, end_time from production_shift_stops
           where shift_id = $1 and tenant_id = $2"#,
        shift.0,
        tenant.0
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.start_time, r.end_time))
    .collect())
}

/// Writes a shift (new when its id is none); its id, or none when the id names no shift of the plant.
pub(in crate::production) async fn save_shift(
    tx: &mut Tx,
    tenant: TenantId,
    s: &ShiftChecked,
) -> Result<Option<ShiftId>, sqlx::Error> {
    let days = i16::from(s.days);
    match s.id {
        None => sqlx::query_scalar!(
            r#"insert into production_shifts (tenant_id, name, days, start_time, end_time) values ($1, $2, $3, $4, $5)
             returning id as "id: ShiftId""#,
            tenant.0,
            s.name,
            days,
            s.start,
            s.end
        )
        .fetch_one(&mut **tx)
        .await
        .map(Some),
        Some(id) => {
            sqlx::query_scalar!(
                r#"update production_shifts set name = $3, days = $4, start_time = $5, end_time = $6
             where id = $1 and tenant_id = $2 returning id as "id: ShiftId""#,
                id.0,
                tenant.0,
                s.name,
                days,
                s.start,
                s.end
            )
            .fetch_optional(&mut **tx)
            .await
        }
    }
}

/// Removes a shift and its planned stops; its name, or none when `id` names no shift of the plant.
pub(in crate::production) async fn delete_shift(
    tx: &mut Tx,
    tenant: TenantId,
    id: ShiftId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("delete from production_shifts where id = $1 and tenant_id = $2 returning name", id.0, tenant.0)
        .fetch_optional(&mut **tx)
        .await
}

/// Writes a planned stop of `shift` (new when `id` is none); its id, or none when `id` names no stop of that shift.
pub(in crate::production) async fn save_stop(
    tx: &mut Tx,
    tenant: TenantId,
    shift: ShiftId,
    id: Option<PlannedStopId>,
    (name, start, end): (&str, NaiveTime, NaiveTime),
) -> Result<Option<PlannedStopId>, sqlx::Error> {
    match id {
        None => sqlx::query_scalar!(
            r#"insert into production_shift_stops (tenant_id, shift_id, name, start_time, end_time)
             values ($1, $2, $3, $4, $5) returning id as "id: PlannedStopId""#,
            tenant.0,
            shift.0,
            name,
            start,
            end
        )
        .fetch_one(&mut **tx)
        .await
        .map(Some),
        Some(id) => {
            sqlx::query_scalar!(
                r#"update production_shift_stops set name = $4, start_time = $5, end_time = $6
             where id = $1 and shift_id = $2 and tenant_id = $3 returning id as "id: PlannedStopId""#,
                id.0,
                shift.0,
                tenant.0,
                name,
                start,
                end
            )
            .fetch_optional(&mut **tx)
            .await
        }
    }
}

/// Removes a planned stop; its shift's id, or none when `id` names no stop of the plant.
pub(in crate::production) async fn delete_stop(
    tx: &mut Tx,
    tenant: TenantId,
    id: PlannedStopId,
) -> Result<Option<ShiftId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"delete from production_shift_stops where id = $1 and tenant_id = $2 returning shift_id as "shift_id: ShiftId""#,
        id.0,
        tenant.0
    )
    .fetch_optional(&mut **tx)
    .await
}

pub(in crate::production) struct FilterFull {
    pub key: String,
    pub position: i16,
    pub enabled: bool,
    pub required: bool,
    pub default_value: serde_json::Value,
}

/// The plant's filter rows, the switched-off ones too.
pub(in crate::production) async fn filters(tx: &mut Tx) -> Result<Vec<FilterFull>, sqlx::Error> {
    sqlx::query_as!(
        FilterFull,
        "select key, position, enabled, required, default_value from production_filters order by position, key"
    )
    .fetch_all(&mut **tx)
    .await
}

/// Writes a filter's row (made when the plant had none for its key).
pub(in crate::production) async fn save_filter(
    tx: &mut Tx,
    tenant: TenantId,
    key: &str,
    (position, enabled, required): (i16, bool, bool),
    default_value: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into production_filters (tenant_id, key, position, enabled, required, default_value)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (tenant_id, key) do update set position = excluded.position, enabled = excluded.enabled,
             required = excluded.required, default_value = excluded.default_value",
        tenant.0,
        key,
        position,
        enabled,
        required,
        default_value
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The query log, newest first, from before entry `before` (none: from the newest): `limit` entries, each with its
/// filters as logged (the service puts them in words).
pub(in crate::production) async fn query_log(
    tx: &mut Tx,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<(QueryLogEntry, serde_json::Value)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"select q.id, q.at, q.query, q.filters, q.duration_ms, u.display_name as "name?", u.email as "email?"
           from production_query_log q left join users u on u.id = q.user_id
           where $1::bigint is null or q.id < $1
           order by q.id desc limit $2"#,
        before,
        limit
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| {
        let entry = QueryLogEntry {
            id: r.id,
            at: r.at,
            who: r.email.map(|e| match r.name {
                Some(n) if !n.is_empty() => format!("{n} <{e}>"),
                _ => e,
            }),
            query: r.query,
            filters: Vec::new(),
            duration_ms: r.duration_ms,
        };
        (entry, r.filters)
    })
    .collect())
}

/// The last day's queries: how many, and their median and 95th percentile durations (ms).
pub(in crate::production) async fn query_log_day(tx: &mut Tx) -> Result<(i64, Option<f64>, Option<f64>), sqlx::Error> {
    let r = sqlx::query!(
        r#"select count(*) as "count!",
                  percentile_cont(0.5) within group (order by duration_ms) as p50,
                  percentile_cont(0.95) within group (order by duration_ms) as p95
           from production_query_log where at > now() - interval '1 day'"#
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok((r.count, r.p50, r.p95))
}
