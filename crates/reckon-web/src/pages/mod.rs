//! Server-rendered pages.

pub mod admin;
pub mod assets;
pub mod dashboard;
pub mod finding;
pub mod findings;
pub mod imports;
pub mod layout;
pub mod mapping;
pub mod runs;
pub mod setup;
pub mod sign_in;

/// Percent-encodes a query value.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A query string from pairs, leaving out empty values.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| format!("{key}={}", url_encode(value)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// A local path to go back to after a form (never another site).
pub fn local_path(candidate: &str, fallback: &str) -> String {
    // Browsers drop tabs and line breaks from a URL before resolving it
    // (`/\t/evil.example` is `//evil.example`), and a header cannot hold
    // them: any control character or space makes it not a local path.
    if candidate.starts_with('/')
        && !candidate.starts_with("//")
        && !candidate.contains('\\')
        && !candidate
            .chars()
            .any(|c| c.is_control() || c.is_whitespace())
    {
        candidate.to_string()
    } else {
        fallback.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_encoded_and_paths_stay_local() {
        assert_eq!(
            query_string(&[("q", "a b&c".to_string()), ("kind", String::new())]),
            "?q=a%20b%26c"
        );
        assert_eq!(local_path("/findings?page=2", "/"), "/findings?page=2");
        assert_eq!(local_path("/\t/evil.example", "/"), "/");
        assert_eq!(local_path("/\n/evil.example", "/"), "/");
        assert_eq!(local_path("/ /evil.example", "/"), "/");
        assert_eq!(local_path("//evil.example", "/"), "/");
        assert_eq!(local_path("https://evil.example", "/"), "/");
    }
}
