//! One story through every store operation, told against SQLite always and
//! against PostgreSQL when `RECKON_TEST_POSTGRES_URL` is set (each run in a
//! schema of its own, dropped at the end).

#![allow(clippy::unwrap_used)] // a test: a failure should stop it loudly

use reckon_store::diff::compare;
use reckon_store::{
    Change, FindingQuery, FindingSort, ImportKind, ImportOutcome, ImportRecord, MappingStore,
    NewApiToken, NewImport, NewRun, NewUser, Note, PeriodState, Review, ReviewState, Role,
    RunStore, Session, SqlStore, Store, StoredFinding, UserStore, effective_state, short_id,
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
    // Every finding's history at once, up to a run.
    assert_eq!(
        store.run_histories(second).await.unwrap()[&bp],
        [first, second]
    );
    assert_eq!(store.run_histories(first).await.unwrap()[&bp], [first]);
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
    // A November mapping, then one stored later for October: November
    // keeps its own, October gets the later one.
    let ImportOutcome::Stored(november_map) = store
        .add_imports(&[import(
            "2026-11",
            ImportKind::ProductMap,
            "psa",
            "h-map-11",
            "source,sku,product_id\n",
        )])
        .await
        .unwrap()[0]
    else {
        panic!("a new mapping file");
    };
    let ImportOutcome::Stored(october_map) = store
        .add_imports(&[import(
            "2026-10",
            ImportKind::ProductMap,
            "psa",
            "h-map-10b",
            "source,sku,product_id\nm365,SPB,M365-BP\n",
        )])
        .await
        .unwrap()[0]
    else {
        panic!("a new mapping file");
    };
    let map_of = |imports: Vec<ImportRecord>| {
        imports
            .into_iter()
            .find(|i| i.kind == ImportKind::ProductMap)
            .map(|i| i.id)
    };
    assert_eq!(
        map_of(store.latest_imports("2026-11").await.unwrap()),
        Some(november_map)
    );
    assert_eq!(
        map_of(store.latest_imports("2026-10").await.unwrap()),
        Some(october_map)
    );
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
    // Eight imports: six above and the two mapping files.
    assert_eq!(store.audit(Some("import")).await.unwrap().len(), 8);
    assert_eq!(store.audit(None).await.unwrap().len(), 11);
}

#[tokio::test]
async fn story_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reckon.db");
    let store = SqlStore::open_sqlite(&path).await.unwrap();
    story(&store).await;
    review_story(&store).await;
    user_story(&store).await;
    query_story(&store).await;
    store.close().await;
    // Reopening applies no migration twice and keeps everything.
    let again = SqlStore::open_sqlite(&path).await.unwrap();
    assert_eq!(again.imports(None).await.unwrap().len(), 8);
    let fresh = SqlStore::open_sqlite(&dir.path().join("race.db"))
        .await
        .unwrap();
    first_admin_race(&fresh).await;
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
    user_story(&store).await;
    query_story(&store).await;
    store.close().await;
    // Dropped without opening a store on the default schema, which would
    // migrate it.
    SqlStore::drop_postgres_schema(&url, &schema).await.unwrap();
    let race_schema = format!("{schema}_race");
    let race = SqlStore::open_postgres(&url, Some(&race_schema))
        .await
        .unwrap();
    first_admin_race(&race).await;
    race.close().await;
    SqlStore::drop_postgres_schema(&url, &race_schema)
        .await
        .unwrap();
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

/// Users, the one-time setup, sessions (expiry, disabled users) and API
/// tokens, every change audited without a secret.
/// Two first admins made at once on an empty store: exactly one is.
async fn first_admin_race(store: &SqlStore) {
    let user = |name: &str| NewUser {
        name: name.to_string(),
        password_hash: format!("$argon2id$hash-of-{name}"),
        role: Role::Admin,
        created_at: "2026-11-26T08:00:00Z".to_string(),
        created_by: "setup".to_string(),
    };
    let (ann, zed) = (user("ann"), user("zed"));
    let (first, second) = tokio::join!(store.add_user(&ann, true), store.add_user(&zed, true));
    assert_eq!(
        usize::from(first.is_ok()) + usize::from(second.is_ok()),
        1,
        "{first:?} {second:?}"
    );
    assert_eq!(store.user_count().await.unwrap(), 1);
}

async fn user_story(store: &SqlStore) {
    assert_eq!(store.user_count().await.unwrap(), 0);
    let user = |name: &str, role: Role| NewUser {
        name: name.to_string(),
        password_hash: format!("$argon2id$hash-of-{name}"),
        role,
        created_at: "2026-11-26T08:00:00Z".to_string(),
        created_by: "setup".to_string(),
    };
    let ann = store
        .add_user(&user("ann", Role::Admin), true)
        .await
        .unwrap();
    // Setup works only while no user exists.
    assert!(
        store
            .add_user(&user("eve", Role::Admin), true)
            .await
            .is_err()
    );
    store
        .add_user(&user("bob", Role::Reviewer), false)
        .await
        .unwrap();
    assert!(
        store
            .add_user(&user("bob", Role::Viewer), false)
            .await
            .is_err(),
        "names are unique"
    );
    assert!(
        store
            .add_user(&user(" ", Role::Viewer), false)
            .await
            .is_err()
    );
    assert_eq!(store.user_count().await.unwrap(), 2);
    let names: Vec<String> = store
        .users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert_eq!(names, ["ann", "bob"]);
    let bob = store.user_by_name("bob").await.unwrap().unwrap();
    assert_eq!(bob.role, Role::Reviewer);
    assert!(store.user_by_name("nobody").await.unwrap().is_none());

    let session = |token: &str, user_id: i64, expires_at: &str| Session {
        token_hash: token.to_string(),
        user_id,
        csrf_token: format!("csrf-{token}"),
        created_at: "2026-11-26T09:00:00Z".to_string(),
        expires_at: expires_at.to_string(),
    };
    store
        .add_session(&session("s-ann", ann, "2026-11-27T09:00:00Z"))
        .await
        .unwrap();
    store
        .add_session(&session("s-bob", bob.id, "2026-11-27T09:00:00Z"))
        .await
        .unwrap();
    let (found, who) = store
        .session("s-ann", "2026-11-26T10:00:00Z")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.csrf_token.as_str(), who.name.as_str()),
        ("csrf-s-ann", "ann")
    );
    assert!(
        store
            .session("s-ann", "2026-11-27T09:00:01Z")
            .await
            .unwrap()
            .is_none(),
        "an expired session is no session"
    );
    assert!(
        store
            .session("unknown", "2026-11-26T10:00:00Z")
            .await
            .unwrap()
            .is_none()
    );
    // A new session clears the expired ones.
    store
        .add_session(&session("s-old", ann, "2026-11-26T09:30:00Z"))
        .await
        .unwrap();
    store
        .add_session(&session("s-new", ann, "2026-11-28T09:00:00Z"))
        .await
        .unwrap();
    let s_new = Session {
        created_at: "2026-11-27T00:00:00Z".to_string(),
        ..session("s-newer", ann, "2026-11-29T00:00:00Z")
    };
    store.add_session(&s_new).await.unwrap();
    assert!(
        store
            .session("s-old", "2026-11-26T09:00:00Z")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session("s-new", "2026-11-27T10:00:00Z")
            .await
            .unwrap()
            .is_some()
    );
    store.end_session("s-ann").await.unwrap();
    assert!(
        store
            .session("s-ann", "2026-11-26T10:00:00Z")
            .await
            .unwrap()
            .is_none()
    );

    store
        .set_user_role("bob", Role::Viewer, "ann", "2026-11-26T11:00:00Z")
        .await
        .unwrap();
    store
        .set_user_disabled("bob", true, "ann", "2026-11-26T11:01:00Z")
        .await
        .unwrap();
    assert!(
        store
            .session("s-bob", "2026-11-26T11:02:00Z")
            .await
            .unwrap()
            .is_none(),
        "a disabled user's sessions end"
    );
    store
        .set_user_disabled("bob", false, "ann", "2026-11-26T11:03:00Z")
        .await
        .unwrap();
    store
        .set_password_hash("bob", "$argon2id$new", "bob", "2026-11-26T11:04:00Z")
        .await
        .unwrap();
    let bob = store.user_by_name("bob").await.unwrap().unwrap();
    assert_eq!((bob.role, bob.disabled), (Role::Viewer, false));
    assert_eq!(bob.password_hash, "$argon2id$new");
    assert!(
        store
            .set_user_role("nobody", Role::Admin, "ann", "x")
            .await
            .is_err()
    );

    let token = NewApiToken {
        name: "billing-script".to_string(),
        token_hash: "hash-of-token".to_string(),
        role: Role::Reviewer,
        created_by: "ann".to_string(),
        created_at: "2026-11-26T12:00:00Z".to_string(),
    };
    store.add_api_token(&token).await.unwrap();
    assert!(
        store.add_api_token(&token).await.is_err(),
        "token names are unique"
    );
    let used = store
        .use_api_token("hash-of-token", "2026-11-26T12:30:00Z")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (used.name.as_str(), used.role),
        ("billing-script", Role::Reviewer)
    );
    let listed = store.api_tokens().await.unwrap();
    assert_eq!(
        listed[0].last_used_at.as_deref(),
        Some("2026-11-26T12:30:00Z")
    );
    assert!(
        store
            .use_api_token("wrong", "2026-11-26T12:31:00Z")
            .await
            .unwrap()
            .is_none()
    );

    // A revoked token signs nothing in and stays listed; revoking twice is
    // NotFound.
    store
        .revoke_api_token("billing-script", "ann", "2026-11-26T13:00:00Z")
        .await
        .unwrap();
    assert!(
        store
            .use_api_token("hash-of-token", "2026-11-26T13:01:00Z")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.api_tokens().await.unwrap()[0].revoked_at.as_deref(),
        Some("2026-11-26T13:00:00Z")
    );
    assert!(
        store
            .revoke_api_token("billing-script", "ann", "x")
            .await
            .is_err()
    );

    // Rejected mapping suggestions: remembered once, audited.
    let rejection = reckon_store::Rejection {
        kind: "client".to_string(),
        source: "m365".to_string(),
        external_id: "t-9".to_string(),
        suggested_id: "C1".to_string(),
        rejected_by: "ann".to_string(),
        rejected_at: "2026-11-26T13:05:00Z".to_string(),
    };
    store.reject_suggestion(&rejection).await.unwrap();
    store.reject_suggestion(&rejection).await.unwrap();
    assert_eq!(store.rejections().await.unwrap(), vec![rejection.clone()]);
    let mapping_audit = store.audit(Some("mapping")).await.unwrap();
    assert_eq!(
        mapping_audit
            .iter()
            .filter(|e| e.field == "rejected suggestion")
            .count(),
        1
    );

    let users = store.audit(Some("user")).await.unwrap();
    let fields: Vec<&str> = users.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["created", "created", "role", "state", "state", "password"]
    );
    assert_eq!(users[2].old_value.as_deref(), Some("reviewer"));
    assert_eq!(users[5].new_value.as_deref(), Some("changed"));
    let tokens = store.audit(Some("api_token")).await.unwrap();
    assert_eq!(tokens.len(), 2);
    let everything = store.audit(None).await.unwrap();
    assert!(
        everything.iter().all(|e| {
            let values = format!("{:?}{:?}", e.old_value, e.new_value);
            !values.contains("argon2") && !values.contains("hash-of-token")
        }),
        "no secret in the audit trail"
    );
}

fn pair(kind: &str, client: &str, product: &str, impact: &str, stake: &str) -> StoredFinding {
    StoredFinding {
        fingerprint: StoredFinding::fingerprint_of(kind, client, product, "", ""),
        kind: kind.to_string(),
        client_id: client.to_string(),
        product_id: product.to_string(),
        impact: impact.to_string(),
        money_at_stake: stake.to_string(),
        explanation: format!("{client} {product}: 50% off_the_list"),
        ..finding(product, impact)
    }
}

/// The web's finding query: filters, search, sort, pages and counts; state
/// as of a day; the short id lookup; exact totals in cents.
async fn query_story(store: &SqlStore) {
    let findings = [
        pair("underbilled", "C2", "M365-BP", "88.00", "88.00"),
        pair("underbilled", "C2", "MS-WKS", "0.29", "0.29"),
        pair("overbilled", "C3", "BK-SRV", "-45.10", "45.10"),
        pair("billed_no_usage", "C3", "EDR", "-12.00", "12.00"),
        pair("unmapped_client", "", "", "0.00", "1000.00"),
    ];
    let run_id = store
        .add_run(&run("2026-12", "2027-01-01T09:00:00Z"), &findings)
        .await
        .unwrap();
    let query = |today: &str| FindingQuery {
        run: run_id,
        today: today.to_string(),
        descending: true,
        limit: 2,
        ..FindingQuery::default()
    };
    let page = store.finding_page(&query("2027-01-02")).await.unwrap();
    assert_eq!(page.total, 5);
    let products: Vec<&str> = page
        .rows
        .iter()
        .map(|r| r.finding.product_id.as_str())
        .collect();
    assert_eq!(products, ["", "M365-BP"], "largest money at stake first");
    let next = store
        .finding_page(&FindingQuery {
            offset: 4,
            ..query("2027-01-02")
        })
        .await
        .unwrap();
    assert_eq!(next.rows.len(), 1);
    assert_eq!(next.rows[0].finding.product_id, "MS-WKS");
    assert_eq!(next.rows[0].short_id, short_id(&findings[1].fingerprint));

    let by_impact = store
        .finding_page(&FindingQuery {
            sort: FindingSort::Impact,
            descending: false,
            limit: 10,
            ..query("2027-01-02")
        })
        .await
        .unwrap();
    let impacts: Vec<&str> = by_impact
        .rows
        .iter()
        .map(|r| r.finding.impact.as_str())
        .collect();
    assert_eq!(
        impacts,
        ["-45.10", "-12.00", "0.00", "0.29", "88.00"],
        "numeric, not text"
    );

    let c3 = store
        .finding_page(&FindingQuery {
            client: Some("C3".to_string()),
            kind: Some("overbilled".to_string()),
            limit: 10,
            ..query("2027-01-02")
        })
        .await
        .unwrap();
    assert_eq!(c3.total, 1);
    assert_eq!(c3.rows[0].finding.product_id, "BK-SRV");

    // Search: a part of the explanation, with LIKE's wildcards taken
    // literally; a part of the short id.
    let search = |text: &str| FindingQuery {
        search: Some(text.to_string()),
        limit: 10,
        ..query("2027-01-02")
    };
    assert_eq!(
        store.finding_page(&search("50% OFF_")).await.unwrap().total,
        5
    );
    assert_eq!(
        store.finding_page(&search("50%_off")).await.unwrap().total,
        0
    );
    assert_eq!(
        store.finding_page(&search("bk-srv")).await.unwrap().total,
        1
    );
    let id = short_id(&findings[3].fingerprint);
    let found = store.finding_page(&search(&id[..8])).await.unwrap();
    assert!(found.rows.iter().any(|r| r.short_id == id));

    // Reviews: one acknowledged and assigned, one ignored until a day.
    let review = |finding: &StoredFinding, state: ReviewState, until: &str| Review {
        fingerprint: finding.fingerprint.clone(),
        state,
        reason: "seasonal".to_string(),
        expires_on: until.to_string(),
        assignee: if state == ReviewState::Acknowledged {
            "bob".to_string()
        } else {
            String::new()
        },
        for_action: false,
        updated_at: "2027-01-01T10:00:00Z".to_string(),
        updated_by: "ann".to_string(),
    };
    store
        .set_review(
            &review(&findings[0], ReviewState::Acknowledged, ""),
            "2026-12",
        )
        .await
        .unwrap();
    store
        .set_review(
            &review(&findings[2], ReviewState::Ignored, "2027-01-15"),
            "2026-12",
        )
        .await
        .unwrap();
    let in_state = |state: ReviewState, today: &str| FindingQuery {
        state: Some(state),
        limit: 10,
        ..query(today)
    };
    assert_eq!(
        store
            .finding_page(&in_state(ReviewState::Ignored, "2027-01-15"))
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        store
            .finding_page(&in_state(ReviewState::Ignored, "2027-01-16"))
            .await
            .unwrap()
            .total,
        0,
        "an ignore past its end is open"
    );
    assert_eq!(
        store
            .finding_page(&in_state(ReviewState::Open, "2027-01-16"))
            .await
            .unwrap()
            .total,
        4
    );
    let assigned = store
        .finding_page(&FindingQuery {
            assignee: Some("bob".to_string()),
            limit: 10,
            ..query("2027-01-02")
        })
        .await
        .unwrap();
    assert_eq!(assigned.total, 1);
    assert_eq!(assigned.rows[0].state, ReviewState::Acknowledged);
    assert_eq!(assigned.rows[0].review.as_ref().unwrap().assignee, "bob");
    let unassigned = store
        .finding_page(&FindingQuery {
            assignee: Some(String::new()),
            limit: 10,
            ..query("2027-01-02")
        })
        .await
        .unwrap();
    assert_eq!(unassigned.total, 4);

    // The SQL and the Rust rule agree on every row, on either side of the
    // ignore's end.
    for today in ["2027-01-15", "2027-01-16"] {
        let all = store
            .finding_page(&FindingQuery {
                limit: 10,
                ..query(today)
            })
            .await
            .unwrap();
        for row in &all.rows {
            assert_eq!(row.state, effective_state(row.review.as_ref(), today));
        }
    }

    let one = store
        .finding_by_short_id(run_id, &id.to_uppercase(), "2027-01-02")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(one.finding.product_id, "EDR");
    assert!(
        store
            .finding_by_short_id(run_id, "0000000000", "2027-01-02")
            .await
            .unwrap()
            .is_none()
    );

    assert_eq!(
        store.fingerprint_of(&id.to_uppercase()).await.unwrap(),
        Some(findings[3].fingerprint.clone())
    );
    assert_eq!(store.fingerprint_of("0000000000").await.unwrap(), None);
    let states = store
        .run_state_counts(run_id, 5, "2027-01-15")
        .await
        .unwrap();
    assert_eq!(
        states,
        [
            (ReviewState::Open, 3),
            (ReviewState::Acknowledged, 1),
            (ReviewState::Ignored, 1)
        ]
    );
    let totals = store.run_totals(run_id, "2027-01-16", 2).await.unwrap();
    assert_eq!(totals.by_kind.len(), 4);
    assert!(totals.by_kind.contains(&("underbilled".to_string(), 2)));
    assert!(totals.by_state.contains(&(ReviewState::Acknowledged, 1)));
    assert!(totals.by_state.contains(&(ReviewState::Open, 4)));
    assert_eq!(totals.top_clients.len(), 2);
    assert_eq!(totals.top_clients[0].client_id, "");
    let c2 = &totals.top_clients[1];
    assert_eq!(
        (
            c2.client_id.as_str(),
            c2.underbilled_cents,
            c2.at_stake_cents
        ),
        ("C2", 8829, 8829)
    );
    let all_clients = store.run_totals(run_id, "2027-01-16", 10).await.unwrap();
    let c3 = all_clients
        .top_clients
        .iter()
        .find(|c| c.client_id == "C3")
        .unwrap();
    assert_eq!(
        (c3.overbilled_cents, c3.underbilled_cents, c3.findings),
        (5710, 0, 2)
    );
}
