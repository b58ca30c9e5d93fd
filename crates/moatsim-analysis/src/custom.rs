//! Indicators a spec defines (issue 29): an aggregate of one column of a
//! run's table, over the rows a filter keeps, for example
//!
//! ```text
//! sum(labs.revenue where name = 'frontier-a' and year = 2030)
//! last(world.leader_share)
//! mean(accelerator_buyers.retired_h100e where kind = 'hyperscaler')
//! ```
//!
//! - **Aggregates:** `first` and `last` (in the table's row order, which is
//!   tick order), `mean`, `min`, `max`, `sum` and `count` (rows kept; its
//!   column may be any).
//! - **Filters** compare a column with a number or a 'quoted string' (`=`,
//!   `!=`, `<`, `<=`, `>`, `>=`), joined by `and`.
//! - The table and columns are checked against the output schema before
//!   anything runs. A number column is required for every aggregate but
//!   `count`, and a filter's literal must match its column's kind.
//! - A run with no row kept gives NaN (0 for `sum` and `count`). A claim on
//!   NaN does not hold, as for the built-in indicators.

use std::fmt;
use std::path::Path;

use moatsim_output::reader::read_columns;
use moatsim_output::schema::ReadAs;
use moatsim_output::schema::tables;

use crate::AnalysisError;

/// How the kept values become one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    First,
    Last,
    Mean,
    Min,
    Max,
    Sum,
    Count,
}

const AGGREGATES: &[(&str, Aggregate)] = &[
    ("first", Aggregate::First),
    ("last", Aggregate::Last),
    ("mean", Aggregate::Mean),
    ("min", Aggregate::Min),
    ("max", Aggregate::Max),
    ("sum", Aggregate::Sum),
    ("count", Aggregate::Count),
];

/// A comparison in a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A filter's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Number(f64),
    Text(String),
}

/// One condition of a filter: `column op value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub column: String,
    pub comparison: Comparison,
    pub value: Literal,
}

/// A parsed indicator expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    pub aggregate: Aggregate,
    pub table: String,
    pub column: String,
    pub conditions: Vec<Condition>,
}

/// Why an expression could not be read, or does not fit the schema.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExpressionError {
    #[error("at character {at}: {message}")]
    Syntax { at: usize, message: String },
    #[error("{0}")]
    Schema(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Name(String),
    Number(f64),
    Text(String),
    Compare(Comparison),
    Open,
    Close,
    Dot,
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Name(n) => write!(f, "`{n}`"),
            Token::Number(v) => write!(f, "{v}"),
            Token::Text(t) => write!(f, "'{t}'"),
            Token::Compare(_) => write!(f, "a comparison"),
            Token::Open => write!(f, "`(`"),
            Token::Close => write!(f, "`)`"),
            Token::Dot => write!(f, "`.`"),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, ExpressionError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let syntax = |at: usize, message: String| ExpressionError::Syntax { at, message };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let token = match c {
            '(' => {
                i += 1;
                Token::Open
            }
            ')' => {
                i += 1;
                Token::Close
            }
            '.' if !chars.get(i + 1).is_some_and(char::is_ascii_digit) => {
                i += 1;
                Token::Dot
            }
            '\'' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&c| c == '\'')
                    .ok_or_else(|| syntax(i, "a string that does not end (a closing ')".into()))?;
                let s: String = chars[i + 1..i + 1 + end].iter().collect();
                i += end + 2;
                Token::Text(s)
            }
            '=' | '!' | '<' | '>' => {
                let next = chars.get(i + 1).copied();
                let (comparison, width) = match (c, next) {
                    ('=', Some('=')) => (Comparison::Eq, 2),
                    ('=', _) => (Comparison::Eq, 1),
                    ('!', Some('=')) => (Comparison::Ne, 2),
                    ('<', Some('=')) => (Comparison::Le, 2),
                    ('<', _) => (Comparison::Lt, 1),
                    ('>', Some('=')) => (Comparison::Ge, 2),
                    ('>', _) => (Comparison::Gt, 1),
                    _ => return Err(syntax(i, "`!` must be followed by `=`".into())),
                };
                i += width;
                Token::Compare(comparison)
            }
            c if c.is_ascii_digit() || c == '-' || c == '.' => {
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '.' | '-' | '+'))
                {
                    // A sign only at the start or after an exponent.
                    if matches!(chars[i], '-' | '+')
                        && i > start
                        && !matches!(chars[i - 1], 'e' | 'E')
                    {
                        break;
                    }
                    i += 1;
                }
                let written: String = chars[start..i].iter().collect();
                let value: f64 = written
                    .parse()
                    .map_err(|_| syntax(start, format!("`{written}` is not a number")))?;
                Token::Number(value)
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                Token::Name(chars[start..i].iter().collect())
            }
            other => return Err(syntax(i, format!("unexpected `{other}`"))),
        };
        tokens.push((start, token));
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    next: usize,
    end: usize,
}

impl Parser {
    fn at(&self) -> usize {
        self.tokens.get(self.next).map_or(self.end, |t| t.0)
    }

    fn fail<T>(&self, expected: &str) -> Result<T, ExpressionError> {
        let found = self
            .tokens
            .get(self.next)
            .map_or("the end".to_string(), |t| t.1.to_string());
        Err(ExpressionError::Syntax {
            at: self.at(),
            message: format!("expected {expected}, found {found}"),
        })
    }

    fn take(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.next).map(|t| t.1.clone());
        self.next += 1;
        token
    }

    fn name(&mut self, expected: &str) -> Result<String, ExpressionError> {
        match self.tokens.get(self.next) {
            Some((_, Token::Name(n))) => {
                let n = n.clone();
                self.next += 1;
                Ok(n)
            }
            _ => self.fail(expected),
        }
    }

    fn expect(&mut self, token: &Token, expected: &str) -> Result<(), ExpressionError> {
        if self.tokens.get(self.next).map(|t| &t.1) == Some(token) {
            self.next += 1;
            Ok(())
        } else {
            self.fail(expected)
        }
    }

    fn is_keyword(&self, keyword: &str) -> bool {
        matches!(self.tokens.get(self.next), Some((_, Token::Name(n))) if n == keyword)
    }
}

impl Expression {
    /// Reads an expression: `aggregate(table.column [where condition [and
    /// condition]...])`.
    pub fn parse(text: &str) -> Result<Self, ExpressionError> {
        let mut p = Parser {
            tokens: tokenize(text)?,
            next: 0,
            end: text.chars().count(),
        };
        let at = p.at();
        let word = p.name("an aggregate (first, last, mean, min, max, sum, count)")?;
        let Some(&(_, aggregate)) = AGGREGATES.iter().find(|(w, _)| *w == word) else {
            return Err(ExpressionError::Syntax {
                at,
                message: format!(
                    "no aggregate `{word}`; allowed: first, last, mean, min, max, sum, count"
                ),
            });
        };
        p.expect(&Token::Open, "`(`")?;
        let table = p.name("a table name")?;
        p.expect(&Token::Dot, "`.` and a column")?;
        let column = p.name("a column name")?;
        let mut conditions = Vec::new();
        if p.is_keyword("where") {
            p.next += 1;
            loop {
                let column = p.name("a column name")?;
                let comparison = match p.take() {
                    Some(Token::Compare(c)) => c,
                    _ => {
                        p.next -= 1;
                        return p.fail("a comparison (=, !=, <, <=, >, >=)");
                    }
                };
                let value = match p.take() {
                    Some(Token::Number(v)) => Literal::Number(v),
                    Some(Token::Text(t)) => Literal::Text(t),
                    _ => {
                        p.next -= 1;
                        return p.fail("a number or a 'quoted string'");
                    }
                };
                conditions.push(Condition {
                    column,
                    comparison,
                    value,
                });
                if p.is_keyword("and") {
                    p.next += 1;
                } else {
                    break;
                }
            }
        }
        p.expect(&Token::Close, "`)`, `where` or `and`")?;
        if p.next < p.tokens.len() {
            return p.fail("the end");
        }
        Ok(Self {
            aggregate,
            table,
            column,
            conditions,
        })
    }

    /// Checks the table and columns against the output schema: the table
    /// exists, the aggregated column is a number (any column for `count`),
    /// and each filter's literal is of its column's kind.
    pub fn check(&self) -> Result<(), ExpressionError> {
        let all = tables();
        let Some(table) = all.iter().find(|t| t.name == self.table) else {
            let names: Vec<&str> = all.iter().map(|t| t.name).collect();
            return Err(ExpressionError::Schema(format!(
                "no table `{}`; allowed: {}",
                self.table,
                names.join(", ")
            )));
        };
        let kind = |column: &str| -> Result<ReadAs, ExpressionError> {
            let def = table
                .columns
                .iter()
                .find(|c| c.name == column)
                .ok_or_else(|| {
                    let names: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
                    ExpressionError::Schema(format!(
                        "table `{}` has no column `{column}`; allowed: {}",
                        table.name,
                        names.join(", ")
                    ))
                })?;
            def.read_as().ok_or_else(|| {
                ExpressionError::Schema(format!(
                    "column `{}.{column}` is {:?}; allowed: number and text columns",
                    table.name, def.data_type
                ))
            })
        };
        let aggregated = kind(&self.column)?;
        if self.aggregate != Aggregate::Count && aggregated != ReadAs::Number {
            return Err(ExpressionError::Schema(format!(
                "`{}.{}` is text; allowed: a number column (or count)",
                self.table, self.column
            )));
        }
        for c in &self.conditions {
            let wanted = match c.value {
                Literal::Number(_) => ReadAs::Number,
                Literal::Text(_) => ReadAs::Text,
            };
            if kind(&c.column)? != wanted {
                return Err(ExpressionError::Schema(format!(
                    "`{}.{}` is compared with a {}; allowed: a {} for this column",
                    self.table,
                    c.column,
                    if wanted == ReadAs::Number {
                        "number"
                    } else {
                        "string"
                    },
                    if wanted == ReadAs::Number {
                        "'quoted string'"
                    } else {
                        "number"
                    }
                )));
            }
        }
        Ok(())
    }

    /// The indicator in the run in `dir`.
    pub fn evaluate(&self, dir: &Path) -> Result<f64, AnalysisError> {
        let all = tables();
        let table = all.iter().find(|t| t.name == self.table);
        let is_number = |column: &str| {
            table
                .and_then(|t| t.columns.iter().find(|c| c.name == column))
                .and_then(|c| c.read_as())
                == Some(ReadAs::Number)
        };
        let mut numeric: Vec<&str> = Vec::new();
        let mut text: Vec<&str> = Vec::new();
        for column in std::iter::once(self.column.as_str())
            .chain(self.conditions.iter().map(|c| c.column.as_str()))
        {
            let list = if is_number(column) {
                &mut numeric
            } else {
                &mut text
            };
            if !list.contains(&column) {
                list.push(column);
            }
        }
        let path = dir.join(format!("{}.parquet", self.table));
        let columns = read_columns(&path, &numeric, &text).map_err(AnalysisError::Read)?;
        let kept: Vec<usize> = (0..columns.rows())
            .filter(|&i| {
                self.conditions.iter().all(|c| match &c.value {
                    Literal::Number(v) => compare(c.comparison, &columns.numbers(&c.column)[i], v),
                    Literal::Text(t) => compare(
                        c.comparison,
                        columns.strings(&c.column)[i].as_str(),
                        t.as_str(),
                    ),
                })
            })
            .collect();
        if self.aggregate == Aggregate::Count {
            return Ok(kept.len() as f64);
        }
        let values: Vec<f64> = kept
            .iter()
            .map(|&i| columns.numbers(&self.column)[i])
            .collect();
        Ok(aggregate(self.aggregate, &values))
    }
}

/// A filter's comparison, on numbers or text alike. `=` on numbers is for
/// ticks, years and ids, which are whole.
#[allow(
    clippy::float_cmp,
    reason = "a filter's `=` on numbers is for ticks, years and ids, which are whole"
)]
fn compare<T: PartialOrd + ?Sized>(comparison: Comparison, x: &T, y: &T) -> bool {
    match comparison {
        Comparison::Eq => x == y,
        Comparison::Ne => x != y,
        Comparison::Lt => x < y,
        Comparison::Le => x <= y,
        Comparison::Gt => x > y,
        Comparison::Ge => x >= y,
    }
}

/// The aggregate of `values` (kept rows, in row order): NaN when there are
/// none, except `sum` (0) and `count` (0).
pub fn aggregate(aggregate: Aggregate, values: &[f64]) -> f64 {
    match aggregate {
        Aggregate::Count => values.len() as f64,
        Aggregate::Sum => values.iter().sum(),
        _ if values.is_empty() => f64::NAN,
        Aggregate::First => values[0],
        Aggregate::Last => values[values.len() - 1],
        Aggregate::Mean => values.iter().sum::<f64>() / values.len() as f64,
        Aggregate::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
        Aggregate::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn expressions_read_as_written() {
        let e = Expression::parse("sum(labs.revenue where name = 'frontier-a' and year >= 2030)")
            .expect("parses");
        assert_eq!(e.aggregate, Aggregate::Sum);
        assert_eq!((e.table.as_str(), e.column.as_str()), ("labs", "revenue"));
        assert_eq!(
            e.conditions,
            vec![
                Condition {
                    column: "name".into(),
                    comparison: Comparison::Eq,
                    value: Literal::Text("frontier-a".into()),
                },
                Condition {
                    column: "year".into(),
                    comparison: Comparison::Ge,
                    value: Literal::Number(2030.0),
                },
            ]
        );
        assert!(e.check().is_ok());
        let last = Expression::parse("last(world.leader_share)").expect("parses");
        assert!(last.conditions.is_empty());
        assert!(last.check().is_ok());
        assert!(
            Expression::parse("count(labs.name where revenue > -1.5e3)")
                .expect("parses")
                .check()
                .is_ok()
        );
    }

    #[test]
    fn bad_expressions_say_where_and_what_is_allowed() {
        for (text, says) in [
            ("median(world.hhi)", "no aggregate `median`"),
            ("sum(world.hhi", "expected `)`"),
            ("sum(world)", "`.` and a column"),
            ("sum(world.hhi where tick)", "a comparison"),
            (
                "sum(world.hhi where tick = )",
                "a number or a 'quoted string'",
            ),
            ("sum(world.hhi) extra", "expected the end"),
            ("sum(world.hhi where name = 'open", "does not end"),
        ] {
            let error = Expression::parse(text).expect_err(text).to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
        for (text, says) in [
            ("sum(wrld.hhi)", "no table `wrld`"),
            ("sum(world.hh)", "no column `hh`"),
            ("sum(labs.name)", "a number column"),
            ("sum(labs.revenue where name = 3)", "'quoted string'"),
            (
                "sum(labs.revenue where year = '2030')",
                "a number for this column",
            ),
        ] {
            let error = Expression::parse(text)
                .expect(text)
                .check()
                .expect_err(text)
                .to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
    }

    #[test]
    fn aggregates_of_nothing() {
        assert!(aggregate(Aggregate::Mean, &[]).is_nan());
        assert!(aggregate(Aggregate::Last, &[]).is_nan());
        assert!(aggregate(Aggregate::Sum, &[]).abs() < f64::MIN_POSITIVE);
        assert!(aggregate(Aggregate::Count, &[]).abs() < f64::MIN_POSITIVE);
        assert!((aggregate(Aggregate::Last, &[1.0, 2.0, 3.0]) - 3.0).abs() < 1e-12);
        assert!((aggregate(Aggregate::First, &[1.0, 2.0, 3.0]) - 1.0).abs() < 1e-12);
    }

    proptest! {
        /// Every aggregate of a non-empty list lies where it should: between
        /// min and max (but sum and count), the mean times the count is the
        /// sum.
        #[test]
        fn aggregates_are_consistent(values in prop::collection::vec(-1e6f64..1e6, 1..40)) {
            let (lo, hi) = (aggregate(Aggregate::Min, &values), aggregate(Aggregate::Max, &values));
            for a in [Aggregate::First, Aggregate::Last, Aggregate::Mean] {
                let v = aggregate(a, &values);
                prop_assert!(v >= lo - 1e-6 && v <= hi + 1e-6);
            }
            let n = aggregate(Aggregate::Count, &values);
            prop_assert!((n - values.len() as f64).abs() < 1e-12);
            let mean = aggregate(Aggregate::Mean, &values);
            prop_assert!((mean * n - aggregate(Aggregate::Sum, &values)).abs() <= 1e-6 * (1.0 + values.iter().map(|v| v.abs()).sum::<f64>()));
        }
    }
}
