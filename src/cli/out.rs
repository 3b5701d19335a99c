//! Standard output for the commands' listings, results and messages.
//!
//! `println!` panics when standard output is a pipe whose reader has gone
//! (`poxspec serve --list-faults | head`). Lines written through [`outln!`] and [`out!`]
//! instead stop being written: the reader took what it wanted, and the command carries on
//! to its own exit code, so a pipeline under `set -o pipefail` still learns whether the run
//! passed. Any other write error (a full disk behind a redirect) is reported once on
//! standard error, and [`run`](super::run) turns an otherwise successful exit into
//! [`EXIT_USAGE`](super::EXIT_USAGE), since the output the user asked for is incomplete.

use std::fmt;
use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicU8, Ordering};

/// Writes are still attempted.
const OPEN: u8 = 0;
/// The reader closed the pipe: later writes are skipped, the exit code is the command's.
const CLOSED: u8 = 1;
/// A write failed otherwise: later writes are skipped and the command cannot succeed.
const FAILED: u8 = 2;

static STATE: AtomicU8 = AtomicU8::new(OPEN);

/// Writes `args` (and a line end with `newline`) to standard output, unless an earlier write
/// found it closed or failing.
pub(crate) fn write(args: fmt::Arguments<'_>, newline: bool) {
    if STATE.load(Ordering::Relaxed) != OPEN {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    let written = if newline {
        writeln!(stdout, "{args}")
    } else {
        // Line-buffered: a partial last line is flushed here rather than lost at exit.
        write!(stdout, "{args}").and_then(|()| stdout.flush())
    };
    if let Err(e) = written {
        failed(&e);
    }
}

/// Records a failed write to standard output made by other means (a report writer): a closed
/// pipe stops output quietly, anything else is reported once and fails the command.
pub(crate) fn failed(e: &std::io::Error) {
    if e.kind() == ErrorKind::BrokenPipe {
        let _ = STATE.compare_exchange(OPEN, CLOSED, Ordering::Relaxed, Ordering::Relaxed);
    } else if STATE.swap(FAILED, Ordering::Relaxed) != FAILED {
        eprintln!("poxspec: cannot write to standard output: {e}");
    }
}

/// Standard output for a report writer: once the reader has closed the pipe, writes are
/// dropped as if made, so the writer still counts every unit it is given and the command
/// still reaches its verdict. Other errors pass through to the writer's caller.
pub(crate) struct Stdout(std::io::Stdout);

impl Stdout {
    /// Standard output, wrapped.
    pub(crate) fn new() -> Self {
        Stdout(std::io::stdout())
    }

    fn dropped(&self, e: std::io::Error) -> std::io::Result<()> {
        if e.kind() == ErrorKind::BrokenPipe {
            failed(&e);
            Ok(())
        } else {
            Err(e)
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if STATE.load(Ordering::Relaxed) == CLOSED {
            return Ok(buf.len());
        }
        match self.0.write(buf) {
            Ok(n) => Ok(n),
            Err(e) => self.dropped(e).map(|()| buf.len()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if STATE.load(Ordering::Relaxed) == CLOSED {
            return Ok(());
        }
        match self.0.flush() {
            Ok(()) => Ok(()),
            Err(e) => self.dropped(e),
        }
    }
}

/// Whether a write to standard output failed other than by the reader closing the pipe.
pub(crate) fn write_failed() -> bool {
    STATE.load(Ordering::Relaxed) == FAILED
}

/// `println!` that neither panics nor ends the command when standard output is closed.
macro_rules! outln {
    () => {
        $crate::cli::out::write(format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::cli::out::write(format_args!($($arg)*), true)
    };
}

/// `print!` that neither panics nor ends the command when standard output is closed.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::out::write(format_args!($($arg)*), false)
    };
}
