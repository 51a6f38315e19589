//! What the backup profiles share: storage units in exact decimal
//! arithmetic, and telling the files of one per-entity part apart.

use rust_decimal::Decimal;

use crate::input::{Location, Record};
use crate::profiles::Context;

/// The source name usage records carry: `--source` or the profile's own.
pub fn source_name(context: &Context, default: &str) -> String {
    context
        .source
        .clone()
        .unwrap_or_else(|| default.to_string())
}

/// A storage size in decimal terabytes (1 TB = 1000 GB), as Datto's
/// portal counts: `None` for a unit it does not know.
pub fn terabytes(size: Decimal, units: &str) -> Option<Decimal> {
    let per_tb = match units.trim().to_ascii_uppercase().as_str() {
        "B" | "BYTES" => Decimal::from(1_000_000_000_000_u64),
        "KB" => Decimal::from(1_000_000_000_u64),
        "MB" => Decimal::from(1_000_000_u64),
        "GB" => Decimal::from(1_000_u64),
        "TB" => Decimal::ONE,
        "PB" => return Some((size * Decimal::from(1_000_u64)).normalize()),
        _ => return None,
    };
    Some((size / per_tb).normalize())
}

/// Bytes in binary gigabytes (2^30 bytes), as Acronis consoles show them.
pub fn gigabytes_from_bytes(bytes: Decimal) -> Decimal {
    (bytes / Decimal::from(1_u64 << 30)).normalize()
}

/// Counts the files of a part as their records arrive: the framework reads
/// a part's files one after the other, each numbering its records from 1.
#[derive(Debug, Default)]
pub struct FileCounter {
    files_started: usize,
}

impl FileCounter {
    /// The index (from 0) of the file `record` belongs to.
    pub fn file_of(&mut self, record: &Record<'_>) -> usize {
        if record.location == Location::Record(1) || self.files_started == 0 {
            self.files_started += 1;
        }
        self.files_started - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_units_are_exact() {
        assert_eq!(
            terabytes(Decimal::from(1500), "GB"),
            Some(Decimal::new(15, 1))
        );
        assert_eq!(
            terabytes(Decimal::from(640), "gb"),
            Some(Decimal::new(64, 2))
        );
        assert_eq!(terabytes(Decimal::from(3), "TB"), Some(Decimal::from(3)));
        assert_eq!(terabytes(Decimal::from(3), "parsecs"), None);
        assert_eq!(
            gigabytes_from_bytes(Decimal::from(3_758_096_384_000_u64)),
            Decimal::from(3500)
        );
    }
}
