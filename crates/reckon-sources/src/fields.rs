//! Parsing of single values, shared by every reader.

use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;

/// A plain decimal number (`12`, `-3.5`, `1e3` is refused).
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    if text.is_empty() || text.contains(['e', 'E']) {
        return None;
    }
    Decimal::from_str(text).ok()
}

/// An instant: `2025-06-28T14:03:11Z`, any RFC 3339 form with an offset, or
/// a bare date (`2025-06-28`, taken as midnight UTC).
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Some(at) = parse_utc_seconds(text.as_bytes()) {
        return Timestamp::from_second(at).ok();
    }
    if let Ok(at) = Timestamp::from_str(text) {
        return Some(at);
    }
    let date = Date::from_str(text).ok()?;
    date.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|zoned| zoned.timestamp())
}

/// Parses instants like [`parse_timestamp`], remembering the day number of
/// each (month, day) it has seen: a feed's rows share a handful of dates, so
/// most rows skip the calendar arithmetic.
#[derive(Debug)]
pub struct DateCache {
    /// Indexed by `(month - 1) * 31 + (day - 1)`: the year last seen with
    /// that month and day (0 for none) and its day number.
    days: Vec<(i64, i64)>,
}

impl Default for DateCache {
    fn default() -> Self {
        DateCache {
            days: vec![(0, 0); 12 * 31],
        }
    }
}

impl DateCache {
    pub fn parse(&mut self, text: &str) -> Option<Timestamp> {
        // A field of this shape needs no trimming: it starts with a digit
        // and ends with `Z`.
        if let Some((year, month, day, seconds)) = utc_fields(text.as_bytes()) {
            let slot = &mut self.days[((month - 1) * 31 + (day - 1)) as usize];
            if slot.0 != year || year == 0 {
                if day > days_in_month(year, month) {
                    return None;
                }
                *slot = (year, days_from_civil(year, month, day));
            }
            return Timestamp::from_second(slot.1 * 86_400 + seconds).ok();
        }
        parse_timestamp(text)
    }
}

/// Year, month, day and second of the day of a `YYYY-MM-DDTHH:MM:SSZ`, with
/// the month in 1..=12, the day in 1..=31 (not yet checked against the
/// month) and a valid time of day; `None` for any other text.
///
/// The 20 bytes are checked and read as three overlapping 8-byte words
/// (SWAR), with one branch for all fourteen digits.
fn utc_fields(bytes: &[u8]) -> Option<(i64, i64, i64, i64)> {
    let bytes: &[u8; 20] = bytes.try_into().ok()?;
    let word_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
    let date = digits_of(word_at(0), *b"0000-00-", [9, 9, 9, 9, 0, 9, 9, 0])?;
    let day_time = digits_of(word_at(8), *b"00T00:00", [9, 9, 0, 9, 9, 0, 9, 9])?;
    let time = digits_of(word_at(12), *b"0:00:00Z", [9, 0, 9, 9, 0, 9, 9, 0])?;
    let year = i64::from(date[0]) * 100 + i64::from(date[2]);
    let (month, day) = (i64::from(date[5]), i64::from(day_time[0]));
    let (hour, minute, second) = (day_time[3], day_time[6], time[5]);
    let valid = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour <= 23
        && minute <= 59
        && second <= 59;
    let seconds = i64::from(hour) * 3_600 + i64::from(minute) * 60 + i64::from(second);
    valid.then_some((year, month, day, seconds))
}

/// Checks a word against a pattern: where `template` has `0`, a digit;
/// elsewhere exactly the template's byte. Returns, for each byte, the
/// two-digit number it starts (`10 * digit + next digit`; only meaningful
/// where two digits follow each other).
fn digits_of(word: u64, template: [u8; 8], most: [u8; 8]) -> Option<[u8; 8]> {
    const LOW: u64 = u64::from_ne_bytes([0x7f; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // Digits become their value and expected separators zero; anything
    // else exceeds `most` in its byte.
    let values = word ^ u64::from_le_bytes(template);
    let above = LOW - u64::from_le_bytes(most);
    // Per byte (no carries: each sum stays below 0x100): the high bit is
    // set when the value exceeds `most` or has its own high bit set.
    if (((values & LOW) + above) | values) & HIGH != 0 {
        return None;
    }
    // Values are at most 9, so neither product nor sum carries.
    Some((values * 10 + (values >> 8)).to_le_bytes())
}

/// Fast path for the common `YYYY-MM-DDTHH:MM:SSZ`; anything else returns
/// `None` and goes through the general parser.
fn parse_utc_seconds(bytes: &[u8]) -> Option<i64> {
    let (year, month, day, seconds) = utc_fields(bytes)?;
    (day <= days_in_month(year, month))
        .then(|| days_from_civil(year, month, day) * 86_400 + seconds)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_path_agrees_with_jiff() {
        for text in [
            "1970-01-01T00:00:00Z",
            "2025-06-28T14:03:11Z",
            "2024-02-29T23:59:59Z",
            "2000-03-01T00:00:00Z",
            "1969-12-31T23:59:59Z",
        ] {
            let fast = parse_utc_seconds(text.as_bytes()).expect(text);
            let slow = Timestamp::from_str(text).expect(text).as_second();
            assert_eq!(fast, slow, "{text}");
        }
    }

    #[test]
    fn date_cache_agrees_with_the_parser() {
        let mut cache = DateCache::default();
        for text in [
            "2025-06-28T14:03:11Z",
            "2025-06-28T00:00:00Z",
            "2025-06-28T23:59:59Z",
            "2025-06-28T24:00:00Z",
            "2025-06-29",
            "2025-06-28T14:03:11+02:00",
            "1969-12-31T23:59:59Z",
            "1969-12-31T00:00:01Z",
            "2024-02-29T10:00:00Z",
            "2025-02-29T10:00:00Z",
            "2025-02-28T10:00:00Z",
            "0000-01-01T00:00:00Z",
            " 2025-06-28T14:03:11Z ",
            "2025-06-28T14:03:11z",
            "2025-06-28 14:03:11Z",
            "2025-06-28T14:03:1xZ",
            "2025-0a-28T14:03:11Z",
            "2025-00-28T14:03:11Z",
            "2025-06-00T14:03:11Z",
            "2025-06-32T14:03:11Z",
            "2025-06-28T14:60:11Z",
            "2025-06-28T14:03:60Z",
            "2025/06/28T14:03:11Z",
            "2025-06-28T14:03:11",
        ] {
            assert_eq!(cache.parse(text), parse_timestamp(text), "{text}");
        }
    }

    #[test]
    fn date_cache_agrees_with_the_parser_on_every_one_byte_change() {
        let mut cache = DateCache::default();
        for valid in ["2024-02-29T23:59:59Z", "1999-12-31T00:00:00Z"] {
            for at in 0..valid.len() {
                for byte in 0..0x80u8 {
                    let mut text = valid.as_bytes().to_vec();
                    text[at] = byte;
                    let text = String::from_utf8(text).expect("ASCII");
                    assert_eq!(cache.parse(&text), parse_timestamp(&text), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn rejects_impossible_dates() {
        assert_eq!(parse_timestamp("2025-02-30T00:00:00Z"), None);
        assert_eq!(parse_timestamp("2025-13-01T00:00:00Z"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(parse_timestamp(""), None);
    }

    #[test]
    fn accepts_other_shapes() {
        let expected = Timestamp::from_str("2025-06-28T00:00:00Z").expect("literal");
        assert_eq!(parse_timestamp("2025-06-28"), Some(expected));
        assert_eq!(
            parse_timestamp(" 2025-06-28T02:00:00+02:00 "),
            Some(expected)
        );
        assert!(parse_timestamp("2025-06-28T14:03:11.250Z").is_some());
    }

    #[test]
    fn decimals() {
        assert_eq!(parse_decimal(" 12 "), Some(Decimal::from(12)));
        assert_eq!(parse_decimal("-3.50"), Some(Decimal::new(-350, 2)));
        assert_eq!(parse_decimal("twelve"), None);
        assert_eq!(parse_decimal("1e3"), None);
        assert_eq!(parse_decimal(""), None);
    }
}
