"""The full report as one self-contained HTML file: charts drawn by matplotlib as inline SVG,
each with a table of its numbers, readable on a phone and printable on A4.

Nothing is loaded from anywhere: no script, no font, no image file, not even an XML namespace
URL (inline SVG in HTML needs none), so the page holds no http(s) address at all.
matplotlib is an optional extra (``pip install 'screening[report]'``), imported here only.
"""

from __future__ import annotations

import html
import io
import re
import textwrap
from typing import Any

from screening.cli.report import change, label, shown, table_title

#: Greys and hatches: bars stay distinct when printed in black and white.
GREYS = ["#1b1b1b", "#6f6f6f", "#b4b4b4", "#e6e6e6"]
HATCHES = ["", "///", "---", "xx"]  # line hatches: dots would make large SVG files
#: Tables drawn as bars over time (vertical); the others are drawn as horizontal bars.
OVER_TIME = {"screenings_by_period", "screenings_by_period_and_script", "results_by_period",
             "departure_risk_by_period"}
#: Tables listed without a chart (the headline already shows them).
NO_CHART = {"previous_screenings", "previous_results", "officers"}  # officers: hundreds of rows
TOP_QUESTIONS = 15

CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial,
  sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; color: #111; line-height: 1.4; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.3rem; border-bottom: 2px solid #111; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
.note { color: #444; font-size: .9rem; margin: .2rem 0; }
.block { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start;
  break-inside: avoid; page-break-inside: avoid; margin-bottom: 1rem; }
figure { margin: 0; flex: 1 1 26rem; min-width: 0; }
figure svg { width: 100%; height: auto; }
.numbers { flex: 1 1 18rem; overflow-x: auto; }
table { border-collapse: collapse; font-size: .85rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #999; padding: .15rem .45rem; }
td { text-align: right; }
th { background: #eee; text-align: left; font-weight: 600; }
tr.total td, td.total { font-weight: 700; }
td.hidden { font-style: italic; }
.headline td:first-child { text-align: left; }
nav ol { columns: 2; font-size: .9rem; }
footer { margin-top: 2rem; font-size: .8rem; color: #444; }
@media (max-width: 40rem) { nav ol { columns: 1; } body { padding: .5rem; } }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav { display: none; }
  section { break-before: page; page-break-before: always; }
  section#summary { break-before: auto; page-break-before: auto; }
  th { background: #eee !important; -webkit-print-color-adjust: exact;
    print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
"""


def render_html(data: dict[str, Any], lang: str) -> str:
    """The report as one HTML page in ``lang`` (en or id)."""
    from screening.cli._messages import t

    p, pp = data["period"], data["previous_period"]
    title = f"{t('report.title', lang)} · " + t("report.period", lang, since=p["since"],
                                                  until=p["until"])
    f = data["filters"]
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_e(t('report.title', lang))}</h1>",
        f"<p><strong>{_e(t('report.period', lang, since=p['since'], until=p['until']))}"
        f"</strong> ({_e(t('report.compared', lang, since=pp['since'], until=pp['until']))})"
        "</p>",
        f"<p class=\"note\">{_e(t('report.filters', lang))}: "
        f"{_e(label('dim', 'questionnaire', lang))} "
        f"{_e(f['questionnaire'] or t('report.all', lang))} · "
        f"{_e(label('dim', 'office', lang))} {_e(f['office'] or t('report.all', lang))}</p>",
        f"<p class=\"note\">{_e(t('report.shared' if data['share'] else 'report.internal', lang))}"
        "</p>",
        f"<p class=\"note\">{_e(t('report.no_person', lang))} {_e(t('report.utc', lang))}</p>",
        "</header>",
    ]
    if data["empty"]:
        parts.append(f"<p><strong>{_e(t('report.empty', lang, since=p['since'], until=p['until']))}"
                     "</strong></p>")
    sections = list(data["sections"])
    parts.append(f"<nav><h2>{_e(t('report.contents', lang))}</h2><ol>")
    parts += [f'<li><a href="#{s}">{_e(t("report.section." + s, lang))}</a></li>'
              for s in sections]
    parts.append("</ol></nav>")
    charts = _Charts()
    for section in sections:
        parts.append(f'<section id="{section}">')
        parts.append(f"<h2>{_e(t('report.section.' + section, lang))}</h2>")
        if section == "summary":
            parts.append(_headline(data, lang))
        for table_id in data["sections"][section]:
            table = data["tables"][table_id]
            name = table_title(table_id, data, lang)
            if section == "journeys":
                name = _journey_title(table_id, data, lang)
            parts.append(f"<h3>{_e(name)}</h3>")
            if not table["rows"]:
                parts.append(f"<p class=\"note\">{_e(t('report.none', lang))}</p>")
                continue
            parts.append('<div class="block">')
            if table_id not in NO_CHART and not data["empty"]:
                parts.append(charts.draw(table_id, table, name, lang))
            parts.append(_numbers(table_id, table, lang))
            parts.append("</div>")
        if section == "referrals" and data.get("referral_days_to_received"):
            parts.append(f"<h3>{_e(t('report.table.referral_days', lang))}</h3>")
            parts.append(_medians(data, lang))
        left_out = [x for x in data["left_out"] if "question" in x]
        if section == "journeys" and left_out:
            questions = ", ".join(f"{x['questionnaire']}/{x['question']}" for x in left_out)
            parts.append(f"<p class=\"note\">{_e(t('report.left_out', lang, questions=questions))}"
                         "</p>")
        for part in data["not_recorded"]:
            if _part_section(part["part"]) == section:
                parts.append(f"<p class=\"note\">{_e(t('report.not_recorded', lang))}: "
                             f"{_e(t('report.part.' + part['part'], lang))}</p>")
        for part in data["left_out"]:
            if "part" in part and _part_section(part["part"]) == section:
                parts.append(f"<p class=\"note\">{_e(t('report.part.' + part['part'], lang))}"
                             "</p>")
        parts.append("</section>")
    parts.append(f"<footer><p>{_e(t('report.generated', lang, at=data['generated_at']))}</p>"
                 "</footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _part_section(part: str) -> str:
    return {"departure_risk": "results", "referrals": "referrals",
            "officers": "officers"}.get(part, "summary")


def _journey_title(table_id: str, data: dict[str, Any], lang: str) -> str:
    return table_title(table_id, data, lang)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


# -- tables ------------------------------------------------------------------------------------


def _headline(data: dict[str, Any], lang: str) -> str:
    from screening.cli._messages import t

    rows = [
        '<table class="headline" data-table="summary">',
        f"<thead><tr><th></th><th>{_e(t('report.this_period', lang))}</th>"
        f"<th>{_e(t('report.previous', lang))}</th><th>{_e(t('report.change', lang))}</th>"
        "</tr></thead><tbody>",
    ]
    for item in data["summary"]:
        previous = "" if item["previous"] is None and item["id"] == "low_coverage_warning" \
            else shown(item["previous"])
        rows.append(
            f'<tr data-row="{_e(item["id"])}"><th>{_e(t("report.sum." + item["id"], lang))}</th>'
            f'<td data-col="current">{_e(shown(item["current"]))}</td>'
            f'<td data-col="previous">{_e(previous)}</td>'
            f'<td data-col="change">{_e(change(item))}</td></tr>'
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _medians(data: dict[str, Any], lang: str) -> str:
    from screening.cli._messages import t

    names: dict[str, Any] = {}
    for table in data["tables"].values():
        if table["rows_are"] == "service":
            names.update(table.get("row_labels", {}))
    out = ['<div class="numbers"><table data-table="referral_days">',
           f"<thead><tr><th>{_e(label('dim', 'service', lang))}</th>"
           f"<th>{_e(t('report.col.median_days', lang))}</th>"
           f"<th>{_e(label('dim', 'referrals', lang))}</th></tr></thead><tbody>"]
    for m in data["referral_days_to_received"]:
        key = m["service"] or ""
        name = label("service", key, lang, names) if key else t("report.row.all_services", lang)
        median = "x" if m["median_days"] is None else f"{m['median_days']:g}"
        out.append(f'<tr data-row="{_e(key)}"><th>{_e(name)}</th>'
                   f'<td data-col="median_days">{_e(median)}</td>'
                   f'<td data-col="referrals">{_e(shown(m["referrals"]))}</td></tr>')
    out.append("</tbody></table></div>")
    return "\n".join(out)


def _numbers(table_id: str, table: dict[str, Any], lang: str) -> str:
    """The table of a chart's numbers; every cell carries its row and column keys, so a
    reader (or a test) can match it to the JSON."""
    from screening.cli._messages import t

    labels = table.get("row_labels", {})
    additive = table["additive"]
    one_column = not table["columns_are"]
    head = [f"<th>{_e(label('dim', table['rows_are'], lang))}</th>"]
    head += [f"<th>{_e(label(table['columns_are'], c, lang))}</th>" for c in table["columns"]]
    if additive and not one_column:
        head.append(f"<th>{_e(t('report.total', lang))}</th>")
    out = ['<div class="numbers">', f'<table data-table="{_e(table_id)}">',
           f"<thead><tr>{''.join(head)}</tr></thead><tbody>"]
    for r, row in enumerate(table["rows"]):
        cells = [f'<th data-key="{_e(row)}">'
                 f'{_e(label(table["rows_are"], row, lang, labels))}</th>']
        cells += [_td(v, row, c) for c, v in zip(table["columns"], table["cells"][r],
                                                 strict=True)]
        if additive and not one_column:
            cells.append(_td(table["row_totals"][r], row, "", "total"))
        out.append(f'<tr data-row="{_e(row)}">{"".join(cells)}</tr>')
    if additive:
        cells = [f"<th>{_e(t('report.total', lang))}</th>"]
        cells += [_td(v, "", c) for c, v in zip(table["columns"], table["column_totals"],
                                                strict=True)]
        if not one_column:
            cells.append(_td(table["total"], "", "", "total"))
        out.append(f'<tr class="total" data-row="">{"".join(cells)}</tr>')
    out.append("</tbody></table></div>")
    return "\n".join(out)


def _td(value: Any, row: str, column: str, css: str = "") -> str:
    classes = " ".join(c for c in (css, "hidden" if not isinstance(value, int) else "") if c)
    cls = f' class="{classes}"' if classes else ""
    return f'<td{cls} data-col="{_e(column)}">{_e(shown(value))}</td>'


# -- charts ------------------------------------------------------------------------------------


class _Charts:
    """Draws each table as an SVG chart with matplotlib (no pyplot, no GUI backend)."""

    def __init__(self) -> None:
        import matplotlib

        matplotlib.rcParams.update({
            "svg.fonttype": "none",  # text stays text: small files, the page's own font
            "svg.hashsalt": "screening-report",  # the same report draws the same SVG
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "hatch.linewidth": 0.6,
        })
        self.count = 0

    def draw(self, table_id: str, table: dict[str, Any], title: str, lang: str) -> str:
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator, PercentFormatter

        rows, columns = list(table["rows"]), list(table["columns"])
        cells: list[list[Any]] = [[v if isinstance(v, int) else 0 for v in row]
                                  for row in table["cells"]]
        labels = table.get("row_labels", {})
        if table_id == "questions":
            rows, cells, columns = _question_shares(rows, table["cells"])
        names = [_wrap(label(table["rows_are"], r, lang, labels)) for r in rows]
        series = [label(table["columns_are"], c, lang) for c in columns]
        stacked = table["additive"]
        over_time = table_id in OVER_TIME
        height = 2.8 if over_time else max(1.6, 0.32 * len(rows) * (1 if stacked else
                                                                      max(1, len(columns))) + 1)
        fig = Figure(figsize=(6.4, min(height, 9.0)))
        ax = fig.subplots()
        n = len(columns)
        for c in range(n):
            values = [row[c] for row in cells]
            style: dict[str, Any] = {"color": GREYS[c % 4], "hatch": HATCHES[c % 4],
                                     "edgecolor": "#000", "linewidth": 0.5, "label": series[c]}
            if over_time:
                base = [sum(row[:c]) for row in cells]
                ax.bar(range(len(rows)), values, bottom=base, **style)
            elif stacked:
                base = [sum(row[:c]) for row in cells]
                ax.barh(range(len(rows)), values, left=base, **style)
            else:
                width = 0.8 / n
                ax.barh([i - 0.4 + width * (c + 0.5) for i in range(len(rows))], values,
                        height=width, **style)
        if over_time:
            ax.set_xticks(range(len(rows)), names, rotation=45 if len(rows) > 6 else 0,
                          ha="right" if len(rows) > 6 else "center")
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        else:
            ax.set_yticks(range(len(rows)), names)
            ax.invert_yaxis()
            if table_id == "questions":
                ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
            else:
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if n > 1:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18 if over_time else -0.08),
                      ncol=min(n, 4), frameon=False, fontsize=8)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight",
                    metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
        self.count += 1
        return (f'<figure data-chart="{_e(table_id)}" role="img" aria-label="{_e(title)}">'
                f"{_inline_svg(buffer.getvalue(), f'c{self.count}')}</figure>")


def _question_shares(rows: list[str], cells: list[list[Any]]
                     ) -> tuple[list[str], list[list[float]], list[str]]:
    """The questions most often answered "don't know" or declined, as shares of answers."""
    found = []
    for row, (answered, unknown, declined, _) in zip(rows, cells, strict=True):
        if all(isinstance(v, int) for v in (answered, unknown, declined)) and answered:
            found.append((row, unknown / answered, declined / answered))
    found.sort(key=lambda r: (-(r[1] + r[2]), r[0]))
    found = found[:TOP_QUESTIONS]
    return [r for r, _, _ in found], [[u, d] for _, u, d in found], ["unknown", "declined"]


def _wrap(text: str, width: int = 38) -> str:
    return "\n".join(textwrap.wrap(text, width)[:3]) or text


_STRIP = [
    re.compile(r"<\?xml[^>]*\?>\s*"),
    re.compile(r"<!DOCTYPE[^>]*>\s*", re.S),
    re.compile(r"<metadata>.*?</metadata>\s*", re.S),
    re.compile(r'\s+xmlns(:\w+)?="[^"]*"'),
]


def _inline_svg(svg: str, prefix: str) -> str:
    """matplotlib's SVG made fit to sit inside the page: no XML prologue, no namespace URLs,
    and its ids prefixed so that two charts never share one."""
    for pattern in _STRIP:
        svg = pattern.sub("", svg)
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}-{m[1]}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{prefix}-{m[1]})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m[1]}"', svg)
    return svg.strip()
