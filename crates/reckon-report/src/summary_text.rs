//! The short human summary printed after a run.

use std::io::{self, Write};

use reckon_core::engine::Summary;
use reckon_core::{Finding, FindingKind};

/// Totals per month and year, counts per kind, and the top findings.
pub fn write_summary(summary: &Summary, mut out: impl Write) -> io::Result<()> {
    writeln!(
        out,
        "{} client/product pairs, {} match, {} do not",
        summary.pairs,
        summary.matched,
        summary.pairs - summary.matched
    )?;
    writeln!(
        out,
        "Underbilled: {:>12} per month ({} per year)",
        summary.underbilled_per_month,
        summary.underbilled_per_year()
    )?;
    writeln!(
        out,
        "Overbilled:  {:>12} per month ({} per year)",
        summary.overbilled_per_month,
        summary.overbilled_per_year()
    )?;
    writeln!(out)?;
    writeln!(out, "Findings by kind:")?;
    for kind in &summary.by_kind {
        if kind.count > 0 {
            writeln!(out, "  {:<18} {:>8}", kind.kind.as_str(), kind.count)?;
        }
    }
    if summary.by_kind.iter().all(|k| k.count == 0) {
        writeln!(out, "  none: billing matches usage everywhere")?;
    }
    if !summary.top.is_empty() {
        writeln!(out)?;
        writeln!(out, "Top findings by money:")?;
        for finding in &summary.top {
            write_top_finding(&mut out, finding)?;
        }
    }
    Ok(())
}

fn write_top_finding(out: &mut impl Write, finding: &Finding) -> io::Result<()> {
    let client = finding
        .client_name
        .or(finding.client_id.map(|c| c.as_str()))
        .unwrap_or("");
    let product = finding
        .product_name
        .or(finding.product_id.map(|p| p.as_str()))
        .unwrap_or("");
    let numbers = match (finding.billed, finding.actual) {
        (Some(billed), Some(actual)) if finding.kind.is_pair() => {
            format!(
                "billed {}, in use {}",
                billed.normalize(),
                actual.normalize()
            )
        }
        _ => String::new(),
    };
    let sign = match finding.kind {
        FindingKind::Underbilled | FindingKind::UsageNotBilled => "+",
        _ => "",
    };
    writeln!(
        out,
        "  {:>10}  {:<16} {} / {}: {} [{}; {}]",
        format!("{sign}{}", finding.impact),
        finding.kind.as_str(),
        client,
        product,
        numbers,
        finding.cause,
        finding.priority,
    )?;
    writeln!(out, "              {}", finding.explanation)
}
