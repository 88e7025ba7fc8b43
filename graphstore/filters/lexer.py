"""Tokenizer for MLMD filter queries.

Lexing is a little context-sensitive so that property names may be any word after a dot:
``properties.0.int_value`` must not read ``.0`` as a number, so after a name a ``.`` is always
a separator, and after a separator ``[A-Za-z0-9_]+`` is always a name.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from ..errors import FilterSyntaxError

__all__ = ["Token", "TokenKind", "position", "syntax_error", "tokenize"]


class TokenKind(enum.Enum):
    NAME = "name"  # identifiers and keywords alike: keywords are case-insensitive names
    QUOTED_NAME = "back-quoted name"
    STRING = "string"
    INT = "integer"
    FLOAT = "number"
    OP = "operator"
    LPAREN = "'('"
    RPAREN = "')'"
    COMMA = "','"
    DOT = "'.'"
    MINUS = "'-'"
    PLUS = "'+'"
    EOF = "end of query"


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str  # the source text, for messages
    value: str | int | float  # decoded: the name, the string's characters, the number
    offset: int  # index into the query, turned into line/column only when reporting


def position(query: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of ``offset``; lines end at ``\\n``."""
    line = query.count("\n", 0, offset) + 1
    return line, offset - (query.rfind("\n", 0, offset) + 1) + 1


def syntax_error(query: str, offset: int, message: str, expected: str = "") -> FilterSyntaxError:
    line, column = position(query, offset)
    return FilterSyntaxError(message, query=query, line=line, column=column, expected=expected)


_WHITESPACE = frozenset(" \t\n\r\f\v")
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_DIGITS = frozenset("0123456789")
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WORD_RE = re.compile(r"[A-Za-z0-9_]+")
_NUMBER_RE = re.compile(
    r"0[xX](?P<hex>[0-9A-Fa-f]+)"
    r"|(?P<int>[0-9]+)(?![.eE0-9])"
    r"|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
)
_OPERATORS = ("<=", ">=", "<>", "!=", "=", "<", ">")
_PUNCTUATION = {"(": TokenKind.LPAREN, ")": TokenKind.RPAREN, ",": TokenKind.COMMA,
                "-": TokenKind.MINUS, "+": TokenKind.PLUS}
_SIMPLE_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "`": "`", "n": "\n", "t": "\t", "r": "\r",
                   "b": "\b", "f": "\f", "v": "\v", "a": "\a", "?": "?"}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_MAX_NUMBER_CHARS = 400  # longer literals overflow both int64 and double anyway
_FOLLOWS_NAME = (TokenKind.NAME, TokenKind.QUOTED_NAME)


def tokenize(query: str) -> list[Token]:
    """The tokens of ``query``, ending with an EOF token; raises FilterSyntaxError."""
    tokens: list[Token] = []
    i, n = 0, len(query)
    while True:
        while i < n and query[i] in _WHITESPACE:
            i += 1
        if i >= n:
            tokens.append(Token(TokenKind.EOF, "", "", n))
            return tokens
        prev = tokens[-1].kind if tokens else None
        token = _next_token(query, i, prev)
        tokens.append(token)
        i = token.offset + len(token.text)


def _next_token(query: str, i: int, prev: TokenKind | None) -> Token:
    ch = query[i]
    if ch == "." and (prev in _FOLLOWS_NAME or query[i + 1 : i + 2] not in _DIGITS):
        return Token(TokenKind.DOT, ".", ".", i)
    if prev is TokenKind.DOT and ch in _WORD_CHARS:
        word = _match(_WORD_RE, query, i)
        return Token(TokenKind.NAME, word, word, i)
    if ch in _DIGITS or ch == ".":
        return _number(query, i)
    if ch in _WORD_CHARS:
        name = _match(_NAME_RE, query, i)
        return Token(TokenKind.NAME, name, name, i)
    if ch in "'\"":
        text, value = _quoted(query, i, "string literal")
        return Token(TokenKind.STRING, text, value, i)
    if ch == "`":
        text, value = _quoted(query, i, "back-quoted name")
        if not value:
            raise syntax_error(query, i, "empty back-quoted name", "a name between back-quotes")
        return Token(TokenKind.QUOTED_NAME, text, value, i)
    if ch in _PUNCTUATION:
        return Token(_PUNCTUATION[ch], ch, ch, i)
    for op in _OPERATORS:
        if query.startswith(op, i):
            return Token(TokenKind.OP, op, "!=" if op == "<>" else op, i)
    raise syntax_error(query, i, f"unexpected character {ch!r}", "a name, a value or an operator")


def _match(pattern: re.Pattern[str], query: str, i: int) -> str:
    m = pattern.match(query, i)
    assert m is not None  # callers check the first character
    return m.group()


def _number(query: str, i: int) -> Token:
    m = _NUMBER_RE.match(query, i)
    assert m is not None  # starts with a digit, or with '.' and a digit
    text, end = m.group(), m.end()
    if end < len(query) and query[end] in _WORD_CHARS:
        while end < len(query) and query[end] in _WORD_CHARS:
            end += 1
        raise syntax_error(query, i, f"malformed number {query[i:end]!r}", "a number")
    if len(text) > _MAX_NUMBER_CHARS:
        raise syntax_error(query, i, "numeric literal out of range", "a smaller number")
    if m.group("hex") is not None:
        return Token(TokenKind.INT, text, int(m.group("hex"), 16), i)
    if m.group("int") is not None:
        return Token(TokenKind.INT, text, int(text), i)
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise syntax_error(query, i, f"number {text!r} out of range", "a finite number")
    return Token(TokenKind.FLOAT, text, value, i)


def _quoted(query: str, start: int, what: str) -> tuple[str, str]:
    """(source text, decoded value) of the quoted run starting at ``start``."""
    quote, i, n = query[start], start + 1, len(query)
    out: list[str] = []
    while i < n:
        ch = query[i]
        if ch == quote:
            return query[start : i + 1], "".join(out)
        if ch == "\\":
            decoded, i = _escape(query, i)
            out.append(decoded)
            continue
        if 0xD800 <= ord(ch) <= 0xDFFF:
            raise syntax_error(query, i, f"invalid character in {what}", "valid Unicode text")
        out.append(ch)
        i += 1
    raise syntax_error(query, start, f"unterminated {what}", f"a closing {quote}")


def _escape(query: str, i: int) -> tuple[str, int]:
    """The character(s) the escape at ``i`` stands for, and the index after it."""
    code = query[i + 1 : i + 2]
    if code in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[code], i + 2
    if code in ("%", "_"):
        return "\\" + code, i + 2  # kept escaped: it makes a LIKE wildcard literal
    if code in _HEX_ESCAPES:
        width = _HEX_ESCAPES[code]
        digits = query[i + 2 : i + 2 + width]
        if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
            return _code_point(query, i, int(digits, 16)), i + 2 + width
    elif code and code in "01234567":
        digits = query[i + 1 : i + 4]
        if len(digits) == 3 and all(c in "01234567" for c in digits):
            return _code_point(query, i, int(digits, 8)), i + 4
    shown = query[i : i + 2]
    raise syntax_error(query, i, f"invalid escape sequence {shown!r}", "a valid escape sequence")


def _code_point(query: str, i: int, value: int) -> str:
    if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
        raise syntax_error(query, i, f"invalid code point U+{value:X}", "a Unicode scalar value")
    return chr(value)
