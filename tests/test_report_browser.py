"""The HTML report in a real browser (headless Chromium): it renders (a screenshot), prints on
A4 pages, and loads nothing from the network.

Chromium runs without any network: in a network namespace with no interface when the machine
allows one (``unshare -n``), and with its net log on, which must show no request made for the
page. The browser's own housekeeping requests (update and time checks, which the flags below
cannot all switch off) are told apart by their address and are never the page's.
A machine without ``chromium`` skips these tests, unless ``SCREENING_REQUIRE_BROWSER`` is set
(CI sets it, after installing Debian's chromium).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screening.cli.main import app
from test_report import OCTOBER, october

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    BROWSER is None and not os.environ.get("SCREENING_REQUIRE_BROWSER"),
    reason="no chromium on this machine (CI installs it)",
)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio"]
#: The browser's own housekeeping, not the page's (component updates, the network clock).
HOUSEKEEPING = re.compile(r"^https?://([a-z0-9-]+\.)*(google\.com|googleapis\.com|gvt1\.com)/")
A4 = (595.0, 842.0)  # points


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("browser")
    db = october(work / "records.db")
    out = work / "report.html"
    result = CliRunner().invoke(app, ["report", "--db", str(db), *OCTOBER, "-f", "html",
                                      "-o", str(out), "--ui", "id"])
    assert result.exit_code == 0, result.output
    return out


def _offline() -> list[str]:
    """A prefix that runs a program with no network interface at all, when allowed here."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []


def _chromium(page: Path, work: Path, *args: str) -> tuple[subprocess.CompletedProcess, Path]:
    assert BROWSER is not None, "chromium is required here (SCREENING_REQUIRE_BROWSER)"
    netlog = work / "netlog.json"
    profile = work / "profile"
    shutil.rmtree(profile, ignore_errors=True)
    done = subprocess.run(
        [*_offline(), BROWSER, *FLAGS, f"--user-data-dir={profile}",
         f"--log-net-log={netlog}", *args, page.as_uri()],
        capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done, netlog


def _requests(netlog: Path) -> list[str]:
    """Every address the browser asked for, from its net log."""
    text = netlog.read_text("utf-8", errors="replace")
    try:
        events = json.loads(text)["events"]
    except (ValueError, KeyError):  # a log cut short when the browser exits: read the text
        return re.findall(r'"url":"([^"]+)"', text)
    return [e["params"]["url"] for e in events
            if isinstance(e.get("params"), dict) and isinstance(e["params"].get("url"), str)]


def test_the_report_renders_in_chromium(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    _, netlog = _chromium(page, tmp_path, "--window-size=1000,2400", f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1000, 2400)
    assert len(data) > 50_000  # text, tables and charts, not a blank page
    _no_request_for_the_page(page, netlog)


def test_the_report_prints_on_a4_pages(page: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    _, netlog = _chromium(page, tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert boxes, "no page in the PDF"
    for w, h in boxes:
        assert abs(float(w) - A4[0]) < 2 and abs(float(h) - A4[1]) < 2, (w, h)
    # a page per section at least (print CSS breaks before each)
    assert len(boxes) >= 8
    _no_request_for_the_page(page, netlog)


def test_the_net_log_does_see_what_a_page_loads(tmp_path: Path) -> None:
    # The control: a page that asks for an image elsewhere shows up in the log, so the
    # absence of any such line for the report means something.
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><p>x</p><img src="http://192.0.2.7/chart.png">', "utf-8")
    _, netlog = _chromium(control, tmp_path, f"--screenshot={tmp_path / 'c.png'}")
    assert "http://192.0.2.7/chart.png" in _requests(netlog)


def _no_request_for_the_page(page: Path, netlog: Path) -> None:
    asked = _requests(netlog)
    for url in asked:
        if url.startswith(("file:", "data:", "about:", "chrome:")) or HOUSEKEEPING.match(url):
            continue
        raise AssertionError(f"the browser requested {url}")
