"""Whatever a user types, the outcome is an answer or the project's own user error.

Hypothesis draws text from all of Unicode, lone surrogates and control characters included,
mixed with fragments that steer it at the parsers (provision numbers of any length, brackets,
digits of other scripts), and sends it through every engine entry point and through the
command line's argument parsing.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import cli
from bot.cli import answers
from bot.engine.answer import Answer, ArticleView, Comparison, TermLookup
from bot.engine.request_errors import InvalidRequest
from bot.engine.user_input import clean_text, parse_article, parse_whole_article, resolve_term

EXAMPLES = 150
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
any_character = st.characters(exclude_categories=())  # every category, surrogates (Cs) included
fragments = st.sampled_from(
    [
        "article ", "Art. ", "art", "§", "articles 1 to ", " and ", "paragraph ", " of article ", "(", ")",
        "(zz)", "(ii)", "(a)", "(3)", "28", "0", "69", "999999999999999999999999", "٣", "𝟗", "Budapest",
        "UNCC", "compare", " · ", "\udcff", "\x1b[2J", "\u202e", "\x00", "\n", "   ",
    ]
)  # fmt: skip
typed = st.lists(st.one_of(st.text(any_character, max_size=40), fragments), max_size=12).map("".join)


def _answer_or_user_error(call, expected_type):
    try:
        result = call()
    except InvalidRequest as error:
        assert str(error).strip(), "a user error says what is wrong"
        return None
    assert isinstance(result, expected_type)
    return result


@FUZZ
@given(typed)
def test_ask_and_search(engine, text):
    answer = _answer_or_user_error(lambda: engine.ask(text), Answer)
    if answer is not None:
        assert clean_text(answer.question) == answer.question  # no control characters or surrogates left
        assert answer.hits or answer.abstained
        answer.to_dict()
    _answer_or_user_error(lambda: engine.search(text), Answer)


@FUZZ
@given(typed, st.one_of(st.none(), typed), st.sampled_from(["uncc", "budapest"]))
def test_article(engine, text, paragraph, treaty):
    def article() -> ArticleView:
        wanted = parse_article(text, engine.article_titles(treaty))
        return engine.article(wanted.number, paragraph or wanted.paragraph, treaty)

    _answer_or_user_error(article, ArticleView)


@FUZZ
@given(typed, st.sampled_from([None, "uncc", "budapest"]))
def test_define(engine, text, treaty):
    _answer_or_user_error(lambda: engine.define(text, treaty), TermLookup)
    _answer_or_user_error(lambda: engine.define(resolve_term(text, engine.defined_terms()).term), TermLookup)


@FUZZ
@given(typed, st.sampled_from(["uncc", "budapest"]))
def test_compare(engine, text, treaty):
    _answer_or_user_error(
        lambda: engine.compare(parse_whole_article(text, engine.article_titles(treaty)), treaty), Comparison
    )


options = st.sampled_from(["--json", "--k", "--source", "--treaty", "--paragraph", "--format", "-h"])
command_lines = st.tuples(
    st.sampled_from(["ask", "search", "article", "define", "compare", "nonsense"]),
    st.lists(st.one_of(typed, options), max_size=4),
)


@pytest.fixture
def cli_with_engine(engine, index_dir, monkeypatch):
    """The command line over the session's engine (so each call does not load the index)."""
    monkeypatch.setattr(answers, "open_engine", lambda settings: engine)
    return ["--index", str(index_dir)]


@FUZZ
@given(command_lines)
def test_command_line(cli_with_engine, capsys, command_line):
    command, arguments = command_line
    try:
        status = cli.main([*cli_with_engine, command, *arguments])
    except SystemExit as exit_:  # argparse's own usage errors and --help
        status = exit_.code
    assert status in (cli.EXIT_OK, cli.EXIT_FAILURE, cli.EXIT_USAGE)
    err = capsys.readouterr().err
    assert "Traceback" not in err
