//! `nexus-bindgen <input.wasm> <out-dir> <out-name>`: the JS glue and the bound module for the browser, as
//! `wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle --out-name <out-name>
//! --out-dir <out-dir> <input.wasm>` writes them, byte for byte (the lazy routes' chunks link against the exports lld
//! left, so they are kept).
//! `nexus-bindgen --version` prints the wasm-bindgen version it is built on.

use std::process::ExitCode;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag] if flag == "--version" => {
            println!("nexus-bindgen {VERSION}");
            ExitCode::SUCCESS
        }
        [input, out_dir, out_name] => {
            let bound = wasm_bindgen_cli_support::Bindgen::new().input_path(input).web(true).map(|b| {
                b.typescript(false)
                    .keep_lld_exports(true)
                    .demangle(false)
                    .omit_default_module_path(false)
                    .out_name(out_name)
                    .generate(out_dir)
            });
            match bound {
                Ok(Ok(())) => ExitCode::SUCCESS,
                Ok(Err(e)) | Err(e) => {
                    eprintln!("nexus-bindgen: {e:?}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("usage: nexus-bindgen <input.wasm> <out-dir> <out-name> | --version");
            ExitCode::from(2)
        }
    }
}
