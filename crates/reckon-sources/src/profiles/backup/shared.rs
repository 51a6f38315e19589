//! What the backup profiles share: storage units in decimal arithmetic
//! (no floats, overflow checked), and telling the files of one per-entity
//! part apart.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::profiles::Context;

/// The source name usage records carry: `--source` or the profile's own.
pub fn source_name(context: &Context, default: &str) -> String {
    context
        .source
        .clone()
        .unwrap_or_else(|| default.to_string())
}

/// Why a storage size could not be turned into terabytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SizeError {
    /// A unit it does not know.
    Unit,
    /// The value does not fit a decimal (28 digits).
    Overflow,
}

/// A storage size in decimal terabytes (1 TB = 1000 GB), as Datto's
/// portal counts. Exact for every unit from bytes to PB: dividing by a
/// power of ten only moves the decimal point.
pub fn terabytes(size: Decimal, units: &str) -> Result<Decimal, SizeError> {
    let per_tb = match units.trim().to_ascii_uppercase().as_str() {
        "B" | "BYTES" => Decimal::from(1_000_000_000_000_u64),
        "KB" => Decimal::from(1_000_000_000_u64),
        "MB" => Decimal::from(1_000_000_u64),
        "GB" => Decimal::from(1_000_u64),
        "TB" => Decimal::ONE,
        "PB" => {
            return size
                .checked_mul(Decimal::from(1_000_u64))
                .map(|tb| tb.normalize())
                .ok_or(SizeError::Overflow);
        }
        _ => return Err(SizeError::Unit),
    };
    size.checked_div(per_tb)
        .map(|tb| tb.normalize())
        .ok_or(SizeError::Overflow)
}

/// Decimal places kept by [`gigabytes_from_bytes`].
pub const GIGABYTE_PLACES: u32 = 6;

/// Bytes in binary gigabytes (2^30 bytes), as Acronis consoles show them,
/// **rounded to 6 decimal places, half away from zero** (a byte is about
/// 0.000000001 GB, so most quotients do not end: rounding explicitly keeps
/// the value stable instead of whatever a 28-digit division leaves).
/// `None` when the division overflows.
pub fn gigabytes_from_bytes(bytes: Decimal) -> Option<Decimal> {
    let gigabytes = bytes.checked_div(Decimal::from(1_u64 << 30))?;
    Some(
        gigabytes
            .round_dp_with_strategy(GIGABYTE_PLACES, RoundingStrategy::MidpointAwayFromZero)
            .normalize(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::id_in_file_name;

    #[test]
    fn storage_units_are_exact() {
        assert_eq!(
            terabytes(Decimal::from(1500), "GB"),
            Ok(Decimal::new(15, 1))
        );
        assert_eq!(terabytes(Decimal::from(640), "gb"), Ok(Decimal::new(64, 2)));
        assert_eq!(terabytes(Decimal::from(3), "TB"), Ok(Decimal::from(3)));
        assert_eq!(terabytes(Decimal::from(3), "parsecs"), Err(SizeError::Unit));
        assert_eq!(terabytes(Decimal::MAX, "PB"), Err(SizeError::Overflow));
        assert_eq!(
            gigabytes_from_bytes(Decimal::from(3_758_096_384_000_u64)),
            Some(Decimal::from(3500))
        );
    }

    #[test]
    fn gigabytes_are_rounded_to_six_places_half_away_from_zero() {
        // 1 byte = 0.000000000931... GB: rounds to 0.
        assert_eq!(gigabytes_from_bytes(Decimal::ONE), Some(Decimal::ZERO));
        // 1000 bytes = 0.000000931322... GB -> 0.000001.
        assert_eq!(
            gigabytes_from_bytes(Decimal::from(1000)),
            Some(Decimal::new(1, 6))
        );
        // 357913941 bytes (about 2^30 / 3) = 0.3333333330... GB -> 0.333333.
        assert_eq!(
            gigabytes_from_bytes(Decimal::from(357_913_941)),
            Some(Decimal::new(333_333, 6))
        );
        // Exactly 0.0000025 GB: a midpoint rounds away from zero (to
        // 0.000003), not to even (0.000002).
        let half = Decimal::from(1_u64 << 30) * Decimal::new(25, 7);
        assert_eq!(gigabytes_from_bytes(half), Some(Decimal::new(3, 6)));
    }

    #[test]
    fn files_are_matched_by_the_id_in_their_name() {
        let ids = ["104821", "1048211", "A4BF0129C3E1"];
        assert_eq!(
            id_in_file_name("dir/seats_1048211.json", ids.iter().copied()),
            Some("1048211")
        );
        assert_eq!(
            id_in_file_name("assets_a4bf0129c3e1.json", ids.iter().copied()),
            Some("A4BF0129C3E1")
        );
        assert_eq!(id_in_file_name("seats.json", ids.iter().copied()), None);
        assert_eq!(
            id_in_file_name("seats_10482119.json", ids.iter().copied()),
            None
        );
    }
}
