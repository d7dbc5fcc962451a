"""Validated content, remembered between starts.

Validating the whole content (the models, then every cross-check) is most of what an
interview start does with it, and the content rarely changes. After a load that found no
error, the validated documents are kept as plain JSON data in the cache folder (see
``parse_cache``), keyed by a hash of the exact texts and their display paths, of the code that
validates them (the models and the content package, pydantic's and PyYAML's versions) and of
today's date (some checks depend on it). A later load with the same key rebuilds the
documents from that data (as ``model_construct`` does) instead of validating them again. Any
edit, another version of the code or another day changes the key: the content is then
validated in full. ``screening validate`` never reads this cache.

Nothing is believed that has not earned it:
- an entry is written only when the documents rebuilt from its own JSON equal the validated
  ones, field by field and type by type (a value the rebuild cannot restore is not cached);
- it is read only from a folder and a file this account owns and no other account can write,
  only when its checksum holds and it names the key it was looked up by;
- JSON holds plain data only, and the rebuild only constructs the models the content's own
  kinds name: nothing in an entry can run code.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
import types
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from screening.content.parse_cache import cache_dir, read_private, write_private
from screening.content.yaml_source import MAX_FILE_BYTES
from screening.errors import Diagnostic

if TYPE_CHECKING:
    from screening.content.catalogue import Catalogue

SUFFIX = ".validated"
_KEEP = 8  # entries (a few hundred KB each); the oldest go first
_fingerprint: list[bytes] = []


class _Unfaithful(Exception):
    """A value the plain-data round trip cannot restore exactly."""


# --- the key -------------------------------------------------------------------------------


def _code_fingerprint() -> bytes:
    """The code the validated result depends on: the models, the content package (the loader,
    the checks, this module), the diagnostics, and the libraries' versions."""
    if not _fingerprint:
        import pydantic
        import pydantic_core
        import yaml

        from screening import __version__

        package = Path(__file__).resolve().parents[1]
        digest = hashlib.sha256(b"screening validated-content cache 1\0")
        digest.update(
            f"{__version__}\0{pydantic.VERSION}\0{pydantic_core.__version__}\0"
            f"{yaml.__version__}\0{sys.version}\0".encode()
        )
        files = [package / "errors.py", package / "diagnostics.py",
                 *sorted((package / "models").glob("*.py")),
                 *sorted((package / "content").glob("*.py"))]
        for file in files:
            # Size and modification time, not the bytes: reading them all costs a start ~2 ms;
            # an edit or an install changes the time (and the version is in the key too).
            st = file.stat()
            digest.update(f"{file.name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
        _fingerprint.append(digest.digest())
    return _fingerprint[0]


def _key(texts: list[tuple[str, str]]) -> str:
    digest = hashlib.sha256(_code_fingerprint())
    digest.update(date.today().isoformat().encode() + b"\0")  # staleness checks use today
    for shown, text in texts:
        digest.update(shown.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    return digest.hexdigest()


# --- plain data out, models back -----------------------------------------------------------


def _plain(value: Any) -> Any:
    """A validated value as JSON data: a model as the fields it was given (so the rebuilt
    model has the same defaults and the same ``model_fields_set``)."""
    if isinstance(value, BaseModel):
        return {name: _plain(getattr(value, name)) for name in value.model_fields_set}
    if type(value) is list:
        return [_plain(item) for item in value]
    if type(value) is dict:
        if not all(type(key) is str for key in value):
            raise _Unfaithful("a mapping with keys that are not text")
        return {key: _plain(item) for key, item in value.items()}
    if value is None or type(value) in (str, int, float, bool):
        return value
    if type(value) is date:
        return value.isoformat()
    raise _Unfaithful(f"a {type(value).__name__}")


_set = object.__setattr__


def _keep(data: Any) -> Any:
    return data


@functools.cache
def _builder(annotation: Any) -> Any:
    """A function from plain data to the value of ``annotation`` (without validation: the data
    is what validation produced), or None when the JSON data already is that value."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    origin = get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_builder(annotation)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) != 1:
            raise _Unfaithful(f"a union of several types ({annotation})")
        inner = _builder(members[0])
        if inner is None:
            return None
        return lambda data: None if data is None else inner(data)
    if origin is list:
        (item,) = get_args(annotation)
        build_item = _builder(item)
        if build_item is None:
            return None
        return lambda data: [build_item(v) for v in data]
    if origin is dict:
        key, item = get_args(annotation)
        if _builder(key) is not None:
            raise _Unfaithful(f"a mapping keyed by {key}")
        build_item = _builder(item)
        if build_item is None:
            return None
        return lambda data: {k: build_item(v) for k, v in data.items()}
    if annotation is date:
        return date.fromisoformat
    if annotation in (str, int, float, bool, Any) or origin is Literal:
        return None
    raise _Unfaithful(f"a field of type {annotation}")


def _model_builder(model: type[BaseModel]) -> Any:
    """Every field given in field order (a field left out takes its default here, as
    validation gave it) and ``model_fields_set`` as validated."""
    if model.__pydantic_root_model__ or model.model_config.get("extra") == "allow":
        raise _Unfaithful(f"{model.__name__}: a root model or one with extra fields")
    fields: dict[str, Any] = {}
    defaults: dict[str, Any] = {}  # field -> a simple default
    factories: dict[str, Any] = {}  # field -> list or dict
    for name, info in model.model_fields.items():
        if info.alias is not None or info.validation_alias is not None:
            raise _Unfaithful(f"{model.__name__}.{name}: an alias")
        annotation: Any = info.annotation
        fields[name] = _builder(annotation) or _keep
        if info.default_factory is not None:
            if info.default_factory not in (list, dict):
                raise _Unfaithful(f"{model.__name__}.{name}: a default made by a function")
            factories[name] = info.default_factory
        elif info.is_required():
            continue
        elif info.default is None or type(info.default) in (str, int, float, bool):
            defaults[name] = info.default
        else:
            raise _Unfaithful(f"{model.__name__}.{name}: a default that is not simple")
    post_init = model.__pydantic_post_init__

    def build_model(data: dict[str, Any]) -> BaseModel:
        if not data.keys() <= fields.keys():
            raise _Unfaithful(f"{model.__name__}: a field it does not have")
        values: dict[str, Any] = {}
        for name, build in fields.items():
            if name in data:
                values[name] = build(data[name])
            elif name in factories:
                values[name] = factories[name]()
            else:
                values[name] = defaults[name]  # KeyError for a missing required field
        # What ``model_construct`` does once it has the values, without its per-field alias
        # lookups (~2 ms a start): the fields, the fields given, no extra, private defaults.
        document = model.__new__(model)
        _set(document, "__dict__", values)
        _set(document, "__pydantic_fields_set__", set(data))
        _set(document, "__pydantic_extra__", None)
        _set(document, "__pydantic_private__", None)
        if post_init:
            document.model_post_init(None)
        return document

    return build_model


def _same(a: Any, b: Any) -> bool:
    """Equal field by field and type by type (private caches aside)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, BaseModel):
        return (
            a.model_fields_set == b.model_fields_set
            and a.__pydantic_extra__ == b.__pydantic_extra__
            and list(a.__dict__) == list(b.__dict__)
            and all(_same(v, b.__dict__[k]) for k, v in a.__dict__.items())
        )
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is dict:
        return list(a) == list(b) and all(_same(v, b[k]) for k, v in a.items())
    return bool(a == b)


# --- reading and writing -------------------------------------------------------------------


def _texts(paths: list[Path]) -> list[tuple[str, str]] | None:
    """(display path, text) of the content files, read as ``parsed_file`` reads them."""
    from screening.content.catalogue import discover

    files, problems = discover(paths)
    if problems:
        return None
    out = []
    for path, shown in files:
        raw = path.read_bytes()
        if len(raw) > MAX_FILE_BYTES:
            return None
        out.append((shown, raw.decode("utf-8-sig")))
    return out


def recall(paths: list[Path]) -> Catalogue | None:
    """The catalogue a clean load of exactly these files gave, or None (load it afresh)."""
    try:
        folder = cache_dir()
        if folder is None:
            return None
        texts = _texts(paths)
        if texts is None:
            return None
        key = _key(texts)
        raw = read_private(folder / f"{key}{SUFFIX}")
        digest, _, body = raw.partition(b"\n")
        if hashlib.sha256(body).hexdigest().encode() != digest:
            return None  # damaged or edited
        stored = json.loads(body)
        if stored["key"] != key:
            return None
        return _rebuild(stored, dict(texts))
    except Exception:  # missing, unreadable or damaged: validate afresh
        return None


def _rebuild(stored: dict[str, Any], texts: dict[str, str]) -> Catalogue:
    from screening.content.catalogue import KINDS, Catalogue

    catalogue = Catalogue(files=list(stored["files"]))
    tables: dict[str, dict[str, Any]] = {
        "indicator_set": catalogue.indicator_sets,
        "questionnaire": catalogue.questionnaires,
        "service_directory": catalogue.directories,
    }
    for kind, doc_id, shown, parsed, data in stored["documents"]:
        tables[kind][doc_id] = _builder(KINDS[kind])(data)
        catalogue.sources[(kind, doc_id)] = (shown, texts[shown])
        catalogue.parsed[(kind, doc_id)] = parsed
    catalogue.diagnostics = [Diagnostic(**d) for d in stored["diagnostics"]]
    return catalogue


def remember(catalogue: Catalogue) -> None:
    """Keep a clean catalogue for the next load, if it provably rebuilds as it is."""
    try:
        folder = cache_dir()
        if folder is None or catalogue.errors:
            return
        texts: dict[str, str] = {shown: text for shown, text in catalogue.sources.values()}
        if sorted(texts) != sorted(catalogue.files):
            return  # a file that gave no document: nothing to key it by
        key = _key([(shown, texts[shown]) for shown in catalogue.files])
        documents = []
        for kind, table in (("indicator_set", catalogue.indicator_sets),
                            ("questionnaire", catalogue.questionnaires),
                            ("service_directory", catalogue.directories)):
            for doc_id, document in table.items():
                shown = catalogue.sources[(kind, doc_id)][0]
                documents.append([kind, doc_id, shown, catalogue.parsed[(kind, doc_id)],
                                  _plain(document)])
        stored = {"key": key, "files": catalogue.files, "documents": documents,
                  "diagnostics": [d.as_dict() for d in catalogue.diagnostics]}
        body = json.dumps(stored, ensure_ascii=False).encode("utf-8")
        if not _faithful(_rebuild(json.loads(body), texts), catalogue):
            return
        _write(folder / f"{key}{SUFFIX}", hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    except Exception:  # a value that does not round-trip, a read-only or full disk: no cache
        return


def _faithful(rebuilt: Catalogue, catalogue: Catalogue) -> bool:
    return (
        _same(rebuilt.indicator_sets, catalogue.indicator_sets)
        and _same(rebuilt.questionnaires, catalogue.questionnaires)
        and _same(rebuilt.directories, catalogue.directories)
        and rebuilt.sources == catalogue.sources
        and rebuilt.parsed == catalogue.parsed
        and rebuilt.files == catalogue.files
        and [(d, d.message, d.code, d.severity) for d in rebuilt.diagnostics]
        == [(d, d.message, d.code, d.severity) for d in catalogue.diagnostics]
    )


def _write(entry: Path, content: bytes) -> None:
    write_private(entry, content)
    entries = sorted(entry.parent.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime)
    for old in entries[:-_KEEP]:
        old.unlink(missing_ok=True)
