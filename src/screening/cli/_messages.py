"""The tool's own words, in the officer's language (independent of the interview language)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "read_aloud": {"en": "READ ALOUD", "id": "BACAKAN"},
    "officer_only": {
        "en": "OFFICER ONLY: do not read aloud",
        "id": "KHUSUS PETUGAS: jangan dibacakan",
    },
    "checklist": {"en": "Setting checklist", "id": "Daftar periksa tempat"},
    "observation": {"en": "Officer observation", "id": "Pengamatan petugas"},
    "guidance": {"en": "Guidance", "id": "Panduan"},
    "section": {"en": "Section", "id": "Bagian"},
    "question_of": {"en": "Question {n} of about {m}", "id": "Pertanyaan {n} dari sekitar {m}"},
    "sensitive": {
        "en": "Sensitive: remind the person they may decline to answer (type -).",
        "id": "Sensitif: ingatkan bahwa ia boleh tidak menjawab (ketik -).",
    },
    "identifying": {
        "en": "Identifying detail: protected in the record.",
        "id": "Data identitas: dilindungi dalam catatan.",
    },
    "optional": {"en": "optional: Enter to skip", "id": "tidak wajib: Enter untuk lewati"},
    "keys": {
        "en": "? don't know   - declines   :back :review :note TEXT :lang CODE :pause :help",
        "id": "? tidak tahu   - menolak   :back :review :note TEKS :lang KODE :pause :help",
    },
    "answers_yes_no": {"en": "y = yes   n = no", "id": "y = ya   n = tidak"},
    "answers_number": {"en": "a number", "id": "angka"},
    "answers_date": {"en": "a date, YYYY-MM-DD", "id": "tanggal, TTTT-BB-HH"},
    "answers_text": {"en": "free text", "id": "teks bebas"},
    "answers_multi": {
        "en": "one or more numbers or keys, separated by commas",
        "id": "satu atau lebih nomor atau kunci, dipisah koma",
    },
    "answers_choice": {"en": "a number or a key", "id": "nomor atau kunci"},
    "shown_when": {"en": "only when: {cond}", "id": "hanya jika: {cond}"},
    "maps_to": {"en": "reveals", "id": "menunjukkan"},
    "alert_on": {"en": "ALERT on", "id": "PERINGATAN jika"},
    "required": {"en": "required", "id": "wajib"},
}


def t(key: str, lang: str, **values: object) -> str:
    """The message ``key`` in ``lang`` (falls back to English), formatted with ``values``."""
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text
