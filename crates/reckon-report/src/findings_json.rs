//! `findings.json`: every finding with its numbers, likely cause, priority
//! and evidence. Decimals and money are JSON strings so that no consumer
//! turns them into floating point. Findings are built and serialised in
//! parallel batches and written in order, so memory stays bounded however
//! many there are.

use std::io::{self, Write};

use rayon::prelude::*;
use reckon_core::{EvidenceItem, Finding, Money, Reconciliation};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::number::push_decimal;

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

/// What the caller knows of a finding beyond the reconciliation: the
/// readable name of an unmapped SKU and the mappings it suggests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotation {
    pub sku_name: Option<String>,
    pub suggestions: Vec<SuggestionView>,
}

impl Annotation {
    /// What the annotation adds to a finding's explanation: the SKU's name
    /// and the best suggestion ("; Microsoft 365 Business Standard;
    /// suggested: M365-BS Microsoft 365 Business Standard (95)").
    pub fn sentence(&self) -> String {
        let mut sentence = String::new();
        if let Some(name) = &self.sku_name {
            sentence.push_str(&format!("; the SKU is {name}"));
        }
        if let Some(best) = self.suggestions.first() {
            sentence.push_str(&format!(
                "; suggested: {} {} (score {})",
                best.id, best.name, best.score
            ));
        }
        sentence
    }
}

/// One suggested mapping for an unmapped client reference or SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestionView {
    /// The PSA client or product id.
    pub id: String,
    pub name: String,
    pub score: u8,
    pub reason: String,
}

/// Annotates findings as they are written (called from several threads).
pub trait Annotate: Sync {
    fn annotate(&self, finding: &Finding<'_>) -> Annotation;

    /// The readable name of a feed's SKU (`SPB` is "Microsoft 365 Business
    /// Premium"), written beside it in the evidence when known.
    fn sku_name(&self, _source: &str, _sku: &str) -> Option<&str> {
        None
    }
}

/// No annotations.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAnnotations;

impl Annotate for NoAnnotations {
    fn annotate(&self, _finding: &Finding<'_>) -> Annotation {
        Annotation::default()
    }
}

/// Writes `{ ...run header..., "findings": [ ... ] }`.
pub fn write_findings_json(recon: &Reconciliation<'_>, out: impl Write) -> io::Result<()> {
    write_findings_json_annotated(recon, &NoAnnotations, out)
}

/// As [`write_findings_json`], with `annotate`'s SKU names and suggestions
/// on the unmapped findings (`sku_name`, `suggestions`).
pub fn write_findings_json_annotated(
    recon: &Reconciliation<'_>,
    annotate: &dyn Annotate,
    out: impl Write,
) -> io::Result<()> {
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
    // One buffer per batch of a round, kept from round to round: a
    // megabyte each, grown (and faulted in) once rather than per batch.
    let mut buffers: Vec<Vec<u8>> = vec![Vec::new(); BATCHES_PER_ROUND];
    for round_start in (0..total).step_by(round) {
        let round_end = (round_start + round).min(total);
        buffers
            .par_iter_mut()
            .enumerate()
            .for_each(|(batch, buffer)| {
                buffer.clear();
                let start = (round_start + batch * BATCH).min(round_end);
                let mut dates = DateCache::new();
                for index in start..(start + BATCH).min(round_end) {
                    if index > 0 {
                        buffer.push(b',');
                    }
                    buffer.push(b'\n');
                    let finding = recon.finding(index);
                    if finding.kind.is_unmapped() {
                        let annotation = annotate.annotate(&finding);
                        write_finding(
                            buffer,
                            &finding,
                            &annotation.sentence(),
                            annotate,
                            &mut dates,
                        );
                        // Reopen the object to add the annotation fields.
                        buffer.pop();
                        write_annotation(buffer, &annotation);
                        buffer.push(b'}');
                    } else {
                        write_finding(buffer, &finding, "", annotate, &mut dates);
                    }
                }
            });
        for buffer in &buffers {
            out.write_all(buffer)?;
        }
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}

/// One finding as the JSON object findings.json holds for it (with the
/// annotation of an unmapped finding): what a stored run keeps.
pub fn finding_json(finding: &Finding<'_>, annotate: &dyn Annotate) -> String {
    let mut buffer = Vec::new();
    let mut dates = DateCache::new();
    if finding.kind.is_unmapped() {
        let annotation = annotate.annotate(finding);
        write_finding(
            &mut buffer,
            finding,
            &annotation.sentence(),
            annotate,
            &mut dates,
        );
        buffer.pop();
        write_annotation(&mut buffer, &annotation);
        buffer.push(b'}');
    } else {
        write_finding(&mut buffer, finding, "", annotate, &mut dates);
    }
    String::from_utf8(buffer).unwrap_or_default()
}

/// `,"sku_name":...,"suggestions":[...]` for an unmapped finding.
fn write_annotation(out: &mut Vec<u8>, annotation: &Annotation) {
    out.extend_from_slice(b",\"sku_name\":");
    match &annotation.sku_name {
        Some(name) => write_str(out, name),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"suggestions\":[");
    for (i, suggestion) in annotation.suggestions.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"id\":");
        write_str(out, &suggestion.id);
        out.extend_from_slice(b",\"name\":");
        write_str(out, &suggestion.name);
        out.extend_from_slice(b",\"score\":");
        out.extend_from_slice(itoa::Buffer::new().format(suggestion.score).as_bytes());
        out.extend_from_slice(b",\"reason\":");
        write_str(out, &suggestion.reason);
        out.push(b'}');
    }
    out.push(b']');
}

/// One finding as a JSON object. Written by hand rather than through serde:
/// findings.json carries millions of evidence items, and building a view of
/// each to serialise cost more than writing it. The layout is that of the
/// serde views it replaced, byte for byte: fields in this order, `null` for
/// what is absent, decimals and money as strings.
fn write_finding(
    out: &mut Vec<u8>,
    finding: &Finding<'_>,
    explanation_suffix: &str,
    annotate: &dyn Annotate,
    dates: &mut DateCache,
) {
    let decimal = |out: &mut Vec<u8>, value: Option<Decimal>| match value {
        Some(value) => write_decimal(out, value),
        None => out.extend_from_slice(b"null"),
    };
    out.extend_from_slice(b"{\"kind\":");
    write_str(out, finding.kind.as_str());
    out.extend_from_slice(b",\"client_id\":");
    write_opt_str(out, finding.client_id.map(|c| c.as_str()));
    out.extend_from_slice(b",\"client_name\":");
    write_opt_str(out, finding.client_name);
    out.extend_from_slice(b",\"product_id\":");
    write_opt_str(out, finding.product_id.map(|p| p.as_str()));
    out.extend_from_slice(b",\"product_name\":");
    write_opt_str(out, finding.product_name);
    out.extend_from_slice(b",\"source\":");
    write_opt_str(out, finding.source);
    out.extend_from_slice(b",\"key\":");
    write_opt_str(out, finding.key);
    out.extend_from_slice(b",\"billed\":");
    decimal(out, finding.billed);
    out.extend_from_slice(b",\"actual\":");
    decimal(out, finding.actual);
    out.extend_from_slice(b",\"in_use\":");
    decimal(out, finding.in_use);
    out.extend_from_slice(b",\"actual_basis\":");
    match finding.actual_basis {
        Some(basis) => {
            out.extend_from_slice(b"{\"kind\":");
            write_str(out, basis.as_str());
            out.extend_from_slice(b",\"from_items\":");
            decimal(out, Some(basis.from_items));
            out.extend_from_slice(b",\"from_counts\":");
            decimal(out, Some(basis.from_counts));
            out.push(b'}');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"diff\":");
    decimal(out, finding.billed.zip(finding.actual).map(|(b, a)| a - b));
    out.extend_from_slice(b",\"unit_price\":");
    match finding.unit_price {
        Some(price) => write_price(out, price),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"impact\":");
    write_money(out, finding.impact);
    out.extend_from_slice(b",\"money_at_stake\":");
    write_money(out, finding.money_at_stake);
    out.extend_from_slice(b",\"count\":");
    match finding.count {
        Some(count) => out.extend_from_slice(itoa::Buffer::new().format(count).as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"cause\":");
    write_str(out, finding.cause.as_str());
    out.extend_from_slice(b",\"explanation\":");
    if explanation_suffix.is_empty() {
        write_str(out, &finding.explanation);
    } else {
        write_str(out, &format!("{}{explanation_suffix}", finding.explanation));
    }
    out.extend_from_slice(b",\"priority\":");
    write_str(out, finding.priority.as_str());
    out.extend_from_slice(b",\"evidence\":{\"groups\":[");
    write_evidence_groups(out, &finding.evidence.items, annotate, dates);
    out.extend_from_slice(b"],\"billing_lines\":[");
    for (i, line) in finding.evidence.billing_lines.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"line_id\":");
        write_str(out, line.line_id.as_str());
        out.extend_from_slice(b",\"quantity\":");
        write_decimal(out, line.quantity);
        out.extend_from_slice(b",\"unit_price\":");
        write_price(out, line.unit_price);
        out.push(b'}');
    }
    out.extend_from_slice(b"]}}");
}

/// Evidence items in groups that share client, source, SKU, the other
/// listing, state, status and basis (`item` for listed users or devices,
/// `count` for reported aggregates); each item is `[item_key, last_seen,
/// units, rows]` (see the header's `evidence_item_fields`).
fn write_evidence_groups(
    out: &mut Vec<u8>,
    items: &[EvidenceItem<'_>],
    annotate: &dyn Annotate,
    dates: &mut DateCache,
) {
    let mut previous: Option<&EvidenceItem<'_>> = None;
    for item in items {
        match previous {
            Some(last) if same_group(last, item) => out.push(b','),
            _ => {
                if previous.is_some() {
                    out.extend_from_slice(b"]},");
                }
                out.extend_from_slice(b"{\"client_id\":");
                write_opt_str(out, item.client_id.map(|c| c.as_str()));
                out.extend_from_slice(b",\"source\":");
                write_str(out, item.source);
                out.extend_from_slice(b",\"sku\":");
                write_str(out, item.sku);
                if let Some(name) = annotate.sku_name(item.source, item.sku) {
                    out.extend_from_slice(b",\"sku_name\":");
                    write_str(out, name);
                }
                if let Some((source, sku)) = item.also_listed_as {
                    out.extend_from_slice(b",\"also_listed_as\":{\"source\":");
                    write_str(out, source);
                    out.extend_from_slice(b",\"sku\":");
                    write_str(out, sku);
                    out.push(b'}');
                }
                out.extend_from_slice(b",\"state\":");
                write_str(out, item.state.as_str());
                out.extend_from_slice(b",\"status\":");
                write_str(out, item.status);
                out.extend_from_slice(b",\"basis\":");
                write_str(out, if item.is_count { "count" } else { "item" });
                out.extend_from_slice(b",\"items\":[");
            }
        }
        previous = Some(item);
        out.push(b'[');
        write_str(out, item.item_key);
        out.push(b',');
        match item.last_seen {
            Some(at) => write_instant(out, at, dates),
            None => out.extend_from_slice(b"null"),
        }
        out.push(b',');
        write_units(out, item.units);
        out.push(b',');
        out.extend_from_slice(itoa::Buffer::new().format(item.rows).as_bytes());
        out.push(b']');
    }
    if previous.is_some() {
        out.extend_from_slice(b"]}");
    }
}

/// Whether two neighbouring items belong in one evidence group. Their texts
/// mostly come from the same catalogue entries, so equal addresses settle
/// most comparisons.
fn same_group(a: &EvidenceItem<'_>, b: &EvidenceItem<'_>) -> bool {
    fn same(a: &str, b: &str) -> bool {
        std::ptr::eq(a, b) || a == b
    }
    let client = match (a.client_id, b.client_id) {
        (Some(a), Some(b)) => same(a.as_str(), b.as_str()),
        (None, None) => true,
        _ => false,
    };
    let also_listed_as = match (a.also_listed_as, b.also_listed_as) {
        (Some(a), Some(b)) => same(a.0, b.0) && same(a.1, b.1),
        (None, None) => true,
        _ => false,
    };
    client
        && also_listed_as
        && a.state == b.state
        && a.is_count == b.is_count
        && same(a.source, b.source)
        && same(a.sku, b.sku)
        && same(a.status, b.status)
}

/// A JSON string, escaped as serde_json escapes it.
fn write_str(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    if !needs_escape(bytes) {
        out.extend_from_slice(bytes);
    } else {
        for &byte in bytes {
            match byte {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\x08' => out.extend_from_slice(b"\\b"),
                b'\x0c' => out.extend_from_slice(b"\\f"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0..0x20 => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[usize::from(byte >> 4)]);
                    out.push(HEX[usize::from(byte & 0xf)]);
                }
                _ => out.push(byte),
            }
        }
    }
    out.push(b'"');
}

/// Whether `bytes` holds a control character, a quote or a backslash.
/// Checks eight bytes at a time (the last eight overlapping the ones
/// before): item keys are many and nearly never need escaping.
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Whether any byte of `word` is below `n` (exact for n <= 0x80).
    let any_below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS != 0;
    let any_equal = |word: u64, b: u8| any_below(word ^ (ONES * u64::from(b)), 1);
    let special = |at: usize| {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        let word = u64::from_ne_bytes(word);
        any_below(word, 0x20) || any_equal(word, b'"') || any_equal(word, b'\\')
    };
    if bytes.len() < 8 {
        return bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
    }
    (0..bytes.len() / 8).any(|chunk| special(chunk * 8)) || special(bytes.len() - 8)
}

fn write_opt_str(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => write_str(out, text),
        None => out.extend_from_slice(b"null"),
    }
}

/// A value's `Display` text as a JSON string (numbers and amounts, which
/// need no escaping).
fn write_display(out: &mut Vec<u8>, value: &impl std::fmt::Display) {
    use std::io::Write as _;
    out.push(b'"');
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{value}");
    out.push(b'"');
}

/// An instant as `"2025-06-28T14:03:11Z"`. Evidence has millions of them,
/// so whole seconds are formatted directly, with the dates of recent day
/// numbers kept in `dates`; anything finer goes through jiff.
fn write_instant(out: &mut Vec<u8>, at: jiff::Timestamp, dates: &mut DateCache) {
    let seconds = at.as_second();
    let (days, time) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let Some(date) = dates.date(days) else {
        return write_display(out, &at);
    };
    if at.subsec_nanosecond() != 0 {
        return write_display(out, &at);
    }
    let mut text = *b"\"0000-00-00T00:00:00Z\"";
    text[1..11].copy_from_slice(&date);
    for (at, value) in [(12, time / 3_600), (15, time / 60 % 60), (18, time % 60)] {
        text[at..at + 2].copy_from_slice(&two_digits(value as usize));
    }
    out.extend_from_slice(&text);
}

/// `00` to `99`.
fn two_digits(value: usize) -> [u8; 2] {
    const DIGITS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    [DIGITS[value * 2], DIGITS[value * 2 + 1]]
}

/// `YYYY-MM-DD` of recent day numbers (evidence dates cluster in the
/// weeks before the as-of date), in a small table indexed by day number.
struct DateCache {
    entries: [(i64, [u8; 10]); 64],
}

impl DateCache {
    fn new() -> Self {
        DateCache {
            entries: [(i64::MIN, [0; 10]); 64],
        }
    }

    /// The date of day number `days`, or `None` if its year has not four
    /// digits.
    fn date(&mut self, days: i64) -> Option<[u8; 10]> {
        let slot = &mut self.entries[days.rem_euclid(64) as usize];
        if slot.0 != days {
            let (year, month, day) = civil_from_days(days);
            if !(0..=9999).contains(&year) {
                return None;
            }
            let year = year as usize;
            let mut date = *b"0000-00-00";
            date[0..2].copy_from_slice(&two_digits(year / 100));
            date[2..4].copy_from_slice(&two_digits(year % 100));
            date[5..7].copy_from_slice(&two_digits(month as usize));
            date[8..10].copy_from_slice(&two_digits(day as usize));
            *slot = (days, date);
        }
        Some(slot.1)
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

/// A quantity as a plain decimal string (`"1"`, `"2.5"`): units of
/// evidence items, where whole numbers are the common case.
fn write_units(out: &mut Vec<u8>, units: Decimal) {
    match i64::try_from(units.mantissa()) {
        // One digit, the usual case.
        Ok(digit @ 0..=9) if units.scale() == 0 => {
            out.extend_from_slice(&[b'"', b'0' + digit as u8, b'"']);
        }
        Ok(whole) if units.scale() == 0 => {
            out.push(b'"');
            out.extend_from_slice(itoa::Buffer::new().format(whole).as_bytes());
            out.push(b'"');
        }
        _ => write_decimal(out, units),
    }
}

fn write_money(out: &mut Vec<u8>, amount: Money) {
    out.push(b'"');
    out.extend_from_slice(amount.text().as_bytes());
    out.push(b'"');
}

/// A unit price exactly as the PSA has it, with at least two decimals
/// (`22.00`, `0.125`): a price below a cent must not be rounded, or the
/// quantity times the shown price would not give the impact.
fn write_price(out: &mut Vec<u8>, price: Money) {
    let value = price.amount().normalize();
    if value.scale() <= 2 {
        write_money(out, price);
    } else {
        write_decimal(out, value);
    }
}

/// A decimal as a JSON string, without trailing zeros.
fn write_decimal(out: &mut Vec<u8>, value: Decimal) {
    out.push(b'"');
    push_decimal(out, value);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(write: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        write(&mut out);
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn prices_below_a_cent_are_written_exactly() {
        use rust_decimal::Decimal;
        let price = |text: &str| Money::new(text.parse::<Decimal>().expect("decimal"));
        assert_eq!(written(|out| write_price(out, price("22"))), "\"22.00\"");
        assert_eq!(written(|out| write_price(out, price("0.125"))), "\"0.125\"");
        assert_eq!(written(|out| write_price(out, price("3.50"))), "\"3.50\"");
    }

    #[test]
    fn strings_are_escaped_like_serde_json() {
        // Every ASCII character at every position of a longer text.
        let mut texts: Vec<String> = Vec::new();
        for b in 0u8..0x80 {
            for at in 0..17 {
                let mut text = vec![b'x'; 17];
                text[at] = b;
                texts.push(String::from_utf8(text).expect("ascii"));
            }
        }
        texts.extend(["", "plain", "é ü 日本 ÿÿÿÿÿÿÿÿ", "\"quoted\" \\ back"].map(String::from));
        for text in texts {
            let expected = serde_json::to_string(&text).expect("serialises");
            assert_eq!(written(|out| write_str(out, &text)), expected, "{text:?}");
        }
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
            "2025-06-28T14:03:11.5Z",
            "-000001-06-28T14:03:11Z",
        ] {
            let at: jiff::Timestamp = text.parse().expect("literal");
            let mut dates = DateCache::new();
            assert_eq!(
                written(|out| write_instant(out, at, &mut dates)),
                format!("\"{at}\"")
            );
            // Again, from the cache.
            assert_eq!(
                written(|out| write_instant(out, at, &mut dates)),
                format!("\"{at}\"")
            );
        }
    }

    #[test]
    fn units_are_plain_decimals() {
        for (units, text) in [
            (Decimal::new(4, 0), "\"4\""),
            (Decimal::new(400, 2), "\"4\""),
            (Decimal::new(25, 1), "\"2.5\""),
            (Decimal::new(-3, 0), "\"-3\""),
            (Decimal::new(-250, 2), "\"-2.5\""),
            (Decimal::MAX, "\"79228162514264337593543950335\""),
        ] {
            assert_eq!(written(|out| write_units(out, units)), text);
        }
    }
}
