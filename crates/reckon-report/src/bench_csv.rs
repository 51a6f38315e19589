//! `recon.csv` and `exceptions.csv`, byte for byte in the format of
//! `shared/bench/README.md` (the reference engines produce the same bytes).

use std::io::{self, Write};

use reckon_core::Reconciliation;

/// `client_id,product_id,billed_qty,actual_qty,diff,unit_price,impact,status`,
/// one row per pair sorted by client then product; money with 2 decimals.
pub fn write_recon_csv(recon: &Reconciliation<'_>, out: impl Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    writeln!(
        out,
        "client_id,product_id,billed_qty,actual_qty,diff,unit_price,impact,status"
    )?;
    for pair in recon.pairs() {
        write_field(&mut out, pair.client_id.as_str())?;
        out.write_all(b",")?;
        write_field(&mut out, pair.product_id.as_str())?;
        writeln!(
            out,
            ",{},{},{},{},{},{}",
            pair.billed.normalize(),
            pair.actual.normalize(),
            pair.diff.normalize(),
            pair.unit_price,
            pair.impact,
            pair.status
        )?;
    }
    out.flush()
}

/// `kind,client_id,product_id,source,key,count`, sorted by kind, client,
/// product, source (empty first) and key.
pub fn write_exceptions_csv(recon: &Reconciliation<'_>, out: impl Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    writeln!(out, "kind,client_id,product_id,source,key,count")?;
    for line in recon.exceptions() {
        write!(out, "{},", line.kind)?;
        write_field(&mut out, line.client_id.map_or("", |c| c.as_str()))?;
        out.write_all(b",")?;
        write_field(&mut out, line.product_id.map_or("", |p| p.as_str()))?;
        out.write_all(b",")?;
        write_field(&mut out, line.source.unwrap_or(""))?;
        out.write_all(b",")?;
        write_field(&mut out, line.key)?;
        writeln!(out, ",{}", line.count)?;
    }
    out.flush()
}

/// Writes a CSV field, quoting it only when it must be (a comma, a quote, a
/// line break, or spaces at either end that a reader would trim).
fn write_field(out: &mut impl Write, text: &str) -> io::Result<()> {
    let needs_quotes = text
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
        || text.starts_with(' ')
        || text.ends_with(' ');
    if !needs_quotes {
        return out.write_all(text.as_bytes());
    }
    out.write_all(b"\"")?;
    out.write_all(text.replace('"', "\"\"").as_bytes())?;
    out.write_all(b"\"")
}

#[cfg(test)]
mod tests {
    use super::write_field;

    fn field(text: &str) -> String {
        let mut out = Vec::new();
        write_field(&mut out, text).expect("in memory");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(field("C00001"), "C00001");
        assert_eq!(field("Contoso, Inc."), "\"Contoso, Inc.\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
