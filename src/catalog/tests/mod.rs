//! Catalog store and service tests on a real PostgreSQL: a fresh migrated database per test (`#[sqlx::test]`), the
//! pool built as production builds it (every connection runs as `nexus_app`, under row-level security).

use std::path::PathBuf;
use std::sync::Arc;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::rules::import::{Entity, RowProblem};
use super::service::import::{ImportError, ImportReport, Silent, import_dir};
use crate::db::{self, Scope};

mod search;

async fn app_pool(opts: PgPoolOptions, conn: PgConnectOptions) -> PgPool {
    db::app_pool_options(opts.max_connections(5)).connect_with(conn).await.unwrap()
}

/// A folder holding the given files, removed when dropped.
struct Folder(PathBuf);

impl Folder {
    fn with(files: &[(&str, &str)]) -> Self {
        let dir = std::env::temp_dir().join(format!("nexus-catalog-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        Folder(dir)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const PARTS: &str = "\u{feff}manufacturer,number,name,group,description,legacy_id
Toyota,04465-02220,Pastillas de freno delanteras,Frenos > Pastillas,Juego de 4,1
Toyota,90915-YZZD2,Filtro de aceite,Motor > Filtros > Aceite,,2
Nissan,41060-EL00A,Pastillas de freno delanteras,Frenos > Pastillas,,3
Toyota,04465 02220,Pastillas de freno delanteras (juego),Frenos > Pastillas,Juego de 4,4
Toyota,--,Sin número,,,5
Nissan,15208-65F0E,,Motor > Filtros > Aceite,,6
";

const VEHICLES: &str = "code,make,model,year_from,year_to,engine,displacement_l,fuel
TOY-HILUX-16,Toyota,Hilux,2016,2023,2GD-FTV,\"2,4\",diesel
NIS-TSURU-92,Nissan,Tsuru,1992,2017,GA16DE,1.6,gasoline
";

const FITMENT: &str = "manufacturer,number,vehicle_code,position
TOYOTA,0446502220,TOY-HILUX-16,delantera
Toyota,90915YZZD2,TOY-HILUX-16,
Nissan,41060-EL00A,NIS-TSURU-92,delantera
Nissan,41060-EL00A,NIS-SENTRA-20,delantera
Nissan,99999,NIS-TSURU-92,
";

const AFTERMARKET: &str = "manufacturer,number,name,tier,reference_price,currency,oem_manufacturer,oem_number
Brembo,P 83 152,Pastillas cerámicas,premium,\"1.234,50\",MXN,Toyota,04465-02220
Bosch,0 986 494 123,Pastillas,standard,899,,Toyota,04465-02220
Fritec,FR-1,Pastillas,economy,,,Toyota,00000-00000
";

const CROSS_REFS: &str = "oem_manufacturer,oem_number,number,source,kind
Toyota,04465-02220,04465-02200,Toyota,supersedes
Toyota,90915-YZZD2,90915-10001,TecDoc,equivalent
";

fn all_files() -> Folder {
    Folder::with(&[
        ("parts.csv", PARTS),
        ("vehicles.csv", VEHICLES),
        ("fitment.csv", FITMENT),
        ("aftermarket.csv", AFTERMARKET),
        ("cross_refs.csv", CROSS_REFS),
    ])
}

async fn import(pool: &PgPool, folder: &Folder) -> Result<ImportReport, ImportError> {
    import_dir(pool, &folder.0, "test", Arc::new(Silent)).await.unwrap()
}

fn file(r: &ImportReport, e: Entity) -> &super::service::import::FileReport {
    r.files.iter().find(|f| f.entity == e).unwrap()
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    let mut tx = db::begin(pool, Scope::Platform).await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut *tx).await.unwrap()
}

#[sqlx::test]
async fn an_import_loads_every_entity_and_reports_each_rejected_line(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let folder = all_files();
    let r = import(&pool, &folder).await.unwrap();

    let parts = file(&r, Entity::Parts);
    // Six lines: line 5 repeats line 2's key (the last wins, said), line 6 has no number, line 7 no name.
    assert_eq!((parts.rows, parts.inserted, parts.updated, parts.unchanged, parts.rejected), (6, 3, 0, 0, 3));
    let problems: Vec<(u64, RowProblem)> = parts.rejects.iter().map(|r| (r.line, r.problem.clone())).collect();
    assert_eq!(
        problems,
        [
            (2, RowProblem::Duplicate { key: "TOYOTA 0446502220".into() }),
            (6, RowProblem::InvalidNumber { column: "number".into() }),
            (7, RowProblem::Missing { column: "name".into() }),
        ]
    );
    assert_eq!(parts.ignored_columns, ["legacy_id"]);
    // Toyota, Nissan from parts; Brembo, Bosch from aftermarket (Fritec's only row is rejected first).
    assert_eq!(r.manufacturers_created, 4);
    // Frenos, Frenos › Pastillas, Motor, Motor › Filtros, Motor › Filtros › Aceite.
    assert_eq!(r.groups_created, 5);
    assert_eq!(
        count(&pool, "select count(*) from catalog_parts where name = 'Pastillas de freno delanteras (juego)'").await,
        1
    );

    let fitment = file(&r, Entity::Fitment);
    assert_eq!((fitment.inserted, fitment.rejected), (3, 2));
    assert_eq!(
        fitment.rejects.iter().map(|r| (r.line, r.problem.clone())).collect::<Vec<_>>(),
        [
            (5, RowProblem::UnknownReference { what: "vehicle".into(), key: "NIS-SENTRA-20".into() }),
            (6, RowProblem::UnknownReference { what: "part".into(), key: "NISSAN 99999".into() }),
        ]
    );
    assert_eq!(
        count(&pool, "select fitment_count::bigint from catalog_parts where number_key = '0446502220'").await,
        1
    );

    let aftermarket = file(&r, Entity::Aftermarket);
    assert_eq!((aftermarket.inserted, aftermarket.rejected), (2, 1));
    assert_eq!(
        count(&pool, "select (reference_price * 100)::bigint from catalog_aftermarket where number_key = 'P83152'")
            .await,
        123_450
    );
    assert_eq!(file(&r, Entity::CrossRefs).inserted, 2);
    assert_eq!(file(&r, Entity::Vehicles).inserted, 2);

    // Words are searchable in Spanish, accents and plurals aside, and the typo vocabulary knows them.
    assert_eq!(
        count(
            &pool,
            "select count(*) from catalog_parts where search @@ plainto_tsquery('nexus_es', 'pastilla delantera')"
        )
        .await,
        2
    );
    assert_eq!(count(&pool, "select count(*) from catalog_words where word = 'pastillas'").await, 1);
    // The run is on record.
    assert_eq!(
        count(&pool, "select count(*) from catalog_runs where kind = 'import' and status = 'succeeded'").await,
        1
    );
}

/// A key written twice in one file, in any of the five files, is loaded once (the last line) and the earlier line
/// reported; the parser's hash of the keys decides whether the database looks for repeats at all, so every file's
/// key columns must be the ones the database compares.
#[sqlx::test]
async fn a_key_repeated_in_any_file_keeps_its_last_line(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    // Each file's last line repeats an earlier line's key, written differently and with other values.
    let again = |text: &str, line: &str| format!("{}\n{line}\n", text.trim_end());
    let folder = Folder::with(&[
        ("parts.csv", PARTS),
        ("vehicles.csv", &again(VEHICLES, "TOY-HILUX-16,Toyota,Hilux Revo,2016,2023,2GD-FTV,2.4,diesel")),
        ("fitment.csv", &again(FITMENT, "TOYOTA,90915 yzzd2,TOY-HILUX-16,")),
        (
            "aftermarket.csv",
            &again(AFTERMARKET, "BREMBO,P83152,Pastillas cerámicas HP,premium,1300,MXN,toyota,0446502220"),
        ),
        ("cross_refs.csv", &again(CROSS_REFS, "TOYOTA,90915YZZD2,90915 10001,TecDoc,supersedes")),
    ]);
    let r = import(&pool, &folder).await.unwrap();
    for (entity, line) in
        [(Entity::Vehicles, 2), (Entity::Fitment, 3), (Entity::Aftermarket, 2), (Entity::CrossRefs, 3)]
    {
        let f = file(&r, entity);
        assert!(
            f.rejects.iter().any(|r| r.line == line && matches!(r.problem, RowProblem::Duplicate { .. })),
            "{entity:?}: {:?}",
            f.rejects
        );
    }
    assert_eq!(count(&pool, "select count(*) from catalog_vehicles where model = 'Hilux Revo'").await, 1);
    assert_eq!(count(&pool, "select count(*) from catalog_aftermarket where name = 'Pastillas cerámicas HP'").await, 1);
    assert_eq!(count(&pool, "select count(*) from catalog_cross_refs where kind = 'supersedes'").await, 2);
}

/// The catalog tables' indexes and foreign keys, as PostgreSQL describes them.
async fn schema(pool: &PgPool) -> Vec<String> {
    let mut tx = db::begin(pool, Scope::Platform).await.unwrap();
    sqlx::query_scalar(
        "select pg_get_indexdef(indexrelid) from pg_index where indrelid::regclass::text like 'catalog_%'
         union all
         select conrelid::regclass::text || ' ' || pg_get_constraintdef(oid) from pg_constraint
         where conrelid::regclass::text like 'catalog_%' and contype = 'f'
         order by 1",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap()
}

/// A new catalog loads with its secondary indexes and foreign keys set aside and rebuilt at the end: afterwards
/// they are all there as the migrations made them, and they hold (a fitment row must name a part).
#[sqlx::test]
async fn a_first_import_rebuilds_every_index_and_foreign_key(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let before = schema(&pool).await;
    assert!(before.iter().any(|d| d.contains("catalog_parts_search_idx")), "{before:?}");
    import(&pool, &all_files()).await.unwrap();
    assert_eq!(schema(&pool).await, before);
    let mut tx = db::begin(&pool, Scope::Platform).await.unwrap();
    let orphan = sqlx::query(
        "insert into catalog_fitment (part_id, vehicle_id, position) select max(id) + 1000, 1, '' from catalog_parts",
    )
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert!(orphan.to_string().contains("catalog_fitment_part_id_fkey"), "{orphan}");
}

#[sqlx::test]
async fn importing_the_same_files_again_changes_nothing(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let folder = all_files();
    import(&pool, &folder).await.unwrap();
    let again = import(&pool, &folder).await.unwrap();
    for f in &again.files {
        assert_eq!((f.inserted, f.updated), (0, 0), "{:?}", f.entity);
    }
    assert_eq!(file(&again, Entity::Parts).unchanged, 3);
    assert_eq!(file(&again, Entity::Fitment).unchanged, 3);
    assert_eq!((again.manufacturers_created, again.groups_created), (0, 0));

    // A changed name is an update, and only that row is.
    let changed = PARTS.replace("Filtro de aceite", "Filtro de aceite (cartucho)");
    let folder = Folder::with(&[("parts.csv", &changed)]);
    let r = import(&pool, &folder).await.unwrap();
    let parts = file(&r, Entity::Parts);
    assert_eq!((parts.inserted, parts.updated, parts.unchanged), (0, 1, 2));
}

#[sqlx::test]
async fn a_malformed_file_is_refused_with_its_line_and_nothing_is_written(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    let before = schema(&pool).await;
    // parts.csv is fine; fitment.csv's line 3 has a field too many: the whole import is refused.
    let broken = "manufacturer,number,vehicle_code\nToyota,04465-02220,TOY-HILUX-16\nToyota,1,2,3\n";
    let folder = Folder::with(&[("parts.csv", PARTS), ("vehicles.csv", VEHICLES), ("fitment.csv", broken)]);
    let refused = import(&pool, &folder).await.unwrap_err();
    assert!(matches!(&refused, ImportError::Malformed { file, line: 3, .. } if file == "fitment.csv"), "{refused:?}");
    assert_eq!(count(&pool, "select count(*) from catalog_parts").await, 0);
    assert_eq!(count(&pool, "select count(*) from catalog_manufacturers").await, 0);
    assert_eq!(count(&pool, "select count(*) from catalog_runs where status = 'failed'").await, 1);
    assert_eq!(schema(&pool).await, before, "a refused load leaves every index and foreign key in place");

    let latin1 = Folder::with(&[]);
    std::fs::write(latin1.0.join("parts.csv"), b"manufacturer,number,name\nToyota,123,Buj\xeda\n").unwrap();
    let refused = import(&pool, &latin1).await.unwrap_err();
    assert!(matches!(refused, ImportError::Malformed { line: 2, column: Some(3), .. }), "{refused:?}");

    let no_name = Folder::with(&[("parts.csv", "manufacturer,number\nToyota,123\n")]);
    assert_eq!(
        import(&pool, &no_name).await.unwrap_err(),
        ImportError::MissingColumn { file: "parts.csv".into(), column: "name".into() }
    );
    let empty = Folder::with(&[]);
    assert!(matches!(import(&pool, &empty).await.unwrap_err(), ImportError::NothingToImport { .. }));
}

#[sqlx::test]
async fn the_legacy_migration_moves_aft_parts_to_their_oem_part_and_reports_the_rest(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    use super::rules::legacy::{manufacturer_key, parse_legacy_key};
    use super::service::legacy::migrate_legacy;

    let pool = app_pool(opts, conn).await;
    // Known manufacturers include the multi-dash "BOSCH-PRO" and plain "BOSCH" (as parts of their own).
    let parts = "manufacturer,number,name,group
Toyota,04465-02220,Pastillas de freno delanteras,Frenos > Pastillas
Bosch-Pro,BP-1,Pastillas Bosch Pro,Frenos > Pastillas
Bosch,B-1,Pastillas Bosch,Frenos > Pastillas
Legacy,AFT-123-ABC-BOSCH-PRO,Pastillas cerámicas Bosch Pro,Frenos > Pastillas
Legacy,AFT-0986-494-123-BOSCH,Pastillas Bosch,Frenos > Pastillas
Legacy,AFT-X1-NEWBRAND,Pastillas sin origen,Frenos > Pastillas
Legacy,AFT-12345,Sin fabricante,Frenos > Pastillas
";
    let fitment = "manufacturer,number,vehicle_code,position
Toyota,04465-02220,TOY-HILUX-16,delantera
Legacy,AFT-0986-494-123-BOSCH,TOY-HILUX-16,delantera
Legacy,AFT-0986-494-123-BOSCH,NIS-TSURU-92,delantera
";
    let cross = "oem_manufacturer,oem_number,number,source,kind
Toyota,04465-02220,123-ABC,Bosch-Pro,equivalent
";
    let folder = Folder::with(&[
        ("parts.csv", parts),
        ("vehicles.csv", VEHICLES),
        ("fitment.csv", fitment),
        ("cross_refs.csv", cross),
    ]);
    import(&pool, &folder).await.unwrap();

    let r = migrate_legacy(&pool, "test").await.unwrap();
    assert_eq!(
        (r.legacy, r.migrated, r.via_cross_ref, r.via_fitment, r.no_oem_match, r.unparseable),
        (4, 2, 1, 1, 1, 1)
    );
    assert_eq!((r.manufacturers_created, r.aftermarket_created, r.fitment_relinked), (0, 2, 1));
    assert_eq!(r.unmatched, ["AFT-X1-NEWBRAND"]);

    // The SQL took the keys apart as the rule does.
    let known = ["TOYOTA", "BOSCH-PRO", "BOSCH", "LEGACY"];
    for (key, number, manufacturer) in
        [("AFT-123-ABC-BOSCH-PRO", "123-ABC", "BOSCH-PRO"), ("AFT-0986-494-123-BOSCH", "0986-494-123", "BOSCH")]
    {
        let rule = parse_legacy_key(key, |m| known.contains(&m)).unwrap();
        assert_eq!((rule.number.as_str(), manufacturer_key(&rule.manufacturer).as_str()), (number, manufacturer));
        let stored = count(
            &pool,
            &format!(
                "select count(*) from catalog_aftermarket a join catalog_manufacturers m on m.id = a.manufacturer_id
                 join catalog_parts p on p.id = a.part_id
                 where a.number = '{number}' and m.key = '{manufacturer}' and p.number = '04465-02220'"
            ),
        )
        .await;
        assert_eq!(stored, 1, "{key}");
    }
    // The matched fake parts are gone; the Tsuru fitment moved to the OEM part, which now fits two vehicles.
    assert_eq!(count(&pool, "select count(*) from catalog_parts where number like 'AFT-%'").await, 2);
    assert_eq!(count(&pool, "select fitment_count::bigint from catalog_parts where number = '04465-02220'").await, 2);

    // Again: only what could not be matched is found, and left.
    let again = migrate_legacy(&pool, "test").await.unwrap();
    assert_eq!((again.legacy, again.migrated, again.no_oem_match, again.unparseable), (2, 0, 1, 1));
    assert_eq!(
        count(&pool, "select count(*) from catalog_runs where kind = 'migration' and status = 'succeeded'").await,
        2
    );
}

/// A part's page with the database away is "unavailable, try again" (503), never an internal error (it was: the
/// catalog's reads mapped every database error to internal, found when a replica was killed under load).
#[sqlx::test]
async fn a_part_read_with_the_database_away_is_unavailable(opts: PgPoolOptions, conn: PgConnectOptions) {
    let pool = app_pool(opts, conn).await;
    pool.close().await;
    let id = crate::ids::PartId(1);
    for e in [
        super::service::parts::part(&pool, id).await.unwrap_err(),
        super::service::parts::alternatives(&pool, id).await.unwrap_err(),
        super::service::parts::vehicle_options(&pool, &Default::default()).await.unwrap_err(),
    ] {
        assert!(matches!(e, crate::Error::Unavailable(_)), "{e:?}");
    }
}
