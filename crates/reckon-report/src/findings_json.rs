//! `findings.json`: every finding with its numbers, likely cause, priority
//! and evidence. Decimals and money are JSON strings so that no consumer
//! turns them into floating point. Findings are built and serialised in
//! parallel batches and written in order, so memory stays bounded however
//! many there are.

use std::io::{self, Write};

use rayon::prelude::*;
use reckon_core::{Finding, Reconciliation};
use serde::{Serialize, Serializer};

/// An instant as `2025-06-28T14:03:11Z`. Evidence has millions of them, so
/// whole seconds are formatted directly; anything finer goes through jiff.
struct Instant(jiff::Timestamp);

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let at = self.0;
        if at.subsec_nanosecond() != 0 {
            return serializer.collect_str(&at);
        }
        let seconds = at.as_second();
        let (days, time) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        if !(0..=9999).contains(&year) {
            return serializer.collect_str(&at);
        }
        let mut text = *b"0000-00-00T00:00:00Z";
        let mut put = |at: usize, value: i64, digits: usize| {
            let mut value = value;
            for i in (0..digits).rev() {
                text[at + i] = b'0' + (value % 10) as u8;
                value /= 10;
            }
        };
        put(0, year, 4);
        put(5, month, 2);
        put(8, day, 2);
        put(11, time / 3_600, 2);
        put(14, time / 60 % 60, 2);
        put(17, time % 60, 2);
        // Only ASCII digits and separators were written.
        serializer.serialize_str(std::str::from_utf8(&text).unwrap_or_default())
    }
}

/// Year, month, day of a day number since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A quantity as a plain decimal string (`1`, `2.5`); whole numbers, the
/// common case, skip the general formatter.
struct Units(rust_decimal::Decimal);

impl Serialize for Units {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let units = self.0;
        if units.fract().is_zero()
            && let Ok(whole) = i64::try_from(units.trunc())
        {
            let mut buffer = itoa::Buffer::new();
            return serializer.serialize_str(buffer.format(whole));
        }
        serializer.collect_str(&units.normalize())
    }
}

/// Findings serialised per task, and tasks per round.
const BATCH: usize = 512;
const BATCHES_PER_ROUND: usize = 16;

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
    evidence_item_fields: [&'a str; 4],
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
    groups: Vec<EvidenceGroupView<'a>>,
    billing_lines: Vec<LineView<'a>>,
}

/// Evidence items that share client, source, SKU, state, status and basis;
/// each item is `[item_key, last_seen, units, rows]` (see the header's
/// `evidence_item_fields`).
#[derive(Serialize)]
struct EvidenceGroupView<'a> {
    client_id: Option<&'a str>,
    source: &'a str,
    sku: &'a str,
    /// The other SKU or feed these items are also listed under, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    also_listed_as: Option<AlsoListedAs<'a>>,
    state: &'a str,
    status: &'a str,
    /// `item` for listed users or devices, `count` for reported aggregates.
    basis: &'a str,
    items: Vec<EvidenceEntry<'a>>,
}

#[derive(Serialize, Clone, Copy, PartialEq, Eq)]
struct AlsoListedAs<'a> {
    source: &'a str,
    sku: &'a str,
}

type EvidenceEntry<'a> = (&'a str, Option<Instant>, Units, u32);

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
        evidence_item_fields: ["item_key", "last_seen", "units", "rows"],
    };
    // The header's fields, then the findings array, in one object.
    let header = serde_json::to_string(&header).map_err(io::Error::other)?;
    out.write_all(&header.as_bytes()[..header.len() - 1])?;
    out.write_all(b",\"findings\":[")?;
    let total = recon.finding_count();
    let round = BATCH * BATCHES_PER_ROUND;
    for round_start in (0..total).step_by(round) {
        let round_end = (round_start + round).min(total);
        let batches: Vec<io::Result<Vec<u8>>> = (round_start..round_end)
            .step_by(BATCH)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|start| {
                let mut buffer = Vec::with_capacity(64 << 10);
                for index in start..(start + BATCH).min(round_end) {
                    if index > 0 {
                        buffer.push(b',');
                    }
                    buffer.push(b'\n');
                    let finding = recon.finding(index);
                    serde_json::to_writer(&mut buffer, &view(&finding))
                        .map_err(io::Error::other)?;
                }
                Ok(buffer)
            })
            .collect();
        for batch in batches {
            out.write_all(&batch?)?;
        }
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}

fn view<'r>(finding: &'r Finding<'r>) -> FindingView<'r> {
    let decimal = |d: Option<rust_decimal::Decimal>| d.map(|d| d.normalize().to_string());
    FindingView {
        kind: finding.kind.as_str(),
        client_id: finding.client_id.map(|c| c.as_str()),
        client_name: finding.client_name,
        product_id: finding.product_id.map(|p| p.as_str()),
        product_name: finding.product_name,
        source: finding.source,
        key: finding.key,
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
            groups: group_evidence(finding),
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

fn group_evidence<'r>(finding: &'r Finding<'r>) -> Vec<EvidenceGroupView<'r>> {
    let mut groups: Vec<EvidenceGroupView<'r>> = Vec::new();
    for item in &finding.evidence.items {
        let client_id = item.client_id.map(|c| c.as_str());
        let also_listed_as = item
            .also_listed_as
            .map(|(source, sku)| AlsoListedAs { source, sku });
        let basis = if item.is_count { "count" } else { "item" };
        let entry = (
            item.item_key,
            item.last_seen.map(Instant),
            Units(item.units),
            item.rows,
        );
        match groups.last_mut() {
            Some(group)
                if group.client_id == client_id
                    && group.source == item.source
                    && group.sku == item.sku
                    && group.also_listed_as == also_listed_as
                    && group.state == item.state.as_str()
                    && group.status == item.status
                    && group.basis == basis =>
            {
                group.items.push(entry);
            }
            _ => groups.push(EvidenceGroupView {
                client_id,
                source: item.source,
                sku: item.sku,
                also_listed_as,
                state: item.state.as_str(),
                status: item.status,
                basis,
                items: vec![entry],
            }),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(value: impl Serialize) -> String {
        serde_json::to_string(&value).expect("serialises")
    }

    #[test]
    fn instants_match_jiff() {
        for text in [
            "1970-01-01T00:00:00Z",
            "2025-06-28T14:03:11Z",
            "2024-02-29T23:59:59Z",
            "2000-03-01T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "2100-12-31T12:00:00Z",
        ] {
            let at: jiff::Timestamp = text.parse().expect("literal");
            assert_eq!(json(Instant(at)), format!("\"{at}\""), "{text}");
        }
        let fine: jiff::Timestamp = "2025-06-28T14:03:11.5Z".parse().expect("literal");
        assert_eq!(json(Instant(fine)), format!("\"{fine}\""));
    }

    #[test]
    fn units_are_plain_decimals() {
        use rust_decimal::Decimal;
        assert_eq!(json(Units(Decimal::new(4, 0))), "\"4\"");
        assert_eq!(json(Units(Decimal::new(400, 2))), "\"4\"");
        assert_eq!(json(Units(Decimal::new(25, 1))), "\"2.5\"");
        assert_eq!(json(Units(Decimal::new(-3, 0))), "\"-3\"");
    }
}
