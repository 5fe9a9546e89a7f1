//! Generates the typed i18n module from `locales/*.json` (leptos_i18n): a missing key is a compile error, not a blank.
//!
//! It calls leptos_i18n's own parser and code generator, the two crates `leptos_i18n_build` wraps, without that
//! wrapper: it also builds ICU's data exporter (ICU's source provider with networking, rustls and ring, a WASM
//! interpreter, zip), about 80 crates this build never runs, which a cold command 1 compiled twice (once per build).

use std::error::Error;
use std::path::PathBuf;

use leptos_i18n_parser::parse_locales::options::{Config, ParseOptions};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    let cfg = Config::new("es")?.add_locale("en")?.parse_options(ParseOptions::default().interpolate_display(true));
    let parsed = leptos_i18n_parser::parse_locales::parse_locales(None, cfg)?;
    for warning in parsed.diag.warnings().iter() {
        println!("cargo::warning={warning}");
    }
    for error in parsed.diag.errors().iter() {
        println!("cargo::error={error}");
    }
    for path in parsed.tracked_files.iter().flatten() {
        println!("cargo::rerun-if-changed={path}");
    }
    // What `TranslationsInfos::generate_i18n_module` does with its default options: the crate found by its name, no
    // diagnostics from the generator (printed above), no extra attributes, docs on the keys.
    let code = leptos_i18n_codegen::gen_code(&parsed, None, false, None, true)?;
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("mod.rs"), code.to_string())?;
    Ok(())
}
