//! The `poxspec` command line. It only wires the library's stages together.

mod cli;

fn main() {
    std::process::exit(cli::run());
}
