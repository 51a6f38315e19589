//! Engine properties that golden cases cannot show: the result does not
//! depend on row order or on how rows were split between accumulators.

use std::str::FromStr;

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::{Catalog, RunParams, UsageAccumulator, UsageRow, reconcile};
use crate::Money;
use crate::model::{BillingLine, ClientMapping, ProductMapping};

fn params() -> RunParams {
    RunParams {
        as_of: Timestamp::from_str("2025-06-30T00:00:00Z").expect("literal"),
        stale_days: 30,
    }
}

fn catalog() -> Catalog {
    let mut builder = Catalog::builder();
    for (reference, client) in [("t-1", "C1"), ("t-2", "C2"), ("t-3", "C3")] {
        builder
            .map_client(ClientMapping {
                source: "m365".into(),
                external_client_id: reference.into(),
                client_id: client.into(),
                domain: None,
            })
            .expect("mapping");
    }
    for (sku, product, units) in [
        ("SPB", "M365-BP", 1),
        ("SPB_DONATION", "M365-BP", 1),
        ("SRV_4TB", "BK-TB", 4),
    ] {
        builder
            .map_product(ProductMapping {
                source: "m365".into(),
                sku: sku.into(),
                product_id: product.into(),
                units: Decimal::from(units),
                rounding: crate::model::Rounding::None,
            })
            .expect("mapping");
    }
    builder.build()
}

fn billing() -> Vec<BillingLine> {
    [
        ("L1", "C1", "M365-BP", 3),
        ("L2", "C2", "M365-BP", 1),
        ("L3", "C3", "BK-TB", 4),
    ]
    .into_iter()
    .map(|(line, client, product, quantity)| BillingLine {
        line_id: line.into(),
        client_id: client.into(),
        client_name: client.into(),
        product_id: product.into(),
        quantity: Decimal::from(quantity),
        unit_price: Money::new(Decimal::from(20)),
    })
    .collect()
}

/// (client_ref, sku, item_id, status, last_seen)
const ROWS: &[(&str, &str, &str, &str, &str)] = &[
    ("t-1", "SPB", "ann@a.com", "active", "2025-06-29T00:00:00Z"),
    ("t-2", "SPB", "zed@b.com", "active", "2025-06-29T00:00:00Z"),
    (
        "t-1",
        "SPB_DONATION",
        "ANN@a.com ",
        "active",
        "2025-06-28T00:00:00Z",
    ),
    ("t-3", "SRV_4TB", "srv-1", "active", "2025-06-29T00:00:00Z"),
    (
        "t-1",
        "SPB",
        "bob@a.com",
        "disabled",
        "2025-06-29T00:00:00Z",
    ),
    (
        "t-2",
        "SPB",
        "shared@x.com",
        "active",
        "2025-06-29T00:00:00Z",
    ),
    (
        "t-1",
        "SPB",
        "shared@x.com",
        "active",
        "2025-06-29T00:00:00Z",
    ),
    ("t-1", "SPB", "old@a.com", "active", "2025-01-01T00:00:00Z"),
    ("t-9", "SPB", "new@n.com", "active", "2025-06-29T00:00:00Z"),
    (
        "t-2",
        "NEW_SKU",
        "zed@b.com",
        "active",
        "2025-06-29T00:00:00Z",
    ),
];

/// The outputs as text: pairs, exceptions, and every finding's evidence.
fn outcome(order: &[usize], split_at: usize) -> String {
    let catalog = catalog();
    let billing = billing();
    let params = params();
    let mut parts = [
        UsageAccumulator::new(&catalog, &params),
        UsageAccumulator::new(&catalog, &params),
    ];
    for (position, &index) in order.iter().enumerate() {
        let (reference, sku, item, status, seen) = ROWS[index];
        parts[usize::from(position >= split_at)].add(&UsageRow {
            source: "m365",
            client_ref: reference,
            sku,
            item_id: item,
            status,
            last_seen: Some(Timestamp::from_str(seen).expect("literal")),
            ..UsageRow::default()
        });
    }
    let [mut usage, second] = parts;
    usage.merge(second);
    let recon = reconcile(&catalog, &billing, usage, &params);
    let mut text = String::new();
    for pair in recon.pairs() {
        text += &format!(
            "{} {} {} {} {}\n",
            pair.client_id, pair.product_id, pair.billed, pair.actual, pair.status
        );
    }
    for line in recon.exceptions() {
        text += &format!(
            "{} {:?} {:?} {:?} {} {}\n",
            line.kind, line.client_id, line.product_id, line.source, line.key, line.count
        );
    }
    for finding in recon.findings() {
        text += &format!("{finding:?}\n");
    }
    text
}

#[test]
fn result_does_not_depend_on_row_order_or_split() {
    let forward: Vec<usize> = (0..ROWS.len()).collect();
    let expected = outcome(&forward, ROWS.len());
    let reversed: Vec<usize> = forward.iter().rev().copied().collect();
    let interleaved: Vec<usize> = vec![9, 0, 5, 3, 2, 7, 1, 4, 8, 6];
    for order in [&forward, &reversed, &interleaved] {
        for split in [0, 3, 5, ROWS.len()] {
            assert_eq!(
                outcome(order, split),
                expected,
                "order {order:?}, split at {split}"
            );
        }
    }
}

#[test]
fn the_rules_hold_on_a_small_mixed_feed() {
    let text = outcome(&(0..ROWS.len()).collect::<Vec<_>>(), 4);
    // C1: ann (twice, two SKUs), shared; bob disabled, old stale: 2 counted of 3 billed.
    assert!(text.contains("C1 M365-BP 3 2 overbilled"), "{text}");
    // C2: zed and shared counted; billed 1.
    assert!(text.contains("C2 M365-BP 1 2 underbilled"), "{text}");
    // A 4 TB server counts 4 units.
    assert!(text.contains("C3 BK-TB 4 4 match"), "{text}");
    assert!(
        text.contains(
            "duplicate_item Some(ClientId(\"C1\")) Some(ProductId(\"M365-BP\")) None ann@a.com 2"
        ),
        "{text}"
    );
    assert!(text.contains("cross_client_item Some(ClientId(\"C1\")) Some(ProductId(\"M365-BP\")) None shared@x.com 2"), "{text}");
    assert!(
        text.contains(
            "disabled_licensed Some(ClientId(\"C1\")) Some(ProductId(\"M365-BP\")) None bob@a.com 1"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "stale_item Some(ClientId(\"C1\")) Some(ProductId(\"M365-BP\")) None old@a.com 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("unmapped_client None None Some(\"m365\") t-9 1"),
        "{text}"
    );
    assert!(
        text.contains("unmapped_sku Some(ClientId(\"C2\")) None Some(\"m365\") NEW_SKU 1"),
        "{text}"
    );
}
