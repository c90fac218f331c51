//! Small helpers the suites share: JSON field access and hex.

use serde_json::Value;

/// The string field `key` of `v`.
pub fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The hex-decoded string field `key` of `v` (either case).
pub fn hex_field(v: &Value, key: &str) -> Option<Vec<u8>> {
    str_field(v, key).and_then(|s| hex::decode(s).ok())
}

/// Whether `v` is an object that has every one of `keys`.
pub fn has_keys(v: &Value, keys: &[&str]) -> bool {
    keys.iter().all(|k| v.get(*k).is_some())
}

/// The array field `key` of `v`, or an empty slice.
pub fn array_field<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// A short name for a case: its `name`, `description`, `comment` or `tcId` field.
pub fn case_name(v: &Value, index: usize) -> String {
    for k in ["name", "description", "comment", "id", "tcId"] {
        match v.get(k) {
            Some(Value::String(s)) if !s.is_empty() => return format!("#{index} {s}"),
            Some(Value::Number(n)) => return format!("#{index} {k} {n}"),
            _ => {}
        }
    }
    format!("#{index}")
}
