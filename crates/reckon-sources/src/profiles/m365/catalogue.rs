//! Microsoft's SKU catalogue ("Product names and service plan identifiers
//! for licensing", reduced to part number, GUID and display name in
//! `data/microsoft-sku-catalogue.tsv`): names a `skuId` GUID, and maps the
//! admin center's licence display names to part numbers. Also which SKUs
//! are free, viral or trial (never billed).

use std::sync::OnceLock;

use hashbrown::HashMap;

const CATALOGUE: &str = include_str!("../../../data/microsoft-sku-catalogue.tsv");

/// One Microsoft product of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sku {
    /// `skuPartNumber` (`SPB`).
    pub part_number: String,
    /// `skuId`, lowercase.
    pub guid: String,
    /// `Microsoft 365 Business Premium`.
    pub display_name: String,
}

/// What a licence display name resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameMatch<'a> {
    One(&'a Sku),
    /// The name belongs to several products: listed by part number.
    Ambiguous(Vec<&'a str>),
    Unknown,
}

struct Catalogue {
    skus: Vec<Sku>,
    by_guid: HashMap<String, usize>,
    by_name: HashMap<String, Vec<usize>>,
}

fn catalogue() -> &'static Catalogue {
    static LOADED: OnceLock<Catalogue> = OnceLock::new();
    LOADED.get_or_init(|| {
        let skus: Vec<Sku> = CATALOGUE
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut cells = line.split('\t').map(str::trim);
                Some(Sku {
                    part_number: cells.next()?.to_string(),
                    guid: cells.next()?.to_ascii_lowercase(),
                    display_name: cells.next()?.to_string(),
                })
            })
            .collect();
        let mut by_guid = HashMap::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, sku) in skus.iter().enumerate() {
            by_guid.entry(sku.guid.clone()).or_insert(index);
            by_name
                .entry(sku.display_name.to_lowercase())
                .or_default()
                .push(index);
        }
        Catalogue {
            skus,
            by_guid,
            by_name,
        }
    })
}

/// The product with this `skuId`.
pub fn by_guid(guid: &str) -> Option<&'static Sku> {
    let catalogue = catalogue();
    catalogue
        .by_guid
        .get(&guid.trim().to_ascii_lowercase())
        .map(|&index| &catalogue.skus[index])
}

/// The product an admin center licence name stands for, when exactly one
/// product has that display name.
pub fn by_display_name(name: &str) -> NameMatch<'static> {
    let catalogue = catalogue();
    match catalogue.by_name.get(&name.trim().to_lowercase()) {
        None => NameMatch::Unknown,
        Some(found) if found.len() == 1 => NameMatch::One(&catalogue.skus[found[0]]),
        Some(found) => NameMatch::Ambiguous(
            found
                .iter()
                .map(|&index| catalogue.skus[index].part_number.as_str())
                .collect(),
        ),
    }
}

/// Free, viral and trial SKUs: they show among consumed units but nobody
/// pays for them (`shared/DOMAIN.md`, Microsoft 365).
pub fn is_free_sku(part_number: &str) -> bool {
    const FREE: [&str; 8] = [
        "FLOW_FREE",
        "POWER_BI_STANDARD",
        "WINDOWS_STORE",
        "TEAMS_EXPLORATORY",
        "TEAMS_FREE",
        "STREAM",
        "RIGHTSMANAGEMENT_ADHOC",
        "POWERAPPS_DEV",
    ];
    let upper = part_number.trim().to_ascii_uppercase();
    FREE.contains(&upper.as_str())
        || upper.starts_with("POWER_BI_STANDARD")
        || upper.ends_with("_VIRAL")
        || upper.ends_with("_TRIAL")
        || upper.ends_with("_FREE")
}

/// For a licence name the catalogue does not know: whether it says free or
/// trial itself ("Power BI (free)").
pub fn name_says_free(display_name: &str) -> bool {
    let lower = display_name.to_lowercase();
    lower.contains("(free)") || lower.ends_with(" free") || lower.contains("trial")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_to_one_part_number_or_say_why_not() {
        assert_eq!(
            by_guid("CBDC14AB-D96C-4C30-B9F4-6ADA7CDC1D46").map(|sku| sku.part_number.as_str()),
            Some("SPB")
        );
        match by_display_name("Microsoft 365 Business Standard") {
            NameMatch::One(sku) => assert_eq!(sku.part_number, "O365_BUSINESS_PREMIUM"),
            other => panic!("{other:?}"),
        }
        match by_display_name("Visio Plan 2") {
            NameMatch::Ambiguous(parts) => assert_eq!(parts.len(), 2),
            other => panic!("{other:?}"),
        }
        assert_eq!(by_display_name("Power BI (free)"), NameMatch::Unknown);
        assert!(is_free_sku("FLOW_FREE") && is_free_sku("POWERAPPS_VIRAL"));
        assert!(!is_free_sku("SPB"));
        assert!(name_says_free("Power BI (free)"));
    }
}
