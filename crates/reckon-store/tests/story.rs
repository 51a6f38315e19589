//! One story through every store operation, told against SQLite always and
//! against PostgreSQL when `RECKON_TEST_POSTGRES_URL` is set (each run in a
//! schema of its own, dropped at the end).

#![allow(clippy::unwrap_used)] // a test: a failure should stop it loudly

use reckon_store::diff::compare;
use reckon_store::{
    Change, ImportKind, ImportOutcome, NewImport, NewRun, Note, PeriodState, Review, ReviewState,
    RunStore, SqlStore, Store, StoredFinding,
};

fn finding(product: &str, impact: &str) -> StoredFinding {
    StoredFinding {
        fingerprint: StoredFinding::fingerprint_of("underbilled", "C1", product, "", ""),
        kind: "underbilled".to_string(),
        client_id: "C1".to_string(),
        product_id: product.to_string(),
        source: String::new(),
        item_key: String::new(),
        billed: "38".to_string(),
        actual: "42".to_string(),
        impact: impact.to_string(),
        money_at_stake: impact.to_string(),
        cause: "billing_issue".to_string(),
        priority: "high".to_string(),
        explanation: "42 in use, 38 billed".to_string(),
        detail: "{}".to_string(),
    }
}

fn run(period: &str, at: &str) -> NewRun {
    NewRun {
        period: period.to_string(),
        as_of: format!("{period}-30T00:00:00Z"),
        stale_days: 30,
        created_at: at.to_string(),
        created_by: "ann".to_string(),
        inputs: vec![1, 2],
        pairs: 10,
        underbilled: "88.00".to_string(),
        overbilled: "0.00".to_string(),
    }
}

/// Runs, review state carried across runs, notes, a resolved finding that
/// comes back, the diff, and month-end close.
async fn review_story(store: &SqlStore) {
    let first = store
        .add_run(
            &run("2026-10", "2026-11-01T09:00:00Z"),
            &[finding("M365-BP", "88.00"), finding("MS-WKS", "45.00")],
        )
        .await
        .unwrap();
    let bp = StoredFinding::fingerprint_of("underbilled", "C1", "M365-BP", "", "");
    let wks = StoredFinding::fingerprint_of("underbilled", "C1", "MS-WKS", "", "");
    let review = |fingerprint: &str, state: ReviewState, reason: &str| Review {
        fingerprint: fingerprint.to_string(),
        state,
        reason: reason.to_string(),
        expires_on: String::new(),
        assignee: "bob".to_string(),
        for_action: state == ReviewState::Acknowledged,
        updated_at: "2026-11-02T10:00:00Z".to_string(),
        updated_by: "ann".to_string(),
    };
    store
        .set_review(&review(&bp, ReviewState::Acknowledged, ""), "2026-10")
        .await
        .unwrap();
    store
        .set_review(
            &review(&wks, ReviewState::Resolved, "added to the agreement"),
            "2026-10",
        )
        .await
        .unwrap();
    // Ignoring needs a reason.
    assert!(
        store
            .set_review(&review(&bp, ReviewState::Ignored, " "), "2026-10")
            .await
            .is_err()
    );
    store
        .add_note(
            &Note {
                id: 0,
                fingerprint: bp.clone(),
                at: "2026-11-02T10:05:00Z".to_string(),
                author: "bob".to_string(),
                body: "Client confirmed 42 seats.".to_string(),
            },
            "2026-10",
        )
        .await
        .unwrap();

    // Next period: both come back; the resolved one is reopened.
    let second = store
        .add_run(
            &run("2026-11", "2026-12-01T09:00:00Z"),
            &[
                finding("M365-BP", "88.00"),
                finding("MS-WKS", "90.00"),
                finding("S1-EDR", "6.00"),
            ],
        )
        .await
        .unwrap();
    let reviews = store.reviews().await.unwrap();
    let state_of = |fingerprint: &str| {
        reviews
            .iter()
            .find(|r| r.fingerprint == fingerprint)
            .map(|r| r.state)
    };
    assert_eq!(
        state_of(&bp),
        Some(ReviewState::Acknowledged),
        "state carries over"
    );
    assert!(
        reviews.iter().any(|r| r.fingerprint == bp && r.for_action),
        "the mark for a PSA change carries over"
    );
    assert_eq!(
        state_of(&wks),
        Some(ReviewState::Open),
        "a resolved finding that comes back is reopened"
    );
    let notes = store.notes(&wks).await.unwrap();
    assert!(
        notes.iter().any(|n| n.body.contains("Reopened")),
        "{notes:?}"
    );
    assert_eq!(
        store.notes(&bp).await.unwrap()[0].body,
        "Client confirmed 42 seats."
    );
    assert_eq!(store.finding_runs(&bp).await.unwrap(), [first, second]);
    let all_notes = store.all_notes().await.unwrap();
    assert_eq!(
        all_notes.len(),
        store.notes(&bp).await.unwrap().len() + store.notes(&wks).await.unwrap().len(),
        "every note of every finding, for reports"
    );

    let diff = compare(
        &store.run_findings(first).await.unwrap(),
        &store.run_findings(second).await.unwrap(),
    );
    assert_eq!(diff.new.len(), 1);
    assert_eq!(diff.recurred.len(), 1);
    assert_eq!(diff.changed.len(), 1);
    assert!(diff.disappeared.is_empty());
    assert_eq!(store.runs(Some("2026-11")).await.unwrap().len(), 1);
    assert_eq!(store.run(second).await.unwrap().inputs, [1, 2]);
    assert!(store.run(999_999).await.is_err());

    // Month-end close locks the period: no new run, no review change.
    store
        .set_period_closed(&PeriodState {
            period: "2026-10".to_string(),
            closed: true,
            final_run: Some(first),
            changed_at: "2026-11-05T17:00:00Z".to_string(),
            changed_by: "ann".to_string(),
        })
        .await
        .unwrap();
    assert!(
        store
            .add_run(&run("2026-10", "2026-11-06T09:00:00Z"), &[])
            .await
            .is_err()
    );
    assert!(
        store
            .set_review(&review(&bp, ReviewState::Resolved, "done"), "2026-10")
            .await
            .is_err()
    );
    let state = store.period_state("2026-10").await.unwrap().unwrap();
    assert!(state.closed);
    assert_eq!(state.final_run, Some(first));
    // Reopening is recorded like every change.
    store
        .set_period_closed(&PeriodState {
            closed: false,
            final_run: None,
            changed_at: "2026-11-07T08:00:00Z".to_string(),
            ..state
        })
        .await
        .unwrap();
    let period_changes = store.audit(Some("period")).await.unwrap();
    assert_eq!(period_changes.len(), 2);
    assert_eq!(period_changes[1].old_value.as_deref(), Some("closed"));
    let finding_changes = store.audit(Some("finding")).await.unwrap();
    assert!(finding_changes.len() >= 5, "{finding_changes:?}");
}

fn import(period: &str, kind: ImportKind, source: &str, hash: &str, content: &str) -> NewImport {
    NewImport {
        period: period.to_string(),
        kind,
        source: source.to_string(),
        file_name: format!("{source}-{period}.csv"),
        file_hash: hash.to_string(),
        imported_at: "2026-11-26T09:00:00Z".to_string(),
        imported_by: "ann".to_string(),
        rows: content.lines().count().saturating_sub(1) as u64,
        newest_seen: Some(format!("{period}-28T00:00:00Z")),
        content: content.as_bytes().to_vec(),
        changes: Vec::new(),
    }
}

async fn story(store: &SqlStore) {
    // Settings, audited.
    assert_eq!(store.setting("currency").await.unwrap(), None);
    store
        .set_setting("currency", "USD", "ann", "2026-11-26T08:00:00Z")
        .await
        .unwrap();
    store
        .set_setting("currency", "EUR", "bob", "2026-11-26T08:05:00Z")
        .await
        .unwrap();
    // Setting the same value again changes nothing and records nothing.
    store
        .set_setting("currency", "EUR", "bob", "2026-11-26T08:06:00Z")
        .await
        .unwrap();
    assert_eq!(
        store.setting("currency").await.unwrap().as_deref(),
        Some("EUR")
    );

    // Imports: stored in one transaction; the same file twice is not
    // stored again.
    let october = [
        import(
            "2026-10",
            ImportKind::Billing,
            "psa",
            "h-bill-10",
            "line_id\nL1\nL2\n",
        ),
        import(
            "2026-10",
            ImportKind::Usage,
            "m365",
            "h-m365-10",
            "source\nm365\n",
        ),
        import(
            "2026-10",
            ImportKind::ProductMap,
            "psa",
            "h-pmap",
            "source,sku\nm365,SPB\n",
        ),
    ];
    let outcomes = store.add_imports(&october).await.unwrap();
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, ImportOutcome::Stored(_)))
    );
    let again = store.add_imports(&october[..1]).await.unwrap();
    assert!(matches!(again[0], ImportOutcome::AlreadyImported(_)));

    let november = [
        import(
            "2026-11",
            ImportKind::Billing,
            "psa",
            "h-bill-11a",
            "line_id\nL1\n",
        ),
        import(
            "2026-11",
            ImportKind::Usage,
            "m365",
            "h-m365-11",
            "source\nm365\nm365\n",
        ),
    ];
    store.add_imports(&november).await.unwrap();
    // A corrected billing export for November replaces the first one.
    let corrected = store
        .add_imports(&[import(
            "2026-11",
            ImportKind::Billing,
            "psa",
            "h-bill-11b",
            "line_id\nL1\nL3\n",
        )])
        .await
        .unwrap();
    let ImportOutcome::Stored(corrected_id) = corrected[0] else {
        panic!("the corrected file is new");
    };

    assert_eq!(store.periods().await.unwrap(), ["2026-10", "2026-11"]);
    assert_eq!(store.imports(None).await.unwrap().len(), 6);
    assert_eq!(store.imports(Some("2026-10")).await.unwrap().len(), 3);

    // A run of November reads November's latest billing and usage, and the
    // mappings imported in October.
    let latest = store.latest_imports("2026-11").await.unwrap();
    let summary: Vec<(ImportKind, &str, &str)> = latest
        .iter()
        .map(|i| (i.kind, i.source.as_str(), i.period.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (ImportKind::Billing, "psa", "2026-11"),
            (ImportKind::Usage, "m365", "2026-11"),
            (ImportKind::ProductMap, "psa", "2026-10"),
        ]
    );
    let billing = latest
        .iter()
        .find(|i| i.kind == ImportKind::Billing)
        .unwrap();
    assert_eq!(billing.id, corrected_id);
    assert_eq!(billing.rows, 2);
    assert_eq!(
        store.import_content(corrected_id).await.unwrap(),
        b"line_id\nL1\nL3\n"
    );
    assert!(store.import_content(999_999).await.is_err());

    // The audit trail: who changed what, old and new values.
    store
        .record_change(&Change {
            at: "2026-11-26T10:00:00Z".to_string(),
            actor: "ann".to_string(),
            entity: "mapping".to_string(),
            entity_id: "m365/t-1".to_string(),
            field: "client".to_string(),
            old_value: None,
            new_value: Some("C1".to_string()),
        })
        .await
        .unwrap();
    let settings = store.audit(Some("setting")).await.unwrap();
    assert_eq!(settings.len(), 2);
    assert_eq!(settings[1].old_value.as_deref(), Some("USD"));
    assert_eq!(settings[1].new_value.as_deref(), Some("EUR"));
    assert_eq!(settings[1].actor, "bob");
    assert_eq!(store.audit(Some("import")).await.unwrap().len(), 6);
    assert_eq!(store.audit(None).await.unwrap().len(), 9);
}

#[tokio::test]
async fn story_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reckon.db");
    let store = SqlStore::open_sqlite(&path).await.unwrap();
    story(&store).await;
    review_story(&store).await;
    store.close().await;
    // Reopening applies no migration twice and keeps everything.
    let again = SqlStore::open_sqlite(&path).await.unwrap();
    assert_eq!(again.imports(None).await.unwrap().len(), 6);
}

#[tokio::test]
async fn story_on_postgres() {
    let Ok(url) = std::env::var("RECKON_TEST_POSTGRES_URL") else {
        eprintln!("RECKON_TEST_POSTGRES_URL is not set: the PostgreSQL story is skipped");
        return;
    };
    let schema = format!(
        "reckon_story_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    );
    let store = SqlStore::open_postgres(&url, Some(&schema)).await.unwrap();
    story(&store).await;
    review_story(&store).await;
    store.close().await;
    let cleanup = SqlStore::open_postgres(&url, None).await.unwrap();
    cleanup.drop_schema(&schema).await.unwrap();
    cleanup.close().await;
}

#[tokio::test]
async fn the_same_file_twice_in_one_import_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite(&dir.path().join("reckon.db"))
        .await
        .unwrap();
    let first = import("2026-11", ImportKind::Usage, "m365", "same", "source\n");
    let outcomes = store.add_imports(&[first.clone(), first]).await.unwrap();
    assert!(matches!(outcomes[1], ImportOutcome::AlreadyImported(_)));
    assert_eq!(store.imports(None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn concurrent_writers_on_sqlite_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reckon.db");
    let store = SqlStore::open_sqlite(&path).await.unwrap();
    let mut tasks = Vec::new();
    for writer in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for n in 0..10 {
                let content = format!("source\nm365-{writer}-{n}\n");
                store
                    .add_imports(&[import(
                        "2026-11",
                        ImportKind::Usage,
                        &format!("feed{writer}"),
                        &format!("h{writer}-{n}"),
                        &content,
                    )])
                    .await
                    .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(store.imports(None).await.unwrap().len(), 80);
    assert_eq!(store.audit(Some("import")).await.unwrap().len(), 80);
}
