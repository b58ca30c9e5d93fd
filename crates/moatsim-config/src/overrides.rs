//! `--set KEY=VALUE` overrides applied to the parsed TOML table.

use crate::error::ConfigError;

#[derive(Debug, Clone)]
pub(crate) struct Override {
    /// The override as the user typed it.
    pub text: String,
    segments: Vec<Segment>,
    value: toml::Value,
}

#[derive(Debug, Clone)]
enum Segment {
    Key(String),
    /// An element of an array of tables, by position.
    Index(usize),
    /// An element of an array of tables, by its `name` field.
    Named(String),
}

impl Override {
    pub(crate) fn parse(text: &str) -> Result<Self, ConfigError> {
        let bad = |message: &str| ConfigError::BadOverride {
            text: text.to_string(),
            message: message.to_string(),
        };
        let (key, value) = text
            .split_once('=')
            .ok_or_else(|| bad("expected KEY=VALUE, for example scenario.quarters=8"))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(bad(
                "the key is empty; expected a dotted path such as labs[0].cash_usd",
            ));
        }
        let mut segments = Vec::new();
        for part in key.split('.') {
            let (name, mut rest) = match part.find('[') {
                Some(at) => (&part[..at], &part[at..]),
                None => (part, ""),
            };
            if name.is_empty() && segments.is_empty() {
                return Err(bad("a path cannot start with an index"));
            }
            if !name.is_empty() {
                match name.parse::<usize>() {
                    Ok(index) if !segments.is_empty() => segments.push(Segment::Index(index)),
                    _ => segments.push(Segment::Key(name.to_string())),
                }
            }
            while let Some(open) = rest.strip_prefix('[') {
                let (inside, after) = open
                    .split_once(']')
                    .ok_or_else(|| bad("an index is missing its closing ']'"))?;
                match inside.parse::<usize>() {
                    Ok(index) => segments.push(Segment::Index(index)),
                    Err(_) if !inside.is_empty() => {
                        segments.push(Segment::Named(inside.to_string()))
                    }
                    Err(_) => {
                        return Err(bad(
                            "an index is empty; use a position such as [0] or a name such as [frontier-a]",
                        ));
                    }
                }
                rest = after;
            }
            if !rest.is_empty() {
                return Err(bad("unexpected text after an index"));
            }
        }
        let value_text = value.trim();
        // A TOML value if it parses as one; otherwise the bare text as a string.
        let value = toml::from_str::<toml::Table>(&format!("v = {value_text}"))
            .ok()
            .and_then(|mut table| table.remove("v"))
            .unwrap_or_else(|| toml::Value::String(value_text.to_string()));
        Ok(Self {
            text: text.to_string(),
            segments,
            value,
        })
    }

    /// Sets the value and returns the field path in the form problems use
    /// (`labs[0].cash_usd`), so a later problem can be traced to this override.
    pub(crate) fn apply(&self, table: &mut toml::Table) -> Result<String, ConfigError> {
        let mut root = toml::Value::Table(std::mem::take(table));
        let result = self.apply_to(&mut root);
        if let toml::Value::Table(restored) = root {
            *table = restored;
        }
        result
    }

    fn apply_to(&self, root: &mut toml::Value) -> Result<String, ConfigError> {
        let bad = |message: String| ConfigError::BadOverride {
            text: self.text.clone(),
            message,
        };
        let mut path = String::new();
        let mut node = root;
        for (position, segment) in self.segments.iter().enumerate() {
            let last = position + 1 == self.segments.len();
            match segment {
                Segment::Key(key) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    let toml::Value::Table(current) = node else {
                        return Err(bad(format!("`{path}` is not inside a table")));
                    };
                    if last {
                        current.insert(key.clone(), self.value.clone());
                        return Ok(path);
                    }
                    // A missing table is created, so optional sections can be
                    // set from the command line; a misspelt name is still
                    // refused by the unknown-field check that follows.
                    let next_is_index = matches!(
                        self.segments.get(position + 1),
                        Some(Segment::Index(_) | Segment::Named(_))
                    );
                    if !current.contains_key(key) && next_is_index {
                        return Err(bad(format!("the config has no `{path}`")));
                    }
                    node = current
                        .entry(key.clone())
                        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                }
                Segment::Index(_) | Segment::Named(_) => {
                    let toml::Value::Array(items) = node else {
                        return Err(bad(format!(
                            "`{path}` is not a list, so it cannot be indexed"
                        )));
                    };
                    let index = match segment {
                        Segment::Named(name) => items
                            .iter()
                            .position(|item| {
                                item.get("name").and_then(toml::Value::as_str) == Some(name)
                            })
                            .ok_or_else(|| {
                                let names: Vec<&str> = items
                                    .iter()
                                    .filter_map(|item| item.get("name").and_then(toml::Value::as_str))
                                    .collect();
                                bad(format!(
                                    "`{path}` has no entry named {name:?}; allowed: {}, or a position from 0 to {}",
                                    names.join(", "),
                                    items.len().saturating_sub(1)
                                ))
                            })?,
                        Segment::Index(index) => *index,
                        Segment::Key(_) => unreachable!("matched above"),
                    };
                    let count = items.len();
                    path.push_str(&format!("[{index}]"));
                    if last {
                        return Err(bad(format!(
                            "`{path}` is a whole entry; set one of its fields instead"
                        )));
                    }
                    node = items.get_mut(index).ok_or_else(|| {
                        bad(format!(
                            "`{path}` is out of range; the list has {count} entries"
                        ))
                    })?;
                }
            }
        }
        Ok(path)
    }
}
