"""The C parser (libyaml) reads content exactly as PyYAML's pure-Python parser does: the same
data, the same position of every key and value, the same problems at the same places (every
problem is left to the pure-Python parser). Checked on the bundled files, on broken files and
on many random edits of the bundled ones."""

from __future__ import annotations

import random

import pytest
import yaml

from screening.content import yaml_source
from screening.content.catalogue import bundled_root, content_paths, discover

pytestmark = pytest.mark.skipif(
    yaml_source._CLoader is None, reason="this PyYAML has no C parser (libyaml)"
)


def _bundled() -> dict[str, str]:
    files, _ = discover(content_paths(bundled_root()))
    return {shown: path.read_text("utf-8") for path, shown in files}


def _both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[tuple, tuple]:
    def seen(source: yaml_source.SourceFile) -> tuple:
        return (source.data, source.positions, source.key_positions, source.scalars,
                source.diagnostics)

    fast = seen(yaml_source.load_text(text, "f.yaml"))
    with monkeypatch.context() as patch:
        patch.setattr(yaml_source, "_CLoader", None)
        pure = seen(yaml_source.load_text(text, "f.yaml"))
    return fast, pure


def test_the_bundled_files_read_the_same_and_by_the_c_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = _bundled()
    assert len(texts) >= 4
    for shown, text in texts.items():
        assert yaml_source._compose_fast(text) is not None, shown  # the fast path is taken
        fast, pure = _both(text, monkeypatch)
        assert fast == pure, shown
        assert fast[0] is not None and not fast[4], shown


BROKEN = [
    "id: a\n  name: b\n",  # bad indentation
    "id: [a, b\n",  # unclosed flow sequence
    "id: {a: 1\n",
    "key: 'unclosed\n",
    'key: "unclosed\n',
    "key: value\n\tother: x\n",  # a tab
    "- a\nb: c\n",
    "a: b: c\n",
    "a: 1\na: 2\n",  # duplicate key (found by the builder)
    "a: &x 1\nb: *y\n",  # undefined alias
    "a: &x [1, *x]\n",  # an alias inside itself
    "a: !!python/object:os.system x\n",
    "a: !!int 12x\n",
    "d: 2024-13-45\n",
    "<<: {a: 1}\n",
    "? [a, b]\n: c\n",
    "---\na: 1\n---\nb: 2\n",
    "%YAML 2.0\n---\na: 1\n",
    "%YAML 1.2\n---\na: 1\n",
    "a: 1\n...\n",
    "a: \"\\ud83d\\ude00 and \\ud800\"\n",
    "a: \"\\x41\\u00e9\\U0001F600\"\n",
    "a: b\x00c\n",  # a control character
    "a: b\x1bc\n",
    "a: \u2028b\n",
    "a:\r\n  - x\r\n  - y\r\n",
    "a: |\n  line\n   more\n b: c\n",
    "a: >-\n  folded\n  text\n\n",
    "- [" * 40 + "x" + "]" * 40 + "\n",
    "[" * 200 + "]" * 200 + "\n",  # deeper than the fast path takes
    "a: " + "{b: " * 70 + "1" + "}" * 70 + "\n",
    "x" * 1100 + ": 1\n",  # a key too long to be simple
    "a: 1 # c\n#x\nb: 'it''s'\n",
    "\ufeffa: 1\n",
    "a: yes\nb: on\nc: True\nd: ~\ne: 0o17\nf: 0x1F\ng: 1_000\nh: .inf\ni: 1e3\n",
    "- !!binary aGVsbG8=\n",
    "a: @b\n",
    "a: `b\n",
    "&a a: 1\n",
    "- - - x\n",
    ": x\n",
    "[a]: b\n",
    "a: 'x'y\n",
    # a "billion laughs": ten aliases to ten aliases ..., refused the same way, and quickly
    "\n".join(
        ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        + [f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 10)]
    ) + "\n",
    "a: &x {b: *x}\n",
    # an anchor used again in a flow collection, '?' in its plain scalars: where it is defined
    "a: &x [why? not]\nb: *x\n",
    "a: &x why? not\nb: [*x]\n",
    "a: &x [1, [2, [3]]]\nb: [[[[*x]]]]\nc: *x\n",
]


@pytest.mark.parametrize("text", BROKEN)
def test_broken_and_unusual_files_read_the_same(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, pure = _both(text, monkeypatch)
    assert fast == pure


def _mutants(text: str, rng: random.Random, count: int) -> list[str]:
    pieces = ["", ":", " ", "\t", "\n", "'", '"', "[", "]", "{", "}", "- ", "&a ", "*a", "!!",
              "#", "? ", "|", ">", "---\n", ",", "\\", "%", "@", "é", "😀", "\r\n", "  "]
    out = []
    for _ in range(count):
        at = rng.randrange(len(text))
        cut = rng.choice([0, 0, 1, 2, 5])
        if rng.random() < 0.15:  # move a whole line's indentation
            lines = text.split("\n")
            n = rng.randrange(len(lines))
            lines[n] = rng.choice([" ", "   ", ""]) + lines[n].lstrip(" " * rng.randrange(3))
            out.append("\n".join(lines))
        else:
            out.append(text[:at] + rng.choice(pieces) + text[at + cut:])
    return out


def test_random_edits_of_the_bundled_files_read_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(16)
    differ = []
    for shown, text in _bundled().items():
        # a shorter stretch of each file keeps this quick: the edits fall in it
        head = text[: 6000]
        for mutant in _mutants(head, rng, 60):
            fast, pure = _both(mutant, monkeypatch)
            if fast != pure:
                differ.append((shown, mutant))
    assert differ == []


def test_without_a_nesting_limit_in_libyaml_the_pure_parser_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(yaml_source, "_bounded", [False])
    assert yaml_source._compose_fast("a: 1\n") is None
    monkeypatch.setattr(yaml_source, "_bounded", [])
    assert yaml_source._c_nesting_is_bounded() is True  # the libyaml in PyYAML's wheels


def test_the_c_parser_is_really_faster() -> None:
    """Not a timing test: that the fast path runs libyaml's parser, not the Python one."""
    text = next(iter(_bundled().values()))
    loader = yaml_source._CLoader
    assert loader is not None and issubclass(loader, yaml.CSafeLoader)
    assert yaml_source._compose_fast(text) is not None
