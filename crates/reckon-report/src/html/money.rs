//! Money and quantities as the printed report shows them: exact from the
//! `Decimal`, never through a float, so the page agrees with the XLSX and CSV
//! to the cent.

use rust_decimal::{Decimal, RoundingStrategy};

/// How one currency is printed: `$1,234.50`, `€1,234.50`, `CHF 1,234.50`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Currency {
    prefix: String,
}

impl Currency {
    /// The symbol for the common codes; any other code is printed as is,
    /// before the amount, so nothing is ever guessed.
    pub(super) fn from_code(code: &str) -> Currency {
        let code = code.trim().to_uppercase();
        let prefix = match code.as_str() {
            "USD" => "$".to_string(),
            "EUR" => "€".to_string(),
            "GBP" => "£".to_string(),
            "" => String::new(),
            _ => format!("{code} "),
        };
        Currency { prefix }
    }

    /// Two decimals, thousands separators, a leading minus for negatives
    /// (`-$45.00`); a value that rounds to zero never shows a minus.
    pub(super) fn format(&self, value: Decimal) -> String {
        let rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
            "-"
        } else {
            ""
        };
        // round_dp leaves a scale of at most 2; widen to exactly 2 (cents).
        // A Decimal's mantissa is below 2^96, so times 100 fits in u128.
        let widen = 10u128.pow(2u32.saturating_sub(rounded.scale()));
        let cents = rounded.mantissa().unsigned_abs() * widen;
        let whole = group_thousands(cents / 100);
        let fraction = cents % 100;
        format!("{sign}{}{whole}.{fraction:02}", self.prefix)
    }
}

fn group_thousands(value: u128) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// A quantity (licences, devices, TB) without trailing zeros: `38`, `2.5`.
pub(super) fn quantity(value: Decimal) -> String {
    if value.is_zero() {
        return "0".to_string();
    }
    value.normalize().to_string()
}

/// A difference with its direction always shown: `+4`, `-3`, `0`.
pub(super) fn signed_quantity(value: Decimal) -> String {
    if value > Decimal::ZERO {
        format!("+{}", quantity(value))
    } else {
        quantity(value)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn money(code: &str, text: &str) -> String {
        Currency::from_code(code).format(Decimal::from_str(text).unwrap())
    }

    #[test]
    fn money_has_two_decimals_separators_and_a_symbol() {
        assert_eq!(money("USD", "231"), "$231.00");
        assert_eq!(money("USD", "2772.00"), "$2,772.00");
        assert_eq!(money("usd", "-45"), "-$45.00");
        assert_eq!(money("EUR", "1234567.891"), "€1,234,567.89");
        assert_eq!(money("GBP", "0.005"), "£0.01");
        assert_eq!(money("CHF", "-1000"), "-CHF 1,000.00");
        assert_eq!(money("", "12.5"), "12.50");
        assert_eq!(money("USD", "-0.001"), "$0.00");
        assert_eq!(money("USD", "999.999"), "$1,000.00");
        assert_eq!(money("USD", "100000"), "$100,000.00");
    }

    #[test]
    fn the_largest_decimals_do_not_overflow() {
        assert_eq!(
            Currency::from_code("USD").format(Decimal::MAX),
            "$79,228,162,514,264,337,593,543,950,335.00"
        );
        assert!(
            Currency::from_code("USD")
                .format(Decimal::MIN)
                .starts_with("-$79,228")
        );
    }

    #[test]
    fn quantities_drop_trailing_zeros() {
        assert_eq!(quantity(Decimal::from_str("38.00").unwrap()), "38");
        assert_eq!(quantity(Decimal::from_str("-0.0").unwrap()), "0");
        assert_eq!(signed_quantity(Decimal::from_str("2.50").unwrap()), "+2.5");
        assert_eq!(signed_quantity(Decimal::from_str("-3").unwrap()), "-3");
    }
}
