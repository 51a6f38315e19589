//! What every handler shares: the store, the settings, the sign-in rate
//! limiter and the totals of runs (immutable once stored, so kept once
//! worked out).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use reckon_store::{ClientMoney, SqlStore};

/// How the web app is set up (the binary fills it from its flags).
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Served over https: cookies get `Secure`.
    pub secure_cookies: bool,
    /// How long a sign-in lasts.
    pub session_hours: i64,
    /// Failed sign-ins allowed per user name and per client address in
    /// `failure_window` before answering 429.
    pub max_failures: usize,
    pub failure_window: Duration,
    /// The reverse proxy in front of the app: from this address only, the
    /// last `X-Forwarded-For` entry is taken as the client's (for the
    /// sign-in limit). From anyone else the header is ignored.
    pub trusted_proxy: Option<std::net::IpAddr>,
    /// The largest upload of export files taken (413 past it).
    pub max_upload_bytes: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            session_hours: 12,
            max_failures: 5,
            failure_window: Duration::from_secs(15 * 60),
            trusted_proxy: None,
            max_upload_bytes: crate::uploads::MAX_UPLOAD_BYTES,
        }
    }
}

/// The parts of a run's totals that never change (its findings are fixed).
#[derive(Debug, Clone)]
pub struct FixedTotals {
    pub by_kind: Vec<(String, u64)>,
    /// Largest money at stake first, with the client's name when a finding
    /// gives one.
    pub top_clients: Vec<(ClientMoney, String)>,
}

/// Shared by every request.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
    /// Importing and running (the binary's); `None`: those routes answer 503.
    actions: Option<Arc<dyn crate::actions::WorkspaceActions>>,
    /// Where uploaded files wait for their import (one directory per upload).
    staging_dir: Arc<std::path::PathBuf>,
}

#[derive(Debug)]
struct Inner {
    store: SqlStore,
    config: WebConfig,
    limiter: RateLimiter,
    totals: Mutex<HashMap<i64, Arc<FixedTotals>>>,
    /// The binary's mapping snapshots (none: mapping changes answer 503).
    mapping: OnceLock<Arc<dyn crate::mapping_actions::MappingActions>>,
}

impl AppState {
    pub fn new(store: SqlStore, config: WebConfig) -> AppState {
        let limiter = RateLimiter::new(config.max_failures, config.failure_window);
        AppState {
            inner: Arc::new(Inner {
                store,
                config,
                limiter,
                totals: Mutex::new(HashMap::new()),
                mapping: OnceLock::new(),
            }),
            actions: None,
            staging_dir: Arc::new(std::env::temp_dir().join("reckon-uploads")),
        }
    }

    /// Imports and runs done by `actions`.
    pub fn with_actions(mut self, actions: Arc<dyn crate::actions::WorkspaceActions>) -> Self {
        self.actions = Some(actions);
        self
    }

    /// Uploaded files wait in `dir` (default: `reckon-uploads` in the
    /// system's temporary directory).
    pub fn with_staging_dir(mut self, dir: std::path::PathBuf) -> Self {
        self.staging_dir = Arc::new(dir);
        self
    }

    /// The import and run actions, or 503 when this server has none.
    pub(crate) fn actions(
        &self,
    ) -> Result<&dyn crate::actions::WorkspaceActions, crate::error::WebError> {
        self.actions.as_deref().ok_or_else(|| {
            crate::error::WebError::Unavailable(
                "not available on this server: importing and running need `reckon serve` \
                     in a workspace"
                    .to_string(),
            )
        })
    }

    pub(crate) fn staging_dir(&self) -> &std::path::Path {
        &self.staging_dir
    }

    /// Sets the mapping actions (once; a second call changes nothing).
    pub fn with_mapping_actions(
        self,
        actions: Arc<dyn crate::mapping_actions::MappingActions>,
    ) -> AppState {
        let _ = self.inner.mapping.set(actions);
        self
    }

    pub(crate) fn mapping_actions(
        &self,
    ) -> Option<&Arc<dyn crate::mapping_actions::MappingActions>> {
        self.inner.mapping.get()
    }

    pub fn store(&self) -> &SqlStore {
        &self.inner.store
    }

    pub fn config(&self) -> &WebConfig {
        &self.inner.config
    }

    pub(crate) fn limiter(&self) -> &RateLimiter {
        &self.inner.limiter
    }

    pub(crate) fn cached_totals(&self, run: i64) -> Option<Arc<FixedTotals>> {
        lock(&self.inner.totals).get(&run).cloned()
    }

    pub(crate) fn keep_totals(&self, run: i64, totals: Arc<FixedTotals>) {
        let mut cache = lock(&self.inner.totals);
        // Bounded: a few runs are looked at; a long history is not kept.
        if cache.len() > 64 {
            cache.clear();
        }
        cache.insert(run, totals);
    }
}

/// A poisoned lock still holds usable data (counters and caches).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Failed sign-ins per key (`user:NAME`, `addr:IP`), in memory.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
    /// Password checks running at once: each costs argon2's memory, so
    /// a flood of sign-ins queues instead of exhausting the machine.
    pub(crate) checks: tokio::sync::Semaphore,
}

impl RateLimiter {
    fn new(max_failures: usize, window: Duration) -> RateLimiter {
        RateLimiter {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
            checks: tokio::sync::Semaphore::new(4),
        }
    }

    /// Counts a sign-in attempt against every key before the password is
    /// checked, so parallel requests cannot all pass the check; `false`
    /// (and nothing counted) when a key has used up its attempts. A
    /// successful sign-in takes its attempt back (`succeeded`).
    pub(crate) fn attempt(&self, keys: &[String]) -> bool {
        let now = Instant::now();
        let mut failures = lock(&self.failures);
        if failures.len() > 10_000 {
            failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|at| now.duration_since(*at) <= self.window)
            });
        }
        let blocked = keys.iter().any(|key| {
            failures.get_mut(key).is_some_and(|times| {
                while times
                    .front()
                    .is_some_and(|at| now.duration_since(*at) > self.window)
                {
                    times.pop_front();
                }
                times.len() >= self.max_failures
            })
        });
        if !blocked {
            for key in keys {
                failures.entry(key.clone()).or_default().push_back(now);
            }
        }
        !blocked
    }

    /// A successful sign-in: the user's failures are forgiven and the
    /// attempt counted against the other keys (the address) is taken back.
    pub(crate) fn succeeded(&self, keys: &[String]) {
        let mut failures = lock(&self.failures);
        if let Some((user, others)) = keys.split_first() {
            failures.remove(user);
            for key in others {
                if let Some(times) = failures.get_mut(key) {
                    times.pop_back();
                }
            }
        }
    }
}

pub(crate) use reckon_store::clock::{now, today};

/// `hours` from now, RFC 3339.
pub(crate) fn in_hours(hours: i64) -> String {
    let now = jiff::Timestamp::now();
    let later = now
        .checked_add(jiff::SignedDuration::from_hours(hours))
        .unwrap_or(now);
    later.round(jiff::Unit::Second).unwrap_or(later).to_string()
}
