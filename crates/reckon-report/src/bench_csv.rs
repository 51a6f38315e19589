//! `recon.csv` and `exceptions.csv`, byte for byte in the format of
//! `shared/bench/README.md` (the reference engines produce the same bytes).

use std::io::{self, Write};

use reckon_core::Reconciliation;

use crate::number::push_decimal;

/// `client_id,product_id,billed_qty,actual_qty,diff,unit_price,impact,status`,
/// one row per pair sorted by client then product; money with 2 decimals.
pub fn write_recon_csv(recon: &Reconciliation<'_>, out: impl Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    out.write_all(b"client_id,product_id,billed_qty,actual_qty,diff,unit_price,impact,status\n")?;
    let mut row = Vec::with_capacity(256);
    for pair in recon.pairs() {
        row.clear();
        push_field(&mut row, pair.client_id.as_str());
        row.push(b',');
        push_field(&mut row, pair.product_id.as_str());
        row.push(b',');
        push_decimal(&mut row, pair.billed);
        row.push(b',');
        push_decimal(&mut row, pair.actual);
        row.push(b',');
        push_decimal(&mut row, pair.diff);
        row.push(b',');
        row.extend_from_slice(pair.unit_price.text().as_bytes());
        row.push(b',');
        row.extend_from_slice(pair.impact.text().as_bytes());
        row.push(b',');
        row.extend_from_slice(pair.status.as_str().as_bytes());
        row.push(b'\n');
        out.write_all(&row)?;
    }
    out.flush()
}

/// `kind,client_id,product_id,source,key,count`, sorted by kind, client,
/// product, source (empty first) and key.
pub fn write_exceptions_csv(recon: &Reconciliation<'_>, out: impl Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    out.write_all(b"kind,client_id,product_id,source,key,count\n")?;
    let mut row = Vec::with_capacity(256);
    for line in recon.exceptions() {
        row.clear();
        row.extend_from_slice(line.kind.as_str().as_bytes());
        row.push(b',');
        push_field(&mut row, line.client_id.map_or("", |c| c.as_str()));
        row.push(b',');
        push_field(&mut row, line.product_id.map_or("", |p| p.as_str()));
        row.push(b',');
        push_field(&mut row, line.source.unwrap_or(""));
        row.push(b',');
        push_field(&mut row, line.key);
        row.push(b',');
        row.extend_from_slice(itoa::Buffer::new().format(line.count).as_bytes());
        row.push(b'\n');
        out.write_all(&row)?;
    }
    out.flush()
}

/// Appends a CSV field, quoting it only when it must be (a comma, a quote,
/// a line break, or spaces at either end that a reader would trim).
fn push_field(out: &mut Vec<u8>, text: &str) {
    let needs_quotes = text
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
        || text.starts_with(' ')
        || text.ends_with(' ');
    if !needs_quotes {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    out.push(b'"');
    out.extend_from_slice(text.replace('"', "\"\"").as_bytes());
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::push_field;

    fn field(text: &str) -> String {
        let mut out = Vec::new();
        push_field(&mut out, text);
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(field("C00001"), "C00001");
        assert_eq!(field("Contoso, Inc."), "\"Contoso, Inc.\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
