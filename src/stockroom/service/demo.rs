//! The demo store room: on a demo start, Planta Demo gets a tool crib, a maintenance store and a raw-material store, a
//! category tree, a few hundred items with barcodes and levels, and four months of history (deliveries, issues to its
//! people against work orders, returns, transfers), once. Generated deterministically and written through the ledger
//! itself, day by day in order, so every balance, running balance and alert is the database's own. Taller Demo gets a
//! shelf of catalog parts (what the catalog's search finds first for what a workshop keeps), once the catalog is there.

use chrono::{Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::db::{self, PgPool, Scope};
use crate::error::Result;
use crate::ids::{CategoryId, DepartmentId, ItemId, PostId, TenantId, UserId};
use crate::stockroom::rules::ledger::{self, Balances, Change, MovementKind};
use crate::stockroom::rules::quantity::{Qty, Unit};
use crate::stockroom::store::demo as store;
use crate::stockroom::store::ledger::{self as ledger_store, Author, NewMovements};
use crate::stockroom::store::setup::{self as setup_store, ItemFields};

/// The demo manufacturer (as `identity::service::demo` seeds it).
pub const PLANT: &str = "Planta Demo";
/// Days of history.
const DAYS: i64 = 120;

/// One kind of item the demo stocks: a name pattern over sizes, its unit, category, department and cost.
struct Family {
    name: &'static str,
    sizes: &'static [&'static str],
    unit: Unit,
    category: usize,
    department: usize,
    cents: i64,
}

const DEPARTMENTS: [(&str, &str, bool); 3] =
    [("HERR", "Almacén de herramientas", true), ("MANT", "Mantenimiento", false), ("MP", "Materia prima", false)];
const CATEGORIES: [(&str, Option<usize>); 9] = [
    ("Herramientas", None),
    ("Manuales", Some(0)),
    ("Corte y perforación", Some(0)),
    ("Consumibles", None),
    ("Equipo de protección", Some(3)),
    ("Lubricantes", Some(3)),
    ("Refacciones", None),
    ("Tornillería", Some(6)),
    ("Lámina y barra", None),
];
const FAMILIES: &[Family] = &[
    Family {
        name: "Llave combinada {} mm",
        sizes: &[
            "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "22", "24", "27",
            "30", "32",
        ],
        unit: Unit::Piece,
        category: 1,
        department: 0,
        cents: 12_900,
    },
    Family {
        name: "Broca HSS {} mm",
        sizes: &[
            "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5", "5.5", "6", "6.5", "7", "8", "9", "10", "11", "12", "13",
        ],
        unit: Unit::Piece,
        category: 2,
        department: 0,
        cents: 4_500,
    },
    Family {
        name: "Disco de corte {} in",
        sizes: &["4.5", "7", "9", "14"],
        unit: Unit::Piece,
        category: 2,
        department: 0,
        cents: 3_800,
    },
    Family {
        name: "Guantes de nitrilo talla {}",
        sizes: &["S", "M", "L", "XL"],
        unit: Unit::Pair,
        category: 4,
        department: 0,
        cents: 1_850,
    },
    Family {
        name: "Lentes de seguridad {}",
        sizes: &["claros", "oscuros", "antiempaño"],
        unit: Unit::Piece,
        category: 4,
        department: 0,
        cents: 6_200,
    },
    Family {
        name: "Aceite hidráulico ISO {}",
        sizes: &["32", "46", "68"],
        unit: Unit::Litre,
        category: 5,
        department: 1,
        cents: 9_500,
    },
    Family {
        name: "Grasa de litio {}",
        sizes: &["EP2", "EP3"],
        unit: Unit::Kg,
        category: 5,
        department: 1,
        cents: 14_000,
    },
    Family {
        name: "Rodamiento {}",
        sizes: &[
            "6200", "6201", "6202", "6203", "6204", "6205", "6206", "6300", "6301", "6302", "6303", "6304", "6305",
            "6306",
        ],
        unit: Unit::Piece,
        category: 6,
        department: 1,
        cents: 18_900,
    },
    Family {
        name: "Tornillo hexagonal {}",
        sizes: &[
            "M6x20", "M6x30", "M8x20", "M8x30", "M8x40", "M10x30", "M10x50", "M12x40", "M12x60", "M16x60", "M16x80",
            "M20x100",
        ],
        unit: Unit::Box,
        category: 7,
        department: 1,
        cents: 21_000,
    },
    Family {
        name: "Lámina de acero cal. {}",
        sizes: &["10", "12", "14", "16", "18", "20", "22", "24"],
        unit: Unit::Kg,
        category: 8,
        department: 2,
        cents: 3_150,
    },
    Family {
        name: "Tuerca hexagonal {}",
        sizes: &["M6", "M8", "M10", "M12", "M14", "M16", "M18", "M20", "M22", "M24"],
        unit: Unit::Box,
        category: 7,
        department: 1,
        cents: 9_800,
    },
    Family {
        name: "Rondana plana {}",
        sizes: &["M6", "M8", "M10", "M12", "M14", "M16", "M18", "M20", "M22", "M24"],
        unit: Unit::Box,
        category: 7,
        department: 1,
        cents: 6_400,
    },
    Family {
        name: "Cinta aislante {}",
        sizes: &["negra", "roja", "azul", "verde", "blanca"],
        unit: Unit::Piece,
        category: 3,
        department: 1,
        cents: 2_300,
    },
    Family {
        name: "Electrodo E6013 {}",
        sizes: &["3/32 in", "1/8 in", "5/32 in"],
        unit: Unit::Kg,
        category: 3,
        department: 0,
        cents: 8_700,
    },
    Family {
        name: "Lija de agua grano {}",
        sizes: &["80", "120", "180", "220", "320", "400", "600", "1000"],
        unit: Unit::Piece,
        category: 3,
        department: 0,
        cents: 1_200,
    },
    Family {
        name: "Filtro de aceite {}",
        sizes: &["FO-110", "FO-115", "FO-120", "FO-125", "FO-130", "FO-135", "FO-140", "FO-145", "FO-150", "FO-155"],
        unit: Unit::Piece,
        category: 6,
        department: 1,
        cents: 16_500,
    },
    Family {
        name: "Banda en V {}",
        sizes: &["A30", "A34", "A38", "A42", "A46", "A50", "B30", "B34", "B38", "B42", "B46", "B50"],
        unit: Unit::Piece,
        category: 6,
        department: 1,
        cents: 24_000,
    },
    Family {
        name: "Manguera hidráulica {}",
        sizes: &["1/4 in", "3/8 in", "1/2 in", "5/8 in", "3/4 in", "1 in"],
        unit: Unit::Metre,
        category: 6,
        department: 1,
        cents: 19_500,
    },
    Family {
        name: "Conector rápido {}",
        sizes: &["1/4 in", "3/8 in", "1/2 in", "3/4 in"],
        unit: Unit::Piece,
        category: 6,
        department: 1,
        cents: 11_200,
    },
    Family {
        name: "Fusible {} A",
        sizes: &["2", "4", "6", "10", "16", "20", "25", "32", "40", "63"],
        unit: Unit::Piece,
        category: 6,
        department: 1,
        cents: 4_100,
    },
    Family {
        name: "Contactor {} A",
        sizes: &["9", "12", "18", "25", "32", "40"],
        unit: Unit::Piece,
        category: 6,
        department: 1,
        cents: 89_000,
    },
    Family {
        name: "Barra redonda de acero {} in",
        sizes: &["1/2", "5/8", "3/4", "1", "1 1/4", "1 1/2", "2"],
        unit: Unit::Kg,
        category: 8,
        department: 2,
        cents: 3_900,
    },
    Family {
        name: "Solera de acero {}",
        sizes: &["1x1/8 in", "1 1/2x1/4 in", "2x1/4 in", "3x3/8 in"],
        unit: Unit::Kg,
        category: 8,
        department: 2,
        cents: 3_600,
    },
];

/// Builds Planta Demo's store room when it has none; whether it did.
pub async fn configure(pool: &PgPool) -> Result<bool> {
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let Some((tenant, keeper, operators)) = store::unconfigured(&mut tx, PLANT, "manufacturer").await? else {
        return Ok(false);
    };
    let mut departments = Vec::new();
    for (code, name, self_issue) in DEPARTMENTS {
        departments.push(setup_store::insert_department(&mut tx, tenant, code, name, self_issue).await?);
    }
    let mut categories: Vec<CategoryId> = Vec::new();
    for (name, parent) in CATEGORIES {
        categories.push(setup_store::insert_category(&mut tx, tenant, parent.map(|p| categories[p]), name).await?);
    }
    // Items, each with its barcode and a level where it is kept.
    let mut items: Vec<(ItemId, Unit, DepartmentId)> = Vec::new();
    let mut n = 0;
    for f in FAMILIES {
        for size in f.sizes {
            n += 1;
            let prefix: String = f.name.chars().take(3).collect::<String>().to_uppercase();
            let sku = format!("{prefix}-{n:04}");
            let name = f.name.replace("{}", size);
            let fields = ItemFields {
                sku: &sku,
                name: &name,
                description: "",
                unit: f.unit.as_str(),
                category: Some(categories[f.category]),
                unit_cost_cents: Some(f.cents),
                currency: "MXN",
                part: None,
            };
            let id = setup_store::insert_item(&mut tx, tenant, &fields).await?;
            setup_store::set_barcodes(&mut tx, tenant, id, &[format!("750{:09}", 100_000 + n)]).await?;
            let dept = departments[f.department];
            let threshold = if f.unit.whole() { Qty::units(4) } else { Qty::units(10) };
            setup_store::set_level(&mut tx, tenant, id, dept, threshold.0, Some(threshold.0 * 5), 0).await?;
            items.push((id, f.unit, dept));
        }
    }
    history(&mut tx, tenant, keeper, &operators, &items).await?;
    tx.commit().await?;
    Ok(true)
}

/// The demo workshop.
pub const WORKSHOP: &str = "Taller Demo";

/// What Taller Demo keeps on its shelf: the catalog's first two answers to each of these, so many of each.
const SHELF: [(&str, i64); 4] = [("pastillas de freno", 4), ("filtro de aceite", 6), ("bujia", 8), ("amortiguador", 2)];

/// Builds Taller Demo's shelf when it has none and the catalog is loaded (otherwise nothing: the next start, or the
/// catalog's load, tries again): one store, a few catalog parts as items, received a week ago. Whether it did.
pub async fn configure_workshop(pool: &PgPool) -> Result<bool> {
    use crate::catalog::rules::search::SearchRequest;
    let mut parts = Vec::new();
    for (q, units) in SHELF {
        let req = SearchRequest { q: q.to_owned(), limit: 2, ..SearchRequest::default() };
        for h in crate::catalog::service::search::search(pool, &req).await?.hits {
            let name: String = h.name.iter().map(|s| s.text.as_str()).collect();
            parts.push((h.id, h.number, name, units));
        }
    }
    parts.sort_by_key(|p| p.0);
    parts.dedup_by_key(|p| p.0);
    if parts.is_empty() {
        return Ok(false);
    }
    let mut tx = db::begin(pool, Scope::Platform).await?;
    let Some((tenant, keeper, _)) = store::unconfigured(&mut tx, WORKSHOP, "workshop").await? else {
        return Ok(false);
    };
    let dept = setup_store::insert_department(&mut tx, tenant, "ALM", "Almacén del taller", false).await?;
    let mut changes = Vec::new();
    for (n, (part, number, name, units)) in parts.into_iter().enumerate() {
        let fields = ItemFields {
            sku: &number,
            name: &name,
            description: "",
            unit: Unit::Piece.as_str(),
            category: None,
            unit_cost_cents: None,
            currency: "MXN",
            part: Some(part),
        };
        let item = setup_store::insert_item(&mut tx, tenant, &fields).await?;
        setup_store::set_level(&mut tx, tenant, item, dept, Qty::units(1).0, Some(Qty::units(units).0), 0).await?;
        changes.push(Change {
            line: n + 1,
            kind: MovementKind::Receive,
            item,
            department: dept,
            delta: Qty::units(units),
            other_department: None,
        });
    }
    // Items in id order, each received once: the ledger's global order holds.
    let author = Author { user: Some(keeper.0), key: None, name: &keeper.1 };
    let key = "demo-shelf";
    let post = ledger_store::claim(&mut tx, tenant, key, key.as_bytes(), "ui", &author, "").await?.unwrap_or(PostId(0));
    let mut m = NewMovements::default();
    for c in &changes {
        m.line.push(i32::try_from(c.line).unwrap_or(0));
        m.kind.push(c.kind.as_str().to_owned());
        m.item.push(c.item.0);
        m.department.push(c.department.0);
        m.quantity.push(c.delta.0);
        m.person.push(None);
        m.other_department.push(None);
        m.reference.push(String::new());
        m.reason.push(String::new());
        m.reverses.push(None);
    }
    let week_ago = Utc::now() - Duration::days(7);
    let at: Vec<_> = (0..changes.len()).map(|n| week_ago + Duration::seconds(n as i64)).collect();
    store::insert_at(&mut tx, tenant, post, &m, &at).await?;
    tx.commit().await?;
    Ok(true)
}

/// Four months of days: a delivery now and then/// Four months of days: a delivery now and then, issues to operators against work orders, some returns and transfers;
/// checked against the running balances (a demo never asks the ledger for what is not there), then written in order.
async fn history(
    tx: &mut crate::db::Tx,
    tenant: TenantId,
    keeper: (UserId, String),
    operators: &[UserId],
    items: &[(ItemId, Unit, DepartmentId)],
) -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(25);
    let mut balances = Balances::new();
    let start = Utc::now() - Duration::days(DAYS);
    let author = Author { user: Some(keeper.0), key: None, name: &keeper.1 };
    for day in 0..DAYS {
        let mut changes = Vec::new();
        let mut people = Vec::new();
        for (line, &(item, unit, dept)) in items.iter().enumerate() {
            let have = balances.get(&(item, dept)).copied().unwrap_or_default();
            let step = if unit.whole() { Qty::units(1) } else { Qty(500) };
            let (kind, delta) = if have.0 < step.0 * 6 && rng.gen_bool(0.3) || day == 0 {
                (MovementKind::Receive, Qty(step.0 * rng.gen_range(10..40)))
            } else if rng.gen_bool(0.12) {
                (MovementKind::Issue, -Qty(step.0 * rng.gen_range(1..4)))
            } else if rng.gen_bool(0.01) {
                (MovementKind::Return, step)
            } else {
                continue;
            };
            changes.push(Change { line: line + 1, kind, item, department: dept, delta, other_department: None });
            people.push((kind == MovementKind::Issue).then(|| operators[rng.gen_range(0..operators.len().max(1))]));
        }
        let mut order: Vec<usize> = (0..changes.len()).collect();
        order.sort_by_key(|&i| (changes[i].item, changes[i].department));
        let mut m = NewMovements::default();
        let mut kept = Vec::new();
        for i in order {
            if ledger::apply(&mut balances, std::slice::from_ref(&changes[i])).is_empty() {
                kept.push(i);
            }
        }
        if kept.is_empty() {
            continue;
        }
        let at = start + Duration::days(day) + Duration::hours(8);
        let key = format!("demo-{day:03}");
        let post: PostId =
            ledger_store::claim(tx, tenant, &key, key.as_bytes(), "ui", &author, "").await?.unwrap_or(PostId(0));
        let mut times = Vec::new();
        for (n, i) in kept.into_iter().enumerate() {
            let c = &changes[i];
            m.line.push(i32::try_from(c.line).unwrap_or(0));
            m.kind.push(c.kind.as_str().to_owned());
            m.item.push(c.item.0);
            m.department.push(c.department.0);
            m.quantity.push(c.delta.0);
            m.person.push(people[i].filter(|_| !operators.is_empty()).map(|u| u.0));
            m.other_department.push(None);
            m.reference.push(if c.kind == MovementKind::Issue {
                format!("OT-{}", 4000 + day * 3 + (n as i64 % 3))
            } else {
                String::new()
            });
            m.reason.push(String::new());
            m.reverses.push(None);
            times.push(at + Duration::seconds(n as i64 * 37));
        }
        store::insert_at(tx, tenant, post, &m, &times).await?;
    }
    Ok(())
}
