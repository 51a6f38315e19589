use std::io::Write;

use anyhow::Result;
use reckon_core::mapping::{
    AUTO_MAP_THRESHOLD, ClientMatcher, ClientSuggestion, ExternalClient, KnownMapping,
    ProductMatcher, PsaClient, PsaProduct, Rejection,
};
use reckon_sources::canonical::{
    self,
    mapping_file::{ClientEntry, MappingFile, ProductEntry},
    references::ClientRefRow,
};
use serde_json::json;

use crate::cli::{
    AutoArgs, DecideArgs, MapArgs, MapCommand, MapExportArgs, MapImportArgs, SuggestArgs,
};
use crate::error::UserError;
use crate::mapping_files::{EditableCsv, MappingInputs, say};

/// The columns a new `client_map.csv` / `product_map.csv` starts with.
const CLIENT_MAP_COLUMNS: [&str; 4] =
    ["source", "external_client_id", "client_id", "external_name"];
const PRODUCT_MAP_COLUMNS: [&str; 4] = ["source", "sku", "product_id", "units"];

/// `reckon map suggest|accept|reject|auto`.
pub fn run(args: &MapArgs) -> Result<()> {
    match &args.command {
        MapCommand::Suggest(args) => suggest(args),
        MapCommand::Accept(args) => decide(args, true),
        MapCommand::Reject(args) => decide(args, false),
        MapCommand::Auto(args) => auto(args),
        MapCommand::Export(args) => export(args),
        MapCommand::Import(args) => import(args),
    }
}

/// The data set's mappings and rules as one file: the CSV mappings and
/// whatever mapping.toml already holds.
fn export(args: &MapExportArgs) -> Result<()> {
    let dir = &args.data;
    let name = |file: &str| dir.join(file).display().to_string();
    let mut file = match std::fs::File::open(dir.join(canonical::MAPPING_FILE)) {
        Ok(reader) => MappingFile::read(reader, &name(canonical::MAPPING_FILE))?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => MappingFile::default(),
        Err(error) => return Err(error.into()),
    };
    if let Ok(reader) = std::fs::File::open(dir.join(canonical::CLIENT_MAP)) {
        let mut table = csv::Reader::from_reader(reader);
        let headers = table.headers()?.clone();
        let at = |column: &str| headers.iter().position(|h| h.trim() == column);
        let (source, reference, client) = (at("source"), at("external_client_id"), at("client_id"));
        let (name_at, domain_at) = (at("external_name"), at("domain"));
        for record in table.records() {
            let record = record?;
            let get = |at: Option<usize>| {
                at.and_then(|i| record.get(i))
                    .unwrap_or("")
                    .trim()
                    .to_string()
            };
            let entry = ClientEntry {
                source: get(source),
                reference: get(reference),
                client: get(client),
                name: get(name_at),
                domain: get(domain_at).trim_start_matches('@').to_string(),
            };
            if !file.clients.contains(&entry) {
                file.clients.push(entry);
            }
        }
    }
    if let Ok(reader) = std::fs::File::open(dir.join(canonical::PRODUCT_MAP)) {
        let mut table = csv::Reader::from_reader(reader);
        let headers = table.headers()?.clone();
        let at = |column: &str| headers.iter().position(|h| h.trim() == column);
        let (source, sku, product, units, rounding) = (
            at("source"),
            at("sku"),
            at("product_id"),
            at("units"),
            at("rounding"),
        );
        for record in table.records() {
            let record = record?;
            let get = |at: Option<usize>| {
                at.and_then(|i| record.get(i))
                    .unwrap_or("")
                    .trim()
                    .to_string()
            };
            let units_text = get(units);
            let entry = ProductEntry {
                source: get(source),
                sku: get(sku),
                product: get(product),
                units: if units_text.is_empty() {
                    rust_decimal::Decimal::ONE
                } else {
                    reckon_sources::parse_decimal(&units_text).ok_or_else(|| {
                        UserError(format!(
                            "{}: units \"{units_text}\" is not a number",
                            name(canonical::PRODUCT_MAP)
                        ))
                    })?
                },
                rounding: get(rounding),
            };
            if !file.products.contains(&entry) {
                file.products.push(entry);
            }
        }
    }
    // Check the result reads back before handing it out.
    let text = file.to_toml();
    MappingFile::parse(&text, "the exported mapping")?;
    match &args.out {
        Some(path) => {
            let temp = path.with_extension("toml.partial");
            std::fs::write(&temp, &text)
                .and_then(|()| std::fs::rename(&temp, path))
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            say(&format!(
                "Wrote {} client and {} product mappings, {} counting and {} client rule sets to {}",
                file.clients.len(),
                file.products.len(),
                file.counting.len(),
                file.client_rules.len(),
                path.display()
            ))?;
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// Takes a mapping file in as the data set's mapping.toml, after checking
/// it against the CSV mappings beside it.
fn import(args: &MapImportArgs) -> Result<()> {
    let shown = args.file.display().to_string();
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| UserError(format!("{shown}: cannot be read: {e}")))?;
    let file = MappingFile::parse(&text, &shown)?;
    let mut builder = reckon_core::Catalog::builder();
    let path = |csv_name: &str| args.data.join(csv_name);
    if let Ok(reader) = std::fs::File::open(path(canonical::CLIENT_MAP)) {
        let shown = path(canonical::CLIENT_MAP).display().to_string();
        canonical::read_client_map(reader, &shown, &mut builder)?;
    }
    if let Ok(reader) = std::fs::File::open(path(canonical::PRODUCT_MAP)) {
        let shown = path(canonical::PRODUCT_MAP).display().to_string();
        canonical::read_product_map(reader, &shown, &mut builder)?;
    }
    file.apply(&shown, &mut builder)?;
    let target = args.data.join(canonical::MAPPING_FILE);
    let temp = args.data.join(".mapping.toml.partial");
    std::fs::write(&temp, &text)?;
    std::fs::rename(&temp, &target)?;
    say(&format!(
        "{} is now {} ({} client and {} product mappings, {} counting and {} client rule sets)",
        shown,
        target.display(),
        file.clients.len(),
        file.products.len(),
        file.counting.len(),
        file.client_rules.len()
    ))?;
    Ok(())
}

/// The core matcher's view of the data set, owned.
struct MatcherInputs {
    psa: Vec<PsaClient>,
    known: Vec<KnownMapping>,
    rejected: Vec<Rejection>,
}

impl MatcherInputs {
    fn new(inputs: &MappingInputs) -> MatcherInputs {
        MatcherInputs {
            psa: inputs
                .psa_clients
                .iter()
                .map(|c| PsaClient {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    domains: c.domains.clone(),
                })
                .collect(),
            known: inputs
                .client_map
                .iter()
                .map(|d| KnownMapping {
                    source: d.source.clone(),
                    external_id: d.external_id.clone(),
                    client_id: d.target.clone(),
                })
                .collect(),
            rejected: inputs
                .client_rejections
                .iter()
                .map(|d| Rejection {
                    source: d.source.clone(),
                    external_id: d.external_id.clone(),
                    client_id: d.target.clone(),
                })
                .collect(),
        }
    }

    fn matcher(&self) -> ClientMatcher<'_> {
        ClientMatcher::new(&self.psa, &self.known, &self.rejected)
    }
}

fn external(reference: &ClientRefRow) -> ExternalClient {
    ExternalClient {
        source: reference.source.clone(),
        id: reference.id.clone(),
        name: reference.name.clone(),
        domains: reference.domains.clone(),
        psa_client_id: (!reference.psa_client_id.is_empty())
            .then(|| reference.psa_client_id.clone()),
    }
}

fn suggest_for(
    matcher: &ClientMatcher<'_>,
    reference: &ClientRefRow,
    limit: usize,
) -> Vec<ClientSuggestion> {
    matcher.suggest(&external(reference), limit)
}

fn suggest(args: &SuggestArgs) -> Result<()> {
    let inputs = MappingInputs::load(&args.data)?;
    if args.products {
        return suggest_products_for(&inputs, args);
    }
    let matcher_inputs = MatcherInputs::new(&inputs);
    let matcher = matcher_inputs.matcher();
    let unmapped: Vec<_> = inputs
        .client_refs
        .iter()
        .filter(|r| inputs.client_mapping(&r.source, &r.id).is_none())
        .collect();
    if args.json {
        let mut entries = Vec::new();
        for reference in &unmapped {
            let suggestions = suggest_for(&matcher, reference, args.limit);
            if suggestions.is_empty() {
                entries.push(json!({
                    "source": reference.source, "external_client_id": reference.id,
                    "external_name": reference.name, "rows": reference.rows,
                    "client_id": null, "client_name": null, "score": null, "reason": null,
                }));
            }
            for suggestion in suggestions {
                entries.push(json!({
                    "source": reference.source, "external_client_id": reference.id,
                    "external_name": reference.name, "rows": reference.rows,
                    "client_id": suggestion.client_id, "client_name": suggestion.client_name,
                    "score": suggestion.score, "reason": suggestion.reason.to_string(),
                    "auto": suggestion.score >= AUTO_MAP_THRESHOLD,
                }));
            }
        }
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &entries)?;
        writeln!(out)?;
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} client references of {} are not mapped (auto-map threshold {AUTO_MAP_THRESHOLD}):",
        unmapped.len(),
        inputs.client_refs.len()
    )?;
    for reference in &unmapped {
        let name = if reference.name.is_empty() {
            "(no name)".to_string()
        } else {
            format!("\"{}\"", reference.name)
        };
        writeln!(
            out,
            "\n  {} {} {name}, {} row{}",
            reference.source,
            reference.id,
            reference.rows,
            if reference.rows == 1 { "" } else { "s" }
        )?;
        let suggestions = suggest_for(&matcher, reference, args.limit);
        if suggestions.is_empty() {
            writeln!(out, "      no suggestion: map it by hand")?;
        }
        for suggestion in suggestions {
            writeln!(
                out,
                "    {:>3}  {} {}: {}",
                suggestion.score, suggestion.client_id, suggestion.client_name, suggestion.reason
            )?;
        }
    }
    let renamed = renamed_references(&inputs);
    if !renamed.is_empty() {
        writeln!(
            out,
            "\nRenamed since they were mapped (the mapping holds, by id):"
        )?;
        for (reference, was) in renamed {
            writeln!(
                out,
                "  {} {}: was \"{was}\", now \"{}\"",
                reference.source, reference.id, reference.name
            )?;
        }
    }
    writeln!(
        out,
        "\nRecord a decision with `reckon map accept client SOURCE REF CLIENT_ID --data DIR` or `reckon map reject ...`."
    )?;
    Ok(())
}

/// Mapped references whose name in the feed is not the one they had when
/// mapped.
fn renamed_references(inputs: &MappingInputs) -> Vec<(&ClientRefRow, String)> {
    inputs
        .client_refs
        .iter()
        .filter_map(|reference| {
            let mapping = inputs.client_mapping(&reference.source, &reference.id)?;
            let changed = !mapping.external_name.is_empty()
                && !reference.name.is_empty()
                && !mapping.external_name.eq_ignore_ascii_case(&reference.name);
            changed.then(|| (reference, mapping.external_name.clone()))
        })
        .collect()
}

fn suggest_products_for(inputs: &MappingInputs, args: &SuggestArgs) -> Result<()> {
    let products: Vec<PsaProduct> = inputs
        .psa_products
        .iter()
        .map(|p| PsaProduct {
            id: p.id.clone(),
            name: p.name.clone(),
        })
        .collect();
    let rejected = |source: &str, sku: &str, product: &str| {
        inputs
            .product_rejections
            .iter()
            .any(|d| d.source == source && d.external_id == sku && d.target == product)
    };
    let matcher = ProductMatcher::new(&products);
    let unmapped: Vec<_> = inputs
        .skus
        .iter()
        .filter(|s| !inputs.product_mapped(&s.source, &s.sku))
        .collect();
    let mut entries = Vec::new();
    let mut out = std::io::stdout().lock();
    if !args.json {
        writeln!(
            out,
            "{} SKUs of {} are not mapped:",
            unmapped.len(),
            inputs.skus.len()
        )?;
    }
    for sku in unmapped {
        let name = if sku.name.is_empty() {
            reckon_sources::profiles::m365::sku_display_name(&sku.sku).unwrap_or_default()
        } else {
            sku.name.clone()
        };
        let suggestions: Vec<_> = matcher
            .suggest(&sku.sku, &name, usize::MAX)
            .into_iter()
            .filter(|s| !rejected(&sku.source, &sku.sku, &s.product_id))
            .take(args.limit)
            .collect();
        if args.json {
            for suggestion in &suggestions {
                entries.push(json!({
                    "source": sku.source, "sku": sku.sku, "sku_name": name, "rows": sku.rows,
                    "product_id": suggestion.product_id, "product_name": suggestion.product_name,
                    "score": suggestion.score, "reason": suggestion.reason.to_string(),
                }));
            }
            continue;
        }
        writeln!(
            out,
            "\n  {} {} \"{name}\", {} row{}",
            sku.source,
            sku.sku,
            sku.rows,
            if sku.rows == 1 { "" } else { "s" }
        )?;
        if suggestions.is_empty() {
            writeln!(out, "      no suggestion: map it by hand")?;
        }
        for suggestion in suggestions {
            writeln!(
                out,
                "    {:>3}  {} {}: {}",
                suggestion.score, suggestion.product_id, suggestion.product_name, suggestion.reason
            )?;
        }
    }
    if args.json {
        serde_json::to_writer_pretty(&mut out, &entries)?;
        writeln!(out)?;
    }
    Ok(())
}

fn decide(args: &DecideArgs, accept: bool) -> Result<()> {
    let inputs = MappingInputs::load(&args.data)?;
    let client = args.kind == "client";
    let known_target = if client {
        inputs.psa_clients.iter().any(|c| c.id == args.target)
    } else {
        inputs.psa_products.iter().any(|p| p.id == args.target)
    };
    if !known_target {
        return Err(UserError(format!(
            "{} {} is not in the data set's {}",
            args.kind,
            args.target,
            if client {
                "billing.csv, clients.csv or clients_seen.csv"
            } else {
                "products.csv"
            }
        ))
        .into());
    }
    let units = args.units.clone().unwrap_or_else(|| "1".to_string());
    if !client
        && reckon_sources::parse_decimal(&units).is_none_or(|u| u <= rust_decimal::Decimal::ZERO)
    {
        return Err(UserError(format!(
            "--units {units}: expected a positive number such as 1 or 0.1"
        ))
        .into());
    }
    // mapping.toml is the user's own file: reckon does not rewrite it.
    let in_toml = if client {
        inputs
            .toml_clients
            .iter()
            .find(|d| d.source == args.source && d.external_id == args.external_id)
    } else {
        inputs.toml_products.iter().find(|d| {
            d.source == args.source && d.external_id == args.external_id && d.target == args.target
        })
    };
    let (map_file, map_columns, id_column, target_column) = if client {
        (
            canonical::CLIENT_MAP,
            &CLIENT_MAP_COLUMNS[..],
            "external_client_id",
            "client_id",
        )
    } else {
        (
            canonical::PRODUCT_MAP,
            &PRODUCT_MAP_COLUMNS[..],
            "sku",
            "product_id",
        )
    };
    let mut map = EditableCsv::open(&args.data.join(map_file), map_columns)?;
    let reference = [
        ("source", args.source.as_str()),
        (id_column, args.external_id.as_str()),
    ];
    let this_target = [
        ("source", args.source.as_str()),
        (id_column, args.external_id.as_str()),
        (target_column, args.target.as_str()),
    ];
    if accept {
        if let Some(existing) = in_toml {
            if client && existing.target != args.target {
                return Err(UserError(format!(
                    "{} {} is mapped to {} in mapping.toml: change it there",
                    args.source, args.external_id, existing.target
                ))
                .into());
            }
            say(&format!(
                "Already in mapping.toml: {} {} -> {}",
                args.source, args.external_id, args.target
            ))?;
            return Ok(());
        }
        if client {
            let rows = map.matching(&reference);
            if rows.iter().any(|&r| map.get(r, "client_id") == args.target) && rows.len() == 1 {
                say(&format!(
                    "Already recorded in {map_file}: {} {} -> {}",
                    args.source, args.external_id, args.target
                ))?;
                return Ok(());
            }
            if !rows.is_empty() {
                if !args.replace {
                    let current: Vec<&str> =
                        rows.iter().map(|&r| map.get(r, "client_id")).collect();
                    return Err(UserError(format!(
                        "{} {} is already mapped to {}: pass --replace to map it to {} instead",
                        args.source,
                        args.external_id,
                        current.join(", "),
                        args.target
                    ))
                    .into());
                }
                map.remove(&reference);
            }
            let name = inputs
                .client_refs
                .iter()
                .find(|r| r.source == args.source && r.id == args.external_id)
                .map(|r| r.name.clone())
                .unwrap_or_default();
            map.push(&[
                ("source", args.source.as_str()),
                ("external_client_id", args.external_id.as_str()),
                ("client_id", args.target.as_str()),
                ("external_name", name.as_str()),
            ]);
        } else {
            match map.matching(&this_target).first() {
                Some(&row) if map.get(row, "units") == units.as_str() => {
                    say(&format!(
                        "Already recorded in {map_file}: {} {} -> {} ({units} units)",
                        args.source, args.external_id, args.target
                    ))?;
                    return Ok(());
                }
                Some(&row) => {
                    say(&format!(
                        "Units of {} {} -> {} changed from {} to {units}",
                        args.source,
                        args.external_id,
                        args.target,
                        map.get(row, "units")
                    ))?;
                    map.set(row, "units", &units);
                }
                None => map.push(&[
                    ("source", args.source.as_str()),
                    ("sku", args.external_id.as_str()),
                    ("product_id", args.target.as_str()),
                    ("units", units.as_str()),
                ]),
            }
        }
        let seen = if client {
            inputs
                .client_refs
                .iter()
                .any(|r| r.source == args.source && r.id == args.external_id)
        } else {
            inputs
                .skus
                .iter()
                .any(|s| s.source == args.source && s.sku == args.external_id)
        };
        if !seen {
            say(&format!(
                "Note: usage.csv has no rows for {} {} yet.",
                args.source, args.external_id
            ))?;
        }
        map.save()?;
        say(&format!(
            "Mapped in {map_file}: {} {} -> {}",
            args.source, args.external_id, args.target
        ))?;
        return Ok(());
    }
    // Rejecting: remembered, and an accepted mapping to the same target is
    // taken back (one in mapping.toml has to be edited there).
    if let Some(existing) = in_toml
        && existing.target == args.target
    {
        return Err(UserError(format!(
            "{} {} -> {} is in mapping.toml: remove it there before rejecting it",
            args.source, args.external_id, args.target
        ))
        .into());
    }
    let rejected_file = if client {
        canonical::CLIENT_MAP_REJECTED
    } else {
        canonical::PRODUCT_MAP_REJECTED
    };
    let rejected_columns: &[&str] = if client {
        &["source", "external_client_id", "client_id"]
    } else {
        &["source", "sku", "product_id"]
    };
    let mut rejected = EditableCsv::open(&args.data.join(rejected_file), rejected_columns)?;
    if rejected.matching(&this_target).is_empty() {
        rejected.push(&this_target);
        rejected.save()?;
    }
    let taken_back = map.remove(&this_target);
    if taken_back > 0 {
        map.save()?;
        say(&format!(
            "Removed the mapping {} {} -> {} from {map_file}",
            args.source, args.external_id, args.target
        ))?;
    }
    say(&format!(
        "Rejected in {rejected_file}: {} {} -> {} (not suggested again)",
        args.source, args.external_id, args.target
    ))?;
    Ok(())
}

fn auto(args: &AutoArgs) -> Result<()> {
    let threshold = args.threshold.unwrap_or(AUTO_MAP_THRESHOLD);
    if threshold < AUTO_MAP_THRESHOLD {
        return Err(UserError(format!(
            "--threshold {threshold}: reckon never maps automatically below {AUTO_MAP_THRESHOLD}"
        ))
        .into());
    }
    let inputs = MappingInputs::load(&args.data)?;
    let matcher_inputs = MatcherInputs::new(&inputs);
    let matcher = matcher_inputs.matcher();
    let mut map = EditableCsv::open(&args.data.join(canonical::CLIENT_MAP), &CLIENT_MAP_COLUMNS)?;
    let mut mapped = 0;
    for reference in inputs
        .client_refs
        .iter()
        .filter(|r| inputs.client_mapping(&r.source, &r.id).is_none())
    {
        let suggestions = suggest_for(&matcher, reference, 2);
        let Some(best) = suggestions.first() else {
            continue;
        };
        let rival = suggestions.get(1).is_some_and(|s| s.score >= threshold);
        if best.score < threshold || rival {
            continue;
        }
        say(&format!(
            "{} {} {} \"{}\" -> {} {} ({}: {})",
            if args.dry_run { "would map" } else { "mapped" },
            reference.source,
            reference.id,
            reference.name,
            best.client_id,
            best.client_name,
            best.score,
            best.reason
        ))?;
        map.push(&[
            ("source", reference.source.as_str()),
            ("external_client_id", reference.id.as_str()),
            ("client_id", best.client_id.as_str()),
            ("external_name", reference.name.as_str()),
        ]);
        mapped += 1;
    }
    if mapped > 0 && !args.dry_run {
        map.save()?;
    }
    say(&format!(
        "{mapped} client references {}mapped automatically (score at least {threshold}, no rival at that level)",
        if args.dry_run { "would be " } else { "" }
    ))?;
    Ok(())
}
