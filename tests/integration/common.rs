//! Helpers shared by the test modules.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.xml` document directly in `corpus/`, sorted.
pub fn corpus_files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("corpus"))
        .expect("corpus/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    v.sort();
    v
}

/// The file name of a path.
pub fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// `expect: RULE [PATH]` comments in a corpus document (read as lossy UTF-8 or UTF-16).
pub fn expectations(bytes: &[u8]) -> Vec<(String, Option<String>)> {
    let text = poxspec::xml::decode_lossy(bytes);
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("<!-- expect: "))
        .filter_map(|l| l.strip_suffix(" -->"))
        .map(|l| {
            let mut parts = l.splitn(2, ' ');
            let rule = parts.next().unwrap().to_owned();
            (rule, parts.next().map(str::to_owned))
        })
        .collect()
}

/// Proptest configuration: `default` cases (or `POXSPEC_PROPTEST_CASES`), failures persisted,
/// a fixed seed so CI runs are reproducible (`POXSPEC_PROPTEST_SEED=N` picks another, `random` a fresh one).
pub fn proptest_config(default: u32) -> proptest::test_runner::Config {
    use proptest::test_runner::{Config, RngSeed};
    let cases = std::env::var("POXSPEC_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    let rng_seed = match std::env::var("POXSPEC_PROPTEST_SEED").ok().as_deref() {
        Some("random") => RngSeed::Random,
        Some(n) => RngSeed::Fixed(
            n.parse()
                .expect("POXSPEC_PROPTEST_SEED is a number or random"),
        ),
        None => RngSeed::Fixed(0x0070_6f78_7370_6563),
    };
    Config {
        cases,
        rng_seed,
        // Failures are written to tests/proptest-regressions/<module>.txt and replayed first on
        // every later run; the files are committed.
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::SourceParallel("proptest-regressions"),
        )),
        ..Config::default()
    }
}

/// Runs the `poxspec` binary from the repository root with extra environment variables;
/// returns exit code, stdout and stderr.
#[cfg(feature = "cli")]
pub fn poxspec_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_poxspec"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .output()
        .expect("the poxspec binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs the `poxspec` binary from the repository root.
#[cfg(feature = "cli")]
pub fn poxspec(args: &[&str]) -> (i32, String, String) {
    poxspec_env(args, &[])
}

/// A fresh empty folder under the target directory for a test's output.
#[cfg(feature = "cli")]
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}
