//! Stops entered by people against real PostgreSQL: added where the sensors saw none, split in two, refused over
//! another stop; the downtime job never corrects them; every one audited.

use chrono::{Duration, DurationRound, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::*;
use crate::caller::RequestMeta;
use crate::production::service::dashboard::Reason;
use crate::production::service::downtime::run;
use crate::production::service::stops::{LineName, NewStop, When, add, split};

#[sqlx::test]
async fn stops_the_sensors_missed_are_added_and_split_by_hand_and_the_job_leaves_them_be(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn).await;
    let tenant = plant_on_shift(&pool, "Planta Norte").await;
    let sensor = plc(tenant, vec![ApiScope::ProductionIngest]);
    let terminal = plc(tenant, vec![ApiScope::ProductionRecord, ApiScope::ProductionRead]);
    let meta = RequestMeta::default();
    let t0 = Utc::now().duration_trunc(Duration::seconds(1)).unwrap() - Duration::hours(2);
    let s = |secs| t0 + Duration::seconds(secs);
    let units =
        |from: i64, to: i64| -> Vec<DetectionIn> { (from..to).step_by(10).map(|x| unit("OUT", s(x), true)).collect() };
    // A gap over the threshold (300 s), then the line counts on to 1,000 s and falls silent.
    ingest(&pool, &sensor, "b1", &[units(0, 30), units(600, 1000)].concat()).await.unwrap();
    run(&pool).await.unwrap();
    let (sensed, ongoing) = (s(20), s(990));
    assert_eq!(stops(&pool, tenant).await, [(sensed, Some(s(600))), (ongoing, None)]);

    // The line stood from 700 to 800 s though its counter went on (test pieces): added by hand, on line L1.
    let new = |start, end| NewStop {
        line: LineName::Code("L1"),
        start: When::Instant(start),
        end: When::Instant(end),
        reason: Reason::Code(None),
        note: Some("Contador de prueba"),
    };
    let added = add(&pool, &terminal, &meta, new(s(700), s(800))).await.unwrap();

    // Over another stop it is refused, naming that stop; so is one going into the stop still going on.
    for (a, b, over) in [(s(500), s(650), sensed), (s(790), s(850), s(700)), (s(1200), s(1300), ongoing)] {
        match add(&pool, &terminal, &meta, new(a, b)).await {
            Err(Error::Rejected(r)) => {
                assert_eq!((r.status, r.problem["problem"].as_str()), (409, Some("stop_overlaps")));
                assert_eq!(r.problem["start"], serde_json::to_value(over).unwrap(), "{a} – {b}");
            }
            other => panic!("{a} – {b}: {other:?}"),
        }
    }
    // Times that are no stop, a line or reason the plant lacks: the field named, nothing written.
    let bad = |input: NewStop<'static>| {
        let pool = pool.clone();
        let terminal = terminal.clone();
        async move {
            match add(&pool, &terminal, &RequestMeta::default(), input).await {
                Err(Error::Validation(f)) => f.into_iter().map(|f| f.field).collect::<Vec<_>>(),
                other => panic!("{other:?}"),
            }
        }
    };
    assert_eq!(bad(new(s(800), s(700))).await, ["end"]);
    assert_eq!(
        bad(NewStop { start: When::Local("ayer"), end: When::Local(""), ..new(s(0), s(1)) }).await,
        ["start", "end"]
    );
    assert_eq!(bad(NewStop { line: LineName::Code("L9"), ..new(s(100), s(200)) }).await, ["line"]);
    assert_eq!(bad(NewStop { reason: Reason::Code(Some("NADA")), ..new(s(100), s(200)) }).await, ["reason"]);
    // Keys that only send units, or only read, enter nothing.
    assert!(matches!(add(&pool, &sensor, &meta, new(s(100), s(200))).await, Err(Error::Forbidden)));

    // The sensed stop had two causes: split at 300 s. It keeps its start, the rest is a new stop; both by hand.
    let rest =
        split(&pool, &terminal, &meta, stops_full(&pool, tenant).await[0].0, When::Instant(s(300))).await.unwrap();
    assert_eq!(
        stops(&pool, tenant).await,
        [(sensed, Some(s(300))), (s(300), Some(s(600))), (s(700), Some(s(800))), (ongoing, None)]
    );
    let (first, _, _, _) = stops_full(&pool, tenant).await[0];
    assert!(
        matches!(split(&pool, &terminal, &meta, first, When::Instant(s(400))).await, Err(Error::Validation(f)) if f[0].field == "at")
    );
    assert!(matches!(split(&pool, &terminal, &meta, 999_999, When::Instant(s(400))).await, Err(Error::NotFound)));
    let open = stops_full(&pool, tenant).await[3].0;
    match split(&pool, &terminal, &meta, open, When::Instant(s(1500))).await {
        Err(Error::Rejected(r)) => assert_eq!(r.problem["problem"], "stop_ongoing"),
        other => panic!("{other:?}"),
    }

    // Units arrive late inside the stops people entered (a buffered machine): the job corrects none of them.
    ingest(&pool, &sensor, "b2", &[units(35, 45), units(405, 415)].concat()).await.unwrap();
    run(&pool).await.unwrap();
    assert_eq!(
        stops(&pool, tenant).await,
        [(sensed, Some(s(300))), (s(300), Some(s(600))), (s(700), Some(s(800))), (ongoing, None)],
        "entered by hand: left be"
    );

    // Who entered what is in the audit log.
    let mut tx = db::begin(&pool, Scope::Tenant(tenant)).await.unwrap();
    let events: Vec<(String, String)> =
        sqlx::query_as("select action, target_id from audit_log where action like 'production.stop_%' order by id")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        events,
        [
            ("production.stop_added".to_owned(), added.to_string()),
            ("production.stop_split".to_owned(), first.to_string())
        ]
    );
    assert!(rest > added);
}

/// A stop reaching past the line's last unit the job has looked at is not entered yet: the sensors' own stop may
/// still be found there (entering it first once hid the job's stop, and its minutes with it).
#[sqlx::test]
async fn a_stop_is_entered_only_where_the_sensors_have_been_judged(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    // No shift yet: the job finds no stop (nothing is planned), but reads the units all the same.
    let tenant = plant(&pool, "Planta Norte").await;
    let sensor = plc(tenant, vec![ApiScope::ProductionIngest]);
    let terminal = plc(tenant, vec![ApiScope::ProductionRecord]);
    let t0 = Utc::now().duration_trunc(Duration::seconds(1)).unwrap() - Duration::hours(1);
    let s = |secs| t0 + Duration::seconds(secs);
    let units: Vec<DetectionIn> = (0..100).step_by(10).map(|x| unit("OUT", s(x), true)).collect();
    ingest(&pool, &sensor, "b1", &units).await.unwrap();
    run(&pool).await.unwrap();
    let new = |end| NewStop {
        line: LineName::Code("L1"),
        start: When::Instant(s(50)),
        end: When::Instant(end),
        reason: Reason::Code(None),
        note: None,
    };
    match add(&pool, &terminal, &RequestMeta::default(), new(s(95))).await {
        Err(Error::Rejected(r)) => {
            assert_eq!((r.status, r.problem["problem"].as_str()), (409, Some("stop_unjudged")));
            assert_eq!(r.problem["until"], serde_json::to_value(s(90)).unwrap());
        }
        other => panic!("{other:?}"),
    }
    add(&pool, &terminal, &RequestMeta::default(), new(s(80))).await.unwrap();
}
