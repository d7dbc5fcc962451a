"""The information slip every person screened leaves with, whatever the result.

Pure text building: plain text for the screen or a receipt printer, and one self-contained
HTML page (no external resources) that prints on A4. The slip names no person and no result,
so it is safe to carry.
"""

from __future__ import annotations

import html

from screening.models.base import localized
from screening.models.indicators import IndicatorSet

_WORDS: dict[str, dict[str, str]] = {
    "title": {"en": "Information for you", "id": "Informasi untuk Anda"},
    "help": {"en": "Where to get help", "id": "Tempat meminta bantuan"},
}


def _word(key: str, lang: str) -> str:
    return localized(_WORDS[key], lang)


def slip_sections(indicator_set: IndicatorSet,
                  lang: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """(title, [(heading, lines)]) in ``lang``: the set's slip, then the referral contacts."""
    slip = indicator_set.information_slip
    title = localized(slip.title, lang) if slip else _word("title", lang)
    sections = [
        (localized(s.heading, lang), [localized(line, lang) for line in s.lines])
        for s in (slip.sections if slip else [])
    ]
    contacts = [
        f"{localized(r.name, lang)}: {r.contact}. {localized(r.description, lang)}"
        for r in indicator_set.referrals
    ]
    if contacts:
        sections.append((_word("help", lang), contacts))
    return title, sections


def slip_text(indicator_set: IndicatorSet, lang: str) -> str:
    """The slip as plain text, one bullet a line."""
    title, sections = slip_sections(indicator_set, lang)
    out = [title, "=" * len(title)]
    for heading, lines in sections:
        out += ["", heading, "-" * len(heading)]
        out += [f"- {line}" for line in lines]
    return "\n".join(out) + "\n"


_CSS = """
@page { size: A4; margin: 18mm 16mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Noto Sans", "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 12pt;
       line-height: 1.45; color: #000; background: #fff; max-width: 180mm; margin: 0 auto; }
h1 { font-size: 20pt; margin: 0 0 6mm; border-bottom: 1.5pt solid #000; padding-bottom: 2mm; }
h2 { font-size: 14pt; margin: 6mm 0 2mm; page-break-after: avoid; break-after: avoid; }
ul { margin: 0; padding-left: 6mm; }
li { margin: 0 0 1.5mm; page-break-inside: avoid; break-inside: avoid; }
section { page-break-inside: avoid; break-inside: avoid; }
""".strip()


def slip_html(indicator_set: IndicatorSet, lang: str) -> str:
    """The slip as one self-contained HTML page, laid out for A4 paper."""
    title, sections = slip_sections(indicator_set, lang)
    e = html.escape
    body = [f"<h1>{e(title)}</h1>"]
    for heading, lines in sections:
        items = "\n".join(f"    <li>{e(line)}</li>" for line in lines)
        body.append(f"<section>\n  <h2>{e(heading)}</h2>\n  <ul>\n{items}\n  </ul>\n</section>")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{e(lang, quote=True)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


__all__ = ["slip_html", "slip_sections", "slip_text"]
