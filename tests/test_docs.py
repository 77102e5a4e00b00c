"""The GraphQL in the guides stays true: every ```graphql block of README.md and docs/
is a document the checked-in schema accepts, so a renamed field or argument fails here
before a frontend team copies it."""

import re
from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema, parse, specified_rules, validate
from graphql.validation import KnownFragmentNamesRule, NoUnusedFragmentsRule

ROOT = Path(__file__).parents[1]
GUIDES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```graphql\n(.*?)^```", flags=re.MULTILINE | re.DOTALL)
# Examples use the starters' fragments (...CartFields) without repeating them.
RULES = [
    rule for rule in specified_rules if rule not in {KnownFragmentNamesRule, NoUnusedFragmentsRule}
]


def examples() -> list[tuple[str, str]]:
    return [
        (f"{guide.name}:{text[: found.start()].count(chr(10)) + 1}", found.group(1))
        for guide in GUIDES
        for text in [guide.read_text(encoding="utf-8")]
        for found in BLOCK.finditer(text)
    ]


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema((ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8"))


def test_the_guides_have_graphql_examples() -> None:
    names = {place.split(":")[0] for place, _ in examples()}
    assert {"frontend.md", "back-office.md", "carts.md"} <= names


@pytest.mark.parametrize(("place", "document"), examples(), ids=[p for p, _ in examples()])
def test_a_graphql_example_is_valid_against_the_schema(
    schema: GraphQLSchema, place: str, document: str
) -> None:
    errors = validate(schema, parse(document), RULES)

    assert [error.message for error in errors] == [], place
