//! The last line of defence against a damaged file: decoding Parquet bytes
//! that are not what was written can panic inside the parquet crate (an
//! offset out of range, a negative length). Such a panic is caught here and
//! becomes an error that names the file, so no damaged file makes moatsim
//! panic. Files with a recorded digest are checked before they are decoded
//! ([`crate::digest`]); this catches what no digest vouched for.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

thread_local! {
    /// This thread is decoding a file under [`decoding`]: a panic is caught
    /// and reported as an error, so the panic hook stays quiet.
    static DECODING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `decode`, turning a panic inside it into `Err(message)`.
pub(crate) fn decoding<T>(decode: impl FnOnce() -> T) -> Result<T, String> {
    let outer = DECODING.with(|d| d.replace(true));
    let result = catch_unwind(AssertUnwindSafe(decode));
    DECODING.with(|d| d.set(outer));
    result.map_err(|panic| {
        panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the decoder stopped".to_string())
    })
}

/// Keeps the panic hook quiet for panics caught by [`decoding`], which are
/// reported as errors instead of a backtrace; every other panic is printed
/// as before. The binary installs it once at start.
pub fn quiet_decoding_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !DECODING.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_decoding_is_an_error_with_its_message() {
        quiet_decoding_panics();
        let caught: Result<(), String> =
            decoding(|| panic!("column start and length should not be negative"));
        assert_eq!(
            caught,
            Err("column start and length should not be negative".to_string())
        );
        assert_eq!(decoding(|| 7), Ok(7));
        assert!(!DECODING.with(Cell::get), "the flag is cleared after");
    }
}
