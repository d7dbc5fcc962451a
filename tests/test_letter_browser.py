"""The referral letter printed by a real browser: headless Chromium, A4, one or two pages."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from _protect import case_answers, cli_env, invoke, paper, write_form

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("SCREENING_REQUIRE_BROWSER"),
    reason="chromium is not installed (.ci/run installs it and sets SCREENING_REQUIRE_BROWSER)",
)
A4 = (595.0, 842.0)  # points


def print_to_pdf(page: Path, pdf: Path) -> bytes:
    assert CHROMIUM is not None, "chromium is required here (SCREENING_REQUIRE_BROWSER is set)"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--no-pdf-header-footer",
             f"--print-to-pdf={pdf}", page.resolve().as_uri()],
            capture_output=True, timeout=120, check=True,
        )
    return pdf.read_bytes()


def pages(pdf: bytes) -> list[tuple[float, float]]:
    """The size of each page of a PDF (Chromium writes its page objects uncompressed)."""
    sizes = []
    for match in re.finditer(rb"/Type\s*/Page(?![s\w])", pdf):
        start = pdf.rfind(b"obj", 0, match.start())
        end = pdf.find(b"endobj", match.end())
        box = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)",
                        pdf[start:end])
        assert box, "a page without a MediaBox"
        sizes.append((float(box[3]) - float(box[1]), float(box[4]) - float(box[2])))
    return sizes


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_letter_prints_on_one_or_two_a4_pages(tmp_path: Path, lang: str) -> None:
    env = cli_env(tmp_path)
    # the worked high-level case: twenty signs found, the longest letter the bundle makes
    record = paper(env, write_form(tmp_path / "f.json", case_answers()))
    result = invoke(env, "referrals", "add", record, "--to", "uptd_ppa_bengkulu", "--consent",
                    "--reason", "needs a safe place to stay tonight")
    assert result.exit_code == 0, result.output
    ref = result.stdout.strip().splitlines()[-1]
    letter = tmp_path / "letter.html"
    result = invoke(env, "referrals", "letter", ref, "-o", str(letter), "--lang", lang)
    assert result.exit_code == 0, result.output
    sizes = pages(print_to_pdf(letter, tmp_path / "letter.pdf"))
    assert 1 <= len(sizes) <= 2, sizes
    for width, height in sizes:
        assert abs(width - A4[0]) < 2 and abs(height - A4[1]) < 2, (width, height)


def test_page_counting_can_fail(tmp_path: Path) -> None:
    """The counter sees a long page as long: five A4 pages of text are five pages."""
    page = tmp_path / "long.html"
    page.write_text("<!DOCTYPE html><html><head><style>@page { size: A4 }</style></head><body>"
                    + "".join(f"<p style='break-after: page'>page {n}</p>" for n in range(5))
                    + "</body></html>", "utf-8")
    assert len(pages(print_to_pdf(page, tmp_path / "long.pdf"))) == 5
