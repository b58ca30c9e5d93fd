//! Calendar quarters: the simulation's unit of time.

use serde::{Deserialize, Serialize};

/// A calendar quarter such as 2025Q1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub quarter: u8,
}

/// Why a string is not a quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarterParseError(pub String);

impl std::fmt::Display for QuarterParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is not a quarter; write it as YYYYQn, for example 2025Q1",
            self.0
        )
    }
}

impl std::error::Error for QuarterParseError {}

impl Quarter {
    pub fn new(year: i32, quarter: u8) -> Option<Self> {
        (1..=4).contains(&quarter).then_some(Self { year, quarter })
    }

    /// Quarters since year 0, so that differences are plain subtraction.
    pub fn ordinal(self) -> i64 {
        i64::from(self.year) * 4 + i64::from(self.quarter) - 1
    }

    pub fn from_ordinal(ordinal: i64) -> Self {
        let year = ordinal.div_euclid(4);
        let quarter = ordinal.rem_euclid(4) + 1;
        Self {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            quarter: u8::try_from(quarter).unwrap_or(1),
        }
    }

    /// The quarter `ticks` quarters after this one.
    pub fn plus(self, ticks: u32) -> Self {
        Self::from_ordinal(self.ordinal() + i64::from(ticks))
    }

    /// Quarters from `earlier` to `self` (negative when `self` is earlier).
    pub fn since(self, earlier: Quarter) -> i64 {
        self.ordinal() - earlier.ordinal()
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}Q{}", self.year, self.quarter)
    }
}

impl std::str::FromStr for Quarter {
    type Err = QuarterParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || QuarterParseError(text.to_string());
        let (year, quarter) = text.trim().split_once(['Q', 'q']).ok_or_else(error)?;
        let year: i32 = year.parse().map_err(|_| error())?;
        let quarter: u8 = quarter.parse().map_err(|_| error())?;
        if !(1900..=2200).contains(&year) {
            return Err(error());
        }
        Quarter::new(year, quarter).ok_or_else(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_parse_print_and_add() {
        let start: Quarter = "2025Q1".parse().expect("valid quarter");
        assert_eq!(start.to_string(), "2025Q1");
        assert_eq!(start.plus(5).to_string(), "2026Q2");
        assert_eq!(start.plus(23).to_string(), "2030Q4");
        assert_eq!(start.plus(4).since(start), 4);
    }

    #[test]
    fn bad_quarters_are_refused() {
        for text in ["2025", "2025Q5", "2025Q0", "Q1", "abcdQ1", "20250Q1"] {
            assert!(text.parse::<Quarter>().is_err(), "{text} should not parse");
        }
    }
}
