"""Pure rendering: answer objects to Discord messages (content and embeds) within every limit.

Nothing here talks to Discord. Quotes are escaped, never reworded; a passage too long for
one embed continues in the next (cut at a paragraph or sub-paragraph boundary if there is
one, else between words, with "…" marking the cut) and every embed that shows any part of
a passage carries its citation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

import discord

from bot.discord_app.limits import (
    MAX_AUTHOR_NAME,
    MAX_EMBED_DESCRIPTION,
    MAX_EMBED_TOTAL,
    MAX_EMBEDS,
    MAX_FIELD_NAME,
    MAX_FIELD_VALUE,
    MAX_FIELDS,
    MAX_FOOTER,
    MAX_MESSAGE,
    MAX_TITLE,
    MAX_URL,
)
from bot.discord_app.server_settings import EffectiveSettings, Setting
from bot.discord_app.settings import Cooldown, Visibility
from bot.discord_app.text import (
    CONTINUED,
    CONTINUES,
    ELLIPSIS,
    escape_markdown,
    fit_text,
    plain_link,
    split_text,
)
from bot.engine.answer import About, Answer, ArticleView, Comparison, Hit, TermLookup
from bot.engine.notes import DefinedTerm
from bot.presentation import (
    ANALYSIS_SECTION,
    DEFINED,
    EXCERPT_ENDS,
    LEAD_GAP,
    MORE,
    MORE_SEPARATOR,
    NO_PASSAGES,
    NOT_COVERED,
    RELATED_SECTION,
    TREATY_SECTION,
    Note,
    answer_lines,
    article_notes,
    draft_warning,
    hit_notes,
    says_no_passages,
    section_heading,
    snippet,
)
from index_contract.schema import Passage

TREATY_COLOUR = discord.Colour(0x009EDB)  # UN blue
ANALYSIS_COLOUR = discord.Colour(0x99AAB5)
INFO_COLOUR = discord.Colour(0x2B2D31)
TITLE_SEPARATOR = " — "
CONTINUED_TITLE = " (continued)"
QUESTION_SHOWN_CHARS = 600  # the question heads an answer; engine questions are at most 500
MIN_TITLE_EXTRA = 12  # below this, an article title is left out of the embed title
MIN_NOTE_CHARS = 40  # a note with less room than this is left out rather than cut to nothing
MAX_MARKED_QUOTE = 3000  # longer quotes may be split over embeds: their answering sentence is not bolded
NO_DEFINITIONS = "No definition found."
PAIR_ARROW = " ↔ "
BASIS = "Basis of the pairing"
COUNTERPARTS = "Counterparts"
OFFICIAL_TEXTS = "Official texts"
END_OF_TEXT = "*(end of the text)*"  # a column with nothing more to show on this page
COMPARE_FOOTER_CHARS = 300  # "Page 3 of 18 · UNCC Art. 40 ↔ Budapest Convention Art. 26"
BOT_DESCRIPTION = (
    "I answer questions about the UN Convention against Cybercrime by quoting the treaty "
    "verbatim, with article, paragraph and a link to the official text. Commentary is quoted "
    "beside it, with its publisher and date. No language model writes anything: every sentence "
    "I show is an exact passage of a source document, and when nothing answers a question I say so."
)
# Short answers: about one phone screen; the rest is behind the "Show more" button.
MAX_ANSWER_EMBEDS = 2
MAX_ANSWER_CHARS = 2000  # characters shown: the message content and its embeds
MAX_DECLINE_EMBEDS = 1
MAX_DECLINE_CHARS = 1200
MIN_DECLINE_EMBED = 300  # kept for the governing provisions when the decline's text is long
MIN_QUOTE_CHARS = 300  # a passage is quoted cut (…) only if this much of it fits; else only cited
MORE_ROOM = 250  # kept below the quotes for the "More" line of linked citations
_SEARCH_GAP = "\n\n"
_HTTP_URL = re.compile(r"^https?://[^\s<>]+$")


@dataclass(frozen=True)
class Reply:
    """One Discord message: content and embeds."""

    content: str = ""
    embeds: tuple[discord.Embed, ...] = ()

    @property
    def size(self) -> int:
        """Characters shown: the content plus every embed's counted text."""
        return len(self.content) + sum(len(embed) for embed in self.embeds)


# --- answers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShortAnswer:
    """/ask as sent: one short message, and the passages behind its "Show more" button."""

    reply: Reply
    whole: tuple[Hit, ...]  # the passages it quotes whole
    rest: tuple[Hit, ...]  # the passages it cuts or only cites: "Show more" quotes them in full


def answer_replies(answer: Answer) -> list[Reply]:
    """/ask: one message of at most MAX_ANSWER_EMBEDS embeds and MAX_ANSWER_CHARS characters
    (a decline: MAX_DECLINE_EMBEDS and MAX_DECLINE_CHARS); the rest is behind "Show more"."""
    return [short_answer(answer).reply]


def short_answer(answer: Answer) -> ShortAnswer:
    """Treaty quotes first, then commentary, while they fit; then the other passages as linked
    citations ("More"), then the notes of the passages shown, while they fit."""
    if answer.out_of_corpus is not None:
        return decline(answer)
    lines = [_question_line(answer.question)]
    lines += [
        f"⚠️ {escape_markdown(line.text)}" if line.warning else f"Note: {escape_markdown(line.text)}"
        for line in answer_lines(answer)
    ]
    if says_no_passages(answer):
        lines.append(NO_PASSAGES)
    content = _join_lines(lines)
    budget = MAX_ANSWER_CHARS - len(content)
    shown: list[tuple[Hit, discord.Embed]] = []
    whole: list[Hit] = []
    for title, hits in _short_sections(answer):
        for position, hit in enumerate(hits):
            if len(shown) == MAX_ANSWER_EMBEDS:
                break
            # Every commentary embed says it is commentary; treaty text is labelled once.
            heading = section_heading(title, answer) if position == 0 or title == ANALYSIS_SECTION else None
            room = budget - sum(len(embed) for _, embed in shown) - MORE_ROOM
            fitted = short_hit_embed(hit, answer.final_text_date, heading, room)
            if fitted is None:
                break
            embed, cut = fitted
            shown.append((hit, embed))
            if not cut:
                whole.append(hit)
    quoted = [*answer.treaty_hits, *answer.analysis_hits]
    rest = [hit for hit in quoted if hit not in whole] + answer.listed_hits
    if not shown:
        return ShortAnswer(Reply(content), (), tuple(rest))
    last = shown[-1][1]
    used = sum(len(embed) for _, embed in shown)
    links = more_links(rest, min(MAX_FIELD_VALUE, budget - used - len(MORE))) if rest else ""
    for hit, embed in shown:
        room = budget - sum(len(e) for _, e in shown) - (len(MORE) + len(links) if links else 0)
        add_notes(embed, hit_notes(hit), len(embed) + room)
    if links:
        last.add_field(name=MORE, value=links, inline=False)
    return ShortAnswer(Reply(content, tuple(embed for _, embed in shown)), tuple(whole), tuple(rest))


def _short_sections(answer: Answer) -> list[tuple[str, list[Hit]]]:
    """The passages a short answer tries, by section: the best of the treaty and the best of the
    commentary when there are both, else the best of the one there is."""
    treaty, analysis = answer.treaty_hits, answer.analysis_hits
    if treaty and analysis:
        treaty, analysis = treaty[:1], analysis[: MAX_ANSWER_EMBEDS - 1]
    sections = [(TREATY_SECTION, treaty), (ANALYSIS_SECTION, analysis)]
    return sections[::-1] if answer.leads_with_commentary else sections


def decline(answer: Answer) -> ShortAnswer:
    """A question the corpus cannot answer: what it lacks and where to look (the content), and
    the provisions that govern the matter by linked citation (one embed), no quotes."""
    kind = answer.out_of_corpus
    assert kind is not None
    lines = [_question_line(answer.question)]
    lines += [
        f"⚠️ {escape_markdown(line.text)}" if line.warning else escape_markdown(line.text)
        for line in answer_lines(answer)
    ]
    content = _fit_lines(lines, separator="\n", limit=MAX_DECLINE_CHARS - MIN_DECLINE_EMBED)
    hits = list(answer.hits)
    if not hits:
        return ShortAnswer(Reply(content), (), ())
    embed = discord.Embed(colour=TREATY_COLOUR)
    embed.set_author(name=fit_text(RELATED_SECTION, MAX_AUTHOR_NAME))
    room = MAX_DECLINE_CHARS - len(content) - len(embed)
    cited = [_cited_line(hit) for hit in hits]
    embed.description = _fit_lines(cited, separator="\n", limit=room) or None
    return ShortAnswer(Reply(content, (embed,)), (), tuple(hits))


def _cited_line(hit: Hit) -> str:
    """'[UNCC Art. 64(3)](…#page=44) — Signature, ratification, …': a provision by citation."""
    p = hit.passage
    url = safe_url(p.link)
    cite = escape_markdown(p.citation)
    label = f"[{cite}]({url})" if url else f"**{cite}**"
    extra = p.title if p.kind == "treaty" and p.title and p.title not in p.citation else ""
    return label + (TITLE_SEPARATOR + escape_markdown(extra) if extra else "")


def short_hit_embed(
    hit: Hit, final_text_date: str, heading: str | None, room: int
) -> tuple[discord.Embed, bool] | None:
    """One passage in one embed of at most `room` characters: (embed, whether its quote is cut),
    or None when less than MIN_QUOTE_CHARS of the quote would fit."""
    p = hit.passage
    extra = p.title if p.kind == "treaty" and p.title and p.title not in p.citation else ""
    title, prefix = embed_title(p.citation, extra)
    author = fit_text(heading, MAX_AUTHOR_NAME) if heading else ""
    limit = min(MAX_EMBED_DESCRIPTION, room - len(title) - len(author)) - len(prefix)
    parts = _quote_parts(p, final_text_date)
    body = "\n\n".join([*parts, quote_markdown(p.quote, hit.highlight), *_excerpt_note(p)])
    cut = len(body) > limit
    if cut:
        head = "\n\n".join(parts)
        room_for_quote = limit - len(head) - (len("\n\n") if head else 0)
        if room_for_quote < MIN_QUOTE_CHARS:
            return None
        body = "\n\n".join([*parts, quote_excerpt(p.quote, hit.highlight, room_for_quote)])
    colour = TREATY_COLOUR if p.kind == "treaty" else ANALYSIS_COLOUR
    embed = discord.Embed(title=title, url=safe_url(p.link), description=prefix + body, colour=colour)
    if author:
        embed.set_author(name=author)
    return embed, cut


def quote_excerpt(quote: str, span: tuple[int, int] | None, limit: int) -> str:
    """The quote cut to `limit` characters of Markdown, marked with "…" where it is cut: up to
    the end of its answering sentence (bold) if that fits, else that sentence alone, else its
    opening."""
    if span is not None:
        start, end = span
        head = quote_markdown(quote[:end], (start, end)) + CONTINUES
        if len(head) <= limit:
            return head
        alone = CONTINUED + quote_markdown(quote[start:end], (0, end - start)) + CONTINUES
        if len(alone) <= limit:
            return alone
    return fit_text(escape_markdown(quote), limit)


def _quote_parts(p: Passage, final_text_date: str) -> list[str]:
    """What stands above a quote: the draft warning, the lead-in of a split paragraph."""
    parts: list[str] = []
    if p.draft_era:
        parts.append(f"⚠️ *{escape_markdown(draft_warning(final_text_date))}*")
    if p.lead:
        parts.append(escape_markdown(p.lead) + "\n" + LEAD_GAP)
    return parts


def _excerpt_note(p: Passage) -> list[str]:
    return [f"*{escape_markdown(EXCERPT_ENDS)}*"] if p.excerpt_ends else []


def more_links(hits: Sequence[Hit], limit: int = MAX_FIELD_VALUE) -> str:
    """Passages as one line of linked citations, '[UNCC Art. 65(2)](…) · …', as many whole
    links as fit in `limit` characters (Markdown, ready to send: never escaped again)."""
    links = {hit.passage.citation: safe_url(hit.passage.link) for hit in hits}
    line = ""
    for citation, url in links.items():
        item = f"[{escape_markdown(citation)}]({url})" if url else escape_markdown(citation)
        joined = f"{line}{MORE_SEPARATOR}{item}" if line else item
        if len(joined) > limit:
            break
        line = joined
    return line


def hit_embeds(hit: Hit, final_text_date: str = "", heading: str | None = None) -> list[discord.Embed]:
    """One passage: its quote (with lead-in and draft warning), split over embeds if needed."""
    p = hit.passage
    extra = p.title if p.kind == "treaty" and p.title and p.title not in p.citation else ""
    parts = [*_quote_parts(p, final_text_date), quote_markdown(p.quote, hit.highlight), *_excerpt_note(p)]
    colour = TREATY_COLOUR if p.kind == "treaty" else ANALYSIS_COLOUR
    embeds = _passage_embeds(p.citation, extra, "\n\n".join(parts), p.link, colour, heading)
    if p.kind != "treaty":  # commentary never reads as treaty text: every one of its embeds says so
        for embed in embeds:
            if not embed.author.name:
                embed.set_author(name=ANALYSIS_SECTION)
    add_notes(embeds[-1], hit_notes(hit))
    return embeds


def quote_markdown(quote: str, span: tuple[int, int] | None) -> str:
    """The quote escaped, its answering sentence or item (`span`) in bold; the characters shown
    are the quote's, exactly. A quote too long for one embed is not marked, so that no cut
    falls inside the bold."""
    if span is None or len(quote) > MAX_MARKED_QUOTE:
        return escape_markdown(quote)
    start, end = span
    before, marked, after = quote[:start], quote[start:end], quote[end:]
    return f"{escape_markdown(before)}**{escape_markdown(marked)}**{escape_markdown(after)}"


def add_notes(embed: discord.Embed, notes: Sequence[Note], size: int = MAX_EMBED_TOTAL) -> None:
    """Notes as fields, in order, while the embed stays within `size` characters; the rest are
    left out, never cut mid-word."""
    for note in notes:
        name = fit_text(escape_markdown(note.label), MAX_FIELD_NAME)
        room = min(MAX_FIELD_VALUE, min(size, MAX_EMBED_TOTAL) - len(embed) - len(name))
        if len(embed.fields) == MAX_FIELDS or room < MIN_NOTE_CHARS or not name:
            return
        embed.add_field(name=name, value=fit_text(escape_markdown(note.text), room), inline=False)


def _passage_embeds(
    citation: str, extra: str, body: str, link: str, colour: discord.Colour, heading: str | None
) -> list[discord.Embed]:
    title, prefix = embed_title(citation, extra)
    more_title, more_prefix = embed_title(citation + CONTINUED_TITLE, "")
    budget = MAX_EMBED_DESCRIPTION - max(len(prefix), len(more_prefix))
    embeds = []
    for index, chunk in enumerate(split_text(body, budget) or [""]):
        first = index == 0
        embed = discord.Embed(
            title=title if first else more_title,
            url=safe_url(link),
            description=(prefix if first else more_prefix) + chunk,
            colour=colour,
        )
        if first and heading:
            embed.set_author(name=fit_text(heading, MAX_AUTHOR_NAME))
        embeds.append(embed)
    return embeds


def embed_title(citation: str, extra: str = "", limit: int = MAX_TITLE) -> tuple[str, str]:
    """(title, description prefix) for a passage: the whole citation is always in one of them.

    The title holds the citation and, if it fits, `extra` (the article title). A citation
    longer than a title allows is cut in the title and given in full atop the description.
    `limit` is the title's limit (a field name's, for a field titled the same way).
    """
    cite = escape_markdown(citation.strip())
    if extra:
        more = escape_markdown(extra.strip())
        if len(cite) + len(TITLE_SEPARATOR) + len(more) <= limit:
            return cite + TITLE_SEPARATOR + more, ""
        room = limit - len(cite) - len(TITLE_SEPARATOR)
        if room >= MIN_TITLE_EXTRA:
            return cite + TITLE_SEPARATOR + fit_text(more, room), ""
    if len(cite) <= limit:
        return cite, ""
    return fit_text(cite, limit), f"**{cite}**\n\n"


def pack(content: str, embeds: Sequence[discord.Embed]) -> list[Reply]:
    """Embeds in order over as few messages as the per-message limits allow."""
    content = fit_text(content, MAX_MESSAGE)
    replies: list[Reply] = []
    batch: list[discord.Embed] = []
    total = 0
    for embed in embeds:
        if batch and (len(batch) == MAX_EMBEDS or total + len(embed) > MAX_EMBED_TOTAL):
            replies.append(Reply(content if not replies else "", tuple(batch)))
            batch, total = [], 0
        batch.append(embed)
        total += len(embed)
    if batch or not replies:
        replies.append(Reply(content if not replies else "", tuple(batch)))
    return replies


# --- search -------------------------------------------------------------------------------


def search_reply(answer: Answer) -> Reply:
    """/search: a compact numbered list of linked citations with short snippets."""
    lines = [_question_line(answer.question)]
    if answer.abstained:
        lines.append(f"⚠️ {NOT_COVERED}")
    if not answer.hits:
        lines.append(NO_PASSAGES)
        return Reply(_join_lines(lines))
    entries = [_search_entry(rank, hit) for rank, hit in enumerate(answer.hits, 1)]
    shown: list[str] = []
    for entry in entries:
        more = _more_line(len(entries) - len(shown) - 1)
        if len(_SEARCH_GAP.join([*shown, entry, more])) <= MAX_EMBED_DESCRIPTION:
            shown.append(entry)
            continue
        if not shown:  # one entry longer than an embed: its citation line stays, its snippet is cut
            shown.append(fit_text(entry, MAX_EMBED_DESCRIPTION - len(_SEARCH_GAP) - len(more)))
        break
    shown.append(_more_line(len(entries) - len(shown)))
    embed = discord.Embed(
        title="Best-matching passages", description=_SEARCH_GAP.join(filter(None, shown)), colour=INFO_COLOUR
    )
    return Reply(_join_lines(lines), (embed,))


def _more_line(hidden: int) -> str:
    return f"…and {hidden} more (narrow the query to see them)." if hidden > 0 else ""


def _search_entry(rank: int, hit: Hit) -> str:
    p = hit.passage
    cite = escape_markdown(p.citation)
    url = safe_url(p.link)
    label = f"[{cite}]({url})" if url else f"**{cite}**"
    text = escape_markdown(snippet(p.quote))
    return f"**{rank}.** {label}\n{text}"


# --- articles -------------------------------------------------------------------------------


def article_pages(view: ArticleView) -> list[discord.Embed]:
    """The exact text of an article, one embed per page, split between paragraphs."""
    title, prefix = embed_title(view.citation, view.title)
    chunks = pack_paragraphs(article_paragraphs(view), MAX_EMBED_DESCRIPTION - len(prefix)) or [NO_PASSAGES]
    pages = []
    for number, chunk in enumerate(chunks, 1):
        embed = discord.Embed(
            title=title, url=safe_url(view.link), description=prefix + chunk, colour=TREATY_COLOUR
        )
        if view.chapter:
            embed.set_author(name=fit_text(view.chapter, MAX_AUTHOR_NAME))
        page = f"Page {number} of {len(chunks)} · " if len(chunks) > 1 else ""
        embed.set_footer(text=fit_text(page + view.citation, MAX_FOOTER))
        pages.append(embed)
    add_notes(pages[-1], article_notes(view))
    return pages


def article_paragraphs(view: ArticleView) -> list[str]:
    """The article's numbered paragraphs, escaped; pieces of one split paragraph stay together,
    so that pages break between numbered paragraphs."""
    runs = groupby(view.passages, key=lambda passage: passage.paragraph)
    return ["\n\n".join(escape_markdown(p.quote) for p in run) for _, run in runs]


def pack_paragraphs(paragraphs: Sequence[str], limit: int, gap: str = "\n\n") -> list[str]:
    """Whole paragraphs per page while they fit; a paragraph longer than a page is split."""
    pages: list[str] = []
    current = ""
    for paragraph in (p for p in paragraphs if p.strip()):
        joined = f"{current}{gap}{paragraph}" if current else paragraph
        if len(joined) <= limit:
            current = joined
            continue
        if current:
            pages.append(current)
        *full, current = split_text(paragraph, limit)
        pages += full
    return [*pages, current] if current else pages


# --- defined terms ----------------------------------------------------------------------------


def definition_replies(lookup: TermLookup) -> list[Reply]:
    """/define: each definition of the term verbatim, titled with its citation and linked."""
    embeds = [embed for term in lookup.definitions for embed in definition_embeds(term)]
    return pack("" if embeds else NO_DEFINITIONS, embeds)


def definition_embeds(term: DefinedTerm) -> list[discord.Embed]:
    """One definition: 'UNCC Art. 2(c) — Traffic data' over the exact text, split if needed."""
    body = escape_markdown(term.text)
    return _passage_embeds(term.citation, term.term, body, term.link, TREATY_COLOUR, DEFINED)


# --- comparison -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    """One side of a comparison: a field name and the text pieces shown under it, page by page."""

    name: str
    prefix: str  # the full citation, when the field name had to cut it
    chunks: list[str]


def comparison_notice(comparison: Comparison) -> str:
    """Message content above the pages: the engine's notices (e.g. that there is no counterpart)."""
    return _join_lines(escape_markdown(notice) for notice in comparison.notices)


def comparison_pages(comparison: Comparison) -> list[discord.Embed]:
    """/compare: the article and its counterpart(s) side by side, one pair of columns per page.

    Each page holds two inline fields (Discord shows them as columns; phones stack them, the
    article first): the article's text on the left, a counterpart's on the right, each named
    by its citation and cut between paragraphs. The description gives the basis of the pair
    shown and links to both official texts. Without a counterpart, the article's own pages.
    """
    if not comparison.counterparts:
        return article_pages(comparison.article)
    left = _column(comparison.article)
    right = [  # (counterpart index, its column, one piece of its text) for each page, in order
        (index, column, chunk)
        for index, other in enumerate(comparison.counterparts)
        for column in [_column(other.view)]
        for chunk in column.chunks
    ]
    count = max(len(left.chunks), len(right))
    last_index, last_column, _ = right[-1]
    right += [(last_index, last_column, END_OF_TEXT)] * (count - len(right))
    left_chunks = left.chunks + [END_OF_TEXT] * (count - len(left.chunks))
    return [
        _comparison_page(comparison, index, (left, left_chunk), (column, chunk), (number, count))
        for number, (left_chunk, (index, column, chunk)) in enumerate(zip(left_chunks, right, strict=True), 1)
    ]


def _column(view: ArticleView) -> _Column:
    name, prefix = embed_title(view.citation, view.title, MAX_FIELD_NAME)
    chunks = pack_paragraphs(article_paragraphs(view), MAX_FIELD_VALUE - len(prefix)) or [NO_PASSAGES]
    return _Column(name, prefix, chunks)


def _comparison_page(
    comparison: Comparison,
    index: int,
    left: tuple[_Column, str],
    right: tuple[_Column, str],
    page: tuple[int, int],
) -> discord.Embed:
    article, other = comparison.article, comparison.counterparts[index]
    pair = f"{article.citation}{PAIR_ARROW}{other.view.citation}"
    embed = discord.Embed(
        title=fit_text(escape_markdown(pair), MAX_TITLE), url=safe_url(article.link), colour=TREATY_COLOUR
    )
    for column, chunk in (left, right):
        embed.add_field(name=column.name, value=column.prefix + chunk, inline=True)
    number, count = page
    label = f"Page {number} of {count} · " if count > 1 else ""
    embed.set_footer(text=fit_text(label + pair, COMPARE_FOOTER_CHARS))
    room = min(MAX_EMBED_DESCRIPTION, MAX_EMBED_TOTAL - len(embed))
    embed.description = _pair_description(comparison, index, room) or None
    return embed


def _pair_description(comparison: Comparison, index: int, room: int) -> str:
    """The counterparts (when there are several), the basis of the pair shown, both official texts."""
    others = comparison.counterparts
    other = others[index]
    lines: list[tuple[str, bool]] = []  # (line, cut between words rather than left out if too long)
    if len(others) > 1:
        cited = escape_markdown("; ".join(c.view.citation for c in others))
        lines.append((f"**{COUNTERPARTS}** (showing {index + 1} of {len(others)}): {cited}", False))
    cite, basis = escape_markdown(other.view.citation), escape_markdown(other.basis)
    lines.append((f"**{BASIS}** ({cite}): {basis}", True))
    links = {view.doc_name: safe_url(view.link) for view in (comparison.article, other.view)}
    shown = [f"[{escape_markdown(name)}]({url})" for name, url in links.items() if url and name.strip()]
    if shown:
        lines.append((f"{OFFICIAL_TEXTS}: " + " · ".join(shown), False))
    text = ""
    for line, cuttable in lines:
        gap = "\n" if text else ""
        if len(text) + len(gap) + len(line) <= room:
            text += gap + line
        elif cuttable:
            text += gap + fit_text(line, room - len(text) - len(gap))
    return text.strip()


# --- about and short messages -----------------------------------------------------------------


def shards_text(here: int, count: int, run: Sequence[int]) -> str:
    """Where /about was asked, among the bot's shards: for operators and bug reports."""
    ids = ", ".join(str(i) for i in sorted(run))
    return f"Asked on shard {here} of {count}; this process runs shard{'s' if len(run) > 1 else ''} {ids}"


def about_reply(about: About, shards: str = "") -> Reply:
    """/about: the documents covered, article counts, index build time, model, official links,
    and the shard it was asked on (`shards_text`)."""
    embed = discord.Embed(title="About treatybot", description=BOT_DESCRIPTION, colour=INFO_COLOUR)
    treaties = sorted(about.treaties, key=lambda t: -t.articles)
    room = MAX_FIELDS - 2 - bool(shards)  # the fields that follow the treaties
    for treaty in treaties[:room]:
        url = safe_url(treaty.url)
        link = f" · [official text]({url})" if url else ""
        value = f"{treaty.articles} articles{link}" if treaty.articles else f"Adopting text{link}"
        embed.add_field(
            name=fit_text(escape_markdown(f"{treaty.name}{TITLE_SEPARATOR}{treaty.title}"), MAX_FIELD_NAME),
            value=fit_text(value, MAX_FIELD_VALUE),
            inline=False,
        )
    if len(treaties) > room:
        embed.description = fit_text(
            f"{BOT_DESCRIPTION}\n\n({len(treaties) - room} more documents are indexed.)",
            MAX_EMBED_DESCRIPTION,
        )
    embed.add_field(name="Commentary", value=f"{about.analyses} pieces of analysis", inline=True)
    index = f"{about.passages} passages · built {about.built_at} · model {about.model}"
    embed.add_field(name="Index", value=fit_text(escape_markdown(index), MAX_FIELD_VALUE), inline=True)
    if shards:
        embed.add_field(name="Shard", value=fit_text(shards, MAX_FIELD_VALUE), inline=False)
    links = [safe_url(t.url) for t in treaties]
    unique = [plain_link(url) for url in dict.fromkeys(url for url in links if url)]
    content = _fit_lines([f"Official texts: {unique[0]}", *unique[1:]]) if unique else ""
    return Reply(content, (embed,))


def message(text: str) -> Reply:
    """A short plain message (an error, a notice); `text` is shown as written."""
    return Reply(fit_text(escape_markdown(text), MAX_MESSAGE) or ELLIPSIS)


def thread_name(question: str, limit: int) -> str:
    """A thread title from a question: one line, cut between words."""
    return fit_text(" ".join(question.split()), limit) or "Question"


def safe_url(link: str) -> str | None:
    """`link` if Discord will accept it as an embed or masked-link URL, else None."""
    link = link.strip()
    return link if len(link) <= MAX_URL and _HTTP_URL.match(link) else None


def _question_line(question: str) -> str:
    return f"**{fit_text(escape_markdown(question), QUESTION_SHOWN_CHARS)}**"


def _join_lines(lines: Iterable[str]) -> str:
    return _fit_lines(list(lines), separator="\n")


def _fit_lines(lines: list[str], separator: str = " · ", limit: int = MAX_MESSAGE) -> str:
    """Whole lines while they fit in `limit`; a first line too long is cut between words."""
    shown: list[str] = []
    for line in lines:
        candidate = separator.join([*shown, line])
        if len(candidate) > limit:
            if not shown:
                shown.append(fit_text(line, limit))
            break
        shown.append(line)
    return separator.join(shown)


# --- /settings --------------------------------------------------------------------------------

VISIBILITY_NAMES = {
    Visibility.EPHEMERAL: "Private: only the person who asked sees an answer",
    Visibility.PUBLIC: "Public: the whole channel sees an answer",
}
SETTING_SOURCES = {True: "set in this server", False: "from the bot's config file"}


def cooldown_text(cooldown: Cooldown) -> str:
    if not cooldown.rate:
        return "Off"
    unit = "question" if cooldown.rate == 1 else "questions"
    return f"{cooldown.rate} {unit} per member every {cooldown.per_seconds:g} seconds"


def server_settings_reply(here: EffectiveSettings, title: str = "Settings of this server") -> Reply:
    """/settings: each setting in force, and whether the server set it or the config file did."""
    channels = " ".join(f"<#{channel}>" for channel in here.allowed_channel_ids) or "Every channel"
    values = {
        Setting.VISIBILITY: ("Answers", VISIBILITY_NAMES[here.visibility]),
        Setting.CHANNELS: ("Channels I answer in", channels),
        Setting.COOLDOWN: ("Cooldown", cooldown_text(here.cooldown)),
    }
    embed = discord.Embed(title=title, colour=INFO_COLOUR)
    for setting, (name, value) in values.items():
        source = SETTING_SOURCES[setting in here.from_server]
        embed.add_field(name=f"{name} ({source})", value=fit_text(value, MAX_FIELD_VALUE), inline=False)
    return Reply("", (embed,))


# --- /help ------------------------------------------------------------------------------------

HELP_TITLE = "treatybot commands"
HELP_DESCRIPTION = (
    "Answers quote the treaties word for word, with their citations. Mention me to ask in a thread."
)


@dataclass(frozen=True)
class HelpEntry:
    name: str  # "/ask", or a message command's name
    description: str
    example: str


def help_reply(entries: Sequence[HelpEntry]) -> Reply:
    """/help: each command with what it does and one example."""
    embed = discord.Embed(title=HELP_TITLE, description=HELP_DESCRIPTION, colour=INFO_COLOUR)
    for entry in entries[:MAX_FIELDS]:
        value = f"{escape_markdown(entry.description)}\nExample: `{entry.example.replace('`', 'ˋ')}`"
        embed.add_field(
            name=fit_text(entry.name, MAX_FIELD_NAME), value=fit_text(value, MAX_FIELD_VALUE), inline=False
        )
    return Reply("", (embed,))
