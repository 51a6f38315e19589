//! One story through every store operation, told against SQLite always and
//! against PostgreSQL when `RECKON_TEST_POSTGRES_URL` is set (each run in a
//! schema of its own, dropped at the end).

#![allow(clippy::unwrap_used)] // a test: a failure should stop it loudly

use reckon_store::{Change, ImportKind, ImportOutcome, NewImport, SqlStore, Store};

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
