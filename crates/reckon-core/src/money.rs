//! Exact money. Amounts are decimals rounded to the cent only when shown or
//! when a rule says so; never floating point.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub};

use rust_decimal::{Decimal, RoundingStrategy};

/// An amount of money in the PSA's currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn new(amount: Decimal) -> Self {
        Money(amount)
    }

    /// `quantity * unit price`, rounded to the cent (half away from zero, as
    /// invoices do).
    pub fn times(self, quantity: Decimal) -> Money {
        Money((self.0 * quantity).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
    }

    pub fn amount(self) -> Decimal {
        self.0
    }

    pub fn abs(self) -> Money {
        Money(self.0.abs())
    }

    pub fn is_positive(self) -> bool {
        self.0.is_sign_positive() && !self.0.is_zero()
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// Whole cents, for consumers that keep integer cents.
    pub fn cents(self) -> i64 {
        // Amounts are bounded far below i64::MAX cents in any real ledger.
        i64::try_from(self.rounded_cents()).unwrap_or(i64::MAX)
    }

    /// The amount in cents, rounded half away from zero; exact for any
    /// amount (a decimal's mantissa has 96 bits). Integer arithmetic, as
    /// millions of amounts are printed.
    fn rounded_cents(self) -> i128 {
        let (mantissa, scale) = (self.0.mantissa(), self.0.scale());
        if scale <= 2 {
            return mantissa * 10i128.pow(2 - scale);
        }
        let divisor = 10i128.pow(scale - 2);
        let (cents, remainder) = (mantissa / divisor, mantissa % divisor);
        if remainder.abs() * 2 >= divisor {
            cents + mantissa.signum()
        } else {
            cents
        }
    }

    /// The amount as [`Display`](fmt::Display) prints it, without `fmt`:
    /// writers print hundreds of thousands of amounts.
    pub fn text(self) -> MoneyText {
        let cents = self.rounded_cents();
        let mut text = MoneyText {
            bytes: [0; MONEY_TEXT_LEN],
            start: MONEY_TEXT_LEN,
        };
        let mut push = |byte: u8| {
            text.start -= 1;
            text.bytes[text.start] = byte;
        };
        // Digits from the right: two decimals, the point, then at least one
        // whole digit. A mantissa has 96 bits, so cents stay below 10^31
        // and split into two 64-bit halves (128-bit division is slow).
        const HALF: u64 = 10u64.pow(18);
        let magnitude = cents.unsigned_abs();
        let (mut high, mut low) = match u64::try_from(magnitude) {
            Ok(small) => (small / HALF, small % HALF),
            Err(_) => (
                (magnitude / u128::from(HALF)) as u64,
                (magnitude % u128::from(HALF)) as u64,
            ),
        };
        let mut digits = 0;
        while digits < 3 || low > 0 || high > 0 {
            if digits == 2 {
                push(b'.');
            }
            push(b'0' + (low % 10) as u8);
            low /= 10;
            digits += 1;
            if digits == 18 {
                low = high;
                high = 0;
            }
        }
        if cents < 0 {
            push(b'-');
        }
        text
    }
}

impl fmt::Display for Money {
    /// Always two decimals: `12.50`, `-4.00`; `-0.001` prints as `0.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text().as_str())
    }
}

/// Sign, 31 digits and the point.
const MONEY_TEXT_LEN: usize = 33;

/// An amount as text, on the stack (see [`Money::text`]).
#[derive(Debug, Clone, Copy)]
pub struct MoneyText {
    bytes: [u8; MONEY_TEXT_LEN],
    start: usize,
}

impl MoneyText {
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, a point and a sign were written.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[self.start..]
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn money(s: &str) -> Money {
        Money::new(Decimal::from_str(s).expect("test literal"))
    }

    #[test]
    fn prints_two_decimals() {
        assert_eq!(money("12.5").to_string(), "12.50");
        assert_eq!(money("-4").to_string(), "-4.00");
        assert_eq!(money("-0.001").to_string(), "0.00");
    }

    #[test]
    fn times_rounds_half_away_from_zero() {
        assert_eq!(money("12.35").times(Decimal::new(5, 1)).to_string(), "6.18");
        assert_eq!(
            money("12.35").times(Decimal::new(-5, 1)).to_string(),
            "-6.18"
        );
        assert_eq!(money("22.00").times(Decimal::from(4)), money("88"));
    }

    #[test]
    fn prints_any_amount_like_the_decimal_rounded() {
        for text in [
            "0",
            "0.004",
            "0.005",
            "-0.005",
            "-0.0049",
            "1.015",
            "-1.015",
            "12.345678",
            "99.995",
            "-99.995",
            "1234567.1",
            "0.1",
            "-7",
            "123456789012345678.125",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "7.9228162514264337593543950335",
        ] {
            let amount = Decimal::from_str(text).expect("test literal");
            let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            let rounded = if rounded.is_zero() {
                Decimal::ZERO
            } else {
                rounded
            };
            assert_eq!(
                Money::new(amount).to_string(),
                format!("{rounded:.2}"),
                "{text}"
            );
        }
    }

    #[test]
    fn cents_are_exact() {
        assert_eq!(money("88").cents(), 8800);
        assert_eq!(money("-3.5").cents(), -350);
        assert_eq!(money("0.07").cents(), 7);
    }
}
