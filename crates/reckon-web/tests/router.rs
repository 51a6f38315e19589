//! The app in process: requests in, status and body out. Every route is
//! tried as an admin, a reviewer, a viewer and an anonymous visitor; forms
//! without their CSRF token are refused; sign-in is rate-limited.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: fail loudly

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use reckon_store::{
    NewApiToken, NewRun, NewUser, PeriodState, ReviewState, Role, RunStore, Session, SqlStore,
    Store, StoredFinding, UserStore, short_id,
};
use reckon_web::secrets::{hash_password, new_token, token_hash};
use reckon_web::{AppState, WebConfig, router};
use tower::ServiceExt;

const UNDER: &str = r#"{"kind":"underbilled","client_id":"C1","client_name":"Contoso Dental","product_id":"M365-BP","product_name":"Microsoft 365 Business Premium","source":null,"key":null,"billed":"38","actual":"42","diff":"4","unit_price":"22.00","impact":"88.00","money_at_stake":"88.00","count":null,"cause":"billing_issue","explanation":"42 in use, 38 billed","priority":"high","evidence":{"groups":[{"client_id":"C1","source":"m365","sku":"SPB","sku_name":"Microsoft 365 Business Premium","state":"counted","status":"active","basis":"item","items":[["ann@contoso.example","2026-10-30T08:00:00Z","1",1],["bob@contoso.example","2026-10-29T08:00:00Z","1",1]]}],"billing_lines":[{"line_id":"L1","quantity":"38","unit_price":"22.00"}]}}"#;
const OVER: &str = r#"{"kind":"overbilled","client_id":"C2","client_name":"Northwind Logistics","product_id":"BACKUP","product_name":"Endpoint Backup","source":null,"key":null,"billed":"12","actual":"9","diff":"-3","unit_price":"15.00","impact":"-45.00","money_at_stake":"45.00","count":null,"cause":"billing_issue","explanation":"12 billed, 9 in use","priority":"medium","evidence":{"groups":[],"billing_lines":[{"line_id":"L2","quantity":"12","unit_price":"15.00"}]}}"#;

fn stored(
    detail: &str,
    kind: &str,
    client: &str,
    product: &str,
    impact: &str,
    stake: &str,
) -> StoredFinding {
    StoredFinding {
        fingerprint: StoredFinding::fingerprint_of(kind, client, product, "", ""),
        kind: kind.to_string(),
        client_id: client.to_string(),
        product_id: product.to_string(),
        source: String::new(),
        item_key: String::new(),
        billed: "38".to_string(),
        actual: "42".to_string(),
        impact: impact.to_string(),
        money_at_stake: stake.to_string(),
        cause: "billing_issue".to_string(),
        priority: "high".to_string(),
        explanation: "42 in use, 38 billed".to_string(),
        detail: detail.to_string(),
    }
}

/// A signed-in visitor: the session cookie and its CSRF token.
#[derive(Clone)]
struct Visitor {
    cookie: String,
    csrf: String,
}

struct App {
    router: Router,
    store: SqlStore,
    visitors: HashMap<Role, Visitor>,
    tokens: HashMap<Role, String>,
    run: i64,
    under: String,
    over: String,
    _dir: tempfile::TempDir,
}

async fn app_with(config: WebConfig) -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite(&dir.path().join("reckon.db"))
        .await
        .unwrap();
    let mut visitors = HashMap::new();
    let mut tokens = HashMap::new();
    for role in Role::ALL {
        let name = role.as_str();
        let id = store
            .add_user(
                &NewUser {
                    name: name.to_string(),
                    password_hash: hash_password(&format!("password-of-{name}")).unwrap(),
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
        visitors.insert(
            role,
            Visitor {
                cookie: format!("reckon_session={token}"),
                csrf,
            },
        );
        let api_token = new_token("rkt_");
        store
            .add_api_token(&NewApiToken {
                name: format!("{name}-script"),
                token_hash: token_hash(&api_token),
                role,
                created_by: "test".to_string(),
                created_at: "2026-11-01T00:00:00Z".to_string(),
            })
            .await
            .unwrap();
        tokens.insert(role, api_token);
    }
    let findings = [
        stored(UNDER, "underbilled", "C1", "M365-BP", "88.00", "88.00"),
        stored(OVER, "overbilled", "C2", "BACKUP", "-45.00", "45.00"),
    ];
    let run = store
        .add_run(
            &NewRun {
                period: "2026-10".to_string(),
                as_of: "2026-10-31T00:00:00Z".to_string(),
                stale_days: 30,
                created_at: "2026-11-01T09:00:00Z".to_string(),
                created_by: "ann".to_string(),
                inputs: vec![],
                pairs: 12,
                underbilled: "88.00".to_string(),
                overbilled: "45.00".to_string(),
            },
            &findings,
        )
        .await
        .unwrap();
    App {
        router: router(AppState::new(store.clone(), config)),
        store,
        visitors,
        tokens,
        run,
        under: short_id(&findings[0].fingerprint),
        over: short_id(&findings[1].fingerprint),
        _dir: dir,
    }
}

async fn app() -> App {
    app_with(WebConfig::default()).await
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Answer {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl App {
    async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn get(&self, path: &str, who: Option<Role>) -> Answer {
        let mut request = Request::get(path);
        if let Some(role) = who {
            request = request.header(header::COOKIE, &self.visitors[&role].cookie);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// A form POST; `csrf: true` adds the visitor's own token.
    async fn post_form(
        &self,
        path: &str,
        who: Option<Role>,
        fields: &[(&str, &str)],
        csrf: bool,
    ) -> Answer {
        let mut pairs: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
            .collect();
        let mut request =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(role) = who {
            let visitor = &self.visitors[&role];
            request = request.header(header::COOKIE, &visitor.cookie);
            if csrf {
                pairs.push(format!("csrf={}", visitor.csrf));
            }
        }
        self.send(request.body(Body::from(pairs.join("&"))).unwrap())
            .await
    }

    /// A JSON POST by session (with or without the CSRF header) or token.
    async fn post_json(&self, path: &str, auth: Auth, body: &str) -> Answer {
        let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        match auth {
            Auth::Anonymous => {}
            Auth::Session(role, with_csrf) => {
                let visitor = &self.visitors[&role];
                request = request.header(header::COOKIE, &visitor.cookie);
                if with_csrf {
                    request = request.header("x-csrf-token", &visitor.csrf);
                }
            }
            Auth::Token(role) => {
                request = request.header(
                    header::AUTHORIZATION,
                    format!("Bearer {}", self.tokens[&role]),
                );
            }
        }
        self.send(request.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// A multipart POST, its body written by hand: text fields, then files.
    async fn post_multipart(
        &self,
        path: &str,
        auth: Auth,
        fields: &[(&str, &str)],
        files: &[(&str, &[u8])],
    ) -> Answer {
        let (content_type, body) = multipart_body(fields, files);
        let mut request = Request::post(path).header(header::CONTENT_TYPE, content_type);
        match auth {
            Auth::Anonymous => {}
            Auth::Session(role, with_csrf) => {
                let visitor = &self.visitors[&role];
                request = request.header(header::COOKIE, &visitor.cookie);
                if with_csrf {
                    request = request.header("x-csrf-token", &visitor.csrf);
                }
            }
            Auth::Token(role) => {
                request = request.header(
                    header::AUTHORIZATION,
                    format!("Bearer {}", self.tokens[&role]),
                );
            }
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    async fn get_with_token(&self, path: &str, token: &str) -> Answer {
        let request = Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
        self.send(request.body(Body::empty()).unwrap()).await
    }

    async fn review_state(&self, short: &str) -> Option<ReviewState> {
        self.store
            .finding_by_short_id(self.run, short, "2026-11-02")
            .await
            .unwrap()
            .and_then(|row| row.review.map(|r| r.state))
    }
}

/// A `multipart/form-data` body: its content type and bytes.
fn multipart_body(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "reckon-test-boundary-5f2a";
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

#[derive(Clone, Copy)]
enum Auth {
    Anonymous,
    Session(Role, bool),
    Token(Role),
}

const ROLES: [Option<Role>; 4] = [
    Some(Role::Admin),
    Some(Role::Reviewer),
    Some(Role::Viewer),
    None,
];

#[tokio::test]
async fn every_read_route_as_each_role_and_anonymous() {
    let app = app().await;
    let pages = [
        "/".to_string(),
        "/?period=2026-10".to_string(),
        "/findings".to_string(),
        format!(
            "/findings?run={}&kind=underbilled&sort=impact&dir=asc&q=contoso&page=1",
            app.run
        ),
        format!("/findings/{}", app.under),
        format!("/findings/{}?run={}", app.over, app.run),
    ];
    let apis = [
        "/api/me".to_string(),
        "/api/runs".to_string(),
        "/api/findings".to_string(),
        format!("/api/findings/{}", app.under),
    ];
    for who in ROLES {
        for path in &pages {
            let answer = app.get(path, who).await;
            match who {
                Some(role) => assert_eq!(
                    answer.status,
                    StatusCode::OK,
                    "{path} as {role:?}: {}",
                    answer.body
                ),
                None => {
                    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path} anonymous");
                    assert!(
                        answer.location().starts_with("/sign-in?next=%2F"),
                        "{}",
                        answer.location()
                    );
                }
            }
        }
        for path in &apis {
            let answer = app.get(path, who).await;
            match who {
                Some(_) => assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body),
                None => {
                    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{path} anonymous");
                    assert_eq!(answer.json()["error"], "sign in first");
                }
            }
        }
    }
    // API tokens read the API, not the pages.
    for role in Role::ALL {
        let token = &app.tokens[&role];
        for path in &apis {
            assert_eq!(
                app.get_with_token(path, token).await.status,
                StatusCode::OK,
                "{path}"
            );
        }
        assert_eq!(
            app.get_with_token("/", token).await.status,
            StatusCode::SEE_OTHER
        );
    }
    assert_eq!(
        app.get_with_token("/api/me", "rkt_wrong").await.status,
        StatusCode::UNAUTHORIZED
    );
    let me = app
        .get_with_token("/api/me", &app.tokens[&Role::Reviewer])
        .await
        .json();
    assert_eq!(me["name"], "token:reviewer-script");
    assert_eq!(me["role"], "reviewer");
}

#[tokio::test]
async fn anonymous_routes_answer_without_sign_in() {
    let app = app().await;
    for (path, status) in [
        ("/healthz", StatusCode::OK),
        ("/api/openapi.json", StatusCode::OK),
        ("/sign-in", StatusCode::OK),
        ("/static/app.css", StatusCode::OK),
        ("/static/app.js", StatusCode::OK),
        ("/static/favicon.svg", StatusCode::OK),
        // Users exist: setup is gone.
        ("/setup", StatusCode::NOT_FOUND),
    ] {
        assert_eq!(app.get(path, None).await.status, status, "{path}");
    }
    assert_eq!(
        app.post_form(
            "/setup",
            None,
            &[
                ("name", "eve"),
                ("password", "0123456789ab"),
                ("password_again", "0123456789ab")
            ],
            false
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let missing = app.get("/no-such-page", Some(Role::Viewer)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.body.contains("<h1>Not Found</h1>"),
        "{}",
        missing.body
    );
    let missing = app
        .get("/api/findings/0123456789", Some(Role::Viewer))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["status"], 404);
    let bad = app
        .get("/api/findings?sort=sideways", Some(Role::Viewer))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["error"].as_str().unwrap().contains("sort"));
    let bad = app.get("/findings?page=first", Some(Role::Viewer)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("<!DOCTYPE html>"));
}

#[tokio::test]
async fn every_write_route_as_each_role_and_anonymous() {
    let app = app().await;
    let review_path = format!("/findings/{}/review", app.under);
    let run = app.run.to_string();
    for who in ROLES {
        let form = app
            .post_form(
                &review_path,
                who,
                &[
                    ("run", &run),
                    ("state", "acknowledged"),
                    ("note", "checked"),
                ],
                true,
            )
            .await;
        let bulk = app
            .post_form(
                "/findings/bulk",
                who,
                &[
                    ("run", &run),
                    ("action", "acknowledge"),
                    ("id", &app.over),
                    ("back", "/findings"),
                ],
                true,
            )
            .await;
        let api = app
            .post_json(
                &format!("/api/findings/{}/review", app.under),
                who.map_or(Auth::Anonymous, |r| Auth::Session(r, true)),
                r#"{"assignee":"bob"}"#,
            )
            .await;
        match who {
            Some(Role::Admin | Role::Reviewer) => {
                assert_eq!(form.status, StatusCode::SEE_OTHER, "{}", form.body);
                assert!(form.location().ends_with("&saved=1"));
                assert_eq!(bulk.status, StatusCode::SEE_OTHER, "{}", bulk.body);
                assert_eq!(api.status, StatusCode::OK, "{}", api.body);
                assert_eq!(api.json()["assignee"], "bob");
            }
            Some(Role::Viewer) => {
                for answer in [&form, &bulk] {
                    assert_eq!(answer.status, StatusCode::FORBIDDEN);
                    assert!(answer.body.contains("your role does not allow this"));
                }
                assert_eq!(api.status, StatusCode::FORBIDDEN);
            }
            None => {
                assert_eq!(form.status, StatusCode::SEE_OTHER);
                assert!(form.location().starts_with("/sign-in"));
                assert_eq!(bulk.status, StatusCode::SEE_OTHER);
                assert_eq!(api.status, StatusCode::UNAUTHORIZED);
            }
        }
    }
    // Tokens: by role, and no CSRF header needed (not a browser).
    for role in Role::ALL {
        let answer = app
            .post_json(
                &format!("/api/findings/{}/review", app.over),
                Auth::Token(role),
                r#"{"state":"resolved","note":"fixed in the PSA"}"#,
            )
            .await;
        let expected = if role == Role::Viewer {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::OK
        };
        assert_eq!(answer.status, expected, "{role:?}: {}", answer.body);
    }
    // Sign-out, for every role.
    for role in Role::ALL {
        let answer = app.post_form("/sign-out", Some(role), &[], true).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER);
        let cookie = answer
            .headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(cookie.contains("Max-Age=0"), "{cookie}");
        assert_eq!(
            app.get("/", Some(role)).await.status,
            StatusCode::SEE_OTHER,
            "the session has ended"
        );
    }
    assert_eq!(
        app.post_form("/sign-out", None, &[], false).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn writes_without_their_csrf_token_are_refused() {
    let app = app().await;
    let run = app.run.to_string();
    let review_path = format!("/findings/{}/review", app.under);
    let missing = app
        .post_form(
            &review_path,
            Some(Role::Admin),
            &[("run", &run), ("state", "resolved")],
            false,
        )
        .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.body.contains("reload the page"), "{}", missing.body);
    let wrong = app
        .post_form(
            &review_path,
            Some(Role::Admin),
            &[("run", &run), ("state", "resolved"), ("csrf", "forged")],
            false,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let bulk = app
        .post_form(
            "/findings/bulk",
            Some(Role::Reviewer),
            &[("run", &run), ("action", "acknowledge"), ("id", &app.under)],
            false,
        )
        .await;
    assert_eq!(bulk.status, StatusCode::FORBIDDEN);
    let sign_out = app
        .post_form("/sign-out", Some(Role::Viewer), &[], false)
        .await;
    assert_eq!(sign_out.status, StatusCode::FORBIDDEN);
    let api = app
        .post_json(
            &format!("/api/findings/{}/review", app.under),
            Auth::Session(Role::Admin, false),
            r#"{"state":"resolved"}"#,
        )
        .await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert_eq!(api.json()["status"], 403);
    assert_eq!(
        app.review_state(&app.under).await,
        None,
        "nothing was changed"
    );
    // The viewer is still signed in: a refused form does not sign out.
    assert_eq!(
        app.get("/", Some(Role::Viewer)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn reviews_from_pages_and_api_are_the_cli_s_store_calls() {
    let app = app().await;
    let run = app.run.to_string();
    let answer = app
        .post_form(
            &format!("/findings/{}/review", app.under),
            Some(Role::Reviewer),
            &[
                ("run", &run),
                ("state", "acknowledged"),
                ("assignee", "bob"),
                ("for_action", "1"),
                ("note", "Client confirmed 42 seats"),
            ],
            true,
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let row = app
        .store
        .finding_by_short_id(app.run, &app.under, "2026-11-02")
        .await
        .unwrap()
        .unwrap();
    let review = row.review.unwrap();
    assert_eq!(
        (review.state, review.assignee.as_str(), review.for_action),
        (ReviewState::Acknowledged, "bob", true)
    );
    assert_eq!(review.updated_by, "reviewer");
    let notes = app.store.notes(&row.finding.fingerprint).await.unwrap();
    assert_eq!(notes[0].body, "Client confirmed 42 seats");
    let audit = app.store.audit(Some("finding")).await.unwrap();
    assert_eq!(audit.len(), 2, "one review change and one note: {audit:?}");
    assert_eq!(
        audit[0].new_value.as_deref(),
        Some("acknowledged, assigned to bob, marked for a PSA change")
    );

    // The same form again with only a note changes no review.
    app.post_form(
        &format!("/findings/{}/review", app.under),
        Some(Role::Reviewer),
        &[
            ("run", &run),
            ("state", "acknowledged"),
            ("assignee", "bob"),
            ("for_action", "1"),
            ("note", "Second note"),
        ],
        true,
    )
    .await;
    assert_eq!(app.store.audit(Some("finding")).await.unwrap().len(), 3);

    // A save from a page opened before that review (it saw no review yet)
    // does not undo it: refused with 409, its note kept.
    let stale = app
        .post_form(
            &format!("/findings/{}/review", app.under),
            Some(Role::Reviewer),
            &[
                ("run", &run),
                ("review_version", ""),
                ("state", "open"),
                ("assignee", ""),
                ("note", "Written on an old page"),
            ],
            true,
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.body.contains("Your note was saved"), "{}", stale.body);
    let row = app
        .store
        .finding_by_short_id(app.run, &app.under, "2026-11-02")
        .await
        .unwrap()
        .unwrap();
    let review = row.review.unwrap();
    assert_eq!(
        (review.state, review.assignee.as_str()),
        (ReviewState::Acknowledged, "bob")
    );
    let notes = app.store.notes(&row.finding.fingerprint).await.unwrap();
    assert!(notes.iter().any(|n| n.body == "Written on an old page"));

    // The page shows it all.
    let page = app
        .get(
            &format!("/findings/{}?run={run}&saved=1", app.under),
            Some(Role::Viewer),
        )
        .await;
    for text in [
        "Client confirmed 42 seats",
        "Second note",
        "Marked for a change in the PSA",
        "ann@contoso.example",
        "88.00",
        "1,056.00",
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
    assert!(
        !page.body.contains("Save review"),
        "viewers see no review form"
    );
    let reviewer_page = app
        .get(&format!("/findings/{}", app.under), Some(Role::Reviewer))
        .await;
    assert!(reviewer_page.body.contains("Save review"));

    // Bulk: ignoring needs a reason; with one, every chosen finding.
    let refused = app
        .post_form(
            "/findings/bulk",
            Some(Role::Admin),
            &[("run", &run), ("action", "ignore"), ("id", &app.over)],
            true,
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let bulk = app
        .post_form(
            "/findings/bulk",
            Some(Role::Admin),
            &[
                ("run", &run),
                ("action", "ignore"),
                ("reason", "seasonal"),
                ("until", "2027-01-31"),
                ("id", &app.over),
                ("id", &app.under),
                ("back", "/findings?kind=overbilled"),
            ],
            true,
        )
        .await;
    assert_eq!(bulk.status, StatusCode::SEE_OTHER, "{}", bulk.body);
    assert_eq!(bulk.location(), "/findings?kind=overbilled&done=2");
    assert_eq!(
        app.review_state(&app.over).await,
        Some(ReviewState::Ignored)
    );
    assert_eq!(
        app.review_state(&app.under).await,
        Some(ReviewState::Ignored)
    );
    let escape = app
        .post_form(
            "/findings/bulk",
            Some(Role::Admin),
            &[
                ("run", &run),
                ("action", "acknowledge"),
                ("id", &app.over),
                ("back", "//evil.example/"),
            ],
            true,
        )
        .await;
    assert_eq!(
        escape.location(),
        "/findings?done=1",
        "never sent off the site"
    );

    // The API: filters, one finding, a bad date, a closed period.
    let list = app
        .get("/api/findings?state=ignored", Some(Role::Viewer))
        .await
        .json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["findings"][0]["id"], app.under);
    let one = app
        .get(&format!("/api/findings/{}", app.under), Some(Role::Viewer))
        .await
        .json();
    assert_eq!(one["impact"], "88.00");
    assert_eq!(one["evidence"].as_array().unwrap().len(), 2);
    assert_eq!(one["notes"].as_array().unwrap().len(), 3);
    assert_eq!(one["history"], serde_json::json!([app.run]));
    let bad = app
        .post_json(
            &format!("/api/findings/{}/review", app.under),
            Auth::Token(Role::Reviewer),
            r#"{"state":"ignored","reason":"x","until":"soon"}"#,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let unknown_field = app
        .post_json(
            &format!("/api/findings/{}/review", app.under),
            Auth::Token(Role::Reviewer),
            r#"{"colour":"red"}"#,
        )
        .await;
    assert!(unknown_field.status.is_client_error());
    assert!(
        unknown_field.json()["error"]
            .as_str()
            .unwrap()
            .contains("colour")
    );
    app.store
        .set_period_closed(&PeriodState {
            period: "2026-10".to_string(),
            closed: true,
            final_run: Some(app.run),
            changed_at: "2026-11-05T00:00:00Z".to_string(),
            changed_by: "ann".to_string(),
        })
        .await
        .unwrap();
    let closed = app
        .post_json(
            &format!("/api/findings/{}/review", app.under),
            Auth::Token(Role::Admin),
            r#"{"state":"resolved"}"#,
        )
        .await;
    assert_eq!(closed.status, StatusCode::CONFLICT);
    assert!(closed.json()["error"].as_str().unwrap().contains("closed"));
}

#[tokio::test]
async fn sign_in_sets_a_safe_cookie_and_failures_are_rate_limited() {
    let app = app().await;
    let page = app.get("/sign-in?next=/findings", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"name="next" value="/findings""#));
    let ok = app
        .post_form(
            "/sign-in",
            None,
            &[
                ("name", "viewer"),
                ("password", "password-of-viewer"),
                ("next", "/findings"),
            ],
            false,
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), "/findings");
    let cookie = ok
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"));
    let session = cookie.split(';').next().unwrap().to_string();
    let request = Request::get("/")
        .header(header::COOKIE, &session)
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::OK);
    // Signed in already: the sign-in page sends you on.
    let request = Request::get("/sign-in?next=https://evil.example")
        .header(header::COOKIE, &session)
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(request).await.location(), "/");

    for attempt in 0..5 {
        let failed = app
            .post_form(
                "/sign-in",
                None,
                &[("name", "admin"), ("password", "guess")],
                false,
            )
            .await;
        assert_eq!(failed.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
        assert!(failed.body.contains("Wrong name or password."));
    }
    let blocked = app
        .post_form(
            "/sign-in",
            None,
            &[("name", "admin"), ("password", "password-of-admin")],
            false,
        )
        .await;
    assert_eq!(
        blocked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the right password waits too"
    );
    assert!(blocked.headers.get(header::SET_COOKIE).is_none());
    // The same address is blocked for another name as well.
    let other = app
        .post_form(
            "/sign-in",
            None,
            &[("name", "reviewer"), ("password", "password-of-reviewer")],
            false,
        )
        .await;
    assert_eq!(other.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn secure_cookies_when_served_over_https() {
    let app = app_with(WebConfig {
        secure_cookies: true,
        ..WebConfig::default()
    })
    .await;
    let ok = app
        .post_form(
            "/sign-in",
            None,
            &[("name", "admin"), ("password", "password-of-admin")],
            false,
        )
        .await;
    let cookie = ok
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
}

#[tokio::test]
async fn setup_makes_the_first_admin_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite(&dir.path().join("reckon.db"))
        .await
        .unwrap();
    let router = router(AppState::new(store.clone(), WebConfig::default()));
    let send = |request: Request<Body>| router.clone().oneshot(request);
    let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
    let sign_in = send(get("/sign-in")).await.unwrap();
    assert_eq!(
        sign_in.headers()[header::LOCATION],
        "/setup",
        "no user yet: set up first"
    );
    let page = send(get("/setup")).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    // The form's token is in a SameSite=Strict cookie and in the form.
    let set_cookie = page.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    let token = set_cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("reckon_setup=")
        .to_string();
    let post_with = |body: &str, cookie: Option<&str>| {
        let mut request = Request::post("/setup")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, format!("reckon_setup={cookie}"));
        }
        request.body(Body::from(body.to_string())).unwrap()
    };
    // Another site's post has neither the cookie nor the token: refused.
    let forged = send(post_with(
        "name=eve&password=long+enough+1&password_again=long+enough+1",
        None,
    ))
    .await
    .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let wrong = send(post_with(
        "name=eve&password=long+enough+1&password_again=long+enough+1&csrf=nope",
        Some(&token),
    ))
    .await
    .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert_eq!(store.user_count().await.unwrap(), 0);
    let post = |body: &str| post_with(&format!("{body}&csrf={token}"), Some(&token));
    let short = send(post("name=ann&password=short&password_again=short"))
        .await
        .unwrap();
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
    let differ = send(post(
        "name=ann&password=long+enough+1&password_again=long+enough+2",
    ))
    .await
    .unwrap();
    assert_eq!(differ.status(), StatusCode::BAD_REQUEST);
    let made = send(post(
        "name=ann&password=long+enough+1&password_again=long+enough+1",
    ))
    .await
    .unwrap();
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    assert!(
        made.headers().contains_key(header::SET_COOKIE),
        "signed in as the new admin"
    );
    let ann = store.user_by_name("ann").await.unwrap().unwrap();
    assert_eq!(ann.role, Role::Admin);
    assert_eq!(
        send(get("/setup")).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let again = send(post(
        "name=eve&password=long+enough+1&password_again=long+enough+1",
    ))
    .await
    .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    assert_eq!(store.user_count().await.unwrap(), 1);
    let created = store.audit(Some("user")).await.unwrap();
    assert_eq!(created[0].new_value.as_deref(), Some("role admin"));
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_api_routes() {
    let app = app().await;
    let document = app.get("/api/openapi.json", None).await.json();
    let mut documented: Vec<String> = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    documented.sort();
    assert_eq!(
        documented,
        [
            "GET /api/findings",
            "GET /api/findings/{id}",
            "GET /api/imports",
            "GET /api/mappings",
            "GET /api/me",
            "GET /api/openapi.json",
            "GET /api/runs",
            "GET /api/runs/{id}",
            "GET /api/runs/{id}/export",
            "GET /api/tokens",
            "GET /api/users",
            "POST /api/findings/{id}/review",
            "POST /api/imports",
            "POST /api/mappings/clients",
            "POST /api/mappings/products",
            "POST /api/mappings/rejections",
            "POST /api/runs",
            "POST /api/tokens",
            "POST /api/users",
        ]
    );
    // Each documented route answers (not 404 or 405) for a reviewer.
    for route in &documented {
        let (method, path) = route.split_once(' ').unwrap();
        let path = if path.starts_with("/api/runs/") {
            path.replace("{id}", &app.run.to_string()) + "?format=json"
        } else {
            path.replace("{id}", &app.under)
        };
        // Importing and running need the binary's workspace actions (503
        // here; crates/reckon/tests/web_imports_runs.rs has them).
        if route == "POST /api/runs" {
            let answer = app
                .post_json(&path, Auth::Token(Role::Reviewer), "{}")
                .await;
            assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE, "{route}");
            continue;
        }
        if route == "POST /api/imports" {
            let answer = app
                .post_multipart(
                    &path,
                    Auth::Token(Role::Reviewer),
                    &[],
                    &[("usage.csv", b"x")],
                )
                .await;
            assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE, "{route}");
            continue;
        }
        let answer = if method == "GET" {
            app.get(&path, Some(Role::Reviewer)).await
        } else {
            app.post_json(&path, Auth::Token(Role::Reviewer), "{}")
                .await
        };
        // Admin-only routes exist and refuse a reviewer.
        let admin_only = route.starts_with("POST /api/mappings/")
            || route.ends_with("/api/users")
            || route.ends_with("/api/tokens");
        let expected = if admin_only {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::OK
        };
        assert_eq!(answer.status, expected, "{route}: {}", answer.body);
    }
    // And an undocumented one does not exist.
    assert_eq!(
        app.get("/api/nothing-here", Some(Role::Admin)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn dashboard_and_findings_show_exact_money() {
    let app = app().await;
    let dashboard = app.get("/", Some(Role::Viewer)).await;
    for text in [
        "88.00",
        "1,056.00",
        "45.00",
        "540.00",
        "Contoso Dental",
        "Northwind Logistics",
        "<svg",
        "Underbilled",
    ] {
        assert!(
            dashboard.body.contains(text),
            "{text} missing from the dashboard"
        );
    }
    let findings = app
        .get("/findings?sort=impact&dir=asc", Some(Role::Viewer))
        .await;
    let over = findings.body.find("Northwind Logistics").unwrap();
    let under = findings.body.find("Contoso Dental").unwrap();
    assert!(over < under, "sorted by impact, ascending");
    assert!(findings.body.contains("-45.00"));
    assert!(
        !findings.body.contains("/findings/bulk"),
        "viewers get no bulk form"
    );
    let reviewer = app.get("/findings", Some(Role::Reviewer)).await;
    assert!(reviewer.body.contains("/findings/bulk"));
    let searched = app
        .get("/findings?q=42+in+use&kind=overbilled", Some(Role::Viewer))
        .await;
    assert!(
        searched.body.contains("1 matching"),
        "shareable filters in the URL"
    );
}

/// The CSRF token (random) as a fixed text, for snapshots.
fn without_secrets(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(at) = rest.find(r#"name="csrf" value=""#) {
        let start = at + r#"name="csrf" value=""#.len();
        out.push_str(&rest[..start]);
        out.push_str("CSRF");
        rest = &rest[start..];
        rest = &rest[rest.find('"').unwrap()..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn pages_snapshot() {
    let app = app().await;
    let sign_in = app.get("/sign-in", None).await;
    insta::assert_snapshot!("sign_in_page", sign_in.body.replace("><", ">\n<"));
    let finding = app
        .get(&format!("/findings/{}", app.over), Some(Role::Viewer))
        .await;
    insta::assert_snapshot!(
        "finding_page_as_viewer",
        without_secrets(&finding.body).replace("><", ">\n<")
    );
}

#[tokio::test]
async fn imports_and_runs_routes_as_each_role_and_anonymous() {
    let app = app().await;
    let run = app.run;
    let pages = [
        "/imports".to_string(),
        "/runs".to_string(),
        format!("/runs/{run}"),
    ];
    let apis = ["/api/imports".to_string(), format!("/api/runs/{run}")];
    for who in ROLES {
        for path in &pages {
            let answer = app.get(path, who).await;
            match who {
                Some(role) => {
                    assert_eq!(
                        answer.status,
                        StatusCode::OK,
                        "{path} as {role:?}: {}",
                        answer.body
                    );
                    // The upload and run forms only for those who may use them.
                    let forms = answer.body.contains("Upload and preview")
                        || answer.body.contains("Start a run");
                    if path != &format!("/runs/{run}") {
                        assert_eq!(forms, role != Role::Viewer, "{path} as {role:?}");
                    }
                }
                None => assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path} anonymous"),
            }
        }
        for path in &apis {
            let answer = app.get(path, who).await;
            let expected = if who.is_some() {
                StatusCode::OK
            } else {
                StatusCode::UNAUTHORIZED
            };
            assert_eq!(
                answer.status, expected,
                "{path} as {who:?}: {}",
                answer.body
            );
        }
        // Downloads: page and API, every role that is signed in.
        for path in [
            format!("/runs/{run}/export?format=csv"),
            format!("/api/runs/{run}/export?format=csv"),
        ] {
            let answer = app.get(&path, who).await;
            match who {
                Some(_) => {
                    assert_eq!(answer.status, StatusCode::OK, "{path}");
                    assert_eq!(
                        answer.headers[header::CONTENT_TYPE],
                        "text/csv; charset=utf-8"
                    );
                }
                None => assert_ne!(answer.status, StatusCode::OK, "{path}"),
            }
        }
        // A staged upload is the uploader's (none here) and a reviewer's.
        let staged = format!("/imports/staged/{}", "ab".repeat(32));
        let answer = app.get(&staged, who).await;
        let expected = match who {
            Some(Role::Viewer) => StatusCode::FORBIDDEN,
            Some(_) => StatusCode::NOT_FOUND,
            None => StatusCode::SEE_OTHER,
        };
        assert_eq!(answer.status, expected, "{staged} as {who:?}");
        // Writes: without the binary's actions a reviewer gets 503; a
        // viewer 403; an anonymous visitor is sent to sign in.
        let expected = match who {
            Some(Role::Viewer) => StatusCode::FORBIDDEN,
            Some(_) => StatusCode::SERVICE_UNAVAILABLE,
            None => StatusCode::SEE_OTHER,
        };
        let form = app
            .post_form("/runs", who, &[("period", "2026-10")], true)
            .await;
        assert_eq!(
            form.status, expected,
            "POST /runs as {who:?}: {}",
            form.body
        );
        let mut fields = vec![("period", "2026-10")];
        let csrf = who
            .map(|role| app.visitors[&role].csrf.clone())
            .unwrap_or_default();
        fields.push(("csrf", &csrf));
        let auth = match who {
            Some(role) => Auth::Session(role, false),
            None => Auth::Anonymous,
        };
        let upload = app
            .post_multipart("/imports", auth, &fields, &[("usage.csv", b"source\n")])
            .await;
        assert_eq!(
            upload.status, expected,
            "POST /imports as {who:?}: {}",
            upload.body
        );
        let decide = app
            .post_form(&staged, who, &[("action", "cancel")], true)
            .await;
        let decided = match who {
            Some(Role::Viewer) => StatusCode::FORBIDDEN,
            Some(_) => StatusCode::NOT_FOUND,
            None => StatusCode::SEE_OTHER,
        };
        assert_eq!(decide.status, decided, "POST {staged} as {who:?}");
        // The API: sessions send the CSRF header, tokens do not need it.
        let auth = match who {
            Some(role) => Auth::Session(role, true),
            None => Auth::Anonymous,
        };
        let api_expected = match who {
            Some(Role::Viewer) => StatusCode::FORBIDDEN,
            Some(_) => StatusCode::SERVICE_UNAVAILABLE,
            None => StatusCode::UNAUTHORIZED,
        };
        let answer = app
            .post_json("/api/runs", auth, r#"{"period":"2026-10"}"#)
            .await;
        assert_eq!(answer.status, api_expected, "POST /api/runs as {who:?}");
        let answer = app
            .post_multipart(
                "/api/imports?preview=true",
                auth,
                &[],
                &[("usage.csv", b"x")],
            )
            .await;
        assert_eq!(answer.status, api_expected, "POST /api/imports as {who:?}");
    }
    for role in Role::ALL {
        let expected = if role == Role::Viewer {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        let answer = app.post_json("/api/runs", Auth::Token(role), "{}").await;
        assert_eq!(
            answer.status, expected,
            "POST /api/runs by {role:?}'s token"
        );
        assert_eq!(
            app.get_with_token("/api/imports", &app.tokens[&role])
                .await
                .status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn imports_and_runs_writes_without_their_csrf_token_are_refused() {
    let app = app().await;
    let answer = app
        .post_form(
            "/runs",
            Some(Role::Reviewer),
            &[("period", "2026-10")],
            false,
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = app
        .post_multipart(
            "/imports",
            Auth::Session(Role::Reviewer, false),
            &[("csrf", "wrong")],
            &[("usage.csv", b"x")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    let staged = format!("/imports/staged/{}", "ab".repeat(32));
    let answer = app
        .post_form(
            &staged,
            Some(Role::Reviewer),
            &[("action", "import")],
            false,
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = app
        .post_json("/api/runs", Auth::Session(Role::Reviewer, false), "{}")
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = app
        .post_multipart(
            "/api/imports",
            Auth::Session(Role::Reviewer, false),
            &[],
            &[("usage.csv", b"x")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn run_page_and_downloads_of_a_stored_run() {
    let app = app().await;
    let page = app
        .get(&format!("/runs/{}", app.run), Some(Role::Viewer))
        .await;
    assert!(
        page.body.contains("No earlier run to compare with."),
        "{}",
        page.body
    );
    assert!(page.body.contains("88.00"));
    let json = app
        .get(&format!("/api/runs/{}", app.run), Some(Role::Viewer))
        .await
        .json();
    assert_eq!(json["comparison"]["previous_run"], serde_json::Value::Null);
    assert_eq!(json["comparison"]["new"].as_array().unwrap().len(), 2);
    for (format, content_type) in [
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("html", "text/html; charset=utf-8"),
        ("csv", "text/csv; charset=utf-8"),
        ("evidence-csv", "text/csv; charset=utf-8"),
        ("json", "application/json"),
        ("adjustments", "text/csv; charset=utf-8"),
    ] {
        let answer = app
            .get(
                &format!("/runs/{}/export?format={format}&all=true", app.run),
                Some(Role::Viewer),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{format}: {}", answer.body);
        assert_eq!(
            answer.headers[header::CONTENT_TYPE],
            content_type,
            "{format}"
        );
        let disposition = answer.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap();
        assert!(
            disposition.starts_with("attachment; filename=\"reckon-run-"),
            "{disposition}"
        );
    }
    let report = app
        .get(
            &format!("/api/runs/{}/export?format=json", app.run),
            Some(Role::Viewer),
        )
        .await;
    let first_line = report.body.lines().next().unwrap_or("");
    assert!(report.body.contains("88.00"), "{first_line}");
    let bad = app
        .get(
            &format!("/api/runs/{}/export?format=pdf", app.run),
            Some(Role::Viewer),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["error"].as_str().unwrap().contains("xlsx"));
    assert_eq!(
        app.get("/api/runs/999/export?format=csv", Some(Role::Viewer))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_upload_past_the_size_limit_is_refused_with_the_limit() {
    let app = app_with(WebConfig {
        max_upload_bytes: 2048,
        ..WebConfig::default()
    })
    .await;
    let csrf = app.visitors[&Role::Reviewer].csrf.clone();
    let big = vec![b'x'; 8192];
    let answer = app
        .post_multipart(
            "/imports",
            Auth::Session(Role::Reviewer, false),
            &[("csrf", &csrf)],
            &[("usage.csv", &big)],
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        answer.body.contains("the upload is larger than 2 KB"),
        "{}",
        answer.body
    );
    let page = app.get("/imports", Some(Role::Reviewer)).await;
    assert!(page.body.contains("Up to 2 KB in all."), "{}", page.body);
}

#[tokio::test]
async fn no_answer_may_be_framed_by_another_site() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite(&dir.path().join("reckon.db"))
        .await
        .unwrap();
    let router = router(AppState::new(store, WebConfig::default()));
    for path in ["/healthz", "/sign-in", "/api/me", "/findings"] {
        let answer = router
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(answer.headers()["x-frame-options"], "DENY", "{path}");
        assert_eq!(
            answer.headers()["content-security-policy"],
            "frame-ancestors 'none'",
            "{path}"
        );
    }
}
