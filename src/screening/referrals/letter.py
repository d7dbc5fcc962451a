"""The referral letter: a printable A4 handover letter for the receiving service.

Built from plain data (the referral, its record, the script's identifying questions), so it is
pure and testable; the CLI decides whether the identity can be opened and writes the file.
The person's identity appears only when it was opened for the letter; otherwise the letter
carries the record reference and says the identity is handed over in person.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from screening.models.base import LocalizedText, localized

_WORDS: dict[str, LocalizedText] = {
    "title": {"id": "Surat rujukan", "en": "Referral letter"},
    "reference": {"id": "Nomor rujukan", "en": "Referral number"},
    "record": {"id": "Nomor catatan penyaringan", "en": "Screening record number"},
    "date": {"id": "Tanggal", "en": "Date"},
    "to": {"id": "Kepada", "en": "To"},
    "from": {"id": "Dari", "en": "From"},
    "officer": {"id": "Petugas", "en": "Officer"},
    "office": {"id": "Kantor / tempat", "en": "Office / place"},
    "person": {"id": "Orang yang dirujuk", "en": "The person referred"},
    "identity_in_person": {
        "id": "Identitas orang ini tidak dicetak di surat ini. Petugas menyerahkannya secara "
        "langsung kepada petugas penerima, dengan menyebut nomor catatan di atas.",
        "en": "The person's identity is not printed in this letter. The officer hands it over "
        "in person to the receiving officer, quoting the record number above.",
    },
    "profile": {"id": "Kelompok", "en": "Profile"},
    "why": {"id": "Alasan rujukan", "en": "Why we refer"},
    "officer_reason": {"id": "Catatan petugas", "en": "The officer's note"},
    "level": {"id": "Hasil penyaringan", "en": "Screening result"},
    "found": {"id": "Tanda yang ditemukan", "en": "Signs found"},
    "none_found": {"id": "Tidak ada tanda yang dijawab ya.",
                   "en": "No sign was answered yes."},
    "done": {"id": "Yang sudah dilakukan", "en": "What was done"},
    "done_interview": {
        "id": "Wawancara penyaringan pada {date} di {place}.",
        "en": "Screening interview on {date} at {place}.",
    },
    "done_slip": {
        "id": "Orang ini diberi informasi tentang hak dan nomor bantuan.",
        "en": "The person was given information on their rights and the hotlines.",
    },
    "consent": {"id": "Persetujuan", "en": "Consent"},
    "consent_given": {
        "id": "Persetujuan diberikan oleh: {who}. Keterangan tentang orang ini boleh dibagikan "
        "kepada layanan ini.",
        "en": "Consent given by: {who}. The person's details may be shared with this service.",
    },
    "consent_overridden": {
        "id": "Dibagikan tanpa persetujuan, dengan alasan: {reason}",
        "en": "Shared without consent, for this reason: {reason}",
    },
    "by_person": {"id": "orang ini sendiri", "en": "the person"},
    "by_guardian": {"id": "orang tua atau wali", "en": "a parent or guardian"},
    "by_social_worker": {"id": "pekerja sosial", "en": "a social worker"},
    "screening_only": {
        "id": "Ini hasil penyaringan, bukan identifikasi. Identifikasi resmi adalah wewenang "
        "polisi, UPTD PPA, LPSK, dan gugus tugas. Orang ini tidak boleh diperlakukan sebagai "
        "pelaku atas keberangkatannya.",
        "en": "This is a screening, not an identification: formal identification belongs to "
        "the police, the UPTD PPA, LPSK and the task force. The person must not be treated as "
        "an offender for their departure.",
    },
    "confidential": {
        "id": "RAHASIA: hanya untuk layanan yang dituju (UU 21/2007, UU 27/2022).",
        "en": "CONFIDENTIAL: for the receiving service only (Law 21/2007, Law 27/2022).",
    },
    "handover": {"id": "Serah terima", "en": "Handover"},
    "sender": {"id": "Petugas yang merujuk", "en": "Referring officer"},
    "receiver": {"id": "Petugas penerima (nama, tanggal, jam)",
                 "en": "Receiving officer (name, date, time)"},
    "adult": {"id": "Dewasa", "en": "Adult"},
    "child": {"id": "Anak (di bawah 18 tahun)", "en": "Child (under 18)"},
    "labour": {"id": "eksploitasi kerja", "en": "labour exploitation"},
    "sexual": {"id": "eksploitasi seksual", "en": "sexual exploitation"},
}


def word(key: str, lang: str) -> str:
    return localized(_WORDS[key], lang)


@dataclass(frozen=True)
class LetterFacts:
    """Everything the letter says, already decided: nothing here is looked up."""

    referral: dict[str, Any]
    record: dict[str, Any]
    #: (question text, answer) for each identifying answer, or None: handed over in person.
    identity: list[tuple[str, str]] | None = None
    #: The service's contacts line, as the directory had them.
    contact: str = ""
    office: str = ""
    today: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _profile(profile: str | None, lang: str) -> str:
    if not profile:
        return "-"
    age, _, kind = profile.partition("-")
    parts = [word("child" if age == "child" else "adult", lang)]
    if kind in ("labour", "sexual"):
        parts.append(word(kind, lang))
    return ", ".join(parts)


def letter_html(facts: LetterFacts, lang: str) -> str:
    """The letter as one self-contained HTML page for A4 paper, in ``lang`` (id or en)."""
    e = html.escape
    referral, record = facts.referral, facts.record
    service = referral.get("service_detail") or {}
    assessment = record.get("assessment") or {}
    title = word("title", lang)

    def row(label: str, value: str) -> str:
        return f"<tr><th>{e(label)}</th><td>{value}</td></tr>"

    head = [
        row(word("reference", lang), f"<strong>{e(referral['id'])}</strong>"),
        row(word("record", lang), e(record["id"])),
        row(word("date", lang), e(facts.today)),
        row(word("to", lang), f"<strong>{e(localized(service.get('name') or {}, lang))}"
            f"</strong><br>{e(facts.contact)}"),
        row(word("from", lang), e(facts.office or record.get("location") or "")),
        row(word("officer", lang), e(referral.get("officer") or "")),
    ]
    if facts.identity:
        person = "<table class='id'>" + "".join(
            row(question, e(answer)) for question, answer in facts.identity
        ) + "</table>"
    else:
        person = f"<p>{e(word('identity_in_person', lang))}</p>"
    person += (f"<p>{e(word('profile', lang))}: "
               f"{e(_profile(assessment.get('profile'), lang))}</p>")

    why = []
    level_title = assessment.get("level_title")
    if assessment:
        level = localized(level_title, lang) if level_title else assessment.get("level", "")
        why.append(f"<p>{e(word('level', lang))}: <strong>{e(level)}</strong></p>")
    reason = referral.get("reason")
    if isinstance(reason, str) and reason:
        why.append(f"<p>{e(word('officer_reason', lang))}: {e(reason)}</p>")
    found = [
        localized(finding.get("label") or {}, lang) or finding.get("id", "")
        for dimension in (assessment.get("dimensions") or {}).values()
        for finding in dimension.get("present") or []
    ]
    if assessment:
        why.append(f"<p>{e(word('found', lang))}:</p>")
        why.append(
            "<ul class='found'>" + "".join(f"<li>{e(f)}</li>" for f in found) + "</ul>"
            if found else f"<p>{e(word('none_found', lang))}</p>"
        )

    when = (record.get("completed_at") or record.get("started_at") or "")[:10]
    done = [
        word("done_interview", lang).format(date=e(when), place=e(record.get("location") or "")),
        e(word("done_slip", lang)),
    ]
    consent_by = referral.get("consent_by") or "person"
    if referral.get("consent") == "overridden":
        consent = word("consent_overridden", lang).format(
            reason=e(referral.get("override_reason") or ""))
    else:
        consent = e(word("consent_given", lang).format(who=word(f"by_{consent_by}", lang)))

    body = f"""<p class="confidential">{e(word('confidential', lang))}</p>
<h1>{e(title)}</h1>
<table class="head">{''.join(head)}</table>
<section><h2>{e(word('person', lang))}</h2>{person}</section>
<section><h2>{e(word('why', lang))}</h2>{''.join(why)}</section>
<section><h2>{e(word('done', lang))}</h2><ul>{''.join(f'<li>{d}</li>' for d in done)}</ul>
</section>
<section><h2>{e(word('consent', lang))}</h2><p>{consent}</p></section>
<p class="note">{e(word('screening_only', lang))}</p>
<section class="sign"><h2>{e(word('handover', lang))}</h2>
<table class="sign"><tr><td>{e(word('sender', lang))}<br><br><br>
{e(referral.get('officer') or '')}</td><td>{e(word('receiver', lang))}<br><br><br>&nbsp;</td>
</tr></table></section>"""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{e(lang, quote=True)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{e(title)} {e(referral['id'])}</title>\n<style>\n{_CSS}\n</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


_CSS = """
@page { size: A4; margin: 18mm 16mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans", "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 10.5pt;
       line-height: 1.4; color: #000; background: #fff; max-width: 178mm; margin: 0 auto; }
h1 { font-size: 17pt; margin: 2mm 0 4mm; border-bottom: 1.5pt solid #000; padding-bottom: 2mm; }
h2 { font-size: 12pt; margin: 4mm 0 1.5mm; break-after: avoid; page-break-after: avoid; }
p { margin: 0 0 1.5mm; }
ul { margin: 0; padding-left: 6mm; }
li { margin: 0 0 0.8mm; break-inside: avoid; page-break-inside: avoid; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; vertical-align: top; width: 34%; padding: 1mm 2mm 1mm 0; font-weight: 600; }
td { vertical-align: top; padding: 1mm 0; }
table.sign td { width: 50%; border: 0.75pt solid #000; padding: 2mm; height: 26mm; }
section { break-inside: avoid; page-break-inside: avoid; }
.confidential { font-weight: 700; font-size: 9pt; letter-spacing: 0.02em; }
.note { font-size: 9pt; margin-top: 4mm; }
ul.found { columns: 2; column-gap: 8mm; }
""".strip()


__all__ = ["LetterFacts", "letter_html", "word"]
