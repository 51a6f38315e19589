//! Microsoft's SKU catalogue ("Product names and service plan identifiers
//! for licensing", reduced to part number, GUID and display name in
//! `data/microsoft-sku-catalogue.tsv`): names a `skuId` GUID, and maps the
//! admin center's licence display names to part numbers. Also which SKUs
//! are free, viral or trial (never billed): `data/free-skus.tsv`, keyed by
//! `skuId` GUID, with the part number as a fallback for sources that give
//! only a name or part number. The list is shipped data: user-editable
//! overrides (a per-installation list) are not implemented yet.

use std::sync::OnceLock;

use hashbrown::HashMap;

const CATALOGUE: &str = include_str!("../../../data/microsoft-sku-catalogue.tsv");
const FREE_SKUS: &str = include_str!("../../../data/free-skus.tsv");

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
    by_part_number: HashMap<String, usize>,
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
        let mut by_part_number = HashMap::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, sku) in skus.iter().enumerate() {
            by_guid.entry(sku.guid.clone()).or_insert(index);
            by_part_number
                .entry(sku.part_number.to_ascii_uppercase())
                .or_insert(index);
            by_name
                .entry(sku.display_name.to_lowercase())
                .or_default()
                .push(index);
        }
        Catalogue {
            skus,
            by_guid,
            by_part_number,
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

/// The product with this part number (`SPB`), any case.
pub fn by_part_number(part_number: &str) -> Option<&'static Sku> {
    let catalogue = catalogue();
    catalogue
        .by_part_number
        .get(&part_number.trim().to_ascii_uppercase())
        .map(|&index| &catalogue.skus[index])
}

/// The readable name of a Microsoft SKU given by its `skuId` GUID or its
/// part number: `SPB` and `cbdc14ab-…` are both "Microsoft 365 Business
/// Premium".
pub fn sku_display_name(key: &str) -> Option<String> {
    by_guid(key)
        .or_else(|| by_part_number(key))
        .map(|sku| sku.display_name.clone())
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

/// The free, viral and trial SKUs of `data/free-skus.tsv`.
struct FreeSkus {
    /// `skuId`, lowercase -> why it is free.
    by_guid: HashMap<String, String>,
    /// Part number, uppercase -> why (the fallback without a GUID).
    by_part_number: HashMap<String, String>,
}

fn free_skus() -> &'static FreeSkus {
    static LOADED: OnceLock<FreeSkus> = OnceLock::new();
    LOADED.get_or_init(|| {
        let mut by_guid = HashMap::new();
        let mut by_part_number = HashMap::new();
        for line in FREE_SKUS.lines().skip(1) {
            let mut cells = line.split('\t').map(str::trim);
            let (Some(guid), Some(part_number)) = (cells.next(), cells.next()) else {
                continue;
            };
            let why = cells.next().unwrap_or("free").to_string();
            if !guid.is_empty() {
                by_guid.insert(guid.to_ascii_lowercase(), why.clone());
            }
            if !part_number.is_empty() {
                by_part_number.insert(part_number.to_ascii_uppercase(), why);
            }
        }
        FreeSkus {
            by_guid,
            by_part_number,
        }
    })
}

/// Whether a SKU is free, viral or trial: it shows among consumed units
/// but nobody pays for it (`shared/DOMAIN.md`, Microsoft 365). The GUID
/// decides when it is in `data/free-skus.tsv` or the catalogue; without a
/// GUID, or for one the catalogue does not know, the part number does
/// ([`is_free_part_number`]).
pub fn is_free_sku(guid: &str, part_number: &str) -> bool {
    let guid = guid.trim().to_ascii_lowercase();
    if !guid.is_empty() {
        if free_skus().by_guid.contains_key(&guid) {
            return true;
        }
        if catalogue().by_guid.contains_key(&guid) {
            return false;
        }
    }
    is_free_part_number(part_number)
}

/// The fallback when only a part number is known (an admin center licence
/// name resolved to several products, a GUID missing from the catalogue):
/// a part number of `data/free-skus.tsv`, or one Microsoft names as free,
/// viral or trial (`*_VIRAL`, `*_TRIAL`, `*_FREE`, `POWER_BI_STANDARD*`).
pub fn is_free_part_number(part_number: &str) -> bool {
    let upper = part_number.trim().to_ascii_uppercase();
    free_skus().by_part_number.contains_key(&upper)
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
        assert!(is_free_part_number("FLOW_FREE") && is_free_part_number("POWERAPPS_VIRAL"));
        assert!(is_free_part_number("STREAM") && !is_free_part_number("SPB"));
        assert!(!is_free_part_number("ATP_ENTERPRISE"));
        assert!(name_says_free("Power BI (free)"));
    }

    #[test]
    fn the_free_list_is_keyed_by_guid() {
        // FLOW_FREE and Teams Exploratory by GUID, whatever the part number.
        assert!(is_free_sku("F30DB892-07E9-47E9-837C-80727F46FD3D", ""));
        assert!(is_free_sku("710779e8-3d4a-4c88-adb9-386c958d1fdf", "X"));
        // A catalogue GUID not in the list is paid, whatever its name.
        assert!(!is_free_sku(
            "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46",
            "SPB_TRIAL"
        ));
        // An unknown GUID or none: the part number decides.
        assert!(is_free_sku(
            "00000000-0000-0000-0000-000000000001",
            "NEW_THING_VIRAL"
        ));
        assert!(is_free_sku("", "WINDOWS_STORE"));
        assert!(!is_free_sku("", "SPB"));
        // Every listed row names a catalogue SKU with the same part number.
        for (guid, _) in &free_skus().by_guid {
            assert!(by_guid(guid).is_some(), "{guid} not in the catalogue");
        }
    }
}
