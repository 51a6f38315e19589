//! What changed between two runs: findings that are new, that recurred
//! unchanged, that changed (and by how much), and that disappeared. Pure:
//! it compares two lists of stored findings by fingerprint.

use std::collections::BTreeMap;

use crate::records::StoredFinding;

/// A finding in both runs whose numbers moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub before: StoredFinding,
    pub after: StoredFinding,
}

/// The comparison of a run with an earlier one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunDiff {
    pub new: Vec<StoredFinding>,
    pub recurred: Vec<StoredFinding>,
    pub changed: Vec<Changed>,
    pub disappeared: Vec<StoredFinding>,
}

/// Compares `after` with `before`, in fingerprint order.
pub fn compare(before: &[StoredFinding], after: &[StoredFinding]) -> RunDiff {
    let earlier: BTreeMap<&str, &StoredFinding> =
        before.iter().map(|f| (f.fingerprint.as_str(), f)).collect();
    let later: BTreeMap<&str, &StoredFinding> =
        after.iter().map(|f| (f.fingerprint.as_str(), f)).collect();
    let mut diff = RunDiff::default();
    for (fingerprint, finding) in &later {
        match earlier.get(fingerprint) {
            None => diff.new.push((*finding).clone()),
            Some(old)
                if old.billed == finding.billed
                    && old.actual == finding.actual
                    && old.impact == finding.impact
                    && old.money_at_stake == finding.money_at_stake =>
            {
                diff.recurred.push((*finding).clone());
            }
            Some(old) => diff.changed.push(Changed {
                before: (*old).clone(),
                after: (*finding).clone(),
            }),
        }
    }
    for (fingerprint, finding) in &earlier {
        if !later.contains_key(fingerprint) {
            diff.disappeared.push((*finding).clone());
        }
    }
    diff
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(key: &str, impact: &str) -> StoredFinding {
        StoredFinding {
            fingerprint: StoredFinding::fingerprint_of("underbilled", "C1", key, "", ""),
            kind: "underbilled".to_string(),
            client_id: "C1".to_string(),
            product_id: key.to_string(),
            source: String::new(),
            item_key: String::new(),
            billed: "38".to_string(),
            actual: "42".to_string(),
            impact: impact.to_string(),
            money_at_stake: impact.trim_start_matches('-').to_string(),
            cause: "billing_issue".to_string(),
            priority: "high".to_string(),
            explanation: String::new(),
            detail: String::new(),
        }
    }

    #[test]
    fn new_recurred_changed_and_disappeared() {
        let before = [
            finding("A", "88.00"),
            finding("B", "10.00"),
            finding("C", "5.00"),
        ];
        let after = [
            finding("A", "88.00"),
            finding("B", "20.00"),
            finding("D", "1.00"),
        ];
        let diff = compare(&before, &after);
        assert_eq!(diff.new.len(), 1);
        assert_eq!(diff.new[0].product_id, "D");
        assert_eq!(diff.recurred.len(), 1);
        assert_eq!(diff.changed.len(), 1);
        assert_eq!(diff.changed[0].after.impact, "20.00");
        assert_eq!(diff.disappeared[0].product_id, "C");
    }
}
