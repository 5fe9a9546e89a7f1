//! Shift reports against real PostgreSQL: the textbook day's shift as a report (the figures the dashboard gives for
//! it), signed off by a manager, and flagged as changed once a stop is classified after the signature.

use chrono::{Duration, NaiveTime, TimeZone, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::*;
use crate::caller::{RequestMeta, User};
use crate::ids::UserId;
use crate::production::rules::dashboard::ReportAsk;
use crate::production::rules::kinds::AreaKind;
use crate::production::service::report::{report_csv, shift_report, sign};

fn pct(x: Option<f64>) -> f64 {
    (x.expect("a figure") * 10_000.0).round() / 100.0
}

#[sqlx::test]
async fn a_shift_report_is_the_shifts_figures_signed_off_and_says_when_they_moved(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn).await;
    let (tenant, midnight) = textbook_plant(&pool).await;
    let day = midnight.with_timezone(&chrono_tz::America::Mexico_City).date_naive();
    let reader = plc(tenant, vec![ApiScope::ProductionRead]);

    // Unasked, the report is of the first line's last shift that has ended.
    let last = shift_report(&pool, &reader, ReportAsk::default()).await.unwrap().expect("a report");
    assert!(last.ended);
    assert!(last.view.to <= Utc::now());

    // The textbook day's shift: A 88.81 %, P 86.11 %, Q 97.80 %, OEE 74.79 %, its stop, its rejects at the output.
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    let (line, shift): (i32, i32) =
        sqlx::query_as("select (select id from production_lines), (select id from production_shifts)")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    tx.commit().await.unwrap();
    let ask =
        ReportAsk { line: Some(crate::ids::LineId(line)), shift: Some(crate::ids::ShiftId(shift)), day: Some(day) };
    let r = shift_report(&pool, &reader, ask).await.unwrap().unwrap();
    let o = r.view.total.oee;
    assert_eq!((pct(o.availability), pct(o.performance), pct(o.quality), pct(o.oee)), (88.81, 86.11, 97.8, 74.79));
    let at = |h, m| {
        chrono_tz::America::Mexico_City
            .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap()))
            .unwrap()
            .with_timezone(&Utc)
    };
    assert_eq!((r.view.from, r.view.to), (at(6, 0), at(13, 30)), "the shift's run");
    assert_eq!(r.view.stops.len(), 1);
    let out: Vec<_> = r.rejects.iter().filter(|x| x.area_kind == AreaKind::Output).map(|x| x.rejects()).collect();
    assert_eq!(out, [423]);
    assert!(r.signoff.is_none() && r.ended);
    // A day the shift does not run on ahead, a shift the plant lacks: named.
    let ahead = ReportAsk { day: Some(day + Duration::days(30)), ..ask };
    assert!(matches!(shift_report(&pool, &reader, ahead).await, Err(Error::Validation(f)) if f[0].field == "day"));
    let other = ReportAsk { shift: Some(crate::ids::ShiftId(9_999)), ..ask };
    assert!(matches!(shift_report(&pool, &reader, other).await, Err(Error::Validation(f)) if f[0].field == "shift"));
    // The calendar's far ends are no day (once a panic at the year 262,142), and a day without its shift is asked
    // for whole.
    let far = ReportAsk { day: chrono::NaiveDate::from_ymd_opt(262_142, 12, 31), ..ask };
    assert!(matches!(shift_report(&pool, &reader, far).await, Err(Error::Validation(f)) if f[0].field == "day"));
    let unnamed = ReportAsk { shift: None, ..ask };
    assert!(matches!(shift_report(&pool, &reader, unnamed).await, Err(Error::Validation(f)) if f[0].field == "shift"));

    // A manager signs it off; an operator may not.
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let id: uuid::Uuid = sqlx::query_scalar(
        "insert into users (tenant_id, email, display_name, password_hash, role, status)
         values ($1, 'gerente@norte.test', 'Gerente Norte', 'x', 'manager', 'active') returning id",
    )
    .bind(tenant)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let manager = User {
        user_id: UserId(id),
        tenant_id: tenant,
        session_id: Uuid::new_v4(),
        role: Role::Manager,
        tenant_kind: crate::identity::rules::tenant::TenantKind::Manufacturer,
        email: "gerente@norte.test".into(),
        display_name: "Gerente Norte".into(),
    };
    let key = r.key;
    let operator = User { role: Role::Operator, ..manager.clone() };
    assert!(matches!(sign(&pool, &operator, &RequestMeta::default(), key, None).await, Err(Error::Forbidden)));
    sign(&pool, &manager, &RequestMeta::default(), key, Some("Turno revisado")).await.unwrap();
    let signed = shift_report(&pool, &reader, ask).await.unwrap().unwrap().signoff.expect("signed");
    assert_eq!(
        (signed.by.as_str(), signed.note.as_deref(), signed.changed),
        ("Gerente Norte", Some("Turno revisado"), false)
    );

    // The stop given a planned reason after the signature: the figures moved, and the report says so.
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    sqlx::query("update production_downtime set reason_id = (select id from production_reasons where code = 'CAMBIO')")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (now, csv) = report_csv(&pool, &reader, ask).await.unwrap();
    assert!(now.signoff.unwrap().changed);
    let head = csv.lines().nth(1).expect("the summary row");
    assert!(head.starts_with("L1,Matutino,"), "{head}");
    assert!(head.contains(",Gerente Norte,") && head.contains(",true,Turno revisado,America/Mexico_City"), "{head}");
}
