"""Every error path: syntax errors with line, column and what was expected; semantic errors
naming the offending name or value."""

from __future__ import annotations

from typing import Any

import pytest

from graphstore.errors import FilterSyntaxError, InvalidArgument
from graphstore.filters import NodeKind, parse
from graphstore.filters.parser import MAX_DEPTH

A, E, C = NodeKind.ARTIFACT, NodeKind.EXECUTION, NodeKind.CONTEXT

# (query, line, column, message fragment, expected fragment)
SYNTAX_ERRORS: list[tuple[str, int, int, str, str]] = [
    # characters and tokens
    ("}) DETACH DELETE n //", 1, 1, "unexpected character '}'", "a name, a value"),
    ("id = 1; DROP TABLE artifact", 1, 7, "unexpected character ';'", "a name, a value"),
    ("id = 1 & id = 2", 1, 8, "unexpected character '&'", ""),
    ("name = 'x' || 'y'", 1, 12, "unexpected character '|'", ""),
    ("id ! 1", 1, 4, "unexpected character '!'", ""),
    ("name = ☃", 1, 8, "unexpected character '☃'", ""),
    ("'; DROP TABLE artifact; --", 1, 1, "unterminated string literal", "a closing '"),
    ('name = "abc', 1, 8, "unterminated string literal", 'a closing "'),
    ("name = 'abc\\'", 1, 8, "unterminated string literal", "a closing '"),
    ("properties.`abc.int_value = 1", 1, 12, "unterminated back-quoted name", "a closing `"),
    ("properties.``.int_value = 1", 1, 12, "empty back-quoted name", "between back-quotes"),
    ("name = 'a\\qb'", 1, 10, "invalid escape sequence '\\\\q'", "a valid escape"),
    ("name = 'a\\x4'", 1, 10, "invalid escape sequence", "a valid escape"),
    ("name = '\\u12'", 1, 9, "invalid escape sequence", "a valid escape"),
    ("name = '\\8'", 1, 9, "invalid escape sequence", "a valid escape"),
    ("name = '\\ud800'", 1, 9, "invalid code point U+D800", "a Unicode scalar value"),
    ("name = '\\U00110000'", 1, 9, "invalid code point U+110000", "a Unicode scalar value"),
    ("name = 'a\ud800'", 1, 10, "invalid character in string literal", "valid Unicode"),
    ("id = 1abc", 1, 6, "malformed number '1abc'", "a number"),
    ("id = 0x", 1, 6, "malformed number '0x'", "a number"),
    ("properties.p.double_value = 1e", 1, 29, "malformed number '1e'", "a number"),
    ("properties.p.double_value = 1e999", 1, 29, "number '1e999' out of range", "finite"),
    ("id = " + "9" * 401, 1, 6, "numeric literal out of range", "a smaller number"),
    # predicates
    ("type_id", 1, 8, "unexpected end of query", "a comparison operator, LIKE, IN or IS"),
    ("'a'", 1, 4, "unexpected end of query", "a comparison operator"),
    ("a == 'a'", 1, 4, "unexpected '='", "a value"),
    ("id =", 1, 5, "unexpected end of query", "a value"),
    ("id = = 1", 1, 6, "unexpected '='", "a value"),
    ("id 1", 1, 4, "unexpected '1'", "a comparison operator, LIKE, IN or IS"),
    ("id NOT = 1", 1, 8, "unexpected '='", "LIKE or IN"),
    ("id IS 1", 1, 7, "unexpected '1'", "NULL"),
    ("id IS NOT TRUE", 1, 11, "unexpected 'TRUE'", "NULL"),
    ("name LIKE", 1, 10, "unexpected end of query", "a string pattern"),
    ("state IN RUNNING", 1, 10, "unexpected 'RUNNING'", "'(' and a list of values"),
    ("last_known_state IN ()", 1, 22, "unexpected ')'", "a value"),
    ("id IN (1,)", 1, 10, "unexpected ')'", "a value"),
    ("id IN (1 2)", 1, 10, "unexpected '2'", "',' or ')'"),
    ("id IN (1, 2", 1, 12, "unexpected end of query", "',' or ')'"),
    ("id = NULL", 1, 6, "unexpected 'NULL'", "a value"),
    ("AND id = 1", 1, 1, "unexpected 'AND'", "an attribute, NOT or '('"),
    ("id = 1 AND", 1, 11, "unexpected end of query", "an attribute, NOT or '('"),
    ("id = 1 OR OR id = 2", 1, 11, "unexpected 'OR'", "an attribute"),
    ("NOT", 1, 4, "unexpected end of query", "an attribute, NOT or '('"),
    ("id = -x", 1, 7, "unexpected 'x'", "a number"),
    ("id = --1", 1, 7, "unexpected '-'", "a number"),
    ("id = 1 -- comment", 1, 8, "unexpected '-'", "AND, OR or end of query"),
    ("type_id + 1 > 1", 1, 9, "unexpected '+'", "a comparison operator"),
    # grouping and trailing input
    ("(id = 1", 1, 8, "unexpected end of query", "')', AND or OR"),
    ("(id = 1 id = 2)", 1, 9, "unexpected 'id'", "')', AND or OR"),
    ("id = 1)", 1, 7, "unexpected ')'", "AND, OR or end of query"),
    ("id = 1 name = 'x'", 1, 8, "unexpected 'name'", "AND, OR or end of query"),
    ("()", 1, 2, "unexpected ')'", "an attribute, NOT or '('"),
    # paths
    ("contexts_0.id.", 1, 15, "unexpected end of query", "a name after '.'"),
    ("properties..int_value = 1", 1, 12, "unexpected '.'", "a name after '.'"),
    ("properties.0:b.int_value = 1", 1, 13, "unexpected character ':'", ""),
    (".id = 1", 1, 1, "unexpected '.'", "an attribute, NOT or '('"),
    # long tokens are shortened in messages
    ("name = 'x' '" + "y" * 60 + "'", 1, 12, "unexpected \"'yyyyyyyyyy", "AND, OR"),
]


@pytest.mark.parametrize(("query", "line", "column", "message", "expected"), SYNTAX_ERRORS)
def test_syntax_error(query: str, line: int, column: int, message: str, expected: str) -> None:
    with pytest.raises(FilterSyntaxError) as info:
        parse(query, A)
    err = info.value
    assert (err.line, err.column) == (line, column), str(err)
    assert message in str(err)
    assert expected in err.expected
    assert err.query == query
    assert str(err).endswith(f"at line {line}, column {column}")


def test_multi_line_error_positions() -> None:
    query = "id = 1 AND\n  name = 'x' OR )"
    with pytest.raises(FilterSyntaxError) as info:
        parse(query, A)
    assert (info.value.line, info.value.column) == (2, 17)

    query = "type = 'a'\r\n\tAND uri LIKE 'b%'\r\n\tAND state IN (LIVE,,)"
    with pytest.raises(FilterSyntaxError) as info:
        parse(query, A)
    assert (info.value.line, info.value.column) == (3, 21)  # a tab is one column

    query = "name = 'multi\nline' AND\nid == 1"
    with pytest.raises(FilterSyntaxError) as info:
        parse(query, A)
    assert (info.value.line, info.value.column) == (3, 5)

    query = "\n\n   name = 'never closed\nid = 1"
    with pytest.raises(FilterSyntaxError) as info:
        parse(query, A)
    assert (info.value.line, info.value.column) == (3, 11)  # where the string starts


def test_nesting_limit() -> None:
    ok = "(" * MAX_DEPTH + "id = 1" + ")" * MAX_DEPTH
    parse(ok, A)
    parse("NOT " * MAX_DEPTH + "id = 1", A)
    for deep in ("(" * (MAX_DEPTH + 1) + "id = 1" + ")" * (MAX_DEPTH + 1),
                 "NOT " * (MAX_DEPTH + 1) + "id = 1",
                 "(" * 100_000):
        with pytest.raises(FilterSyntaxError, match="nested deeper"):
            parse(deep, A)


# (query, kind, message fragment, line, column): well-formed queries with a semantic error
SEMANTIC_ERRORS: list[tuple[str, NodeKind, str, int, int]] = [
    # unknown names
    ("a = 'a'", A, "unknown attribute 'a' for artifacts", 1, 1),
    ("uri = 'x'", E, "unknown attribute 'uri' for executions", 1, 1),
    ("state = LIVE", C, "unknown attribute 'state' for contexts", 1, 1),
    ("last_known_state = NEW", A, "unknown attribute 'last_known_state' for artifacts", 1, 1),
    ("contexts = 1", A, "unknown attribute 'contexts'", 1, 1),
    ("id = 1 AND\n  bogus IS NULL", A, "unknown attribute 'bogus'", 2, 3),
    ("name = a", A, "unknown attribute 'a'", 1, 8),
    # aliases
    ("contexts_a.id = 1", C, "contexts_a: contexts_* aliases are not available when "
     "filtering contexts", 1, 1),
    ("artifacts_a.id = 1", A, "artifacts_a: artifacts_* aliases are not available", 1, 1),
    ("executions_a.id = 1", E, "executions_a: executions_* aliases", 1, 1),
    ("parent_contexts_a.id = 1", A, "parent_contexts_a: parent_contexts_*", 1, 1),
    ("child_contexts_a.id = 1", E, "child_contexts_a: child_contexts_*", 1, 1),
    ("events_0.type = INPUT", C, "events_0: events_* aliases are not available", 1, 1),
    ("contexts_a = 1", A, "contexts_a needs an attribute, as in contexts_a.id", 1, 1),
    ("contexts_a.foo = 1", A, "unknown attribute 'foo' for contexts_a", 1, 12),
    ("contexts_a.uri = 'x'", E, "unknown attribute 'uri' for contexts_a", 1, 12),
    ("artifacts_a.last_known_state = NEW", C, "unknown attribute 'last_known_state'", 1, 13),
    ("executions_a.state = LIVE", C, "unknown attribute 'state' for executions_a", 1, 14),
    ("events_0.artifact_id = 1", A, "unknown attribute 'artifact_id' for events_0", 1, 10),
    ("events_0.execution_id = 1", E, "unknown attribute 'execution_id' for events_0", 1, 10),
    ("events_0.properties.p.int_value = 1", A, "unknown attribute 'properties'", 1, 10),
    ("events_0.field_1 = '1'", E, "unknown attribute 'field_1'", 1, 10),
    # paths that go too deep or stop too early
    ("id.bar = 1", A, "id has no field 'bar'", 1, 4),
    ("contexts_0.id.bar = 1", A, "id has no field 'bar'", 1, 15),
    ("properties.span = 1", A, "properties.span needs a value field: write "
     "properties.span.int_value", 1, 1),
    ("custom_properties.`a b` IS NULL", A, "custom_properties.`a b` needs a value field", 1, 1),
    ("properties = 1", A, "not a property reference", 1, 1),
    ("properties.a.int_value.b = 1", A, "not a property reference", 1, 24),
    ("properties.baz.int = 1", A, "unknown property field 'int'", 1, 16),
    ("properties.baz.`int_value` = 1", A, "unknown property field 'int_value'", 1, 16),
    ("properties.p.proto_value IS NULL", A, "unknown property field 'proto_value'", 1, 14),
    ("`id` = 1", A, "`id`: back-quotes are only for property names", 1, 1),
    ("`contexts_a`.id = 1", A, "back-quotes are only for property names", 1, 1),
    ("contexts_a.`id` = 1", A, "back-quotes are only for property names", 1, 12),
    # enum values
    ("state = RUNNING", A, "unknown value 'RUNNING' for state; expected one of ABANDONED", 1, 9),
    ("last_known_state = LIVE", E, "unknown value 'LIVE' for last_known_state", 1, 20),
    ("events_0.type = SOME_ENUM", A, "unknown value 'SOME_ENUM' for events_0.type", 1, 17),
    ("events_0.type IN (INPUT, SOME_ENUM)", E, "unknown value 'SOME_ENUM'", 1, 26),
    ("state = 'live'", A, "unknown value 'live' for state", 1, 9),
    ("state = `LIVE`", A, "back-quotes are only for property names", 1, 9),
    ("state = contexts_a.name", A, "cannot compare state with another attribute", 1, 9),
    ("state = 1.5", A, "type mismatch: state is an enum, but 1.5 is a double", 1, 9),
    ("state IN (2, true)", A, "type mismatch: state is an enum, but true is a bool", 1, 14),
    ("state IN (2, RUNNING)", A, "unknown value 'RUNNING' for state", 1, 14),
    # types
    ("id = 'abc'", A, "type mismatch: id is an int, but 'abc' is a string", 1, 6),
    ("type_id = 1.5", A, "type mismatch: type_id is an int, but 1.5 is a double", 1, 11),
    ("id = true", A, "type mismatch: id is an int, but true is a bool", 1, 6),
    ("name = 1", A, "type mismatch: name is a string, but 1 is an int", 1, 8),
    ("properties.p.bool_value = 1", A, "properties.p.bool_value is a bool, but 1 is an int",
     1, 27),
    ("properties.p.int_value = true", A, "is an int, but true is a bool", 1, 26),
    ("properties.p.double_value = 'x'", A, "is a double, but 'x' is a string", 1, 29),
    ("properties.p.double_value = false", A, "is a double, but false is a bool", 1, 29),
    ("properties.p.string_value = 1.5", A, "is a string, but 1.5 is a double", 1, 29),
    ("id IN (1, 'a')", A, "type mismatch: id is an int, but 'a' is a string", 1, 11),
    ("id = type_id", A, "cannot compare id with another attribute (type_id)", 1, 6),
    ("id = 9223372036854775808", A, "9223372036854775808 does not fit in a 64-bit integer",
     1, 6),
    ("id IN (0, -9223372036854775809)", A, "-9223372036854775809 does not fit", 1, 11),
    ("properties.p.double_value = 1" + "0" * 320, A, "is out of range for a double", 1, 29),
    # operators
    ("state < LIVE", A, "operator < does not apply to state, an enum: use = or != with a name, "
     "or compare its number (state < 1)", 1, 1),
    ("properties.b.bool_value >= false", A, "operator >= does not apply to properties.b."
     "bool_value, a bool", 1, 1),
    ("id LIKE '1%'", A, "LIKE needs a string attribute, but id is an int", 1, 1),
    ("state NOT LIKE 'L%'", A, "LIKE needs a string attribute, but state is an enum", 1, 1),
    ("name LIKE 1", A, "LIKE needs a string pattern, not 1", 1, 11),
    ("name LIKE uri", A, "LIKE needs a string pattern, not uri", 1, 11),
    ("name LIKE 'abc\\\\'", A, "LIKE pattern 'abc\\\\' ends with a lone '\\'", 1, 11),
    # literals where an attribute belongs
    ("1 = 1", A, "= needs an attribute or property, not 1", 1, 1),
    ("'a' LIKE 'b'", A, "LIKE needs an attribute or property, not 'a'", 1, 1),
    ("1 IN (1)", A, "IN needs an attribute or property", 1, 1),
    ("true IS NULL", A, "IS NULL needs an attribute or property, not true", 1, 1),
]


@pytest.mark.parametrize(("query", "kind", "message", "line", "column"), SEMANTIC_ERRORS)
def test_semantic_error(query: str, kind: NodeKind, message: str, line: int, column: int) -> None:
    with pytest.raises(InvalidArgument) as info:
        parse(query, kind)
    assert type(info.value) is InvalidArgument  # a well-formed query is not a syntax error
    assert message in str(info.value)
    assert str(info.value).endswith(f"(line {line}, column {column})")


def test_syntax_errors_win_over_unknown_names() -> None:
    # The whole query is parsed before names are resolved, as in MLMD.
    with pytest.raises(FilterSyntaxError):
        parse("bogus = 1 AND (", A)


@pytest.mark.parametrize("query", ["", " ", "\n\t  \r\n"])
def test_empty_query_is_invalid(query: str) -> None:
    with pytest.raises(InvalidArgument, match="filter query is empty") as info:
        parse(query, A)
    assert type(info.value) is InvalidArgument


@pytest.mark.parametrize(("query", "kind"), [(None, A), (b"id = 1", A), ("id = 1", "artifact")])
def test_wrong_argument_types(query: Any, kind: Any) -> None:
    with pytest.raises(InvalidArgument):
        parse(query, kind)
