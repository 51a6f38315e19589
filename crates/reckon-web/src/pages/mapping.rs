//! Mapping: the unmapped client references and SKUs of a period's latest
//! run with their ranked suggestions (accept or reject in one click,
//! admins), the mappings in force, and each product's units factors and
//! counting rules.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use reckon_store::{MappingStore, Role, RunStore, Store};
use serde::Deserialize;

use crate::auth::{Admin, Principal, Signed, SignedForm};
use crate::error::{WebError, WebResult};
use crate::format::money;
use crate::mapping::{Unmapped, actions, latest_run, period_of, reject, required, unmapped};
use crate::mapping_actions::{
    AcceptMapping, ActionError, CurrentMappings, MappingKind, ProductRulesEdit, SkuEdit,
};
use crate::pages::layout::{Nav, PeriodChoice, page as layout};
use crate::pages::query_string;
use crate::runs::periods;
use crate::state::AppState;

/// The page's query: the period and what was just done.
#[derive(Debug, Deserialize, Default)]
pub struct MappingParams {
    #[serde(default)]
    period: String,
    #[serde(default)]
    accepted: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    rejected: String,
    #[serde(default)]
    suggestion: String,
    #[serde(default)]
    saved: String,
}

async fn choice(state: &AppState, selected: &str) -> WebResult<PeriodChoice> {
    let mut all: Vec<String> = state.store().periods().await?;
    for period in periods(&state.store().runs(None).await?) {
        if !all.contains(&period) {
            all.push(period);
        }
    }
    all.sort();
    all.reverse();
    Ok(PeriodChoice {
        periods: all,
        selected: selected.to_string(),
        action: "/mapping",
    })
}

fn flash(params: &MappingParams, period: &str, current: Option<&CurrentMappings>) -> Markup {
    // Only what is true is said: a link cannot claim a mapping that is not.
    let accepted = !params.accepted.is_empty()
        && current.is_some_and(|c| {
            c.clients
                .iter()
                .any(|m| m.external_id == params.accepted && m.client_id == params.to)
                || c.skus
                    .iter()
                    .any(|m| m.sku == params.accepted && m.product_id == params.to)
        });
    html! {
        @if accepted {
            div.flash { b { (params.accepted) } " is now mapped to " b { (params.to) } " from " (period) " on: the next run of " (period) " uses it (start it from the runs page)." }
        }
        @if !params.rejected.is_empty() {
            div.flash { b { (params.suggestion) } " will not be proposed for " b { (params.rejected) } " again." }
        }
        @if !params.saved.is_empty() {
            div.flash { "The rules of " b { (params.saved) } " are saved: the next run of " (period) " uses them." }
        }
    }
}

fn mapped_to(current: Option<&CurrentMappings>, item: &Unmapped) -> Option<String> {
    let current = current?;
    match item.kind {
        MappingKind::Client => current
            .clients
            .iter()
            .find(|c| c.source == item.source && c.external_id == item.external_id)
            .map(|c| c.client_id.clone()),
        MappingKind::Product => current
            .skus
            .iter()
            .find(|s| s.source == item.source && s.sku == item.external_id)
            .map(|s| s.product_id.clone()),
    }
}

fn unmapped_table(
    items: &[Unmapped],
    principal: &Principal,
    period: &str,
    current: Option<&CurrentMappings>,
    can_change: bool,
) -> Markup {
    let admin = principal.may(Role::Admin) && can_change;
    let hidden = |item: &Unmapped| {
        html! {
            input type="hidden" name="csrf" value=(principal.csrf());
            input type="hidden" name="period" value=(period);
            input type="hidden" name="kind" value=(item.kind.as_str());
            input type="hidden" name="source" value=(item.source);
            input type="hidden" name="external_id" value=(item.external_id);
        }
    };
    let target = match items.first().map(|i| i.kind) {
        Some(MappingKind::Product) => "product id",
        _ => "client id",
    };
    html! {
        div.wide-table { table {
            thead { tr {
                th { "Source" } th { (if matches!(items.first().map(|i| i.kind), Some(MappingKind::Product)) { "SKU" } else { "Reference" }) }
                th { "Name" } th.num { "Rows" } th.num { "Money at stake" } th { "Suggestions" }
            } }
            tbody {
                @for item in items {
                    tr {
                        td { (item.source) }
                        td.mono { (item.external_id) }
                        td { (item.external_name) }
                        td.num { (item.rows) }
                        td.num { (money(item.money_at_stake)) }
                        td {
                            @if let Some(to) = mapped_to(current, item) {
                                span.badge.counted { "mapped to " (to) } " the next run uses it"
                            } @else {
                                @if item.suggestions.is_empty() { span.sub { "no suggestion" } }
                                @for suggestion in &item.suggestions {
                                    div.suggestion {
                                        b { (suggestion.name) } " " span.mono { (suggestion.id) }
                                        " " span.badge { (suggestion.score) "%" }
                                        " " span.sub { (suggestion.reason) }
                                        @if admin {
                                            form.inline method="post" action="/mapping/accept" {
                                                (hidden(item))
                                                input type="hidden" name="target_id" value=(suggestion.id);
                                                button type="submit" { "Accept" }
                                            }
                                            form.inline method="post" action="/mapping/reject" {
                                                (hidden(item))
                                                input type="hidden" name="suggested_id" value=(suggestion.id);
                                                button.secondary type="submit" { "Reject" }
                                            }
                                        }
                                    }
                                }
                                @if admin {
                                    form.inline method="post" action="/mapping/accept" {
                                        (hidden(item))
                                        input name="target_id" placeholder=(target) aria-label=(target) size="12";
                                        button.secondary type="submit" { "Map" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        } }
    }
}

/// `GET /mapping`: every role sees; admins act.
pub async fn page(
    State(state): State<AppState>,
    Signed(principal, _): Signed,
    Query(params): Query<MappingParams>,
) -> WebResult<Markup> {
    let Some(period) = period_of(&state, Some(&params.period)).await? else {
        let content =
            html! { h1 { "Mapping" } div.panel.empty { p { "Nothing is imported yet." } } };
        return Ok(layout(
            "Mapping",
            &principal,
            Nav::Mapping,
            &PeriodChoice::default(),
            content,
        ));
    };
    let choice = choice(&state, &period).await?;
    let run = latest_run(&state, &period).await?;
    let (clients, skus) = match &run {
        Some(run) => unmapped(&state, run).await?,
        None => (Vec::new(), Vec::new()),
    };
    let current = match state.mapping_actions() {
        Some(actions) => Some(actions.current(&period).await?),
        None => None,
    };
    let can_change = current.is_some();
    let rejections = state.store().rejections().await?;
    let mut products: Vec<&str> = current
        .iter()
        .flat_map(|c| c.skus.iter().map(|s| s.product_id.as_str()))
        .chain(
            current
                .iter()
                .flat_map(|c| c.counting.iter().map(|r| r.product_id.as_str())),
        )
        .collect();
    products.sort_unstable();
    products.dedup();
    let period_query = query_string(&[("period", period.clone())]);
    let content = html! {
        h1 { "Mapping" }
        p.sub {
            "Period " (period) ": "
            @match &run {
                Some(run) => { "unmapped references of run " (run.id) " (" (run.created_at) ")." }
                None => { "no run yet: run the period to see what is unmapped." }
            }
            @if !can_change { " Mapping changes are not available on this server." }
            @else if !principal.may(Role::Admin) { " Only an admin changes mappings." }
        }
        (flash(&params, &period, current.as_ref()))
        div.panel {
            h2 { "Unmapped clients" }
            @if clients.is_empty() { p.empty { "Every client reference is mapped." } }
            @else { (unmapped_table(&clients, &principal, &period, current.as_ref(), can_change)) }
        }
        div.panel {
            h2 { "Unmapped SKUs" }
            @if skus.is_empty() { p.empty { "Every SKU is mapped." } }
            @else { (unmapped_table(&skus, &principal, &period, current.as_ref(), can_change)) }
        }
        @if !rejections.is_empty() {
            div.panel {
                h2 { "Rejected suggestions" }
                p.sub { "Never proposed again." }
                div.wide-table { table {
                    thead { tr { th { "Kind" } th { "Source" } th { "Reference or SKU" } th { "Not" } th { "By" } th { "When" } } }
                    tbody { @for r in &rejections { tr {
                        td { (r.kind) } td { (r.source) } td.mono { (r.external_id) } td.mono { (r.suggested_id) } td { (r.rejected_by) } td.sub { (r.rejected_at) }
                    } } }
                } }
            }
        }
        @if let Some(current) = &current {
            div.panel {
                h2 { "Products" }
                @if products.is_empty() { p.empty { "No SKU is mapped to a product yet." } }
                p { @for product in &products {
                    a.badge href=(format!("/mapping/products/{}{}", crate::pages::url_encode(product), period_query)) { (product) } " "
                } }
            }
            div.panel {
                h2 { "Client mappings in force" }
                @if current.clients.is_empty() { p.empty { "None." } }
                @else { div.wide-table { table {
                    thead { tr { th { "Source" } th { "Reference" } th { "Client" } th { "Domain" } th { "File" } } }
                    tbody { @for row in &current.clients { tr {
                        td { (row.source) } td.mono { (row.external_id) } td.mono { (row.client_id) } td { (row.domain) } td.sub { (row.file) }
                    } } }
                } } }
            }
        }
    };
    Ok(layout(
        "Mapping",
        &principal,
        Nav::Mapping,
        &choice,
        content,
    ))
}

fn back(period: &str, pairs: &[(&str, String)]) -> Response {
    let mut all = vec![("period", period.to_string())];
    all.extend(pairs.iter().cloned());
    Redirect::to(&format!("/mapping{}", query_string(&all))).into_response()
}

fn kind_of(text: &str) -> WebResult<MappingKind> {
    MappingKind::parse(text)
        .ok_or_else(|| WebError::BadRequest(format!("kind {text:?}: expected client or product")))
}

/// `POST /mapping/accept`: admins map a reference (a suggestion, or an id
/// typed in).
pub async fn accept(State(state): State<AppState>, form: SignedForm<Admin>) -> WebResult<Response> {
    let fields = &form.fields;
    let period = required(&fields.text("period"), "period")?;
    crate::mapping::check_period(&period)?;
    let request = AcceptMapping {
        period: period.clone(),
        kind: kind_of(&fields.text("kind"))?,
        source: required(&fields.text("source"), "source")?,
        external_id: required(&fields.text("external_id"), "external_id")?,
        target_id: required(&fields.text("target_id"), "target_id")?,
        actor: form.principal.name.clone(),
    };
    actions(&state)?.accept(request.clone()).await?;
    Ok(back(
        &period,
        &[("accepted", request.external_id), ("to", request.target_id)],
    ))
}

/// `POST /mapping/reject`: admins turn a suggestion down for good.
pub async fn reject_suggestion(
    State(state): State<AppState>,
    form: SignedForm<Admin>,
) -> WebResult<Response> {
    let fields = &form.fields;
    let period = fields.text("period");
    let external_id = fields.text("external_id");
    let suggested_id = fields.text("suggested_id");
    reject(
        &state,
        kind_of(&fields.text("kind"))?,
        &fields.text("source"),
        &external_id,
        &suggested_id,
        &form.principal.name,
    )
    .await?;
    Ok(back(
        &period,
        &[("rejected", external_id), ("suggestion", suggested_id)],
    ))
}

#[derive(Debug, Deserialize, Default)]
pub struct PeriodParam {
    #[serde(default)]
    period: String,
}

/// What the product form shows: the rules in force, or what was typed.
struct ProductForm {
    period: String,
    product_id: String,
    /// (source, SKU, units, rounding, file).
    skus: Vec<(String, String, String, String, String)>,
    statuses: String,
    stale_days: String,
    device_classes: String,
    exclude_items: String,
}

fn product_markup(principal: &Principal, form: &ProductForm, problem: Option<&str>) -> Markup {
    let admin = principal.may(Role::Admin);
    let action = format!(
        "/mapping/products/{}",
        crate::pages::url_encode(&form.product_id)
    );
    html! {
        p.sub { a href=(format!("/mapping{}", query_string(&[("period", form.period.clone())]))) { "Mapping" } " / product" }
        h1 { "Product " span.mono { (form.product_id) } }
        p.sub { "Rules in force for " (form.period) " (the latest mapping files at or before it)." @if !admin { " Only an admin changes them." } }
        @if let Some(problem) = problem { div.flash.error { "Not saved: " (problem) } }
        form method="post" action=(action) {
            input type="hidden" name="csrf" value=(principal.csrf());
            input type="hidden" name="period" value=(form.period);
            div.panel {
                h2 { "SKU mappings" }
                @if form.skus.is_empty() { p.empty { "No SKU maps to this product." } }
                @else { div.wide-table { table {
                    thead { tr { th { "Source" } th { "SKU" } th { "Units factor" } th { "Rounding" } th { "File" } } }
                    tbody { @for (index, (source, sku, units, rounding, file)) in form.skus.iter().enumerate() { tr {
                        td { (source) input type="hidden" name=(format!("sku_source_{index}")) value=(source); }
                        td.mono { (sku) input type="hidden" name=(format!("sku_{index}")) value=(sku); }
                        td { input name=(format!("units_{index}")) value=(units) size="8" aria-label="units factor" disabled[!admin]; }
                        td { select name=(format!("rounding_{index}")) aria-label="rounding" disabled[!admin] {
                            @for option in ["none", "up", "down", "nearest"] {
                                option value=(option) selected[rounding == option] { (option) }
                            }
                        } }
                        td.sub { (file) }
                    } } }
                } } }
            }
            div.panel {
                h2 { "Counting rules" }
                p.sub { "Lists are comma separated. Empty: the defaults (active only; the run's stale window; every device class; no exception)." }
                div.form-grid {
                    label { "Statuses that count" input name="statuses" value=(form.statuses) placeholder="active" disabled[!admin]; }
                    label { "Stale window (days)" input name="stale_days" value=(form.stale_days) placeholder="the run's" disabled[!admin]; }
                    label { "Device classes" input name="device_classes" value=(form.device_classes) placeholder="every class" disabled[!admin]; }
                    label { "Named exceptions (items never counted)" input name="exclude_items" value=(form.exclude_items) disabled[!admin]; }
                }
            }
            @if admin { p { button type="submit" { "Save rules" } } }
        }
    }
}

/// `GET /mapping/products/{id}`: a product's SKU factors and counting
/// rules; admins edit them.
pub async fn product(
    State(state): State<AppState>,
    Signed(principal, _): Signed,
    Path(product_id): Path<String>,
    Query(params): Query<PeriodParam>,
) -> WebResult<Markup> {
    let period = period_of(&state, Some(&params.period))
        .await?
        .ok_or(WebError::NotFound)?;
    let current = actions(&state)?.current(&period).await?;
    let skus: Vec<_> = current
        .skus
        .iter()
        .filter(|s| s.product_id == product_id)
        .map(|s| {
            (
                s.source.clone(),
                s.sku.clone(),
                s.units.clone(),
                s.rounding.clone(),
                s.file.clone(),
            )
        })
        .collect();
    let counting = current
        .counting
        .iter()
        .find(|c| c.product_id == product_id)
        .cloned()
        .unwrap_or_default();
    if skus.is_empty() && counting.product_id.is_empty() {
        return Err(WebError::NotFound);
    }
    let form = ProductForm {
        period: period.clone(),
        product_id: product_id.clone(),
        skus,
        statuses: counting.statuses.join(", "),
        stale_days: counting
            .stale_days
            .map(|d| d.to_string())
            .unwrap_or_default(),
        device_classes: counting.device_classes.join(", "),
        exclude_items: counting.exclude_items.join(", "),
    };
    let choice = choice(&state, &period).await?;
    Ok(layout(
        &format!("Product {product_id}"),
        &principal,
        Nav::Mapping,
        &choice,
        product_markup(&principal, &form, None),
    ))
}

/// `POST /mapping/products/{id}`: admins save a product's rules. A value
/// refused shows the form again with what was typed and what to fix.
pub async fn save_product(
    State(state): State<AppState>,
    Path(product_id): Path<String>,
    form: SignedForm<Admin>,
) -> WebResult<Response> {
    let fields = &form.fields;
    let period = required(&fields.text("period"), "period")?;
    crate::mapping::check_period(&period)?;
    let mut skus = Vec::new();
    for index in 0.. {
        let Some(sku) = fields.get(&format!("sku_{index}")) else {
            break;
        };
        skus.push(SkuEdit {
            source: fields.text(&format!("sku_source_{index}")),
            sku: sku.trim().to_string(),
            units: fields.text(&format!("units_{index}")),
            rounding: fields.text(&format!("rounding_{index}")),
        });
    }
    let edit = ProductRulesEdit {
        period: period.clone(),
        product_id: product_id.clone(),
        skus,
        statuses: fields.text("statuses"),
        stale_days: fields.text("stale_days"),
        device_classes: fields.text("device_classes"),
        exclude_items: fields.text("exclude_items"),
        actor: form.principal.name.clone(),
    };
    match actions(&state)?.save_product(edit.clone()).await {
        Ok(_) => Ok(back(&period, &[("saved", product_id)])),
        Err(ActionError::User(problem)) => {
            let current = actions(&state)?.current(&period).await?;
            let file_of = |source: &str, sku: &str| {
                current
                    .skus
                    .iter()
                    .find(|s| s.source == source && s.sku == sku)
                    .map(|s| s.file.clone())
                    .unwrap_or_default()
            };
            let typed = ProductForm {
                period: period.clone(),
                product_id: product_id.clone(),
                skus: edit
                    .skus
                    .iter()
                    .map(|s| {
                        (
                            s.source.clone(),
                            s.sku.clone(),
                            s.units.clone(),
                            s.rounding.clone(),
                            file_of(&s.source, &s.sku),
                        )
                    })
                    .collect(),
                statuses: edit.statuses,
                stale_days: edit.stale_days,
                device_classes: edit.device_classes,
                exclude_items: edit.exclude_items,
            };
            let choice = choice(&state, &period).await?;
            let page = layout(
                &format!("Product {product_id}"),
                &form.principal,
                Nav::Mapping,
                &choice,
                product_markup(&form.principal, &typed, Some(&problem)),
            );
            Ok((StatusCode::BAD_REQUEST, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
