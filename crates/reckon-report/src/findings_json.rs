//! `findings.json`: every finding with its numbers, likely cause, priority
//! and evidence. Decimals and money are JSON strings so that no consumer
//! turns them into floating point. Written as a stream, one finding at a
//! time.

use std::io::{self, Write};

use reckon_core::{Finding, Reconciliation};
use serde::Serialize;

#[derive(Serialize)]
struct Header<'a> {
    as_of: String,
    stale_days: u32,
    pairs: u64,
    matched: u64,
    underbilled_per_month: String,
    overbilled_per_month: String,
    finding_count: usize,
    counts_by_kind: Vec<KindCountView<'a>>,
}

#[derive(Serialize)]
struct KindCountView<'a> {
    kind: &'a str,
    count: u64,
}

#[derive(Serialize)]
struct FindingView<'a> {
    kind: &'a str,
    client_id: Option<&'a str>,
    client_name: Option<&'a str>,
    product_id: Option<&'a str>,
    product_name: Option<&'a str>,
    source: Option<&'a str>,
    key: Option<&'a str>,
    billed: Option<String>,
    actual: Option<String>,
    diff: Option<String>,
    unit_price: Option<String>,
    impact: String,
    money_at_stake: String,
    count: Option<u64>,
    cause: &'a str,
    explanation: &'a str,
    priority: &'a str,
    evidence: EvidenceView<'a>,
}

#[derive(Serialize)]
struct EvidenceView<'a> {
    items: Vec<ItemView<'a>>,
    billing_lines: Vec<LineView<'a>>,
}

#[derive(Serialize)]
struct ItemView<'a> {
    /// `item` for a listed user or device, `count` for a reported aggregate.
    basis: &'a str,
    client_id: Option<&'a str>,
    source: &'a str,
    sku: &'a str,
    item_key: &'a str,
    state: &'a str,
    status: &'a str,
    last_seen: Option<String>,
    units: String,
    rows: u32,
}

#[derive(Serialize)]
struct LineView<'a> {
    line_id: &'a str,
    quantity: String,
    unit_price: String,
}

/// Writes `{ ...run header..., "findings": [ ... ] }`.
pub fn write_findings_json(recon: &Reconciliation<'_>, out: impl Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let summary = recon.summary(0);
    let header = Header {
        as_of: recon.params().as_of.to_string(),
        stale_days: recon.params().stale_days,
        pairs: summary.pairs,
        matched: summary.matched,
        underbilled_per_month: summary.underbilled_per_month.to_string(),
        overbilled_per_month: summary.overbilled_per_month.to_string(),
        finding_count: recon.finding_count(),
        counts_by_kind: summary
            .by_kind
            .iter()
            .map(|k| KindCountView {
                kind: k.kind.as_str(),
                count: k.count,
            })
            .collect(),
    };
    // The header's fields, then the findings array, in one object.
    let header = serde_json::to_string(&header).map_err(io::Error::other)?;
    out.write_all(&header.as_bytes()[..header.len() - 1])?;
    out.write_all(b",\"findings\":[")?;
    for (index, finding) in recon.findings().enumerate() {
        if index > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"\n")?;
        serde_json::to_writer(&mut out, &view(&finding)).map_err(io::Error::other)?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}

fn view(finding: &Finding) -> FindingView<'_> {
    let decimal = |d: Option<rust_decimal::Decimal>| d.map(|d| d.normalize().to_string());
    FindingView {
        kind: finding.kind.as_str(),
        client_id: finding.client_id.as_ref().map(|c| c.as_str()),
        client_name: finding.client_name.as_deref(),
        product_id: finding.product_id.as_ref().map(|p| p.as_str()),
        product_name: finding.product_name.as_deref(),
        source: finding.source.as_ref().map(|s| s.as_str()),
        key: finding.key.as_deref(),
        billed: decimal(finding.billed),
        actual: decimal(finding.actual),
        diff: decimal(finding.billed.zip(finding.actual).map(|(b, a)| a - b)),
        unit_price: finding.unit_price.map(|p| p.to_string()),
        impact: finding.impact.to_string(),
        money_at_stake: finding.money_at_stake.to_string(),
        count: finding.count,
        cause: finding.cause.as_str(),
        explanation: &finding.explanation,
        priority: finding.priority.as_str(),
        evidence: EvidenceView {
            items: finding
                .evidence
                .items
                .iter()
                .map(|item| ItemView {
                    basis: if item.is_count { "count" } else { "item" },
                    client_id: item.client_id.as_ref().map(|c| c.as_str()),
                    source: item.source.as_str(),
                    sku: &item.sku,
                    item_key: &item.item_key,
                    state: item.state.as_str(),
                    status: &item.status,
                    last_seen: item.last_seen.map(|t| t.to_string()),
                    units: item.units.normalize().to_string(),
                    rows: item.rows,
                })
                .collect(),
            billing_lines: finding
                .evidence
                .billing_lines
                .iter()
                .map(|line| LineView {
                    line_id: line.line_id.as_str(),
                    quantity: line.quantity.normalize().to_string(),
                    unit_price: line.unit_price.to_string(),
                })
                .collect(),
        },
    }
}
