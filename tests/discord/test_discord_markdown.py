"""What a Discord client shows for every text the bot sends, read with a real Discord Markdown
parser (discord-markdown-parser, via node): links are links with their addresses whole, nothing
the client would reformat, and quotes read exactly as the passage (answers of the real index,
the "Show more" passages, /article, /compare, /define)."""

from __future__ import annotations

import re

import discord
import pytest

from bot.discord_app import render
from bot.discord_app.text import CONTINUES
from bot.engine.answer import Answer
from bot.presentation import EXCERPT_ENDS
from tests.discord.discord_markdown import Parsed, embed_texts, parse

QUESTIONS = (
    "Can the authorities search and seize stored electronic data?",
    "Which countries have ratified the convention?",
    "What do human rights groups say about the treaty?",
    "Can someone be extradited for a cybercrime?",
    "What is article 2 (h)?",
    "When does the convention enter into force?",
    "Why does EFF oppose the treaty?",
    "Does the treaty protect journalists and security researchers?",
    "What is the recipe for chocolate cookies?",
    "How is child sexual abuse material treated?",
)
ARTICLES = ((28, None), (40, None), (2, None), (17, "1"))
COMPARED = (28, 40, 14)
TERMS = ("electronic data", "traffic data", "serious crime")
# What Discord would draw differently from the text: headings, block quotes, code, lists.
REFORMATTED = {"heading", "subtext", "blockQuote", "codeBlock", "inlineCode", "spoiler", "strikethrough", "u"}
HTTP = re.compile(r"^https?://[^\s<>\\]+$")


def _message(replies: list[render.Reply]) -> list[tuple[str, str, str]]:
    return [t for reply in replies for t in embed_texts(reply.content, list(reply.embeds))]


@pytest.fixture(scope="module")
def answers(engine) -> list[Answer]:
    return [engine.ask(question) for question in QUESTIONS]


@pytest.fixture(scope="module")
def sent(engine, answers) -> dict[str, list[tuple[str, Parsed]]]:
    """Every text the bot sends for these requests, parsed in one batch: by request."""
    requests: dict[str, list[tuple[str, str, str]]] = {}
    for answer in answers:
        short = render.short_answer(answer)
        requests[f"ask: {answer.question}"] = _message([short.reply])
        more = [e for hit in short.rest for e in render.hit_embeds(hit, answer.final_text_date)]
        requests[f"more: {answer.question}"] = _message(render.pack("", more))
    for number, paragraph in ARTICLES:
        pages = render.article_pages(engine.article(number, paragraph))
        requests[f"article {number}"] = _message([render.Reply("", (page,)) for page in pages])
    for number in COMPARED:
        comparison = engine.compare(number)
        pages = render.comparison_pages(comparison)
        content = render.comparison_notice(comparison)
        requests[f"compare {number}"] = _message([render.Reply(content, (page,)) for page in pages])
    for term in TERMS:
        requests[f"define {term}"] = _message(render.definition_replies(engine.define(term)))
    flat = [(name, where, text, mode) for name, texts in requests.items() for where, text, mode in texts]
    parsed = parse([(text, mode) for _, _, text, mode in flat])
    grouped: dict[str, list[tuple[str, Parsed]]] = {}
    for (name, where, _, _), tree in zip(flat, parsed, strict=True):
        grouped.setdefault(name, []).append((where, tree))
    return grouped


def _visible(texts: list[tuple[str, Parsed]], where: str) -> list[str]:
    return [p.visible for w, p in texts if w == where]


def test_every_text_shows_as_written_and_every_link_is_a_link(sent) -> None:
    for name, texts in sent.items():
        for where, parsed in texts:
            context = f"{name}, {where}: {parsed.text[:120]!r}"
            assert not parsed.kinds & REFORMATTED, context
            assert "\\" not in parsed.visible, f"an escape shows: {context}"
            assert not re.search(r"\]\(https?://", parsed.visible), f"Markdown shown as text: {context}"
            for shown, url in parsed.links:
                assert HTTP.match(url), f"{context}: {url!r}"
                assert "[" not in shown and "\\" not in shown, context
            if where == "footer":  # plain text in Discord: no Markdown at all
                assert parsed.visible == parsed.text, context


def test_answers_quote_the_passage_exactly_and_link_to_its_page(sent, answers) -> None:
    for answer in answers:
        short = render.short_answer(answer)
        texts = sent[f"ask: {answer.question}"]
        descriptions = _visible(texts, "description")
        titles = _visible(texts, "title")
        for hit in short.whole:
            p = hit.passage
            position = next(i for i, t in enumerate(titles) if t.startswith(p.citation))
            shown = descriptions[position].removesuffix(f"\n\n{EXCERPT_ENDS}")
            assert shown.endswith(p.quote), p.citation  # the quote as the client shows it
            strong = next(
                tree.strong
                for w, tree in texts
                if w == "description" and tree.visible == descriptions[position]
            )
            if hit.highlight:
                assert strong == (p.quote[slice(*hit.highlight)],), p.citation
                assert not re.fullmatch(r"\(?\w{1,4}[.)]", strong[0]), "only a paragraph label is marked"
        for embed in (e for e in short.reply.embeds if e.url):
            hit = next(h for h in answer.hits if embed.url == h.passage.link)
            if hit.passage.doc == "uncc":
                assert re.search(r"#page=\d+$", embed.url), embed.url
        links = {url for _, tree in texts for _, url in tree.links}
        for hit in short.rest:
            linked = any(hit.passage.link == url for url in links)
            assert linked or hit in short.rest[1:], (
                f"the first passage left out is linked: {hit.passage.citation}"
            )


def test_cut_quotes_say_so_and_show_only_the_passages_words(sent, answers) -> None:
    for answer in answers:
        short = render.short_answer(answer)
        texts = sent[f"ask: {answer.question}"]
        titles, descriptions = _visible(texts, "title"), _visible(texts, "description")
        cut = [h for h in [*answer.treaty_hits, *answer.analysis_hits] if h in short.rest]
        for hit in cut:
            shown = [
                d for t, d in zip(titles, descriptions, strict=False) if t.startswith(hit.passage.citation)
            ]
            if [h.passage.citation for h in answer.hits].count(hit.passage.citation) > 1:
                continue  # two passages of one commentary piece: the embed may be the other's
            for text in shown:
                assert _cut_from(text, hit.passage.quote), hit.passage.citation


def _cut_from(text: str, quote: str) -> bool:
    """Does `text` show the opening of `quote`, cut and saying so?"""
    words = text.removesuffix(CONTINUES).rsplit("… ", 1)[-1].split("\n\n")[-1]
    return text.endswith(CONTINUES) and words in quote


def test_show_more_quotes_the_rest_whole(sent, answers) -> None:
    for answer in answers:
        rest = render.short_answer(answer).rest
        shown = "\n".join(_visible(sent.get(f"more: {answer.question}", []), "description"))
        for hit in rest:
            if len(hit.passage.quote) < render.MAX_MARKED_QUOTE:
                assert hit.passage.quote in shown, hit.passage.citation


def test_a_decline_links_its_pointer_and_cites_the_provisions_without_quoting(sent, answers) -> None:
    answer = next(a for a in answers if a.out_of_corpus is not None)
    texts = sent[f"ask: {answer.question}"]
    (content,) = [tree for where, tree in texts if where == "content"]
    shown = " ".join(n for n in answer.notices if n.startswith("Where to look:"))
    pointers = [p.url for p in answer.out_of_corpus.where if p.url and p.url in shown]
    assert pointers and all((url, url) in content.links for url in pointers)
    (description,) = [tree for where, tree in texts if where == "description"]
    assert description.links and all(
        shown in {h.passage.citation for h in answer.hits} for shown, _ in description.links
    )
    assert not any(h.passage.quote[:80] in description.visible for h in answer.hits)


def test_article_compare_and_define_show_the_exact_text(sent, engine) -> None:
    for number, paragraph in ARTICLES:
        view = engine.article(number, paragraph)
        shown = "\n\n".join(_visible(sent[f"article {number}"], "description"))
        for passage in view.passages:
            for piece in passage.quote.split("\n\n"):
                assert piece in shown, passage.citation
        titles = _visible(sent[f"article {number}"], "title")
        assert all(t.startswith(view.citation) for t in titles)
    for number in COMPARED:
        comparison = engine.compare(number)
        values = "\n\n".join(_visible(sent[f"compare {number}"], "field value"))
        first = comparison.article.passages[0].quote.split("\n\n")[0]
        assert first in values
        for other in comparison.counterparts:
            assert other.view.passages[0].quote.split("\n\n")[0] in values
    for term in TERMS:
        lookup = engine.define(term)
        shown = "\n\n".join(_visible(sent[f"define {term}"], "description"))
        assert lookup.definitions and all(d.text in shown for d in lookup.definitions)
        links = [url for _, tree in sent[f"define {term}"] for _, url in tree.links]
        assert not links or all(HTTP.match(u) for u in links)


def test_embed_addresses_lead_to_the_page_of_the_pdf(engine) -> None:
    view = engine.article(40)
    (definition,) = [d for d in engine.define("traffic data").definitions if d.doc == "uncc"]
    assert view.link.endswith("#page=23") and definition.link.endswith("#page=5")
    assert render.article_pages(view)[0].url == view.link
    embeds: list[discord.Embed] = render.definition_embeds(definition)
    assert embeds[0].url == definition.link
