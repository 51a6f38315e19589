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
        let rounded = self
            .0
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        // Amounts are bounded far below i64::MAX cents in any real ledger.
        i64::try_from(rounded.mantissa() * 10i128.pow(2 - rounded.scale().min(2)))
            .unwrap_or(i64::MAX)
    }
}

impl fmt::Display for Money {
    /// Always two decimals: `12.50`, `-4.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rounded = self
            .0
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        // `-0.00` must print as `0.00`.
        let rounded = if rounded.is_zero() {
            Decimal::ZERO
        } else {
            rounded
        };
        write!(f, "{rounded:.2}")
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
    fn cents_are_exact() {
        assert_eq!(money("88").cents(), 8800);
        assert_eq!(money("-3.5").cents(), -350);
        assert_eq!(money("0.07").cents(), 7);
    }
}
