//! Words for the codes findings carry (kinds, review states, causes), so a
//! reader sees "Usage not billed" rather than `usage_not_billed`. An unknown
//! code is shown as it is rather than hidden.

/// Every kind in the order the report lists them: pair findings, item
/// findings, mapping issues.
pub(super) const KIND_ORDER: [&str; 10] = [
    "underbilled",
    "overbilled",
    "billed_no_usage",
    "usage_not_billed",
    "duplicate_item",
    "cross_client_item",
    "disabled_licensed",
    "stale_item",
    "unmapped_client",
    "unmapped_sku",
];

pub(super) const STATE_ORDER: [&str; 4] = ["open", "acknowledged", "resolved", "ignored"];

pub(super) fn kind_label(kind: &str) -> &str {
    match kind {
        "underbilled" => "Underbilled",
        "overbilled" => "Overbilled",
        "billed_no_usage" => "Billed, no usage",
        "usage_not_billed" => "Usage not billed",
        "duplicate_item" => "Duplicate item",
        "cross_client_item" => "Item under several clients",
        "disabled_licensed" => "Disabled but licensed",
        "stale_item" => "Stale item",
        "unmapped_client" => "Unmapped client",
        "unmapped_sku" => "Unmapped SKU",
        other => other,
    }
}

pub(super) fn state_label(state: &str) -> &str {
    match state {
        "open" | "" => "Open",
        "acknowledged" => "Acknowledged",
        "resolved" => "Resolved",
        "ignored" => "Ignored",
        other => other,
    }
}

pub(super) fn cause_label(cause: &str) -> &str {
    match cause {
        "billing_issue" => "Billing issue",
        "setup_cleanup" => "Setup clean-up",
        "stale_data" => "Stale data",
        "mapping_rule" => "Mapping rule",
        other => other,
    }
}

/// Position of a code in its canonical order; unknown codes come last.
pub(super) fn rank_in(order: &[&str], code: &str) -> usize {
    order
        .iter()
        .position(|known| *known == code)
        .unwrap_or(order.len())
}
