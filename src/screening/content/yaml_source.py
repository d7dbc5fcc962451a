"""YAML -> plain data plus the position of every key and value.

Safe by construction: only the core tags are accepted (no Python objects), duplicate keys are
errors, booleans follow YAML 1.2 (``yes``/``no``/``on`` stay strings: they are answers here),
the file size is capped and alias expansion is counted, so a "billion laughs" document is
refused quickly and in little memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from screening.errors import Diagnostic

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 100_000  # values built, aliases expanded; the bundled files use a few thousand

YamlPath = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: only true/false."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)

#: PyYAML's parser in C (libyaml), when the wheel has it: ~7x faster than its pure-Python
#: parser on the bundled content. It is used only where it gives exactly what the pure-Python
#: parser gives (see :func:`_compose_fast`); anything else takes the pure-Python path, which
#: words and places every problem as it always has.
_CLoader: type[yaml.CSafeLoader] | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _CSafeLoader(yaml.CSafeLoader):
        """The C parser with :class:`_Loader`'s resolvers (YAML 1.2 booleans)."""

    _CSafeLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    _CLoader = _CSafeLoader

_FAST_DEPTH = 64  # deeper documents take the pure-Python path (and its recursion limit)
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE  # what the pure-Python reader refuses

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_TAG_WORDS = {
    "tag:yaml.org,2002:int": "whole number",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:timestamp": "date",
}


@dataclass
class SourceFile:
    """A parsed YAML file: its data, and where each path of it came from."""

    path: str
    data: Any = None
    positions: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    text: str = ""
    #: every scalar exactly as written (``0215551234``, ``+62...``, ``1:30``), before YAML's
    #: number rules read it: answers files keep text as typed
    scalars: dict[YamlPath, str] = field(default_factory=dict)

    def where(self, loc: YamlPath, *, key: bool = False) -> tuple[int, int]:
        """Line and column of the deepest known prefix of ``loc`` (1-based)."""
        table = self.key_positions if key else self.positions
        loc = tuple(loc)
        while loc:
            if loc in table:
                return table[loc]
            if not key and loc in self.key_positions:
                return self.key_positions[loc]
            loc = loc[:-1]
        return self.positions.get((), (1, 1))

    def error(self, loc: YamlPath, message: str, code: str, *, key: bool = False) -> Diagnostic:
        line, col = self.where(loc, key=key)
        return Diagnostic(self.path, line, col, message, code)

    def warning(self, loc: YamlPath, message: str, code: str, *, key: bool = False) -> Diagnostic:
        line, col = self.where(loc, key=key)
        return Diagnostic(self.path, line, col, message, code, "warning")


_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def _join_pairs(text: str) -> str:
    """``"\\ud83d\\ude00"`` (JSON's escape of one character beyond U+FFFF) is one character;
    PyYAML leaves it as two halves. A lone half stays, for the checks to refuse."""
    if not _SURROGATE.search(text):
        return text
    return _PAIR.sub(lambda m: m.group().encode("utf-16-le", "surrogatepass").decode("utf-16-le"),
                     text)


_SURROGATE = re.compile("[\ud800-\udfff]")


class _TooLarge(Exception):
    pass


class _Builder:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.count = 0
        self.constructor = _Loader("")  # only used to resolve scalar values
        self.open: set[int] = set()  # collections being built: an alias back to one is a loop

    def build(self, node: yaml.Node, loc: YamlPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge
        mark = node.start_mark
        self.source.positions.setdefault(loc, (mark.line + 1, mark.column + 1))
        if isinstance(node, yaml.CollectionNode):
            if id(node) in self.open:
                self.source.diagnostics.append(
                    self._at(node, "an alias refers to a value that contains it", "yaml-alias")
                )
                return None
            self.open.add(id(node))
            try:
                if isinstance(node, yaml.MappingNode):
                    return self._mapping(node, loc)
                if node.tag != "tag:yaml.org,2002:seq":
                    self._bad_tag(node, loc)
                return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
            finally:
                self.open.discard(id(node))
        if node.tag not in _SCALAR_TAGS:
            self._bad_tag(node, loc)
            return None
        self.source.scalars[loc] = _join_pairs(node.value)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, yaml.YAMLError):
            # e.g. 2024-13-45 (read as a date) or an explicit '!!int 12x'
            kind = _TAG_WORDS.get(node.tag, node.tag.rsplit(":", 1)[-1])
            self.source.diagnostics.append(
                self._at(
                    node,
                    f"'{node.value}' is not a valid {kind}; put it in quotes if it is text",
                    "yaml-value",
                )
            )
            return None
        if isinstance(value, str):
            return _join_pairs(value)
        # Dates become ISO text: content and answers files speak in strings.
        return value.isoformat() if hasattr(value, "isoformat") else value

    def _mapping(self, node: yaml.MappingNode, loc: YamlPath) -> dict[Any, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            self._bad_tag(node, loc)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.source.diagnostics.append(
                    self._at(key_node, "merge keys ('<<') are not supported", "yaml-merge")
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.source.diagnostics.append(
                    self._at(key_node, "a key must be a plain name", "yaml-key")
                )
                continue
            # Keys are names: 1, true and null stay as written.
            key = key_node.value
            mark = key_node.start_mark
            if key in result:
                first = self.source.key_positions[(*loc, key)]
                self.source.diagnostics.append(
                    self._at(
                        key_node,
                        f"duplicate key '{key}' (first defined at line {first[0]})",
                        "yaml-duplicate-key",
                    )
                )
                continue
            self.source.key_positions[(*loc, key)] = (mark.line + 1, mark.column + 1)
            result[key] = self.build(value_node, (*loc, key))
        return result

    def _bad_tag(self, node: yaml.Node, loc: YamlPath) -> None:
        self.source.diagnostics.append(
            self._at(node, f"tag '{node.tag}' is not allowed (plain YAML only)", "yaml-tag")
        )

    def _at(self, node: yaml.Node, message: str, code: str) -> Diagnostic:
        mark = node.start_mark
        return Diagnostic(self.source.path, mark.line + 1, mark.column + 1, message, code)


_TOO_DEEP = "the document is nested too deeply to read; refused"


def load_text(text: str, path: str) -> SourceFile:
    source = SourceFile(path=path, text=text)
    if not text.strip():
        source.diagnostics.append(Diagnostic(path, 1, 1, "the file is empty", "yaml-empty"))
        return source
    try:
        nodes = _compose_fast(text)
    except Exception:  # any problem: the pure-Python parser finds and words it
        nodes = None
    try:
        if nodes is None:
            nodes = list(yaml.compose_all(text, Loader=_Loader))
    except RecursionError:
        source.diagnostics.append(Diagnostic(path, 1, 1, _TOO_DEEP, "yaml-too-deep"))
        return source
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        source.diagnostics.append(Diagnostic(path, line, col, f"YAML syntax: {problem}", "yaml"))
        return source
    except yaml.reader.ReaderError as exc:
        # A control character (NUL, ESC, ...): say where, in one line.
        before = text[: exc.position]
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        source.diagnostics.append(
            Diagnostic(
                path,
                line,
                col,
                f"character U+{exc.character:04X} is not allowed in a YAML file; delete it",
                "yaml",
            )
        )
        return source
    except yaml.YAMLError as exc:
        source.diagnostics.append(Diagnostic(path, 1, 1, f"YAML: {exc}", "yaml"))
        return source
    if len(nodes) > 1:
        mark = nodes[1].start_mark
        source.diagnostics.append(
            Diagnostic(path, mark.line + 1, 1, "one document per file, found more", "yaml-multi")
        )
        return source
    if not nodes or nodes[0] is None:
        source.diagnostics.append(Diagnostic(path, 1, 1, "the file is empty", "yaml-empty"))
        return source
    try:
        source.data = _Builder(source).build(nodes[0], ())
    except RecursionError:
        source.data = None
        source.diagnostics.append(Diagnostic(path, 1, 1, _TOO_DEEP, "yaml-too-deep"))
    except _TooLarge:
        source.data = None
        source.diagnostics.append(
            Diagnostic(
                path,
                1,
                1,
                f"the document expands to more than {MAX_NODES} values (aliases?); refused",
                "yaml-too-large",
            )
        )
    return source


def _compose_fast(text: str) -> list[yaml.Node] | None:
    """The documents' nodes from libyaml, or None where they might differ from the pure-Python
    parser's: no C parser, a character the pure-Python reader refuses, a tab (libyaml accepts
    some the pure-Python scanner refuses, inside plain and flow scalars), a document nested more
    than ``_FAST_DEPTH`` deep (the pure-Python parser's recursion limit decides those), or a
    libyaml without its own nesting limit (its composer recurses in C). Raises on any
    problem, which the caller leaves to the pure-Python parser."""
    if (
        _CLoader is None
        or "\t" in text
        or _NON_PRINTABLE.search(text)
        or not _c_nesting_is_bounded()
    ):
        return None
    nodes = list(yaml.compose_all(text, Loader=_CLoader))
    walked: set[int] = set()
    for node in nodes:
        stack: list[tuple[yaml.Node, int, bool]] = [(node, 1, False)]
        while stack:
            current, depth, in_flow = stack.pop()
            if depth > _FAST_DEPTH:
                return None
            if isinstance(current, yaml.ScalarNode):
                # libyaml lets a plain scalar inside [...] or {...} hold '?' (YAML 1.2); the
                # pure-Python scanner ends it there and refuses the rest.
                if in_flow and not current.style and "?" in current.value:
                    return None
                continue
            if id(current) in walked:
                # An alias: walked where it was defined, which comes first in this walk (in
                # the text's order). The builder counts what aliases expand to (a bomb).
                continue
            walked.add(id(current))
            flow = in_flow or bool(getattr(current, "flow_style", False))
            items = current.value if isinstance(current, yaml.SequenceNode) else [
                part for pair in current.value for part in pair
            ]
            stack.extend((item, depth + 1, flow) for item in reversed(items))
    return nodes


_bounded: list[bool] = []


def _c_nesting_is_bounded() -> bool:
    """Whether this libyaml refuses very deep nesting (0.2.6 does, at 1,000 levels) instead
    of composing it by recursion in C. Probed once per process."""
    if not _bounded:
        assert _CLoader is not None
        try:
            list(yaml.compose_all("[" * 2000 + "]" * 2000, Loader=_CLoader))
            _bounded.append(False)
        except yaml.YAMLError:
            _bounded.append(True)
        except Exception:
            _bounded.append(False)
    return _bounded[0]


def load_file(path: Path, display: str | None = None) -> SourceFile:
    """Read and parse one file; problems are returned as diagnostics, never raised."""
    from screening.files import TooLarge, read_capped

    shown = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return _failed(shown, f"the file is {size} bytes, over the {MAX_FILE_BYTES} limit")
        # Read at most the cap whatever the size says: a pipe or a device has none.
        raw = read_capped(path, MAX_FILE_BYTES)
    except TooLarge:
        return _failed(shown, f"the file is over the {MAX_FILE_BYTES} bytes limit")
    except OSError as exc:
        return _failed(shown, f"cannot read: {exc.strerror or exc}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return SourceFile(
            shown,
            diagnostics=[
                Diagnostic(
                    shown, line, col, "the file is not UTF-8 text; save it as UTF-8", "encoding"
                )
            ],
        )
    return load_text(text, shown)


def _failed(path: str, message: str) -> SourceFile:
    return SourceFile(path, diagnostics=[Diagnostic(path, 0, 0, message, "file")])
