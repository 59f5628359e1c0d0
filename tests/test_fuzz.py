"""Whatever a user types, the outcome is an answer or the project's own user error.

Hypothesis draws text from all of Unicode, lone surrogates and control characters included,
mixed with fragments that steer it at the parsers (provision numbers of any length, brackets,
digits of other scripts), and sends it through every engine entry point and through the
command line's argument parsing. Corpus files (front matter and body) and config files are
drawn the same way, as YAML and as raw text: the outcome is passages within their limits or
the project's one-line error.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import cli
from bot.cli import answers
from bot.discord_app.settings import discord_settings
from bot.engine.answer import Answer, ArticleView, Comparison, TermLookup
from bot.engine.request_errors import InvalidRequest
from bot.engine.user_input import clean_text, parse_article, parse_whole_article, resolve_term
from index_build.corpus_tools.settings import tool_settings
from index_build.passages import MAX_ANALYSIS_PASSAGE_CHARS, analysis_passages
from index_build.sources import Corpus, CorpusError, read_analysis_source
from index_contract.config import ConfigError, load_settings

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
        assert answer.abstained or any(hit.shown for hit in answer.hits)
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


# --- corpus and config files ----------------------------------------------------------------------

MAX_ERROR_CHARS = 600  # a one-line error: the file's path, the field and a short value
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=10**300, max_value=10**400), st.floats(),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    st.sampled_from(["2024-07-30", "2024-13-45", "https://example.org/a", "ftp://x", "United Nations",
                     "UNCC Art. 28"]),
)  # fmt: skip
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(scalars, inner, max_size=4)
)
yaml_fragments = st.sampled_from(
    ["title: ", "publisher: ", "date: ", "url: ", "excerpt: ", "author: ", "&a ", "*a", "[", "]", "{", "}",
     ": ", "- ", "\n", "  ", '"', "'", "!!python/object:os.system ", "<<: *a", "\t", "---", "\x00",
     "\x1b[2J", "#"]
)  # fmt: skip
raw_yaml = st.lists(st.one_of(yaml_fragments, st.text(any_character, max_size=20)), max_size=20).map("".join)
ANALYSIS_FIELDS = ["title", "publisher", "date", "url", "excerpt", "author", "notes"]
front_matters = st.one_of(
    st.dictionaries(st.sampled_from(ANALYSIS_FIELDS), values, max_size=7).map(
        lambda data: yaml.safe_dump(data, allow_unicode=True)
    ),
    raw_yaml,
)
VALID_FRONT_MATTER = 'title: "T"\npublisher: "P"\ndate: "2025-01-02"\nurl: "https://example.org/a"\n'
bodies = st.lists(
    st.one_of(
        st.text(any_character, max_size=200),
        st.sampled_from(
            ["\n\n", "# Heading\n", "word " * 400, "x" * 3000, ". ", "---\n", "*[Excerpt ends", "\r\n"]
        ),
    ),
    max_size=10,
).map("".join)


def _one_short_line(error: Exception) -> None:
    assert str(error).strip() and len(str(error)) < MAX_ERROR_CHARS


@FUZZ
@given(st.one_of(front_matters, st.just(VALID_FRONT_MATTER)), bodies)
def test_corpus_file(tmp_path_factory, front_matter, body):
    root = tmp_path_factory.mktemp("corpus")
    path = root / "analysis.md"
    path.write_text(f"---\n{front_matter}\n---\n\n{body}", encoding="utf-8", errors="surrogatepass")
    try:
        source = read_analysis_source(path)
        corpus = Corpus(root, root / "sources.yaml", dt.date(2024, 8, 8), (), (source,))
        passages = list(analysis_passages(source, corpus))
    except (CorpusError, UnicodeDecodeError) as error:
        _one_short_line(error)
        return
    text = path.read_text(encoding="utf-8")
    assert all(
        len(p.quote) <= MAX_ANALYSIS_PASSAGE_CHARS and text[p.start : p.end] == p.quote for p in passages
    )


CONFIG_KEYS = ["corpus", "index", "cache", "model", "corpus_tools", "discord"]
TOOL_KEYS = [
    "pdf_url",
    "commentary_manifest",
    "timeout_seconds",
    "max_page_bytes",
    "max_pdf_bytes",
    "workers",
]
DISCORD_KEYS = ["workers", "feedback_db", "shard_count", "shard_ids", "cooldown", "log_level", "guild_ids"]
configs = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            **{key: values for key in CONFIG_KEYS[:4]},
            "corpus_tools": st.dictionaries(st.sampled_from(TOOL_KEYS), values, max_size=4) | values,
            "discord": st.dictionaries(st.sampled_from(DISCORD_KEYS), values, max_size=4) | values,
        },
    ).map(lambda data: yaml.safe_dump(data, allow_unicode=True)),
    raw_yaml,
)


@FUZZ
@given(configs)
def test_config_file(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("config") / "treatybot.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        settings = load_settings(path)
        tool_settings(settings)
        discord_settings(settings)
    except ConfigError as error:
        _one_short_line(error)
