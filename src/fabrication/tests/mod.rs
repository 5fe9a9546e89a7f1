//! The shop's store and service tests against real PostgreSQL (a fresh database per test): a part's whole workflow
//! with four eyes and its events rebuilding the row, claims raced on one pool (exactly one winner, the others told
//! who), leases expiring, drawings and their revisions, the table's search, filters and orders, the statistics held to
//! the counts, and random actions through the service never leaving an illegal part.

use std::sync::Arc;

use rand::{Rng, SeedableRng};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use uuid::Uuid;

use crate::caller::{Caller, RequestMeta, User};
use crate::codes::ErrorCode;
use crate::db::{self, Scope};
use crate::error::Error;
use crate::fabrication::rules::list::{PartQuery, PartSort};
use crate::fabrication::rules::parts::{PartAction, PartInput, PartKind, PartState, Priority, rebuild};
use crate::fabrication::rules::views::PartDetail;
use crate::fabrication::service::actions::{ActInput, act};
use crate::fabrication::service::{drawings, leases, parts, setup, stats};
use crate::identity::rules::auth::Role;
use crate::identity::rules::tenant::TenantKind;
use crate::ids::{FabPartId, TenantId, UserId};

mod table;

async fn app_pool(opts: PgPoolOptions, conn: PgConnectOptions, size: u32) -> PgPool {
    db::app_pool_options(opts.max_connections(size)).connect_with(conn).await.unwrap()
}

/// A plant's tool room: its people.
struct Shop {
    tenant: TenantId,
    /// A lead (manager) and a second lead (the owner).
    lead: Caller,
    owner: Caller,
    /// People who make parts.
    ana: Caller,
    beto: Caller,
    viewer: Caller,
}

async fn person(pool: &PgPool, tenant: TenantId, role: Role, name: &str) -> Caller {
    let mut tx = db::begin(pool, Scope::Platform).await.unwrap();
    let handle = name.to_lowercase().replace(' ', ".");
    let id: UserId = sqlx::query_scalar(
        "insert into users (tenant_id, email, username, display_name, password_hash, role, status)
         values ($1, $2, $3, $4, 'x', $5, 'active') returning id",
    )
    .bind(tenant)
    .bind(format!("{handle}@{}.test", tenant.0.simple()))
    .bind(format!("{handle}-{}", &tenant.0.simple().to_string()[..8]))
    .bind(name)
    .bind(role.as_str())
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Caller::User(User {
        user_id: id,
        tenant_id: tenant,
        session_id: Uuid::new_v4(),
        role,
        tenant_kind: TenantKind::Manufacturer,
        email: String::new(),
        display_name: name.into(),
    })
}

async fn shop(pool: &PgPool, name: &str) -> Shop {
    let mut tx = db::begin(pool, Scope::Platform).await.unwrap();
    let tenant: TenantId = sqlx::query_scalar(
        "insert into tenants (kind, name, status) values ('manufacturer', $1, 'active') returning id",
    )
    .bind(name)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Shop {
        tenant,
        lead: person(pool, tenant, Role::Manager, "Lía Jefa").await,
        owner: person(pool, tenant, Role::Owner, "Omar Dueño").await,
        ana: person(pool, tenant, Role::Operator, "Ana Tornera").await,
        beto: person(pool, tenant, Role::Operator, "Beto Fresador").await,
        viewer: person(pool, tenant, Role::Viewer, "Vera Visita").await,
    }
}

fn uid(c: &Caller) -> UserId {
    match c {
        Caller::User(u) => u.user_id,
        Caller::Machine(_) => unreachable!(),
    }
}

fn bracket(name: &str, kind: PartKind) -> PartInput {
    PartInput {
        name: name.into(),
        kind,
        subsystem: None,
        quantity: 2,
        material: "Aluminio 6061".into(),
        notes: "Rebabar los bordes".into(),
        priority: Priority::Normal,
        due_date: None,
        cad_url: Some("https://cad.onshape.com/documents/abc".into()),
    }
}

fn problem(e: Error) -> (u16, serde_json::Value) {
    match e {
        Error::Rejected(r) => (r.status, r.problem),
        e => panic!("expected a refusal, got {e:?}"),
    }
}

async fn notices(pool: &PgPool, tenant: TenantId, user: UserId) -> Vec<String> {
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await.unwrap();
    let kinds: Vec<String> = sqlx::query_scalar("select kind from notify_inbox where user_id = $1 order by id")
        .bind(user)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    kinds
}

async fn go(pool: &PgPool, who: &Caller, id: FabPartId, action: PartAction) -> Result<PartDetail, Error> {
    act(pool, who, id, action, &ActInput::default()).await
}

async fn with_reason(pool: &PgPool, who: &Caller, id: FabPartId, action: PartAction, why: &str) -> PartDetail {
    act(pool, who, id, action, &ActInput { comment: Some(why), ..ActInput::default() }).await.unwrap()
}

/// The part's row as its events rebuild it, and as it is.
async fn rebuilt_and_row(
    pool: &PgPool,
    who: &Caller,
    id: FabPartId,
) -> ((PartState, i32, Option<UserId>), (PartState, i32, Option<UserId>)) {
    let d = parts::get(pool, who, id).await.unwrap();
    let r = rebuild(&d.timeline).expect("the events are a history the workflow could make");
    ((r.state, r.version, r.holder), (d.part.state, d.part.version, d.part.assignee.map(|a| a.id)))
}

#[sqlx::test]
async fn a_part_goes_from_review_to_completed_by_four_eyes_and_its_events_rebuild_it(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn, 5).await;
    let s = shop(&pool, "Taller Norte").await;
    // A lead asks for a part: they cannot approve it themselves, another lead does.
    let d = parts::create(&pool, &s.lead, &bracket("Soporte de motor", PartKind::Cnc), None).await.unwrap();
    let id = d.part.id;
    assert_eq!(
        (d.part.state, d.part.version, d.actions.as_slice()),
        (PartState::Review, 1, &[PartAction::Reject, PartAction::Delete][..])
    );
    let (status, body) = problem(go(&pool, &s.lead, id, PartAction::Approve).await.unwrap_err());
    assert_eq!((status, body["rule"].as_str()), (403, Some("four_eyes")));
    let (status, body) = problem(go(&pool, &s.ana, id, PartAction::Approve).await.unwrap_err());
    assert_eq!((status, body["rule"].as_str()), (403, Some("lead_only")));
    // Claiming a part still in review does not exist from there: 409 naming the state.
    let (status, body) = problem(go(&pool, &s.ana, id, PartAction::Claim).await.unwrap_err());
    assert_eq!((status, body["problem"].as_str(), body["state"].as_str()), (409, Some("not_from"), Some("review")));
    let d = go(&pool, &s.owner, id, PartAction::Approve).await.unwrap();
    assert_eq!(d.part.state, PartState::Cnc, "a CNC part waits in the CNC queue");
    assert_eq!(notices(&pool, s.tenant, uid(&s.lead)).await, ["part_changed"], "its requester is told");
    // Ana claims it: a lease of the organisation's length (4 hours by default), counted from now.
    let d = go(&pool, &s.ana, id, PartAction::Claim).await.unwrap();
    assert_eq!((d.part.state, d.part.assignee.as_ref().map(|a| a.id)), (PartState::Claimed, Some(uid(&s.ana))));
    let lease = d.part.claim_expires_at.unwrap() - d.part.claimed_at.unwrap();
    assert_eq!(lease.num_minutes(), 240);
    assert_eq!(d.actions, [PartAction::Extend, PartAction::Complete, PartAction::Unclaim]);
    // Beto cannot complete nor extend Ana's claim; the viewer cannot act at all.
    let (status, body) = problem(go(&pool, &s.beto, id, PartAction::Complete).await.unwrap_err());
    assert_eq!((status, body["rule"].as_str()), (403, Some("holder_or_lead")));
    let (_, body) = problem(go(&pool, &s.beto, id, PartAction::Extend).await.unwrap_err());
    assert_eq!(body["rule"].as_str(), Some("holder_only"));
    assert!(matches!(go(&pool, &s.viewer, id, PartAction::Claim).await, Err(Error::Forbidden)));
    // A lead taking the claim away says why; Ana is told and the event names her.
    match go(&pool, &s.lead, id, PartAction::Unclaim).await.unwrap_err() {
        Error::Validation(f) => assert_eq!((f[0].field.as_str(), f[0].code), ("comment", ErrorCode::Required)),
        e => panic!("{e:?}"),
    }
    let d = with_reason(&pool, &s.lead, id, PartAction::Unclaim, "Urge otra pieza en la CNC").await;
    assert_eq!((d.part.state, d.part.assignee.clone()), (PartState::Cnc, None));
    assert_eq!(d.timeline.last().unwrap().party.as_ref().map(|p| p.name.as_str()), Some("Ana Tornera"));
    assert_eq!(notices(&pool, s.tenant, uid(&s.ana)).await, ["part_changed"]);
    // Only a lead assigns it to someone: Beto, who completes it; the lead reverts it with a reason.
    let a = ActInput { assignee: Some(uid(&s.beto)), ..ActInput::default() };
    let (_, body) = problem(act(&pool, &s.ana, id, PartAction::Assign, &a).await.unwrap_err());
    assert_eq!(body["rule"].as_str(), Some("lead_only"));
    let nobody = ActInput { assignee: Some(uid(&s.viewer)), ..ActInput::default() };
    match act(&pool, &s.lead, id, PartAction::Assign, &nobody).await.unwrap_err() {
        Error::Validation(f) => assert_eq!(f[0].field, "assignee", "a viewer makes no parts"),
        e => panic!("{e:?}"),
    }
    let d = act(&pool, &s.lead, id, PartAction::Assign, &a).await.unwrap();
    assert_eq!(d.part.assignee.as_ref().map(|a| a.name.as_str()), Some("Beto Fresador"));
    let d = go(&pool, &s.beto, id, PartAction::Complete).await.unwrap();
    assert_eq!((d.part.state, d.part.assignee.as_ref().map(|a| a.id)), (PartState::Completed, Some(uid(&s.beto))));
    assert_eq!(d.part.claim_expires_at, None);
    let d = with_reason(&pool, &s.lead, id, PartAction::Revert, "Los agujeros quedaron a 8 mm").await;
    assert_eq!((d.part.state, d.part.assignee.clone()), (PartState::Cnc, None));
    // The timeline, and the row the events rebuild.
    let steps: Vec<(&str, &str)> = d.timeline.iter().map(|e| (e.action.as_str(), e.to.as_str())).collect();
    assert_eq!(
        steps,
        [
            ("created", "review"),
            ("approve", "cnc"),
            ("claim", "claimed"),
            ("unclaim", "cnc"),
            ("assign", "claimed"),
            ("complete", "completed"),
            ("revert", "cnc"),
        ]
    );
    let (rebuilt, row) = rebuilt_and_row(&pool, &s.viewer, id).await;
    assert_eq!(rebuilt, row);
    // The stays: one per state it entered, each closed by the action that left it.
    let mut tx = db::begin(&pool, Scope::Tenant(s.tenant)).await.unwrap();
    let stays: Vec<(String, Option<String>)> =
        sqlx::query_as("select state, left_by from fabrication_stays where part_id = $1 order by id")
            .bind(id.0)
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    tx.commit().await.unwrap();
    let stays: Vec<(&str, Option<&str>)> = stays.iter().map(|(s, l)| (s.as_str(), l.as_deref())).collect();
    assert_eq!(
        stays,
        [
            ("review", Some("approve")),
            ("cnc", Some("claim")),
            ("claimed", Some("unclaim")),
            ("cnc", Some("assign")),
            ("claimed", Some("complete")),
            ("completed", Some("revert")),
            ("cnc", None),
        ]
    );
}

#[sqlx::test]
async fn a_rejected_request_goes_back_to_its_requester_who_sends_it_again_or_withdraws_it(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn, 5).await;
    let s = shop(&pool, "Taller Sur").await;
    let id = parts::create(&pool, &s.ana, &bracket("Guarda", PartKind::Hand), None).await.unwrap().part.id;
    let d = with_reason(&pool, &s.lead, id, PartAction::Reject, "Falta el plano").await;
    assert_eq!(d.part.state, PartState::Rejected);
    assert_eq!(notices(&pool, s.tenant, uid(&s.ana)).await, ["part_changed"]);
    // Ana edits her request at the version she saw (a stale one is 409), sends it again, a lead approves it.
    let mut input = bracket("Guarda lateral", PartKind::Hand);
    input.quantity = 3;
    let stale = parts::edit(&pool, &s.ana, id, &input, 1).await.unwrap_err();
    assert_eq!(problem(stale).1["problem"].as_str(), Some("overtaken"));
    let d = parts::edit(&pool, &s.ana, id, &input, d.part.version).await.unwrap();
    assert_eq!((d.part.name.as_str(), d.part.quantity), ("Guarda lateral", 3));
    go(&pool, &s.ana, id, PartAction::Resubmit).await.unwrap();
    let d = go(&pool, &s.lead, id, PartAction::Approve).await.unwrap();
    assert_eq!(d.part.state, PartState::Hand, "a hand part waits in the hand queue");
    // Approved, its type is fixed and its requester no longer edits or deletes it.
    let (_, body) = problem(parts::edit(&pool, &s.ana, id, &input, d.part.version).await.unwrap_err());
    assert_eq!(body["rule"].as_str(), Some("requester_or_lead"));
    let cnc = bracket("Guarda lateral", PartKind::Cnc);
    match parts::edit(&pool, &s.lead, id, &cnc, d.part.version).await.unwrap_err() {
        Error::Validation(f) => assert_eq!(f[0].field, "type"),
        e => panic!("{e:?}"),
    }
    // A second request withdrawn by its requester: deleted, out of every list, its history kept.
    let gone = parts::create(&pool, &s.ana, &bracket("Tapa", PartKind::Hand), None).await.unwrap().part.id;
    let d = go(&pool, &s.ana, gone, PartAction::Delete).await.unwrap();
    assert_eq!((d.part.state, d.timeline.len()), (PartState::Deleted, 2));
    let all = parts::list(&pool, &s.viewer, &PartQuery::default()).await.unwrap();
    assert_eq!(all.items.iter().map(|p| p.id).collect::<Vec<_>>(), [id]);
    let (status, body) = problem(go(&pool, &s.lead, gone, PartAction::Delete).await.unwrap_err());
    assert_eq!((status, body["state"].as_str()), (409, Some("deleted")));
}

#[sqlx::test]
async fn of_twenty_people_claiming_one_part_at_once_exactly_one_wins_and_the_rest_are_told_who(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn, 20).await;
    let s = shop(&pool, "Taller Carrera").await;
    let mut racers = Vec::new();
    for n in 0..20 {
        racers.push(Arc::new(person(&pool, s.tenant, Role::Operator, &format!("Tornero {n}")).await));
    }
    for round in 0..5 {
        let id = parts::create(&pool, &s.ana, &bracket("Eje", PartKind::Cnc), None).await.unwrap().part.id;
        go(&pool, &s.lead, id, PartAction::Approve).await.unwrap();
        let mut handles = Vec::new();
        for r in &racers {
            let (pool, r) = (pool.clone(), r.clone());
            handles.push(tokio::spawn(async move { go(&pool, &r, id, PartAction::Claim).await }));
        }
        let (mut winners, mut named) = (Vec::new(), Vec::new());
        for h in handles {
            match h.await.unwrap() {
                Ok(d) => winners.push(d.part.assignee.unwrap().name),
                Err(e) => {
                    let (status, body) = problem(e);
                    assert_eq!((status, body["state"].as_str()), (409, Some("claimed")), "round {round}: {body}");
                    named.push(body["holder"]["name"].as_str().unwrap().to_owned());
                }
            }
        }
        assert_eq!((winners.len(), named.len()), (1, 19), "round {round}");
        assert!(named.iter().all(|n| *n == winners[0]), "round {round}: {named:?} vs {winners:?}");
        let (rebuilt, row) = rebuilt_and_row(&pool, &s.viewer, id).await;
        assert_eq!((rebuilt, row.1), (row, 3), "one claim recorded");
    }
}

#[sqlx::test]
async fn a_claim_past_its_lease_goes_back_to_its_queue_with_an_event_and_a_notice(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn, 5).await;
    let s = shop(&pool, "Taller Plazo").await;
    let meta = RequestMeta::default();
    // A lead sets the lease; a claim made now gets it, and its holder extends it from now.
    let bad = setup::save_settings(
        &pool,
        &s.lead,
        &crate::fabrication::rules::views::FabSettings { lease_minutes: 5 },
        &meta,
    )
    .await;
    assert!(matches!(bad, Err(Error::Validation(_))));
    assert!(matches!(
        setup::save_settings(
            &pool,
            &s.ana,
            &crate::fabrication::rules::views::FabSettings { lease_minutes: 30 },
            &meta
        )
        .await,
        Err(Error::Forbidden)
    ));
    setup::save_settings(&pool, &s.lead, &crate::fabrication::rules::views::FabSettings { lease_minutes: 30 }, &meta)
        .await
        .unwrap();
    let id = parts::create(&pool, &s.ana, &bracket("Buje", PartKind::Hand), None).await.unwrap().part.id;
    go(&pool, &s.lead, id, PartAction::Approve).await.unwrap();
    let d = go(&pool, &s.beto, id, PartAction::Claim).await.unwrap();
    assert_eq!((d.part.claim_expires_at.unwrap() - d.part.claimed_at.unwrap()).num_minutes(), 30);
    let d2 = go(&pool, &s.beto, id, PartAction::Extend).await.unwrap();
    assert!(d2.part.claim_expires_at >= d.part.claim_expires_at);
    // Nothing is past its lease: the job does nothing.
    assert_eq!(leases::expire(&pool).await.unwrap(), 0);
    // The lease ends (time passes: its end moved back).
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    sqlx::query("update fabrication_parts set claim_expires_at = now() - interval '1 minute' where id = $1")
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(leases::expire(&pool).await.unwrap(), 1);
    let d = parts::get(&pool, &s.viewer, id).await.unwrap();
    assert_eq!((d.part.state, d.part.assignee.clone(), d.part.claim_expires_at), (PartState::Hand, None, None));
    let last = d.timeline.last().unwrap();
    assert_eq!((last.action.as_str(), last.by.clone()), ("expire", None), "the system's step");
    assert_eq!(last.party.as_ref().map(|p| p.name.as_str()), Some("Beto Fresador"), "naming whose claim it was");
    assert_eq!(notices(&pool, s.tenant, uid(&s.beto)).await, ["claim_expired"]);
    let (rebuilt, row) = rebuilt_and_row(&pool, &s.viewer, id).await;
    assert_eq!(rebuilt, row);
    // The statistics count it, and the job has nothing more to do.
    assert_eq!(stats::stats(&pool, &s.viewer, None).await.unwrap().claims_expired, 1);
    assert_eq!(leases::expire(&pool).await.unwrap(), 0);
    // Nobody may expire a claim by hand.
    go(&pool, &s.ana, id, PartAction::Claim).await.unwrap();
    assert!(matches!(go(&pool, &s.lead, id, PartAction::Expire).await, Err(Error::Validation(_))));
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";
const PDF2: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Rev 2 >>\nendobj\n";
const EXE: &[u8] = &[b'M', b'Z', 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0];

#[sqlx::test]
async fn drawings_have_revisions_and_a_new_one_must_be_seen_before_the_part_is_completed(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn, 5).await;
    let s = shop(&pool, "Taller Planos").await;
    let id = parts::create(&pool, &s.ana, &bracket("Placa base", PartKind::Cnc), None).await.unwrap().part.id;
    // Renamed programs, files of other types and oversize files are refused, keeping nothing.
    for (name, bytes) in [("plano.pdf", EXE), ("notas.txt", b"texto".as_slice())] {
        match drawings::add(&pool, &s.ana, id, name, bytes, "").await.unwrap_err() {
            Error::Validation(f) => {
                assert_eq!((f[0].field.as_str(), f[0].code), ("file", ErrorCode::FileType), "{name}")
            }
            e => panic!("{e:?}"),
        }
    }
    let big = [PDF, &vec![b' '; crate::files::rules::MAX_BYTES]].concat();
    match drawings::add(&pool, &s.ana, id, "grande.pdf", &big, "").await.unwrap_err() {
        Error::Validation(f) => assert_eq!(f[0].code, ErrorCode::FileTooLarge),
        e => panic!("{e:?}"),
    }
    // The requester's drawing waits for a lead; she cannot approve it herself.
    let d = drawings::add(&pool, &s.ana, id, "placa.pdf", PDF, "Primera versión").await.unwrap();
    assert_eq!((d.drawings.len(), d.part.drawing_revision, d.drawings[0].approved_by.clone()), (1, None, None));
    assert!(matches!(drawings::approve(&pool, &s.ana, id, 1).await, Err(Error::Rejected(_))));
    let d = drawings::approve(&pool, &s.lead, id, 1).await.unwrap();
    assert_eq!((d.part.drawing_revision, d.drawings[0].current), (Some(1), true));
    go(&pool, &s.owner, id, PartAction::Approve).await.unwrap();
    let d = go(&pool, &s.beto, id, PartAction::Claim).await.unwrap();
    assert!(!d.part.drawing_changed, "he claimed it with revision 1 current");
    // A lead uploads revision 2 while Beto holds it: current at once; Beto is told, and must acknowledge it before
    // completing.
    let d = drawings::add(&pool, &s.lead, id, "placa-r2.pdf", PDF2, "Agujeros a 10 mm").await.unwrap();
    assert_eq!((d.part.drawing_revision, d.part.drawing_changed), (Some(2), true));
    assert_eq!(notices(&pool, s.tenant, uid(&s.beto)).await, ["part_changed"]);
    let (status, body) = problem(go(&pool, &s.beto, id, PartAction::Complete).await.unwrap_err());
    assert_eq!(
        (status, body["problem"].as_str(), body["revision"].as_i64()),
        (409, Some("drawing_not_acknowledged"), Some(2))
    );
    let d = go(&pool, &s.beto, id, PartAction::Acknowledge).await.unwrap();
    assert!(!d.part.drawing_changed);
    let d = go(&pool, &s.beto, id, PartAction::Complete).await.unwrap();
    assert_eq!(d.made_from_revision, Some(2), "the part records the revision it was made from");
    // An older revision cannot be approved over a newer one; the file reads back as uploaded.
    let (status, body) = problem(drawings::approve(&pool, &s.owner, id, 1).await.unwrap_err());
    assert_eq!((status, body["problem"].as_str()), (409, Some("drawing_superseded")));
    let (meta, bytes) = drawings::file(&pool, &s.viewer, id, 2).await.unwrap();
    assert_eq!(
        (meta.name.as_str(), meta.media_type.as_str(), bytes.as_slice()),
        ("placa-r2.pdf", "application/pdf", PDF2)
    );
    assert!(matches!(drawings::file(&pool, &s.viewer, id, 3).await, Err(Error::NotFound)));
    let steps: Vec<&str> = d.timeline.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        steps,
        ["created", "add_drawing", "approve_drawing", "approve", "claim", "add_drawing", "acknowledge", "complete"]
    );
    let (rebuilt, row) = rebuilt_and_row(&pool, &s.viewer, id).await;
    assert_eq!(rebuilt, row);
}

#[sqlx::test]
async fn another_organisation_sees_and_moves_none_of_the_shops_parts(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn, 5).await;
    let s = shop(&pool, "Taller Propio").await;
    let other = shop(&pool, "Taller Ajeno").await;
    let id = parts::create(&pool, &s.ana, &bracket("Secreta", PartKind::Cnc), None).await.unwrap().part.id;
    assert!(matches!(parts::get(&pool, &other.viewer, id).await, Err(Error::NotFound)));
    assert!(matches!(go(&pool, &other.lead, id, PartAction::Approve).await, Err(Error::NotFound)));
    assert!(parts::list(&pool, &other.viewer, &PartQuery::default()).await.unwrap().items.is_empty());
    assert_eq!(stats::stats(&pool, &other.viewer, None).await.unwrap().total, 0);
}

#[sqlx::test]
async fn random_actions_through_the_service_never_leave_an_illegal_part_and_the_figures_equal_the_counts(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn, 5).await;
    let s = shop(&pool, "Taller Azar").await;
    let people = [&s.lead, &s.owner, &s.ana, &s.beto];
    let mut ids = Vec::new();
    for n in 0..8 {
        let kind = if n % 2 == 0 { PartKind::Cnc } else { PartKind::Hand };
        let who = people[n % people.len()];
        ids.push(parts::create(&pool, who, &bracket(&format!("Pieza {n}"), kind), None).await.unwrap().part.id);
    }
    let meta = RequestMeta::default();
    let mut subsystems = vec![None];
    for name in ["Moldes", "Troqueles"] {
        subsystems.push(Some(setup::save_subsystem(&pool, &s.lead, None, name, false, &meta).await.unwrap().id));
    }
    let actions = PartAction::BUTTONS;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(27);
    let mut done = 0;
    for _ in 0..400 {
        let i = rng.gen_range(0..ids.len());
        let id = ids[i];
        let who = people[rng.gen_range(0..people.len())];
        // Now and then a lead moves the part to another subsystem (or none): the counts follow it.
        if rng.gen_ratio(1, 12) {
            let part = parts::get(&pool, &s.lead, id).await.unwrap().part;
            let input = PartInput {
                subsystem: subsystems[rng.gen_range(0..subsystems.len())],
                ..bracket(&part.name, part.kind)
            };
            match parts::edit(&pool, &s.lead, id, &input, part.version).await {
                Ok(_) => done += 1,
                Err(Error::Rejected(r)) => assert_eq!(r.status, 409, "{r:?}"),
                Err(e) => panic!("edit: {e:?}"),
            }
            continue;
        }
        // Mostly what the part's page offers the person, sometimes anything at all (what a hostile client sends).
        // (Deleting is absorbing: left to the rare anything-at-all, so the walk keeps parts moving.)
        let mut offered = parts::get(&pool, who, id).await.unwrap().actions;
        offered.retain(|a| *a != PartAction::Delete);
        let action = if rng.gen_ratio(1, 10) {
            PartAction::Assign
        } else if !offered.is_empty() && rng.gen_ratio(9, 10) {
            offered[rng.gen_range(0..offered.len())]
        } else {
            actions[rng.gen_range(0..actions.len())]
        };
        let input = ActInput {
            comment: Some("Motivo"),
            assignee: Some(uid(people[rng.gen_range(0..people.len())])),
            ..ActInput::default()
        };
        match act(&pool, who, id, action, &input).await {
            Ok(_) => done += 1,
            // Refusals are the workflow's answers: not from this state (409), not theirs (403), the drawing.
            Err(Error::Rejected(r)) => assert!(matches!(r.status, 403 | 409), "{r:?}"),
            Err(e) => panic!("{action:?}: {e:?}"),
        }
    }
    assert!(done > 150, "the walk moved parts ({done} actions taken)");
    for id in &ids {
        let (rebuilt, row) = rebuilt_and_row(&pool, &s.viewer, *id).await;
        assert_eq!(rebuilt, row, "part {id}");
    }
    let st = stats::stats(&pool, &s.viewer, None).await.unwrap();
    let listed = parts::list(&pool, &s.viewer, &PartQuery { limit: Some(200), ..PartQuery::default() }).await.unwrap();
    for c in &st.by_state {
        let n = listed.items.iter().filter(|p| p.state == c.state).count() as i64;
        assert_eq!(c.count, n, "{:?}", c.state);
        let by_subsystem: i64 = st.by_subsystem.iter().filter(|b| b.state == c.state).map(|b| b.count).sum();
        assert_eq!(by_subsystem, c.count, "{:?}", c.state);
    }
    assert_eq!(st.total, listed.items.len() as i64);
    for b in &st.by_subsystem {
        let id = b.subsystem.as_ref().map(|x| x.id);
        let n = listed.items.iter().filter(|p| p.state == b.state && p.subsystem.as_ref().map(|x| x.id) == id).count();
        assert_eq!(b.count, n as i64, "{:?} in {id:?}", b.state);
    }
    assert!(st.by_subsystem.iter().any(|b| b.subsystem.is_some()), "parts moved into subsystems are counted there");
    let board = parts::board(&pool, &s.viewer, 25).await.unwrap();
    assert_eq!(board.counts, st.by_state, "the board's columns count what the statistics count");
    let completed: i64 = st.completed_per_week.iter().map(|w| w.count).sum();
    let mut tx = db::begin(&pool, Scope::Tenant(s.tenant)).await.unwrap();
    let completions: i64 = sqlx::query_scalar(
        "select count(*) from workflow_events where subject = 'fabrication_part' and action = 'complete'",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(completed, completions, "every completion is counted in its week");
    let _ = PartSort::Created;
}

#[sqlx::test]
async fn the_demo_tool_room_has_parts_in_every_state_once(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn, 5).await;
    crate::identity::service::demo::seed(&pool, "Demo-Passw0rd").await.unwrap();
    assert!(crate::fabrication::service::demo::configure(&pool).await.unwrap());
    assert!(!crate::fabrication::service::demo::configure(&pool).await.unwrap(), "built once");
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let tenant: TenantId = sqlx::query_scalar("select tenant_id from users where email = 'lector@planta.demo'")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let viewer = person(&pool, tenant, Role::Viewer, "Mirón").await;
    let st = stats::stats(&pool, &viewer, None).await.unwrap();
    for c in &st.by_state {
        assert!(c.count > 0, "{:?} has none", c.state);
    }
    let deleted = crate::fabrication::service::demo::PARTS as i64 - st.total;
    assert!(deleted > 0, "a few were withdrawn");
    let board = parts::board(&pool, &viewer, 5).await.unwrap();
    let changed = parts::list(&pool, &viewer, &PartQuery { limit: Some(200), ..PartQuery::default() }).await.unwrap();
    assert!(changed.items.iter().any(|p| p.drawing_revision.is_some()));
    assert_eq!(board.counts, st.by_state);
}
