//! Numbers as the pages show them: money exact from decimals, with
//! thousands separators and two decimals.

use std::str::FromStr;

use reckon_report::model::money_text;
use rust_decimal::Decimal;

/// A decimal text as stored (empty or unreadable: zero).
pub fn decimal(text: &str) -> Decimal {
    Decimal::from_str(text.trim()).unwrap_or_default()
}

/// `1,234.50`, `-45.10`: two decimals, rounded half away from zero.
pub fn money(value: Decimal) -> String {
    let text = money_text(value);
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, cents) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{cents}")
}

/// Money from integer cents.
pub fn cents(value: i64) -> String {
    money(Decimal::new(value, 2))
}

/// A quantity without trailing zeros, or a dash.
pub fn quantity(text: &str) -> String {
    if text.trim().is_empty() {
        "–".to_string()
    } else {
        decimal(text).normalize().to_string()
    }
}

/// `underbilled` -> `Underbilled`, `billed_no_usage` -> `Billed no usage`.
pub fn label(code: &str) -> String {
    let text = code.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A stored UTC timestamp as a person reads it: `2026-11-26T02:28:15Z` ->
/// `2026-11-26 02:28 UTC`. Anything else is shown as it is.
pub fn moment(timestamp: &str) -> String {
    match (timestamp.get(..10), timestamp.get(11..16)) {
        (Some(date), Some(time))
            if timestamp.ends_with('Z') && timestamp.get(10..11) == Some("T") =>
        {
            format!("{date} {time} UTC")
        }
        _ => timestamp.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_exact_with_separators() {
        assert_eq!(money(decimal("1234567.125")), "1,234,567.13");
        assert_eq!(money(decimal("-45.1")), "-45.10");
        assert_eq!(money(decimal("0")), "0.00");
        assert_eq!(money(decimal("999.995")), "1,000.00");
        assert_eq!(cents(-571_000), "-5,710.00");
    }

    #[test]
    fn labels_read_as_words() {
        assert_eq!(label("billed_no_usage"), "Billed no usage");
        assert_eq!(quantity("38.00"), "38");
        assert_eq!(quantity(""), "–");
    }

    #[test]
    fn moments_read_as_date_and_time() {
        assert_eq!(moment("2026-11-26T02:28:15Z"), "2026-11-26 02:28 UTC");
        assert_eq!(moment("2026-11-26"), "2026-11-26");
    }
}
