"""Load, validate and cross-check the content: indicator sets and questionnaires.

Every problem of every file is collected and reported at once, located as PATH:LINE:COL,
like a compiler. Nothing here raises for a user's mistake except ``load_catalogue``, which
raises one ``ContentError`` carrying all the diagnostics.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from screening.content.parse_cache import data_hash as data_hash  # read here by callers
from screening.content.parse_cache import parsed_file, parsed_text
from screening.content.yaml_source import SourceFile, YamlPath, load_file, load_text
from screening.errors import ContentError, Diagnostic, suggest
from screening.models import IndicatorSet, Questionnaire
from screening.models.base import LocalizedText
from screening.models.services import Service, ServiceDirectory, contact_lines

KINDS: dict[str, type[BaseModel]] = {
    "indicator_set": IndicatorSet,
    "questionnaire": Questionnaire,
    "service_directory": ServiceDirectory,
}
FOLDER_KIND = {
    "indicators": "indicator_set",
    "questionnaires": "questionnaire",
    "services": "service_directory",
}
#: The folders of a content root; ``services/`` (the directory) may be absent.
CONTENT_FOLDERS = ("indicators", "questionnaires", "services")
YAML_SUFFIXES = (".yaml", ".yml")


def bundled_root() -> Path:
    """The content shipped with the tool: inside the wheel, or the checkout's top folder."""
    here = Path(__file__).resolve().parents[1]  # the screening package
    packaged = here / "_content"
    if (packaged / "indicators").is_dir():
        return packaged
    return here.parent.parent


def content_root(explicit: Path | None = None) -> Path:
    """``--content``, else ``SCREENING_CONTENT``, else the bundled content."""
    if explicit is not None:
        return explicit
    env = os.environ.get("SCREENING_CONTENT")
    return Path(env) if env else bundled_root()


@dataclass
class Catalogue:
    indicator_sets: dict[str, IndicatorSet] = field(default_factory=dict)
    questionnaires: dict[str, Questionnaire] = field(default_factory=dict)
    directories: dict[str, ServiceDirectory] = field(default_factory=dict)
    #: (kind, id) -> (display path, YAML text): what a record snapshots.
    sources: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    #: (kind, id) -> hash of the parsed data the document was built from (see data_hash).
    parsed: dict[tuple[str, str], str] = field(default_factory=dict)
    #: Parsed sources, kept only until the cross-checks have located their problems.
    _located: dict[tuple[str, str], SourceFile] = field(default_factory=dict, repr=False)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def content_hash(self, questionnaire_id: str) -> str:
        """Hash of exactly what an interview on this questionnaire depends on."""
        return hash_texts(*self.snapshot(questionnaire_id).values())

    def parsed_hash(self, questionnaire_id: str) -> str:
        """Hash of the parsed content an interview on this questionnaire actually uses (from
        the cache or a fresh parse): a record keeps it, ``verify`` compares it with a fresh
        parse of the record's snapshot."""
        q = self.questionnaires[questionnaire_id]
        return _pair_hash(
            self.parsed[("questionnaire", q.id)], self.parsed[("indicator_set", q.indicator_set)]
        )

    def snapshot(self, questionnaire_id: str) -> dict[str, str]:
        """The YAML an interview depends on: its script, its indicator set and the service
        directories its levels' referrals resolve against (``services:ID``)."""
        q = self.questionnaires[questionnaire_id]
        texts = {
            "questionnaire": self.sources[("questionnaire", q.id)][1],
            "indicator_set": self.sources[("indicator_set", q.indicator_set)][1],
        }
        for directory_id in self.directories:
            texts[f"services:{directory_id}"] = self.sources[("service_directory", directory_id)][1]
        return texts

    @property
    def services(self) -> dict[str, Service]:
        """Every service of every directory, by id."""
        return {s.id: s for d in self.directories.values() for s in d.services}

    def service(self, service_id: str) -> Service:
        from screening.errors import NotFound

        services = self.services
        if service_id not in services:
            raise NotFound(
                f"no service '{service_id}' in the directory" + suggest(service_id, services),
                hint="screening services list shows the services there are",
            )
        return services[service_id]

    def questionnaire(self, questionnaire_id: str) -> Questionnaire:
        from screening.errors import NotFound

        if questionnaire_id not in self.questionnaires:
            raise NotFound(
                f"no questionnaire '{questionnaire_id}'"
                + suggest(questionnaire_id, self.questionnaires),
                hint="screening questionnaires list shows the ones there are",
            )
        return self.questionnaires[questionnaire_id]

    def indicator_set(self, set_id: str) -> IndicatorSet:
        from screening.errors import NotFound

        if set_id not in self.indicator_sets:
            raise NotFound(
                f"no indicator set '{set_id}'" + suggest(set_id, self.indicator_sets),
                hint="screening indicators list shows the ones there are",
            )
        return self.indicator_sets[set_id]


def hash_texts(*texts: str) -> str:
    """The content hash: of exactly the texts an interview depends on, in snapshot order."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _pair_hash(questionnaire: str, indicator_set: str) -> str:
    return hashlib.sha256(f"{questionnaire}\0{indicator_set}".encode()).hexdigest()


def discover(paths: list[Path]) -> tuple[list[tuple[Path, str]], list[Diagnostic]]:
    """YAML files under ``paths`` with a display name each; missing or empty folders are errors."""
    found: list[tuple[Path, str]] = []
    problems: list[Diagnostic] = []
    seen: set[Path] = set()  # a file named twice (a folder and a file in it) is read once

    def add(file: Path) -> None:
        if file.resolve() not in seen:
            seen.add(file.resolve())
            found.append((file, str(file)))

    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
            if not files:
                problems.append(
                    Diagnostic(str(path), 0, 0, "no YAML files in this folder", "empty")
                )
            for file in files:
                add(file)
        elif path.is_file():
            add(path)
        else:
            problems.append(Diagnostic(str(path), 0, 0, "no such file or folder", "missing"))
    return found, problems


def check(
    paths: list[Path], *, references: Catalogue | None = None, cache: bool = False
) -> Catalogue:
    """Validate files and folders; never raises for content problems.

    ``references`` supplies indicator sets a questionnaire may refer to when the set itself is
    not among ``paths`` (validating one questionnaire against the active content). ``cache``
    reuses the parsed YAML of a file seen before (see :func:`_parsed`); every check still
    runs.
    """
    catalogue = Catalogue()
    files, catalogue.diagnostics = discover(paths)
    for path, shown in files:
        catalogue.files.append(shown)
        source = parsed_file(path, shown) if cache else load_file(path, shown)
        catalogue.diagnostics.extend(source.diagnostics)
        if source.data is None or any(d.severity == "error" for d in source.diagnostics):
            continue
        _validate_document(source, path, catalogue)
    _cross_check(catalogue, references)
    catalogue.diagnostics = sorted(set(catalogue.diagnostics))
    return catalogue


def load_catalogue(root: Path | None = None) -> Catalogue:
    """The active content, fully validated; raises ``ContentError`` with every problem."""
    root = content_root(root)
    if not root.is_dir():
        raise ContentError([Diagnostic(str(root), 0, 0, "content folder not found", "missing")])
    from screening.content import validated_cache

    paths = content_paths(root)
    remembered = validated_cache.recall(paths)  # unchanged since a clean load: no re-check
    if remembered is not None:
        return remembered
    catalogue = check(paths, cache=True)
    if catalogue.errors:
        raise ContentError(catalogue.diagnostics)
    validated_cache.remember(catalogue)
    return catalogue


def content_paths(root: Path) -> list[Path]:
    """The folders of a content root to read: ``services/`` only when it is there."""
    paths = [root / "indicators", root / "questionnaires"]
    if (root / "services").is_dir():
        paths.append(root / "services")
    return paths


# --- one document ------------------------------------------------------------------------


def _validate_document(source: SourceFile, path: Path, catalogue: Catalogue) -> None:
    data = source.data
    if not isinstance(data, dict):
        catalogue.diagnostics.append(
            source.error((), "expected a mapping of keys (like 'id: ...') at the top", "shape")
        )
        return
    kind = data.get("kind") or FOLDER_KIND.get(path.parent.name)
    if not isinstance(kind, str) or kind not in KINDS:  # 'kind: [x]' is not hashable
        catalogue.diagnostics.append(
            source.error(
                ("kind",) if "kind" in data else (),
                "cannot tell what this file is: add 'kind: questionnaire', "
                "'kind: indicator_set' or 'kind: service_directory'"
                + (suggest(str(kind), KINDS) if kind else ""),
                "kind",
            )
        )
        return
    model = KINDS[kind]
    try:
        document = model.model_validate(data)
    except ValidationError as exc:
        catalogue.diagnostics.extend(_located(source, model, exc))
        return
    tables: dict[str, dict[str, Any]] = {
        "indicator_set": catalogue.indicator_sets,
        "questionnaire": catalogue.questionnaires,
        "service_directory": catalogue.directories,
    }
    table = tables[kind]
    doc_id = document.id  # type: ignore[attr-defined]  # both models have an id
    if doc_id in table:
        first = catalogue.sources[(kind, doc_id)][0]
        catalogue.diagnostics.append(
            source.error(
                ("id",),
                f"{kind.replace('_', ' ')} id '{doc_id}' is also used in {first}",
                "duplicate-id",
            )
        )
        return
    table[doc_id] = document
    catalogue.sources[(kind, doc_id)] = (source.path, source.text)
    catalogue.parsed[(kind, doc_id)] = data_hash(source.data)
    catalogue._located[(kind, doc_id)] = source


def _located(source: SourceFile, model: type[BaseModel], exc: ValidationError) -> list[Diagnostic]:
    out = []
    for err in exc.errors(include_url=False):
        loc: YamlPath = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            name = str(loc[-1])
            allowed = _fields_at(model, loc[:-1])
            message = f"unknown key '{name}'" + suggest(name, allowed)
            out.append(source.error(loc, _with_place(loc[:-1], message), "unknown-key", key=True))
            continue
        if loc and loc[-1] == "[key]":
            loc = loc[:-1]
            message = f"'{loc[-1]}' is not allowed here: {_plain(err, loc)}"
            out.append(source.error(loc, _with_place(loc[:-1], message), "value", key=True))
            continue
        message = _plain(err, loc)
        out.append(source.error(loc, _with_place(loc, message), kind))
    return out


def _plain(err: Any, loc: YamlPath) -> str:
    kind = err["type"]
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected", ""))
        got = err.get("input")
        hint = suggest(str(got), expected) if isinstance(got, str) else ""
        return f"'{got}' is not one of: {', '.join(expected)}{hint}"
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        return f"'{err.get('input')}' does not have the expected form ({pattern})"
    msg = err["msg"]
    if kind.endswith("_type"):
        got = type(err.get("input")).__name__
        got = {"dict": "a mapping", "list": "a list", "str": "text", "NoneType": "nothing"}.get(
            got, got
        )
        return f"{msg[0].lower()}{msg[1:]}, got {got}"
    return msg[0].lower() + msg[1:] if msg else kind


def _with_place(loc: YamlPath, message: str) -> str:
    place = _dotted(loc)
    return f"{place}: {message}" if place else message


def _dotted(loc: YamlPath) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part not in ("[key]",):
            out += ("." if out else "") + str(part)
    return out


def _fields_at(model: type[BaseModel], loc: YamlPath) -> list[str]:
    """The keys allowed at ``loc`` (for "did you mean")."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            args = get_args(current)
            current = args[0] if args else Any
        elif isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            current = info.annotation if info else Any
        else:
            args = get_args(current)
            current = args[-1] if args else Any
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Optional / Union-with-None."""
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
    return annotation


# --- cross-checks --------------------------------------------------------------------------


def _cross_check(catalogue: Catalogue, references: Catalogue | None) -> None:
    from screening.content import checks

    directories = dict(references.directories) if references else {}
    directories.update(catalogue.directories)
    for directory in catalogue.directories.values():
        source = catalogue._located[("service_directory", directory.id)]
        catalogue.diagnostics.extend(checks.check_directory(directory, source))
        catalogue.diagnostics.extend(_languages(directory, directory.languages, source))
    catalogue.diagnostics.extend(checks.check_directories(catalogue.directories,
                                                          catalogue._located))
    services = {s.id for d in directories.values() for s in d.services}
    for indicator_set in catalogue.indicator_sets.values():
        source = catalogue._located[("indicator_set", indicator_set.id)]
        catalogue.diagnostics.extend(checks.check_indicator_set(indicator_set, source, services))
        catalogue.diagnostics.extend(_languages(indicator_set, indicator_set.languages, source))
    for questionnaire in catalogue.questionnaires.values():
        source = catalogue._located[("questionnaire", questionnaire.id)]
        sets = dict(references.indicator_sets) if references else {}
        sets.update(catalogue.indicator_sets)
        catalogue.diagnostics.extend(checks.check_questionnaire(questionnaire, sets, source))
        catalogue.diagnostics.extend(_languages(questionnaire, questionnaire.languages, source))
    catalogue.diagnostics.extend(
        checks.check_shared_ids(
            list(catalogue.questionnaires.values()),
            {
                q.id: catalogue._located[("questionnaire", q.id)]
                for q in catalogue.questionnaires.values()
            },
        )
    )
    texts = []
    tables: dict[str, dict[str, Any]] = {
        "indicator_set": catalogue.indicator_sets,
        "questionnaire": catalogue.questionnaires,
        "service_directory": catalogue.directories,
    }
    for (kind, doc_id), source in catalogue._located.items():
        document = tables[kind][doc_id]
        for loc, text in _localized_texts(document, ()):
            texts += [(source, (*loc, lang), value) for lang, value in text.items()]
        if isinstance(document, IndicatorSet):
            texts += [(source, ("referrals", n, "contact"), r.contact)
                      for n, r in enumerate(document.referrals)]
        if isinstance(document, ServiceDirectory):
            texts += [(source, ("services", n, "contacts"), line)
                      for n, service in enumerate(document.services)
                      for line in contact_lines(service)]
    catalogue.diagnostics.extend(checks.contacts_with_two_numbers(texts))
    catalogue._located.clear()
    if not any(d.severity == "error" for d in catalogue.diagnostics):
        for set_id, indicator_set in catalogue.indicator_sets.items():
            catalogue.indicator_sets[set_id] = with_services(indicator_set, directories.values())


def with_services(
    indicator_set: IndicatorSet, directories: typing.Iterable[ServiceDirectory]
) -> IndicatorSet:
    """The set with the directory's services its levels name added to its own referrals, so
    the assessment and the slip carry their contacts. The set's own entries come first."""
    from screening.models.indicators import PROFILES, Referral
    from screening.models.services import contact_text, for_profile

    services = {s.id: s for d in directories for s in d.services}
    own = {r.id for r in indicator_set.referrals}
    named = dict.fromkeys(r for level in indicator_set.levels for r in level.referrals)
    added = []
    for service_id in named:
        service = services.get(service_id)
        if service is None or service_id in own:
            continue
        profiles = [p for p in PROFILES if for_profile(service, p)]
        added.append(Referral(
            id=service.id,
            name=service.name,
            contact=contact_text(service),
            description=service.description,
            profiles=None if len(profiles) == len(PROFILES) else profiles,  # type: ignore[arg-type]
        ))
    if not added:
        return indicator_set
    return indicator_set.model_copy(update={"referrals": [*indicator_set.referrals, *added]})


def _languages(document: BaseModel, languages: list[str], source: SourceFile) -> list[Diagnostic]:
    """Every localized text holds every declared language, and no other."""
    out: list[Diagnostic] = []
    declared = set(languages)
    for loc, text in _localized_texts(document, ()):
        missing = sorted(declared - set(text))
        extra = sorted(set(text) - declared)
        for lang in missing:
            out.append(source.error(loc, f"{_dotted(loc)}: missing the '{lang}' text", "language"))
        for lang in extra:
            out.append(
                source.error(
                    (*loc, lang),
                    f"{_dotted(loc)}: language '{lang}' is not declared in 'languages'"
                    + suggest(lang, declared),
                    "language",
                    key=True,
                )
            )
    return out


def _localized_texts(value: Any, loc: YamlPath) -> typing.Iterator[tuple[YamlPath, dict]]:
    if isinstance(value, BaseModel):
        for name, localized in _field_kinds(type(value)):
            child = getattr(value, name)
            if child is None:
                continue
            if localized:
                yield (*loc, name), child
            else:
                yield from _localized_texts(child, (*loc, name))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict) and item and all(isinstance(v, str) for v in item.values()):
                # list[LocalizedText] (slip lines)
                yield (*loc, i), item
            else:
                yield from _localized_texts(item, (*loc, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, BaseModel | list):
                yield from _localized_texts(item, (*loc, key))


def _is_localized(annotation: Any) -> bool:
    return _unwrap(annotation) == LocalizedText


@functools.cache
def _field_kinds(model: type[BaseModel]) -> tuple[tuple[str, bool], ...]:
    """(field name, holds a LocalizedText) of a model, worked out once per class."""
    fields = model.model_fields.items()
    return tuple((name, _is_localized(info.annotation)) for name, info in fields)


def from_snapshot(snapshot: dict[str, str]) -> tuple[Questionnaire, IndicatorSet]:
    """The content a record began with, rebuilt from its stored YAML texts.

    A draft resumes into exactly this, whatever has been edited in the files since.
    """
    questionnaire, indicator_set, _ = parse_snapshot(snapshot)
    return questionnaire, indicator_set


def parse_snapshot(
    snapshot: dict[str, str], *, cache: bool = True
) -> tuple[Questionnaire, IndicatorSet, str]:
    """:func:`from_snapshot`, plus the hash of the parsed script and indicator set used
    (``parsed_hash``); ``cache=False`` parses the texts afresh, never trusting the cache."""
    documents, hashes = [], []
    kinds: list[tuple[str, type[BaseModel]]] = [
        ("questionnaire", Questionnaire),
        ("indicator_set", IndicatorSet),
    ]
    kinds += [(k, ServiceDirectory) for k in sorted(snapshot) if k.startswith("services:")]
    for kind, model in kinds:
        shown = f"<stored {kind}>"
        source = parsed_text(snapshot[kind], shown) if cache else load_text(snapshot[kind], shown)
        if source.diagnostics or source.data is None:
            raise ContentError(source.diagnostics)
        try:
            documents.append(model.model_validate(source.data))
        except ValidationError as exc:
            raise ContentError(_located(source, model, exc)) from None
        hashes.append(data_hash(source.data))
    questionnaire, indicator_set, *directories = documents
    indicator_set = with_services(indicator_set, directories)  # type: ignore[arg-type]
    return questionnaire, indicator_set, _pair_hash(*hashes[:2])  # type: ignore[return-value]  # validated by kind above


def directories_from_snapshot(snapshot: dict[str, str]) -> list[ServiceDirectory]:
    """The service directories a record began with (none for records older than them)."""
    out = []
    for key in sorted(k for k in snapshot if k.startswith("services:")):
        source = parsed_text(snapshot[key], f"<stored {key}>")
        if source.diagnostics or source.data is None:
            raise ContentError(source.diagnostics)
        try:
            out.append(ServiceDirectory.model_validate(source.data))
        except ValidationError as exc:
            raise ContentError(_located(source, ServiceDirectory, exc)) from None
    return out
