"""The README's role table is the one the code enforces."""

from pathlib import Path

from members.access import markdown_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_shows_the_role_table_the_code_enforces():
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- role-table:start")
    start = text.index("\n", start) + 1
    end = text.index("<!-- role-table:end -->")
    assert text[start:end].strip() == markdown_table().strip(), (
        "README's role table is out of date: paste members.access.markdown_table() between the markers"
    )
