use crate::mapping::{ProductReason, ProductSuggestion, PsaProduct, suggest_products};

fn product(id: &str, name: &str) -> PsaProduct {
    PsaProduct {
        id: id.to_owned(),
        name: name.to_owned(),
    }
}

/// A PSA catalogue with the look-alikes that make product mapping hard:
/// editions of one family, Office vs Microsoft 365, plans 1 and 2.
fn catalogue() -> Vec<PsaProduct> {
    vec![
        product("p01", "M365 Business Premium"),
        product("p02", "Microsoft 365 Business Standard"),
        product("p03", "Microsoft 365 Business Basic"),
        product("p04", "Microsoft 365 E3"),
        product("p05", "Microsoft 365 E5"),
        product("p06", "Office 365 E3"),
        product("p07", "Exchange Online Plan 1"),
        product("p08", "Exchange Online Plan 2"),
        product("p09", "Datto EDR"),
        product("p10", "Server Backup (Cove)"),
        product("p11", "Workstation Backup (Cove)"),
        product("p12", "Managed Workstation"),
        product("p13", "Managed Server"),
        product("p14", "Microsoft Defender for Business"),
        product("p15", "Microsoft 365 Apps for business"),
        product("p16", "Visio Plan 2"),
        product("p17", "Project Plan 3"),
        product("p18", "Teams Phone Standard"),
        product("p19", "Entra ID P1"),
        product("p20", "Power BI Pro"),
        product("p21", "Office 365 E3 (ENTERPRISEPACK)"),
    ]
}

fn describe(suggestions: &[ProductSuggestion]) -> String {
    suggestions
        .iter()
        .map(|s| {
            format!(
                "{} {} {} ({})",
                s.product_id, s.product_name, s.score, s.reason
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn skus_put_the_right_product_first() {
    let catalogue = catalogue();
    // (part number or string id, display name, expected product)
    let cases = [
        ("SPB", "Microsoft 365 Business Premium", "p01"),
        ("CFQ7TTC0LCHC", "M365 BP", "p01"),
        (
            "O365_BUSINESS_ESSENTIALS",
            "Microsoft 365 Business Basic",
            "p03",
        ),
        // Renamed: the part number says Premium, the name says Standard.
        (
            "O365_BUSINESS_PREMIUM",
            "Microsoft 365 Business Standard",
            "p02",
        ),
        ("SPE_E3", "Microsoft 365 E3", "p04"),
        ("SPE_E5", "Microsoft 365 E5", "p05"),
        ("EXCHANGESTANDARD", "Exchange Online (Plan 1)", "p07"),
        ("EXCHANGEENTERPRISE", "Exchange Online (Plan 2)", "p08"),
        ("DATTO-EDR", "Datto Endpoint Detection and Response", "p09"),
        ("SRV-BK", "Srv Bk", "p10"),
        ("WKS-BK", "Cove Wks Backup", "p11"),
        ("RMM-WS", "Managed WS", "p12"),
        ("MS-DEF-BUS", "MS Defender for Business", "p14"),
        ("O365_BUSINESS", "Microsoft 365 Apps for business", "p15"),
        ("VISIOCLIENT", "Visio Plan 2", "p16"),
        ("AAD_PREMIUM", "Microsoft Entra ID P1", "p19"),
        ("POWER_BI_PRO", "Power BI Pro", "p20"),
        ("ENTERPRISEPACK", "Office 365 E3", "p21"),
    ];
    assert!(cases.len() >= 10);
    for (sku, sku_name, expected) in cases {
        let suggestions = suggest_products(sku, sku_name, &catalogue, 5);
        assert_eq!(
            suggestions.first().map(|s| s.product_id.as_str()),
            Some(expected),
            "{sku} {sku_name:?}: {}",
            describe(&suggestions)
        );
        if let [best, second, ..] = suggestions.as_slice() {
            assert!(
                best.score > second.score,
                "{sku}: tie {}",
                describe(&suggestions)
            );
        }
    }
}

#[test]
fn another_edition_drops_sharply() {
    let catalogue = catalogue();
    let score_for = |sku_name: &str, product_id: &str| {
        suggest_products("", sku_name, &catalogue, usize::MAX)
            .into_iter()
            .find(|s| s.product_id == product_id)
            .map_or(0, |s| s.score)
    };
    assert_eq!(score_for("Microsoft 365 Business Premium", "p01"), 95);
    let standard = score_for("Microsoft 365 Business Premium", "p02");
    assert!(standard < 50, "Standard for Premium scored {standard}");
    let e5 = score_for("Microsoft 365 E3", "p05");
    assert!(e5 < 50, "E5 for E3 scored {e5}");
    let plan2 = score_for("Exchange Online (Plan 1)", "p08");
    assert!(plan2 < 50, "Plan 2 for Plan 1 scored {plan2}");
    let office = score_for("Microsoft 365 E3", "p06");
    assert!(
        office < 80,
        "Office 365 E3 for Microsoft 365 E3 scored {office}"
    );
}

#[test]
fn a_part_number_in_the_product_name_wins() {
    let suggestions = suggest_products("ENTERPRISEPACK", "Office 365 E3", &catalogue(), 2);
    assert_eq!(suggestions[0].product_id, "p21");
    assert_eq!(
        suggestions[0].reason,
        ProductReason::PartNumber {
            part: "ENTERPRISEPACK".to_owned()
        }
    );
    assert_eq!(
        suggestions[0].reason.to_string(),
        "the product name carries the part number ENTERPRISEPACK"
    );
    // Pax8-style "product:sku" ids match on the product part.
    let pax8 = vec![
        product("x", "Business Premium CFQ7TTC0LCHC"),
        product("y", "Other"),
    ];
    let suggestions = suggest_products("CFQ7TTC0LCHC:0002", "", &pax8, 5);
    assert_eq!(suggestions.len(), 1);
    assert_eq!(suggestions[0].product_id, "x");
}

#[test]
fn product_order_is_deterministic() {
    let catalogue = catalogue();
    let forward = suggest_products("", "Managed Backup", &catalogue, usize::MAX);
    let mut reversed = catalogue.clone();
    reversed.reverse();
    assert_eq!(
        forward,
        suggest_products("", "Managed Backup", &reversed, usize::MAX)
    );
    assert!(forward.windows(2).all(|pair| {
        pair[0].score > pair[1].score
            || (pair[0].score == pair[1].score && pair[0].product_id < pair[1].product_id)
    }));
    assert!(suggest_products("", "", &catalogue, 5).is_empty());
}
