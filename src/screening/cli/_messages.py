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
    "retry": {"en": "Please answer again.", "id": "Silakan jawab lagi."},
    "no_previous": {
        "en": "There is no earlier answer to change.",
        "id": "Tidak ada jawaban sebelumnya untuk diubah.",
    },
    "going_back": {
        "en": "Back to '{id}': type the new answer.",
        "id": "Kembali ke '{id}': ketik jawaban baru.",
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
        "  :back        change the previous answer\n"
        "  :review      answers so far and what is still missing\n"
        "  :note TEXT   a note of yours on this question\n"
        "  :lang CODE   switch the interview language (e.g. :lang en)\n"
        "  :pause       take a break: everything is saved; resume later\n"
        "  Ctrl-C       stop now: everything answered is already saved",
        "id": "Jawab, lalu Enter. y/n untuk ya/tidak; nomor atau kunci pilihan; beberapa "
        "pilihan dipisah koma.\n"
        "  ?            orang itu tidak tahu\n"
        "  -            orang itu menolak menjawab (tidak sama dengan 'tidak')\n"
        "  :back        ubah jawaban sebelumnya\n"
        "  :review      jawaban sejauh ini dan yang belum terjawab\n"
        "  :note TEKS   catatan Anda untuk pertanyaan ini\n"
        "  :lang KODE   ganti bahasa wawancara (mis. :lang en)\n"
        "  :pause       istirahat: semua tersimpan; lanjutkan nanti\n"
        "  Ctrl-C       berhenti sekarang: semua jawaban sudah tersimpan",
    },
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
    # the directory of services and referrals
    "service_kind": {"en": "Kind", "id": "Jenis"},
    "service_serves": {"en": "Serves", "id": "Melayani"},
    "service_area": {"en": "Area", "id": "Wilayah"},
    "check_locally": {"en": "check locally", "id": "cek setempat"},
    "checked_on": {"en": "Last checked", "id": "Terakhir diperiksa"},
    "referral_added": {
        "en": "Referral {id} to {service} recorded: {status}.",
        "id": "Rujukan {id} ke {service} dicatat: {status}.",
    },
    "referral_information_only": {
        "en": "Without consent, referral {id} to {service} is recorded as information given "
        "only: nothing about the person is shared.",
        "id": "Tanpa persetujuan, rujukan {id} ke {service} dicatat sebagai pemberian "
        "informasi saja: tidak ada data orang ini yang dibagikan.",
    },
    "referral_updated": {
        "en": "Referral {id} is now {status}.",
        "id": "Rujukan {id} sekarang {status}.",
    },
    "letter_written": {"en": "Referral letter written to {path}",
                       "id": "Surat rujukan ditulis ke {path}"},
    "ask_referral_consent": {
        "en": "Does the person agree that their details go to {service}?",
        "id": "Apakah orang ini setuju datanya diberikan kepada {service}?",
    },
}


def t(key: str, lang: str, /, **values: object) -> str:
    """The message ``key`` in ``lang`` (falls back to English), formatted with ``values``."""
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text
