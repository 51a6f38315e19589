//! The review app end to end in headless Chromium, driven over WebDriver
//! (chromedriver) with fantoccini, against the real binary: a workspace
//! with the demo data imported and run, `reckon serve` on a free port, and a
//! reviewer and a viewer walking through it as a person would. Screenshots
//! of each main page go to `<target dir>/browser-screenshots/`.
//!
//! Without chromium or chromedriver the test says why and passes, unless
//! `RECKON_BROWSER_TESTS` is set (as `.ci/run` does): then it must run.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

const ADMIN: (&str, &str) = ("ann", "a long password");
const VIEWER: (&str, &str) = ("vic", "viewer password");

/// A child process that is stopped when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn reckon(args: &[&str], password: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_reckon"));
    command
        .args(args)
        .env("RECKON_USER", ADMIN.0)
        .env_remove("RECKON_WORKSPACE")
        .env_remove("RECKON_DATABASE_URL")
        .env_remove("RECKON_PASSWORD")
        .stdin(Stdio::null());
    if let Some(password) = password {
        command.env("RECKON_PASSWORD", password);
    }
    let output = command.output().expect("reckon runs");
    assert!(
        output.status.success(),
        "reckon {args:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The first program of `names` found on PATH.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("its address")
        .port()
}

fn wait_for_port(port: u16, what: &str) {
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{what} did not listen on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    let dir = target.join("browser-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    dir
}

/// The whole page as a PNG: the window is made as tall as the page first.
async fn screenshot(client: &Client, name: &str) {
    let height = client
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await
        .expect("page height")
        .as_u64()
        .unwrap_or(900)
        .clamp(700, 4000);
    client
        .set_window_size(1440, u32::try_from(height).unwrap_or(900) + 140)
        .await
        .expect("resize");
    let png = client.screenshot().await.expect("screenshot");
    let path = screenshot_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write screenshot");
    client.set_window_size(1440, 1000).await.expect("resize");
}

/// The text of the first element `css` finds, once the page has it (a page
/// that is still being replaced is waited for).
async fn text_of(client: &Client, css: &str) -> String {
    let started = Instant::now();
    loop {
        let found = match client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await,
            Err(e) => Err(e),
        };
        match found {
            Ok(text) => return text,
            Err(e) if started.elapsed() > Duration::from_secs(10) => {
                let url = client.current_url().await.map(String::from);
                panic!("no {css} on {url:?}: {e}");
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Marks the current document, runs `action` (a click that leaves the
/// page), and waits until a new document has loaded.
async fn leaving<F: std::future::Future<Output = ()>>(client: &Client, action: F) {
    client
        .execute("window.__reckonOldPage = true;", vec![])
        .await
        .expect("mark the page");
    action.await;
    let started = Instant::now();
    loop {
        let loaded = client
            .execute(
                "return window.__reckonOldPage !== true && document.readyState === 'complete';",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if loaded {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the page did not change"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn path_of(client: &Client) -> String {
    let url = client.current_url().await.expect("current url");
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_string(),
    }
}

/// Clicks what `css` finds, staying on the page (a checkbox).
async fn click(client: &Client, css: &str) {
    let url = client.current_url().await.map(String::from);
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css} on {url:?}: {e}"))
        .click()
        .await
        .expect("click");
}

/// Clicks a link or submit button and waits for the page it leads to.
async fn follow(client: &Client, css: &str) {
    leaving(client, click(client, css)).await;
}

async fn sign_in(client: &Client, base: &str, (name, password): (&str, &str)) {
    client
        .goto(&format!("{base}/"))
        .await
        .expect("open the app");
    // Anonymous visitors are sent to sign in, and back afterwards.
    assert_eq!(path_of(client).await, "/sign-in?next=%2F");
    let form = client
        .form(Locator::Css("form[action='/sign-in']"))
        .await
        .expect("the sign-in form");
    form.set_by_name("name", name).await.expect("name");
    form.set_by_name("password", password)
        .await
        .expect("password");
    follow(client, "form[action='/sign-in'] button[type=submit]").await;
    assert_eq!(text_of(client, "main h1").await, "Dashboard");
    assert_eq!(path_of(client).await, "/");
    let who = text_of(client, "header.topbar > span.who").await;
    assert!(who.contains(name), "signed in as {who:?}");
}

async fn sign_out(client: &Client, base: &str) {
    follow(client, "form[action='/sign-out'] button").await;
    assert_eq!(text_of(client, "main h1").await, "Sign in");
    assert!(path_of(client).await.starts_with("/sign-in"));
    // The session is gone: the dashboard asks to sign in again.
    client.goto(&format!("{base}/")).await.expect("open");
    assert_eq!(text_of(client, "main h1").await, "Sign in");
}

/// A reviewer's month: the totals, the underbilled findings, one finding
/// acknowledged with a note and marked for a PSA change, the dashboard
/// counting it, and signing out.
async fn reviewer_flow(client: &Client, base: &str, november: &[String]) {
    client.goto(&format!("{base}/")).await.expect("open");
    screenshot(client, "sign-in").await;
    sign_in(client, base, ADMIN).await;
    assert_eq!(
        text_of(client, ".card .value.under").await,
        "231.00",
        "the demo's underbilling per month"
    );
    assert_eq!(text_of(client, ".card .value.over").await, "171.50");
    screenshot(client, "dashboard").await;

    // The findings, filtered to underbilled with the filter form.
    follow(client, ".topbar nav a[href='/findings']").await;
    assert_eq!(text_of(client, "main h1").await, "Findings");
    client
        .find(Locator::Css("form.filters select[name=kind]"))
        .await
        .expect("kind filter")
        .select_by_value("underbilled")
        .await
        .expect("choose underbilled");
    follow(client, "form.filters button[type=submit]").await;
    let _ = text_of(client, "main h1").await;
    let url = path_of(client).await;
    assert!(url.contains("kind=underbilled"), "{url}");
    let kinds = client
        .find_all(Locator::Css("main table tbody tr td:nth-child(3)"))
        .await
        .expect("rows");
    assert_eq!(kinds.len(), 5, "the demo has five underbilled findings");
    for kind in &kinds {
        assert_eq!(kind.text().await.expect("kind"), "Underbilled");
    }
    screenshot(client, "findings").await;

    // Contoso Dental's Business Premium finding.
    let rows = client
        .find_all(Locator::Css("main table tbody tr"))
        .await
        .expect("rows");
    let mut link = None;
    for row in rows {
        let text = row.text().await.expect("row text");
        if text.contains("Contoso Dental") && text.contains("Business Premium") {
            link = Some(row.find(Locator::Css("td.mono a")).await.expect("id link"));
        }
    }
    let link = link.expect("Contoso Dental's Business Premium finding is listed");
    leaving(client, async {
        link.click().await.expect("open the finding");
    })
    .await;
    let heading = text_of(client, "main h1").await;
    assert!(
        heading.contains("Contoso Dental") && heading.contains("Business Premium"),
        "{heading}"
    );
    let facts = text_of(client, "dl.facts").await;
    assert!(facts.contains("88.00"), "impact per month: {facts}");

    // Acknowledge it with a note, marked for a change in the PSA.
    let note = "Agreed with the client: 4 more seats from November.";
    client
        .find(Locator::Css("select[name=state]"))
        .await
        .expect("state")
        .select_by_value("acknowledged")
        .await
        .expect("choose acknowledged");
    client
        .find(Locator::Css("input[name=assignee]"))
        .await
        .expect("assignee")
        .send_keys("ann")
        .await
        .expect("type the assignee");
    click(client, "input[name=for_action]").await;
    client
        .find(Locator::Css("textarea[name=note]"))
        .await
        .expect("note")
        .send_keys(note)
        .await
        .expect("type the note");
    follow(client, "form[action$='/review'] button[type=submit]").await;
    assert_eq!(text_of(client, ".flash").await, "Saved.");
    let url = path_of(client).await;
    assert!(url.contains("saved=1"), "{url}");
    assert_eq!(text_of(client, "main p.sub .badge").await, "Acknowledged");
    let page = text_of(client, "main").await;
    assert!(page.contains(note), "the note is shown");
    assert!(page.contains("Marked for a change in the PSA"));
    screenshot(client, "finding").await;
    let finding_url = url.replace("&saved=1", "");

    // The dashboard counts it.
    follow(client, ".topbar nav a[href='/']").await;
    let states = text_of(client, "main .grid2 .panel:nth-child(2) table").await;
    assert!(
        states
            .lines()
            .any(|line| line.split_whitespace().collect::<Vec<_>>() == ["Acknowledged", "1"]),
        "{states}"
    );

    // A new month: upload November's usage and billing (Contoso's Business
    // Premium line raised from 38 to 40), preview, import, start a run, and
    // see it compared with October's and on the dashboard.
    follow(client, ".topbar nav a[href='/imports']").await;
    assert_eq!(text_of(client, "main h1").await, "Imports");
    client
        .find(Locator::Css("form[action='/imports'] input[name=files]"))
        .await
        .expect("the file field")
        .send_keys(&november.join("\n"))
        .await
        .expect("choose the files");
    client
        .find(Locator::Css("form[action='/imports'] input[name=period]"))
        .await
        .expect("the period field")
        .send_keys("2026-11")
        .await
        .expect("type the period");
    follow(client, "form[action='/imports'] button[type=submit]").await;
    assert_eq!(text_of(client, "main h1").await, "Preview of the upload");
    let preview = text_of(client, "main").await;
    assert!(
        preview.contains("usage.csv") && preview.contains("billing.csv"),
        "{preview}"
    );
    assert!(preview.contains("Nothing is stored yet"), "{preview}");
    screenshot(client, "import-preview").await;
    follow(client, "button[name=action][value=import]").await;
    let stored = text_of(client, "main .flash").await;
    assert!(stored.starts_with("Stored 5 snapshots."), "{stored}");

    follow(client, ".topbar nav a[href='/runs']").await;
    assert_eq!(text_of(client, "main h1").await, "Runs");
    client
        .find(Locator::Css("form[action='/runs'] select[name=period]"))
        .await
        .expect("the period choice")
        .select_by_value("2026-11")
        .await
        .expect("choose November");
    follow(client, "form[action='/runs'] button[type=submit]").await;
    assert_eq!(text_of(client, "main h1").await, "Run 2 · 2026-11");
    let run_page = text_of(client, "main").await;
    assert!(run_page.contains("Against run 1"), "{run_page}");
    assert!(
        run_page.contains("Changed") && run_page.contains("M365-BP"),
        "Contoso's Business Premium finding changed: {run_page}"
    );
    screenshot(client, "run").await;

    follow(client, ".topbar nav a[href='/']").await;
    assert_eq!(
        text_of(client, ".card .value.under").await,
        "187.00",
        "November: Contoso is 2 seats short, not 4"
    );
    // The review carried over to November's run.
    let states = text_of(client, "main .grid2 .panel:nth-child(2) table").await;
    assert!(
        states
            .lines()
            .any(|line| line.split_whitespace().collect::<Vec<_>>() == ["Acknowledged", "1"]),
        "{states}"
    );

    sign_out(client, base).await;
    finding_url_check(client, base, &finding_url).await;
}

/// After signing out, a finding's address asks to sign in and comes back.
async fn finding_url_check(client: &Client, base: &str, finding_url: &str) {
    client
        .goto(&format!("{base}{finding_url}"))
        .await
        .expect("open the finding");
    assert_eq!(text_of(client, "main h1").await, "Sign in");
    let next = client
        .find(Locator::Css("input[name=next]"))
        .await
        .expect("next")
        .attr("value")
        .await
        .expect("value");
    assert_eq!(next.as_deref(), Some(finding_url));
}

/// A viewer reads the same finding, with the reviewer's note, and is
/// offered no review form and no bulk actions.
async fn viewer_flow(client: &Client, base: &str) {
    sign_in(client, base, VIEWER).await;
    // The latest period is November's, which the reviewer imported and ran.
    assert_eq!(text_of(client, ".card .value.under").await, "187.00");
    client
        .goto(&format!("{base}/findings?kind=underbilled"))
        .await
        .expect("open the findings");
    let _ = text_of(client, "main table").await;
    assert!(
        client
            .find_all(Locator::Css(
                "form[action='/findings/bulk'], input[name=id]"
            ))
            .await
            .expect("query")
            .is_empty(),
        "a viewer is offered bulk actions"
    );
    let rows = client
        .find_all(Locator::Css("main table tbody tr"))
        .await
        .expect("rows");
    let mut link = None;
    for row in rows {
        if row.text().await.expect("text").contains("Contoso Dental") {
            link = Some(row.find(Locator::Css("td.mono a")).await.expect("link"));
        }
    }
    let link = link.expect("Contoso Dental is listed");
    leaving(client, async {
        link.click().await.expect("open the finding");
    })
    .await;
    let page = text_of(client, "main").await;
    assert!(page.contains("Agreed with the client"), "the note is shown");
    assert!(
        client
            .find_all(Locator::Css(
                "form[action$='/review'], textarea[name=note], select[name=state]"
            ))
            .await
            .expect("query")
            .is_empty(),
        "a viewer is offered the review form"
    );
    screenshot(client, "finding-viewer").await;
    sign_out(client, base).await;
}

/// A newcomer's first view: `reckon serve --demo`, signed in with the
/// password it prints.
async fn demo_flow(client: &Client, work: &Path) {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_reckon"))
        .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
        .current_dir(work)
        .env_remove("RECKON_WORKSPACE")
        .env_remove("RECKON_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("reckon serve --demo starts");
    let stdout = child.stdout.take().expect("stdout");
    let _server = Running(child);
    let mut password = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        if let Some(rest) = line.split("with the password ").nth(1) {
            password = Some(rest.trim().to_string());
        }
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    let password = password.expect("the demo prints its password");
    wait_for_port(port, "reckon serve --demo");
    let base = format!("http://127.0.0.1:{port}");
    sign_in(client, &base, ("demo", &password)).await;
    let periods = text_of(client, ".topbar select[name=period]").await;
    assert!(periods.contains("2026-09") && periods.contains("2026-10"));
    screenshot(client, "demo-dashboard").await;
    sign_out(client, &base).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_in_the_browser() {
    let required = std::env::var_os("RECKON_BROWSER_TESTS").is_some_and(|v| !v.is_empty());
    let chromium = on_path(&["chromium", "chromium-browser", "google-chrome"]);
    let driver = on_path(&["chromedriver"]);
    let (Some(chromium), Some(driver)) = (chromium, driver) else {
        let why = "the browser tests need chromium and chromedriver on PATH \
                   (Debian: apt-get install chromium chromium-driver)";
        assert!(!required, "RECKON_BROWSER_TESTS is set, but {why}");
        eprintln!("skipped: {why}; set RECKON_BROWSER_TESTS=1 to require them");
        return;
    };
    let started = Instant::now();

    // A workspace with the demo data imported and run, an admin and a viewer.
    let work = tempfile::tempdir().expect("temp dir");
    let demo = work.path().join("demo");
    let ws = work.path().join("ws").display().to_string();
    reckon(&["demo", "--out", &demo.display().to_string()], None);
    reckon(&["init", &ws], None);
    let data: Vec<String> = std::fs::read_dir(demo.join("data"))
        .expect("demo data")
        .map(|entry| entry.expect("entry").path().display().to_string())
        .collect();
    let mut import = vec!["import"];
    import.extend(data.iter().map(String::as_str));
    import.extend(["--workspace", &ws]);
    reckon(&import, None);
    reckon(&["run", "--workspace", &ws], None);
    // November's exports, uploaded in the browser by the reviewer flow.
    let november_dir = work.path().join("november");
    std::fs::create_dir(&november_dir).expect("mkdir");
    let october = |name: &str| std::fs::read_to_string(demo.join("data").join(name)).expect(name);
    std::fs::write(
        november_dir.join("usage.csv"),
        october("usage.csv").replace("2026-10-", "2026-11-"),
    )
    .expect("write usage.csv");
    std::fs::write(
        november_dir.join("billing.csv"),
        october("billing.csv").replacen(",M365-BP,38,", ",M365-BP,40,", 1),
    )
    .expect("write billing.csv");
    let november: Vec<String> = ["usage.csv", "billing.csv"]
        .iter()
        .map(|name| november_dir.join(name).display().to_string())
        .collect();
    reckon(
        &["user", "add", ADMIN.0, "--admin", "--workspace", &ws],
        Some(ADMIN.1),
    );
    reckon(
        &[
            "user",
            "add",
            VIEWER.0,
            "--role",
            "viewer",
            "--workspace",
            &ws,
        ],
        Some(VIEWER.1),
    );

    let port = free_port();
    let _server = Running(
        Command::new(env!("CARGO_BIN_EXE_reckon"))
            .args([
                "serve",
                "--workspace",
                &ws,
                "--bind",
                &format!("127.0.0.1:{port}"),
            ])
            .env_remove("RECKON_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("reckon serve starts"),
    );
    let driver_port = free_port();
    let _driver = Running(
        Command::new(&driver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    wait_for_port(port, "reckon serve");
    wait_for_port(driver_port, "chromedriver");

    let mut capabilities = fantoccini::wd::Capabilities::new();
    capabilities.insert(
        "goog:chromeOptions".to_string(),
        serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1440,1000", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--lang=en-GB",
            ],
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a Chromium session");
    let base = format!("http://127.0.0.1:{port}");

    // The flows run in a task so that a failed step still closes the
    // browser before the panic is passed on.
    let walked = tokio::spawn({
        let client = client.clone();
        let root = work.path().to_path_buf();
        let november = november.clone();
        async move {
            reviewer_flow(&client, &base, &november).await;
            viewer_flow(&client, &base).await;
            demo_flow(&client, &root).await;
        }
    })
    .await;
    let _ = client.close().await;
    if let Err(failure) = walked {
        std::panic::resume_unwind(failure.into_panic());
    }
    eprintln!(
        "browser tests took {:?}; screenshots in {}",
        started.elapsed(),
        screenshot_dir().display()
    );
}
