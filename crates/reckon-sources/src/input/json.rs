//! JSON payloads as APIs return them: a plain array of objects, or an
//! envelope holding the array (`value`, `content`, `data`, `items`,
//! `resources`, `agents`, ...) next to paging details.

use hashbrown::HashSet;
use serde_json::Value;

use super::record::json_field_names;
use crate::error::{SourceError, SourceErrorKind};

/// Envelope keys that hold the records, in the order they are tried.
const ENVELOPE_KEYS: [&str; 22] = [
    "value",
    "content",
    "data",
    "items",
    "resources",
    "results",
    "records",
    "agents",
    "devices",
    "computers",
    "machines",
    "hosts",
    "sites",
    "organizations",
    "customers",
    "companies",
    "subscriptions",
    "tenants",
    "seats",
    "domains",
    "usages",
    "rows",
];

/// A parsed payload and where its records are.
#[derive(Debug)]
pub struct JsonPayload {
    pub root: Value,
    /// The envelope key holding the records; `None` for a plain array or a
    /// single object.
    pub envelope: Option<String>,
}

impl JsonPayload {
    pub fn parse(file: &str, text: &str) -> Result<JsonPayload, SourceError> {
        let root: Value = serde_json::from_str(text).map_err(|error| {
            SourceError::new(
                file,
                SourceErrorKind::Value,
                format!("is not valid JSON: {error}"),
            )
        })?;
        let envelope = match &root {
            Value::Object(object) => ENVELOPE_KEYS
                .iter()
                .find(|key| matches!(object.get(**key), Some(Value::Array(_))))
                .map(|key| key.to_string())
                .or_else(|| {
                    // Any single array of objects.
                    let arrays: Vec<&String> = object
                        .iter()
                        .filter(|(_, value)| {
                            value
                                .as_array()
                                .is_some_and(|items| items.iter().all(Value::is_object))
                        })
                        .map(|(key, _)| key)
                        .collect();
                    (arrays.len() == 1).then(|| arrays[0].clone())
                }),
            _ => None,
        };
        Ok(JsonPayload { root, envelope })
    }

    /// The records: the envelope's array, the root array, or the root
    /// object itself.
    pub fn records(&self) -> &[Value] {
        match (&self.root, &self.envelope) {
            (Value::Object(object), Some(key)) => object
                .get(key)
                .and_then(Value::as_array)
                .map_or(&[], Vec::as_slice),
            (Value::Array(items), _) => items,
            (root, None) => std::slice::from_ref(root),
            _ => &[],
        }
    }

    /// The normalised field names of the first records.
    pub fn field_names(&self) -> HashSet<String> {
        let mut names = HashSet::new();
        for record in self.records().iter().take(50) {
            json_field_names(record, &mut names);
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_found_in_envelopes() {
        let graph = JsonPayload::parse(
            "u.json",
            r#"{"@odata.context":"x","value":[{"id":"1"},{"id":"2"}]}"#,
        )
        .unwrap();
        assert_eq!(graph.envelope.as_deref(), Some("value"));
        assert_eq!(graph.records().len(), 2);
        let plain = JsonPayload::parse("a.json", r#"[{"id":1}]"#).unwrap();
        assert_eq!(plain.envelope, None);
        assert_eq!(plain.records().len(), 1);
        let custom = JsonPayload::parse("c.json", r#"{"paging":{},"things":[{"id":1}]}"#).unwrap();
        assert_eq!(custom.envelope.as_deref(), Some("things"));
        let single = JsonPayload::parse("s.json", r#"{"id":1}"#).unwrap();
        assert_eq!(single.records().len(), 1);
        let error = JsonPayload::parse("bad.json", "{\n\"id\": }").unwrap_err();
        assert!(error.to_string().contains("line 2"), "{error}");
    }
}
