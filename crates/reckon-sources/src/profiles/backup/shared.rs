//! What the backup profiles share: storage units in exact decimal
//! arithmetic, and telling the files of one per-entity part apart.

use rust_decimal::Decimal;

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

/// The id among `known` that a per-entity file is named after
/// (`seats_1048211.json`, `assets_A4BF0129C3E1.json`): the longest one its
/// name contains, compared without case.
pub fn id_in_file_name<'k>(
    file_name: &str,
    known: impl Iterator<Item = &'k str>,
) -> Option<&'k str> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let base = base.to_ascii_lowercase();
    // The id must stand alone in the name (`seats_1048211.json`), so that
    // `seats_10482119.json` is not taken for customer 1048211.
    let stands_alone = |id: &str| {
        let id = id.to_ascii_lowercase();
        base.match_indices(&id).any(|(at, _)| {
            let before = base[..at].chars().next_back();
            let after = base[at + id.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_alphanumeric())
                && !after.is_some_and(|c| c.is_ascii_alphanumeric())
        })
    };
    known
        .filter(|id| !id.is_empty() && stands_alone(id))
        .max_by_key(|id| id.len())
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
