//! Page times at 100,000 findings, in process (run by hand:
//! `cargo test -p reckon-web --test speed -- --ignored --nocapture`).

#![allow(clippy::unwrap_used)] // a measurement: fail loudly

use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use reckon_store::{NewRun, NewUser, Role, RunStore, Session, SqlStore, StoredFinding, UserStore};
use reckon_web::{AppState, WebConfig, router};
use tower::ServiceExt;

#[tokio::test]
#[ignore = "a measurement: fills 100,000 findings"]
async fn pages_at_100_000_findings() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite(&dir.path().join("reckon.db"))
        .await
        .unwrap();
    let kinds = [
        "underbilled",
        "overbilled",
        "stale_item",
        "duplicate_item",
        "disabled_licensed",
    ];
    let findings: Vec<StoredFinding> = (0..100_000)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            let client = format!("C{}", i % 2000);
            let product = format!("P{}", i % 37);
            let key = format!("device-{i}");
            let impact = format!("{}{}.{:02}", if i % 3 == 0 { "-" } else { "" }, i % 500, i % 100);
            let stake = format!("{}.{:02}", i % 500, i % 100);
            let detail = format!(
                r#"{{"kind":"{kind}","client_id":"{client}","client_name":"Client {client} Ltd","product_id":"{product}","product_name":"Product {product}","source":"rmm","key":"{key}","billed":"3","actual":"4","diff":"1","unit_price":"22.00","impact":"{impact}","money_at_stake":"{stake}","cause":"billing_issue","explanation":"{key} is counted for Client {client} Ltd and not billed","priority":"high","evidence":{{"groups":[{{"client_id":"{client}","source":"rmm","sku":"WKS","sku_name":"Workstation","state":"counted","status":"active","basis":"item","items":[["{key}","2026-10-30T08:00:00Z","1",1],["{key}-b","2026-10-29T08:00:00Z","1",1]]}}],"billing_lines":[{{"line_id":"L{i}","quantity":"3","unit_price":"22.00"}}]}}}}"#
            );
            StoredFinding {
                fingerprint: StoredFinding::fingerprint_of(kind, &client, &product, "rmm", &key),
                kind: kind.to_string(),
                client_id: client.clone(),
                product_id: product,
                source: "rmm".to_string(),
                item_key: key.clone(),
                billed: "3".to_string(),
                actual: "4".to_string(),
                impact,
                money_at_stake: stake,
                cause: "billing_issue".to_string(),
                priority: "high".to_string(),
                explanation: format!("{key} is counted for Client {client} Ltd and not billed"),
                detail,
            }
        })
        .collect();
    let run = NewRun {
        period: "2026-10".to_string(),
        as_of: "2026-10-31T00:00:00Z".to_string(),
        stale_days: 30,
        created_at: "2026-11-01T00:00:00Z".to_string(),
        created_by: "bench".to_string(),
        inputs: vec![],
        pairs: 4000,
        underbilled: "123456.78".to_string(),
        overbilled: "2345.60".to_string(),
    };
    let run_id = store.add_run(&run, &findings).await.unwrap();
    let user = store
        .add_user(
            &NewUser {
                name: "ann".to_string(),
                password_hash: "x".to_string(),
                role: Role::Reviewer,
                created_at: "2026-11-01T00:00:00Z".to_string(),
                created_by: "bench".to_string(),
            },
            false,
        )
        .await
        .unwrap();
    store
        .add_session(&Session {
            token_hash: reckon_web::secrets::token_hash("t"),
            user_id: user,
            csrf_token: "c".to_string(),
            created_at: "2026-11-01T00:00:00Z".to_string(),
            expires_at: "2999-01-01T00:00:00Z".to_string(),
        })
        .await
        .unwrap();
    let app = router(AppState::new(store.clone(), WebConfig::default()));
    let id = reckon_store::short_id(&findings[4242].fingerprint);
    let paths = [
        "/".to_string(),
        "/findings".to_string(),
        format!("/findings?run={run_id}&page=1000"),
        "/findings?kind=stale_item&sort=impact".to_string(),
        "/findings?client=C17".to_string(),
        "/findings?state=open&sort=state".to_string(),
        "/findings?q=device-4242".to_string(),
        format!("/findings/{id}"),
        "/api/findings?per_page=100".to_string(),
        format!("/api/findings/{id}"),
    ];
    for path in &paths {
        let mut times = Vec::new();
        for _ in 0..5 {
            let request = Request::get(path.as_str())
                .header(header::COOKIE, "reckon_session=t")
                .body(Body::empty())
                .unwrap();
            let started = Instant::now();
            let response = app.clone().oneshot(request).await.unwrap();
            let status = response.status();
            response.into_body().collect().await.unwrap();
            times.push(started.elapsed());
            assert_eq!(status, StatusCode::OK, "{path}");
        }
        times.sort();
        eprintln!(
            "{path}: first {:?}, median {:?}",
            times[4].max(times[0]),
            times[2]
        );
    }
}
