//! Values as vendor exports write them: amounts with currency symbols and
//! thousands separators, dates in a dozen shapes (ISO, US and European,
//! Excel serial numbers, Unix epochs), yes/no flags.

use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use rust_decimal::Decimal;

/// How a file writes numbers and dates, guessed from its delimiter: a
/// semicolon-separated export comes from a European locale, where `1,5`
/// is one and a half and `03/11/2026` is the 3rd of November.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    English,
    European,
}

/// An amount or quantity: `1,234.50`, `$1,234.50`, `1.234,50 €`, `USD 12`,
/// `(12.00)` (negative), `12%` is refused. `None` when it is not a number.
pub fn parse_amount(text: &str, locale: Locale) -> Option<Decimal> {
    let mut text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut negative = false;
    if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        negative = true;
        text = inner.trim();
    }
    let mut cleaned = String::with_capacity(text.len());
    let mut previous = ' ';
    for (index, ch) in text.char_indices() {
        let after_letter = previous.is_ascii_alphabetic();
        previous = ch;
        match ch {
            '0'..='9' | '.' | ',' => cleaned.push(ch),
            '-' | '+' if cleaned.is_empty() => cleaned.push(ch),
            // Currency symbols, non-breaking and thin spaces, apostrophes
            // (Swiss thousands) and ISO currency codes around the number.
            '$' | '€' | '£' | '¥' | '\u{a0}' | '\u{202f}' | ' ' | '\'' => {}
            c if c.is_ascii_alphabetic() && after_letter => {}
            c if c.is_ascii_alphabetic() => {
                // Only a three-letter currency code before or after the digits.
                let rest = &text[index..];
                let code_len = rest.chars().take_while(char::is_ascii_alphabetic).count();
                if code_len != 3 {
                    return None;
                }
            }
            _ => return None,
        }
    }
    // Letters of a currency code were skipped one by one above; make sure
    // what is left has digits.
    if !cleaned.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let normalised = normalise_separators(&cleaned, locale)?;
    let value = Decimal::from_str(&normalised).ok()?;
    Some(if negative { -value } else { value })
}

/// Turns `1,234.5` / `1.234,5` into `1234.5`.
fn normalise_separators(text: &str, locale: Locale) -> Option<String> {
    let last_dot = text.rfind('.');
    let last_comma = text.rfind(',');
    let decimal_mark = match (last_dot, last_comma) {
        (Some(dot), Some(comma)) => Some(if dot > comma { '.' } else { ',' }),
        (Some(_), None) => {
            // `1.234.567` has dots as thousands separators.
            if text.matches('.').count() > 1
                || (locale == Locale::European && groups_of_three(text, '.'))
            {
                None
            } else {
                Some('.')
            }
        }
        (None, Some(_)) => {
            if text.matches(',').count() > 1
                || (locale == Locale::English && groups_of_three(text, ','))
            {
                None
            } else {
                Some(',')
            }
        }
        (None, None) => None,
    };
    let thousands = match decimal_mark {
        Some('.') => ',',
        Some(_) => '.',
        None => {
            if text.contains(',') {
                ','
            } else {
                '.'
            }
        }
    };
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch == thousands {
            continue;
        }
        out.push(if Some(ch) == decimal_mark { '.' } else { ch });
    }
    Some(out)
}

/// Whether every group after the separator has exactly three digits
/// (`1,234` or `12,345,678`).
fn groups_of_three(text: &str, separator: char) -> bool {
    let mut parts = text.split(separator);
    let head = parts.next().unwrap_or("");
    let head_digits = head.trim_start_matches(['-', '+']);
    !head_digits.is_empty()
        && head_digits.len() <= 3
        && parts.all(|part| part.len() == 3 && part.bytes().all(|b| b.is_ascii_digit()))
}

/// A yes/no flag: `true`/`false`, `yes`/`no`, `y`/`n`, `1`/`0`.
pub fn parse_flag(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "t" => Some(true),
        "false" | "no" | "n" | "0" | "f" => Some(false),
        _ => None,
    }
}

/// An instant from any of the forms exports use, in UTC:
/// RFC 3339 (`2026-11-03T14:05:00Z`, with an offset, with fractions),
/// `2026-11-03 14:05:00` and `2026-11-03` (UTC), US `11/3/2026 2:05:00 PM`
/// and `11/03/2026`, European `03.11.2026 14:05` and (in the European
/// locale, or when the first number is over 12) `03/11/2026`, an Excel
/// serial date (`46329.5`), and Unix epochs in seconds or milliseconds.
pub fn parse_instant(text: &str, locale: Locale) -> Option<Timestamp> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(at) = Timestamp::from_str(text) {
        return Some(at);
    }
    if let Some(number) = plain_number(text) {
        return instant_from_number(number);
    }
    // `2026-11-03 14:05:00`, `2026-11-03T14:05:00` (no zone: UTC).
    if let Ok(at) = DateTime::from_str(text) {
        return utc(at);
    }
    if let Ok(date) = Date::from_str(text) {
        return utc(date.to_datetime(Time::midnight()));
    }
    slashed_or_dotted(text, locale)
}

/// A number in a date column: an Excel serial day (between 1954 and 2173)
/// or a Unix epoch in seconds or milliseconds.
fn instant_from_number(number: f64) -> Option<Timestamp> {
    if (20_000.0..100_000.0).contains(&number) {
        return excel_serial(number);
    }
    if (1e9..1e11).contains(&number) {
        return epoch_seconds(number);
    }
    if (1e11..1e14).contains(&number) {
        return epoch_millis(number);
    }
    None
}

fn plain_number(text: &str) -> Option<f64> {
    if !text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    text.parse().ok()
}

/// Unix epoch seconds, fractions allowed (NinjaOne's `lastContact`).
pub fn epoch_seconds(seconds: f64) -> Option<Timestamp> {
    if !seconds.is_finite() {
        return None;
    }
    let whole = seconds.trunc() as i64;
    let nanos = ((seconds - seconds.trunc()) * 1e9).round() as i32;
    Timestamp::new(whole, nanos.clamp(0, 999_999_999)).ok()
}

/// Unix epoch milliseconds (Datto RMM's `lastSeen`).
pub fn epoch_millis(millis: f64) -> Option<Timestamp> {
    if !millis.is_finite() {
        return None;
    }
    Timestamp::from_millisecond(millis.round() as i64).ok()
}

/// Excel's serial date: days since 1899-12-30, the fraction the time of day.
pub fn excel_serial(serial: f64) -> Option<Timestamp> {
    let days = serial.trunc() as i64;
    let seconds = ((serial - serial.trunc()) * 86_400.0).round() as i64;
    let epoch = Date::new(1899, 12, 30).ok()?;
    let date = epoch.checked_add(jiff::Span::new().days(days)).ok()?;
    let at = utc(date.to_datetime(Time::midnight()))?;
    at.checked_add(jiff::Span::new().seconds(seconds)).ok()
}

fn utc(at: DateTime) -> Option<Timestamp> {
    at.to_zoned_datetime(TimeZone::UTC)
        .ok()
        .map(|zoned| zoned.timestamp())
}

/// `11/3/2026`, `11/03/2026 2:05 PM`, `03.11.2026 14:05:00`, `2026/11/03`.
fn slashed_or_dotted(text: &str, locale: Locale) -> Option<Timestamp> {
    let (date_part, time_part) = match text.split_once(' ') {
        Some((date, time)) => (date, Some(time.trim())),
        None => (text, None),
    };
    let separator = if date_part.contains('/') {
        '/'
    } else if date_part.contains('.') {
        '.'
    } else if date_part.contains('-') {
        '-'
    } else {
        return None;
    };
    let numbers: Vec<i64> = date_part
        .split(separator)
        .map(|part| part.parse().ok())
        .collect::<Option<_>>()?;
    let [a, b, c] = numbers[..] else {
        return None;
    };
    let (year, month, day) = if a > 31 {
        (a, b, c)
    } else {
        let year = if c < 100 { 2000 + c } else { c };
        let day_first = separator == '.' || a > 12 || (b <= 12 && locale == Locale::European);
        if day_first {
            (year, b, a)
        } else {
            (year, a, b)
        }
    };
    let date = Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    let time = match time_part {
        None | Some("") => Time::midnight(),
        Some(time) => parse_clock(time)?,
    };
    utc(date.to_datetime(time))
}

/// `14:05`, `14:05:09`, `2:05 PM`, `2:05:09 pm`.
fn parse_clock(text: &str) -> Option<Time> {
    let upper = text.to_ascii_uppercase();
    let (clock, meridiem) = if let Some(rest) = upper.strip_suffix("PM") {
        (rest.trim(), Some(true))
    } else if let Some(rest) = upper.strip_suffix("AM") {
        (rest.trim(), Some(false))
    } else {
        (upper.trim(), None)
    };
    let mut parts = clock.split(':');
    let mut hour: i8 = parts.next()?.parse().ok()?;
    let minute: i8 = parts.next()?.parse().ok()?;
    let second: i8 = match parts.next() {
        Some(second) => second.split('.').next()?.parse().ok()?,
        None => 0,
    };
    match meridiem {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    Time::new(hour, minute, second, 0).ok()
}

/// Whether a cell reads as a total line (`Total`, `Grand total:`,
/// `TOTALS`), which report exports append below the data.
pub fn is_total_label(text: &str) -> bool {
    let label = text.trim().trim_end_matches(':').to_ascii_lowercase();
    matches!(
        label.as_str(),
        "total" | "totals" | "grand total" | "subtotal" | "sub-total" | "sum"
    ) || label.starts_with("total (")
        || label.starts_with("grand total ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(text: &str) -> Option<String> {
        parse_amount(text, Locale::English).map(|d| d.to_string())
    }

    #[test]
    fn amounts_in_export_shapes() {
        assert_eq!(amount("1,234.50").as_deref(), Some("1234.50"));
        assert_eq!(amount("$1,234.50").as_deref(), Some("1234.50"));
        assert_eq!(amount("USD 12.00").as_deref(), Some("12.00"));
        assert_eq!(amount("12.00 EUR").as_deref(), Some("12.00"));
        assert_eq!(amount("(45.00)").as_deref(), Some("-45.00"));
        assert_eq!(amount("-3").as_deref(), Some("-3"));
        assert_eq!(amount("1,234").as_deref(), Some("1234"));
        assert_eq!(amount("1,5").as_deref(), Some("1.5"));
        assert_eq!(amount("1.234.567,89 €").as_deref(), Some("1234567.89"));
        assert_eq!(amount("€ 22,00").as_deref(), Some("22.00"));
        assert_eq!(amount(""), None);
        assert_eq!(amount("n/a"), None);
        assert_eq!(amount("12%"), None);
        assert_eq!(amount("$"), None);
        assert_eq!(
            parse_amount("1.234", Locale::European).map(|d| d.to_string()),
            Some("1234".into())
        );
        assert_eq!(
            parse_amount("1,234", Locale::European).map(|d| d.to_string()),
            Some("1.234".into())
        );
    }

    fn instant(text: &str) -> Option<String> {
        parse_instant(text, Locale::English).map(|t| t.to_string())
    }

    #[test]
    fn instants_in_export_shapes() {
        let cases = [
            ("2026-11-03T14:05:00Z", "2026-11-03T14:05:00Z"),
            ("2026-11-03T14:05:00.123+01:00", "2026-11-03T13:05:00.123Z"),
            ("2026-11-03 14:05:00", "2026-11-03T14:05:00Z"),
            ("2026-11-03", "2026-11-03T00:00:00Z"),
            ("11/3/2026 2:05:09 PM", "2026-11-03T14:05:09Z"),
            ("11/03/2026", "2026-11-03T00:00:00Z"),
            ("13/11/2026", "2026-11-13T00:00:00Z"),
            ("03.11.2026 14:05", "2026-11-03T14:05:00Z"),
            ("2026/11/03", "2026-11-03T00:00:00Z"),
            ("46329", "2026-11-03T00:00:00Z"),
            ("46329.5", "2026-11-03T12:00:00Z"),
            ("1793714700", "2026-11-03T14:05:00Z"),
            ("1793714700.25", "2026-11-03T14:05:00.25Z"),
            ("1793714700000", "2026-11-03T14:05:00Z"),
        ];
        for (text, expected) in cases {
            assert_eq!(instant(text).as_deref(), Some(expected), "{text}");
        }
        assert_eq!(
            parse_instant("03/11/2026", Locale::European).map(|t| t.to_string()),
            Some("2026-11-03T00:00:00Z".into())
        );
        for bad in ["", "yesterday", "2026-13-01", "31/31/2026", "12"] {
            assert_eq!(instant(bad), None, "{bad}");
        }
    }

    #[test]
    fn flags_and_totals() {
        assert_eq!(parse_flag("True"), Some(true));
        assert_eq!(parse_flag("no"), Some(false));
        assert_eq!(parse_flag("maybe"), None);
        assert!(is_total_label("Grand Total:"));
        assert!(is_total_label("TOTALS"));
        assert!(!is_total_label("Total Wine & More"));
    }
}
