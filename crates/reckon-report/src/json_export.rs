//! The JSON report: the run, its totals and every finding with its review
//! state and evidence, for scripts. Amounts and quantities are decimal
//! strings (exact; no float rounding), amounts with two decimals. The field
//! names are a stable contract (`schema` changes if one ever has to go).

use std::io::{self, Write};

use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::model::{ReportFinding, ReportRun, money_text, per_year, quantity_text};

/// Names the document's shape.
pub const REPORT_SCHEMA: &str = "reckon.report/1";

fn optional(value: Option<Decimal>, text: fn(Decimal) -> String) -> Value {
    value.map_or(Value::Null, |value| Value::String(text(value)))
}

fn finding_value(finding: &ReportFinding) -> Value {
    json!({
        "id": finding.id,
        "kind": finding.kind,
        "client_id": finding.client_id,
        "client_name": finding.client_name,
        "product_id": finding.product_id,
        "product_name": finding.product_name,
        "source": finding.source,
        "key": finding.key,
        "billed": optional(finding.billed, quantity_text),
        "actual": optional(finding.actual, quantity_text),
        "difference": optional(finding.diff, quantity_text),
        "unit_price": optional(finding.unit_price, money_text),
        "monthly_impact": money_text(finding.impact),
        "annual_impact": money_text(per_year(finding.impact)),
        "money_at_stake": money_text(finding.money_at_stake),
        "count": finding.count,
        "cause": finding.cause,
        "priority": finding.priority,
        "explanation": finding.explanation,
        "state": finding.state,
        "assignee": finding.assignee,
        "for_action": finding.for_action,
        "note": finding.note,
        "sku_name": finding.sku_name,
        "suggestions": finding.suggestions.iter().map(|s| json!({
            "id": s.id, "name": s.name, "score": s.score, "reason": s.reason,
        })).collect::<Vec<_>>(),
        "evidence": finding.evidence.iter().map(|item| json!({
            "source": item.source,
            "sku": item.sku,
            "sku_name": item.sku_name,
            "state": item.state,
            "status": item.status,
            "basis": item.basis,
            "item": item.item_key,
            "last_seen": item.last_seen,
            "quantity": quantity_text(item.units),
            "rows": item.rows,
        })).collect::<Vec<_>>(),
        "billing_lines": finding.billing_lines.iter().map(|line| json!({
            "line_id": line.line_id,
            "quantity": quantity_text(line.quantity),
            "unit_price": money_text(line.unit_price),
        })).collect::<Vec<_>>(),
    })
}

/// The whole report as one JSON document. The findings are written one at
/// a time (one per line), so a run with a million findings is never held
/// as one tree.
pub fn write_report_json(run: &ReportRun, mut out: impl Write) -> io::Result<()> {
    let totals = run.totals();
    let head = json!({
        "schema": REPORT_SCHEMA,
        "run_id": run.run_id,
        "period": run.period,
        "as_of": run.as_of,
        "currency": run.currency,
        "generated_at": run.generated_at,
        "totals": {
            "underbilled_per_month": money_text(totals.underbilled_per_month),
            "overbilled_per_month": money_text(totals.overbilled_per_month),
            "underbilled_per_year": money_text(totals.underbilled_per_year()),
            "overbilled_per_year": money_text(totals.overbilled_per_year()),
            "net_per_month": money_text(totals.underbilled_per_month - totals.overbilled_per_month),
            "findings": run.findings.len(),
            "by_kind": totals.by_kind,
            "by_state": totals.by_state,
        },
        "clients": totals.per_client.iter().map(|client| json!({
            "client_id": client.client_id,
            "client_name": client.client_name,
            "findings": client.findings,
            "underbilled_per_month": money_text(client.underbilled),
            "overbilled_per_month": money_text(client.overbilled),
        })).collect::<Vec<_>>(),
    });
    // The head without its closing brace, then the findings array.
    let head = serde_json::to_string_pretty(&head)?;
    let open = head.strip_suffix('}').unwrap_or(&head).trim_end();
    out.write_all(open.as_bytes())?;
    out.write_all(b",\n  \"findings\": [")?;
    for (index, finding) in run.findings.iter().enumerate() {
        out.write_all(if index == 0 { b"\n    " } else { b",\n    " })?;
        serde_json::to_writer(&mut out, &finding_value(finding))?;
    }
    out.write_all(b"\n  ]\n}\n")
}
