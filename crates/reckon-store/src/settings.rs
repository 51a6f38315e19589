//! The workspace settings: which keys exist, what each accepts, and the
//! defaults. `reckon config` and the web's settings page both check values
//! here before the store keeps them.

/// The settings, with what each accepts.
pub const SETTINGS: [(&str, &str); 2] = [
    (
        "import_stale_days",
        "days a feed's latest import may be old before a run warns (a whole number)",
    ),
    (
        "currency",
        "the PSA's currency, an ISO 4217 code such as USD, EUR or GBP (reports show it)",
    ),
];

/// The currency reports use when none is set.
pub const DEFAULT_CURRENCY: &str = "USD";

/// Checks and normalises a setting's value; the message says what is
/// expected.
pub fn setting_value(key: &str, value: &str) -> Result<String, String> {
    let value = value.trim();
    match key {
        "import_stale_days" if value.parse::<u32>().is_ok() => Ok(value.to_string()),
        "import_stale_days" => Err(format!("{key} = {value}: expected a whole number of days")),
        "currency" if value.len() == 3 && value.chars().all(|c| c.is_ascii_alphabetic()) => {
            Ok(value.to_ascii_uppercase())
        }
        "currency" => Err(format!(
            "{key} = {value}: expected a three-letter ISO 4217 code such as USD"
        )),
        _ => Err(format!(
            "{key} is not a setting (known: {})",
            SETTINGS.map(|(k, _)| k).join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_and_normalised() {
        assert_eq!(setting_value("currency", " eur ").as_deref(), Ok("EUR"));
        assert!(setting_value("currency", "euro").is_err());
        assert_eq!(
            setting_value("import_stale_days", "10").as_deref(),
            Ok("10")
        );
        assert!(setting_value("import_stale_days", "-1").is_err());
        assert!(setting_value("colour", "blue").is_err());
    }
}
