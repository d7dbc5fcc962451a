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
        "en": "one or more numbers (or names), separated by commas",
        "id": "satu atau lebih nomor (atau nama), dipisah koma",
    },
    "answers_choice": {"en": "a number (or the name)", "id": "nomor (atau namanya)"},
    "shown_when": {"en": "only when: {cond}", "id": "hanya jika: {cond}"},
    "maps_to": {"en": "reveals", "id": "menunjukkan"},
    "alert_on": {"en": "ALERT on", "id": "PERINGATAN jika"},
    "required": {"en": "required", "id": "wajib"},
    "constraint_is": {"en": "valid when: {rule}", "id": "sah jika: {rule}"},
    "role_is": {"en": "role: {role}", "id": "peran: {role}"},
    "not_asked_ignored": {
        "en": "Not asked (their conditions did not hold), ignored: {ids}",
        "id": "Tidak ditanyakan (syaratnya tidak terpenuhi), diabaikan: {ids}",
    },
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
        "en": "Answer, then Enter. y/n for yes/no; the number or name of an option; several "
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
        "id": "Jawab, lalu Enter. y/n untuk ya/tidak; nomor atau nama pilihan; beberapa "
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
    "label.officer": {"en": "officer name", "id": "nama petugas"},
    "label.location": {"en": "location", "id": "lokasi"},
    "label.not_unicode": {
        "en": "The {what} holds a broken character (not valid Unicode); retype it.",
        "id": "{what} berisi karakter rusak (bukan Unicode yang sah); ketik ulang.",
    },
    "label.control": {
        "en": "The {what} contains a control character ({char}); type it on one line, as "
        "plain text.",
        "id": "{what} berisi karakter kendali ({char}); ketik dalam satu baris, sebagai teks "
        "biasa.",
    },
    "label.too_long": {
        "en": "The {what} is {n} characters long; at most {max}.",
        "id": "{what} ini {n} karakter; paling banyak {max}.",
    },
    "answer.shape_mapping": {
        "en": "a mapping is not an answer; write the answer as plain text",
        "id": "Pemetaan (mapping) bukan jawaban; tulis jawabannya sebagai teks biasa.",
    },
    "answer.shape_list": {
        "en": "a list is only an answer to a multiple-choice question",
        "id": "Daftar hanya untuk pertanyaan dengan beberapa pilihan.",
    },
    "answer.shape_bool": {
        "en": "{value} is not an answer to this question; put it in quotes if it is text",
        "id": "{value} bukan jawaban untuk pertanyaan ini; beri tanda kutip jika itu teks.",
    },
    "answer.too_large": {"en": "the number is too large", "id": "Angka ini terlalu besar."},
    "answer.not_unicode": {
        "en": "the answer holds a broken character (not valid Unicode); retype it",
        "id": "Jawaban ini berisi karakter rusak (bukan Unicode yang sah); ketik ulang.",
    },
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
    "answer.goto_empty": {
        "en": "name the question: its id or its number in :review",
        "id": "sebutkan pertanyaannya: id-nya atau nomornya di :review",
    },
    "answer.goto_number": {
        "en": "there is no answered question number {n} (1-{last})",
        "id": "tidak ada pertanyaan terjawab bernomor {n} (1-{last})",
    },
    "answer.goto_not_yet": {
        "en": "'{ref}' has not been asked yet",
        "id": "'{ref}' belum ditanyakan",
    },
    "answer.goto_unknown": {
        "en": "no answered question '{ref}'{hint}",
        "id": "tidak ada pertanyaan terjawab '{ref}'{hint}",
    },
    # errors (codes of screening.errors.ScreeningError); the English is the message itself
    "error": {"en": "Error", "id": "Galat"},
    "hint": {"en": "Hint", "id": "Petunjuk"},
    "content_errors": {
        "en": "{errors} error(s), {warnings} warning(s) in the content; fix them and run "
        "'screening validate' again.",
        "id": "{errors} galat, {warnings} peringatan dalam konten; perbaiki lalu jalankan "
        "'screening validate' lagi.",
    },
    "error.no_record": {
        "en": "There is no record '{id}' in {path}{hint}.",
        "id": "Tidak ada catatan '{id}' di {path}{hint}.",
    },
    "error.no_database": {
        "en": "There is no records database at {path}. Check the path, or choose another "
        "database with --db or the SCREENING_DB environment variable.",
        "id": "Tidak ada basis data catatan di {path}. Periksa jalurnya, atau pilih basis data "
        "lain dengan --db atau variabel lingkungan SCREENING_DB.",
    },
    "error.empty_database": {
        "en": "There is no records database at {path}: the file is empty (0 bytes). Restore "
        "it from a backup, or choose another database with --db or the SCREENING_DB "
        "environment variable.",
        "id": "Tidak ada basis data catatan di {path}: berkasnya kosong (0 bita). Pulihkan "
        "dari cadangan, atau pilih basis data lain dengan --db atau variabel lingkungan "
        "SCREENING_DB.",
    },
    "error.not_a_draft": {
        "en": "record {id} is already finished; only a draft can be resumed",
        "id": "catatan {id} sudah selesai; hanya draf yang bisa dilanjutkan",
    },
    "error.form_ran_out": {
        "en": "the answers file has no answer for required question '{question}'; the record "
        "{record} stays a draft",
        "id": "berkas jawaban tidak berisi jawaban untuk pertanyaan wajib '{question}'; "
        "catatan {record} tetap draf",
    },
    "form_question": {"en": "question '{question}'", "id": "pertanyaan '{question}'"},
    "error.form_problems": {
        "en": "the answers file has problems:",
        "id": "berkas jawaban bermasalah:",
    },
    "error.form_unknown_question": {
        "en": "unknown question '{question}' in {script}{hint}",
        "id": "pertanyaan '{question}' tidak ada di {script}{hint}",
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
        "en": "Interrupted. The draft {id} is saved ({answers}).",
        "id": "Terhenti. Draf {id} tersimpan ({answers}).",
    },
    "paused": {
        "en": "Stopped. The draft {id} is saved ({answers}).",
        "id": "Berhenti. Draf {id} tersimpan ({answers}).",
    },
    "n_answers": {"en": "{n} answers", "id": "{n} jawaban"},
    "one_answer": {"en": "1 answer", "id": "1 jawaban"},
    "sealed_for": {
        "en": "Sealed for the office key {fingerprint}: identifying answers, free text and "
        "notes can only be opened with the office private key.",
        "id": "Disegel dengan kunci kantor {fingerprint}: jawaban identitas, teks bebas dan "
        "catatan hanya bisa dibuka dengan kunci privat kantor.",
    },
    "stored_unsealed": {
        "en": "Stored UNSEALED: no office key is configured, so this record is readable by "
        "anyone with this laptop. Set one up with 'screening keys use PUBLIC_KEY', then "
        "'screening records seal'.",
        "id": "Disimpan TANPA SEGEL: kunci kantor belum diatur, jadi catatan ini bisa dibaca "
        "siapa saja yang memegang laptop ini. Atur dengan 'screening keys use KUNCI_PUBLIK', "
        "lalu 'screening records seal'.",
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
    "draft_kept": {
        "en": "A draft was kept: record {id}, with every answer saved before the error.",
        "id": "Draf disimpan: catatan {id}, dengan semua jawaban yang tersimpan sebelum "
        "kesalahan.",
    },
    "finalized_kept": {
        "en": "Record {id} was finalized and is kept; only what came after failed.",
        "id": "Catatan {id} sudah final dan tersimpan; hanya langkah sesudahnya yang gagal.",
    },
    "slip_written": {
        "en": "Information slip written to {path}",
        "id": "Lembar informasi ditulis ke {path}",
    },
    "summary": {"en": "Answers", "id": "Jawaban"},
    # the assessment, as the officer reads it
    "level": {"en": "Level", "id": "Tingkat"},
    "identification": {
        "en": "IDENTIFICATION (ILO/Palermo indicators)",
        "id": "IDENTIFIKASI (indikator ILO/Palermo)",
    },
    "departure_risk": {
        "en": "DEPARTURE RISK (facts about this trip)",
        "id": "RISIKO KEBERANGKATAN (fakta perjalanan ini)",
    },
    "departure_risk_short": {"en": "Departure risk", "id": "Risiko keberangkatan"},
    "risk_flags": {"en": "Red flags of this trip", "id": "Tanda bahaya perjalanan ini"},
    "risk_none": {"en": "No flag fired.", "id": "Tidak ada tanda bahaya."},
    "risk_unknown": {
        "en": "Could not be assessed (an answer was unknown or declined): {ids}",
        "id": "Tidak bisa dinilai (jawaban tidak tahu atau menolak): {ids}",
    },
    "risk_missing": {
        "en": "Key facts of this trip are not known ({ids}): a secondary interview finds them "
        "out; unknown is never read as no.",
        "id": "Fakta penting perjalanan ini belum diketahui ({ids}): wawancara lanjutan "
        "mencari tahu; jawaban tidak tahu tidak pernah dianggap tidak.",
    },
    "risk_document": {
        "en": "Supporting document for this purpose: {doc}",
        "id": "Dokumen pendukung untuk tujuan ini: {doc}",
    },
    "risk_alert": {"en": "Destination alert", "id": "Peringatan negara tujuan"},
    "vulnerabilities_noted": {
        "en": "Vulnerabilities noted (they never raise the level alone): {dims}",
        "id": "Kerentanan dicatat (tidak pernah menaikkan tingkat dengan sendirinya): {dims}",
    },
    "child_rule": {
        "en": "Child rule ({follows} decides): the law (act + purpose) {law}; the ILO form {ilo}",
        "id": "Aturan anak (yang menentukan: {follows}): hukum (perbuatan + tujuan) {law}; "
        "bentuk ILO {ilo}",
    },
    "child_rule.law": {"en": "the law", "id": "hukum"},
    "child_rule.ilo": {"en": "the ILO form", "id": "bentuk ILO"},
    "provenance": {"en": "Scored on {profile}: {what}", "id": "Dinilai dengan {profile}: {what}"},
    "provenance_checked": {
        "en": "a list checked against the ILO tables",
        "id": "daftar yang sudah dicocokkan dengan tabel ILO",
    },
    "provenance_derived": {
        "en": "a derived list, not yet checked against the ILO tables",
        "id": "daftar turunan, belum dicocokkan dengan tabel ILO",
    },
    "profile": {"en": "Profile", "id": "Profil"},
    "combination": {"en": "Trafficking combination", "id": "Kombinasi perdagangan orang"},
    "met": {
        "en": "met: indicators consistent with trafficking, refer",
        "id": "terpenuhi: ada indikator yang sesuai dengan perdagangan orang, rujuk",
    },
    "not_met": {"en": "not met", "id": "tidak terpenuhi"},
    "rule_met": {"en": "met", "id": "terpenuhi"},
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
    "level.high": {"en": "high", "id": "tinggi"},
    "level.medium": {"en": "medium", "id": "sedang"},
    "level.low": {"en": "low", "id": "rendah"},
    "profile.adult-labour": {"en": "adult, labour", "id": "dewasa, kerja paksa"},
    "profile.adult-sexual": {"en": "adult, sexual", "id": "dewasa, eksploitasi seksual"},
    "profile.child-labour": {"en": "child, labour", "id": "anak, eksploitasi kerja"},
    "profile.child-sexual": {"en": "child, sexual", "id": "anak, eksploitasi seksual"},
    "element.act": {"en": "act", "id": "proses"},
    "element.means": {"en": "means", "id": "cara"},
    "element.purpose": {"en": "purpose", "id": "tujuan"},
    "tier.strong": {"en": "strong", "id": "kuat"},
    "tier.medium": {"en": "medium", "id": "sedang"},
    "tier.weak": {"en": "weak", "id": "lemah"},
    "word.or": {"en": "or", "id": "atau"},
    "word.and": {"en": "and", "id": "dan"},
    "counts": {
        "en": "{strong} strong, {medium} medium, {weak} weak",
        "id": "{strong} kuat, {medium} sedang, {weak} lemah",
    },
    "why_positive": {
        "en": "indicators make these positive: {dims}",
        "id": "indikator membuat ini positif: {dims}",
    },
    "why_some": {
        "en": "{n} indicator(s) answered yes, no dimension positive",
        "id": "{n} indikator dijawab ya, belum ada dimensi yang positif",
    },
    "why_given": {"en": "profile named by the officer", "id": "profil dipilih oleh petugas"},
    "why_child": {
        "en": "age {age}: under 18, so the child lists (no means needed)",
        "id": "umur {age}: di bawah 18, jadi daftar anak (unsur cara tidak diperlukan)",
    },
    "why_adult": {"en": "age {age}: adult lists", "id": "umur {age}: daftar dewasa"},
    "why_age_unknown": {
        "en": "age unknown: presumption of minority, so the child lists are scored too and the "
        "higher level is reported (the child list on a tie); establish the age if you can",
        "id": "umur tidak diketahui: praduga anak, jadi daftar anak ikut dinilai dan tingkat "
        "yang lebih tinggi dilaporkan (daftar anak jika sama); pastikan umurnya bila bisa",
    },
    "why_age_doubt": {
        "en": "age {age} given but in doubt: presumption of minority, so the child lists are "
        "scored too and the higher level is reported (the child list on a tie)",
        "id": "umur {age} disebut tetapi diragukan: praduga anak, jadi daftar anak ikut dinilai "
        "dan tingkat yang lebih tinggi dilaporkan (daftar anak jika sama)",
    },
    "why_kind": {"en": "lists: {profile}", "id": "daftar: {profile}"},
    "why_several": {
        "en": "scored as {names}; reported: {profile} (the higher level)",
        "id": "dinilai sebagai {names}; yang dilaporkan: {profile} (tingkat yang lebih tinggi)",
    },
    "coverage_warning": {
        "en": "Could not be assessed: only {pct} of the {total} indicators ({profile}) were "
        "answered ({unknown} answered \"don't know\", declined or not asked). A low level here "
        "does not mean low risk: interview further before deciding.",
        "id": "Tidak dapat dinilai: hanya {pct} dari {total} indikator ({profile}) yang "
        "terjawab; {unknown} \"tidak tahu\", menolak, atau belum ditanyakan. Tingkat rendah di "
        "sini tidak berarti risikonya rendah: lanjutkan wawancara sebelum memutuskan.",
    },
    "coverage_unreached": {
        "en": "{n} are not covered by this script.",
        "id": "{n} tidak tercakup oleh naskah ini.",
    },
    "slip_title": {"en": "Information slip", "id": "Lembar informasi"},
    # listings and records, in table form (JSON and CSV keep the English keys)
    "records_title": {"en": "Records", "id": "Catatan"},
    "no_records": {"en": "No records.", "id": "Tidak ada catatan."},
    "n_records": {"en": "{n} record(s)", "id": "{n} catatan"},
    "drafts_title": {"en": "Open drafts", "id": "Draf terbuka"},
    "no_drafts": {"en": "No open drafts.", "id": "Tidak ada draf terbuka."},
    "col.id": {"en": "record", "id": "catatan"},
    "col.status": {"en": "status", "id": "status"},
    "col.outcome": {"en": "outcome", "id": "hasil"},
    "col.questionnaire": {"en": "script", "id": "naskah"},
    "col.questionnaire_version": {"en": "script version", "id": "versi naskah"},
    "col.level": {"en": "level", "id": "tingkat"},
    "col.officer": {"en": "officer", "id": "petugas"},
    "col.location": {"en": "location", "id": "lokasi"},
    "col.language": {"en": "interview language", "id": "bahasa wawancara"},
    "col.started_at": {"en": "started", "id": "mulai"},
    "col.completed_at": {"en": "finished", "id": "selesai"},
    "col.updated_at": {"en": "last change", "id": "terakhir diubah"},
    "col.answered": {"en": "answers", "id": "jawaban"},
    "col.stale": {"en": "stale", "id": "lama"},
    "col.question_id": {"en": "question id", "id": "id pertanyaan"},
    "status.draft": {"en": "draft", "id": "draf"},
    "status.completed": {"en": "completed", "id": "selesai"},
    "outcome.completed": {"en": "completed", "id": "selesai"},
    "outcome.consent_declined": {"en": "consent declined", "id": "menolak persetujuan"},
    "stale_mark": {"en": "STALE", "id": "LAMA"},
    "stale_drafts": {
        "en": "{n} draft(s) untouched for more than {hours} h hold unencrypted answers: finish "
        "them with 'screening interview resume ID' or remove them with 'screening records "
        "purge --older-than DAYS'.",
        "id": "{n} draf tidak disentuh lebih dari {hours} jam menyimpan jawaban tanpa enkripsi: "
        "selesaikan dengan 'screening interview resume ID' atau hapus dengan 'screening "
        "records purge --older-than HARI'.",
    },
    "marker.sealed": {"en": "sealed", "id": "disegel"},
    "marker.erased": {"en": "erased", "id": "dihapus"},
    "marker.cannot_be_opened": {"en": "cannot be opened", "id": "tidak bisa dibuka"},
    "marker.withheld": {"en": "withheld", "id": "ditahan"},
    "sealed_note": {
        "en": "[sealed]: identifying answers, free text and notes are sealed for the office "
        "key; --key PRIVATE_KEY opens them.",
        "id": "[disegel]: jawaban identitas, teks bebas dan catatan disegel dengan kunci "
        "kantor; --key KUNCI_PRIVAT membukanya.",
    },
    "note_line": {
        "en": "note on {question} by {officer} at {at}",
        "id": "catatan pada {question} oleh {officer} pukul {at}",
    },
    "change_line": {
        "en": "changed {question}: {old} → {new} by {officer} at {at}",
        "id": "{question} diubah: {old} → {new} oleh {officer} pukul {at}",
    },
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
    "services_count": {"en": "{n} service(s)", "id": "{n} layanan"},
    "referrals_count": {"en": "{n} referral(s)", "id": "{n} rujukan"},
    "col.referral": {"en": "referral", "id": "rujukan"},
    "col.record_id": {"en": "record", "id": "catatan"},
    "col.service": {"en": "service", "id": "layanan"},
    "col.name": {"en": "name", "id": "nama"},
    "col.area": {"en": "area", "id": "wilayah"},
    "col.contact": {"en": "contact", "id": "kontak"},
    "refer_now": {"en": "Refer now? The result suggests:",
                  "id": "Rujuk sekarang? Hasil ini menyarankan:"},
    "refer_pick": {
        "en": "Numbers of the services to refer to, separated by commas (Enter: none):",
        "id": "Nomor layanan yang dirujuk, dipisah koma (Enter: tidak ada):",
    },
    "refer_bad_pick": {"en": "Type numbers from 1 to {n}, or Enter for none.",
                       "id": "Ketik nomor dari 1 sampai {n}, atau Enter untuk tidak ada."},
    "refer_consent_child": {
        "en": "Does a parent, guardian or social worker agree that the child's details go "
        "to {service}?",
        "id": "Apakah orang tua, wali, atau pekerja sosial setuju data anak ini diberikan "
        "kepada {service}?",
    },
    "refer_override_reason": {
        "en": "A child's referral to child protection goes ahead. Why, without consent "
        "(logged; never a name)?",
        "id": "Rujukan anak ke perlindungan anak tetap berjalan. Alasannya, tanpa "
        "persetujuan (dicatat; jangan tulis nama)?",
    },
    "refer_letter": {
        "en": "File for the referral letter (Enter: {default}; - for none):",
        "id": "Berkas surat rujukan (Enter: {default}; - bila tidak perlu):",
    },
    "services_title": {"en": "Services", "id": "Layanan"},
    "referrals_title": {"en": "Referrals", "id": "Rujukan"},
    "referrals_due_title": {"en": "Referrals not moved on for {days} days",
                            "id": "Rujukan tanpa kemajuan selama {days} hari"},
    "referral_record": {"en": "of record", "id": "dari catatan"},
    "referral_consent": {"en": "Consent to share", "id": "Persetujuan berbagi data"},
    "referral_reason": {"en": "Why referred", "id": "Alasan rujukan"},
    "referral_erased": {"en": "[erased]", "id": "[dihapus]"},
    "letter_written": {"en": "Referral letter written to {path}",
                       "id": "Surat rujukan ditulis ke {path}"},
    "ask_referral_consent": {
        "en": "Does the person agree that their details go to {service}?",
        "id": "Apakah orang ini setuju datanya diberikan kepada {service}?",
    },
    # the supervisor's report (screening report)
    "report.title": {"en": "Screening report", "id": "Laporan penyaringan"},
    "report.period": {"en": "{since} to {until}", "id": "{since} s.d. {until}"},
    "report.compared": {
        "en": "compared with {since} to {until}",
        "id": "dibandingkan dengan {since} s.d. {until}",
    },
    "report.filters": {"en": "Filters", "id": "Saringan"},
    "report.all": {"en": "all", "id": "semua"},
    "report.generated": {"en": "Made on {at} (UTC)", "id": "Dibuat pada {at} (UTC)"},
    "report.empty": {
        "en": "No screenings between {since} and {until}.",
        "id": "Tidak ada penyaringan antara {since} dan {until}.",
    },
    "report.shared": {
        "en": "For sharing: counts from 1 to 4 are shown as <5, and a count that would let "
        "someone work one out is hidden too (x).",
        "id": "Untuk dibagikan: jumlah 1 sampai 4 ditulis <5, dan jumlah yang dapat dipakai "
        "untuk menghitungnya juga disembunyikan (x).",
    },
    "report.internal": {
        "en": "For use inside the office: small counts are shown. Use --share for a report "
        "that leaves the office.",
        "id": "Untuk dipakai di kantor saja: jumlah kecil ditampilkan. Pakai --share untuk "
        "laporan yang dikirim ke luar kantor.",
    },
    "report.no_person": {
        "en": "No name, document number, phone or free text is in this report.",
        "id": "Laporan ini tidak memuat nama, nomor dokumen, nomor HP, atau teks bebas.",
    },
    "report.utc": {
        "en": "Days are counted in UTC, as records are stamped.",
        "id": "Hari dihitung dalam UTC, sesuai cap waktu catatan.",
    },
    "report.written": {"en": "Report written to {path}", "id": "Laporan ditulis ke {path}"},
    "report.contents": {"en": "Contents", "id": "Isi"},
    "report.chart": {"en": "Chart", "id": "Grafik"},
    "report.numbers": {"en": "The numbers", "id": "Angkanya"},
    "report.total": {"en": "total", "id": "jumlah"},
    "report.none": {"en": "nothing in this period", "id": "tidak ada pada periode ini"},
    "report.not_recorded": {"en": "Not recorded yet", "id": "Belum dicatat"},
    "report.left_out": {
        "en": "Left out on purpose: {questions} (free text or identifying answers never "
        "appear in a report).",
        "id": "Sengaja tidak dimuat: {questions} (teks bebas atau jawaban identitas tidak "
        "pernah dimuat dalam laporan).",
    },
    "report.previous": {"en": "previous", "id": "sebelumnya"},
    "report.change": {"en": "difference", "id": "selisih"},
    "report.this_period": {"en": "this period", "id": "periode ini"},
    "report.top": {"en": "top {n}", "id": "{n} teratas"},
    "report.share_of": {"en": "share", "id": "persentase"},
    # sections
    "report.section.summary": {"en": "At a glance", "id": "Ringkasan"},
    "report.section.screenings": {"en": "Screenings", "id": "Penyaringan"},
    "report.section.results": {"en": "Results", "id": "Hasil penilaian"},
    "report.section.indicators": {
        "en": "Indicators and dimensions that fired",
        "id": "Indikator dan dimensi yang muncul",
    },
    "report.section.journeys": {
        "en": "Journeys of medium and high results",
        "id": "Perjalanan pada hasil sedang dan tinggi",
    },
    "report.section.referrals": {"en": "Referrals", "id": "Rujukan"},
    "report.section.quality": {
        "en": "Data quality (for content editors)",
        "id": "Mutu data (untuk penyusun naskah)",
    },
    "report.section.officers": {
        "en": "Officer activity (counts only, not a ranking)",
        "id": "Kegiatan petugas (hanya jumlah, bukan peringkat)",
    },
    # tables
    "report.table.screenings_by_period": {
        "en": "Screenings per {bucket} by outcome",
        "id": "Penyaringan per {bucket} menurut hasil",
    },
    "report.table.screenings_by_period_and_script": {
        "en": "Screenings per {bucket} by script",
        "id": "Penyaringan per {bucket} menurut naskah",
    },
    "report.table.screenings_by_questionnaire": {
        "en": "Screenings by script and outcome",
        "id": "Penyaringan menurut naskah dan hasil",
    },
    "report.table.previous_screenings": {
        "en": "Previous period: screenings by script",
        "id": "Periode sebelumnya: penyaringan menurut naskah",
    },
    "report.table.results_by_period": {
        "en": "Identification level per {bucket}",
        "id": "Tingkat identifikasi per {bucket}",
    },
    "report.table.results_by_age": {
        "en": "Children and adults by level",
        "id": "Anak dan dewasa menurut tingkat",
    },
    "report.table.results_by_coverage": {
        "en": "Results with a coverage warning",
        "id": "Hasil dengan peringatan cakupan",
    },
    "report.table.previous_results": {
        "en": "Previous period: children and adults by level",
        "id": "Periode sebelumnya: anak dan dewasa menurut tingkat",
    },
    "report.table.departure_risk_by_period": {
        "en": "Departure risk per {bucket}",
        "id": "Risiko keberangkatan per {bucket}",
    },
    "report.table.red_flags": {"en": "Red flags raised", "id": "Tanda bahaya yang muncul"},
    "report.risk_line": {"en": "Departure risk", "id": "Risiko keberangkatan"},
    "report.table.destination_alerts": {
        "en": "Destinations with a current alert, by identification level",
        "id": "Tujuan yang sedang diwaspadai, menurut tingkat identifikasi",
    },
    "report.table.dimensions": {
        "en": "Positive dimensions, by level",
        "id": "Dimensi positif, menurut tingkat",
    },
    "report.table.indicators": {
        "en": "Indicators present most often (medium and high results)",
        "id": "Indikator yang paling sering ada (hasil sedang dan tinggi)",
    },
    "report.table.journey": {"en": "{question} ({script})", "id": "{question} ({script})"},
    "report.table.questions": {
        "en": "Answers per question: don't know, declined, changed with :back",
        "id": "Jawaban per pertanyaan: tidak tahu, menolak, diubah dengan :back",
    },
    "report.table.content_versions": {
        "en": "Script versions in use",
        "id": "Versi naskah yang dipakai",
    },
    "report.table.referrals_by_status": {
        "en": "Referrals made, by service and where they stand now",
        "id": "Rujukan yang dibuat, menurut layanan dan keadaannya sekarang",
    },
    "report.table.referral_milestones": {
        "en": "Referrals that reached each step, and overdue ones",
        "id": "Rujukan yang mencapai tiap tahap, dan yang terlambat",
    },
    "report.table.referral_days": {
        "en": "Median days from referral to received by the service",
        "id": "Median hari dari rujukan sampai diterima layanan",
    },
    "report.table.officers": {
        "en": "Screenings per officer, by outcome",
        "id": "Penyaringan per petugas, menurut hasil",
    },
    # what rows and columns are
    "report.bucket.week": {"en": "week", "id": "minggu"},
    "report.bucket.month": {"en": "month", "id": "bulan"},
    "report.dim.period": {"en": "period", "id": "periode"},
    "report.dim.questionnaire": {"en": "script", "id": "naskah"},
    "report.dim.age_group": {"en": "age group", "id": "kelompok umur"},
    "report.dim.coverage": {"en": "coverage", "id": "cakupan"},
    "report.dim.dimension": {"en": "dimension", "id": "dimensi"},
    "report.dim.indicator": {"en": "indicator", "id": "indikator"},
    "report.dim.flag": {"en": "red flag", "id": "tanda bahaya"},
    "report.dim.question": {"en": "question", "id": "pertanyaan"},
    "report.dim.content_version": {"en": "script version", "id": "versi naskah"},
    "report.dim.officer": {"en": "officer", "id": "petugas"},
    "report.dim.office": {"en": "office", "id": "kantor"},
    "report.dim.service": {"en": "referred to", "id": "dirujuk ke"},
    "report.dim.referrals": {"en": "referrals", "id": "rujukan"},
    "report.status.proposed": {"en": "proposed", "id": "diusulkan"},
    "report.status.sent": {"en": "sent", "id": "dikirim"},
    "report.status.received": {"en": "received", "id": "diterima"},
    "report.status.accepted": {"en": "accepted", "id": "disetujui"},
    "report.status.declined": {"en": "turned down", "id": "ditolak layanan"},
    "report.status.services_started": {"en": "help under way", "id": "bantuan berjalan"},
    "report.status.closed": {"en": "closed", "id": "ditutup"},
    "report.milestone.overdue": {"en": "overdue", "id": "terlambat"},
    "report.col.median_days": {"en": "median days", "id": "median hari"},
    "report.row.all_services": {"en": "all services", "id": "semua layanan"},
    "report.dim.destination_alert": {"en": "destination alert", "id": "peringatan tujuan"},
    "report.dim.answer": {"en": "answer", "id": "jawaban"},
    "report.col.records": {"en": "records", "id": "catatan"},
    "report.col.draft": {"en": "unfinished draft", "id": "draf belum selesai"},
    "report.col.not_assessed": {"en": "not assessed", "id": "tidak dinilai"},
    "report.col.answered": {"en": "answered", "id": "dijawab"},
    "report.col.changed": {"en": "changed", "id": "diubah"},
    "report.row.child": {"en": "children (under 18)", "id": "anak (di bawah 18)"},
    "report.row.adult": {"en": "adults", "id": "dewasa"},
    "report.row.warning": {"en": "coverage warning", "id": "ada peringatan cakupan"},
    "report.row.no_warning": {"en": "no warning", "id": "tanpa peringatan"},
    "report.row.(other)": {
        "en": "an answer no longer offered",
        "id": "jawaban yang tidak lagi ada",
    },
    # the headline figures
    "report.sum.screenings": {"en": "Screenings", "id": "Penyaringan"},
    "report.sum.completed": {"en": "completed", "id": "selesai"},
    "report.sum.consent_declined": {"en": "consent declined", "id": "menolak persetujuan"},
    "report.sum.draft": {"en": "unfinished drafts", "id": "draf belum selesai"},
    "report.sum.high": {"en": "high results", "id": "hasil tinggi"},
    "report.sum.medium": {"en": "medium results", "id": "hasil sedang"},
    "report.sum.low": {"en": "low results", "id": "hasil rendah"},
    "report.sum.children": {"en": "children screened", "id": "anak yang disaring"},
    "report.sum.low_coverage_warning": {
        "en": "low results with a coverage warning",
        "id": "hasil rendah dengan peringatan cakupan",
    },
    "report.part.departure_risk": {
        "en": "departure risk: no result in this period carries it",
        "id": "risiko keberangkatan: belum ada hasil pada periode ini yang memuatnya",
    },
    "report.part.referrals": {
        "en": "referrals: this database keeps no referral records",
        "id": "rujukan: basis data ini belum menyimpan catatan rujukan",
    },
    "report.part.officers": {
        "en": "left out of a shared report: staff names stay in the office",
        "id": "tidak dimuat dalam laporan yang dibagikan: nama petugas tetap di kantor",
    },
    "report.install": {
        "en": "The HTML report draws its charts with matplotlib, which is not installed. "
        "Install it with: pip install 'screening[report]'",
        "id": "Laporan HTML menggambar grafik dengan matplotlib, yang belum terpasang. "
        "Pasang dengan: pip install 'screening[report]'",
    },
}


def t(key: str, lang: str, /, **values: object) -> str:
    """The message ``key`` in ``lang`` (falls back to English), formatted with ``values``."""
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


_ui_in_use: list[str] = []


def use_ui(ui: str) -> str:
    """Remember the officer's language of this command (for the error report)."""
    _ui_in_use[:] = [ui]
    return ui


def forget_ui() -> None:
    _ui_in_use.clear()


def ui_in_use() -> str:
    """The officer's language of this command: as given or remembered, else English."""
    if _ui_in_use:
        return _ui_in_use[0]
    try:
        from screening.records import settings

        remembered = settings.load().get("ui", "en")
    except Exception:  # an error report must never fail on the settings file
        return "en"
    return remembered if remembered in UI_LANGUAGES else "en"


def told(exc: object, ui: str) -> str:
    """A ScreeningError's message in the officer's language when it has a catalogue key."""
    code = getattr(exc, "code", None)
    if ui == "en" or not code:
        return str(getattr(exc, "message", exc))
    if f"answer.{code}" in MESSAGES:
        return answer_problem(exc, ui)
    if f"error.{code}" in MESSAGES:
        values = dict(getattr(exc, "values", {}))
        close = values.pop("close", "")
        values["hint"] = t("did_you_mean", ui, name=close) if close else ""
        return t(f"error.{code}", ui, **values)
    return str(getattr(exc, "message", exc))


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
