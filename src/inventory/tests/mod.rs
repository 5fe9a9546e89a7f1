//! Inventory store and service tests on a real PostgreSQL: a fresh migrated database per test (`#[sqlx::test]`), the
//! pool built as production builds it (every connection runs as `nexus_app`, under row-level security).

mod stock;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use uuid::Uuid;

use super::rules::file::{FileProblem, UploadLimits};
use super::rules::mapping::Field;
use super::rules::row::{Counts, Problem};
use super::rules::upload::{Mapping, ReadChoice};
use super::service::uploads::{self, NewUpload};
use crate::caller::{Caller, Machine, RequestMeta};
use crate::db::{self, Scope};
use crate::error::Error;
use crate::identity::rules::auth::ApiScope;
use crate::ids::TenantId;

async fn app_pool(opts: PgPoolOptions, conn: PgConnectOptions) -> PgPool {
    db::app_pool_options(opts.max_connections(5)).connect_with(conn).await.unwrap()
}

/// A tiny catalog: Toyota 04465-02220 (superseding 04465-02200) and 90915-YZZD2; Nissan 41060-EL00A and a second
/// part numbered like Toyota's filter (a shared key); Brembo P 83 152 replacing the Toyota pads.
async fn catalog(pool: &PgPool) {
    let mut tx = db::begin(pool, Scope::Platform).await.unwrap();
    for sql in [
        "insert into catalog_manufacturers (name, key) values ('Toyota', 'TOYOTA'), ('Nissan', 'NISSAN'), ('Brembo', 'BREMBO')",
        "insert into catalog_parts (manufacturer_id, number, number_key, name)
         select m.id, v.number, v.key, v.name from (values
             ('TOYOTA', '04465-02220', '0446502220', 'Pastillas de freno delanteras'),
             ('TOYOTA', '90915-YZZD2', '90915YZZD2', 'Filtro de aceite'),
             ('NISSAN', '41060-EL00A', '41060EL00A', 'Pastillas de freno delanteras'),
             ('NISSAN', '90915 YZZD2', '90915YZZD2', 'Filtro de aceite')) v(mfr, number, key, name)
         join catalog_manufacturers m on m.key = v.mfr",
        "insert into catalog_aftermarket (manufacturer_id, number, number_key, name, tier, part_id)
         select (select id from catalog_manufacturers where key = 'BREMBO'), 'P 83 152', 'P83152', 'Pastillas', 'premium',
                (select id from catalog_parts where number_key = '0446502220')",
        "insert into catalog_cross_refs (part_id, number, number_key, source, kind)
         select id, '04465-02200', '0446502200', 'Toyota', 'supersedes' from catalog_parts where number_key = '0446502220'",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn tenant(pool: &PgPool, kind: &str, name: &str) -> TenantId {
    let mut tx = db::begin(pool, Scope::Platform).await.unwrap();
    let id = sqlx::query_scalar("insert into tenants (kind, name, status) values ($1, $2, 'active') returning id")
        .bind(kind)
        .bind(name)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// What to do with an upload in a test.
#[derive(Debug, Clone, Copy, Default)]
struct Options {
    replace_location: bool,
    commit: bool,
}

/// What an upload did: its counts and (the first hundred of) its rejected rows.
#[derive(Debug)]
struct Outcome {
    counts: Counts,
    rejects: Vec<(u64, Problem)>,
}

/// A bodega's ERP, with a key that may write its inventory.
fn erp(bodega: TenantId) -> Caller {
    Caller::Machine(Machine {
        key_id: Uuid::new_v4(),
        tenant_id: bodega,
        name: "ERP".into(),
        scopes: vec![ApiScope::InventoryWrite],
        creator_role: crate::identity::rules::auth::Role::Warehouse,
        tenant_kind: crate::identity::rules::tenant::TenantKind::Warehouse,
    })
}

/// Receives `text` as a file through the upload flow (dry run, or commit), mapped by `mapping` (or as found).
async fn send(
    pool: &PgPool,
    bodega: TenantId,
    text: &str,
    mapping: Option<Mapping>,
    max_rows: u64,
    options: Options,
) -> Result<Outcome, Error> {
    let new = NewUpload {
        file_name: "existencias.csv".into(),
        bytes: text.as_bytes().to_vec(),
        choice: ReadChoice { mapping, ..ReadChoice::default() },
        commit: options.commit,
        replace_location: options.replace_location,
        allow_repeat: true,
        defer: false,
    };
    let limits = UploadLimits { max_rows, ..UploadLimits::default() };
    let view = uploads::receive(pool, &erp(bodega), &RequestMeta::default(), limits, new).await?;
    Ok(Outcome {
        counts: view.counts.expect("a complete mapping is dry-run"),
        rejects: view.rejects.into_iter().map(|r| (r.line, r.problem)).collect(),
    })
}

/// Rows as a file gives them (part number, price, stock, location, minimum order), under a header on line 1.
async fn upload(pool: &PgPool, bodega: TenantId, cells: &[[&str; 5]], options: Options) -> Outcome {
    let mut text = String::from("Parte;Precio;Existencia;Ubicación;Mínimo\n");
    for c in cells {
        text.push_str(&c.join(";"));
        text.push('\n');
    }
    let mapping: Mapping =
        [(Field::PartNumber, 0), (Field::Price, 1), (Field::Stock, 2), (Field::Location, 3), (Field::MinOrderQty, 4)]
            .into();
    send(pool, bodega, &text, Some(mapping), 1000, options).await.unwrap()
}

const COMMIT: Options = Options { replace_location: false, commit: true };

/// (number, location, price, stock) of the bodega's items, sorted.
async fn items(pool: &PgPool, bodega: TenantId) -> Vec<(String, String, i64, i32)> {
    let mut tx = db::begin(pool, Scope::Tenant(bodega)).await.unwrap();
    sqlx::query_as("select number, location, price_cents, stock from inventory_items order by number, location")
        .fetch_all(&mut *tx)
        .await
        .unwrap()
}

#[sqlx::test]
async fn rows_match_oem_aftermarket_and_superseded_numbers_and_say_why_others_do_not(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn).await;
    catalog(&pool).await;
    let bodega = tenant(&pool, "warehouse", "Bodega Norte").await;
    let file = [
        ["04465 02220", "1.234,50", "3", "", ""],      // OEM, written with a space
        ["P83152", "899", "10", "Pasillo 2", "2"],     // aftermarket
        ["04465-02200", "1200", "1", "Pasillo 2", ""], // superseded: the current Toyota part
        ["90915-YZZD2", "150", "4", "", ""],           // Toyota and Nissan share the key: ambiguous
        ["99999", "10", "1", "", ""],                  // unknown
        ["41060-EL00A", "N/A", "1", "", ""],           // text for a price
        ["41060-EL00A", "500", "-2", "", ""],          // negative stock
        ["0446502220", "1300", "5", "", ""],           // the first line's item again: the last wins
    ];
    let dry = upload(&pool, bodega, &file, Options::default()).await;
    assert_eq!((dry.counts.rows, dry.counts.new_items, dry.counts.rejected, dry.counts.unchanged), (8, 3, 5, 0));
    assert_eq!(
        dry.rejects,
        [
            (2, Problem::Duplicate { line: 9 }),
            (5, Problem::AmbiguousPart { number: "90915-YZZD2".into(), brands: "Nissan, Toyota".into() }),
            (6, Problem::UnknownPart { number: "99999".into() }),
            (7, Problem::NotANumber { field: Field::Price, value: "N/A".into() }),
            (8, Problem::NegativeStock),
        ]
    );
    assert!(items(&pool, bodega).await.is_empty(), "a dry run writes nothing");

    upload(&pool, bodega, &file, COMMIT).await;
    assert_eq!(
        items(&pool, bodega).await,
        [
            ("04465-02200".into(), "Pasillo 2".into(), 120_000, 1),
            ("0446502220".into(), "".into(), 130_000, 5),
            ("P83152".into(), "Pasillo 2".into(), 89_900, 10),
        ]
    );

    // Rejected rows go with their upload (a statement trigger keeps them together, not a per-row foreign key).
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let count = "select count(*) from inventory_upload_rejects where tenant_id = $1";
    let kept: i64 = sqlx::query_scalar(count).bind(bodega).fetch_one(&mut *tx).await.unwrap();
    assert_eq!(kept, 10, "two uploads' five rejected rows each");
    sqlx::query("delete from inventory_uploads where tenant_id = $1").bind(bodega).execute(&mut *tx).await.unwrap();
    let left: i64 = sqlx::query_scalar(count).bind(bodega).fetch_one(&mut *tx).await.unwrap();
    assert_eq!(left, 0);
}

#[sqlx::test]
async fn rows_are_matched_against_the_catalog_as_it_is_when_they_are_read(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    catalog(&pool).await;
    let bodega = tenant(&pool, "warehouse", "Bodega Norte").await;
    // A superseded number names the same part as its OEM number: one item, so the last line wins.
    let file = [["0446502220", "100", "1", "", ""], ["04465-02200", "120", "2", "", ""], ["NEW-1", "5", "1", "", ""]];
    let dry = upload(&pool, bodega, &file, Options::default()).await;
    assert_eq!(
        dry.rejects,
        [(2, Problem::Duplicate { line: 3 }), (4, Problem::UnknownPart { number: "NEW-1".into() })]
    );

    // The catalog changes between uploads (the keys kept in memory are read again): a part added is found, a
    // part's number changed is found by its new number only.
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    for sql in [
        "insert into catalog_parts (manufacturer_id, number, number_key, name)
         select id, 'NEW-1', 'NEW1', 'Bomba de agua' from catalog_manufacturers where key = 'TOYOTA'",
        "update catalog_parts set number = '41060-EL00B', number_key = '41060EL00B' where number_key = '41060EL00A'",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    let file = [["NEW-1", "5", "1", "", ""], ["41060-EL00A", "200", "1", "", ""], ["41060 EL00B", "200", "1", "", ""]];
    let next = upload(&pool, bodega, &file, COMMIT).await;
    assert_eq!(next.rejects, [(3, Problem::UnknownPart { number: "41060-EL00A".into() })]);
    assert_eq!(next.counts.new_items, 2);

    // An aftermarket number two brands share, and a superseded number two parts claim: ambiguous, brands named.
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    for sql in [
        "insert into catalog_manufacturers (name, key) values ('Bosch', 'BOSCH')",
        "insert into catalog_aftermarket (manufacturer_id, number, number_key, name, tier, part_id)
         select (select id from catalog_manufacturers where key = 'BOSCH'), 'P83152', 'P83152', 'Pastillas',
                'standard', (select id from catalog_parts where number_key = '0446502220')",
        "insert into catalog_cross_refs (part_id, number, number_key, source, kind)
         select id, '04465-02200', '0446502200', 'Nissan', 'equivalent' from catalog_parts
         where number_key = '41060EL00B'",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    let file = [["P83152", "899", "1", "", ""], ["04465-02200", "1200", "1", "", ""]];
    let last = upload(&pool, bodega, &file, Options::default()).await;
    assert_eq!(
        last.rejects,
        [
            (2, Problem::AmbiguousPart { number: "P83152".into(), brands: "Bosch, Brembo".into() }),
            (3, Problem::AmbiguousPart { number: "04465-02200".into(), brands: "Nissan, Toyota".into() }),
        ]
    );
}

#[sqlx::test]
async fn an_upload_sets_stock_per_location_and_replace_location_zeroes_the_rest(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn).await;
    catalog(&pool).await;
    let bodega = tenant(&pool, "warehouse", "Bodega Norte").await;
    upload(&pool, bodega, &[["0446502220", "100", "3", "", ""], ["41060EL00A", "200", "7", "", ""]], COMMIT).await;

    // The same figures again: unchanged, and nothing is added (a snapshot, not a delta).
    let again = upload(&pool, bodega, &[["0446502220", "100", "3", "", ""]], COMMIT).await;
    assert_eq!((again.counts.unchanged, again.counts.new_items), (1, 0));
    // New figures for one item and one new location; the other item stays as it was.
    let next =
        upload(&pool, bodega, &[["0446502220", "110", "2", "", ""], ["0446502220", "90", "1", "Sucursal", ""]], COMMIT)
            .await;
    assert_eq!((next.counts.price_changes, next.counts.stock_changes, next.counts.new_items), (1, 1, 1));
    assert_eq!(
        items(&pool, bodega).await,
        [
            ("0446502220".into(), "".into(), 11_000, 2),
            ("0446502220".into(), "Sucursal".into(), 9_000, 1),
            ("41060EL00A".into(), "".into(), 20_000, 7),
        ]
    );
    // Replace location: the default location's items absent from the file drop to zero; "Sucursal" is untouched.
    let replace = Options { replace_location: true, commit: true };
    let r = upload(&pool, bodega, &[["0446502220", "110", "2", "", ""]], replace).await;
    assert_eq!(r.counts.zeroed, 1);
    assert_eq!(
        items(&pool, bodega).await,
        [
            ("0446502220".into(), "".into(), 11_000, 2),
            ("0446502220".into(), "Sucursal".into(), 9_000, 1),
            ("41060EL00A".into(), "".into(), 20_000, 0),
        ]
    );
}

#[sqlx::test]
async fn workshops_see_active_bodegas_stock_only_through_availability(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    catalog(&pool).await;
    let norte = tenant(&pool, "warehouse", "Bodega Norte").await;
    let sur = tenant(&pool, "warehouse", "Bodega Sur").await;
    let taller = tenant(&pool, "workshop", "Taller Demo").await;
    upload(&pool, norte, &[["0446502220", "1300", "5", "", ""], ["P83152", "899", "2", "", ""]], COMMIT).await;
    upload(&pool, sur, &[["0446502220", "1250", "1", "Centro", ""], ["41060EL00A", "10", "0", "", ""]], COMMIT).await;

    let mut tx = db::begin(&pool, Scope::Tenant(taller)).await.unwrap();
    let seen: i64 = sqlx::query_scalar("select count(*) from inventory_items").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(seen, 0, "another tenant's items are invisible, whatever the query");
    let part: i64 = sqlx::query_scalar("select id from catalog_parts where number_key = '0446502220'")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let offers: Vec<(String, String, bool, String, i64, i32)> = sqlx::query_as(
        "select bodega, location, aftermarket, brand, price_cents, stock from inventory_availability($1)",
    )
    .bind(part)
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    assert_eq!(
        offers,
        [
            ("Bodega Norte".into(), "".into(), true, "Brembo".into(), 89_900, 2),
            ("Bodega Sur".into(), "Centro".into(), false, "Toyota".into(), 125_000, 1),
            ("Bodega Norte".into(), "".into(), false, "Toyota".into(), 130_000, 5),
        ]
    );
    // The scope is the caller's again after the call.
    let platform: bool = sqlx::query_scalar("select app_platform()").fetch_one(&mut *tx).await.unwrap();
    assert!(!platform);
    drop(tx);

    // A suspended bodega's stock is not offered.
    let mut admin = db::begin(&pool, Scope::Platform).await.unwrap();
    sqlx::query("update tenants set status = 'suspended' where id = $1")
        .bind(norte)
        .execute(&mut *admin)
        .await
        .unwrap();
    admin.commit().await.unwrap();
    let mut tx = db::begin(&pool, Scope::Tenant(taller)).await.unwrap();
    let bodegas: Vec<String> = sqlx::query_scalar("select bodega from inventory_availability($1)")
        .bind(part)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(bodegas, ["Bodega Sur"]);
}

/// A whole file through the upload flow: header found under its title, mapping suggested, rows checked and
/// streamed to the database.
async fn upload_file(
    pool: &PgPool,
    bodega: TenantId,
    text: &str,
    max_rows: u64,
    options: Options,
) -> Result<Outcome, FileProblem> {
    send(pool, bodega, text, None, max_rows, options).await.map_err(|e| match e {
        Error::Rejected(r) => r.reason().expect("an inventory refusal names a file problem"),
        other => panic!("{other:?}"),
    })
}

#[sqlx::test]
async fn a_file_is_read_checked_and_committed_or_refused_whole(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    catalog(&pool).await;
    let bodega = tenant(&pool, "warehouse", "Bodega Norte").await;
    let file = "Existencias al 31/10\n\nNº Parte;Descripción;Precio ($);Existencia\n\
                04465-02220;Pastillas;1.234,50;3\nP 83 152;Brembo;899,00;10\n99999;Nada;1,00;1\n";
    let dry = upload_file(&pool, bodega, file, 100, Options::default()).await.unwrap();
    assert_eq!((dry.counts.rows, dry.counts.new_items, dry.counts.rejected), (3, 2, 1));
    assert_eq!(dry.rejects, [(6, Problem::UnknownPart { number: "99999".into() })]);

    // Past the row limit the file is refused whole: nothing is written.
    assert_eq!(upload_file(&pool, bodega, file, 2, COMMIT).await.unwrap_err(), FileProblem::TooManyRows { limit: 2 });
    assert!(items(&pool, bodega).await.is_empty());

    upload_file(&pool, bodega, file, 100, COMMIT).await.unwrap();
    assert_eq!(
        items(&pool, bodega).await,
        [("04465-02220".into(), "".into(), 123_450, 3), ("P 83 152".into(), "".into(), 89_900, 10)]
    );
}

#[sqlx::test]
async fn a_commit_cut_off_by_a_stop_is_failed_at_start_but_one_still_running_is_not(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn).await;
    catalog(&pool).await;
    let bodega = tenant(&pool, "warehouse", "Bodega Norte").await;
    // A dry-run upload, then "committing" as a commit writes it before its long transaction.
    let new = NewUpload {
        file_name: "existencias.csv".into(),
        bytes: b"Parte,Precio,Existencia\n0446502220,10,1\n".to_vec(),
        ..NewUpload::default()
    };
    let view =
        uploads::receive(&pool, &erp(bodega), &RequestMeta::default(), UploadLimits::default(), new).await.unwrap();
    let status = |pool: PgPool, id: crate::ids::UploadId| async move {
        let mut tx = db::begin(&pool, Scope::Tenant(bodega)).await.unwrap();
        sqlx::query_scalar::<_, String>("select status from inventory_uploads where id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .unwrap()
    };
    let mut mark = db::begin(&pool, Scope::Tenant(bodega)).await.unwrap();
    sqlx::query("update inventory_uploads set status = 'committing' where id = $1")
        .bind(view.id)
        .execute(&mut *mark)
        .await
        .unwrap();
    mark.commit().await.unwrap();

    // While the bodega's commit still runs (its lock held), the upload is left alone.
    let mut running = db::begin(&pool, Scope::Tenant(bodega)).await.unwrap();
    let locked: bool = sqlx::query_scalar(
        "select pg_try_advisory_xact_lock(hashtextextended('nexus.inventory.commit:' || $1::text, 0))",
    )
    .bind(bodega)
    .fetch_one(&mut *running)
    .await
    .unwrap();
    assert!(locked);
    assert_eq!(uploads::fail_interrupted(&pool).await.unwrap(), 0);
    assert_eq!(status(pool.clone(), view.id).await, "committing");

    // Once no commit runs (the server that ran it stopped), it is failed, and nothing of it was written.
    // (An explicit rollback: dropping a transaction only queues its rollback, the lock would linger.)
    running.rollback().await.unwrap();
    assert_eq!(uploads::fail_interrupted(&pool).await.unwrap(), 1);
    assert_eq!(status(pool.clone(), view.id).await, "failed");
    let got = uploads::get(&pool, &erp(bodega), view.id).await.unwrap();
    assert_eq!(got.problem, Some(FileProblem::Interrupted));
    assert!(items(&pool, bodega).await.is_empty());
}

#[sqlx::test]
async fn a_part_deleted_from_the_catalog_takes_its_items_once_running_commits_end(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn).await;
    catalog(&pool).await;
    let norte = tenant(&pool, "warehouse", "Bodega Norte").await;
    let sur = tenant(&pool, "warehouse", "Bodega Sur").await;
    for bodega in [norte, sur] {
        upload(&pool, bodega, &[["0446502220", "100", "3", "", ""], ["41060EL00A", "200", "7", "A1", ""]], COMMIT)
            .await;
    }
    let delete_part = |pool: PgPool| async move {
        let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
        sqlx::query("set local lock_timeout = '300ms'").execute(&mut *tx).await.unwrap();
        let deleted = sqlx::query("delete from catalog_parts where number_key = '41060EL00A'").execute(&mut *tx).await;
        match deleted {
            Ok(_) => tx.commit().await.map(|_| ()),
            Err(e) => {
                tx.rollback().await.unwrap();
                Err(e)
            }
        }
    };

    // While a commit runs (it holds the catalog lock shared from before it matched its rows), the delete waits.
    let mut running = db::begin(&pool, Scope::Tenant(norte)).await.unwrap();
    sqlx::query("select pg_advisory_xact_lock_shared(hashtextextended('nexus.inventory.catalog', 0))")
        .execute(&mut *running)
        .await
        .unwrap();
    let waited = delete_part(pool.clone()).await.unwrap_err();
    assert_eq!(waited.as_database_error().and_then(|e| e.code()).as_deref(), Some("55P03"), "{waited}");
    assert_eq!(items(&pool, norte).await.len(), 2, "nothing changed while it waited");
    running.rollback().await.unwrap();

    // Then the part goes, and every bodega's items of it with it (the others stay).
    delete_part(pool.clone()).await.unwrap();
    for bodega in [norte, sur] {
        assert_eq!(items(&pool, bodega).await, [("0446502220".into(), "".into(), 10_000, 3)]);
    }
}

#[sqlx::test]
async fn a_file_of_several_stored_parts_gives_back_its_rejected_rows_cells(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    let pool = app_pool(opts, conn).await;
    catalog(&pool).await;
    let bodega = tenant(&pool, "warehouse", "Bodega Norte").await;
    // About 3 MB (files are kept in parts of 1 MB): valid rows, then a rejected one past the first parts.
    let mut text = String::from("Parte,Precio,Existencia,Nota\n");
    for i in 0..60_000 {
        text.push_str(&format!("0446502220,10,{},{}\n", i % 9, "x".repeat(40)));
    }
    text.push_str("99999-ZZ,10,1,la última\n");
    assert!(text.len() > 3 << 20);
    let new = NewUpload {
        file_name: "existencias.csv".into(),
        bytes: text.into_bytes(),
        commit: true,
        allow_repeat: true,
        ..NewUpload::default()
    };
    let view =
        uploads::receive(&pool, &erp(bodega), &RequestMeta::default(), UploadLimits::default(), new).await.unwrap();
    assert_eq!(view.counts.unwrap().rejected, 60_000, "59,999 repeats and one unknown part");
    let csv =
        uploads::rejects_csv(&pool, &erp(bodega), view.id, "Línea", "Motivo", |p| format!("{p:?}")).await.unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let last = csv.lines().last().unwrap();
    assert!(last.starts_with("60002,99999-ZZ,10,1,la última,"), "{last}");
    assert!(last.contains("UnknownPart"), "{last}");
}
