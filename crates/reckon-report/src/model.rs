//! The report model every export reads: a run's findings with their review
//! state, as plain data. A live reconciliation and a stored run both reach
//! it through the findings' JSON (the object findings.json holds for each),
//! so every format sees the same numbers.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;

/// One item behind a finding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvidenceRow {
    pub client_id: String,
    pub source: String,
    pub sku: String,
    pub sku_name: String,
    /// counted, inactive, stale, excluded, unmapped.
    pub state: String,
    pub status: String,
    /// item or count.
    pub basis: String,
    pub item_key: String,
    pub last_seen: String,
    pub units: Decimal,
    pub rows: u64,
}

/// A PSA line behind a pair finding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BilledRow {
    pub line_id: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
}

/// A PSA billing line the run read, with what adjustments need to name it
/// in the PSA (from billing.csv's optional columns; empty when absent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInfo {
    pub line_id: String,
    pub client_id: String,
    pub client_name: String,
    pub product_id: String,
    pub product_name: String,
    /// What is billed this period (after included quantities).
    pub quantity: Decimal,
    pub unit_price: Decimal,
    /// The agreement, contract or recurring invoice: its name and its id.
    pub agreement: String,
    pub agreement_id: String,
    /// Quantity included at no charge (ConnectWise `lessIncluded`): the
    /// PSA's own quantity field is `quantity + included`.
    pub included: Decimal,
    pub description: String,
    /// The source profile that read the line (`connectwise`, `autotask`,
    /// `halopsa`, ...), or empty for a hand-made billing.csv.
    pub profile: String,
}

/// One suggested mapping (unmapped findings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SuggestionRow {
    pub id: String,
    pub name: String,
    pub score: u8,
    pub reason: String,
}

/// A finding as reports show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFinding {
    /// The short id `reckon findings` shows (empty for a live run).
    pub id: String,
    pub kind: String,
    pub client_id: String,
    pub client_name: String,
    pub product_id: String,
    pub product_name: String,
    pub source: String,
    pub key: String,
    pub billed: Option<Decimal>,
    pub actual: Option<Decimal>,
    pub diff: Option<Decimal>,
    pub unit_price: Option<Decimal>,
    pub impact: Decimal,
    pub money_at_stake: Decimal,
    pub count: Option<u64>,
    pub cause: String,
    pub priority: String,
    pub explanation: String,
    /// Review state (open when never reviewed).
    pub state: String,
    pub assignee: String,
    /// The latest note, if any.
    pub note: String,
    /// A reviewer marked it for a change in the PSA.
    pub for_action: bool,
    pub sku_name: String,
    pub suggestions: Vec<SuggestionRow>,
    pub evidence: Vec<EvidenceRow>,
    pub billing_lines: Vec<BilledRow>,
}

impl ReportFinding {
    /// Pair findings compare billed with actual for a client and product.
    pub fn is_pair(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "underbilled" | "overbilled" | "billed_no_usage" | "usage_not_billed"
        )
    }

    pub fn is_mapping_issue(&self) -> bool {
        matches!(self.kind.as_str(), "unmapped_client" | "unmapped_sku")
    }
}

/// A run as reports show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportRun {
    /// Stored run id; `None` for a stateless run.
    pub run_id: Option<i64>,
    /// `YYYY-MM`, or empty.
    pub period: String,
    pub as_of: String,
    /// The PSA's currency code (ISO 4217), for formats that show one.
    pub currency: String,
    /// When the report was made (RFC 3339), given by the caller.
    pub generated_at: String,
    pub findings: Vec<ReportFinding>,
    /// Every billing line the run read.
    pub lines: Vec<LineInfo>,
}

/// Money and counts per client, for summaries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientTotals {
    pub client_id: String,
    pub client_name: String,
    pub underbilled: Decimal,
    pub overbilled: Decimal,
    pub findings: u64,
}

/// The totals every format shows, computed once so they agree to the cent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Sum of positive impacts (revenue not billed) per month.
    pub underbilled_per_month: Decimal,
    /// Sum of negative impacts, as a positive amount, per month.
    pub overbilled_per_month: Decimal,
    pub by_kind: BTreeMap<String, u64>,
    pub by_state: BTreeMap<String, u64>,
    /// By PSA client id (findings with no client, unmapped client
    /// references, are in the totals but in no client's row).
    pub per_client: Vec<ClientTotals>,
}

impl Totals {
    pub fn underbilled_per_year(&self) -> Decimal {
        per_year(self.underbilled_per_month)
    }

    pub fn overbilled_per_year(&self) -> Decimal {
        per_year(self.overbilled_per_month)
    }
}

/// A monthly amount over twelve months. Saturates instead of overflowing:
/// no real amount comes near `Decimal::MAX`, and a report must not panic.
pub fn per_year(monthly: Decimal) -> Decimal {
    monthly.saturating_mul(Decimal::from(12))
}

impl ReportRun {
    /// Only one client's findings and lines, by PSA client id or (case-blind)
    /// name; `None` when no finding or line names it.
    pub fn for_client(&self, client: &str) -> Option<ReportRun> {
        let wanted = client.trim().to_lowercase();
        let named =
            |id: &str, name: &str| id.to_lowercase() == wanted || name.to_lowercase() == wanted;
        // A name picks out the PSA client id it belongs to, so findings that
        // carry only the id (none today, but evidence does) still come along.
        let client_id = self
            .findings
            .iter()
            .filter(|f| !f.client_id.is_empty())
            .map(|f| (&f.client_id, &f.client_name))
            .chain(self.lines.iter().map(|l| (&l.client_id, &l.client_name)))
            .find(|(id, name)| named(id, name))
            .map(|(id, _)| id.clone());
        let belongs = |id: &str, name: &str| match &client_id {
            Some(client_id) => id == client_id,
            None => named(id, name),
        };
        let mut findings: Vec<ReportFinding> = self
            .findings
            .iter()
            .filter(|f| belongs(&f.client_id, &f.client_name))
            .cloned()
            .collect();
        // A statement goes to the client: evidence rows of another client
        // (the other side of a device listed under two clients) stay out.
        if let Some(client_id) = &client_id {
            for finding in &mut findings {
                finding
                    .evidence
                    .retain(|item| item.client_id.is_empty() || item.client_id == *client_id);
            }
        }
        let lines: Vec<LineInfo> = self
            .lines
            .iter()
            .filter(|l| belongs(&l.client_id, &l.client_name))
            .cloned()
            .collect();
        if findings.is_empty() && lines.is_empty() {
            return None;
        }
        Some(ReportRun {
            findings,
            lines,
            ..self.clone()
        })
    }

    /// Largest money first (monthly impact or money at stake), then by
    /// client, kind, product and key: the order every format lists
    /// findings in, whether the run is stored or live.
    pub fn sort_by_money(&mut self) {
        self.findings.sort_by(|a, b| {
            let money = |f: &ReportFinding| f.impact.abs().max(f.money_at_stake);
            money(b)
                .cmp(&money(a))
                .then_with(|| a.client_name.cmp(&b.client_name))
                .then_with(|| a.kind.cmp(&b.kind))
                .then_with(|| a.product_id.cmp(&b.product_id))
                .then_with(|| a.source.cmp(&b.source))
                .then_with(|| a.key.cmp(&b.key))
        });
    }

    /// The PSA clients (id, name) whose id or name is `client`
    /// (case-blind): more than one means the name is ambiguous.
    pub fn clients_matching(&self, client: &str) -> Vec<(String, String)> {
        let wanted = client.trim().to_lowercase();
        let mut matching: Vec<(String, String)> = self
            .findings
            .iter()
            .map(|f| (&f.client_id, &f.client_name))
            .chain(self.lines.iter().map(|l| (&l.client_id, &l.client_name)))
            .filter(|(id, name)| {
                !id.is_empty() && (id.to_lowercase() == wanted || name.to_lowercase() == wanted)
            })
            .map(|(id, name)| (id.clone(), name.clone()))
            .collect();
        matching.sort();
        matching.dedup_by(|a, b| a.0 == b.0);
        matching
    }

    /// When proposed PSA changes take effect by default: the first day of
    /// the month after the run's period (a live run, with no period: after
    /// its as-of instant's month).
    pub fn default_effective_date(&self) -> Result<String, ModelError> {
        let month_start = if self.period.is_empty() {
            let as_of: jiff::Timestamp = self
                .as_of
                .parse()
                .map_err(|e| ModelError(format!("the run's as-of {}: {e}", self.as_of)))?;
            as_of
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date()
                .first_of_month()
        } else {
            jiff::civil::Date::strptime("%Y-%m-%d", format!("{}-01", self.period))
                .map_err(|e| ModelError(format!("period {}: {e}", self.period)))?
        };
        month_start
            .checked_add(jiff::Span::new().months(1))
            .map(|day| day.to_string())
            .map_err(|e| ModelError(format!("period {}: {e}", self.period)))
    }

    /// The client names a report could be asked for, sorted.
    pub fn client_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .findings
            .iter()
            .map(|f| f.client_name.clone())
            .chain(self.lines.iter().map(|l| l.client_name.clone()))
            .filter(|name| !name.is_empty())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        let mut clients: BTreeMap<String, ClientTotals> = BTreeMap::new();
        for finding in &self.findings {
            *totals.by_kind.entry(finding.kind.clone()).or_insert(0) += 1;
            *totals.by_state.entry(finding.state.clone()).or_insert(0) += 1;
            if finding.impact > Decimal::ZERO {
                totals.underbilled_per_month += finding.impact;
            } else if finding.impact < Decimal::ZERO {
                totals.overbilled_per_month -= finding.impact;
            }
            // An unmapped client reference belongs to no PSA client: it is a
            // mapping issue, not a row of the per-client table (several such
            // references would otherwise merge into one "client").
            if finding.client_id.is_empty() {
                continue;
            }
            let client = clients
                .entry(finding.client_id.clone())
                .or_insert_with(|| ClientTotals {
                    client_id: finding.client_id.clone(),
                    client_name: finding.client_name.clone(),
                    ..ClientTotals::default()
                });
            client.findings += 1;
            if finding.impact > Decimal::ZERO {
                client.underbilled += finding.impact;
            } else if finding.impact < Decimal::ZERO {
                client.overbilled -= finding.impact;
            }
        }
        totals.per_client = clients.into_values().collect();
        totals
    }
}

/// Money as every format writes it: exactly two decimals, rounded half
/// away from zero (`88.00`, `-4.50`).
pub fn money_text(value: Decimal) -> String {
    let rounded =
        value.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    format!("{rounded:.2}")
}

/// A quantity without trailing zeros (`38`, `1.5`).
pub fn quantity_text(value: Decimal) -> String {
    value.normalize().to_string()
}

/// Why a finding's JSON could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a stored finding cannot be read: {0}")]
pub struct ModelError(pub String);

fn text(value: &Value, field: &str) -> String {
    match value.get(field) {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    }
}

fn decimal(value: &Value, field: &str) -> Result<Option<Decimal>, ModelError> {
    match value.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.is_empty() => Ok(None),
        Some(Value::String(text)) => Decimal::from_str(text)
            .map(Some)
            .map_err(|_| ModelError(format!("{field} is not a decimal: {text}"))),
        Some(Value::Number(number)) => Decimal::from_str(&number.to_string())
            .map(Some)
            .map_err(|_| ModelError(format!("{field} is not a decimal: {number}"))),
        Some(other) => Err(ModelError(format!("{field} is not a decimal: {other}"))),
    }
}

impl ReportRun {
    /// Reads a whole findings.json document (as `reckon run` writes it):
    /// its as-of time and every finding. Lines and review state are not in
    /// it; the caller adds them.
    pub fn from_findings_json(json: &str) -> Result<ReportRun, ModelError> {
        let document: Value =
            serde_json::from_str(json).map_err(|error| ModelError(error.to_string()))?;
        let findings = document
            .get("findings")
            .and_then(Value::as_array)
            .ok_or_else(|| ModelError("no findings array".to_string()))?
            .iter()
            .map(ReportFinding::from_value)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ReportRun {
            as_of: text(&document, "as_of"),
            findings,
            ..ReportRun::default()
        })
    }
}

impl ReportFinding {
    /// Reads one finding object of findings.json.
    pub fn from_json(json: &str) -> Result<ReportFinding, ModelError> {
        let value: Value =
            serde_json::from_str(json).map_err(|error| ModelError(error.to_string()))?;
        ReportFinding::from_value(&value)
    }

    fn from_value(value: &Value) -> Result<ReportFinding, ModelError> {
        let mut evidence = Vec::new();
        if let Some(groups) = value
            .get("evidence")
            .and_then(|e| e.get("groups"))
            .and_then(Value::as_array)
        {
            for group in groups {
                for item in group
                    .get("items")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let cell = |i: usize| item.get(i).cloned().unwrap_or(Value::Null);
                    let units = match cell(2) {
                        Value::String(text) => Decimal::from_str(&text).unwrap_or_default(),
                        Value::Number(number) => {
                            Decimal::from_str(&number.to_string()).unwrap_or_default()
                        }
                        _ => Decimal::ZERO,
                    };
                    evidence.push(EvidenceRow {
                        client_id: text(group, "client_id"),
                        source: text(group, "source"),
                        sku: text(group, "sku"),
                        sku_name: text(group, "sku_name"),
                        state: text(group, "state"),
                        status: text(group, "status"),
                        basis: text(group, "basis"),
                        item_key: cell(0).as_str().unwrap_or("").to_string(),
                        last_seen: cell(1).as_str().unwrap_or("").to_string(),
                        units,
                        rows: cell(3).as_u64().unwrap_or(0),
                    });
                }
            }
        }
        let mut billing_lines = Vec::new();
        for line in value
            .get("evidence")
            .and_then(|e| e.get("billing_lines"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            billing_lines.push(BilledRow {
                line_id: text(line, "line_id"),
                quantity: decimal(line, "quantity")?.unwrap_or_default(),
                unit_price: decimal(line, "unit_price")?.unwrap_or_default(),
            });
        }
        let suggestions = value
            .get("suggestions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|s| SuggestionRow {
                id: text(s, "id"),
                name: text(s, "name"),
                score: s.get("score").and_then(Value::as_u64).unwrap_or(0) as u8,
                reason: text(s, "reason"),
            })
            .collect();
        Ok(ReportFinding {
            id: String::new(),
            kind: text(value, "kind"),
            client_id: text(value, "client_id"),
            client_name: text(value, "client_name"),
            product_id: text(value, "product_id"),
            product_name: text(value, "product_name"),
            source: text(value, "source"),
            key: text(value, "key"),
            billed: decimal(value, "billed")?,
            actual: decimal(value, "actual")?,
            diff: decimal(value, "diff")?,
            unit_price: decimal(value, "unit_price")?,
            impact: decimal(value, "impact")?.unwrap_or_default(),
            money_at_stake: decimal(value, "money_at_stake")?.unwrap_or_default(),
            count: value.get("count").and_then(Value::as_u64),
            cause: text(value, "cause"),
            priority: text(value, "priority"),
            explanation: text(value, "explanation"),
            state: "open".to_string(),
            assignee: String::new(),
            note: String::new(),
            for_action: false,
            sku_name: text(value, "sku_name"),
            suggestions,
            evidence,
            billing_lines,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FINDING: &str = r#"{"kind":"underbilled","client_id":"C1","client_name":"Contoso","product_id":"M365-BP","product_name":"Microsoft 365 Business Premium","source":null,"key":null,"billed":"38","actual":"42","in_use":"42","actual_basis":{"kind":"items","from_items":"42","from_counts":"0"},"diff":"4","unit_price":"22.00","impact":"88.00","money_at_stake":"88.00","count":null,"cause":"billing_issue","explanation":"42 in use, 38 billed","priority":"high","evidence":{"groups":[{"client_id":"C1","source":"m365","sku":"SPB","sku_name":"Microsoft 365 Business Premium","state":"counted","status":"active","basis":"item","items":[["ann@c.com","2026-10-30T08:00:00Z","1",1],["bob@c.com",null,"1",2]]}],"billing_lines":[{"line_id":"L1","quantity":"38","unit_price":"22.00"}]}}"#;

    #[test]
    fn a_finding_reads_from_its_json() {
        let finding = ReportFinding::from_json(FINDING).unwrap();
        assert_eq!(finding.impact, Decimal::new(8800, 2));
        assert_eq!(finding.billed, Some(Decimal::from(38)));
        assert_eq!(finding.evidence.len(), 2);
        assert_eq!(finding.evidence[1].rows, 2);
        assert_eq!(
            finding.evidence[0].sku_name,
            "Microsoft 365 Business Premium"
        );
        assert_eq!(finding.billing_lines[0].line_id, "L1");
        assert!(finding.is_pair());
    }

    #[test]
    fn money_has_two_decimals_and_rounds_half_away_from_zero() {
        assert_eq!(money_text(Decimal::new(88, 0)), "88.00");
        assert_eq!(money_text(Decimal::new(-45, 1)), "-4.50");
        assert_eq!(money_text(Decimal::new(12345, 3)), "12.35");
        assert_eq!(money_text(Decimal::new(-12345, 3)), "-12.35");
        assert_eq!(quantity_text(Decimal::new(3800, 2)), "38");
    }

    #[test]
    fn totals_agree_with_the_findings() {
        let under = ReportFinding::from_json(FINDING).unwrap();
        let over = ReportFinding {
            impact: Decimal::new(-4500, 2),
            client_id: "C2".to_string(),
            client_name: "Northwind".to_string(),
            kind: "overbilled".to_string(),
            state: "acknowledged".to_string(),
            ..under.clone()
        };
        let run = ReportRun {
            findings: vec![under, over],
            ..ReportRun::default()
        };
        let totals = run.totals();
        assert_eq!(totals.underbilled_per_month, Decimal::new(8800, 2));
        assert_eq!(totals.overbilled_per_month, Decimal::new(4500, 2));
        assert_eq!(totals.underbilled_per_year(), Decimal::new(105600, 2));
        assert_eq!(totals.per_client.len(), 2);
        assert_eq!(run.for_client("c2").unwrap().findings.len(), 1);
        assert_eq!(
            run.for_client("CONTOSO").unwrap().findings[0].client_id,
            "C1"
        );
        assert!(run.for_client("Fabrikam").is_none());
    }
}
