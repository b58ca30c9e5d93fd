//! Claims tested on an ensemble (issue 29): a claim's predicate over a run's
//! indicators, the share of runs in which it holds with an interval, and how
//! that depends on each input.
//!
//! - **Predicates** are comparisons of indicators and numbers joined by
//!   `and`, `or`, `not` and parentheses, for example
//!   `moat_half_life_quarters >= 8 and moat_half_life_quarters <= 12`.
//!   The operators are `<`, `<=`, `>`, `>=`, `==` and `!=`. When the run could
//!   not measure an indicator the predicate reads (NaN, such as a half-life
//!   that never halved), the claim does not hold in that run, whatever the
//!   rest says: an unknown is not a success, negated or not.
//! - **The share** of runs in which a claim holds comes with a Wilson score
//!   interval (Wilson 1927), which stays inside [0, 1] and is sensible at
//!   shares of 0 and 1, unlike the normal approximation.
//! - **Feature scores** are the Kolmogorov-Smirnov distance between an
//!   input's values in the runs where the claim holds and where it fails:
//!   0 when the input does not separate them, 1 when it separates them
//!   completely. This is regional sensitivity analysis (Spear and Hornberger
//!   1980), a one-line score per input.

use std::fmt;

/// A parsed claim predicate.
#[derive(Debug, Clone, PartialEq)]
pub struct Predicate {
    expr: Expr,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare(Term, Op, Term),
}

#[derive(Debug, Clone, PartialEq)]
enum Term {
    Number(f64),
    Indicator(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

/// Why a predicate could not be read or evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PredicateError {
    /// The text is not a predicate; `at` is the character where reading
    /// stopped.
    #[error("at character {at}: {message}")]
    Syntax { at: usize, message: String },
    /// The predicate names an indicator the run does not have.
    #[error("no indicator `{name}`")]
    Unknown { name: String },
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64),
    Name(String),
    Op(Op),
    Open,
    Close,
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Number(v) => write!(f, "{v}"),
            Token::Name(n) => write!(f, "`{n}`"),
            Token::Op(_) => write!(f, "a comparison"),
            Token::Open => write!(f, "`(`"),
            Token::Close => write!(f, "`)`"),
        }
    }
}

impl Predicate {
    /// Reads a predicate.
    pub fn parse(text: &str) -> Result<Self, PredicateError> {
        let tokens = tokenize(text)?;
        let mut parser = Parser {
            tokens,
            next: 0,
            end: text.chars().count(),
        };
        let expr = parser.or()?;
        if let Some((at, token)) = parser.tokens.get(parser.next) {
            return Err(PredicateError::Syntax {
                at: *at,
                message: format!("expected `and`, `or` or the end, found {token}"),
            });
        }
        Ok(Self { expr })
    }

    /// The indicators the predicate reads, in order of first use.
    pub fn indicators(&self) -> Vec<String> {
        let mut names = Vec::new();
        collect_names(&self.expr, &mut names);
        names
    }

    /// Whether the claim holds for a run whose indicators `value` gives
    /// (false when one of them is NaN).
    pub fn holds(&self, value: &dyn Fn(&str) -> Option<f64>) -> Result<bool, PredicateError> {
        for name in self.indicators() {
            let v = value(&name).ok_or(PredicateError::Unknown { name })?;
            if v.is_nan() {
                return Ok(false);
            }
        }
        eval(&self.expr, value)
    }
}

fn collect_names(expr: &Expr, names: &mut Vec<String>) {
    match expr {
        Expr::Or(a, b) | Expr::And(a, b) => {
            collect_names(a, names);
            collect_names(b, names);
        }
        Expr::Not(a) => collect_names(a, names),
        Expr::Compare(a, _, b) => {
            for term in [a, b] {
                if let Term::Indicator(name) = term
                    && !names.contains(name)
                {
                    names.push(name.clone());
                }
            }
        }
    }
}

fn eval(expr: &Expr, value: &dyn Fn(&str) -> Option<f64>) -> Result<bool, PredicateError> {
    Ok(match expr {
        Expr::Or(a, b) => eval(a, value)? | eval(b, value)?,
        Expr::And(a, b) => eval(a, value)? & eval(b, value)?,
        Expr::Not(a) => !eval(a, value)?,
        Expr::Compare(a, op, b) => {
            let (x, y) = (term(a, value)?, term(b, value)?);
            match op {
                Op::Lt => x < y,
                Op::Le => x <= y,
                Op::Gt => x > y,
                Op::Ge => x >= y,
                // Exactly as written: `==` on indicators is for counts and
                // whole quarters.
                Op::Eq => x.partial_cmp(&y) == Some(std::cmp::Ordering::Equal),
                Op::Ne => x.partial_cmp(&y) != Some(std::cmp::Ordering::Equal),
            }
        }
    })
}

fn term(t: &Term, value: &dyn Fn(&str) -> Option<f64>) -> Result<f64, PredicateError> {
    match t {
        Term::Number(v) => Ok(*v),
        Term::Indicator(name) => {
            value(name).ok_or_else(|| PredicateError::Unknown { name: name.clone() })
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, PredicateError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let token = if c == '(' {
            i += 1;
            Token::Open
        } else if c == ')' {
            i += 1;
            Token::Close
        } else if "<>=!".contains(c) {
            let two = chars.get(i + 1) == Some(&'=');
            i += if two { 2 } else { 1 };
            Token::Op(match (c, two) {
                ('<', false) => Op::Lt,
                ('<', true) => Op::Le,
                ('>', false) => Op::Gt,
                ('>', true) => Op::Ge,
                ('=', true) => Op::Eq,
                ('!', true) => Op::Ne,
                _ => {
                    return Err(PredicateError::Syntax {
                        at: start,
                        message: format!("`{c}` is not a comparison (use <, <=, >, >=, == or !=)"),
                    });
                }
            })
        } else if c.is_ascii_digit() || c == '.' || c == '-' {
            i += 1;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric()
                    || chars[i] == '.'
                    || (matches!(chars[i], '+' | '-') && matches!(chars[i - 1], 'e' | 'E')))
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => Token::Number(v),
                _ => {
                    return Err(PredicateError::Syntax {
                        at: start,
                        message: format!("`{text}` is not a number"),
                    });
                }
            }
        } else if c.is_alphabetic() || c == '_' {
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            Token::Name(chars[start..i].iter().collect())
        } else {
            return Err(PredicateError::Syntax {
                at: start,
                message: format!("unexpected `{c}`"),
            });
        };
        tokens.push((start, token));
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    next: usize,
    /// The text's length in characters: where "the end" is.
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(_, t)| t)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.next).map_or(self.end, |(at, _)| *at)
    }

    fn keyword(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Name(n)) if n == word) {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Expr, PredicateError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, PredicateError> {
        let mut left = self.not()?;
        while self.keyword("and") {
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, PredicateError> {
        if self.keyword("not") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        if self.peek() == Some(&Token::Open) {
            self.next += 1;
            let inner = self.or()?;
            if self.peek() != Some(&Token::Close) {
                return Err(PredicateError::Syntax {
                    at: self.at(),
                    message: "expected `)`".into(),
                });
            }
            self.next += 1;
            return Ok(inner);
        }
        let left = self.term()?;
        let op = match self.peek() {
            Some(Token::Op(op)) => *op,
            _ => {
                return Err(PredicateError::Syntax {
                    at: self.at(),
                    message: "expected a comparison (<, <=, >, >=, == or !=)".into(),
                });
            }
        };
        self.next += 1;
        let right = self.term()?;
        Ok(Expr::Compare(left, op, right))
    }

    fn term(&mut self) -> Result<Term, PredicateError> {
        let at = self.at();
        let term = match self.peek() {
            Some(Token::Number(v)) => Term::Number(*v),
            Some(Token::Name(n)) if !matches!(n.as_str(), "and" | "or" | "not") => {
                Term::Indicator(n.clone())
            }
            Some(other) => {
                return Err(PredicateError::Syntax {
                    at,
                    message: format!("expected an indicator or a number, found {other}"),
                });
            }
            None => {
                return Err(PredicateError::Syntax {
                    at,
                    message: "expected an indicator or a number, found the end".into(),
                });
            }
        };
        self.next += 1;
        Ok(term)
    }
}

/// The share of `n` runs in which a claim holds, `k` of them, with its
/// Wilson score interval at the normal quantile `z` (1.645 for 90%):
/// `(share, low, high)`. No runs give `(NaN, 0, 1)`: nothing is known.
pub fn share_with_interval(k: usize, n: usize, z: f64) -> (f64, f64, f64) {
    if n == 0 {
        return (f64::NAN, 0.0, 1.0);
    }
    let n_f = n as f64;
    let p = k.min(n) as f64 / n_f;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n_f)) / (1.0 + z2 / n_f);
    let half = z / (1.0 + z2 / n_f) * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt();
    (p, (centre - half).max(0.0), (centre + half).min(1.0))
}

/// The normal quantile of a two-sided 90% interval.
pub const Z_90: f64 = 1.644_853_626_951_472_2;

/// The Kolmogorov-Smirnov distance between two samples: the largest gap
/// between their empirical distribution functions, from 0 (the same) to 1
/// (separated). Either sample empty gives 0. NaN values are left out.
pub fn ks_distance(a: &[f64], b: &[f64]) -> f64 {
    let sorted = |v: &[f64]| {
        let mut s: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
        s.sort_by(f64::total_cmp);
        s
    };
    let (a, b) = (sorted(a), sorted(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut gap) = (0, 0, 0.0_f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        gap = gap.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
    }
    gap
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lookup<'a>(pairs: &'a [(&'a str, f64)]) -> impl Fn(&str) -> Option<f64> + 'a {
        move |name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    #[test]
    fn predicates_read_as_written() {
        let p = Predicate::parse("moat_half_life_quarters >= 8 and moat_half_life_quarters <= 12")
            .expect("parses");
        assert_eq!(p.indicators(), vec!["moat_half_life_quarters".to_string()]);
        let at = |v: f64| {
            p.holds(&lookup(&[("moat_half_life_quarters", v)]))
                .expect("evaluates")
        };
        assert!(at(8.0) && at(10.0) && at(12.0));
        assert!(!at(7.9) && !at(12.5) && !at(f64::NAN));

        let q = Predicate::parse("not (a < 1 or b != -2.5e0) and 3 > a").expect("parses");
        assert_eq!(q.indicators(), vec!["a".to_string(), "b".to_string()]);
        assert!(
            q.holds(&lookup(&[("a", 2.0), ("b", -2.5)]))
                .expect("evaluates")
        );
        assert!(
            !q.holds(&lookup(&[("a", 0.5), ("b", -2.5)]))
                .expect("evaluates")
        );
        assert!(
            !q.holds(&lookup(&[("a", 2.0), ("b", f64::NAN)]))
                .expect("evaluates")
        );
        assert_eq!(
            q.holds(&lookup(&[("a", 2.0)])),
            Err(PredicateError::Unknown { name: "b".into() })
        );
    }

    #[test]
    fn bad_predicates_say_where_and_why() {
        for (text, at, says) in [
            ("a >", 3, "found the end"),
            ("a = 1", 2, "not a comparison"),
            ("(a > 1", 6, "expected `)`"),
            ("a > 1 b < 2", 6, "expected `and`, `or`"),
            ("a > 1 and", 9, "found the end"),
            ("a", 1, "expected a comparison"),
            ("a > 1.2.3", 4, "not a number"),
            ("a > 1 # 2", 6, "unexpected `#`"),
            ("and > 1", 0, "found `and`"),
        ] {
            match Predicate::parse(text) {
                Err(PredicateError::Syntax { at: got, message }) => {
                    assert_eq!(got, at, "{text}: {message}");
                    assert!(message.contains(says), "{text}: {message}");
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    proptest! {
        /// `and`, `or` and `not` mean what they mean in Rust, with `and`
        /// binding tighter than `or`.
        #[test]
        fn connectives_follow_boolean_logic(a in -5.0f64..5.0, b in -5.0f64..5.0, c in -5.0f64..5.0) {
            let p = Predicate::parse("a > 0 or b > 0 and not c > 0").expect("parses");
            let got = p.holds(&lookup(&[("a", a), ("b", b), ("c", c)])).expect("evaluates");
            prop_assert_eq!(got, a > 0.0 || (b > 0.0 && c <= 0.0));
        }

        /// The interval holds the share, stays in [0, 1], and narrows as the
        /// runs grow at the same share.
        #[test]
        fn the_share_interval_is_a_sensible_interval(k in 0usize..200, extra in 0usize..200, grow in 2usize..10) {
            let n = k + extra;
            prop_assume!(n > 0);
            let (p, low, high) = share_with_interval(k, n, Z_90);
            prop_assert!(0.0 <= low && low <= p + 1e-12 && p <= high + 1e-12 && high <= 1.0);
            let (_, low2, high2) = share_with_interval(k * grow, n * grow, Z_90);
            prop_assert!(high2 - low2 <= high - low + 1e-12);
        }

        /// The KS distance is 0 for a sample against itself, 1 for samples
        /// that do not overlap, symmetric, and within [0, 1].
        #[test]
        fn ks_distance_measures_separation(
            a in prop::collection::vec(-10.0f64..10.0, 1..50),
            b in prop::collection::vec(-10.0f64..10.0, 1..50),
        ) {
            prop_assert!(ks_distance(&a, &a).abs() < 1e-12);
            let d = ks_distance(&a, &b);
            prop_assert!((0.0..=1.0).contains(&d));
            prop_assert!((d - ks_distance(&b, &a)).abs() < 1e-12);
            let shifted: Vec<f64> = b.iter().map(|x| x + 100.0).collect();
            prop_assert!((ks_distance(&a, &shifted) - 1.0).abs() < 1e-12);
        }
    }
}
