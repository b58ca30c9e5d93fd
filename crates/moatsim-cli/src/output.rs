//! What the commands write to the terminal: their text and JSON on stdout,
//! numbers with thousands separators, and the progress bars drawn on stderr.

use std::io::Write;

use crate::error::CliError;

/// Writes a command's output to stdout. A reader that stops early (`| head`)
/// closes the pipe; that ends the command quietly, as in any Unix tool.
pub(crate) fn emit(text: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(CliError::Failed(format!(
            "cannot write to standard output: {error}"
        ))),
    }
}

/// Prints a report as pretty JSON on stdout.
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value).map_err(CliError::failed)?;
    emit(&(text + "\n"))
}

/// 1234567 -> "1,234,567".
pub(crate) fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The plural ending of a count's noun: "1 run", "2 runs".
pub(crate) fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// A progress bar of `length` steps drawn with `template` (indicatif's
/// syntax), labelled with `prefix`.
pub(crate) fn progress_bar(length: u64, template: &str, prefix: String) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(length);
    // The templates are constants: should one not parse after an indicatif
    // upgrade, a plain bar is better than failing the run it decorates.
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(prefix);
    bar
}

#[cfg(test)]
mod tests {
    use super::group;

    #[test]
    fn large_numbers_are_grouped_by_thousands() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1_000), "1,000");
        assert_eq!(group(1_234_567), "1,234,567");
        assert_eq!(group(u64::MAX), "18,446,744,073,709,551,615");
    }
}
