//! The mapping and admin pages and their API in process: every route as an
//! admin, a reviewer, a viewer, an anonymous visitor and API tokens; CSRF
//! refusals; rejected suggestions gone from the page and the API; every
//! change in the audit trail. The binary's mapping snapshots are stood in
//! for by an in-memory [`MappingActions`] (the real one is tested in the
//! binary crate).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: fail loudly

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use reckon_store::{
    NewApiToken, NewRun, NewUser, Role, RunStore, Session, SqlStore, Store, StoredFinding,
    UserStore,
};
use reckon_web::mapping_actions::{
    AcceptMapping, ActionError, ActionFuture, ClientMapRow, CurrentMappings, MappingActions,
    ProductRulesEdit, SkuMapRow,
};
use reckon_web::secrets::{hash_password, new_token, token_hash};
use reckon_web::{AppState, WebConfig, router};
use tower::ServiceExt;

const PERIOD: &str = "2026-10";

const UNMAPPED_CLIENT: &str = r#"{"kind":"unmapped_client","client_id":null,"client_name":"Contoso Dental (tenant)","product_id":null,"product_name":null,"source":"m365","key":"t-9","billed":null,"actual":null,"diff":null,"unit_price":null,"impact":"0","money_at_stake":"66.00","count":3,"cause":"mapping_rule","explanation":"3 rows from a client reference no mapping knows: map it to a PSA client","priority":"medium","evidence":{"groups":[],"billing_lines":[]},"sku_name":null,"suggestions":[{"id":"C1","name":"Contoso Dental","score":91,"reason":"same name"},{"id":"C2","name":"Northwind Logistics","score":40,"reason":"same domain"}]}"#;
const UNMAPPED_SKU: &str = r#"{"kind":"unmapped_sku","client_id":"C1","client_name":"Contoso Dental","product_id":null,"product_name":null,"source":"m365","key":"SPE_E5","billed":null,"actual":null,"diff":null,"unit_price":null,"impact":"0","money_at_stake":"0","count":2,"cause":"mapping_rule","explanation":"2 rows of a SKU no product mapping knows: map it to a PSA product","priority":"low","evidence":{"groups":[],"billing_lines":[]},"sku_name":"Microsoft 365 E5","suggestions":[{"id":"M365-E5","name":"Microsoft 365 E5","score":95,"reason":"same name"}]}"#;

fn unmapped(detail: &str, kind: &str, client: &str, key: &str, stake: &str) -> StoredFinding {
    StoredFinding {
        fingerprint: StoredFinding::fingerprint_of(kind, client, "", "m365", key),
        kind: kind.to_string(),
        client_id: client.to_string(),
        product_id: String::new(),
        source: "m365".to_string(),
        item_key: key.to_string(),
        billed: String::new(),
        actual: String::new(),
        impact: "0".to_string(),
        money_at_stake: stake.to_string(),
        cause: "mapping_rule".to_string(),
        priority: "medium".to_string(),
        explanation: "unmapped".to_string(),
        detail: detail.to_string(),
    }
}

/// Mappings in memory, checked as the binary checks them (the units
/// factor, by its field).
#[derive(Debug, Default)]
struct FakeMappings {
    current: Mutex<CurrentMappings>,
    accepted: Mutex<Vec<AcceptMapping>>,
}

impl MappingActions for FakeMappings {
    fn current(&self, _period: &str) -> ActionFuture<'_, CurrentMappings> {
        let current = self.current.lock().unwrap().clone();
        Box::pin(async move { Ok(current) })
    }

    fn accept(&self, request: AcceptMapping) -> ActionFuture<'_, String> {
        Box::pin(async move {
            self.current.lock().unwrap().clients.push(ClientMapRow {
                source: request.source.clone(),
                external_id: request.external_id.clone(),
                client_id: request.target_id.clone(),
                domain: String::new(),
                file: "client_map.csv".to_string(),
            });
            self.accepted.lock().unwrap().push(request);
            Ok("mapped".to_string())
        })
    }

    fn save_product(&self, edit: ProductRulesEdit) -> ActionFuture<'_, String> {
        Box::pin(async move {
            for sku in &edit.skus {
                if sku.units.parse::<f64>().is_err() {
                    return Err(ActionError::User(format!(
                        "units factor (units of {} {}): expected a positive number up to 1000000, found \"{}\"",
                        sku.source, sku.sku, sku.units
                    )));
                }
            }
            Ok("saved".to_string())
        })
    }
}

struct Visitor {
    cookie: String,
    csrf: String,
}

struct App {
    router: Router,
    bare: Router,
    store: SqlStore,
    fake: Arc<FakeMappings>,
    visitors: HashMap<Role, Visitor>,
    tokens: HashMap<Role, String>,
    _dir: tempfile::TempDir,
}

async fn app() -> App {
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
    store
        .add_run(
            &NewRun {
                period: PERIOD.to_string(),
                as_of: "2026-10-31T00:00:00Z".to_string(),
                stale_days: 30,
                created_at: "2026-11-01T09:00:00Z".to_string(),
                created_by: "ann".to_string(),
                inputs: vec![],
                pairs: 1,
                underbilled: "0".to_string(),
                overbilled: "0".to_string(),
            },
            &[
                unmapped(UNMAPPED_CLIENT, "unmapped_client", "", "t-9", "66.00"),
                unmapped(UNMAPPED_SKU, "unmapped_sku", "C1", "SPE_E5", "0"),
            ],
        )
        .await
        .unwrap();
    let fake = Arc::new(FakeMappings::default());
    fake.current.lock().unwrap().skus.push(SkuMapRow {
        source: "m365".to_string(),
        sku: "SPB".to_string(),
        product_id: "M365-BP".to_string(),
        units: "1".to_string(),
        rounding: "none".to_string(),
        file: "product_map.csv".to_string(),
    });
    App {
        router: router(
            AppState::new(store.clone(), WebConfig::default()).with_mapping_actions(fake.clone()),
        ),
        bare: router(AppState::new(store.clone(), WebConfig::default())),
        store,
        fake,
        visitors,
        tokens,
        _dir: dir,
    }
}

struct Answer {
    status: StatusCode,
    location: String,
    cache_control: String,
    body: String,
}

impl Answer {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
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

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl App {
    async fn send_to(router: &Router, request: Request<Body>) -> Answer {
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let cache_control = response
            .headers()
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            location,
            cache_control,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    fn authorise(
        &self,
        mut request: axum::http::request::Builder,
        auth: Auth,
    ) -> axum::http::request::Builder {
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
        request
    }

    async fn get(&self, path: &str, auth: Auth) -> Answer {
        let request = self.authorise(Request::get(path), auth);
        App::send_to(&self.router, request.body(Body::empty()).unwrap()).await
    }

    async fn post_form(
        &self,
        path: &str,
        who: Option<Role>,
        fields: &[(&str, &str)],
        csrf: bool,
    ) -> Answer {
        let mut pairs: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
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
        App::send_to(
            &self.router,
            request.body(Body::from(pairs.join("&"))).unwrap(),
        )
        .await
    }

    async fn post_json(&self, path: &str, auth: Auth, body: &str) -> Answer {
        let request = self.authorise(
            Request::post(path).header(header::CONTENT_TYPE, "application/json"),
            auth,
        );
        App::send_to(
            &self.router,
            request.body(Body::from(body.to_string())).unwrap(),
        )
        .await
    }
}

fn auth_of(who: Option<Role>) -> Auth {
    who.map_or(Auth::Anonymous, |role| Auth::Session(role, true))
}

#[tokio::test]
async fn every_read_route_as_each_role_anonymous_and_token() {
    let app = app().await;
    let everyone = [
        "/mapping?period=2026-10",
        "/mapping/products/M365-BP?period=2026-10",
    ];
    let admin_pages = ["/admin/users", "/admin/settings"];
    let everyone_api = ["/api/mappings?period=2026-10"];
    let admin_api = ["/api/users", "/api/tokens"];
    for who in ROLES {
        for path in everyone {
            let answer = app.get(path, auth_of(who)).await;
            match who {
                Some(_) => assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body),
                None => {
                    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path}");
                    assert!(answer.location.starts_with("/sign-in?next="));
                }
            }
        }
        for path in admin_pages {
            let answer = app.get(path, auth_of(who)).await;
            let expected = match who {
                Some(Role::Admin) => StatusCode::OK,
                Some(_) => StatusCode::FORBIDDEN,
                None => StatusCode::SEE_OTHER,
            };
            assert_eq!(
                answer.status, expected,
                "{path} as {who:?}: {}",
                answer.body
            );
        }
        for path in everyone_api {
            let answer = app.get(path, auth_of(who)).await;
            let expected = if who.is_some() {
                StatusCode::OK
            } else {
                StatusCode::UNAUTHORIZED
            };
            assert_eq!(answer.status, expected, "{path} as {who:?}");
        }
        for path in admin_api {
            let answer = app.get(path, auth_of(who)).await;
            let expected = match who {
                Some(Role::Admin) => StatusCode::OK,
                Some(_) => StatusCode::FORBIDDEN,
                None => StatusCode::UNAUTHORIZED,
            };
            assert_eq!(answer.status, expected, "{path} as {who:?}");
        }
    }
    for role in Role::ALL {
        for path in everyone_api {
            assert_eq!(
                app.get(path, Auth::Token(role)).await.status,
                StatusCode::OK
            );
        }
        for path in admin_api {
            let expected = if role == Role::Admin {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(app.get(path, Auth::Token(role)).await.status, expected);
        }
        // Tokens are for the API, not the pages.
        assert_eq!(
            app.get("/mapping", Auth::Token(role)).await.status,
            StatusCode::SEE_OTHER
        );
    }
    // Admins see the nav to users and settings; others do not.
    let admin = app
        .get("/mapping?period=2026-10", auth_of(Some(Role::Admin)))
        .await;
    assert!(admin.body.contains(r#"href="/admin/users""#));
    let viewer = app
        .get("/mapping?period=2026-10", auth_of(Some(Role::Viewer)))
        .await;
    assert!(!viewer.body.contains(r#"href="/admin/users""#));
    assert!(
        !viewer.body.contains("/mapping/accept"),
        "a viewer gets no buttons"
    );
    assert!(admin.body.contains("/mapping/accept"));
}

#[tokio::test]
async fn the_mapping_page_shows_unmapped_references_with_suggestions() {
    let app = app().await;
    let page = app
        .get("/mapping?period=2026-10", auth_of(Some(Role::Viewer)))
        .await;
    for text in [
        "Unmapped clients",
        "t-9",
        "Contoso Dental (tenant)",
        "66.00",
        "Contoso Dental",
        "91%",
        "Northwind Logistics",
        "SPE_E5",
        "Microsoft 365 E5",
        "M365-BP",
    ] {
        assert!(page.body.contains(text), "{text} missing: {}", page.body);
    }
    let api = app
        .get("/api/mappings?period=2026-10", Auth::Token(Role::Viewer))
        .await
        .json();
    assert_eq!(api["unmapped_clients"][0]["external_id"], "t-9");
    assert_eq!(api["unmapped_clients"][0]["rows"], 3);
    assert_eq!(api["unmapped_clients"][0]["money_at_stake"], "66.00");
    assert_eq!(api["unmapped_clients"][0]["suggestions"][0]["id"], "C1");
    assert_eq!(api["unmapped_skus"][0]["external_name"], "Microsoft 365 E5");
    assert_eq!(api["products"][0]["product_id"], "M365-BP");
}

#[tokio::test]
async fn every_write_route_as_each_role_and_anonymous() {
    let app = app().await;
    let accept = [
        ("period", PERIOD),
        ("kind", "client"),
        ("source", "m365"),
        ("external_id", "t-9"),
        ("target_id", "C1"),
    ];
    let reject = [
        ("period", PERIOD),
        ("kind", "client"),
        ("source", "m365"),
        ("external_id", "t-9"),
        ("suggested_id", "C2"),
    ];
    let rules = [
        ("period", PERIOD),
        ("sku_source_0", "m365"),
        ("sku_0", "SPB"),
        ("units_0", "2"),
        ("rounding_0", "up"),
        ("statuses", "active"),
    ];
    for who in ROLES {
        let name = format!("new-{}", who.map_or("anon", |r| r.as_str()));
        let forms = [
            ("/mapping/accept", accept.to_vec()),
            ("/mapping/reject", reject.to_vec()),
            ("/mapping/products/M365-BP", rules.to_vec()),
            (
                "/admin/users",
                vec![
                    ("name", name.as_str()),
                    ("role", "viewer"),
                    ("password", "a-long-password"),
                ],
            ),
            ("/admin/users/new-admin/role", vec![("role", "reviewer")]),
            ("/admin/users/new-admin/disabled", vec![("disabled", "0")]),
            (
                "/admin/users/new-admin/password",
                vec![("password", "another-long-one")],
            ),
            (
                "/admin/tokens",
                vec![("name", name.as_str()), ("role", "viewer")],
            ),
            ("/admin/settings", vec![("currency", "eur")]),
        ];
        for (path, fields) in &forms {
            let answer = app.post_form(path, who, fields, true).await;
            match who {
                Some(Role::Admin) => assert!(
                    matches!(answer.status, StatusCode::SEE_OTHER | StatusCode::OK),
                    "{path}: {} {}",
                    answer.status,
                    answer.body
                ),
                Some(_) => {
                    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path} as {who:?}");
                    assert!(answer.body.contains("your role does not allow this"));
                }
                None => {
                    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path}");
                    assert!(answer.location.starts_with("/sign-in"));
                }
            }
        }
        let token_name = format!("api-{}", who.map_or("anon", |r| r.as_str()));
        let user_body = format!(
            r#"{{"name":"{token_name}","add":true,"role":"viewer","password":"a-long-password"}}"#
        );
        let token_body = format!(r#"{{"name":"{token_name}","role":"viewer"}}"#);
        let apis = [
            ("/api/mappings/clients", r#"{"period":"2026-10","source":"m365","external_id":"t-9","target_id":"C1"}"#.to_string()),
            ("/api/mappings/products", r#"{"period":"2026-10","source":"m365","external_id":"SPE_E5","target_id":"M365-E5"}"#.to_string()),
            ("/api/mappings/rejections", r#"{"kind":"product","source":"m365","external_id":"SPE_E5","suggested_id":"M365-E5"}"#.to_string()),
            ("/api/users", user_body),
            ("/api/tokens", token_body),
        ];
        for (path, body) in &apis {
            let answer = app.post_json(path, auth_of(who), body).await;
            let expected = match who {
                Some(Role::Admin) => StatusCode::OK,
                Some(_) => StatusCode::FORBIDDEN,
                None => StatusCode::UNAUTHORIZED,
            };
            assert_eq!(
                answer.status, expected,
                "{path} as {who:?}: {}",
                answer.body
            );
        }
    }
    // Tokens: only an admin's may change mappings or users.
    for role in Role::ALL {
        let answer = app
            .post_json(
                "/api/tokens",
                Auth::Token(role),
                &format!(r#"{{"name":"by-{}","role":"viewer"}}"#, role.as_str()),
            )
            .await;
        let expected = if role == Role::Admin {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(answer.status, expected);
    }
    // What a reviewer or viewer tried changed nothing.
    let mut users: Vec<String> = app
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .collect();
    users.sort();
    assert_eq!(
        users,
        ["admin", "api-admin", "new-admin", "reviewer", "viewer"]
    );
    assert!(
        app.fake
            .accepted
            .lock()
            .unwrap()
            .iter()
            .all(|a| a.actor == "admin")
    );
}

#[tokio::test]
async fn writes_without_their_csrf_token_are_refused() {
    let app = app().await;
    let answer = app
        .post_form(
            "/mapping/accept",
            Some(Role::Admin),
            &[
                ("period", PERIOD),
                ("kind", "client"),
                ("source", "m365"),
                ("external_id", "t-9"),
                ("target_id", "C1"),
            ],
            false,
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.body.contains("reload the page"));
    for path in [
        "/admin/users",
        "/admin/tokens",
        "/admin/settings",
        "/mapping/reject",
    ] {
        let answer = app
            .post_form(
                path,
                Some(Role::Admin),
                &[("name", "x"), ("currency", "EUR")],
                false,
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
    }
    let answer = app
        .post_json(
            "/api/mappings/rejections",
            Auth::Session(Role::Admin, false),
            r#"{"kind":"client","source":"m365","external_id":"t-9","suggested_id":"C2"}"#,
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(app.fake.accepted.lock().unwrap().is_empty());
    assert!(app.store.rejections_empty().await);
}

trait Rejections {
    async fn rejections_empty(&self) -> bool;
}

impl Rejections for SqlStore {
    async fn rejections_empty(&self) -> bool {
        use reckon_store::MappingStore;
        self.rejections().await.unwrap().is_empty()
    }
}

#[tokio::test]
async fn accepting_maps_and_a_rejected_suggestion_is_gone_for_good() {
    let app = app().await;
    let answer = app
        .post_form(
            "/mapping/reject",
            Some(Role::Admin),
            &[
                ("period", PERIOD),
                ("kind", "client"),
                ("source", "m365"),
                ("external_id", "t-9"),
                ("suggested_id", "C2"),
            ],
            true,
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let page = app.get(&answer.location, auth_of(Some(Role::Admin))).await;
    assert!(page.body.contains("will not be proposed"), "{}", page.body);
    assert!(
        !page.body.contains("Northwind Logistics"),
        "the rejected suggestion is gone"
    );
    assert!(page.body.contains("Contoso Dental"), "the other one stays");
    assert!(
        page.body.contains("Rejected suggestions"),
        "listed with who and when"
    );
    // A link cannot claim a mapping that was not made.
    let spoof = app
        .get(
            "/mapping?period=2026-10&accepted=t-9&to=C9",
            auth_of(Some(Role::Viewer)),
        )
        .await;
    assert!(!spoof.body.contains("is now mapped"));
    let api = app
        .get("/api/mappings?period=2026-10", Auth::Token(Role::Viewer))
        .await
        .json();
    let ids: Vec<&str> = api["unmapped_clients"][0]["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["C1"]);

    let answer = app
        .post_form(
            "/mapping/accept",
            Some(Role::Admin),
            &[
                ("period", PERIOD),
                ("kind", "client"),
                ("source", "m365"),
                ("external_id", "t-9"),
                ("target_id", "C1"),
            ],
            true,
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let page = app.get(&answer.location, auth_of(Some(Role::Admin))).await;
    assert!(
        page.body.contains("the next run of 2026-10 uses it"),
        "{}",
        page.body
    );
    assert!(page.body.contains("mapped to C1"));
    let accepted = app.fake.accepted.lock().unwrap().clone();
    assert_eq!(accepted.len(), 1);
    assert_eq!(
        (
            accepted[0].external_id.as_str(),
            accepted[0].target_id.as_str(),
            accepted[0].actor.as_str()
        ),
        ("t-9", "C1", "admin")
    );

    // The rejection is audited, with who.
    let audit = app.store.audit(Some("mapping")).await.unwrap();
    assert!(audit.iter().any(|e| e.field == "rejected suggestion"
        && e.actor == "admin"
        && e.new_value.as_deref() == Some("C2")));
}

#[tokio::test]
async fn a_bad_units_factor_is_refused_naming_its_field() {
    let app = app().await;
    let answer = app
        .post_form(
            "/mapping/products/M365-BP",
            Some(Role::Admin),
            &[
                ("period", PERIOD),
                ("sku_source_0", "m365"),
                ("sku_0", "SPB"),
                ("units_0", "lots"),
                ("rounding_0", "none"),
            ],
            true,
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.body.contains("units factor"), "{}", answer.body);
    assert!(
        answer.body.contains(r#"value="lots""#),
        "what was typed is kept"
    );
    assert!(answer.body.contains("Not saved"));
}

#[tokio::test]
async fn users_tokens_and_settings_are_audited() {
    let app = app().await;
    let admin = Some(Role::Admin);
    let ok = |answer: Answer| {
        assert!(
            matches!(answer.status, StatusCode::SEE_OTHER | StatusCode::OK),
            "{} {}",
            answer.status,
            answer.body
        );
        answer
    };
    ok(app
        .post_form(
            "/admin/users",
            admin,
            &[
                ("name", "bob"),
                ("role", "reviewer"),
                ("password", "bobs-password-1"),
            ],
            true,
        )
        .await);
    ok(app
        .post_form("/admin/users/bob/role", admin, &[("role", "viewer")], true)
        .await);
    ok(app
        .post_form(
            "/admin/users/bob/disabled",
            admin,
            &[("disabled", "1")],
            true,
        )
        .await);
    ok(app
        .post_form(
            "/admin/users/bob/disabled",
            admin,
            &[("disabled", "0")],
            true,
        )
        .await);
    ok(app
        .post_form(
            "/admin/users/bob/password",
            admin,
            &[("password", "bobs-password-2")],
            true,
        )
        .await);
    let made = ok(app
        .post_form(
            "/admin/tokens",
            admin,
            &[("name", "nightly"), ("role", "viewer")],
            true,
        )
        .await);
    assert!(made.body.contains("rkt_"), "the token is shown once");
    assert!(made.body.contains("not shown again"));
    assert_eq!(made.cache_control, "no-store");
    ok(app
        .post_form("/admin/tokens/nightly/revoke", admin, &[], true)
        .await);
    ok(app
        .post_form(
            "/admin/settings",
            admin,
            &[("currency", "eur"), ("import_stale_days", "9")],
            true,
        )
        .await);
    assert_eq!(
        app.store.setting("currency").await.unwrap().as_deref(),
        Some("EUR")
    );

    // Refused values name the field; nothing is stored.
    let bad = app
        .post_form(
            "/admin/settings",
            admin,
            &[("currency", "euro"), ("import_stale_days", "3")],
            true,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("currency"));
    assert_eq!(
        app.store
            .setting("import_stale_days")
            .await
            .unwrap()
            .as_deref(),
        Some("9")
    );
    let short = app
        .post_form(
            "/admin/users",
            admin,
            &[("name", "eve"), ("role", "viewer"), ("password", "short")],
            true,
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(short.body.contains("password"));
    assert!(
        short.body.contains(r#"value="eve""#),
        "the name typed is kept"
    );
    let own = app
        .post_form(
            "/admin/users/admin/disabled",
            admin,
            &[("disabled", "1")],
            true,
        )
        .await;
    assert_eq!(
        own.status,
        StatusCode::BAD_REQUEST,
        "an admin cannot lock themself out"
    );

    let users = app.store.audit(Some("user")).await.unwrap();
    let about_bob: Vec<(&str, &str)> = users
        .iter()
        .filter(|e| e.entity_id == "bob")
        .map(|e| (e.field.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        about_bob,
        [
            ("created", "admin"),
            ("role", "admin"),
            ("state", "admin"),
            ("state", "admin"),
            ("password", "admin")
        ]
    );
    let tokens = app.store.audit(Some("api_token")).await.unwrap();
    let nightly: Vec<&str> = tokens
        .iter()
        .filter(|e| e.entity_id == "nightly")
        .map(|e| e.field.as_str())
        .collect();
    assert_eq!(nightly, ["created", "revoked"]);
    let settings = app.store.audit(Some("setting")).await.unwrap();
    assert!(settings.iter().any(|e| e.entity_id == "currency"
        && e.new_value.as_deref() == Some("EUR")
        && e.actor == "admin"));

    // The page lists them; the revoked token says so, and signs nothing in.
    let page = app.get("/admin/users", auth_of(admin)).await;
    assert!(page.body.contains("bob") && page.body.contains("revoked"));
    let listed = app
        .get("/api/tokens", Auth::Token(Role::Admin))
        .await
        .json();
    let nightly = listed["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "nightly")
        .unwrap()
        .clone();
    assert!(nightly["revoked_at"].is_string());

    // The API: change a role, revoke a token; a revoked token is refused.
    let changed = app
        .post_json(
            "/api/users",
            Auth::Token(Role::Admin),
            r#"{"name":"bob","role":"reviewer"}"#,
        )
        .await;
    assert_eq!(changed.json()["role"], "reviewer");
    let made = app
        .post_json(
            "/api/tokens",
            Auth::Token(Role::Admin),
            r#"{"name":"once","role":"viewer"}"#,
        )
        .await
        .json();
    let secret = made["token"].as_str().unwrap().to_string();
    let request = Request::get("/api/me").header(header::AUTHORIZATION, format!("Bearer {secret}"));
    assert_eq!(
        App::send_to(&app.router, request.body(Body::empty()).unwrap())
            .await
            .status,
        StatusCode::OK
    );
    app.post_json(
        "/api/tokens",
        Auth::Token(Role::Admin),
        r#"{"name":"once","revoke":true}"#,
    )
    .await;
    let request = Request::get("/api/me").header(header::AUTHORIZATION, format!("Bearer {secret}"));
    assert_eq!(
        App::send_to(&app.router, request.body(Body::empty()).unwrap())
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn without_mapping_actions_changes_answer_503() {
    let app = app().await;
    let visitor = &app.visitors[&Role::Admin];
    let request = Request::post("/mapping/accept")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &visitor.cookie)
        .body(Body::from(format!(
            "period=2026-10&kind=client&source=m365&external_id=t-9&target_id=C1&csrf={}",
            visitor.csrf
        )))
        .unwrap();
    let answer = App::send_to(&app.bare, request).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    // The page still shows what is unmapped, without buttons.
    let request = Request::get("/mapping?period=2026-10")
        .header(header::COOKIE, &visitor.cookie)
        .body(Body::empty())
        .unwrap();
    let page = App::send_to(&app.bare, request).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("t-9"));
    assert!(page.body.contains("not available"));
    assert!(!page.body.contains("/mapping/accept"));
}
