"""What a branch secretary's phone waits for: Lighthouse 12.2.3 (bench/package.json, pinned exactly:
13 wants Node 22) driving Debian's Chromium, mobile profile with its default simulated network and
CPU throttling, against gunicorn serving the production settings (hashed, compressed static files).

Pages: the login page (anonymous), then logged in as the secretary through a session cookie sent
with every request: the home page, the visit form, the visit list and /me/. Per page: the
performance and accessibility scores, the bytes a first visit transfers (Lighthouse's
total-byte-weight) and a repeat visit's: what the browser must fetch again — every response that is
not a static file, and the static files Lighthouse finds without a long cache lifetime
(uses-long-cache-ttl) — since a repeat visit answers the others from its cache. Failed audits are
listed by title (with the first elements they name) so the results name what to fix; the full
reports are kept in var/lighthouse/.

    npm ci --prefix bench            # once (node_modules is not committed)
    python bench/run.py --reuse --only phone
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TARGETS = {"performance": 95, "accessibility": 95, "first_kb": 300, "repeat_kb": 30}
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")


def _pages() -> list[tuple[str, str, str | None]]:
    """(label, path, username or None)."""
    return [
        ("登录页", "/accounts/login/", None),
        ("书记首页", "/", "shuji1"),
        ("登记走访", "/visits/new/", "shuji1"),
        ("走访列表", "/visits/", "shuji1"),
        ("我的 /me/", "/me/", "shuji1"),
    ]


def _ensure_lighthouse(root: Path, log) -> Path:
    cli = root / "bench" / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.exists():
        log("npm ci --prefix bench (Lighthouse 12.2.3)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=root / "bench", check=True)
    return cli


def _repeat_bytes(report: dict) -> int:
    """Bytes a repeat visit transfers: responses that are not static files, plus static files without a
    long cache lifetime (a browser revalidates or fetches those again)."""
    requests = report["audits"]["network-requests"]["details"]["items"]
    short_cache = {item["url"] for item in report["audits"]["uses-long-cache-ttl"]["details"].get("items", [])}
    total = 0
    for request in requests:
        url = request["url"]
        if url.startswith("data:"):
            continue
        if "/static/" not in url or url in short_cache:
            total += request.get("transferSize") or 0
    return total


def _failed(report: dict) -> list[str]:
    failed = []
    for category in ("performance", "accessibility"):
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref.get("weight", 0) and audit.get("score") is not None and audit["score"] < 0.9:
                nodes = [
                    item["node"].get("selector", "")
                    for item in (audit.get("details") or {}).get("items", [])
                    if isinstance(item.get("node"), dict)
                ][:3]
                failed.append(
                    f"{category}: {audit['title']}"
                    + (f" ({audit['displayValue']})" if audit.get("displayValue") else "")
                    + (f" [{', '.join(nodes)}]" if nodes else "")
                )
    return failed


# A Lighthouse run that fails (Chromium not answering in time on a busy two-core machine) is run once more.
LIGHTHOUSE_ATTEMPTS = 2


def _lighthouse(command: list[str], log) -> None:
    """Run Lighthouse; a second failure stops the bench with what Lighthouse said."""
    for attempt in range(1, LIGHTHOUSE_ATTEMPTS + 1):
        done = subprocess.run(
            command, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=300, capture_output=True, text=True
        )
        if done.returncode == 0:
            return
        said = (done.stderr or done.stdout).strip().splitlines()[-3:]
        log(f"lighthouse failed (attempt {attempt}): {' / '.join(said)}")
    raise RuntimeError(f"Lighthouse failed {LIGHTHOUSE_ATTEMPTS} times on {command[2]}: {' / '.join(said)}")


def audit(*, base: str, cookies: dict[str, str], root: Path, log) -> list[dict]:
    cli = _ensure_lighthouse(root, log)
    results = []
    for label, path, username in _pages():
        with tempfile.TemporaryDirectory(dir=root / "var") as tmp:
            output = Path(tmp) / "report.json"
            command = [
                "node",
                str(cli),
                f"{base}{path}",
                "--quiet",
                "--output=json",
                f"--output-path={output}",
                "--only-categories=performance,accessibility",
                "--locale=zh",
                f"--chrome-flags=--headless=new --no-sandbox --disable-gpu --user-data-dir={tmp}/profile",
            ]
            if username:
                command.append("--extra-headers=" + json.dumps({"Cookie": cookies[username]}))
            _lighthouse(command, log)
            report = json.loads(output.read_text(encoding="utf-8"))
            kept = root / "var" / "lighthouse"
            kept.mkdir(parents=True, exist_ok=True)
            shutil.copy(output, kept / f"{path.strip('/').replace('/', '_') or 'home'}.json")
        final_url = report.get("finalDisplayedUrl") or report.get("finalUrl", "")
        row = {
            "page": label,
            "path": path,
            "user": username or "—",
            "performance": round(100 * (report["categories"]["performance"]["score"] or 0)),
            "accessibility": round(100 * (report["categories"]["accessibility"]["score"] or 0)),
            "first_kb": round(report["audits"]["total-byte-weight"]["numericValue"] / 1024, 1),
            "repeat_kb": round(_repeat_bytes(report) / 1024, 1),
            "lcp_ms": round(report["audits"]["largest-contentful-paint"]["numericValue"]),
            "failed": _failed(report),
            "redirected": not final_url.endswith(path),
        }
        log(
            f"phone {label}: performance {row['performance']}, accessibility {row['accessibility']}, "
            f"first {row['first_kb']} KB, repeat {row['repeat_kb']} KB"
        )
        results.append(row)
    return results


def run(*, env: dict, root: Path, python: str, log) -> dict:
    from bench import load

    if not shutil.which("node"):
        return {"skipped": "node is not installed"}
    with load.serve(env=env, root=root, python=python):
        cookies = load._sessions({"shuji1"})
        pages = audit(base=f"http://127.0.0.1:{load.PORT}", cookies=cookies, root=root, log=log)
    return {"targets": TARGETS, "pages": pages, "lighthouse": "12.2.3", "chromium": CHROMIUM}
