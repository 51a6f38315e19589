//! Turns the compact result into findings: the numbers, the evidence behind
//! them, a likely cause and a priority.

use std::ops::Range;

use hashbrown::HashMap;
use hashbrown::hash_map::Entry;
use rust_decimal::Decimal;

use super::accumulate::{CountRow, ItemRow, LooseGroup, RowClass};
use super::result::{ExceptionTarget, ItemException, Pair, PairStatus, Reconciliation};
use crate::Money;
use crate::finding::{
    ActualBasis, BilledLine, Cause, Evidence, EvidenceItem, Finding, FindingKind, ItemState,
    Priority,
};

impl<'c> Reconciliation<'c> {
    /// Every finding: first the pairs that do not match (by client, then
    /// product), then the item exceptions in `exceptions.csv` order.
    pub fn findings(&self) -> impl Iterator<Item = Finding<'_>> + '_ {
        (0..self.finding_count()).map(|index| self.finding(index))
    }

    /// Number of findings [`findings`](Self::findings) yields.
    pub fn finding_count(&self) -> usize {
        self.mismatched.len() + self.exceptions.len()
    }

    /// Finding number `index` in [`findings`](Self::findings) order, so
    /// callers can build findings in parallel.
    ///
    /// # Panics
    /// If `index >= finding_count()`.
    pub fn finding(&self, index: usize) -> Finding<'_> {
        match self.mismatched.get(index) {
            Some(&pair) => self.pair_finding(&self.pairs[pair as usize]),
            None => self.item_finding(&self.exceptions[index - self.mismatched.len()]),
        }
    }

    pub(crate) fn pair_finding(&self, pair: &Pair) -> Finding<'_> {
        let line = self.pair_line(pair);
        let kind = pair
            .status
            .finding_kind()
            .expect("pair findings are built for non-matching pairs only");
        let (client, product) = (pair.client, pair.product);
        let groups = &self.groups[self.group_range(client, product)];
        let counts = &self.counts[self.count_range(client, product)];
        // One client and product: order by state, then mapping (which fixes
        // source and SKU), status and key, comparing texts only where ids
        // are not stable across runs: the status by its rank in text order,
        // the key by its first eight bytes, then in full. Count records
        // follow the items.
        let mut ordered: Vec<(u64, u64, &str, &ItemRow)> = groups
            .iter()
            .map(|group| {
                let key = self.keys.get(client, group.key);
                let head = (group.class as u64) << 48
                    | u64::from(group.mapping) << 8
                    | u64::from(self.status_rank[group.status as usize]);
                (head, text_prefix(key), key, group)
            })
            .collect();
        ordered.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        let mut items: Vec<EvidenceItem> = Vec::with_capacity(groups.len() + counts.len());
        items.extend(
            ordered
                .into_iter()
                .map(|(_, _, key, group)| self.keyed_evidence(group, key)),
        );
        items.extend(counts.iter().map(|c| self.count_evidence(c)));
        let billing_lines = self.billing_order[range_usize(&pair.lines)]
            .iter()
            .map(|&i| {
                let line = &self.billing[i as usize];
                BilledLine {
                    line_id: &line.line_id,
                    quantity: line.quantity,
                    unit_price: line.unit_price,
                }
            })
            .collect();
        let excluded_units = |class: RowClass| -> Decimal {
            groups
                .iter()
                .filter(|g| g.class == class)
                .map(|g| self.catalog.mappings[g.mapping as usize].units)
                .sum()
        };
        // Per mapping, what its counted items and counts add up to before
        // and after its rounding (as the engine summed them); without any
        // rounding in the catalogue, the counts' plain sum.
        let (from_counts, rounding_note) = if self.catalog.has_rounding {
            let mut item_totals: Vec<(u32, Decimal)> = Vec::new();
            let mut count_totals: Vec<(u32, Decimal)> = Vec::new();
            let add_to =
                |totals: &mut Vec<(u32, Decimal)>, mapping: u32, units: Decimal| match totals
                    .iter_mut()
                    .find(|(m, _)| *m == mapping)
                {
                    Some((_, total)) => *total += units,
                    None => totals.push((mapping, units)),
                };
            for group in groups.iter().filter(|g| g.class == RowClass::Counted) {
                let units = self.catalog.mappings[group.mapping as usize].units;
                add_to(&mut item_totals, group.mapping, units);
            }
            for count in counts.iter().filter(|c| c.class == RowClass::Counted) {
                let units = self.catalog.mappings[count.mapping as usize].units;
                add_to(&mut count_totals, count.mapping, count.quantity * units);
            }
            let rounded = |totals: &[(u32, Decimal)]| -> Decimal {
                totals
                    .iter()
                    .map(|(m, total)| self.catalog.mappings[*m as usize].rounding.apply(*total))
                    .sum()
            };
            let from_counts = rounded(&count_totals);
            let rounding_note = self.rounding_note(&item_totals, &count_totals);
            (from_counts, rounding_note)
        } else {
            let from_counts: Decimal = counts
                .iter()
                .filter(|c| c.class == RowClass::Counted)
                .map(|c| c.quantity * self.catalog.mappings[c.mapping as usize].units)
                .sum();
            (from_counts, String::new())
        };
        let actual_basis = ActualBasis {
            from_items: line.in_use - from_counts,
            from_counts,
        };
        let (cause, mut explanation) = self.pair_cause(
            pair,
            line.diff,
            excluded_units(RowClass::Inactive),
            excluded_units(RowClass::Stale),
        );
        explanation.push_str(&rounding_note);
        explanation.push_str(&self.rules_note(
            pair,
            groups,
            excluded_units(RowClass::Inactive),
            excluded_units(RowClass::Stale),
            excluded_units(RowClass::Excluded),
        ));
        Finding {
            kind,
            client_id: Some(line.client_id),
            client_name: Some(line.client_name),
            product_id: Some(line.product_id),
            product_name: Some(line.product_name),
            source: None,
            key: None,
            billed: Some(line.billed),
            actual: Some(line.actual),
            in_use: Some(line.in_use),
            actual_basis: Some(actual_basis),
            unit_price: Some(line.unit_price),
            impact: line.impact,
            money_at_stake: line.impact.abs(),
            count: None,
            cause,
            explanation,
            priority: Priority::from_money(line.impact),
            evidence: Evidence {
                items,
                billing_lines,
            },
        }
    }

    /// The stale window of a (client, product): the client's override, the
    /// product's rule, or the run's setting.
    fn stale_days_for(&self, client: Option<u32>, product: Option<u32>) -> u32 {
        let client_days = client.and_then(|c| self.catalog.client_rules[c as usize].stale_days);
        let product_days = match (client, product) {
            (Some(c), Some(p)) => self.catalog.counting_for(c, p).stale_days,
            (None, Some(p)) => self.catalog.products[p as usize].counting.stale_days,
            _ => None,
        };
        client_days
            .or(product_days)
            .unwrap_or(self.params.stale_days)
    }

    /// What the rules did to a pair, when they did anything: the items a
    /// rule left out, the product's counting rules when not the defaults,
    /// and the client's included and minimum quantities.
    fn rules_note(
        &self,
        pair: &Pair,
        groups: &[ItemRow],
        inactive_units: Decimal,
        stale_units: Decimal,
        excluded_units: Decimal,
    ) -> String {
        let mut note = String::new();
        let product = &self.catalog.products[pair.product as usize];
        let counting = self.catalog.counting_for(pair.client, pair.product);
        // "42 = 44 listed - 2 not active": how the items behind the count
        // became the count.
        let left_out = inactive_units + stale_units + excluded_units;
        if !left_out.is_zero() {
            // The "listed" equation counts units before any rounding, like
            // the evidence; the rounding note says what rounding did.
            let counted_items: Decimal = groups
                .iter()
                .filter(|g| g.class == RowClass::Counted)
                .map(|g| self.catalog.mappings[g.mapping as usize].units)
                .sum();
            note.push_str(&format!(
                "; {} counted = {} listed",
                counted_items.normalize(),
                (counted_items + left_out).normalize()
            ));
            for (units, what) in [
                (inactive_units, "not active"),
                (stale_units, "stale"),
                (excluded_units, "excluded"),
            ] {
                if !units.is_zero() {
                    note.push_str(&format!(" - {} {what}", units.normalize()));
                }
            }
            // The rules are spelled out below when they are not the defaults.
            if counting.is_default() {
                let stale_days = self.stale_days_for(Some(pair.client), Some(pair.product));
                note.push_str(&format!(
                    " (rules: active only; stale after {stale_days} days)"
                ));
            }
        }
        if !excluded_units.is_zero() {
            note.push_str(&format!(
                "; {} left out by rule ({})",
                excluded_units.normalize(),
                self.exclusion_reasons(pair).join(", ")
            ));
        }
        if !product.counting.is_default() {
            note.push_str(&format!(
                "; counting rules: {}",
                product.counting.describe()
            ));
        }
        if pair.in_use != pair.actual {
            let rules = &self.catalog.client_rules[pair.client as usize];
            let included = rules.included_of(&product.id);
            let minimum = rules.minimum_of(&product.id);
            note.push_str(&format!(
                "; billable {} = {} in use",
                pair.actual.normalize(),
                pair.in_use.normalize()
            ));
            if !included.is_zero() {
                note.push_str(&format!(" - {} included", included.normalize()));
            }
            if !minimum.is_zero() {
                note.push_str(&format!(", at least {} (minimum)", minimum.normalize()));
            }
        }
        note
    }

    /// "; SAAS_SEAT: 4.2 rounded up to 5" for each mapping whose rounding
    /// changed its total.
    fn rounding_note(
        &self,
        item_totals: &[(u32, Decimal)],
        count_totals: &[(u32, Decimal)],
    ) -> String {
        let mut note = String::new();
        for (mapping, total) in item_totals.iter().chain(count_totals) {
            let resolved = &self.catalog.mappings[*mapping as usize];
            let after = resolved.rounding.apply(*total);
            if after != *total {
                let how = match resolved.rounding {
                    crate::model::Rounding::Up => "rounded up to",
                    crate::model::Rounding::Down => "rounded down to",
                    _ => "rounded to",
                };
                note.push_str(&format!(
                    "; {}: {} {how} {}",
                    resolved.sku,
                    total.normalize(),
                    after.normalize()
                ));
            }
        }
        note
    }

    /// Which rules left a pair's excluded items out, found again from the
    /// items (the rows do not carry the reason).
    fn exclusion_reasons(&self, pair: &Pair) -> Vec<&'static str> {
        let rules = &self.catalog.client_rules[pair.client as usize];
        let counting = self.catalog.counting_for(pair.client, pair.product);
        let mut reasons = Vec::new();
        let mut add = |reason: &'static str| {
            if !reasons.contains(&reason) {
                reasons.push(reason);
            }
        };
        let groups = &self.groups[self.group_range(pair.client, pair.product)];
        for group in groups.iter().filter(|g| g.class == RowClass::Excluded) {
            let mapping = &self.catalog.mappings[group.mapping as usize];
            let source = self.catalog.sources[mapping.source as usize].id.as_str();
            let key = self.keys.get(pair.client, group.key);
            if rules.internal {
                add("the MSP's own client");
            } else if rules.owns(source, &mapping.sku) {
                add("a licence the client buys itself");
            } else if counting
                .excluded_items
                .iter()
                .any(|item| item.trim().to_lowercase() == key)
            {
                add("a named exception");
            } else {
                add("a device class this product does not count");
            }
        }
        let counts = &self.counts[self.count_range(pair.client, pair.product)];
        if counts.iter().any(|c| c.class == RowClass::Excluded) {
            add(if rules.internal {
                "the MSP's own client"
            } else {
                "a licence the client buys itself"
            });
        }
        // A fixed order, whatever order the items came in.
        const ORDER: [&str; 4] = [
            "the MSP's own client",
            "a licence the client buys itself",
            "a named exception",
            "a device class this product does not count",
        ];
        reasons.sort_by_key(|reason| ORDER.iter().position(|known| known == reason));
        reasons
    }

    fn pair_cause(
        &self,
        pair: &Pair,
        diff: Decimal,
        inactive_units: Decimal,
        stale_units: Decimal,
    ) -> (Cause, String) {
        let product = &self.catalog.products[pair.product as usize];
        let (billed, actual) = (pair.billed.normalize(), pair.actual.normalize());
        // With a client's included or minimum quantities, the number
        // compared is what should be billed, not what is in use.
        let used = if pair.in_use == pair.actual {
            "in use"
        } else {
            "billable"
        };
        match pair.status {
            PairStatus::Underbilled => {
                return (
                    Cause::BillingIssue,
                    format!(
                        "{actual} {used}, {billed} billed: add {} to the agreement",
                        diff.normalize()
                    ),
                );
            }
            PairStatus::UsageNotBilled => {
                return (
                    Cause::BillingIssue,
                    format!(
                        "{actual} {used} and no billing line for {}: add one",
                        product.name
                    ),
                );
            }
            _ => {}
        }
        let feeding = &self.catalog.product_sources[pair.product as usize];
        let mapped = &self.catalog.client_sources[pair.client as usize];
        if pair.actual.is_zero() && !feeding.iter().any(|s| mapped.contains(s)) {
            let names = self.source_names(feeding);
            return (
                Cause::MappingRule,
                format!(
                    "no {names} client reference is mapped to this client, so none of its usage can be counted: map it"
                ),
            );
        }
        if !stale_units.is_zero() {
            return (
                Cause::StaleData,
                format!(
                    "{} not seen for over {} days {} not counted: remove {} from the tool if gone, or fix {} agent",
                    stale_units.normalize(),
                    self.stale_days_for(Some(pair.client), Some(pair.product)),
                    if stale_units == Decimal::ONE {
                        "is"
                    } else {
                        "are"
                    },
                    if stale_units == Decimal::ONE {
                        "it"
                    } else {
                        "them"
                    },
                    if stale_units == Decimal::ONE {
                        "its"
                    } else {
                        "their"
                    },
                ),
            );
        }
        if !inactive_units.is_zero() {
            return (
                Cause::SetupCleanup,
                format!(
                    "{} inactive (disabled or deleted) still assigned: reclaim the licences, then reduce billing",
                    inactive_units.normalize()
                ),
            );
        }
        if let Some(sku) = self.renamed_sku_for(pair) {
            return (
                Cause::MappingRule,
                format!(
                    "SKU {sku} of this client is not mapped and looks like a variant of this product's SKUs: map it"
                ),
            );
        }
        (
            Cause::BillingIssue,
            format!(
                "{billed} billed, {actual} {used}: reduce the agreement by {}",
                (-diff).normalize()
            ),
        )
    }

    /// An unmapped SKU of the pair's client, in a source that feeds the
    /// product, whose name contains one of the product's mapped SKUs (a
    /// `SPB_NCE` next to `SPB`).
    fn renamed_sku_for(&self, pair: &Pair) -> Option<&str> {
        self.unmapped_skus
            .iter()
            .filter(|entry| entry.client == pair.client)
            .find(|entry| {
                let unmapped = entry.sku.to_ascii_lowercase();
                self.catalog.mappings.iter().any(|m| {
                    m.product == pair.product
                        && m.source == entry.source
                        && unmapped.contains(&m.sku.to_ascii_lowercase())
                })
            })
            .map(|entry| &*entry.sku)
    }

    fn source_names(&self, sources: &[u32]) -> String {
        let names: Vec<&str> = sources
            .iter()
            .map(|&s| self.catalog.sources[s as usize].id.as_str())
            .collect();
        names.join(" or ")
    }

    pub(crate) fn item_finding(&self, exception: &ItemException) -> Finding<'_> {
        let line = self.exception_line(exception);
        let client = exception.client.map(|c| &self.catalog.clients[c as usize]);
        let product = exception
            .product
            .map(|p| &self.catalog.products[p as usize]);
        let mut items = match &exception.target {
            ExceptionTarget::Group(g) => {
                let group = &self.groups[*g as usize];
                let set = self.cross_client.get(&(group.client, group.key));
                match (exception.kind, set) {
                    (FindingKind::CrossClientItem, Some(&(_, set))) => self.cross_client_sets
                        [set as usize]
                        .iter()
                        .map(|&m| self.group_evidence(&self.groups[m as usize]))
                        .collect(),
                    _ => vec![self.group_evidence(group)],
                }
            }
            ExceptionTarget::UnmappedClient(i) => {
                let entry = &self.unmapped_clients[*i as usize];
                self.loose_evidence(None, &entry.source, &entry.group)
            }
            ExceptionTarget::UnmappedSku(i) => {
                let entry = &self.unmapped_skus[*i as usize];
                let source = self.catalog.sources[entry.source as usize].id.as_str();
                self.loose_evidence(Some(entry.client), source, &entry.group)
            }
        };
        sort_evidence(&mut items);
        let at_stake = self.item_money_at_stake(exception, &items);
        let stale_days = self.stale_days_for(exception.client, exception.product);
        let (cause, explanation) = item_cause(exception, &items, stale_days);
        let priority = match exception.kind {
            // A mapping gap hides every other check for that usage.
            FindingKind::UnmappedClient | FindingKind::UnmappedSku => {
                Priority::from_money(at_stake).min(Priority::Medium)
            }
            _ => Priority::from_money(at_stake),
        };
        let external_name = match &exception.target {
            ExceptionTarget::UnmappedClient(i) => self.unmapped_clients[*i as usize]
                .group
                .external_name
                .as_deref(),
            _ => None,
        };
        Finding {
            kind: exception.kind,
            client_id: client.map(|c| &c.id),
            client_name: client.map(|c| c.name.as_str()).or(external_name),
            product_id: product.map(|p| &p.id),
            product_name: product.map(|p| p.name.as_str()),
            source: line.source,
            key: Some(line.key),
            billed: None,
            actual: None,
            in_use: None,
            actual_basis: None,
            unit_price: None,
            impact: Money::ZERO,
            money_at_stake: at_stake,
            count: Some(exception.count),
            cause,
            explanation,
            priority,
            evidence: Evidence {
                items,
                billing_lines: Vec::new(),
            },
        }
    }

    /// What an item finding puts at risk each month. Duplicates and unknown
    /// SKUs have no price to go by.
    fn item_money_at_stake(&self, exception: &ItemException, items: &[EvidenceItem<'_>]) -> Money {
        match (&exception.target, exception.kind) {
            (
                ExceptionTarget::Group(g),
                FindingKind::DisabledLicensed
                | FindingKind::StaleItem
                | FindingKind::CrossClientItem,
            ) => {
                let group = &self.groups[*g as usize];
                let units = self.catalog.mappings[group.mapping as usize].units;
                self.price_of(group.client, group.product).times(units)
            }
            (ExceptionTarget::UnmappedClient(i), _) => {
                let entry = &self.unmapped_clients[*i as usize];
                let Some(source) = self.catalog.source_idx(&entry.source) else {
                    return Money::ZERO;
                };
                let skus = &self.catalog.sources[source as usize].skus;
                // Only what would be counted if the reference were mapped.
                let cutoff = self.params.stale_cutoff();
                items
                    .iter()
                    .filter(|item| {
                        item.status.eq_ignore_ascii_case("active")
                            && item.last_seen.is_none_or(|seen| seen >= cutoff)
                    })
                    .filter_map(|item| skus.get(item.sku).map(|m| (item, m)))
                    .flat_map(|(item, mappings)| mappings.iter().map(move |&m| (item, m)))
                    .map(|(item, m)| {
                        let mapping = &self.catalog.mappings[m as usize];
                        let price = self.catalog.products[mapping.product as usize]
                            .list_price
                            .unwrap_or(Money::ZERO);
                        let quantity = if item.is_count {
                            item.units
                        } else {
                            Decimal::ONE
                        };
                        price.times(quantity * mapping.units)
                    })
                    .sum()
            }
            _ => Money::ZERO,
        }
    }

    /// The pair's unit price, or the product's list price when there is no
    /// pair (all of its usage excluded and nothing billed).
    fn price_of(&self, client: u32, product: u32) -> Money {
        match self
            .pairs
            .binary_search_by_key(&(client, product), |p| (p.client, p.product))
        {
            Ok(i) => self.pairs[i].unit_price,
            Err(_) => self.catalog.products[product as usize]
                .list_price
                .unwrap_or(Money::ZERO),
        }
    }

    /// All groups of a pair, counted or not.
    fn group_range(&self, client: u32, product: u32) -> Range<usize> {
        let range = &self.client_groups[client as usize];
        let first = range.start as usize;
        let of_client = &self.groups[first..range.end as usize];
        let start = first + of_client.partition_point(|row| row.product < product);
        let end = first + of_client.partition_point(|row| row.product <= product);
        start..end
    }

    /// All count records of a pair, counted or not.
    fn count_range(&self, client: u32, product: u32) -> Range<usize> {
        let key = |row: &CountRow| (row.client, row.product);
        let target = (client, product);
        let start = self.counts.partition_point(|row| key(row) < target);
        let end = self.counts.partition_point(|row| key(row) <= target);
        start..end
    }

    fn group_evidence(&self, group: &ItemRow) -> EvidenceItem<'_> {
        self.keyed_evidence(group, self.keys.get(group.client, group.key))
    }

    /// [`group_evidence`](Self::group_evidence) with the group's key text
    /// already looked up.
    fn keyed_evidence<'s>(&'s self, group: &ItemRow, item_key: &'s str) -> EvidenceItem<'s> {
        let mapping = &self.catalog.mappings[group.mapping as usize];
        let also_listed_as = group.second_mapping().map(|second| {
            let other = &self.catalog.mappings[second as usize];
            (
                self.catalog.sources[other.source as usize].id.as_str(),
                &*other.sku,
            )
        });
        EvidenceItem {
            client_id: Some(&self.catalog.clients[group.client as usize].id),
            source: self.catalog.sources[mapping.source as usize].id.as_str(),
            sku: &mapping.sku,
            also_listed_as,
            item_key,
            state: class_state(group.class),
            status: &self.statuses[group.status as usize],
            last_seen: group.last_seen.get(),
            units: mapping.units,
            rows: group.rows,
            is_count: false,
        }
    }

    fn count_evidence(&self, count: &CountRow) -> EvidenceItem<'_> {
        let mapping = &self.catalog.mappings[count.mapping as usize];
        EvidenceItem {
            client_id: Some(&self.catalog.clients[count.client as usize].id),
            source: self.catalog.sources[mapping.source as usize].id.as_str(),
            sku: &mapping.sku,
            also_listed_as: None,
            item_key: "",
            state: class_state(count.class),
            status: &self.statuses[count.status as usize],
            last_seen: count.last_seen.get(),
            units: count.quantity * mapping.units,
            rows: 1,
            is_count: true,
        }
    }

    /// Unmapped rows as evidence, one entry per (item key, SKU) with its row
    /// count; count records stay one entry each.
    fn loose_evidence<'s>(
        &'s self,
        client: Option<u32>,
        source: &'s str,
        group: &'s LooseGroup,
    ) -> Vec<EvidenceItem<'s>> {
        let client_id = client.map(|c| &self.catalog.clients[c as usize].id);
        let mut items: Vec<EvidenceItem<'s>> = Vec::with_capacity(group.rows.len());
        // Item rows by interned (key, SKU): ids are equal when texts are.
        let mut listed: HashMap<(u32, u32), usize> = HashMap::new();
        for row in &group.rows {
            let item_key = row.key.map_or("", |k| self.keys.loose.get(k));
            let sku = self.texts.get(row.sku);
            if let (None, Some(key)) = (row.quantity, row.key) {
                match listed.entry((key, row.sku)) {
                    Entry::Occupied(at) => {
                        let existing = &mut items[*at.get()];
                        existing.rows += 1;
                        existing.last_seen = existing.last_seen.max(row.last_seen.get());
                        continue;
                    }
                    Entry::Vacant(slot) => {
                        slot.insert(items.len());
                    }
                }
            }
            items.push(EvidenceItem {
                client_id,
                source,
                sku,
                also_listed_as: None,
                item_key,
                state: ItemState::Unmapped,
                status: &self.statuses[row.status as usize],
                last_seen: row.last_seen.get(),
                units: row.quantity.unwrap_or(Decimal::ONE),
                rows: 1,
                is_count: row.quantity.is_some(),
            });
        }
        items
    }
}

fn item_cause(
    exception: &ItemException,
    items: &[EvidenceItem<'_>],
    stale_days: u32,
) -> (Cause, String) {
    let count = exception.count;
    match exception.kind {
        FindingKind::DuplicateItem => {
            let why = match items
                .first()
                .and_then(|item| item.also_listed_as.map(|also| (item, also)))
            {
                Some((item, (source, _))) if source != item.source => {
                    format!("in two feeds ({} and {source})", item.source)
                }
                Some((item, (_, sku))) => format!("under two SKUs ({} and {sku})", item.sku),
                None => "with different letter case or spaces, or repeated".to_string(),
            };
            (
                Cause::SetupCleanup,
                format!("listed {count} times, {why}: counted once; clean up the source"),
            )
        }
        FindingKind::CrossClientItem => (
            Cause::SetupCleanup,
            format!(
                "counted under {count} clients: move it to the right client or remove the stale record"
            ),
        ),
        FindingKind::DisabledLicensed => (
            Cause::SetupCleanup,
            "not active but still assigned: remove the licence or agent to stop paying for it"
                .to_string(),
        ),
        FindingKind::StaleItem => (
            Cause::StaleData,
            format!("not seen for over {stale_days} days: not counted; remove it or fix its agent"),
        ),
        FindingKind::UnmappedClient => (
            Cause::MappingRule,
            format!(
                "{} from a client reference no mapping knows: map it to a PSA client",
                plural(count, "row")
            ),
        ),
        FindingKind::UnmappedSku => (
            Cause::MappingRule,
            format!(
                "{} of a SKU no product mapping knows: map it to a PSA product",
                plural(count, "row")
            ),
        ),
        _ => (Cause::BillingIssue, String::new()),
    }
}

fn plural(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

fn class_state(class: RowClass) -> ItemState {
    match class {
        RowClass::Counted => ItemState::Counted,
        RowClass::Inactive => ItemState::Inactive,
        RowClass::Stale => ItemState::Stale,
        RowClass::Excluded => ItemState::Excluded,
    }
}

/// Evidence order: counted first, then excluded; within that by client,
/// source, SKU and status (so equal ones sit together), then item key.
fn sort_evidence(items: &mut [EvidenceItem<'_>]) {
    // Items differ at least in key, source or SKU, so unstable is exact.
    items.sort_unstable_by(|a, b| {
        (
            a.state,
            &a.client_id,
            &a.source,
            &a.sku,
            &a.status,
            a.is_count,
            &a.item_key,
        )
            .cmp(&(
                b.state,
                &b.client_id,
                &b.source,
                &b.sku,
                &b.status,
                b.is_count,
                &b.item_key,
            ))
    });
}

/// The first eight bytes of `text`, zero-padded, as a number that orders
/// like the text.
fn text_prefix(text: &str) -> u64 {
    let mut prefix = [0u8; 8];
    let bytes = &text.as_bytes()[..text.len().min(8)];
    prefix[..bytes.len()].copy_from_slice(bytes);
    u64::from_be_bytes(prefix)
}

fn range_usize(range: &Range<u32>) -> Range<usize> {
    range.start as usize..range.end as usize
}

#[cfg(test)]
mod tests {
    use super::text_prefix;

    #[test]
    fn text_prefix_orders_like_the_text() {
        let texts = [
            "",
            "a",
            "ab",
            "ab\0",
            "ab\u{1}",
            "abcdefgh",
            "abcdefghi",
            "b",
            "é",
            "zz",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(
                    (text_prefix(a), a).cmp(&(text_prefix(b), b)),
                    a.cmp(b),
                    "{a:?} {b:?}"
                );
            }
        }
    }
}
