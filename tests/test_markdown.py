from hypothesis import given
from hypothesis import strategies as st

from index_build.markdown import FrontMatterError, iter_blocks, split_front_matter


def test_front_matter_is_parsed_and_body_offset_returned():
    text = '---\ntitle: "A"\ndate: 2024-07-30\n---\n\n# A\n\nBody.\n'
    meta, start = split_front_matter(text)
    assert meta["title"] == "A"
    assert text[start:].lstrip().startswith("# A")


def test_invalid_front_matter_is_reported():
    try:
        split_front_matter("---\ntitle: [unclosed\n---\nbody")
    except FrontMatterError as exc:
        assert "YAML" in str(exc)
    else:
        raise AssertionError("malformed front matter was accepted")


def test_headings_split_from_paragraphs_without_blank_line():
    blocks = iter_blocks("# Title\nFirst line\nsecond line\n\n## Sub\n\nText")
    assert [(b.heading_level, b.text) for b in blocks] == [
        (1, "# Title"),
        (0, "First line\nsecond line"),
        (2, "## Sub"),
        (0, "Text"),
    ]
    assert blocks[0].heading == "Title"


@given(st.text(alphabet=st.sampled_from(list("ab #\n\t()1.")), max_size=200))
def test_block_offsets_are_exact_slices(text):
    for block in iter_blocks(text):
        assert text[block.start : block.end] == block.text
        assert block.text.strip() == block.text
        assert block.text
