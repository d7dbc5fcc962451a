"""The small, safe condition language of interview scripts: skip logic and answer constraints.

    show_when: consent == 'yes' and age(birth_date) < 18
    rule: value >= 15 and value <= 100

A condition is parsed once into an immutable tree and evaluated with three-valued (Kleene)
logic: ``None`` means undetermined, because an answer it depends on is unknown or declined.
Content files are data, not code: nothing here calls eval, exec or compile.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from screening.errors import suggest
from screening.models.answers import is_special

MAX_LENGTH = 2000
MAX_DEPTH = 50

KEYWORDS = frozenset({"and", "or", "not", "in", "value", "true", "false"})
# Function names are not reserved: `age` alone is a question id, `age(...)` a call.
FUNCTIONS = ("answered", "unknown", "age", "count")
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")

Truth = bool | None  # None: undetermined


class ConditionSyntaxError(Exception):
    """A condition that cannot be parsed; ``offset`` is the 0-based character in the text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message, offset)  # both in args, so the error pickles
        self.message = message
        self.offset = offset

    def __str__(self) -> str:
        return self.message


class _Sentinel:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_NO_VALUE = _Sentinel("<missing>")  # evaluate() called without value=
_ABSENT = _Sentinel("<absent>")  # nothing to compare: never asked, skipped, or not a date
_UNDETERMINED = _Sentinel("<undetermined>")  # unknown or declined: the comparison is None


# --- Tokens -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "name", "string", "number", "punct" or "end"
    text: str
    offset: int

    def is_(self, text: str) -> bool:
        # A quoted 'and' is a string, never the keyword.
        return self.kind in ("name", "punct") and self.text == text

    def describe(self) -> str:
        if self.kind == "string":
            return f"string {self.text}"
        if self.kind == "number":
            return f"number {self.text}"
        return f"'{self.text}'"


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_IDENT = re.compile(r"[a-z][a-z0-9_]*")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_NUMBER_TAIL = re.compile(r"[A-Za-z0-9_.]+")
_WHITESPACE = " \t\r\n"
# Habits from other languages get a pointer to the right word.
_HINTS = {"&": " (use 'and')", "|": " (use 'or')", "!": " (use 'not')"}


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _WHITESPACE:
            i += 1
        elif ch in "'\"":
            end = text.find(ch, i + 1)
            if end < 0:
                raise ConditionSyntaxError("unterminated string", i)
            tokens.append(_Token("string", text[i : end + 1], i))
            i = end + 1
        elif text[i : i + 2] in ("==", "!=", "<=", ">="):
            tokens.append(_Token("punct", text[i : i + 2], i))
            i += 2
        elif ch in "<>()[],":
            tokens.append(_Token("punct", ch, i))
            i += 1
        elif ch == "=":
            raise ConditionSyntaxError("unexpected '=' (use '==' to compare)", i)
        elif ch == "-" or "0" <= ch <= "9":
            match = _NUMBER.match(text, i)
            if match is None:
                raise ConditionSyntaxError("expected a number after '-'", i)
            tail = _NUMBER_TAIL.match(text, match.end())
            if tail is not None:  # 12abc, 1.5.2, 3.
                bad = text[i : tail.end()]
                raise ConditionSyntaxError(f"invalid number '{bad}'", i)
            tokens.append(_Token("number", match.group(), i))
            i = match.end()
        elif (match := _WORD.match(text, i)) is not None:
            word = match.group()
            if not _IDENT.fullmatch(word):
                raise ConditionSyntaxError(_bad_word(word), i)
            tokens.append(_Token("name", word, i))
            i = match.end()
        else:
            raise ConditionSyntaxError(f"unexpected character {ch!r}{_HINTS.get(ch, '')}", i)
    tokens.append(_Token("end", "", n))
    return tokens


def _bad_word(word: str) -> str:
    if word.lower() in KEYWORDS or word.lower() in FUNCTIONS:
        return f"write '{word.lower()}' in lower case"
    return (
        f"invalid question id '{word}' "
        "(use lower-case letters, digits and '_', starting with a letter)"
    )


# --- The tree -----------------------------------------------------------------------------
# Operands resolve() to a value, _ABSENT or _UNDETERMINED; conditions give truth().
# ``kind`` is what the parser knows statically ("bool", "number", "string"), or None when
# it depends on the answers.


class _Context:
    __slots__ = ("answers", "value", "_today")

    def __init__(self, answers: Mapping[str, object], value: object, today: date | None):
        self.answers = answers
        self.value = value
        self._today = today

    def answer(self, question_id: str) -> object:
        return _normalize(self.answers.get(question_id))

    @property
    def today(self) -> date:
        if self._today is None:  # only looked up when age() is used
            self._today = date.today()
        return self._today


def _normalize(raw: object) -> object:
    if raw is None or raw is _NO_VALUE:
        return _ABSENT
    if is_special(raw):
        return _UNDETERMINED
    return raw


class _Node:
    __slots__ = ()
    kind: str | None = "bool"

    def truth(self, ctx: _Context) -> Truth:
        raise NotImplementedError  # the parser only builds conditions from boolean nodes

    def resolve(self, ctx: _Context) -> object:
        result = self.truth(ctx)
        return _UNDETERMINED if result is None else result

    def children(self) -> tuple[_Node, ...]:
        return ()

    def question_ids(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class _Literal(_Node):
    value: str | int | float | bool

    @property
    def kind(self) -> str | None:  # type: ignore[override]  # a property over the base's field
        return _kind(self.value)

    def resolve(self, ctx: _Context) -> object:
        return self.value

    def truth(self, ctx: _Context) -> Truth:
        return bool(self.value)  # only true and false stand alone as conditions


@dataclass(frozen=True, slots=True)
class _Answer(_Node):
    question_id: str
    kind = None

    def resolve(self, ctx: _Context) -> object:
        return ctx.answer(self.question_id)

    def question_ids(self) -> tuple[str, ...]:
        return (self.question_id,)


@dataclass(frozen=True, slots=True)
class _Value(_Node):
    kind = None

    def resolve(self, ctx: _Context) -> object:
        return _normalize(ctx.value)


@dataclass(frozen=True, slots=True)
class _Call(_Node):
    function: str
    question_id: str

    @property
    def kind(self) -> str | None:  # type: ignore[override]  # a property over the base's field
        return "bool" if self.function in ("answered", "unknown") else "number"

    def resolve(self, ctx: _Context) -> object:
        raw = ctx.answer(self.question_id)
        if self.function == "answered":
            return raw is not _ABSENT and raw is not _UNDETERMINED
        if self.function == "unknown":
            return raw is _UNDETERMINED
        if self.function == "count":
            return len(raw) if isinstance(raw, list) else 0
        if raw is _ABSENT or raw is _UNDETERMINED:
            return raw
        born = _iso_date(raw)
        return _ABSENT if born is None else _whole_years(born, ctx.today)

    def truth(self, ctx: _Context) -> Truth:
        return bool(self.resolve(ctx))  # only answered() and unknown() stand alone

    def question_ids(self) -> tuple[str, ...]:
        return (self.question_id,)


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True, slots=True)
class _Compare(_Node):
    op: str
    left: _Node
    right: _Node

    def truth(self, ctx: _Context) -> Truth:
        a, b = self.left.resolve(ctx), self.right.resolve(ctx)
        # Never asked means "not so", whatever the other side: _ABSENT wins over unknown.
        if a is _ABSENT or b is _ABSENT:
            return False
        if a is _UNDETERMINED or b is _UNDETERMINED:
            return None
        kind = _kind(a)
        if kind is None or kind != _kind(b):
            return False  # a mismatch is False for != too: the comparison cannot be made
        if self.op in ("==", "!="):
            same = sorted(a) == sorted(b) if kind == "list" else a == b  # type: ignore[call-overload]  # _kind() said list
            return same if self.op == "==" else not same
        if kind not in ("number", "string"):
            return False
        return _ORDER[self.op](a, b)

    def children(self) -> tuple[_Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, slots=True)
class _InList(_Node):
    operand: _Node
    items: tuple[str | int | float, ...]
    negated: bool

    def truth(self, ctx: _Context) -> Truth:
        a = self.operand.resolve(ctx)
        if a is _ABSENT:
            return False
        if a is _UNDETERMINED:
            return None
        kind = _kind(a)
        if kind not in ("string", "number"):
            return False
        found = any(_kind(item) == kind and item == a for item in self.items)
        return found != self.negated

    def children(self) -> tuple[_Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True)
class _InAnswer(_Node):
    """'key' in q: is an option key among the selections of a multi-choice answer."""

    operand: _Node
    question_id: str
    negated: bool

    def truth(self, ctx: _Context) -> Truth:
        a, selected = self.operand.resolve(ctx), ctx.answer(self.question_id)
        if a is _ABSENT or selected is _ABSENT:
            return False
        if a is _UNDETERMINED or selected is _UNDETERMINED:
            return None
        if _kind(a) != "string" or _kind(selected) != "list":
            return False
        return (a in selected) != self.negated  # type: ignore[operator]  # _kind() said list

    def children(self) -> tuple[_Node, ...]:
        return (self.operand,)

    def question_ids(self) -> tuple[str, ...]:
        return (self.question_id,)


@dataclass(frozen=True, slots=True)
class _Not(_Node):
    operand: _Node

    def truth(self, ctx: _Context) -> Truth:
        result = self.operand.truth(ctx)
        return None if result is None else not result

    def children(self) -> tuple[_Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True)
class _And(_Node):
    # n-ary rather than nested pairs, so a long chain never deepens the recursion
    operands: tuple[_Node, ...]

    def truth(self, ctx: _Context) -> Truth:
        result: Truth = True
        for node in self.operands:
            value = node.truth(ctx)
            if value is False:
                return False
            if value is None:
                result = None
        return result

    def children(self) -> tuple[_Node, ...]:
        return self.operands


@dataclass(frozen=True, slots=True)
class _Or(_Node):
    operands: tuple[_Node, ...]

    def truth(self, ctx: _Context) -> Truth:
        result: Truth = False
        for node in self.operands:
            value = node.truth(ctx)
            if value is True:
                return True
            if value is None:
                result = None
        return result

    def children(self) -> tuple[_Node, ...]:
        return self.operands


def _kind(value: object) -> str | None:
    if isinstance(value, bool):  # before int: bool is an int in Python
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "list"
    return None


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(raw: object) -> date | None:
    # fromisoformat alone also takes 20240131 and week dates; answers are YYYY-MM-DD.
    if not isinstance(raw, str) or not _ISO_DATE.fullmatch(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _whole_years(born: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (born.month, born.day)
    return today.year - born.year - before_birthday


def _walk(root: _Node) -> Iterator[_Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children())


# --- Parser -------------------------------------------------------------------------------

_DESCRIBE_KIND = {"bool": "true/false", "number": "a number", "string": "a string"}


class _Parser:
    """Recursive descent over the grammar; depth is counted so recursion stays bounded."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.pos]

    def peek(self) -> _Token:
        return self.tokens[min(self.pos + 1, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        tok = self.tokens[self.pos]
        if tok.kind != "end":
            self.pos += 1
        return tok

    def unexpected(self, tok: _Token) -> ConditionSyntaxError:
        if tok.kind == "end":
            before = self.tokens[self.pos - 1].text if self.pos else ""
            return ConditionSyntaxError(f"unexpected end of condition after '{before}'", tok.offset)
        return ConditionSyntaxError(f"unexpected {tok.describe()}", tok.offset)

    def enter(self, tok: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionSyntaxError(
                f"condition is nested too deeply (at most {MAX_DEPTH} levels)", tok.offset
            )

    def parse(self) -> _Node:
        if self.tok.kind == "end":
            raise ConditionSyntaxError("empty condition", 0)
        node = self.or_expr()
        if self.tok.is_(")"):
            raise ConditionSyntaxError("unmatched ')'", self.tok.offset)
        if self.tok.kind != "end":
            raise self.unexpected(self.tok)
        return node

    def or_expr(self) -> _Node:
        operands = [self.and_expr()]
        while self.tok.is_("or"):
            self.advance()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else _Or(tuple(operands))

    def and_expr(self) -> _Node:
        operands = [self.not_expr()]
        while self.tok.is_("and"):
            self.advance()
            operands.append(self.not_expr())
        return operands[0] if len(operands) == 1 else _And(tuple(operands))

    def not_expr(self) -> _Node:
        if not self.tok.is_("not"):
            return self.comparison()
        self.enter(self.advance())
        node = _Not(self.not_expr())
        self.depth -= 1
        return node

    def comparison(self) -> _Node:
        start = self.tok.offset
        left = self.operand()
        tok = self.tok
        if tok.kind == "punct" and tok.text in COMPARISONS:
            self.advance()
            right = self.operand()
            self.check_comparable(left, right, tok)
            node: _Node = _Compare(tok.text, left, right)
        elif tok.is_("in") or tok.is_("not"):
            node = self.membership(left)
        elif left.kind == "bool":
            return left
        else:
            previous = self.tokens[self.pos - 1]
            snippet = self.text[start : previous.offset + len(previous.text)]
            raise ConditionSyntaxError(f"expected a comparison after '{snippet}'", tok.offset)
        after = self.tok
        if (after.kind == "punct" and after.text in COMPARISONS) or after.is_("in"):
            raise ConditionSyntaxError(
                "comparisons cannot be chained; join them with 'and'", after.offset
            )
        return node

    def check_comparable(self, left: _Node, right: _Node, op: _Token) -> None:
        # Literals and functions have a known type: a mismatch there is a typo, not data.
        a, b = left.kind, right.kind
        if a is not None and b is not None and a != b:
            raise ConditionSyntaxError(
                f"cannot compare {_DESCRIBE_KIND[a]} with {_DESCRIBE_KIND[b]}", op.offset
            )
        if op.text not in ("==", "!=") and "bool" in (a, b):
            raise ConditionSyntaxError(
                f"'{op.text}' compares numbers or strings, not true/false", op.offset
            )

    def membership(self, left: _Node) -> _Node:
        negated = self.tok.is_("not")
        if negated:
            self.advance()
            if not self.tok.is_("in"):
                raise ConditionSyntaxError("expected 'in' after 'not'", self.tok.offset)
        in_tok = self.advance()
        target = self.tok
        if target.is_("["):
            if left.kind == "bool":
                raise ConditionSyntaxError(
                    "only strings and numbers can be looked up in a list", in_tok.offset
                )
            return _InList(left, self.list_items(), negated)
        if target.kind == "name" and target.text not in KEYWORDS:
            if left.kind in ("bool", "number"):
                raise ConditionSyntaxError(
                    "only a string (an option key) can be in a multi-choice answer",
                    in_tok.offset,
                )
            self.advance()
            return _InAnswer(left, target.text, negated)
        raise ConditionSyntaxError("expected a list or a question id after 'in'", target.offset)

    def list_items(self) -> tuple[str | int | float, ...]:
        self.advance()  # '['
        if self.tok.is_("]"):
            raise ConditionSyntaxError("empty list: give at least one item", self.tok.offset)
        items = [self.list_item()]
        while self.tok.is_(","):
            self.advance()
            if self.tok.is_("]"):
                raise ConditionSyntaxError("expected a list item after ','", self.tok.offset)
            items.append(self.list_item())
        if not self.tok.is_("]"):
            raise ConditionSyntaxError("expected ']' after list items", self.tok.offset)
        self.advance()
        return tuple(items)

    def list_item(self) -> str | int | float:
        tok = self.tok
        if tok.kind == "string":
            self.advance()
            return tok.text[1:-1]
        if tok.kind == "number":
            self.advance()
            return _number(tok.text)
        if tok.kind == "end":
            raise ConditionSyntaxError("expected ']' after list items", tok.offset)
        raise ConditionSyntaxError("list items must be strings or numbers", tok.offset)

    def operand(self) -> _Node:
        tok = self.tok
        if tok.kind == "string":
            self.advance()
            return _Literal(tok.text[1:-1])
        if tok.kind == "number":
            self.advance()
            return _Literal(_number(tok.text))
        if tok.is_("("):
            self.enter(self.advance())
            node = self.or_expr()
            if not self.tok.is_(")"):
                raise ConditionSyntaxError("expected ')' to close '('", self.tok.offset)
            self.advance()
            self.depth -= 1
            return node
        if tok.kind != "name":
            raise self.unexpected(tok)
        if tok.text in ("true", "false"):
            self.advance()
            return _Literal(tok.text == "true")
        if tok.text == "value":
            self.advance()
            return _Value()
        if tok.text in KEYWORDS:
            raise self.unexpected(tok)
        if self.peek().is_("("):
            return self.call()
        self.advance()
        return _Answer(tok.text)

    def call(self) -> _Node:
        name = self.advance()
        self.advance()  # '('
        if name.text not in FUNCTIONS:
            hint = suggest(name.text, FUNCTIONS) or " (use answered, unknown, age or count)"
            raise ConditionSyntaxError(f"unknown function '{name.text}'{hint}", name.offset)
        arg = self.tok
        if arg.kind != "name" or arg.text in KEYWORDS:
            raise ConditionSyntaxError(
                f"expected a question id inside {name.text}(...)", arg.offset
            )
        self.advance()
        if not self.tok.is_(")"):
            raise ConditionSyntaxError(
                f"expected ')' after {name.text}({arg.text}", self.tok.offset
            )
        self.advance()
        return _Call(name.text, arg.text)


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


# --- Public API ---------------------------------------------------------------------------


def _could_hold_on(node: _Node, allowed: set[str]) -> bool:
    if isinstance(node, _Or):
        return any(_could_hold_on(n, allowed) for n in node.operands)
    if isinstance(node, _And):
        return all(_could_hold_on(n, allowed) for n in node.operands)
    ids = {qid for n in _walk(node) for qid in n.question_ids()}
    return ids <= allowed


@dataclass(frozen=True)
class Condition:
    """A parsed condition: immutable, shareable, cheap to evaluate many times."""

    text: str
    _root: _Node = field(repr=False, compare=False)

    def references(self) -> frozenset[str]:
        """The question ids the condition reads (``value`` is not one)."""
        return frozenset(qid for node in _walk(self._root) for qid in node.question_ids())

    def uses_value(self) -> bool:
        return any(isinstance(node, _Value) for node in _walk(self._root))

    def compared_keys(self) -> list[tuple[str, str]]:
        """(question id, string literal) pairs the condition compares an answer with, so a
        checker can tell whether each literal is an answer of that question."""
        out: list[tuple[str, str]] = []
        for node in _walk(self._root):
            if isinstance(node, _Compare):
                for a, b in ((node.left, node.right), (node.right, node.left)):
                    if isinstance(a, _Answer) and isinstance(b, _Literal) and isinstance(
                            b.value, str):
                        out.append((a.question_id, b.value))
            elif isinstance(node, _InList) and isinstance(node.operand, _Answer):
                out += [(node.operand.question_id, i) for i in node.items if isinstance(i, str)]
            elif isinstance(node, _InAnswer) and isinstance(node.operand, _Literal) and (
                    isinstance(node.operand.value, str)):
                out.append((node.question_id, node.operand.value))
        return out

    def could_hold_on(self, allowed: set[str]) -> bool:
        """Whether the condition could be true reading only the questions in ``allowed``:
        an 'or' needs one such branch, an 'and' all of its parts."""
        return _could_hold_on(self._root, allowed)

    def evaluate(
        self,
        answers: Mapping[str, object],
        *,
        value: object = _NO_VALUE,
        today: date | None = None,
    ) -> bool | None:
        """True, False, or None when an answer it depends on is unknown or declined."""
        return self._root.truth(_Context(answers, value, today))

    def __str__(self) -> str:
        return self.text


@functools.lru_cache(maxsize=1024)
def parse(text: str) -> Condition:
    """Parse a condition (cached by text); raises ConditionSyntaxError."""
    if len(text) > MAX_LENGTH:
        raise ConditionSyntaxError(
            f"condition is too long ({len(text)} characters; at most {MAX_LENGTH})", MAX_LENGTH
        )
    return Condition(text, _Parser(text).parse())
