"""Cut parsed documents into passages: the unit that is retrieved, quoted and cited.

Treaty text is cut at paragraph granularity; a paragraph longer than
`MAX_TREATY_PASSAGE_CHARS` is split at its top-level sub-paragraphs, and each piece
carries the paragraph's lead-in as `lead` so it still reads in context. Analysis text
is grouped under its headings into passages of at most `MAX_ANALYSIS_PASSAGE_CHARS`.

Every `quote` (and `lead`) is an exact slice of the source file: `text[start:end]`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from index_build.markdown import Block, iter_blocks, split_front_matter
from index_build.sources import AnalysisSource, Corpus, TreatySource
from index_build.treaty import Article, TreatyText, Unit
from index_contract.schema import Passage, cite

MAX_TREATY_PASSAGE_CHARS = 1500
MAX_ANALYSIS_PASSAGE_CHARS = 1200
MIN_PREAMBLE_BLOCK_CHARS = 60  # shorter preamble lines ("Have agreed as follows:") join a neighbour
MAX_LEAD_EMBED_CHARS = 400
EXCERPT_NOTE = re.compile(r"^\*\[Excerpt ends")
SENTENCE_BREAK = re.compile(r"[.!?][”\"’)]?(\s+)(?=[A-Z“\"])")
# A paragraph or item label standing alone ("3.", "(b)", "(ii)"): not a sentence of its own.
LABEL_ONLY = re.compile(r"\(?[0-9]{1,3}[.)]|\([a-z]{1,4}\)")
ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]+$")
WHITE_SPACE = re.compile(r"\s+")
# Commentary must never read as the treaty: a piece whose publisher calls itself the depositary
# or an official body, or whose title opens like a citation of a treaty text, has its citation
# marked as commentary (`POSING_MARK`), whatever its front matter says.
OFFICIAL_PUBLISHER = re.compile(
    r"^\s*(?:the\s+)?(?:united\s+nations|un|unodc|council\s+of\s+europe|general\s+assembly|"
    r"secretary-general|depositary|treaty\s+collection)\b",
    re.IGNORECASE,
)
CITATION_LIKE_TITLE = re.compile(
    r"^\s*(?:uncc|budapest\s+convention|ets\s*(?:no\.?\s*)?185|a/res/\d|"
    r"(?:un\s+|united\s+nations\s+)?convention\s+against\s+cybercrime\b\s*(?:art|,|$)|"
    r"art(?:icle)?\.?\s*\d+\s*(?:\(|[—–:,.-]|$))",
    re.IGNORECASE,
)
POSING_MARK = "Commentary, not treaty text"


def build_passages(corpus: Corpus, treaties: Mapping[str, TreatyText]) -> list[Passage]:
    """Every passage of the corpus; `treaties` are its official texts, parsed once per build."""
    passages: list[Passage] = []
    for source in corpus.treaties:
        passages.extend(treaty_passages(treaties[source.id], corpus))
    for analysis in corpus.analyses:
        passages.extend(analysis_passages(analysis, corpus))
    return passages


# --- treaties -------------------------------------------------------------------------------


def treaty_passages(treaty: TreatyText, corpus: Corpus) -> Iterator[Passage]:
    source = treaty.source
    rel = source.path.relative_to(corpus.root).as_posix()
    make = _TreatyPassageFactory(treaty, rel)
    yield from make.preamble(treaty.preamble, "preamble")
    numbered_body = [u for u in treaty.body if u.paragraph]
    yield from make.preamble([u for u in treaty.body if not u.paragraph], "body")
    for paragraph, units in _group_by_paragraph(numbered_body):
        yield make.passage(
            units,
            pid=f"{source.id}:para{paragraph}",
            section="body",
            paragraph=paragraph,
            citation=f"{source.name} para. {paragraph}",
            heading=treaty.title,
        )
    for article in treaty.articles.values():
        yield from make.article(article)
    for note in treaty.annex:
        for paragraph, units in _group_by_paragraph(note.units):
            label = f"para. {paragraph}" if paragraph else note.title
            yield make.passage(
                units,
                pid=f"{source.id}:annex:{paragraph or slug(note.title)}",
                section="annex",
                paragraph=paragraph,
                citation=f"{source.name} Annex, {label} ({note.title})",
                heading=note.title,
            )
    if treaty.closing:
        yield make.passage(
            treaty.closing,
            pid=f"{source.id}:closing",
            section="closing",
            citation=f"{source.name}, final clause",
            heading="Final clause",
        )


class _TreatyPassageFactory:
    def __init__(self, treaty: TreatyText, rel_path: str) -> None:
        self.treaty = treaty
        self.source: TreatySource = treaty.source
        self.rel_path = rel_path

    def article(self, article: Article) -> Iterator[Passage]:
        for paragraph, units in _group_by_paragraph(article.units):
            pid = f"{self.source.id}:art{article.number}:p{paragraph or 0}"
            if _span_length(units) <= MAX_TREATY_PASSAGE_CHARS or not any(u.letter for u in units):
                yield self.passage(
                    units,
                    pid=pid,
                    section="article",
                    article=article,
                    paragraph=paragraph,
                    citation=cite(self.source.name, article.number, paragraph),
                )
                continue
            lead_units, pieces = _split_at_subparagraphs(units)
            lead = _span_text(self.treaty.text, lead_units) if lead_units else ""
            for position, piece in enumerate(pieces):
                letters = [u.letter for u in piece if u.letter]
                sub = letters[0] if letters[0] == letters[-1] else f"{letters[0]}-{letters[-1]}"
                with_lead = position == 0 and bool(lead_units)
                yield self.passage(
                    [*lead_units, *piece] if with_lead else piece,
                    pid=f"{pid}:{sub}",
                    section="article",
                    article=article,
                    paragraph=paragraph,
                    subparagraph=sub,
                    citation=cite(self.source.name, article.number, paragraph, [sub]),
                    lead="" if with_lead else lead,
                )

    def preamble(self, units: list[Unit], section: str) -> Iterator[Passage]:
        for number, group in enumerate(_merge_short(units), start=1):
            yield self.passage(
                group,
                pid=f"{self.source.id}:{'preamble' if section == 'preamble' else 'intro'}:{number}",
                section="preamble" if section == "preamble" else "body",
                citation=f"{self.source.name} Preamble",
                heading="Preamble",
            )

    def passage(
        self,
        units: list[Unit],
        *,
        pid: str,
        section: str,
        citation: str,
        article: Article | None = None,
        paragraph: str | None = None,
        subparagraph: str | None = None,
        heading: str = "",
        lead: str = "",
    ) -> Passage:
        text = self.treaty.text
        start, end = units[0].block.start, units[-1].block.end
        quote = text[start:end]
        if article is not None:
            heading = article.title
            context = f"{self.source.name} Article {article.number}. {article.title}."
        else:
            context = f"{self.source.name} {heading}."
        embed_lead = lead[:MAX_LEAD_EMBED_CHARS]
        return Passage(
            units=quote_units(quote),
            id=pid,
            doc=self.source.id,
            kind="treaty",
            section=section,
            article=article.number if article else None,
            paragraph=paragraph,
            subparagraph=subparagraph,
            title=heading,
            quote=quote,
            lead=lead,
            source=self.rel_path,
            start=start,
            end=end,
            embed_text="\n".join(part for part in (context, embed_lead, quote) if part),
            citation=citation,
            link=self.source.url,
        )


def quote_units(quote: str) -> tuple[tuple[int, int], ...]:
    """The sentences and lettered items of a treaty quote, as (start, end) offsets into it."""
    units: list[tuple[int, int]] = []
    for block in iter_blocks(quote):
        start = block.start
        for match in SENTENCE_BREAK.finditer(block.text):
            end = block.start + match.start(1)
            if not LABEL_ONLY.fullmatch(quote[start:end]):  # a label opens the sentence after it
                units.append((start, end))
                start = block.start + match.end(1)
        units.append((start, block.end))
    return tuple((s, e) for s, e in units if quote[s:e].strip())


def _group_by_paragraph(units: Iterable[Unit]) -> Iterator[tuple[str | None, list[Unit]]]:
    current: list[Unit] = []
    for unit in units:
        if current and unit.paragraph != current[-1].paragraph:
            yield current[0].paragraph, current
            current = []
        current.append(unit)
    if current:
        yield current[0].paragraph, current


def _split_at_subparagraphs(units: list[Unit]) -> tuple[list[Unit], list[list[Unit]]]:
    """Lead-in units (before the first lettered item) and one group per lettered item.

    Only called for paragraphs that have lettered items; one without stays whole."""
    lead: list[Unit] = []
    pieces: list[list[Unit]] = []
    for unit in units:
        if unit.letter is None and not pieces:
            lead.append(unit)
        elif (
            pieces
            and (unit.letter is None or unit.letter == pieces[-1][-1].letter)
            and (unit.roman or unit.continuation or unit.letter is None)
        ):
            pieces[-1].append(unit)
        else:
            pieces.append([unit])
    return lead, pieces


def _merge_short(units: list[Unit]) -> list[list[Unit]]:
    groups: list[list[Unit]] = []
    pending: list[Unit] = []
    for unit in units:
        pending.append(unit)
        if len(unit.text) >= MIN_PREAMBLE_BLOCK_CHARS:
            groups.append(pending)
            pending = []
    if pending:
        if groups:
            groups[-1].extend(pending)
        else:
            groups.append(pending)
    return groups


def _span_length(units: list[Unit]) -> int:
    return units[-1].block.end - units[0].block.start


def _span_text(text: str, units: list[Unit]) -> str:
    return text[units[0].block.start : units[-1].block.end]


def slug(text: str) -> str:
    """'Interpretative note on article 2' -> 'interpretative-note-on-article-2' (for ids)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --- analysis -------------------------------------------------------------------------------


def publisher_short_name(publisher: str) -> str:
    """'Electronic Frontier Foundation (EFF Deeplinks)' -> 'EFF'; 'Lawfare (...)' -> 'Lawfare'."""
    match = re.match(r"^(.*?)\s*\(([^)]*)\)\s*$", publisher)
    if not match:
        return publisher
    head, inner = match.group(1), match.group(2)
    first = inner.split()[0] if inner.split() else ""
    return first if ACRONYM.match(first) else head


def poses_as_treaty_text(publisher: str, title: str) -> bool:
    """Whether a commentary piece names itself like the depositary or its title like a citation."""
    return bool(OFFICIAL_PUBLISHER.match(publisher) or CITATION_LIKE_TITLE.match(title))


def analysis_citation(source: AnalysisSource) -> str:
    citation = f'{publisher_short_name(source.publisher)}, "{source.title}" ({source.date.isoformat()})'
    return f"{POSING_MARK}: {citation}" if poses_as_treaty_text(source.publisher, source.title) else citation


def analysis_passages(source: AnalysisSource, corpus: Corpus) -> Iterator[Passage]:
    text = source.path.read_text(encoding="utf-8")
    _, body_start = split_front_matter(text)
    rel = source.path.relative_to(corpus.root).as_posix()
    citation = analysis_citation(source)
    draft_era = source.date < corpus.final_text_date
    groups = list(_analysis_groups(text, body_start, source))
    for number, (heading, spans) in enumerate(groups, 1):
        start, end = spans
        quote = text[start:end]
        yield Passage(
            id=f"analysis:{source.id}:{number}",
            doc=source.id,
            kind="analysis",
            section="analysis",
            article=None,
            paragraph=None,
            subparagraph=None,
            title=heading,
            quote=quote,
            lead="",
            source=rel,
            start=start,
            end=end,
            embed_text="\n".join(p for p in (source.title + ".", heading, quote) if p),
            citation=citation,
            link=source.url,
            date=source.date.isoformat(),
            draft_era=draft_era,
            excerpt_ends=source.excerpt and number == len(groups),
        )


def _analysis_groups(
    text: str, body_start: int, source: AnalysisSource
) -> Iterator[tuple[str, tuple[int, int]]]:
    """(section heading, (start, end)) for each run of paragraphs under one heading."""
    heading = ""
    run: list[Block] = []
    for block in iter_blocks(text, body_start):
        if block.heading_level:
            yield from _flush(run, heading)
            run = []
            if block.heading.strip() != source.title.strip():
                heading = block.heading
            continue
        if EXCERPT_NOTE.match(block.text):
            continue
        for piece in _sentence_pieces(block):
            if run and piece.end - run[0].start > MAX_ANALYSIS_PASSAGE_CHARS:
                yield from _flush(run, heading)
                run = []
            run.append(piece)
    yield from _flush(run, heading)


def _flush(run: list[Block], heading: str) -> Iterator[tuple[str, tuple[int, int]]]:
    if run:
        yield heading, (run[0].start, run[-1].end)


def _sentence_pieces(block: Block) -> list[Block]:
    """A paragraph, or runs of its sentences when it is longer than a passage may be."""
    if len(block.text) <= MAX_ANALYSIS_PASSAGE_CHARS:
        return [block]
    pieces: list[Block] = []
    piece_start = 0
    cut: tuple[int, int] | None = None  # (end of a sentence, start of the next)
    for match in SENTENCE_BREAK.finditer(block.text):
        if cut and match.start(1) - piece_start > MAX_ANALYSIS_PASSAGE_CHARS:
            pieces.append(_sub_block(block, piece_start, cut[0]))
            piece_start = cut[1]
        cut = (match.start(1), match.end(1))
    pieces.append(_sub_block(block, piece_start, len(block.text)))
    return [part for piece in pieces for part in _word_pieces(piece)]


def _word_pieces(block: Block) -> list[Block]:
    """A piece with no sentence break in reach, cut at the last white space before the limit
    (or at the limit itself, inside a "word" longer than a passage)."""
    pieces: list[Block] = []
    start = 0
    while len(block.text) - start > MAX_ANALYSIS_PASSAGE_CHARS:
        window = block.text[start : start + MAX_ANALYSIS_PASSAGE_CHARS + 1]
        spaces = list(WHITE_SPACE.finditer(window, 1))
        end = spaces[-1].start() if spaces else len(window) - 1
        pieces.append(_sub_block(block, start, start + end))
        start += end
        while block.text[start].isspace():  # the text ends in a non-space: the block is trimmed
            start += 1
    pieces.append(_sub_block(block, start, len(block.text)))
    return pieces


def _sub_block(block: Block, start: int, end: int) -> Block:
    return Block(text=block.text[start:end], start=block.start + start, end=block.start + end)
