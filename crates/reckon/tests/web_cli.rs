//! `reckon user`, `reckon token` and `reckon serve --demo` end to end, with
//! the real binary.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output, Stdio};

fn reckon(args: &[&str], password: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_reckon"));
    command
        .args(args)
        .env("RECKON_USER", "ann")
        .env_remove("RECKON_WORKSPACE")
        .env_remove("RECKON_DATABASE_URL")
        .env_remove("RECKON_PASSWORD")
        .stdin(Stdio::null());
    if let Some(password) = password {
        command.env("RECKON_PASSWORD", password);
    }
    command.output().expect("reckon runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn users_and_tokens_are_added_and_listed_without_secrets() {
    let work = tempfile::tempdir().expect("temp dir");
    let ws = work.path().join("ws").display().to_string();
    assert!(reckon(&["init", &ws], None).status.success());
    let added = reckon(
        &["user", "add", "ann", "--admin", "--workspace", &ws],
        Some("a long password"),
    );
    assert!(added.status.success(), "{}", text(&added));
    let short = reckon(
        &[
            "user",
            "add",
            "bob",
            "--role",
            "reviewer",
            "--workspace",
            &ws,
        ],
        Some("short"),
    );
    assert_eq!(short.status.code(), Some(2), "{}", text(&short));
    assert!(text(&short).contains("at least 10 characters"));
    let twice = reckon(
        &["user", "add", "ann", "--role", "viewer", "--workspace", &ws],
        Some("a long password"),
    );
    assert_eq!(twice.status.code(), Some(2));
    assert!(text(&twice).contains("exists already"), "{}", text(&twice));
    let bad_role = reckon(
        &["user", "add", "cy", "--role", "owner", "--workspace", &ws],
        Some("a long password"),
    );
    assert_eq!(bad_role.status.code(), Some(2));
    let listed = reckon(&["user", "list", "--workspace", &ws], None);
    let listing = text(&listed);
    assert!(
        listing.contains("ann") && listing.contains("admin"),
        "{listing}"
    );
    assert!(!listing.contains("argon2"));

    let token = reckon(
        &[
            "token",
            "add",
            "billing-script",
            "--role",
            "viewer",
            "--workspace",
            &ws,
        ],
        None,
    );
    assert!(token.status.success(), "{}", text(&token));
    let secret = String::from_utf8_lossy(&token.stdout).trim().to_string();
    assert!(secret.starts_with("rkt_") && secret.len() == 68, "{secret}");
    let tokens = text(&reckon(&["token", "list", "--workspace", &ws], None));
    assert!(
        tokens.contains("billing-script") && tokens.contains("never"),
        "{tokens}"
    );
    assert!(!tokens.contains(&secret));
    let audit = text(&reckon(&["audit", "--workspace", &ws], None));
    assert!(
        audit.contains("user") && audit.contains("api_token"),
        "{audit}"
    );
    assert!(!audit.contains(&secret) && !audit.contains("argon2"));
}

/// One HTTP/1.1 request over a fresh connection; the whole answer.
fn http(port: u16, request: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer
}

#[test]
fn serve_demo_prints_a_sign_in_that_works() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("address")
        .port();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_reckon"))
        .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
        .current_dir(dir.path())
        .env_remove("RECKON_WORKSPACE")
        .env_remove("RECKON_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("reckon serve starts");
    let stdout = child.stdout.take().expect("stdout");
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
    let password = password.expect("the demo password is printed");
    // The server may need a moment after printing.
    let mut health = String::new();
    for _ in 0..50 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            health = http(
                port,
                "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            );
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let body = format!("name=demo&password={password}&next=/");
    let signed_in = http(
        port,
        &format!(
            "POST /sign-in HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    let cookie = signed_in
        .lines()
        .find_map(|line| line.strip_prefix("set-cookie: "))
        .and_then(|value| value.split(';').next())
        .map(str::to_string);
    let dashboard = cookie.as_ref().map(|cookie| {
        http(
            port,
            &format!("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: {cookie}\r\n\r\n"),
        )
    });
    child.kill().expect("stop the server");
    child.wait().expect("reap the server");
    assert!(health.ends_with("ok"), "{health}");
    assert!(signed_in.starts_with("HTTP/1.1 303"), "{signed_in}");
    let dashboard = dashboard.expect("a session cookie");
    assert!(dashboard.starts_with("HTTP/1.1 200"), "{dashboard}");
    for text in [
        "Dashboard",
        "Underbilled per month",
        "2026-09",
        "2026-10",
        "Contoso Dental",
    ] {
        assert!(dashboard.contains(text), "{text} missing");
    }
}
