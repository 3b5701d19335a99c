//! `parse` and `roundtrip`: a document's typed model, and whether it survives writing.

use super::{read_input, ParseFormat, EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use poxspec::roundtrip::{self, Stability};
use std::path::{Path, PathBuf};

pub(super) fn parse(file: &Path, format: ParseFormat) -> i32 {
    let name = file.display().to_string();
    let bytes = match read_input(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
    };
    match poxspec::parse(&bytes) {
        Ok(p) => {
            match format {
                ParseFormat::Json => outln!(
                    "{}",
                    serde_json::to_string_pretty(&p.model).expect("the model serializes")
                ),
                ParseFormat::Debug => outln!("{:#?}", p.model),
            }
            EXIT_OK
        }
        Err(e) => {
            eprintln!("{}", e.with_file(&name));
            EXIT_USAGE
        }
    }
}

pub(super) fn roundtrip(files: &[PathBuf]) -> i32 {
    let mut code = EXIT_OK;
    for file in files {
        let name = file.display().to_string();
        let bytes = match read_input(file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{e}");
                code = EXIT_USAGE;
                continue;
            }
        };
        match roundtrip::check(&bytes) {
            Ok(Stability::Stable) => outln!("{name}: stable"),
            Ok(Stability::Unstable(why)) => {
                outln!("{name}: UNSTABLE: {why}");
                if code == EXIT_OK {
                    code = EXIT_FAIL;
                }
            }
            Err(e) => {
                eprintln!("{}", e.with_file(&name));
                code = EXIT_USAGE;
            }
        }
    }
    code
}
