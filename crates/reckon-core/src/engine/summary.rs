//! Headline numbers of a reconciliation, for the terminal and dashboards.

use std::cmp::Reverse;

use super::result::{PairStatus, Reconciliation};
use crate::Money;
use crate::finding::{Finding, FindingKind};

/// How many findings of one kind a run has, and the money they move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindCount {
    pub kind: FindingKind,
    pub count: u64,
    /// Sum of impacts (pair kinds) or of money at stake (item kinds).
    pub money: Money,
}

/// The totals a finance reviewer reads first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary<'r> {
    pub pairs: u64,
    pub matched: u64,
    /// Revenue not billed each month (sum of positive impacts).
    pub underbilled_per_month: Money,
    /// Over-billing each month (sum of negative impacts, as a positive amount).
    pub overbilled_per_month: Money,
    /// Every kind, in [`FindingKind::ALL`] order, including those with none.
    pub by_kind: Vec<KindCount>,
    /// The largest findings by money, largest first.
    pub top: Vec<Finding<'r>>,
}

impl Summary<'_> {
    pub fn underbilled_per_year(&self) -> Money {
        self.underbilled_per_month.times(12.into())
    }

    pub fn overbilled_per_year(&self) -> Money {
        self.overbilled_per_month.times(12.into())
    }
}

impl Reconciliation<'_> {
    /// Totals, counts per kind and the `top` largest findings by money.
    pub fn summary(&self, top: usize) -> Summary<'_> {
        let mut under = Money::ZERO;
        let mut over = Money::ZERO;
        let mut matched = 0;
        let mut by_kind: Vec<KindCount> = FindingKind::ALL
            .iter()
            .map(|&kind| KindCount {
                kind,
                count: 0,
                money: Money::ZERO,
            })
            .collect();
        let slot = |kind: FindingKind| {
            FindingKind::ALL
                .iter()
                .position(|&k| k == kind)
                .expect("ALL lists every kind")
        };
        let mut ranked: Vec<(Money, usize)> = Vec::new();
        for (index, pair) in self.pairs.iter().enumerate() {
            let Some(kind) = pair.status.finding_kind() else {
                matched += 1;
                continue;
            };
            let impact = pair.unit_price.times(pair.actual - pair.billed);
            if impact.is_positive() {
                under += impact;
            } else {
                over += impact.abs();
            }
            let entry = &mut by_kind[slot(kind)];
            entry.count += 1;
            entry.money += impact;
            ranked.push((impact.abs(), index));
        }
        debug_assert!(
            self.pairs
                .iter()
                .all(|p| p.status != PairStatus::Match || p.actual == p.billed)
        );
        for exception in &self.exceptions {
            by_kind[slot(exception.kind)].count += 1;
        }
        // Largest first; equal amounts in pair (client, product) order. Only
        // the first `top` are put in order.
        let order = |&(money, index): &(Money, usize)| (Reverse(money), index);
        if top < ranked.len() {
            if top > 0 {
                ranked.select_nth_unstable_by_key(top - 1, order);
            }
            ranked.truncate(top);
        }
        ranked.sort_unstable_by_key(order);
        let top = ranked
            .iter()
            .map(|&(_, index)| self.pair_finding(&self.pairs[index]))
            .collect();
        Summary {
            pairs: self.pairs.len() as u64,
            matched,
            underbilled_per_month: under,
            overbilled_per_month: over,
            by_kind,
            top,
        }
    }
}
