#!/usr/bin/env python3
"""Load test of `reckon serve` with wrk, at about 100,000 findings in a run.

    python3 bench/web_load.py [--clients 560] [--duration 30] [--connections 4] [--work DIR]

Builds reckon (release), generates `gen.py --clients N --seed 1` (560 clients:
318,477 usage rows), imports it into a fresh SQLite workspace and runs it
`--as-of 2025-07-20` (three weeks after the data's own date, so that many
items are stale: about 100,000 findings; 1,720 clients give about 308,000).
Then it starts `reckon serve` (release) on a free loopback port, signs in
with a password (the session cookie) and makes a viewer API token, and runs
wrk against each URL below for --duration seconds with --latency, printing
p50, p99, requests per second and errors per URL. Traffic goes to 127.0.0.1
only; every wrk run is bounded in time. Needs wrk, python3 and cargo.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "load test password"


def run(cmd, **kwargs):
    print("+", " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, check=True, **kwargs)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base):
    """The session cookie of a password sign-in."""
    body = urllib.parse.urlencode(
        {"name": "bench", "password": PASSWORD, "next": "/"}
    ).encode()
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(urllib.request.Request(base + "/sign-in", data=body))
    except urllib.error.HTTPError as answer:
        if answer.code != 303:
            raise
        cookie = answer.headers["Set-Cookie"].split(";")[0]
        return cookie
    raise SystemExit("sign-in did not redirect")


def get_json(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


def to_ms(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def parse_wrk(output):
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", output, re.M))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return {
        "p50": to_ms(latency.get("50", "")),
        "p99": to_ms(latency.get("99", "")),
        "rps": float(rps.group(1)) if rps else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "errors": errors,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=560)
    parser.add_argument("--duration", type=int, default=30, help="seconds per URL")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--work", help="keep the data and workspace here")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    binary = os.path.join(target, "release", "reckon")
    if not args.no_build:
        run(["cargo", "build", "--release", "-p", "reckon"], cwd=ROOT)
    work = args.work or tempfile.mkdtemp(prefix="reckon-load-")
    os.makedirs(work, exist_ok=True)
    data = os.path.join(work, "data")
    ws = os.path.join(work, "ws")
    env = dict(os.environ, RECKON_USER="bench")
    for name in ("RECKON_WORKSPACE", "RECKON_DATABASE_URL", "RECKON_PASSWORD"):
        env.pop(name, None)

    if not os.path.exists(os.path.join(ws, "reckon.toml")):
        started = time.time()
        run([sys.executable, os.path.join(ROOT, "bench", "gen.py"), "--clients",
             str(args.clients), "--seed", "1", "--out", data], stdout=subprocess.DEVNULL)
        run([binary, "init", ws], env=env, stdout=subprocess.DEVNULL)
        files = [os.path.join(data, f"{name}.csv") for name in
                 ("billing", "usage", "client_map", "product_map", "products")]
        run([binary, "import", *files, "--workspace", ws], env=env, stdout=subprocess.DEVNULL)
        run([binary, "run", "--workspace", ws, "--as-of", "2025-07-20"], env=env,
            stdout=subprocess.DEVNULL)
        run([binary, "user", "add", "bench", "--admin", "--workspace", ws],
            env=dict(env, RECKON_PASSWORD=PASSWORD), stdout=subprocess.DEVNULL)
        print(f"workspace ready in {time.time() - started:.0f} s: {ws}", file=sys.stderr)
    token = run([binary, "token", "add", f"load-{int(time.time())}", "--role", "viewer",
                 "--workspace", ws], env=env, capture_output=True, text=True).stdout.strip()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [binary, "serve", "--workspace", ws, "--bind", f"127.0.0.1:{port}"],
        env=dict(env, RECKON_LOG="error"), stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz").read()
                break
            except OSError:
                time.sleep(0.05)
        cookie = sign_in(base)
        runs = get_json(base + "/api/runs", token)
        run_id = max(r["id"] for r in (runs["runs"] if isinstance(runs, dict) else runs))
        page = get_json(base + f"/api/findings?run={run_id}&per_page=1", token)
        total = page["total"]
        finding = page["findings"][0]["id"]
        late = max(1, total // 50 - 10)  # 50 to a page by default
        print(f"run {run_id}: {total} findings", file=sys.stderr)
        urls = [
            ("findings (default)", "/findings", "cookie"),
            ("findings (kind=underbilled, sort=impact)",
             "/findings?kind=underbilled&sort=impact", "cookie"),
            (f"findings (page {late})", f"/findings?run={run_id}&page={late}", "cookie"),
            ("findings (search)", "/findings?q=org-12", "cookie"),
            ("dashboard", "/", "cookie"),
            (f"finding {finding}", f"/findings/{finding}?run={run_id}", "cookie"),
            ("api findings (100)", f"/api/findings?run={run_id}&per_page=100", "token"),
        ]
        results = []
        for name, path, auth in urls:
            header = f"Cookie: {cookie}" if auth == "cookie" else f"Authorization: Bearer {token}"
            output = subprocess.run(
                ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
                 "--timeout", "10s", "--latency", "-H", header, base + path],
                check=True, capture_output=True, text=True,
            ).stdout
            result = parse_wrk(output)
            results.append((name, path, result))
            print(f"{name}: p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms, "
                  f"{result['rps']:.0f} req/s, {result['errors']} errors", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"\n{total} findings in run {run_id}; wrk -t{args.threads} -c{args.connections} "
          f"-d{args.duration}s --latency per URL")
    print(f"{'URL':<48} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>7}")
    for name, path, r in results:
        print(f"{name:<48} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['rps']:>8.0f} {r['errors']:>7}")
    slow = [name for name, _, r in results if not r["p99"] < 100]
    if slow:
        print(f"over 100 ms at p99: {', '.join(slow)}")


if __name__ == "__main__":
    main()
