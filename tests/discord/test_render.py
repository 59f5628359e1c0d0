"""The pure Discord rendering layer: no output exceeds a Discord limit, whatever the text; no
citation is dropped; quotes of the real corpus come out verbatim."""

from __future__ import annotations

import re

import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.discord_app import render
from bot.discord_app.limits import (
    MAX_AUTHOR_NAME,
    MAX_AUTOCOMPLETE_CHOICES,
    MAX_CHOICE_NAME,
    MAX_CHOICE_VALUE,
    MAX_EMBED_DESCRIPTION,
    MAX_EMBED_TOTAL,
    MAX_EMBEDS,
    MAX_FIELD_NAME,
    MAX_FIELD_VALUE,
    MAX_FIELDS,
    MAX_FOOTER,
    MAX_MESSAGE,
    MAX_THREAD_NAME,
    MAX_TITLE,
)
from bot.discord_app.text import CONTINUED, CONTINUES, displayed
from bot.discord_app.transformers import article_choices, term_choices
from bot.engine.answer import (
    About,
    Answer,
    ArticleView,
    ComparedArticle,
    Comparison,
    DocumentSummary,
    Hit,
    TermLookup,
)
from bot.engine.notes import ArticleLink, Counterpart, DefinedTerm, SeeAlso
from bot.engine.user_input import matching_terms
from bot.presentation import EXCERPT_ENDS, NOT_COVERED, hit_notes
from index_contract.schema import Passage

LONGEST_CITATION = 600  # far beyond any citation the corpus produces (under 200 characters)
GENERATED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

texts = st.text(
    alphabet=st.sampled_from("ab cd\n*_~|`>#-1.[]()<@&…") | st.characters(blacklist_categories=("Cs",)),
    max_size=3000,
)
long_words = st.text(alphabet="x", min_size=1, max_size=5000)
quotes = st.one_of(texts, long_words, st.lists(texts, max_size=6).map("\n\n".join))
citations = st.text(min_size=1, max_size=LONGEST_CITATION).filter(lambda s: s.strip())
links = st.sampled_from(["https://docs.un.org/en/A/RES/79/243", "https://example.org/a?b=c", "not a url", ""])


@st.composite
def passages(draw: st.DrawFn) -> Passage:
    kind = draw(st.sampled_from(["treaty", "analysis"]))
    quote = draw(quotes)
    return Passage(
        id=draw(st.text(min_size=1, max_size=40)),
        doc="uncc" if kind == "treaty" else "analysis-piece",
        kind=kind,
        section="article" if kind == "treaty" else "analysis",
        article=draw(st.none() | st.integers(1, 99)),
        paragraph=None,
        subparagraph=None,
        title=draw(st.text(max_size=400)),
        quote=quote,
        lead=draw(st.just("") | texts),
        source="x.md",
        start=0,
        end=len(quote),
        embed_text=quote,
        citation=draw(citations),
        link=draw(links),
        date="2024-07-30",
        draft_era=draw(st.booleans()),
    )


short_texts = st.text(max_size=300)
see_also = st.builds(
    SeeAlso,
    doc=st.just("uncc"),
    article=st.integers(1, 99),
    title=short_texts,
    citation=citations,
    provisions=st.lists(short_texts, max_size=5).map(tuple),
)
definitions = st.builds(
    DefinedTerm,
    doc=st.just("uncc"),
    terms=st.lists(short_texts, min_size=1, max_size=3).map(tuple),
    citation=citations,
    text=texts,
    link=links,
)
counterparts = st.builds(
    Counterpart,
    doc=st.just("budapest"),
    article=st.integers(1, 99),
    title=short_texts,
    citation=citations,
    basis=short_texts,
)
article_links = st.builds(
    ArticleLink,
    doc=st.just("uncc"),
    article=st.none() | st.integers(1, 99),
    title=short_texts,
    citation=citations,
    places=st.lists(short_texts, max_size=5).map(tuple),
)


def notes(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(strategy, max_size=8).map(tuple)


hits = st.builds(
    Hit,
    passage=passages(),
    score=st.floats(0, 1),
    referenced=st.booleans(),
    see_also=notes(see_also),
    definitions=notes(definitions),
    compare=notes(counterparts),
)
answers = st.builds(
    Answer,
    question=st.text(min_size=1, max_size=500),
    abstained=st.booleans(),
    hits=st.lists(hits, max_size=25).map(tuple),
    notices=st.lists(st.text(max_size=400), max_size=4).map(tuple),
    final_text_date=st.sampled_from(["2024-08-08", ""]),
)


def assert_embed_within_limits(embed: discord.Embed) -> None:
    assert len(embed.title or "") <= MAX_TITLE
    assert len(embed.description or "") <= MAX_EMBED_DESCRIPTION
    assert len(embed.footer.text or "") <= MAX_FOOTER
    assert len(embed.author.name or "") <= MAX_AUTHOR_NAME
    assert len(embed.fields) <= MAX_FIELDS
    for field in embed.fields:
        assert 0 < len(field.name) <= MAX_FIELD_NAME and 0 < len(field.value) <= MAX_FIELD_VALUE
    assert len(embed) <= MAX_EMBED_TOTAL
    discord.Embed.from_dict(embed.to_dict())  # serialisable as Discord would receive it


def assert_reply_within_limits(reply: render.Reply) -> None:
    assert len(reply.content) <= MAX_MESSAGE
    assert reply.content or reply.embeds, "Discord refuses an empty message"
    assert len(reply.embeds) <= MAX_EMBEDS
    assert sum(len(embed) for embed in reply.embeds) <= MAX_EMBED_TOTAL
    for embed in reply.embeds:
        assert_embed_within_limits(embed)


def shows_citation(embed: discord.Embed, citation: str) -> bool:
    cite = citation.strip()
    return displayed(embed.title or "").startswith(cite) or cite in displayed(embed.description or "")


def body_of(embed: discord.Embed) -> str:
    """The passage text an embed shows: its description without a citation line or markers."""
    text = displayed(embed.description or "")
    text = re.sub(r"^\*\*.*?\*\*\n\n", "", text, flags=re.S)
    return text.removeprefix(CONTINUED).removesuffix(CONTINUES)


@GENERATED
@given(answers)
def test_answers_stay_within_every_limit_and_keep_every_citation(answer: Answer) -> None:
    short = render.short_answer(answer)
    (reply,) = render.answer_replies(answer)
    assert_reply_within_limits(reply)
    if answer.out_of_corpus is None:
        assert len(reply.embeds) <= render.MAX_ANSWER_EMBEDS and reply.size <= render.MAX_ANSWER_CHARS
    else:
        assert len(reply.embeds) <= render.MAX_DECLINE_EMBEDS and reply.size <= render.MAX_DECLINE_CHARS
    # Every passage is quoted whole, or behind "Show more"; every embed carries its passage's citation.
    assert {h.passage.id for h in (*short.whole, *short.rest)} == {h.passage.id for h in answer.hits}
    for hit in short.whole:
        assert any(shows_citation(embed, hit.passage.citation) for embed in reply.embeds)
    if answer.out_of_corpus is None:
        assert all(any(shows_citation(e, h.passage.citation) for h in answer.hits) for e in reply.embeds)
    assert (NOT_COVERED in reply.content) == answer.abstained


@GENERATED
@given(passages(), st.sampled_from(["", "2024-08-08"]))
def test_a_long_quote_continues_in_further_embeds_without_losing_text(passage: Passage, date: str) -> None:
    embeds = render.hit_embeds(Hit(passage, 1.0), date, "What the treaty says")
    for embed in embeds:
        assert_embed_within_limits(embed)
        assert shows_citation(embed, passage.citation)
    shown = "".join(body_of(embed) for embed in embeds)
    assert _non_space(passage.quote) in _non_space(shown)  # split only at whitespace


def _non_space(text: str) -> str:
    return "".join(text.split())


@GENERATED
@given(answers)
def test_search_results_stay_within_limits(answer: Answer) -> None:
    reply = render.search_reply(answer)
    assert_reply_within_limits(reply)
    if answer.hits:
        first = answer.hits[0].passage.citation.strip()
        assert render.escape_markdown(first)[:100] in reply.embeds[0].description


@GENERATED
@given(
    st.lists(st.tuples(passages(), st.booleans()), max_size=12),
    st.text(max_size=300),
    citations,
    st.tuples(notes(article_links), notes(article_links), notes(counterparts)),
)
def test_article_pages_stay_within_limits(parts: list, chapter: str, title: str, links: tuple) -> None:
    refers_to, referred_by, counterparts_ = links
    view = ArticleView(
        doc="uncc",
        doc_name="UNCC",
        number=40,
        title=title,
        chapter=chapter,
        paragraph=None,
        paragraphs=(),
        passages=tuple(p for p, _ in parts),
        link="https://docs.un.org/en/A/RES/79/243",
        refers_to=refers_to,
        referred_by=referred_by,
        counterparts=counterparts_,
    )
    pages = render.article_pages(view)
    assert pages
    for page in pages:
        assert_embed_within_limits(page)
        assert displayed(page.title).startswith(view.citation)
        assert view.citation in page.footer.text


abouts = st.builds(
    About,
    treaties=st.lists(
        st.builds(
            DocumentSummary,
            id=st.text(max_size=20),
            name=st.text(max_size=300),
            title=st.text(max_size=600),
            url=links,
            articles=st.integers(0, 200),
        ),
        max_size=40,
    ).map(tuple),
    analyses=st.integers(0, 10_000),
    passages=st.integers(0, 10**6),
    built_at=st.text(max_size=100),
    model=st.text(max_size=300),
    index=st.text(max_size=100),
)


@GENERATED
@given(abouts)
def test_about_stays_within_limits(about: About) -> None:
    assert_reply_within_limits(render.about_reply(about))


@given(st.text(max_size=5000))
def test_messages_and_thread_names_stay_within_limits(text: str) -> None:
    assert_reply_within_limits(render.message(text))
    assert 0 < len(render.thread_name(text, MAX_THREAD_NAME)) <= MAX_THREAD_NAME


@given(
    st.lists(st.tuples(st.integers(1, 999), st.text(max_size=300)), max_size=120, unique_by=lambda t: t[0]),
    st.text(max_size=120),
)
def test_autocomplete_choices_stay_within_limits(titles: list, typed: str) -> None:
    choices = article_choices(sorted(titles), typed)
    assert len(choices) <= MAX_AUTOCOMPLETE_CHOICES
    numbers = {str(n) for n, _ in titles}
    for name, value in choices:
        assert 0 < len(name) <= MAX_CHOICE_NAME and len(value) <= MAX_CHOICE_VALUE
        assert value in numbers and name.startswith(value)


# --- the real corpus ------------------------------------------------------------------------------


def test_notes_under_a_passage_are_whole_or_cut_between_words(engine) -> None:
    for question in ("What is a production order?", "What is the 24/7 network?", "What is traffic data?"):
        for hit in engine.ask(question).treaty_hits:
            (embed,) = render.hit_embeds(hit)
            expected = hit_notes(hit)
            assert len(embed.fields) == len(expected), hit.passage.citation
            for field, note in zip(embed.fields, expected, strict=True):
                shown = displayed(field.value)
                assert displayed(field.name) == note.label
                cut = shown.endswith(CONTINUES) and note.text.startswith(shown.removesuffix(CONTINUES))
                assert shown == note.text or cut


def test_every_passage_of_the_corpus_is_quoted_verbatim(engine) -> None:
    for passage in engine.passages:
        embeds = render.hit_embeds(Hit(passage, 1.0), "2024-08-08")
        assert len(embeds) == 1, f"{passage.citation} fits one embed"
        (embed,) = embeds
        assert_embed_within_limits(embed)
        description = displayed(embed.description)
        if passage.excerpt_ends:  # the stored copy breaks off here, and the reader is told so
            description = description.removesuffix(f"\n\n*{EXCERPT_ENDS}*")
        assert description.endswith(passage.quote), passage.citation
        if passage.lead:
            assert description.startswith(passage.lead + "\n[…]")
        assert displayed(embed.title).startswith(passage.citation)
        assert embed.url == passage.link


@pytest.mark.parametrize("treaty", ["uncc", "budapest"])
def test_every_article_reads_exactly_as_the_treaty(engine, treaty: str) -> None:
    for number, _title in engine.article_titles(treaty):
        view = engine.article(number, treaty=treaty)
        pages = render.article_pages(view)
        for page in pages:
            assert_embed_within_limits(page)
        text = "\n\n".join(displayed(page.description) for page in pages)
        assert text == "\n\n".join(p.quote for p in view.passages), view.citation
        if len(pages) > 1:
            assert [page.footer.text for page in pages][-1].startswith(f"Page {len(pages)} of {len(pages)}")


def test_article_40_is_paginated_between_paragraphs(engine) -> None:
    view = engine.article(40)
    pages = render.article_pages(view)
    assert len(pages) > 1
    for page in pages:
        first_line = displayed(page.description).split("\n", 1)[0]
        assert re.match(r"^\d+\. ", first_line), "each page starts at a numbered paragraph"


# --- /define and /compare -------------------------------------------------------------------------


def field_shows_citation(field, citation: str) -> bool:
    cite = citation.strip()
    return displayed(field.name).startswith(cite) or displayed(field.value).startswith(f"**{cite}**")


@GENERATED
@given(st.lists(definitions, max_size=12), st.text(max_size=100))
def test_definitions_stay_within_limits_and_keep_their_citations(found: list, query: str) -> None:
    replies = render.definition_replies(TermLookup(query, tuple(found)))
    for reply in replies:
        assert_reply_within_limits(reply)
    embeds = [embed for reply in replies for embed in reply.embeds]
    for definition in found:
        assert any(shows_citation(embed, definition.citation) for embed in embeds)
    assert all(any(shows_citation(e, d.citation) for d in found) for e in embeds)


@GENERATED
@given(definitions)
def test_a_long_definition_continues_without_losing_text(definition: DefinedTerm) -> None:
    embeds = render.definition_embeds(definition)
    for embed in embeds:
        assert_embed_within_limits(embed)
        assert shows_citation(embed, definition.citation)
    assert _non_space(definition.text) in _non_space("".join(body_of(embed) for embed in embeds))


doc_names = st.text(min_size=1, max_size=300)  # a citation is the name plus " Art. N"


@st.composite
def article_views(draw: st.DrawFn, doc: str) -> ArticleView:
    return ArticleView(
        doc=doc,
        doc_name=draw(doc_names),
        number=draw(st.integers(1, 999)),
        title=draw(st.text(max_size=400)),
        chapter=draw(st.text(max_size=300)),
        paragraph=None,
        paragraphs=(),
        passages=tuple(draw(st.lists(passages(), max_size=8))),
        link=draw(links),
    )


comparisons = st.builds(
    Comparison,
    article=article_views("uncc"),
    counterparts=st.lists(
        st.builds(ComparedArticle, view=article_views("budapest"), basis=st.text(max_size=3000)), max_size=5
    ).map(tuple),
    other_name=short_texts,
)


def column_body(value: str) -> str:
    """The text a comparison field shows, without a citation line or continuation markers."""
    text = re.sub(r"^\*\*.*?\*\*\n\n", "", displayed(value), flags=re.S)
    return text.removeprefix(CONTINUED).removesuffix(CONTINUES)


@GENERATED
@given(comparisons)
def test_comparison_pages_stay_within_limits_and_keep_every_citation(comparison: Comparison) -> None:
    pages = render.comparison_pages(comparison)
    notice = render.comparison_notice(comparison)
    assert_reply_within_limits(render.Reply(notice, (pages[0],)))
    for page in pages:
        assert_embed_within_limits(page)
    article, others = comparison.article, comparison.counterparts
    if not others:
        assert notice and pages == render.article_pages(article)
        return
    assert not notice
    left, right, named = [], [], set()
    for number, page in enumerate(pages, 1):
        assert page.footer.text.startswith(f"Page {number} of {len(pages)}" if len(pages) > 1 else "")
        first, second = page.fields
        assert first.inline and second.inline, "side by side"
        assert field_shows_citation(first, article.citation)
        shown = {i for i, other in enumerate(others) if field_shows_citation(second, other.view.citation)}
        assert shown, "the right column names the counterpart it shows"
        named |= shown
        left.append(column_body(first.value))
        right.append(column_body(second.value))
    assert named == set(range(len(others)))
    assert _non_space(" ".join(p.quote for p in article.passages)) in _non_space("".join(left))
    shown_right, position = _non_space("".join(right)), 0
    for other in others:  # every counterpart's text, in order
        text = _non_space(" ".join(p.quote for p in other.view.passages))
        position = shown_right.index(text, position) + len(text)


@given(st.lists(definitions, max_size=60), st.text(max_size=120))
def test_term_choices_stay_within_limits(terms: list, typed: str) -> None:
    choices = term_choices(matching_terms(terms, typed))
    assert len(choices) <= MAX_AUTOCOMPLETE_CHOICES
    assert len({value for _, value in choices}) == len(choices)
    for name, value in choices:
        assert 0 < len(name) <= MAX_CHOICE_NAME and 0 < len(value) <= MAX_CHOICE_VALUE


def test_every_definition_of_the_corpus_is_quoted_verbatim(engine) -> None:
    for definition in engine.defined_terms():
        (reply,) = render.definition_replies(TermLookup(definition.term, (definition,)))
        (embed,) = reply.embeds
        assert_reply_within_limits(reply)
        assert displayed(embed.title) == f"{definition.citation} — {definition.term}"
        assert displayed(embed.description) == definition.text
        assert embed.url == definition.link


@pytest.mark.parametrize("treaty", ["uncc", "budapest"])
def test_every_comparison_reads_exactly_as_the_treaties(engine, treaty: str) -> None:
    for number, _title in engine.article_titles(treaty):
        comparison = engine.compare(number, treaty)
        pages = render.comparison_pages(comparison)
        for page in pages:
            assert_reply_within_limits(render.Reply(render.comparison_notice(comparison), (page,)))
        if not comparison.counterparts:
            continue
        left = [displayed(page.fields[0].value) for page in pages]
        assert _column(left) == _exact(comparison.article), comparison.article.citation
        right: dict[str, list[str]] = {}
        for page in pages:
            right.setdefault(displayed(page.fields[1].name), []).append(displayed(page.fields[1].value))
        for other in comparison.counterparts:
            (pieces,) = [v for name, v in right.items() if name.startswith(f"{other.view.citation} — ")]
            assert _column(pieces) == _exact(other.view), other.view.citation


def _column(pieces: list[str]) -> str:
    """A column's pieces joined; a paragraph cut between pages (… marks) joins with a space."""
    text = "\n\n".join(piece for piece in pieces if piece != render.END_OF_TEXT)
    return text.replace(f"{CONTINUES}\n\n{CONTINUED}", " ")


def _exact(view: ArticleView) -> str:
    return "\n\n".join(p.quote for p in view.passages)


def test_commentary_that_breaks_off_says_it_is_an_excerpt(engine) -> None:
    ends = [p for p in engine.passages if p.excerpt_ends]
    assert ends, "the corpus holds excerpts"
    for passage in ends:
        (embed,) = render.hit_embeds(Hit(passage, 1.0))
        assert displayed(embed.description).endswith(f"{passage.quote}\n\n*{EXCERPT_ENDS}*")
    last = {p.doc: p for p in engine.passages if p.kind == "analysis"}  # each text's last passage
    cut = [p for p in last.values() if p.quote.rstrip()[-1:].isalpha()]  # "compared to ot"
    assert cut and all(p.excerpt_ends for p in cut)


def test_the_shard_line_names_where_about_was_asked() -> None:
    assert render.shards_text(3, 4, [3, 2]) == "Asked on shard 3 of 4; this process runs shards 2, 3"


def test_more_field_links_are_markdown_links_not_escaped_text(engine) -> None:
    questions = ["When does the convention enter into force?", "What does article 28 say?", "extradition"]
    answer = next((a for a in map(engine.ask, questions) if render.short_answer(a).rest), None)
    assert answer is not None, "one of these questions lists further provisions under More"
    rest = render.short_answer(answer).rest
    fields = [f for reply in render.answer_replies(answer) for e in reply.embeds for f in e.fields]
    more = next(f.value for f in fields if f.name == render.MORE)
    assert "\\[" not in more and "\\]" not in more
    for hit in rest[:1]:
        assert f"[{hit.passage.citation}]({hit.passage.link})" in more


def test_a_decline_keeps_its_address_whole_and_clickable(engine) -> None:
    answer = engine.ask("Which countries have ratified the convention?")
    assert answer.out_of_corpus is not None
    content = render.answer_replies(answer)[0].content
    urls = re.findall(r"<(https://[^>\s]+)>", content)
    assert "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XVIII-16&chapter=18" in urls
    assert "\\<" not in content and "\\_" not in "".join(urls)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://a.org/x_y.", "see <https://a.org/x_y>."),
        ("(https://a.org/p?q=1&r=2), then *", "(<https://a.org/p?q=1&r=2>), then \\*"),
        ("at <https://a.org/m_n> now", "at <https://a.org/m_n> now"),
    ],
)
def test_escaping_leaves_addresses_whole(text: str, expected: str) -> None:
    assert render.escape_markdown(text) == expected
    assert displayed(expected) == re.sub(r"<(https://[^>]+)>", r"\1", text)  # an address shows whole
