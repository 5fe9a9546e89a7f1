//! A deterministic catalog generator: the five import files (see `rules::import`) for demo data and benchmarks, the
//! same bytes for the same options. What it writes looks like what Latin American workshops see: makes and models sold
//! there (Toyota Hilux, Nissan Tsuru and Versa, Chevrolet Aveo, VW Jetta, Ford Ranger…), each make's own part-number
//! format ("04465-02220", "1K0 615 301 AA", "96549788"), Spanish part names with the variants people use (pastillas /
//! balatas, amortiguador / shock), aftermarket brands with their own number formats and quality tiers, supersessions
//! and equivalents, and optionally the legacy `AFT-{number}-{BRAND}` fake OEM parts the migration untangles.
//!
//! Numbers are unique by construction: each make (or brand) numbers its parts with a counter passed through a
//! bijection of the format's number space, so they look scattered and never collide.

use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub parts: u64,
    /// Aftermarket rows (one per aftermarket number and OEM part it replaces).
    pub aftermarket: u64,
    /// Fitment rows, spread over the parts.
    pub fitment: u64,
    /// Legacy `AFT-` fake OEM parts, with the cross-references and fitment the migration links them by.
    pub legacy_aft: u64,
    pub seed: u64,
}

impl GenerateOptions {
    /// The demo set: tens of thousands of parts, loaded on a first start in seconds.
    pub fn demo() -> Self {
        Self { parts: 20_000, aftermarket: 60_000, fitment: 100_000, legacy_aft: 0, seed: 7 }
    }
}

/// How many rows each file got.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generated {
    pub parts: u64,
    pub vehicles: u64,
    pub fitment: u64,
    pub aftermarket: u64,
    pub cross_refs: u64,
}

struct Make {
    name: &'static str,
    format: NumberFormat,
    models: Models,
}

/// A part-number format: a pattern where `G` takes the next character of the group's code, `9` a digit, `X` a digit
/// or an upper-case letter, `A` a letter; anything else is written as is.
#[derive(Clone, Copy)]
struct NumberFormat(&'static str);

const DIGITS: &[u8] = b"0123456789";
const ALNUM: &[u8] = b"0123456789ABCDEFGHJKLMNPRSTUVWXYZ";
const LETTERS: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ";

impl NumberFormat {
    /// The size of the space the variable characters span.
    fn space(self) -> u128 {
        self.0.bytes().fold(1u128, |acc, c| match c {
            b'9' => acc * 10,
            b'X' => acc * ALNUM.len() as u128,
            b'A' => acc * LETTERS.len() as u128,
            _ => acc,
        })
    }

    /// The `n`-th number of the format for a group code: `n` goes through a bijection of the space first.
    fn render(self, group_code: &str, n: u64) -> String {
        let space = self.space();
        // An odd multiplier coprime with 2, 3, 5 and 23 (every radix above) permutes 0..space.
        let mut v = (n as u128 * 2_654_435_761 + 40_503) % space;
        let mut code = group_code.bytes().cycle();
        let mut out = Vec::with_capacity(self.0.len());
        // Fill the variable characters from the right, so the counter's low digits vary the end of the number.
        let mut chars: Vec<u8> = self.0.bytes().collect();
        for c in chars.iter_mut().rev() {
            let alphabet = match *c {
                b'9' => DIGITS,
                b'X' => ALNUM,
                b'A' => LETTERS,
                _ => continue,
            };
            let radix = alphabet.len() as u128;
            *c = alphabet[(v % radix) as usize];
            v /= radix;
        }
        for (i, c) in chars.into_iter().enumerate() {
            out.push(if self.0.as_bytes()[i] == b'G' { code.next().unwrap_or(b'0') } else { c });
        }
        String::from_utf8(out).expect("ASCII")
    }
}

/// An engine: (code, litres, fuel).
type Engine = (&'static str, f32, &'static str);
/// A make's models: (name, generations as year ranges, engines).
type Models = &'static [(&'static str, &'static [(i16, i16)], &'static [Engine])];

const TOYOTA: Models = &[
    (
        "Hilux",
        &[(2005, 2015), (2016, 2024)],
        &[("2TR-FE", 2.7, "gasoline"), ("1KD-FTV", 3.0, "diesel"), ("2GD-FTV", 2.4, "diesel")],
    ),
    (
        "Corolla",
        &[(2009, 2013), (2014, 2019), (2020, 2024)],
        &[("1ZR-FE", 1.6, "gasoline"), ("2ZR-FE", 1.8, "gasoline"), ("2ZR-FXE", 1.8, "hybrid")],
    ),
    ("Yaris", &[(2006, 2013), (2014, 2020)], &[("2NZ-FE", 1.3, "gasoline"), ("1NZ-FE", 1.5, "gasoline")]),
    ("RAV4", &[(2013, 2018), (2019, 2024)], &[("2AR-FE", 2.5, "gasoline"), ("A25A-FXS", 2.5, "hybrid")]),
    ("Hiace", &[(2006, 2019)], &[("2KD-FTV", 2.5, "diesel"), ("2TR-FE", 2.7, "gasoline")]),
];
const NISSAN: Models = &[
    ("Tsuru", &[(1992, 2017)], &[("GA16DE", 1.6, "gasoline")]),
    ("Versa", &[(2012, 2019), (2020, 2024)], &[("HR16DE", 1.6, "gasoline")]),
    ("Sentra", &[(2007, 2012), (2013, 2019)], &[("MR20DE", 2.0, "gasoline"), ("HR16DE", 1.6, "gasoline")]),
    ("March", &[(2011, 2020)], &[("HR16DE", 1.6, "gasoline")]),
    ("NP300", &[(2008, 2015), (2016, 2024)], &[("KA24DE", 2.4, "gasoline"), ("YD25DDTi", 2.5, "diesel")]),
];
const CHEVROLET: Models = &[
    ("Aveo", &[(2008, 2017), (2018, 2024)], &[("F16D3", 1.6, "gasoline"), ("B15D2", 1.5, "gasoline")]),
    ("Spark", &[(2010, 2015), (2016, 2022)], &[("B10D1", 1.0, "gasoline"), ("B12D1", 1.2, "gasoline")]),
    ("Onix", &[(2013, 2019), (2020, 2024)], &[("SPE/4", 1.4, "gasoline"), ("B10XE", 1.0, "gasoline")]),
    ("Silverado", &[(2007, 2013), (2014, 2018)], &[("Vortec 5300", 5.3, "gasoline")]),
    ("S10", &[(2012, 2024)], &[("LWN", 2.8, "diesel")]),
];
const VOLKSWAGEN: Models = &[
    (
        "Jetta",
        &[(2005, 2010), (2011, 2018), (2019, 2024)],
        &[("BGP", 2.5, "gasoline"), ("CBPA", 2.0, "gasoline"), ("CZDA", 1.4, "gasoline")],
    ),
    ("Vento", &[(2014, 2023)], &[("CLSA", 1.6, "gasoline")]),
    ("Gol", &[(2008, 2013), (2014, 2023)], &[("BAH", 1.6, "gasoline"), ("CFZ", 1.6, "gasoline")]),
    ("Amarok", &[(2010, 2024)], &[("CDCA", 2.0, "diesel")]),
];
const FORD: Models = &[
    ("Ranger", &[(2006, 2011), (2012, 2022)], &[("Duratec 2.3", 2.3, "gasoline"), ("Duratorq 3.2", 3.2, "diesel")]),
    ("Fiesta", &[(2003, 2010), (2011, 2019)], &[("Zetec Rocam", 1.6, "gasoline"), ("Sigma", 1.6, "gasoline")]),
    ("EcoSport", &[(2004, 2012), (2013, 2022)], &[("Duratec 2.0", 2.0, "gasoline"), ("Sigma", 1.6, "gasoline")]),
    ("F-150", &[(2009, 2014), (2015, 2020)], &[("Triton 5.4", 5.4, "gasoline"), ("EcoBoost 3.5", 3.5, "gasoline")]),
];
const HYUNDAI: Models = &[
    ("Accent", &[(2006, 2011), (2012, 2017), (2018, 2024)], &[("G4EE", 1.4, "gasoline"), ("G4FC", 1.6, "gasoline")]),
    ("Tucson", &[(2010, 2015), (2016, 2021)], &[("G4KD", 2.0, "gasoline")]),
    ("Grand i10", &[(2014, 2024)], &[("G4LA", 1.2, "gasoline")]),
];
const RENAULT: Models = &[
    ("Logan", &[(2006, 2014), (2015, 2024)], &[("K7M", 1.6, "gasoline"), ("K4M", 1.6, "gasoline")]),
    ("Duster", &[(2012, 2024)], &[("F4R", 2.0, "gasoline"), ("K4M", 1.6, "gasoline")]),
    ("Kwid", &[(2018, 2024)], &[("SCe 1.0", 1.0, "gasoline")]),
];
const MAZDA: Models = &[
    ("Mazda 3", &[(2010, 2013), (2014, 2018)], &[("LF", 2.0, "gasoline"), ("PE-VPS", 2.0, "gasoline")]),
    ("BT-50", &[(2007, 2011), (2012, 2020)], &[("WL-C", 2.5, "diesel"), ("P5AT", 3.2, "diesel")]),
];

const MAKES: &[Make] = &[
    Make { name: "Toyota", format: NumberFormat("GGGGG-99999"), models: TOYOTA },
    Make { name: "Nissan", format: NumberFormat("GGGGG-XX99X"), models: NISSAN },
    Make { name: "Chevrolet", format: NumberFormat("GG999999"), models: CHEVROLET },
    Make { name: "Volkswagen", format: NumberFormat("9XA GGG 999 AA"), models: VOLKSWAGEN },
    Make { name: "Ford", format: NumberFormat("AA9A-GGGG-A"), models: FORD },
    Make { name: "Hyundai", format: NumberFormat("GGGGG-9XX99"), models: HYUNDAI },
    Make { name: "Renault", format: NumberFormat("77GG999999"), models: RENAULT },
    Make { name: "Mazda", format: NumberFormat("XX99-GG-99X"), models: MAZDA },
];

/// A group of the tree: its path, the code makes number it with, the names its parts take (`{pos}` is filled with a
/// position), the positions, a reference price (MXN) and the aftermarket brands that make it.
struct Group {
    path: &'static str,
    code: &'static str,
    names: &'static [&'static str],
    positions: &'static [&'static str],
    price: u32,
    brands: &'static [usize],
}

/// (name, number format, tier)
const BRANDS: &[(&str, NumberFormat, &str)] = &[
    ("Bosch", NumberFormat("0 986 XXX 999"), "premium"),
    ("Brembo", NumberFormat("P 99 9999"), "premium"),
    ("Monroe", NumberFormat("G999999"), "premium"),
    ("KYB", NumberFormat("33XX999"), "oe"),
    ("NGK", NumberFormat("AAA9A-99"), "oe"),
    ("Denso", NumberFormat("AA99AA-A99"), "oe"),
    ("Mann-Filter", NumberFormat("W 9999/99"), "premium"),
    ("Gates", NumberFormat("T999999"), "premium"),
    ("LUK", NumberFormat("62X 9999 09"), "oe"),
    ("Moog", NumberFormat("AA-AA-9999"), "premium"),
    ("Wagner", NumberFormat("ZX99999"), "standard"),
    ("Champion", NumberFormat("RA99AAX"), "standard"),
    ("Gonher", NumberFormat("GP-999999"), "standard"),
    ("Dayco", NumberFormat("94999XX"), "standard"),
    ("Fritec", NumberFormat("FR-999999"), "economy"),
    ("Interfil", NumberFormat("IF-999999"), "economy"),
    ("Syd", NumberFormat("SYD-999999"), "economy"),
    ("Meat & Doria", NumberFormat("9999999"), "standard"),
    ("ACDelco", NumberFormat("99999999"), "oe"),
];

const GROUPS: &[Group] = &[
    Group {
        path: "Frenos > Pastillas",
        code: "04465",
        names: &["Pastillas de freno {pos}", "Balatas {pos}", "Juego de pastillas de freno {pos}"],
        positions: &["delanteras", "traseras"],
        price: 650,
        brands: &[0, 1, 10, 14, 16],
    },
    Group {
        path: "Frenos > Discos",
        code: "43512",
        names: &["Disco de freno {pos}", "Rotor de freno {pos}"],
        positions: &["delantero", "trasero"],
        price: 900,
        brands: &[0, 1, 10, 14],
    },
    Group {
        path: "Frenos > Balatas de tambor",
        code: "04495",
        names: &["Zapatas de freno traseras", "Balatas de tambor traseras"],
        positions: &["trasera"],
        price: 480,
        brands: &[0, 10, 14],
    },
    Group {
        path: "Suspensión > Amortiguadores",
        code: "48510",
        names: &["Amortiguador {pos}", "Shock {pos}"],
        positions: &["delantero izquierdo", "delantero derecho", "trasero"],
        price: 1400,
        brands: &[2, 3, 16],
    },
    Group {
        path: "Suspensión > Rótulas",
        code: "43330",
        names: &["Rótula de suspensión {pos}", "Rótula inferior {pos}"],
        positions: &["izquierda", "derecha"],
        price: 420,
        brands: &[9, 16, 18],
    },
    Group {
        path: "Suspensión > Horquillas",
        code: "48068",
        names: &["Horquilla {pos}", "Brazo de control {pos}"],
        positions: &["inferior izquierda", "inferior derecha"],
        price: 1300,
        brands: &[9, 16],
    },
    Group {
        path: "Motor > Filtros > Aceite",
        code: "90915",
        names: &["Filtro de aceite", "Filtro aceite motor", "Elemento filtrante de aceite"],
        positions: &[""],
        price: 140,
        brands: &[0, 6, 12, 15, 18],
    },
    Group {
        path: "Motor > Filtros > Aire",
        code: "17801",
        names: &["Filtro de aire", "Filtro aire motor"],
        positions: &[""],
        price: 260,
        brands: &[0, 6, 12, 15],
    },
    Group {
        path: "Motor > Filtros > Combustible",
        code: "23300",
        names: &["Filtro de combustible", "Filtro de gasolina"],
        positions: &[""],
        price: 220,
        brands: &[0, 6, 15],
    },
    Group {
        path: "Motor > Filtros > Habitáculo",
        code: "87139",
        names: &["Filtro de cabina", "Filtro de aire acondicionado", "Filtro de polen"],
        positions: &[""],
        price: 230,
        brands: &[0, 6, 15],
    },
    Group {
        path: "Motor > Distribución",
        code: "13568",
        names: &["Banda de distribución", "Kit de distribución", "Tensor de banda de distribución"],
        positions: &[""],
        price: 1100,
        brands: &[7, 13, 0],
    },
    Group {
        path: "Motor > Bandas",
        code: "90916",
        names: &["Banda de accesorios", "Banda poly-v", "Correa de alternador"],
        positions: &[""],
        price: 350,
        brands: &[7, 13],
    },
    Group {
        path: "Motor > Soportes",
        code: "12361",
        names: &["Soporte de motor {pos}", "Base de motor {pos}"],
        positions: &["delantero", "trasero", "lateral"],
        price: 700,
        brands: &[16, 18],
    },
    Group {
        path: "Encendido > Bujías",
        code: "90919",
        names: &["Bujía de iridio", "Bujía de encendido", "Bujía platino"],
        positions: &[""],
        price: 180,
        brands: &[4, 5, 11, 0],
    },
    Group {
        path: "Encendido > Bobinas",
        code: "90080",
        names: &["Bobina de encendido", "Bobina de ignición"],
        positions: &[""],
        price: 950,
        brands: &[5, 0, 17],
    },
    Group {
        path: "Refrigeración > Bombas de agua",
        code: "16100",
        names: &["Bomba de agua", "Bomba de agua con empaque"],
        positions: &[""],
        price: 850,
        brands: &[7, 18, 17],
    },
    Group {
        path: "Refrigeración > Termostatos",
        code: "90916",
        names: &["Termostato", "Termostato con toma de agua"],
        positions: &[""],
        price: 320,
        brands: &[7, 17],
    },
    Group {
        path: "Refrigeración > Radiadores",
        code: "16400",
        names: &["Radiador", "Radiador de motor"],
        positions: &[""],
        price: 2600,
        brands: &[5, 18],
    },
    Group {
        path: "Transmisión > Clutch",
        code: "31250",
        names: &["Kit de clutch", "Kit de embrague", "Collarín de clutch"],
        positions: &[""],
        price: 2800,
        brands: &[8, 0],
    },
    Group {
        path: "Eléctrico > Sensores",
        code: "89467",
        names: &["Sensor de oxígeno", "Sensor de posición del cigüeñal", "Sensor ABS {pos}"],
        positions: &["delantero", "trasero"],
        price: 1200,
        brands: &[0, 5, 18],
    },
    Group {
        path: "Eléctrico > Alternadores",
        code: "27060",
        names: &["Alternador", "Alternador remanufacturado"],
        positions: &[""],
        price: 4200,
        brands: &[0, 5],
    },
    Group {
        path: "Dirección > Terminales",
        code: "45046",
        names: &["Terminal de dirección {pos}", "Rótula de dirección {pos}"],
        positions: &["exterior izquierda", "exterior derecha"],
        price: 380,
        brands: &[9, 16],
    },
    Group {
        path: "Carrocería > Faros",
        code: "81130",
        names: &["Faro {pos}", "Faro delantero {pos}"],
        positions: &["izquierdo", "derecho"],
        price: 2300,
        brands: &[18],
    },
    Group {
        path: "Carrocería > Calaveras",
        code: "81550",
        names: &["Calavera {pos}", "Stop trasero {pos}"],
        positions: &["izquierda", "derecha"],
        price: 1500,
        brands: &[18],
    },
];

/// What later rows need of an OEM part already written.
struct Indexed {
    make: u8,
    group: u8,
    number: String,
    position: &'static str,
    /// Index (in its make's list) of the first vehicle it fits, if any.
    first_vehicle: Option<u32>,
}

/// Writes the five files into `dir` (created if needed).
pub fn generate(dir: &Path, o: &GenerateOptions) -> std::io::Result<Generated> {
    std::fs::create_dir_all(dir)?;
    let mut rng = ChaCha8Rng::seed_from_u64(o.seed);
    let mut counts = Generated::default();
    let writer = |name: &str| -> std::io::Result<csv::Writer<std::io::BufWriter<std::fs::File>>> {
        Ok(csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(dir.join(name))?)))
    };

    // Vehicles: one per model year and engine, the way Latin American catalogs list them ("Hilux 2015 2GD-FTV").
    // vehicles[m] lists make m's codes by model, engine and year, so a run of the list is one engine's years.
    let mut vehicles_csv = writer("vehicles.csv")?;
    vehicles_csv.write_record(["code", "make", "model", "year_from", "year_to", "engine", "displacement_l", "fuel"])?;
    let mut by_make: Vec<Vec<String>> = vec![Vec::new(); MAKES.len()];
    for (m, make) in MAKES.iter().enumerate() {
        for (model, generations, engines) in make.models {
            for (engine, litres, fuel) in engines.iter() {
                for year in generations.iter().flat_map(|(from, to)| *from..=*to) {
                    let code =
                        format!("{}-{}-{year}-{}", &make.name[..3], model, engine).to_uppercase().replace(' ', "");
                    let year = year.to_string();
                    vehicles_csv.write_record([
                        code.as_str(),
                        make.name,
                        model,
                        &year,
                        &year,
                        engine,
                        &format!("{litres:.1}"),
                        fuel,
                    ])?;
                    by_make[m].push(code);
                    counts.vehicles += 1;
                }
            }
        }
    }
    vehicles_csv.flush()?;

    // OEM parts and their fitment: part i belongs to make i % makes and to a group drawn by weight.
    let mut parts_csv = writer("parts.csv")?;
    parts_csv.write_record(["manufacturer", "number", "name", "group", "description"])?;
    let mut fitment_csv = writer("fitment.csv")?;
    fitment_csv.write_record(["manufacturer", "number", "vehicle_code", "position"])?;
    let mut cross_csv = writer("cross_refs.csv")?;
    cross_csv.write_record(["oem_manufacturer", "oem_number", "number", "source", "kind"])?;
    let fitment_per_part = if o.parts == 0 { 0.0 } else { o.fitment as f64 / o.parts as f64 };
    // Numbers are counted per make and the group-code prefix the make's format actually shows (Chevrolet shows two
    // characters of it, Toyota five): equal prefixes share a counter, so numbers never repeat.
    let mut made: std::collections::HashMap<(usize, String), u64> = std::collections::HashMap::new();
    // What the aftermarket and legacy rows need of each part: (make, group, number, position).
    let mut index: Vec<Indexed> = Vec::with_capacity(o.parts as usize);
    let mut fitment_left = o.fitment;
    for i in 0..o.parts {
        let m = (i % MAKES.len() as u64) as usize;
        let make = &MAKES[m];
        let g = rng.gen_range(0..GROUPS.len());
        let group = &GROUPS[g];
        let shown = make.format.0.bytes().filter(|c| *c == b'G').count();
        let prefix: String = group.code.chars().cycle().take(shown).collect();
        let counter = made.entry((m, prefix)).or_default();
        let number = make.format.render(group.code, *counter * 3 + 1);
        let old_number = make.format.render(group.code, *counter * 3 + 2);
        *counter += 1;
        let position = group.positions[rng.gen_range(0..group.positions.len())];
        let name = group.names[rng.gen_range(0..group.names.len())].replace("{pos}", position).trim().to_owned();
        let description =
            if rng.gen_bool(0.3) { format!("Original {} para {}", make.name, make.models[0].0) } else { String::new() };
        parts_csv.write_record([make.name, &number, &name, group.path, &description])?;
        counts.parts += 1;
        // Fitment: a run of the make's vehicles (one model's generations and engines sit together).
        let remaining_parts = o.parts - i;
        let want = if remaining_parts == 1 {
            fitment_left
        } else {
            sample_count(&mut rng, fitment_per_part).min(fitment_left)
        };
        let list = &by_make[m];
        let mut first_vehicle = None;
        if !list.is_empty() && want > 0 {
            let start = rng.gen_range(0..list.len());
            first_vehicle = Some(start as u32);
            for k in 0..(want as usize).min(list.len()) {
                fitment_csv.write_record([make.name, &number, &list[(start + k) % list.len()], position])?;
                counts.fitment += 1;
                fitment_left -= 1;
            }
        }
        // Supersessions: one part in ten replaced an older number (searching the old one finds it).
        if rng.gen_bool(0.1) {
            cross_csv.write_record([make.name, &number, &old_number, make.name, "supersedes"])?;
            counts.cross_refs += 1;
        }
        index.push(Indexed { make: m as u8, group: g as u8, number, position, first_vehicle });
    }

    // Aftermarket: each brand number replaces one to three OEM parts of the same group.
    let mut after_csv = writer("aftermarket.csv")?;
    after_csv.write_record([
        "manufacturer",
        "number",
        "name",
        "tier",
        "reference_price",
        "currency",
        "oem_manufacturer",
        "oem_number",
    ])?;
    let mut brand_made = vec![0u64; BRANDS.len()];
    // Parts by group, so a brand number crosses to parts of its own group.
    let mut by_group: Vec<Vec<u32>> = vec![Vec::new(); GROUPS.len()];
    for (i, part) in index.iter().enumerate() {
        by_group[part.group as usize].push(i as u32);
    }
    let mut written = 0;
    while written < o.aftermarket && !index.is_empty() {
        let g = rng.gen_range(0..GROUPS.len());
        let group = &GROUPS[g];
        if by_group[g].is_empty() {
            continue;
        }
        let b = group.brands[rng.gen_range(0..group.brands.len())];
        let (brand, format, tier) = BRANDS[b];
        let number = format.render("", brand_made[b]);
        brand_made[b] += 1;
        let price = f64::from(group.price) * tier_factor(tier) * rng.gen_range(0.8..1.25);
        let name = group.names[0].replace("{pos}", "").trim().to_owned();
        let mut crossed: Vec<usize> = Vec::with_capacity(3);
        for _ in 0..rng.gen_range(1..=3u32) {
            let p = by_group[g][rng.gen_range(0..by_group[g].len())] as usize;
            if written >= o.aftermarket || crossed.contains(&p) {
                continue;
            }
            crossed.push(p);
            let Indexed { make: m, number: oem_number, position, .. } = &index[p];
            let full_name = format!("{name} {brand} {position}").trim().to_owned();
            after_csv.write_record([
                brand,
                &number,
                &full_name,
                tier,
                &format!("{price:.2}"),
                "MXN",
                MAKES[*m as usize].name,
                oem_number,
            ])?;
            written += 1;
            counts.aftermarket += 1;
            // A third of the aftermarket numbers are also listed as equivalents in the OEM catalog.
            if rng.gen_bool(0.3) {
                cross_csv.write_record([MAKES[*m as usize].name, oem_number, &number, brand, "equivalent"])?;
                counts.cross_refs += 1;
            }
        }
    }

    // Legacy fake OEM parts `AFT-{number}-{BRAND}`: 70 % linked to their OEM part by a cross-reference, 20 % only by
    // sharing fitment with an OEM part of the same group, 10 % by nothing (the migration reports them).
    for j in 0..o.legacy_aft {
        if index.is_empty() {
            break;
        }
        let p = rng.gen_range(0..index.len());
        let Indexed { make: m, group: g, number: oem_number, position, first_vehicle } = &index[p];
        let group = &GROUPS[*g as usize];
        let b = group.brands[rng.gen_range(0..group.brands.len())];
        let (brand, format, _) = BRANDS[b];
        let number = format.render("", 1_000_000 + j);
        let key = format!("AFT-{}-{}", number, brand.to_uppercase());
        let name = format!("{} {brand}", group.names[0].replace("{pos}", position).trim());
        parts_csv.write_record([brand, &key, &name, group.path, ""])?;
        counts.parts += 1;
        let link: f64 = rng.r#gen();
        let make = &MAKES[*m as usize];
        if link < 0.7 {
            cross_csv.write_record([make.name, oem_number, &number, &brand.to_uppercase(), "equivalent"])?;
            counts.cross_refs += 1;
        }
        if link < 0.9
            && let Some(v) = first_vehicle
        {
            // Shares a vehicle with its OEM part (a part of the same group): what the migration links by.
            fitment_csv.write_record([brand, &key, &by_make[*m as usize][*v as usize], position])?;
            counts.fitment += 1;
        }
    }
    parts_csv.flush()?;
    fitment_csv.flush()?;
    cross_csv.flush()?;
    after_csv.flush()?;
    Ok(counts)
}

fn tier_factor(tier: &str) -> f64 {
    match tier {
        "oe" => 1.0,
        "premium" => 0.9,
        "standard" => 0.7,
        _ => 0.5,
    }
}

/// A count around `mean` (at least 0): a geometric-ish spread, most parts fit a few vehicles, some fit many.
fn sample_count(rng: &mut ChaCha8Rng, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    (-u.ln() * mean).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_render_unique_numbers_that_look_like_the_makes() {
        let toyota = NumberFormat("GGGGG-99999");
        assert_eq!(toyota.render("04465", 0).len(), "04465-02220".len());
        assert!(toyota.render("04465", 7).starts_with("04465-"));
        let vw = NumberFormat("9XA GGG 999 AA");
        let n = vw.render("615", 3);
        assert_eq!(&n[4..7], "615");
        let mut seen = std::collections::HashSet::new();
        for i in 0..100_000 {
            assert!(seen.insert(NumberFormat("W 9999/99").render("", i)));
        }
    }
}
