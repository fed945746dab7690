"""filterExpression: `and`, `or` and parentheses over 1-based condition numbers, parsed by recursive descent.

Grammar (keywords case-insensitive)::

    expression := "and" | "or" | disjunction          (a lone keyword joins every condition)
    disjunction := conjunction ("or" conjunction)*
    conjunction := operand ("and" operand)*
    operand := NUMBER | "(" disjunction ")"

The parser builds a tree of condition numbers; nothing of the text reaches SQL.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from erp.exceptions import InvalidInput

MAX_LENGTH = 2000
MAX_DEPTH = 32
PARAM = "filterExpression"
_TOKEN = re.compile(r"\s*(?:(?P<number>\d+)|(?P<word>[A-Za-z]+)|(?P<paren>[()])|(?P<other>\S))")


@dataclass(frozen=True)
class Token:
    kind: str  # "number", "and", "or", "(", ")", "end"
    text: str
    position: int


@dataclass(frozen=True)
class Condition:
    number: int


@dataclass(frozen=True)
class Junction:
    operator: str  # "and" | "or"
    operands: tuple


def tokenize(text: str) -> list[Token]:
    """Split an expression into tokens; anything but numbers, and, or and parentheses is refused."""
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # only trailing whitespace is left
            break
        start = match.start(match.lastgroup)
        if match.lastgroup == "number":
            tokens.append(Token("number", match.group("number"), start))
        elif match.lastgroup == "paren":
            tokens.append(Token(match.group("paren"), match.group("paren"), start))
        elif match.lastgroup == "word" and match.group("word").lower() in ("and", "or"):
            tokens.append(Token(match.group("word").lower(), match.group("word"), start))
        else:
            raise _error(f"unexpected {match.group(match.lastgroup)!r} at position {start + 1}")
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, tokens: list[Token], count: int):
        self.tokens = tokens
        self.index = 0
        self.count = count

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self, kind: str) -> Token:
        token = self.peek()
        if token.kind != kind:
            found = "the end" if token.kind == "end" else repr(token.text)
            raise _error(f"expected {_describe(kind)} at position {token.position + 1}, found {found}")
        self.index += 1
        return token

    def disjunction(self, depth: int):
        operands = [self.conjunction(depth)]
        while self.peek().kind == "or":
            self.take("or")
            operands.append(self.conjunction(depth))
        return operands[0] if len(operands) == 1 else Junction("or", tuple(operands))

    def conjunction(self, depth: int):
        operands = [self.operand(depth)]
        while self.peek().kind == "and":
            self.take("and")
            operands.append(self.operand(depth))
        return operands[0] if len(operands) == 1 else Junction("and", tuple(operands))

    def operand(self, depth: int):
        token = self.peek()
        if token.kind == "(":
            if depth >= MAX_DEPTH:
                raise _error(f"parentheses nest deeper than {MAX_DEPTH} levels")
            self.take("(")
            node = self.disjunction(depth + 1)
            self.take(")")
            return node
        number = int(self.take("number").text)
        if not 1 <= number <= self.count:
            raise _error(
                f"condition {number} does not exist (filters has {self.count} condition"
                f"{'' if self.count == 1 else 's'})"
            )
        return Condition(number)


def parse(text, *, count: int):
    """Parse a filterExpression over `count` conditions into a tree; every condition must be used."""
    if not isinstance(text, str):
        raise _error("must be a string")
    if len(text) > MAX_LENGTH:
        raise _error(f"is longer than {MAX_LENGTH} characters")
    if text.strip().lower() in ("and", "or"):
        operator = text.strip().lower()
        return Junction(operator, tuple(Condition(n) for n in range(1, count + 1))) if count else None
    parser = _Parser(tokenize(text), count)
    tree = parser.disjunction(0)
    parser.take("end")
    unused = sorted(set(range(1, count + 1)) - set(_numbers(tree)))
    if unused:
        raise _error(f"condition {unused[0]} of filters is not used")
    return tree


def evaluate(tree, condition: Callable[[int], object]):
    """Combine the conditions of a tree with & and | (e.g. Q objects); None for no conditions."""
    if tree is None:
        return None
    if isinstance(tree, Condition):
        return condition(tree.number)
    values = [evaluate(operand, condition) for operand in tree.operands]
    result = values[0]
    for value in values[1:]:
        result = (result & value) if tree.operator == "and" else (result | value)
    return result


def _numbers(tree):
    if isinstance(tree, Condition):
        yield tree.number
    else:
        for operand in tree.operands:
            yield from _numbers(operand)


def _describe(kind: str) -> str:
    return {
        "number": "a condition number",
        "end": "the end",
        ")": "')'",
        "(": "'('",
    }.get(kind, repr(kind))


def _error(detail: str) -> InvalidInput:
    return InvalidInput(f"filterExpression {detail}.", code="invalid_filter_expression", param=PARAM)
