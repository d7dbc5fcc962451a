"""The tool's own words, in the officer's language (independent of the interview language)."""

from __future__ import annotations

UI_LANGUAGES = ("en", "id")

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
        "en": "? don't know   - declines   :back :goto Q :review :note TEXT :lang CODE :pause "
        ":help",
        "id": "? tidak tahu   - menolak   :back :goto P :review :note TEKS :lang KODE :pause "
        ":help",
    },
    "answers_yes_no": {"en": "y = yes   n = no", "id": "y = ya   n = tidak"},
    "answers_number": {"en": "a number", "id": "angka"},
    "answers_date": {
        "en": "a date: YYYY-MM-DD or DD/MM/YYYY",
        "id": "tanggal: HH/BB/TTTT atau TTTT-BB-HH",
    },
    "answers_integer": {"en": "a whole number", "id": "bilangan bulat"},
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
    "retry": {"en": "Please answer again.", "id": "Silakan jawab lagi."},
    "no_previous": {
        "en": "There is no earlier answer to change.",
        "id": "Tidak ada jawaban sebelumnya untuk diubah.",
    },
    "going_back": {
        "en": "Back to '{id}': type the new answer, or Enter to keep it.",
        "id": "Kembali ke '{id}': ketik jawaban baru, atau Enter untuk tetap.",
    },
    "goto_how": {
        "en": ":goto QUESTION or :goto N (the number in :review) opens an answered question.",
        "id": ":goto PERTANYAAN atau :goto N (nomor di :review) membuka pertanyaan yang sudah "
        "dijawab.",
    },
    "kept": {"en": "Answer kept.", "id": "Jawaban tetap."},
    "paste_refused": {
        "en": "{n} lines arrived at once. One answer per question: nothing was saved; "
        "please answer again.",
        "id": "{n} baris masuk sekaligus. Satu jawaban untuk satu pertanyaan: tidak ada yang "
        "disimpan; silakan jawab lagi.",
    },
    "paste_title": {
        "en": "{n} lines arrived at once (pasted?)",
        "id": "{n} baris masuk sekaligus (ditempel?)",
    },
    "paste_keep": {
        "en": "Keep them as ONE answer to this question? (y/n)",
        "id": "Simpan sebagai SATU jawaban untuk pertanyaan ini? (y/n)",
    },
    "paste_dropped": {
        "en": "Not saved. Please answer again.",
        "id": "Tidak disimpan. Silakan jawab lagi.",
    },
    "pause_hold": {
        "en": "Paused. Everything so far is saved.",
        "id": "Dijeda. Semua jawaban sejauh ini tersimpan.",
    },
    "pause_enter": {
        "en": "Press Enter to continue",
        "id": "Tekan Enter untuk melanjutkan",
    },
    "bad_lang": {
        "en": "This script has the languages: {langs}.",
        "id": "Naskah ini tersedia dalam bahasa: {langs}.",
    },
    "lang_set": {
        "en": "Interview language is now '{lang}'.",
        "id": "Bahasa wawancara sekarang '{lang}'.",
    },
    "note_empty": {
        "en": "Write the note after the command: :note TEXT",
        "id": "Tulis catatan setelah perintah: :note TEKS",
    },
    "note_saved": {"en": "Note saved.", "id": "Catatan disimpan."},
    "bad_command": {
        "en": "Unknown command ':{name}'. Type :help.",
        "id": "Perintah ':{name}' tidak dikenal. Ketik :help.",
    },
    "help": {
        "en": "Answer, then Enter. y/n for yes/no; the number or key of an option; several "
        "options separated by commas.\n"
        "  ?            the person does not know\n"
        "  -            the person declines to answer (never the same as 'no')\n"
        "  :back        change the previous answer (Enter keeps it)\n"
        "  :goto Q      change an earlier answer: its id, or its number in :review\n"
        "  :review      answers so far and what is still missing\n"
        "  :note TEXT   a note of yours on this question\n"
        "  :lang CODE   switch the interview language (e.g. :lang en)\n"
        "  :pause       a break: the screen waits for Enter (everything is saved)\n"
        "  :quit        stop here and resume later (everything is saved)\n"
        "  Ctrl-C       stop now: everything answered is already saved",
        "id": "Jawab, lalu Enter. y/n untuk ya/tidak; nomor atau kunci pilihan; beberapa "
        "pilihan dipisah koma.\n"
        "  ?            orang itu tidak tahu\n"
        "  -            orang itu menolak menjawab (tidak sama dengan 'tidak')\n"
        "  :back        ubah jawaban sebelumnya (Enter: tetap)\n"
        "  :goto P      ubah jawaban sebelumnya: id-nya, atau nomornya di :review\n"
        "  :review      jawaban sejauh ini dan yang belum terjawab\n"
        "  :note TEKS   catatan Anda untuk pertanyaan ini\n"
        "  :lang KODE   ganti bahasa wawancara (mis. :lang en)\n"
        "  :pause       istirahat: layar menunggu Enter (semua tersimpan)\n"
        "  :quit        berhenti dan lanjutkan nanti (semua tersimpan)\n"
        "  Ctrl-C       berhenti sekarang: semua jawaban sudah tersimpan",
    },
    # why an answer was refused (codes of screening.errors.InvalidAnswer)
    "answer.needed": {
        "en": "an answer is needed (or ? for don't know, - for declines)",
        "id": "Perlu jawaban (atau ? untuk tidak tahu, - untuk menolak menjawab).",
    },
    "answer.not_yes_no": {
        "en": "'{value}' is not yes or no (type y or n)",
        "id": "'{value}' bukan ya atau tidak (ketik y atau n).",
    },
    "answer.one_option": {"en": "choose one option, not a list", "id": "Pilih satu pilihan saja."},
    "answer.no_option": {"en": "choose at least one option", "id": "Pilih sedikitnya satu."},
    "answer.exclusive": {
        "en": "'{option}' cannot be combined with other options",
        "id": "'{option}' tidak bisa digabung dengan pilihan lain.",
    },
    "answer.not_whole": {
        "en": "'{value}' is not a whole number",
        "id": "'{value}' bukan bilangan bulat.",
    },
    "answer.not_number": {"en": "'{value}' is not a number", "id": "'{value}' bukan angka."},
    "answer.not_date": {
        "en": "'{value}' is not a date; write it as YYYY-MM-DD or DD/MM/YYYY",
        "id": "'{value}' bukan tanggal; tulis sebagai HH/BB/TTTT atau TTTT-BB-HH.",
    },
    "answer.too_long": {
        "en": "the answer is {n} characters; at most {max}",
        "id": "Jawaban ini {n} karakter; paling banyak {max}.",
    },
    "answer.not_option": {
        "en": "'{value}' is not an option; choose 1-{n} or one of: {keys}{hint}",
        "id": "'{value}' bukan pilihan; pilih 1-{n} atau salah satu dari: {keys}{hint}",
    },
    "did_you_mean": {"en": " (did you mean '{name}'?)", "id": " (maksudnya '{name}'?)"},
    "review_title": {"en": "Answers so far", "id": "Jawaban sejauh ini"},
    "question": {"en": "Question", "id": "Pertanyaan"},
    "answer": {"en": "Answer", "id": "Jawaban"},
    "still_missing": {"en": "Still to ask (required): {n}", "id": "Belum ditanyakan (wajib): {n}"},
    "value_unknown": {"en": "don't know", "id": "tidak tahu"},
    "value_declined": {"en": "declined to answer", "id": "menolak menjawab"},
    "value_yes": {"en": "yes", "id": "ya"},
    "value_no": {"en": "no", "id": "tidak"},
    "current_answer": {"en": "Current answer", "id": "Jawaban saat ini"},
    "alert_ack": {
        "en": "Press Enter when the person is safe to continue",
        "id": "Tekan Enter bila orang itu sudah aman untuk melanjutkan",
    },
    "ask_officer": {"en": "Officer name or ID", "id": "Nama atau NIP petugas"},
    "ask_location": {
        "en": "Location (office, counter, checkpoint)",
        "id": "Lokasi (kantor, loket, TPI)",
    },
    "ask_language": {"en": "Interview language ({langs})", "id": "Bahasa wawancara ({langs})"},
    "one_line": {
        "en": "Several lines arrived at once: type one line, please.",
        "id": "Beberapa baris masuk sekaligus: ketik satu baris saja.",
    },
    "interrupted_early": {
        "en": "Interrupted before the interview began: nothing was saved.",
        "id": "Terhenti sebelum wawancara dimulai: tidak ada yang disimpan.",
    },
    "started": {
        "en": "Record {id} started. Every answer is saved at once.",
        "id": "Catatan {id} dimulai. Setiap jawaban langsung disimpan.",
    },
    "unencrypted": {
        "en": "No office public key is configured: records are stored unencrypted.",
        "id": "Kunci publik kantor belum diatur: catatan disimpan tanpa enkripsi.",
    },
    "resume_with": {"en": "Resume with: {cmd}", "id": "Lanjutkan dengan: {cmd}"},
    "interrupted": {
        "en": "Interrupted. The draft {id} is saved ({n} answers).",
        "id": "Terhenti. Draf {id} tersimpan ({n} jawaban).",
    },
    "paused": {
        "en": "Paused. The draft {id} is saved ({n} answers).",
        "id": "Dijeda. Draf {id} tersimpan ({n} jawaban).",
    },
    "recovered": {
        "en": "Draft begun {time} by officer {officer}: {n} of about {m} answered.",
        "id": "Draf dimulai {time} oleh petugas {officer}: {n} dari sekitar {m} terjawab.",
    },
    "consent_declined": {
        "en": "Consent was not given: the interview ends here. Only a minimal record is "
        "kept (no answers). Give the person the information below.",
        "id": "Persetujuan tidak diberikan: wawancara berakhir di sini. Hanya catatan minimal "
        "yang disimpan (tanpa jawaban). Berikan informasi di bawah ini.",
    },
    "completed": {
        "en": "Interview complete: record {id} is finalized.",
        "id": "Wawancara selesai: catatan {id} sudah final.",
    },
    "slip_written": {
        "en": "Information slip written to {path}",
        "id": "Lembar informasi ditulis ke {path}",
    },
    "summary": {"en": "Answers", "id": "Jawaban"},
    # the assessment, as the officer reads it
    "level": {"en": "Level", "id": "Tingkat"},
    "profile": {"en": "Profile", "id": "Profil"},
    "combination": {"en": "Trafficking combination", "id": "Kombinasi perdagangan orang"},
    "met": {
        "en": "met: indicators consistent with trafficking, refer",
        "id": "terpenuhi: ada indikator yang sesuai dengan perdagangan orang, rujuk",
    },
    "not_met": {"en": "not met", "id": "tidak terpenuhi"},
    "elements": {"en": "Palermo elements", "id": "Unsur Palermo"},
    "why": {"en": "Why", "id": "Alasan"},
    "none_present": {
        "en": "No indicator was answered yes.",
        "id": "Tidak ada indikator yang dijawab ya.",
    },
    "positive": {"en": "positive", "id": "positif"},
    "not_positive": {"en": "not positive", "id": "tidak positif"},
    "clause": {"en": "rule met", "id": "aturan terpenuhi"},
    "coverage": {"en": "Coverage", "id": "Cakupan"},
    "coverage_line": {
        "en": "{pct} of the {total} indicators of the list could be assessed; {unknown} unknown "
        "(don't know, declined or not asked)",
        "id": "{pct} dari {total} indikator dapat dinilai; {unknown} tidak diketahui "
        "(tidak tahu, menolak menjawab, atau belum ditanyakan)",
    },
    "actions": {"en": "What to do", "id": "Yang harus dilakukan"},
    "referrals": {"en": "Refer to", "id": "Rujuk ke"},
    "non_punishment": {"en": "Non-punishment", "id": "Tidak dihukum"},
    "screening_only": {
        "en": "A screening, not an identification: formal identification belongs to the police, "
        "the UPTD PPA, LPSK and the task force.",
        "id": "Ini penyaringan, bukan identifikasi: identifikasi resmi adalah wewenang polisi, "
        "UPTD PPA, LPSK, dan gugus tugas.",
    },
}


def t(key: str, lang: str, /, **values: object) -> str:
    """The message ``key`` in ``lang`` (falls back to English), formatted with ``values``."""
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def answer_problem(exc: object, ui: str) -> str:
    """Why an answer was refused (an ``InvalidAnswer``), in the officer's language."""
    from screening.models.base import localized

    code = getattr(exc, "code", None)
    key = f"answer.{code}"
    if code and key in MESSAGES:
        values = {
            name: localized(value, ui) if isinstance(value, dict) else value
            for name, value in getattr(exc, "values", {}).items()
        }
        close = values.pop("close", "")
        values["hint"] = t("did_you_mean", ui, name=close) if close else ""
        return t(key, ui, **values)
    return str(getattr(exc, "message", exc))
