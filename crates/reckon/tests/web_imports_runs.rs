//! The web app's imports and runs with the binary's workspace actions:
//! uploads previewed and imported (canonical files and a vendor export),
//! an unknown file refused with a clear message, a duplicate reported, runs
//! started, compared and downloaded. Multipart bodies are written by hand.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: fail loudly

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use reckon::web_actions::WorkspaceWebActions;
use reckon_sources::profiles::Registry;
use reckon_store::{NewUser, Role, RunStore, Session, Store, UserStore};
use reckon_web::secrets::{hash_password, new_token, token_hash};
use reckon_web::{AppState, WebConfig, router};
use serde_json::Value;
use tower::ServiceExt;

struct Visitor {
    cookie: String,
    csrf: String,
}

struct App {
    router: axum::Router,
    store: reckon_store::SqlStore,
    reviewer: Visitor,
    viewer: Visitor,
    staging: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
    fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
}

async fn visitor(store: &reckon_store::SqlStore, name: &str, role: Role) -> Visitor {
    let id = store
        .add_user(
            &NewUser {
                name: name.to_string(),
                password_hash: hash_password("a long password").unwrap(),
                role,
                created_at: "2026-11-01T00:00:00Z".to_string(),
                created_by: "test".to_string(),
            },
            false,
        )
        .await
        .unwrap();
    let token = new_token("rks_");
    let csrf = new_token("");
    store
        .add_session(&Session {
            token_hash: token_hash(&token),
            user_id: id,
            csrf_token: csrf.clone(),
            created_at: "2026-11-01T00:00:00Z".to_string(),
            expires_at: "2999-01-01T00:00:00Z".to_string(),
        })
        .await
        .unwrap();
    Visitor {
        cookie: format!("reckon_session={token}"),
        csrf,
    }
}

async fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let workspace = reckon::workspace::init(&dir.path().join("workspace"), None)
        .await
        .unwrap();
    let store = workspace.store.clone();
    let reviewer = visitor(&store, "rita", Role::Reviewer).await;
    let viewer = visitor(&store, "victor", Role::Viewer).await;
    let staging = dir.path().join("uploads");
    let actions = WorkspaceWebActions::new(Arc::new(workspace), Registry::builtin());
    let state = AppState::new(store.clone(), WebConfig::default())
        .with_actions(Arc::new(actions))
        .with_staging_dir(staging.clone());
    App {
        router: router(state),
        store,
        reviewer,
        viewer,
        staging,
        _dir: dir,
    }
}

fn multipart_body(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "reckon-test-boundary-91c3";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (file_name, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl App {
    async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Answer {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, path: &str, who: &Visitor) -> Answer {
        self.send(
            Request::get(path)
                .header(header::COOKIE, &who.cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// The API's upload, by session with the CSRF header.
    async fn api_upload(&self, query: &str, files: &[(&str, &[u8])]) -> Answer {
        let (content_type, body) = multipart_body(&[], files);
        self.send(
            Request::post(format!("/api/imports{query}"))
                .header(header::CONTENT_TYPE, content_type)
                .header(header::COOKIE, &self.reviewer.cookie)
                .header("x-csrf-token", &self.reviewer.csrf)
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    async fn page_upload(&self, period: &str, files: &[(&str, &[u8])]) -> Answer {
        let (content_type, body) =
            multipart_body(&[("csrf", &self.reviewer.csrf), ("period", period)], files);
        self.send(
            Request::post("/imports")
                .header(header::CONTENT_TYPE, content_type)
                .header(header::COOKIE, &self.reviewer.cookie)
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut pairs: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
        pairs.push(format!("csrf={}", self.reviewer.csrf));
        self.send(
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, &self.reviewer.cookie)
                .body(Body::from(pairs.join("&")))
                .unwrap(),
        )
        .await
    }

    async fn api_run(&self, body: &str) -> Answer {
        self.send(
            Request::post("/api/runs")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::COOKIE, &self.reviewer.cookie)
                .header("x-csrf-token", &self.reviewer.csrf)
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }
}

/// The demo's files, for September (one line billed lower) or October.
fn demo_files(period: &str) -> Vec<(&'static str, Vec<u8>)> {
    reckon::demo::FILES
        .iter()
        .map(|&(name, text)| {
            let text = if period == "2026-09" {
                match name {
                    "usage.csv" => text.replace("2026-10-", "2026-09-"),
                    "billing.csv" => text.replacen(",M365-BP,38,", ",M365-BP,36,", 1),
                    _ => text.to_string(),
                }
            } else {
                text.to_string()
            };
            (name, text.into_bytes())
        })
        .collect()
}

fn borrowed<'a>(files: &'a [(&'static str, Vec<u8>)]) -> Vec<(&'static str, &'a [u8])> {
    files.iter().map(|(n, b)| (*n, b.as_slice())).collect()
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../reckon-sources/tests/profiles/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[tokio::test]
async fn upload_preview_import_and_cancel_through_the_pages() {
    let app = app().await;
    let files = demo_files("2026-09");
    let upload = app.page_upload("2026-09", &borrowed(&files)).await;
    assert_eq!(upload.status, StatusCode::SEE_OTHER, "{}", upload.text());
    let preview_path = upload.location();
    assert!(
        preview_path.starts_with("/imports/staged/"),
        "{preview_path}"
    );
    // The token is not in any page but its own; another user cannot see it.
    assert_eq!(
        app.get(&preview_path, &app.viewer).await.status,
        StatusCode::FORBIDDEN
    );
    let preview = app.get(&preview_path, &app.reviewer).await;
    assert_eq!(preview.status, StatusCode::OK);
    let text = preview.text();
    assert!(text.contains("Period: <b>2026-09</b>"), "{text}");
    assert!(
        text.contains("usage.csv") && text.contains("A canonical file"),
        "{text}"
    );
    assert!(text.contains("value=\"import\""), "{text}");
    assert!(
        app.store.imports(None).await.unwrap().is_empty(),
        "nothing stored by a preview"
    );
    let done = app.post_form(&preview_path, &[("action", "import")]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    assert!(
        done.text().contains("Stored 9 snapshots"),
        "{}",
        done.text()
    );
    let imports = app.store.imports(None).await.unwrap();
    assert_eq!(imports.len(), 9);
    assert!(
        imports
            .iter()
            .all(|i| i.imported_by == "rita" && i.period == "2026-09")
    );
    assert!(!app.store.audit(Some("import")).await.unwrap().is_empty());
    // The staged files are gone.
    assert_eq!(std::fs::read_dir(&app.staging).unwrap().count(), 0);
    assert_eq!(
        app.get(&preview_path, &app.reviewer).await.status,
        StatusCode::NOT_FOUND
    );
    // The list shows them.
    let list = app.get("/imports", &app.viewer).await.text();
    assert!(
        list.contains("billing.csv") && list.contains("rita"),
        "{list}"
    );
    // A cancelled upload stores nothing and leaves nothing.
    let upload = app
        .page_upload("2026-10", &borrowed(&demo_files("2026-10")))
        .await;
    let path = upload.location();
    let cancelled = app.post_form(&path, &[("action", "cancel")]).await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.imports(None).await.unwrap().len(), imports.len());
    assert_eq!(std::fs::read_dir(&app.staging).unwrap().count(), 0);
}

#[tokio::test]
async fn api_preview_of_canonical_vendor_unknown_and_duplicate_files() {
    let app = app().await;
    let usage = demo_files("2026-10")
        .into_iter()
        .find(|(name, _)| *name == "usage.csv")
        .unwrap()
        .1;
    // A canonical usage.csv: its feeds, rows and period (newest last seen).
    let preview = app
        .api_upload("?preview=true", &[("usage.csv", &usage)])
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    let json = preview.json();
    assert_eq!(json["period"], "2026-10");
    assert_eq!(json["importable"], true);
    let snapshots = json["files"][0]["snapshots"].as_array().unwrap();
    assert!(snapshots.iter().all(|s| s["kind"] == "usage"), "{json}");
    assert!(
        snapshots
            .iter()
            .map(|s| s["rows"].as_u64().unwrap())
            .sum::<u64>()
            > 0
    );
    assert!(
        json["files"][0]["already_imported"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(app.store.imports(None).await.unwrap().is_empty());
    // Imported, then the same file again: reported as a duplicate.
    let stored = app.api_upload("", &[("usage.csv", &usage)]).await.json();
    assert!(stored["stored"].as_u64().unwrap() >= 1, "{stored}");
    let again = app
        .api_upload("?preview=true", &[("usage.csv", &usage)])
        .await
        .json();
    assert!(
        !again["files"][0]["already_imported"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{again}"
    );
    let twice = app.api_upload("", &[("usage.csv", &usage)]).await.json();
    assert_eq!(twice["stored"], 0, "{twice}");
    assert!(
        twice["imports"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["already_imported"] == true)
    );
    // A vendor export: NinjaOne's devices and organisations, recognised.
    let devices = fixture("ninjaone/devices.json");
    let organizations = fixture("ninjaone/organizations.json");
    let preview = app
        .api_upload(
            "?preview=true&period=2026-11",
            &[
                ("devices.json", &devices),
                ("organizations.json", &organizations),
            ],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    let json = preview.json();
    assert_eq!(json["period"], "2026-11");
    let parts: Vec<&Value> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["recognised"].as_array().unwrap())
        .collect();
    assert!(parts.iter().all(|p| p["profile"] == "ninjaone"), "{json}");
    assert!(parts.iter().any(|p| p["rows_read"].as_u64().unwrap() > 0));
    let kinds: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["snapshots"].as_array().unwrap())
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"usage"), "{json}");
    // Its two files are converted together: one entry, both parts, no error.
    assert_eq!(json["importable"], true, "{json}");
    assert_eq!(
        json["files"][0]["file_name"],
        "devices.json, organizations.json"
    );
    assert_eq!(parts.len(), 2, "{json}");
    let stored = app
        .api_upload(
            "?period=2026-11",
            &[
                ("devices.json", &devices),
                ("organizations.json", &organizations),
            ],
        )
        .await
        .json();
    assert_eq!(stored["imports"][0]["source"], "ninjaone", "{stored}");
    assert_eq!(
        stored["imports"][0]["file_name"],
        "devices.json, organizations.json"
    );
    // A file no profile knows: a clear message, nothing stored.
    let before = app.store.imports(None).await.unwrap().len();
    let mystery = b"colour,flavour\nred,sweet\n".as_slice();
    let preview = app
        .api_upload("?preview=true&period=2026-10", &[("mystery.csv", mystery)])
        .await
        .json();
    let error = preview["files"][0]["error"].as_str().unwrap();
    assert!(
        error.contains("mystery.csv") && error.contains("matches no profile"),
        "{error}"
    );
    assert_eq!(preview["importable"], false);
    let refused = app
        .api_upload("?period=2026-10", &[("mystery.csv", mystery)])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.json()["error"]
            .as_str()
            .unwrap()
            .contains("matches no profile")
    );
    assert_eq!(app.store.imports(None).await.unwrap().len(), before);
    // The page says it too, and offers no import.
    let upload = app
        .page_upload("2026-10", &[("mystery.csv", mystery)])
        .await;
    let page = app.get(&upload.location(), &app.reviewer).await.text();
    assert!(
        page.contains("matches no profile") && !page.contains("value=\"import\""),
        "{page}"
    );
    // The list.
    let list = app.get("/api/imports", &app.viewer).await.json();
    assert_eq!(list["imports"].as_array().unwrap().len(), before);
}

#[tokio::test]
async fn runs_started_compared_and_downloaded() {
    let app = app().await;
    for period in ["2026-09", "2026-10"] {
        let files = demo_files(period);
        let answer = app
            .api_upload(&format!("?period={period}"), &borrowed(&files))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    }
    // September by the API, October by the page's form.
    let started = app.api_run(r#"{"period":"2026-09"}"#).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text());
    let first = started.json()["id"].as_i64().unwrap();
    assert!(started.json()["warnings"].is_array());
    let page = app.post_form("/runs", &[("period", "2026-10")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let runs = app.store.runs(None).await.unwrap();
    assert_eq!(runs.len(), 2);
    let second = runs[1].clone();
    assert_eq!(second.period, "2026-10");
    assert_eq!(second.created_by, "rita");
    assert!(
        page.text()
            .contains(&format!("Against run <a href=\"/runs/{first}\">")),
        "{}",
        page.text()
    );
    let audit = app.store.audit(Some("run")).await.unwrap();
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0].actor, "rita");
    // The comparison: the line billed 36 in September and 38 in October.
    let detail = app
        .get(&format!("/api/runs/{}", second.id), &app.viewer)
        .await
        .json();
    assert_eq!(detail["comparison"]["previous_run"], first);
    let changed = detail["comparison"]["changed"].as_array().unwrap();
    let moved = changed
        .iter()
        .find(|c| c["product_id"] == "M365-BP")
        .unwrap_or_else(|| panic!("{detail}"));
    assert_ne!(moved["impact_change"], "0", "{moved}");
    assert_ne!(moved["billed_before"], moved["billed"], "{moved}");
    // The list page.
    let list = app.get("/runs", &app.viewer).await.text();
    assert!(list.contains(&format!("/runs/{}", second.id)) && !list.contains("Start a run"));
    // Downloads agree with the run's totals.
    let base = format!("/runs/{}/export", second.id);
    let csv = app.get(&format!("{base}?format=csv"), &app.viewer).await;
    assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let rows = csv.text().lines().count() as u64 - 1;
    assert_eq!(rows, second.finding_count);
    let json = app
        .get(
            &format!("/api/runs/{}/export?format=json", second.id),
            &app.viewer,
        )
        .await;
    assert_eq!(json.headers[header::CONTENT_TYPE], "application/json");
    let report: Value = json.json();
    let money = |text: &str| text.parse::<rust_decimal::Decimal>().unwrap();
    let totals = &report["totals"];
    assert_eq!(
        money(totals["underbilled_per_month"].as_str().unwrap()),
        money(&second.underbilled)
    );
    assert_eq!(
        money(totals["overbilled_per_month"].as_str().unwrap()),
        money(&second.overbilled)
    );
    assert_eq!(totals["findings"].as_u64().unwrap(), second.finding_count);
    let html = app.get(&format!("{base}?format=html"), &app.viewer).await;
    assert_eq!(
        html.headers[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    let shown = reckon_report::model::money_text(money(&second.underbilled));
    assert!(
        html.text().contains(&shown),
        "{shown} not in the printable report"
    );
    // The workbook's Summary says the same.
    let xlsx = app.get(&format!("{base}?format=xlsx"), &app.viewer).await;
    assert!(xlsx.body.starts_with(b"PK"));
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.body.clone())).unwrap();
    let summary = calamine::Reader::worksheet_range(&mut workbook, "Summary").unwrap();
    let cells: Vec<String> = summary
        .cells()
        .map(|(_, _, cell)| cell.to_string())
        .collect();
    let underbilled: f64 = second.underbilled.parse().unwrap();
    assert!(
        cells
            .iter()
            .any(|cell| cell.parse::<f64>().ok() == Some(underbilled)),
        "{} not in the Summary: {cells:?}",
        second.underbilled
    );
    let evidence = app
        .get(&format!("{base}?format=evidence-csv"), &app.viewer)
        .await;
    assert_eq!(evidence.status, StatusCode::OK);
    let adjustments = app
        .get(&format!("{base}?format=adjustments&all=true"), &app.viewer)
        .await;
    assert_eq!(adjustments.status, StatusCode::OK, "{}", adjustments.text());
    let disposition = adjustments.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap();
    assert!(disposition.contains("adjustments"), "{disposition}");
    let connectwise = app
        .get(
            &format!("{base}?format=adjustments&all=true&psa=connectwise"),
            &app.viewer,
        )
        .await;
    assert_eq!(
        connectwise.headers[header::CONTENT_TYPE],
        "application/json"
    );
    // A period with nothing imported: the user is told.
    let missing = app.api_run(r#"{"period":"2025-01"}"#).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(
        missing.json()["error"]
            .as_str()
            .unwrap()
            .contains("no usage imported")
    );
}
