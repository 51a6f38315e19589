//! One record of any input, read by field name: a row of a table (CSV or a
//! sheet) or an object of a JSON payload. A profile asks for `company.name`
//! and gets the JSON field at that path, or the table column headed
//! `company.name`, `Company Name` or `company_name`: names are compared
//! without case, spaces or punctuation.

use std::fmt;

use hashbrown::HashMap;
use serde_json::Value;

use crate::values::Locale;

/// A field name reduced to lowercase letters and digits.
pub fn normalise_name(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A table's header row.
#[derive(Debug, Clone, Default)]
pub struct Header {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Header {
    pub fn new(names: Vec<String>) -> Header {
        let mut index = HashMap::new();
        for (position, name) in names.iter().enumerate() {
            let key = normalise_name(name);
            if !key.is_empty() {
                index.entry(key).or_insert(position);
            }
        }
        Header { names, index }
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn position(&self, field: &str) -> Option<usize> {
        self.index.get(&normalise_name(field)).copied()
    }

    /// The column's name as the file spells it.
    pub fn name(&self, position: usize) -> &str {
        self.names.get(position).map_or("", String::as_str)
    }
}

/// Where a record is, as a person would look for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A line of a text file (the header's line counts) or a sheet's row.
    Row(u64),
    /// The n-th object (from 1) of a JSON payload's record list.
    Record(u64),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Row(row) => write!(f, "row {row}"),
            Location::Record(record) => write!(f, "record {record}"),
        }
    }
}

/// The cells of a table row.
#[derive(Debug, Clone, Copy)]
pub enum Cells<'a> {
    Csv(&'a csv::StringRecord),
    Owned(&'a [String]),
}

impl<'a> Cells<'a> {
    fn get(&self, position: usize) -> Option<&'a str> {
        match self {
            Cells::Csv(record) => record.get(position),
            Cells::Owned(cells) => cells.get(position).map(String::as_str),
        }
    }

    fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let cells = *self;
        (0..).map_while(move |position| cells.get(position))
    }
}

#[derive(Debug, Clone, Copy)]
enum Body<'a> {
    Row {
        header: &'a Header,
        cells: Cells<'a>,
    },
    Json(&'a Value),
}

/// One record, borrowed from its input.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    body: Body<'a>,
    pub location: Location,
    /// How the file writes numbers and dates.
    pub locale: Locale,
}

impl<'a> Record<'a> {
    pub fn row(header: &'a Header, cells: Cells<'a>, row: u64) -> Record<'a> {
        Record {
            body: Body::Row { header, cells },
            location: Location::Row(row),
            locale: Locale::English,
        }
    }

    pub fn json(value: &'a Value, location: Location) -> Record<'a> {
        Record {
            body: Body::Json(value),
            location,
            locale: Locale::English,
        }
    }

    pub fn with_locale(self, locale: Locale) -> Record<'a> {
        Record { locale, ..self }
    }

    /// The trimmed text of a field, `None` when absent, null or empty.
    /// JSON numbers keep their exact digits; booleans read `true`/`false`.
    pub fn text(&self, field: &str) -> Option<&'a str> {
        let raw = match self.body {
            Body::Row { header, cells } => cells.get(header.position(field)?)?,
            Body::Json(value) => scalar_text(lookup(value, field)?)?,
        };
        let trimmed = raw.trim();
        (!trimmed.is_empty()).then_some(trimmed)
    }

    /// The first of several field names that has a value, with that name.
    pub fn first<'f>(&self, fields: &[&'f str]) -> Option<(&'f str, &'a str)> {
        fields
            .iter()
            .find_map(|&field| self.text(field).map(|text| (field, text)))
    }

    /// Whether the record has the field at all (even empty).
    pub fn has(&self, field: &str) -> bool {
        match self.body {
            Body::Row { header, .. } => header.position(field).is_some(),
            Body::Json(value) => lookup(value, field).is_some(),
        }
    }

    /// The objects of a JSON array field (`assignedLicenses`); none for a
    /// table row or a missing field.
    pub fn list(&self, field: &str) -> Vec<Record<'a>> {
        match self.body {
            Body::Json(value) => match lookup(value, field) {
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|item| Record {
                        locale: self.locale,
                        ..Record::json(item, self.location)
                    })
                    .collect(),
                _ => Vec::new(),
            },
            Body::Row { .. } => Vec::new(),
        }
    }

    /// The strings of a JSON array field (`machineTags`).
    pub fn strings(&self, field: &str) -> Vec<&'a str> {
        match self.body {
            Body::Json(value) => match lookup(value, field) {
                Some(Value::Array(items)) => items.iter().filter_map(scalar_text).collect(),
                _ => Vec::new(),
            },
            Body::Row { .. } => Vec::new(),
        }
    }

    /// Whether every cell of a row is empty (blank rows in exports).
    pub fn is_blank(&self) -> bool {
        match self.body {
            Body::Row { cells, .. } => cells.iter().all(|cell| cell.trim().is_empty()),
            Body::Json(value) => value.as_object().is_some_and(|object| object.is_empty()),
        }
    }

    /// The first non-empty cell of a row (a total line's label).
    pub fn first_cell(&self) -> Option<&'a str> {
        match self.body {
            Body::Row { cells, .. } => cells.iter().map(str::trim).find(|cell| !cell.is_empty()),
            Body::Json(_) => None,
        }
    }

    /// The field's name as the file spells it, for error messages.
    pub fn column_name(&self, field: &str) -> String {
        match self.body {
            Body::Row { header, .. } => header
                .position(field)
                .map_or_else(|| field.to_string(), |p| header.name(p).to_string()),
            Body::Json(_) => field.to_string(),
        }
    }
}

fn scalar_text(value: &Value) -> Option<&str> {
    match value {
        Value::String(text) => Some(text),
        Value::Number(number) => Some(number.as_str()),
        Value::Bool(true) => Some("true"),
        Value::Bool(false) => Some("false"),
        _ => None,
    }
}

/// The value at a dotted path; each step matches a key exactly or, failing
/// that, by its normalised name.
fn lookup<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    let mut current = value;
    for step in path.split('.') {
        let object = current.as_object()?;
        current = match object.get(step) {
            Some(found) => found,
            None => {
                let wanted = normalise_name(step);
                object
                    .iter()
                    .find(|(key, _)| normalise_name(key) == wanted)
                    .map(|(_, found)| found)?
            }
        };
    }
    match current {
        Value::Null => None,
        found => Some(found),
    }
}

/// The field names a record offers, normalised, for profile detection:
/// every key, and every `parent.child` path one level down.
pub fn json_field_names(value: &Value, into: &mut hashbrown::HashSet<String>) {
    let Some(object) = value.as_object() else {
        return;
    };
    for (key, child) in object {
        into.insert(normalise_name(key));
        if let Some(inner) = child.as_object() {
            for inner_key in inner.keys() {
                into.insert(normalise_name(&format!("{key}.{inner_key}")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_is_found_in_a_row_or_a_json_object_alike() {
        let header = Header::new(vec!["Company Name".into(), "Qty".into()]);
        let cells = vec![" Contoso ".to_string(), "3".to_string()];
        let row = Record::row(&header, Cells::Owned(&cells), 2);
        assert_eq!(row.text("company.name"), Some("Contoso"));
        assert_eq!(row.text("companyName"), Some("Contoso"));
        assert_eq!(row.text("qty"), Some("3"));
        assert_eq!(row.text("missing"), None);
        assert_eq!(row.column_name("company_name"), "Company Name");

        let value: Value = serde_json::from_str(
            r#"{"company":{"Name":"Contoso"},"qty":3.50,"ok":true,"none":null,"tags":["a","b"]}"#,
        )
        .unwrap();
        let record = Record::json(&value, Location::Record(1));
        assert_eq!(record.text("company.name"), Some("Contoso"));
        assert_eq!(record.text("qty"), Some("3.50"));
        assert_eq!(record.text("ok"), Some("true"));
        assert_eq!(record.text("none"), None);
        assert!(!record.has("none"));
        assert_eq!(record.strings("tags"), vec!["a", "b"]);
        assert_eq!(record.location.to_string(), "record 1");
    }
}
