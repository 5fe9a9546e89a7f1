//! The demo plant's configuration, as data: Planta Demo's three machine lines and a manual one counted by people (each
//! with its four areas), products, three
//! shifts around the clock every day (a plant that never stops, so the demo is alive whenever it is opened) with
//! their breaks, downtime reasons, the dashboard's filters, each role's dashboard, and the operators' line.
//!
//! The statements are a list run in turn, which `query!` (one literal per call) cannot take, hence unchecked
//! `sqlx::query`; every demo start and the production tests run them.

use crate::db::Tx;
use crate::ids::TenantId;
use crate::production::rules::kinds::Template;

/// The tenant called `name`, when it has no production line yet.
pub(in crate::production) async fn unconfigured(tx: &mut Tx, name: &str) -> Result<Option<TenantId>, sqlx::Error> {
    sqlx::query_scalar!(
        "select t.id from tenants t
         where t.name = $1 and t.kind = 'manufacturer'
           and not exists (select 1 from production_lines l where l.tenant_id = t.id)",
        name
    )
    .fetch_optional(&mut **tx)
    .await
    .map(|t| t.map(TenantId))
}

/// Writes the demo plant's configuration for `tenant` (platform scope).
pub(in crate::production) async fn configure(tx: &mut Tx, tenant: TenantId) -> Result<(), sqlx::Error> {
    for sql in [
        "insert into production_plants (tenant_id, time_zone) values ($1, 'America/Mexico_City')",
        "insert into production_lines (tenant_id, code, name, downtime_threshold_ms, micro_stop_ms, oee_target)
         values ($1, 'L1', 'Línea 1 · Estampado', 120000, 15000, 0.85),
                ($1, 'L2', 'Línea 2 · Soldadura', 180000, 20000, 0.80),
                ($1, 'L3', 'Línea 3 · Ensamble', 300000, 30000, 0.75)",
        // A manual bench whose units are its people's stage facts (the MES demo records them).
        "insert into production_lines (tenant_id, code, name, downtime_threshold_ms, micro_stop_ms, oee_target, counting)
         values ($1, 'L4', 'Línea 4 · Ensamble manual', 600000, 60000, 0.70, 'people')",
        "insert into production_areas (tenant_id, line_id, kind, code, name)
         select $1, l.id, a.kind, a.code, a.name from production_lines l
         cross join (values ('input', 'ENT', 'Entrada'), ('process', 'PRO', 'Proceso'),
                            ('inspection', 'INS', 'Inspección'), ('output', 'SAL', 'Salida')) a(kind, code, name)
         where l.tenant_id = $1",
        "insert into production_products (tenant_id, code, name, ideal_cycle_ms)
         values ($1, 'SOP-100', 'Soporte de motor', 1000), ($1, 'BRK-220', 'Brazo de suspensión', 1500),
                ($1, 'TAP-310', 'Tapa de válvulas', 2000), ($1, 'BAS-415', 'Base de amortiguador', 1200)",
        // The manual bench assembles by hand what the presses make in a second or two: its own rates.
        "insert into production_line_cycles (tenant_id, line_id, product_id, ideal_cycle_ms)
         select $1, l.id, p.id, c.ms from production_lines l
         join (values ('SOP-100', 240000), ('BRK-220', 300000), ('TAP-310', 240000), ('BAS-415', 180000)) c(code, ms)
             on true
         join production_products p on p.tenant_id = $1 and p.code = c.code
         where l.tenant_id = $1 and l.code = 'L4'",
        "insert into production_shifts (tenant_id, name, days, start_time, end_time)
         values ($1, 'Matutino', 127, '06:00', '14:00'), ($1, 'Vespertino', 127, '14:00', '22:00'),
                ($1, 'Nocturno', 127, '22:00', '06:00')",
        "insert into production_shift_stops (tenant_id, shift_id, name, start_time, end_time)
         select $1, s.id, b.name, b.start_time::time, b.end_time::time from production_shifts s
         join (values ('Matutino', 'Comida', '10:00', '10:30'), ('Vespertino', 'Comida', '18:00', '18:30'),
                      ('Nocturno', 'Cena', '02:00', '02:30')) b(shift, name, start_time, end_time) on b.shift = s.name
         where s.tenant_id = $1",
        "insert into production_reasons (tenant_id, code, name, planned, colour, category)
         values ($1, 'CAMBIO', 'Cambio de modelo', true, '#6366f1', 'Preparación'),
                ($1, 'MTTO-PLAN', 'Mantenimiento planeado', true, '#0ea5e9', 'Mantenimiento'),
                ($1, 'FALLA-MEC', 'Falla mecánica', false, '#ef4444', 'Averías'),
                ($1, 'FALLA-ELE', 'Falla eléctrica', false, '#f97316', 'Averías'),
                ($1, 'MATERIAL', 'Falta de material', false, '#eab308', 'Logística'),
                ($1, 'CALIDAD', 'Ajuste por calidad', false, '#a855f7', 'Calidad')",
        "update production_reasons set setup = true where tenant_id = $1 and code = 'CAMBIO'",
        // The demo's operators work on line 1.
        "insert into production_line_operators (tenant_id, user_id, line_id)
         select $1, u.id, l.id from users u
         join production_lines l on l.tenant_id = u.tenant_id and l.code = 'L1'
         where u.tenant_id = $1 and u.role = 'operator'",
        "insert into production_filters (tenant_id, key, position, required, default_value, options)
         values ($1, 'date_range', 1, true, '{\"days_back\": 1}', '{\"show_time\": true}'),
                ($1, 'line', 2, false, '{}', '{}'),
                ($1, 'shift', 3, false, '{}', '{}'),
                ($1, 'product', 4, false, '{}', '{}')",
    ] {
        sqlx::query(sql).bind(tenant).execute(&mut **tx).await?;
    }
    // Each role's dashboard: the templates every new plant starts from.
    let roles: Vec<&str> = Template::ALL.iter().map(|t| t.as_str()).collect();
    let widgets: Vec<&str> = Template::ALL.iter().map(|t| t.default_widgets()).collect();
    sqlx::query(
        "insert into production_dashboards (tenant_id, role, widgets)
         select $1, r, w::jsonb from unnest($2::text[], $3::text[]) as t(r, w)",
    )
    .bind(tenant)
    .bind(&roles)
    .bind(&widgets)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
