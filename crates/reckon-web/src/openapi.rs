//! The OpenAPI document of `/api/`, written by hand and kept true by a test
//! that compares its paths with the routes the router answers.

use axum::Json;
use serde_json::{Value, json};

fn list_parameters() -> Value {
    let query = |name: &str, description: &str, schema: Value| json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema });
    let text = json!({ "type": "string" });
    json!([
        query(
            "run",
            "A run id (default: the latest run of `period`, else the latest run).",
            json!({ "type": "integer" })
        ),
        query("period", "A period, YYYY-MM.", text.clone()),
        query(
            "kind",
            "Finding kind, e.g. underbilled, overbilled, stale_item.",
            text.clone()
        ),
        query("client", "PSA client id.", text.clone()),
        query("product", "PSA product id.", text.clone()),
        query("source", "Usage feed, e.g. m365, ninjaone.", text.clone()),
        query(
            "state",
            "Review state as of today.",
            json!({ "type": "string", "enum": ["open", "acknowledged", "resolved", "ignored"] })
        ),
        query(
            "assignee",
            "An assignee's name, or - for unassigned.",
            text.clone()
        ),
        query(
            "q",
            "Search: a part of the id, client, product, item or explanation.",
            text
        ),
        query(
            "sort",
            "Order.",
            json!({ "type": "string", "enum": ["money", "impact", "kind", "client", "product", "state", "priority"] })
        ),
        query(
            "dir",
            "Direction.",
            json!({ "type": "string", "enum": ["asc", "desc"] })
        ),
        query(
            "page",
            "Page number, from 1.",
            json!({ "type": "integer", "minimum": 1 })
        ),
        query(
            "per_page",
            "Findings per page (default 50, at most 500).",
            json!({ "type": "integer", "minimum": 1, "maximum": 500 })
        ),
    ])
}

fn error_responses() -> Value {
    let error = json!({ "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    let with = |description: &str| {
        let mut response = error.clone();
        if let Value::Object(map) = &mut response {
            map.insert("description".to_string(), json!(description));
        }
        response
    };
    json!({
        "400": with("The request is malformed."),
        "401": with("No valid session or token."),
        "403": with("The role does not allow it, or a session's write lacks its CSRF token."),
        "404": with("No such run or finding."),
        "503": with("Not available on this server (mapping changes need the binary's actions)."),
    })
}

fn ok(description: &str, schema: &str, errors: &Value) -> Value {
    let mut responses = errors.clone();
    if let Value::Object(map) = &mut responses {
        map.insert(
            "200".to_string(),
            json!({ "description": description, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } }),
        );
    }
    responses
}

/// The imports' and runs' schemas and paths (`/api/runs` gains `post`).
fn add_workspace_routes(document: &mut Value, errors: &Value) {
    let money = json!({ "type": "string", "description": "An exact decimal, e.g. 88.00" });
    let run_id = json!({ "name": "id", "in": "path", "required": true, "description": "A run id.", "schema": { "type": "integer" } });
    let schemas = json!({
        "Import": { "type": "object", "properties": {
            "id": { "type": "integer" }, "period": { "type": "string" }, "kind": { "type": "string" },
            "source": { "type": "string" }, "file_name": { "type": "string" }, "file_hash": { "type": "string" },
            "rows": { "type": "integer" }, "newest_seen": { "type": ["string", "null"] },
            "imported_at": { "type": "string" }, "imported_by": { "type": "string" } } },
        "Imports": { "type": "object", "properties": { "imports": { "type": "array", "items": { "$ref": "#/components/schemas/Import" } } } },
        "ImportResult": { "type": "object", "description": "What an upload stored, or with ?preview=true what it would store.", "properties": {
            "stored": { "type": "integer", "description": "Snapshots stored (not with preview)." },
            "imports": { "type": "array", "items": { "type": "object", "properties": {
                "id": { "type": "integer" }, "already_imported": { "type": "boolean" }, "period": { "type": "string" },
                "kind": { "type": "string" }, "source": { "type": "string" }, "file_name": { "type": "string" }, "rows": { "type": "integer" } } } },
            "period": { "type": ["string", "null"], "description": "Preview: the period the snapshots would go under." },
            "period_error": { "type": ["string", "null"], "description": "Preview: why the period cannot be told." },
            "importable": { "type": "boolean", "description": "Preview: every file is recognised." },
            "files": { "type": "array", "description": "Preview: per file, the detected profile and part, rows read/used/skipped with reasons, the snapshots, an error, earlier imports of the same bytes.", "items": { "type": "object" } } } },
        "StartRun": { "type": "object", "additionalProperties": false, "properties": {
            "period": { "type": "string", "description": "YYYY-MM (default: the latest period imported)." } } },
        "RunStarted": { "type": "object", "properties": {
            "id": { "type": "integer" }, "period": { "type": "string" }, "finding_count": { "type": "integer" },
            "warnings": { "type": "array", "items": { "type": "string" }, "description": "Stale imports, feeds missing since the previous period." } } },
        "RunDetail": { "allOf": [ { "$ref": "#/components/schemas/Run" }, { "type": "object", "properties": {
            "inputs": { "type": "array", "items": { "type": "integer" }, "description": "The imports it reconciled." },
            "comparison": { "type": "object", "description": "Against the previous run: new, recurring (a count), changed (with impact_before and impact_change), disappeared.", "properties": {
                "previous_run": { "type": ["integer", "null"] },
                "new": { "type": "array", "items": { "type": "object" } },
                "recurring": { "type": "integer" },
                "changed": { "type": "array", "items": { "type": "object", "properties": { "impact_before": money, "impact_change": money } } },
                "disappeared": { "type": "array", "items": { "type": "object" } } } } } } ] }
    });
    let upload = json!({
        "summary": "Upload export files (CSV, XLSX, JSON; canonical files by name) and import them in one transaction (reviewer or admin); with preview=true, only say what would be stored. At most 200 MB (413 past it); 503 when the server has no workspace.",
        "parameters": [
            { "name": "preview", "in": "query", "required": false, "description": "true: store nothing, return the preview.", "schema": { "type": "boolean" } },
            { "name": "period", "in": "query", "required": false, "description": "YYYY-MM (default: the month of the newest last-seen date); also a form field.", "schema": { "type": "string" } }
        ],
        "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": { "type": "object", "properties": {
            "files": { "type": "array", "items": { "type": "string", "format": "binary" } },
            "period": { "type": "string" } } } } } },
        "responses": ok("What was stored (or would be).", "ImportResult", errors)
    });
    let export = json!({
        "summary": "A run's report as a download: workbook, printable report, findings CSV, evidence CSV, JSON report, or proposed PSA adjustments.",
        "parameters": [
            run_id.clone(),
            { "name": "format", "in": "query", "required": true, "schema": { "type": "string", "enum": ["xlsx", "html", "csv", "evidence-csv", "json", "adjustments"] } },
            { "name": "psa", "in": "query", "required": false, "description": "Adjustments: the PSA shape (default: the billing lines' PSA).", "schema": { "type": "string", "enum": ["generic", "connectwise", "autotask", "halopsa"] } },
            { "name": "all", "in": "query", "required": false, "description": "Adjustments: every pair finding, not only those marked for action.", "schema": { "type": "boolean" } },
            { "name": "effective", "in": "query", "required": false, "description": "Adjustments: the effective date (default: the first day after the period).", "schema": { "type": "string", "format": "date" } }
        ],
        "responses": {
            "200": { "description": "The file, as an attachment.", "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}, "text/html": {}, "text/csv": {}, "application/json": {} } },
            "400": errors["400"].clone(), "401": errors["401"].clone(), "403": errors["403"].clone(), "404": errors["404"].clone()
        }
    });
    let paths = json!({
        "/api/imports": {
            "get": { "summary": "Every import, oldest first.", "responses": ok("The imports.", "Imports", errors) },
            "post": upload
        },
        "/api/runs/{id}": { "get": { "summary": "A run with its comparison with the previous run.", "parameters": [run_id], "responses": ok("The run.", "RunDetail", errors) } },
        "/api/runs/{id}/export": { "get": export }
    });
    let run_post = json!({ "post": {
        "summary": "Run a period (reviewer or admin), as `reckon run --period` does: stores the run and returns its id and the warnings about its imports. 503 when the server has no workspace.",
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/StartRun" } } } },
        "responses": ok("The run stored.", "RunStarted", errors)
    } });
    if let (Some(target), Value::Object(schemas)) =
        (document["components"]["schemas"].as_object_mut(), schemas)
    {
        target.extend(schemas);
    }
    if let (Some(target), Value::Object(paths)) = (document["paths"].as_object_mut(), paths) {
        target.extend(paths);
    }
    if let (Some(runs), Value::Object(post)) =
        (document["paths"]["/api/runs"].as_object_mut(), run_post)
    {
        runs.extend(post);
    }
}

/// The document.
pub fn openapi() -> Value {
    let errors = error_responses();
    let id = json!({ "name": "id", "in": "path", "required": true, "description": "A finding's short id (10 hex digits).", "schema": { "type": "string" } });
    let run = json!({ "name": "run", "in": "query", "required": false, "description": "A run id (default: the latest run with this finding).", "schema": { "type": "integer" } });
    let money = json!({ "type": "string", "description": "An exact decimal, e.g. 88.00" });
    let finding_properties = json!({
        "id": { "type": "string" }, "run": { "type": "integer" }, "period": { "type": "string" },
        "kind": { "type": "string" }, "client_id": { "type": "string" }, "client_name": { "type": "string" },
        "product_id": { "type": "string" }, "product_name": { "type": "string" },
        "source": { "type": "string" }, "key": { "type": "string" },
        "billed": money, "actual": money, "impact": money, "money_at_stake": money,
        "cause": { "type": "string" }, "priority": { "type": "string" },
        "state": { "type": "string", "enum": ["open", "acknowledged", "resolved", "ignored"] },
        "reason": { "type": "string" }, "until": { "type": "string" }, "assignee": { "type": "string" },
        "for_action": { "type": "boolean" },
    });
    let mut document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "reckon API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Billing reconciliation findings and their review. Authenticate with `Authorization: Bearer <token>` (make one with `reckon token add`); a token has a role: viewer reads, reviewer also reviews. A browser session may call it too, sending `X-CSRF-Token` (from /api/me) with every write."
        },
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" },
                "session": { "type": "apiKey", "in": "cookie", "name": "reckon_session" }
            },
            "schemas": {
                "Error": { "type": "object", "properties": { "error": { "type": "string" }, "status": { "type": "integer" } }, "required": ["error", "status"] },
                "Me": { "type": "object", "properties": { "name": { "type": "string" }, "role": { "type": "string", "enum": ["admin", "reviewer", "viewer"] }, "via": { "type": "string", "enum": ["session", "token"] }, "csrf_token": { "type": ["string", "null"] } } },
                "Run": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "period": { "type": "string" }, "as_of": { "type": "string" },
                    "created_at": { "type": "string" }, "created_by": { "type": "string" },
                    "finding_count": { "type": "integer" }, "pairs": { "type": "integer" },
                    "underbilled_per_month": money, "overbilled_per_month": money } },
                "Runs": { "type": "object", "properties": { "runs": { "type": "array", "items": { "$ref": "#/components/schemas/Run" } } } },
                "Finding": { "type": "object", "properties": finding_properties },
                "FindingDetail": { "allOf": [ { "$ref": "#/components/schemas/Finding" }, { "type": "object", "properties": {
                    "explanation": { "type": "string" },
                    "count": { "type": ["integer", "null"] },
                    "unit_price": { "type": ["string", "null"] },
                    "evidence": { "type": "array", "items": { "type": "object" } },
                    "billing_lines": { "type": "array", "items": { "type": "object" } },
                    "suggestions": { "type": "array", "items": { "type": "object" } },
                    "notes": { "type": "array", "items": { "type": "object", "properties": { "at": { "type": "string" }, "author": { "type": "string" }, "body": { "type": "string" } } } },
                    "history": { "type": "array", "items": { "type": "integer" }, "description": "The runs that found it." }
                } } ] },
                "FindingList": { "type": "object", "properties": {
                    "run": { "oneOf": [ { "$ref": "#/components/schemas/Run" }, { "type": "null" } ] },
                    "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" },
                    "findings": { "type": "array", "items": { "$ref": "#/components/schemas/Finding" } } } },
                "ReviewChange": { "type": "object", "additionalProperties": false, "properties": {
                    "run": { "type": "integer" },
                    "state": { "type": "string", "enum": ["open", "acknowledged", "resolved", "ignored"] },
                    "reason": { "type": "string", "description": "Needed to ignore." },
                    "until": { "type": "string", "format": "date", "description": "The end of an ignore." },
                    "assignee": { "type": "string" },
                    "for_action": { "type": "boolean", "description": "Marked for a change in the PSA." },
                    "note": { "type": "string", "description": "Added to the finding's notes." } } },
                "Unmapped": { "type": "object", "properties": {
                    "source": { "type": "string" }, "external_id": { "type": "string", "description": "A client reference or a SKU." },
                    "external_name": { "type": "string" }, "rows": { "type": "integer" }, "money_at_stake": money,
                    "suggestions": { "type": "array", "description": "Best first; rejected ones left out.", "items": { "type": "object", "properties": {
                        "id": { "type": "string" }, "name": { "type": "string" }, "score": { "type": "integer" }, "reason": { "type": "string" } } } } } },
                "Mappings": { "type": "object", "properties": {
                    "period": { "type": "string" }, "run": { "type": ["integer", "null"] },
                    "clients": { "type": "array", "items": { "type": "object" }, "description": "Client mappings in force (source, external_id, client_id, domain, file)." },
                    "products": { "type": "array", "items": { "type": "object" }, "description": "SKU mappings in force (source, sku, product_id, units, rounding, file)." },
                    "counting": { "type": "array", "items": { "type": "object" }, "description": "Counting rules per product (statuses, stale_days, device_classes, exclude_items)." },
                    "unmapped_clients": { "type": "array", "items": { "$ref": "#/components/schemas/Unmapped" } },
                    "unmapped_skus": { "type": "array", "items": { "$ref": "#/components/schemas/Unmapped" } } } },
                "AcceptMapping": { "type": "object", "additionalProperties": false, "required": ["source", "external_id", "target_id"], "properties": {
                    "period": { "type": "string", "description": "YYYY-MM (default: the newest with imports): the new mapping snapshot's period." },
                    "source": { "type": "string" }, "external_id": { "type": "string" },
                    "target_id": { "type": "string", "description": "The PSA client (or product) id." } } },
                "Accepted": { "type": "object", "properties": { "period": { "type": "string" }, "message": { "type": "string" } } },
                "RejectSuggestion": { "type": "object", "additionalProperties": false, "required": ["kind", "source", "external_id", "suggested_id"], "properties": {
                    "kind": { "type": "string", "enum": ["client", "product"] }, "source": { "type": "string" },
                    "external_id": { "type": "string" }, "suggested_id": { "type": "string" } } },
                "User": { "type": "object", "properties": { "name": { "type": "string" }, "role": { "type": "string" }, "created_at": { "type": "string" }, "disabled": { "type": "boolean" } } },
                "Users": { "type": "object", "properties": { "users": { "type": "array", "items": { "$ref": "#/components/schemas/User" } } } },
                "UserChange": { "type": "object", "additionalProperties": false, "required": ["name"], "properties": {
                    "name": { "type": "string" }, "add": { "type": "boolean", "description": "Add a new user (needs password; role default viewer)." },
                    "role": { "type": "string", "enum": ["admin", "reviewer", "viewer"] }, "disabled": { "type": "boolean" },
                    "password": { "type": "string", "description": "Initial password, or a reset." } } },
                "Tokens": { "type": "object", "properties": { "tokens": { "type": "array", "items": { "type": "object", "properties": {
                    "name": { "type": "string" }, "role": { "type": "string" }, "created_at": { "type": "string" }, "created_by": { "type": "string" },
                    "last_used_at": { "type": ["string", "null"] }, "revoked_at": { "type": ["string", "null"] } } } } } },
                "TokenChange": { "type": "object", "additionalProperties": false, "required": ["name"], "properties": {
                    "name": { "type": "string" }, "role": { "type": "string", "enum": ["admin", "reviewer", "viewer"] },
                    "revoke": { "type": "boolean", "description": "Revoke the named token instead of making one." } } }
            }
        },
        "security": [ { "bearer": [] }, { "session": [] } ],
        "paths": {
            "/api/openapi.json": { "get": { "summary": "This document.", "security": [], "responses": { "200": { "description": "The OpenAPI document." } } } },
            "/api/me": { "get": { "summary": "Who is calling, with which role.", "responses": ok("The caller.", "Me", &errors) } },
            "/api/runs": { "get": { "summary": "Every stored run, oldest first.", "responses": ok("The runs.", "Runs", &errors) } },
            "/api/findings": { "get": { "summary": "A run's findings, filtered, sorted and paged.", "parameters": list_parameters(), "responses": ok("One page of findings.", "FindingList", &errors) } },
            "/api/findings/{id}": { "get": { "summary": "One finding with its evidence, billing lines, notes and history.", "parameters": [id.clone(), run], "responses": ok("The finding.", "FindingDetail", &errors) } },
            "/api/findings/{id}/review": { "post": {
                "summary": "Change a finding's review and/or add a note (reviewer or admin). Refused (409) in a closed period.",
                "parameters": [id],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ReviewChange" } } } },
                "responses": ok("The finding after the change.", "FindingDetail", &errors)
            } },
            "/api/mappings": { "get": { "summary": "The mappings in force for a period and its latest run's unmapped client references and SKUs with their suggestions.",
                "parameters": [ { "name": "period", "in": "query", "required": false, "description": "YYYY-MM (default: the newest with imports).", "schema": { "type": "string" } } ],
                "responses": ok("The mappings.", "Mappings", &errors) } },
            "/api/mappings/clients": { "post": { "summary": "Map a client reference to a PSA client (admin): a new client_map.csv snapshot, audited; the next run uses it.",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AcceptMapping" } } } },
                "responses": ok("What was done.", "Accepted", &errors) } },
            "/api/mappings/products": { "post": { "summary": "Map a SKU to a PSA product (admin): a new product_map.csv snapshot, audited.",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AcceptMapping" } } } },
                "responses": ok("What was done.", "Accepted", &errors) } },
            "/api/mappings/rejections": { "post": { "summary": "Reject a suggestion for good (admin): it is never proposed again.",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/RejectSuggestion" } } } },
                "responses": { "200": { "description": "Rejected." } } } },
            "/api/users": {
                "get": { "summary": "Every user (admin).", "responses": ok("The users.", "Users", &errors) },
                "post": { "summary": "Add a user, or change one's role, state or password (admin; audited).",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/UserChange" } } } },
                    "responses": ok("The user after the change.", "User", &errors) } },
            "/api/tokens": {
                "get": { "summary": "Every API token, revoked ones too (admin).", "responses": ok("The tokens.", "Tokens", &errors) },
                "post": { "summary": "Make an API token (its secret is in the answer, once) or revoke one (admin; audited).",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TokenChange" } } } },
                    "responses": { "200": { "description": "The new token (name, role, token) or the revocation." } } } }
        }
    });
    add_workspace_routes(&mut document, &errors);
    document
}

/// `GET /api/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(openapi())
}
