"""Recursive-descent parser: tokens → an unresolved syntax tree.

Grammar (keywords case-insensitive; NOT binds tighter than AND, AND tighter than OR)::

    query     := or EOF
    or        := and (OR and)*
    and       := not (AND not)*
    not       := NOT not | '(' or ')' | predicate
    predicate := operand ( cmp_op operand
                         | [NOT] LIKE operand
                         | [NOT] IN '(' operand (',' operand)* ')'
                         | IS [NOT] NULL )
    operand   := path | STRING | ['-'|'+'] number | TRUE | FALSE
    path      := name ('.' name)*        -- a name is a word or a `back-quoted` name

Names are not looked up here: the whole query is parsed first, so a syntax error is reported
before any unknown name, as MLMD does. Resolution happens in :mod:`.resolve`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from ..errors import FilterSyntaxError
from ..limits import FILTER_IN_VALUES, FILTER_QUERY_LENGTH, FILTER_TERMS, Limit, over_limit
from .ast import CompareOp
from .lexer import Token, TokenKind, syntax_error, tokenize

__all__ = [
    "RawAnd",
    "RawCompare",
    "RawExpr",
    "RawIn",
    "RawIsNull",
    "RawLike",
    "RawLiteral",
    "RawNot",
    "RawOperand",
    "RawOr",
    "RawPath",
    "Segment",
    "parse_syntax",
]

MAX_DEPTH = 64  # nesting of parentheses and NOTs; keeps hostile input off Python's stack limit
KEYWORDS = frozenset({"AND", "OR", "NOT", "IN", "LIKE", "IS", "NULL", "TRUE", "FALSE"})


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    quoted: bool
    offset: int


@dataclass(frozen=True, slots=True)
class RawPath:
    segments: tuple[Segment, ...]

    @property
    def offset(self) -> int:
        return self.segments[0].offset

    @property
    def text(self) -> str:
        return ".".join(f"`{s.text}`" if s.quoted else s.text for s in self.segments)


@dataclass(frozen=True, slots=True)
class RawLiteral:
    value: int | float | str | bool
    text: str
    offset: int


RawOperand: TypeAlias = RawPath | RawLiteral


@dataclass(frozen=True, slots=True)
class RawCompare:
    op: CompareOp
    left: RawOperand
    right: RawOperand


@dataclass(frozen=True, slots=True)
class RawLike:
    left: RawOperand
    pattern: RawOperand
    negated: bool


@dataclass(frozen=True, slots=True)
class RawIn:
    left: RawOperand
    values: tuple[RawOperand, ...]
    negated: bool


@dataclass(frozen=True, slots=True)
class RawIsNull:
    left: RawOperand
    negated: bool


@dataclass(frozen=True, slots=True)
class RawAnd:
    items: tuple[RawExpr, ...]


@dataclass(frozen=True, slots=True)
class RawOr:
    items: tuple[RawExpr, ...]


@dataclass(frozen=True, slots=True)
class RawNot:
    item: RawExpr


RawExpr: TypeAlias = RawCompare | RawLike | RawIn | RawIsNull | RawAnd | RawOr | RawNot

_PREDICATE_TAIL = "a comparison operator, LIKE, IN or IS"


def parse_syntax(query: str) -> RawExpr:
    """The syntax tree of ``query``; raises FilterSyntaxError (also for a query over one of
    the filter limits in :mod:`graphstore.limits`, at the position where it goes over)."""
    if len(query) > FILTER_QUERY_LENGTH.maximum:
        raise _over(query, FILTER_QUERY_LENGTH, len(query), FILTER_QUERY_LENGTH.maximum)
    return _Parser(query).parse()


def _over(query: str, limit: Limit, measured: int, offset: int) -> FilterSyntaxError:
    return syntax_error(query, offset, f"filter query: {over_limit(limit, measured)}",
                        f"at most {limit.maximum} {limit.unit}")


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.pos = 0
        self.depth = 0
        self.terms = 0
        self.in_values = 0

    # -- token helpers ---------------------------------------------------------------------
    def peek(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind is not TokenKind.EOF:
            self.pos += 1
        return token

    def at_keyword(self, word: str) -> bool:
        token = self.peek()
        return token.kind is TokenKind.NAME and token.text.upper() == word

    def expect(self, kind: TokenKind, expected: str) -> Token:
        if self.peek().kind is not kind:
            raise self.error(expected)
        return self.advance()

    def expect_keyword(self, word: str) -> None:
        if not self.at_keyword(word):
            raise self.error(word)
        self.advance()

    def error(self, expected: str) -> FilterSyntaxError:
        token = self.peek()
        if token.kind is TokenKind.EOF:
            found = "end of query"
        else:
            text = token.text if len(token.text) <= 40 else token.text[:37] + "..."
            found = repr(text)
        return syntax_error(self.query, token.offset, f"unexpected {found}", expected)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise syntax_error(
                self.query, self.peek().offset, f"query nested deeper than {MAX_DEPTH} levels",
                "a flatter query",
            )

    # -- grammar ---------------------------------------------------------------------------
    def parse(self) -> RawExpr:
        expr = self.or_()
        if self.peek().kind is not TokenKind.EOF:
            raise self.error("AND, OR or end of query")
        return expr

    def or_(self) -> RawExpr:
        items = [self.and_()]
        while self.at_keyword("OR"):
            self.advance()
            items.append(self.and_())
        return items[0] if len(items) == 1 else RawOr(tuple(items))

    def and_(self) -> RawExpr:
        items = [self.not_()]
        while self.at_keyword("AND"):
            self.advance()
            items.append(self.not_())
        return items[0] if len(items) == 1 else RawAnd(tuple(items))

    def not_(self) -> RawExpr:
        if self.at_keyword("NOT"):
            self.advance()
            self.enter()
            inner = self.not_()
            self.depth -= 1
            return RawNot(inner)
        if self.peek().kind is TokenKind.LPAREN:
            self.advance()
            self.enter()
            inner = self.or_()
            self.depth -= 1
            self.expect(TokenKind.RPAREN, "')', AND or OR")
            return inner
        return self.predicate()

    def predicate(self) -> RawExpr:
        # Counted as they are read, so the error points at the first term over the limit
        # before the rest of a huge query is parsed.
        self.terms += 1
        if self.terms > FILTER_TERMS.maximum:
            raise _over(self.query, FILTER_TERMS, self.terms, self.peek().offset)
        left = self.operand("an attribute, NOT or '('")
        token = self.peek()
        if token.kind is TokenKind.OP:
            self.advance()
            return RawCompare(CompareOp(token.value), left, self.operand("a value"))
        negated = self.at_keyword("NOT")
        if negated:
            self.advance()
            if not (self.at_keyword("LIKE") or self.at_keyword("IN")):
                raise self.error("LIKE or IN")
        if self.at_keyword("LIKE"):
            self.advance()
            return RawLike(left, self.operand("a string pattern"), negated)
        if self.at_keyword("IN"):
            self.advance()
            return RawIn(left, self.value_list(), negated)
        if self.at_keyword("IS"):
            self.advance()
            negated = self.at_keyword("NOT")
            if negated:
                self.advance()
            self.expect_keyword("NULL")
            return RawIsNull(left, negated)
        raise self.error(_PREDICATE_TAIL)

    def value_list(self) -> tuple[RawOperand, ...]:
        self.expect(TokenKind.LPAREN, "'(' and a list of values")
        values = [self.list_value()]
        while self.peek().kind is TokenKind.COMMA:
            self.advance()
            values.append(self.list_value())
        self.expect(TokenKind.RPAREN, "',' or ')'")
        return tuple(values)

    def list_value(self) -> RawOperand:
        self.in_values += 1
        if self.in_values > FILTER_IN_VALUES.maximum:
            raise _over(self.query, FILTER_IN_VALUES, self.in_values, self.peek().offset)
        return self.operand("a value")

    def operand(self, expected: str) -> RawOperand:
        token = self.peek()
        if token.kind in (TokenKind.STRING, TokenKind.INT, TokenKind.FLOAT):
            self.advance()
            return RawLiteral(token.value, token.text, token.offset)
        if token.kind in (TokenKind.MINUS, TokenKind.PLUS):
            self.advance()
            number = self.peek()
            if number.kind not in (TokenKind.INT, TokenKind.FLOAT):
                raise self.error("a number")
            self.advance()
            magnitude = number.value
            assert isinstance(magnitude, (int, float))
            value = -magnitude if token.kind is TokenKind.MINUS else magnitude
            return RawLiteral(value, token.text + number.text, token.offset)
        if token.kind is TokenKind.NAME and token.text.upper() in ("TRUE", "FALSE"):
            self.advance()
            return RawLiteral(token.text.upper() == "TRUE", token.text, token.offset)
        if token.kind is TokenKind.QUOTED_NAME or (
            token.kind is TokenKind.NAME and token.text.upper() not in KEYWORDS
        ):
            return self.path()
        raise self.error(expected)

    def path(self) -> RawPath:
        segments = [self.segment(self.advance())]
        while self.peek().kind is TokenKind.DOT:
            self.advance()
            if self.peek().kind not in (TokenKind.NAME, TokenKind.QUOTED_NAME):
                raise self.error("a name after '.'")
            segments.append(self.segment(self.advance()))
        return RawPath(tuple(segments))

    @staticmethod
    def segment(token: Token) -> Segment:
        assert isinstance(token.value, str)
        return Segment(token.value, token.kind is TokenKind.QUOTED_NAME, token.offset)
