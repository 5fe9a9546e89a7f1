//! The item list's import and export against real PostgreSQL: a store room's own spreadsheet read by the bodega
//! upload's machinery, dry-run, imported in one transaction, and exported in the columns it reads back.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::{app_pool, balance, item, line, plant, post};
use crate::caller::RequestMeta;
use crate::error::Error;
use crate::stockroom::rules::ledger::Action;
use crate::stockroom::rules::quantity::{Qty, Unit};
use crate::stockroom::service::{ledger, setup};

/// Found by the bodega's users first: a store room's own list (Windows-1252, `;`, a title above the header, a decimal
/// comma) is read by the upload's machinery, dry-run, then imported in one transaction; its export reads back as it
/// is; and every row refused says why.
#[sqlx::test]
async fn an_item_list_is_imported_from_a_spreadsheet_and_its_export_reads_back(
    opts: PgPoolOptions,
    conn: PgConnectOptions,
) {
    use crate::inventory::rules::file::UploadLimits;
    use crate::stockroom::rules::import::{Column, RowProblem};
    use crate::stockroom::service::import::{self, ImportChoice, ImportRequest};
    let pool = app_pool(opts, conn, 4).await;
    let p = plant(&pool, "Planta Importa").await;
    let meta = RequestMeta::default();
    let taken = item(&pool, &p, "OLD-1", Unit::Piece, &[]).await;
    ledger::post(&pool, &p.supply, &post(vec![line(Action::Receive, taken, p.tools, 5)])).await.unwrap();
    let text = "Almacén general — inventario al 31/10\r\n\r\n\
                Clave;Descripción;U.M.;Familia;Código de barras;Costo;Departamento;Existencia;Mínimo\r\n\
                TAL-01;Taladro percutor;pza;Herramienta / Eléctrica;7501001;1.250,50;HERR;3;1\r\n\
                ACE-20;Aceite hidráulico;lts;Lubricantes;;85,00;Mantenimiento;12,5;4\r\n\
                ACE-20;;;;;;HERR;2;\r\n\
                OLD-1;Artículo renombrado;;;;;HERR;5;2\r\n\
                OLD-1;;;;;;HERR;1;\r\n\
                GUA-3;Guantes;par;Seguridad;75OLD-1;;;;\r\n\
                TOR-4;Tornillo;kg;;;;Bodega X;1;\r\n\
                ;Sin clave;;;;;;;\r\n\
                CIN-5;Cinta;galón;;;;;;\r\n\
                TAL-02;;pza;;;;;;\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let req = |commit: bool, choice: ImportChoice| ImportRequest {
        file_name: "inventario.csv".into(),
        bytes: bytes.to_vec(),
        choice,
        commit,
    };
    let limits = UploadLimits::default();
    let dry = import::import(&pool, &p.owner, &meta, limits, &req(false, ImportChoice::default())).await.unwrap();
    assert_eq!(
        (dry.header_row, dry.encoding.as_deref(), dry.delimiter.as_deref()),
        (3, Some("Windows-1252 / Latin-1"), Some(";"))
    );
    assert_eq!(dry.mapping.get(&Column::Name), Some(&1), "the description is the name");
    assert_eq!(dry.mapping.get(&Column::Quantity), Some(&7));
    assert_eq!(dry.rows, 10);
    assert_eq!((dry.new_items, dry.changed_items, dry.receipts, dry.levels), (2, 1, 3, 3), "{:?}", dry.rejects);
    assert_eq!(dry.new_categories, ["Herramienta", "Herramienta › Eléctrica", "Lubricantes"]);
    let problems: Vec<(u64, RowProblem)> = dry.rejects.iter().map(|r| (r.line, r.problem.clone())).collect();
    assert_eq!(
        problems,
        [
            (8, RowProblem::RepeatedSku { line: 7 }),
            (9, RowProblem::BarcodeTaken { code: "75OLD-1".into(), sku: "OLD-1".into() }),
            (10, RowProblem::UnknownDepartment { value: "Bodega X".into() }),
            (11, RowProblem::Missing { column: Column::Sku }),
            (12, RowProblem::UnknownUnit { value: "galón".into() }),
            (13, RowProblem::Missing { column: Column::Name }),
        ]
    );
    assert!(setup::lookup(&pool, &p.viewer, "TAL-01").await.is_err(), "a dry run writes nothing");

    // Imported: the items, their categories, barcodes and levels, and the first stock received in one posting.
    let done = import::import(&pool, &p.owner, &meta, limits, &req(true, ImportChoice::default())).await.unwrap();
    assert!(done.committed);
    let drill = setup::lookup(&pool, &p.viewer, "7501001").await.unwrap();
    assert_eq!(
        (drill.item.sku.as_str(), drill.item.unit_cost_cents, drill.item.unit),
        ("TAL-01", Some(125_050), Unit::Piece)
    );
    assert_eq!(balance(&pool, &p.viewer, drill.item.id, p.tools).await, Qty::units(3));
    assert_eq!(drill.places.iter().find(|pl| pl.department == p.tools).map(|pl| pl.threshold), Some(Qty::units(1)));
    let oil = setup::lookup(&pool, &p.viewer, "ace-20").await.unwrap();
    assert_eq!(oil.item.unit, Unit::Litre);
    assert_eq!(balance(&pool, &p.viewer, oil.item.id, p.upkeep).await, Qty(12_500));
    assert_eq!(balance(&pool, &p.viewer, oil.item.id, p.tools).await, Qty::units(2), "a second line: another place");
    let old = setup::get(&pool, &p.viewer, taken).await.unwrap();
    assert_eq!(old.item.name, "Artículo renombrado");
    assert_eq!(old.item.barcodes, ["75OLD-1"], "a row without barcodes keeps the item's");
    assert_eq!(balance(&pool, &p.viewer, taken, p.tools).await, Qty::units(5), "the same stock: nothing received");
    let cats = setup::categories(&pool, &p.viewer).await.unwrap();
    assert!(cats.iter().any(|c| c.path == "Herramienta › Eléctrica"));
    let history = ledger::history(&pool, &p.viewer, drill.item.id, None, None, None).await.unwrap();
    assert_eq!(history.items.len(), 1);
    assert_eq!(history.items[0].reference, "inventario.csv");

    // A second import of a list that disagrees with the stock now is refused there: a stocktake counts stock.
    let again = import::import(&pool, &p.owner, &meta, limits, &req(false, ImportChoice::default())).await.unwrap();
    assert_eq!(again.receipts, 0);
    assert!(
        again
            .rejects
            .iter()
            .any(|r| r.line == 9
                && r.problem == RowProblem::BarcodeTaken { code: "75OLD-1".into(), sku: "OLD-1".into() })
    );

    // The export reads back as it is: nothing new, nothing received, nothing refused.
    let csv = import::export_list(&pool, &p.viewer).await.unwrap();
    let text = String::from_utf8(csv.clone()).unwrap();
    assert!(
        text.starts_with(
            "sku,name,description,unit,category,barcodes,unit_cost,department,quantity,threshold,reorder\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("TAL-01,Taladro percutor,,piece,Herramienta / Eléctrica,7501001,1250.50,Herramientas,3,1,"),
        "{text}"
    );
    let back =
        ImportRequest { file_name: "articulos.csv".into(), bytes: csv, choice: ImportChoice::default(), commit: true };
    let back = import::import(&pool, &p.owner, &meta, limits, &back).await.unwrap();
    assert_eq!((back.new_items, back.receipts, back.rejected), (0, 0, 0), "{:?}", back.rejects);
    assert_eq!(back.changed_items, 3);

    // Who may: not a viewer, nor an operator; another organisation's SKUs are not this one's.
    let refused = import::import(&pool, &p.viewer, &meta, limits, &req(false, ImportChoice::default())).await;
    assert!(matches!(refused, Err(Error::Forbidden)), "{refused:?}");
    let other = plant(&pool, "Otra Planta").await;
    let theirs =
        import::import(&pool, &other.owner, &meta, limits, &req(false, ImportChoice::default())).await.unwrap();
    assert_eq!(theirs.changed_items, 0, "OLD-1 is not theirs");
    // A department chosen for the rows without one must be the organisation's.
    let wrong = ImportChoice { department: Some(p.tools), ..ImportChoice::default() };
    let wrong = import::import(&pool, &other.owner, &meta, limits, &req(false, wrong)).await;
    assert!(matches!(&wrong, Err(Error::Validation(f)) if f[0].field == "department"), "{wrong:?}");
    // A workbook is read by the same machinery: its sheet, its numbers as numbers.
    let book = crate::inventory::service::workbook::tests::xlsx(&[
        &["Existencias"],
        &["SKU", "Nombre", "Unidad", "Existencia", "Depto"],
        &["XL-1", "Disco de corte", "pza", "n:7", "MANT"],
        &["XL-2", "Cable", "m", "n:12.5", "MANT"],
    ]);
    let book = ImportRequest {
        file_name: "existencias.xlsx".into(),
        bytes: book,
        choice: ImportChoice::default(),
        commit: true,
    };
    let book = import::import(&pool, &p.owner, &meta, limits, &book).await.unwrap();
    assert_eq!(
        (book.sheet.as_deref(), book.header_row, book.new_items, book.receipts),
        (Some("Inventario"), 2, 2, 2),
        "{book:?}"
    );
    let cable = setup::lookup(&pool, &p.viewer, "XL-2").await.unwrap();
    assert_eq!((cable.item.unit, balance(&pool, &p.viewer, cable.item.id, p.upkeep).await), (Unit::Metre, Qty(12_500)));
    // A mapping without the SKU's column: the file as read, for the mapping to be chosen.
    let no_sku = ImportChoice { mapping: Some([(Column::Name, 1)].into_iter().collect()), ..ImportChoice::default() };
    let no_sku = import::import(&pool, &p.owner, &meta, limits, &req(true, no_sku)).await;
    assert!(matches!(no_sku, Err(Error::Rejected(_))), "{no_sku:?}");
}
