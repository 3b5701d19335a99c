//! What a command is given: documents and exports (a file, or standard input for `-`),
//! folders to walk, and numbers that must lie in a range.

use std::path::{Path, PathBuf};

/// Why an input could not be read; the message names the file (or `-`).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Standard input (`-`) could not be read.
    #[error("-: cannot read standard input: {0}")]
    Stdin(std::io::Error),
    /// The file could not be opened or read.
    #[error("{}: cannot read: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A folder given to walk could not be listed.
    #[error("{}: cannot read folder: {source}", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A text input (an export, a fixture) is not UTF-8.
    #[error("{}: not UTF-8 text (byte {valid_up_to})", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Bytes before the first invalid sequence.
        valid_up_to: usize,
    },
}

/// Reads a file, or all of standard input for `-`.
pub fn read(path: &Path) -> Result<Vec<u8>, InputError> {
    use std::io::Read;
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(InputError::Stdin)?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|source| InputError::File {
        path: path.to_owned(),
        source,
    })
}

/// Reads a text file (or `-`) that must be UTF-8.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    String::from_utf8(read(path)?).map_err(|e| InputError::NotUtf8 {
        path: path.to_owned(),
        valid_up_to: e.utf8_error().valid_up_to(),
    })
}

/// Expands folders into the `.xml` files below them (each folder's files sorted); keeps files
/// and `-` as given, in order.
pub fn expand_xml(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() != "-" && p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found)?;
            found.sort_unstable_by(|a, b| path_order(a, b));
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// The order of `Path`'s `Ord` (component by component) for the paths one walk yields, without
/// splitting them into components per comparison (which was 7 % of validating a folder of
/// 2,000 small files): a walk's paths are normalized, so comparing bytes with the separator
/// ranked below every other byte is the same order. The ranking is one-to-one, so only the
/// first differing byte needs it; the common prefix (the folder, usually) is skipped as bytes.
fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    let rank = |c: u8| {
        if std::path::is_separator(char::from(c)) {
            0
        } else {
            u16::from(c) + 1
        }
    };
    let (x, y) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    match x.iter().zip(y).position(|(p, q)| p != q) {
        Some(i) => rank(x[i]).cmp(&rank(y[i])),
        None => x.len().cmp(&y.len()),
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), InputError> {
    let folder = |source| InputError::Folder {
        path: dir.to_owned(),
        source,
    };
    for e in std::fs::read_dir(dir).map_err(folder)? {
        let e = e.map_err(folder)?;
        let path = e.path();
        // The entry's type comes with the listing; only a symbolic link needs a `stat` to
        // learn whether it leads to a folder.
        let is_dir = match e.file_type() {
            Ok(t) if !t.is_symlink() => t.is_dir(),
            _ => path.is_dir(),
        };
        if is_dir {
            walk(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("xml"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Parses a number of seconds in `min..=max`; refuses `inf`, `NaN` and out-of-range values
/// with a message naming the range (they would otherwise panic in `Duration`).
pub fn parse_seconds(s: &str, min: f64, max: f64) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if v.is_finite() && (min..=max).contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "{s} is out of range: give seconds from {min} to {max}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_order_is_paths_component_order() {
        let names = [
            "d/a/x.xml",
            "d/a-b/x.xml",
            "d/a.xml",
            "d/a b/y.xml",
            "d/a/b/c.xml",
            "d/A.xml",
            "d/ab.xml",
            "d/a/",
            "d/é.xml",
            "d/z.xml",
        ];
        let mut ours: Vec<PathBuf> = names.iter().map(PathBuf::from).collect();
        let mut std_order = ours.clone();
        ours.sort_unstable_by(|a, b| path_order(a, b));
        std_order.sort();
        assert_eq!(ours, std_order);
    }

    #[test]
    fn folders_expand_to_sorted_xml_files_and_files_stay_in_order() {
        let dir = std::env::temp_dir().join(format!("poxspec-expand-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for f in ["b.xml", "a.XML", "notes.txt", "sub/c.xml"] {
            std::fs::write(dir.join(f), "<x/>").unwrap();
        }
        let got = expand_xml(&[PathBuf::from("-"), dir.clone()]).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let names: Vec<String> = got
            .iter()
            .map(|p| {
                p.strip_prefix(&dir)
                    .unwrap_or(p)
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(names, ["-", "a.XML", "b.xml", "sub/c.xml"]);
    }

    #[test]
    fn a_missing_file_is_named_in_the_error() {
        let e = read(Path::new("no/such/file.xml")).unwrap_err();
        assert!(
            e.to_string().starts_with("no/such/file.xml: cannot read"),
            "{e}"
        );
    }
}
