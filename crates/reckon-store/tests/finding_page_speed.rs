//! The findings page's query at 100,000 findings (run by hand:
//! `cargo test -p reckon-store --test finding_page_speed -- --ignored --nocapture`).

#![allow(clippy::unwrap_used)] // a test: a failure should stop it loudly

use std::time::Instant;

use reckon_store::{
    FindingQuery, FindingSort, NewRun, Review, ReviewState, RunStore, SqlStore, StoredFinding,
};

#[tokio::test]
#[ignore = "a measurement: about a minute to fill"]
async fn a_page_of_100_000_findings() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite(&dir.path().join("reckon.db"))
        .await
        .unwrap();
    let kinds = [
        "underbilled",
        "overbilled",
        "stale_item",
        "duplicate_item",
        "unmapped_sku",
    ];
    let findings: Vec<StoredFinding> = (0..100_000)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            let client = format!("C{}", i % 2000);
            let product = format!("P{}", i % 37);
            let key = format!("device-{i}");
            StoredFinding {
                fingerprint: StoredFinding::fingerprint_of(kind, &client, &product, "rmm", &key),
                kind: kind.to_string(),
                client_id: client,
                product_id: product,
                source: "rmm".to_string(),
                item_key: key,
                billed: "3".to_string(),
                actual: "4".to_string(),
                impact: format!("{}.{:02}", i % 500, i % 100),
                money_at_stake: format!("{}.{:02}", i % 700, i % 100),
                cause: "billing_issue".to_string(),
                priority: "high".to_string(),
                explanation: format!("device-{i} is counted for client {i} and not billed"),
                detail: format!(
                    "{{\"kind\":\"{kind}\",\"items\":[\"{}\"]}}",
                    "x".repeat(600)
                ),
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
        pairs: 0,
        underbilled: "0".to_string(),
        overbilled: "0".to_string(),
    };
    let started = Instant::now();
    let run_id = store.add_run(&run, &findings).await.unwrap();
    eprintln!("stored 100,000 findings in {:?}", started.elapsed());
    for finding in findings.iter().step_by(10) {
        store
            .set_review(
                &Review {
                    fingerprint: finding.fingerprint.clone(),
                    state: ReviewState::Acknowledged,
                    reason: String::new(),
                    expires_on: String::new(),
                    assignee: "bob".to_string(),
                    for_action: false,
                    updated_at: "2026-11-02T00:00:00Z".to_string(),
                    updated_by: "ann".to_string(),
                },
                "2026-10",
            )
            .await
            .unwrap();
    }
    let base = FindingQuery {
        run: run_id,
        today: "2026-11-03".to_string(),
        descending: true,
        limit: 50,
        ..FindingQuery::default()
    };
    let cases = [
        ("default (money)", base.clone()),
        (
            "page 500",
            FindingQuery {
                offset: 25_000,
                ..base.clone()
            },
        ),
        (
            "kind",
            FindingQuery {
                kind: Some("stale_item".to_string()),
                ..base.clone()
            },
        ),
        (
            "client",
            FindingQuery {
                client: Some("C17".to_string()),
                ..base.clone()
            },
        ),
        (
            "state open",
            FindingQuery {
                state: Some(ReviewState::Open),
                ..base.clone()
            },
        ),
        (
            "assignee",
            FindingQuery {
                assignee: Some("bob".to_string()),
                ..base.clone()
            },
        ),
        (
            "search",
            FindingQuery {
                search: Some("device-4242".to_string()),
                ..base.clone()
            },
        ),
        (
            "sort state",
            FindingQuery {
                sort: FindingSort::State,
                ..base.clone()
            },
        ),
        (
            "sort client",
            FindingQuery {
                sort: FindingSort::Client,
                ..base.clone()
            },
        ),
    ];
    for (name, query) in cases {
        store.finding_page(&query).await.unwrap();
        let started = Instant::now();
        let page = store.finding_page(&query).await.unwrap();
        eprintln!(
            "{name}: {} of {} in {:?}",
            page.rows.len(),
            page.total,
            started.elapsed()
        );
    }
    let started = Instant::now();
    store.run_totals(run_id, "2026-11-03", 10).await.unwrap();
    eprintln!("totals in {:?}", started.elapsed());
}
