"""The filterExpression parser: precedence, parentheses, keywords, and every malformed expression refused."""

import pytest

from dialects.intacct.expression import Condition, Junction, evaluate, parse, tokenize
from erp.exceptions import InvalidInput


def text(tree) -> str:
    """Print a tree fully parenthesized, to compare shapes."""
    if isinstance(tree, Condition):
        return str(tree.number)
    return "(" + f" {tree.operator} ".join(text(operand) for operand in tree.operands) + ")"


@pytest.mark.parametrize(
    ("expression", "count", "shape"),
    [
        ("(1 and 2) or 3", 3, "((1 and 2) or 3)"),
        ("1 or 2 and 3", 3, "(1 or (2 and 3))"),
        ("1 and 2 or 3 and 4", 4, "((1 and 2) or (3 and 4))"),
        ("(1 or 2) and 3", 3, "((1 or 2) and 3)"),
        ("1 AND (2 Or (3 and 4))", 4, "(1 and (2 or (3 and 4)))"),
        ("((1))", 1, "1"),
        ("  2 and 1  ", 2, "(2 and 1)"),
        ("and", 3, "(1 and 2 and 3)"),
        (" OR ", 2, "(1 or 2)"),
    ],
)
def test_shapes(expression, count, shape):
    assert text(parse(expression, count=count)) == shape


def test_a_lone_keyword_over_no_conditions_is_nothing():
    assert parse("and", count=0) is None
    assert evaluate(None, str) is None


def test_evaluate_combines_with_and_and_or():
    tree = parse("(1 and 2) or 3", count=3)
    values = {1: {1, 2, 3}, 2: {2, 3}, 3: {9}}
    assert evaluate(tree, values.__getitem__) == {2, 3, 9}
    assert isinstance(tree, Junction)


@pytest.mark.parametrize(
    ("expression", "count", "says"),
    [
        ("", 1, "expected a condition number"),
        ("(1 and 2", 2, "expected ')'"),
        ("1 and 2)", 2, "expected the end"),
        ("1 and and 2", 2, "expected a condition number"),
        ("1 2", 2, "expected the end"),
        ("1 xor 2", 2, "unexpected 'xor'"),
        ("not 1", 1, "unexpected 'not'"),
        ("1 & 2", 2, "unexpected '&'"),
        ("0", 1, "condition 0 does not exist"),
        ("1 or 3", 2, "condition 3 does not exist"),
        ("1", 2, "condition 2 of filters is not used"),
        ("()", 1, "expected a condition number"),
        ("(" * 40 + "1" + ")" * 40, 1, "nest deeper"),
        ("1 or " * 500 + "1", 1, "longer than"),
        (7, 1, "must be a string"),
    ],
)
def test_malformed_expressions_are_refused(expression, count, says):
    with pytest.raises(InvalidInput) as refused:
        parse(expression, count=count)
    assert refused.value.code == "invalid_filter_expression"
    assert refused.value.param == "filterExpression"
    assert says in refused.value.message


def test_tokens_carry_their_positions():
    assert [(t.kind, t.position) for t in tokenize("(12 or 3)")] == [
        ("(", 0), ("number", 1), ("or", 4), ("number", 7), (")", 8), ("end", 9)
    ]  # fmt: skip
