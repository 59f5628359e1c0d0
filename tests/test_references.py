"""Direct references in questions, with the treaty names of the real index's registry."""

import pytest

from index_contract.schema import Provision


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What does Article 41 say?", [Provision("uncc", 41)]),
        ("art. 6", [Provision("uncc", 6)]),
        ("Explain Art 28(3)", [Provision("uncc", 28, "3")]),
        ("What is article 2 (h)?", [Provision("uncc", 2, None, ("h",))]),
        ("Article 28, paragraph 3", [Provision("uncc", 28, "3")]),
        ("paragraph 1 (a) (ii) of article 11", [Provision("uncc", 11, "1", ("a", "ii"))]),
        ("art 11(1)(a)(ii)", [Provision("uncc", 11, "1", ("a", "ii"))]),
        ("articles 7 to 10", [Provision("uncc", n) for n in range(7, 11)]),
        ("Articles 7, 8 and 10 of the Budapest Convention", [Provision("budapest", n) for n in (7, 8, 10)]),
        (
            "Article 2 of the Budapest Convention and Article 7 of the UN treaty",
            [Provision("budapest", 2), Provision("uncc", 7)],
        ),
        ("What is the 24/7 network?", []),
        ("How does article 28 of the UN treaty differ from Budapest?", [Provision("uncc", 28)]),
        ("Compare article 7 with the Budapest Convention", [Provision("uncc", 7)]),
        (
            "How does Budapest art 2 differ from UNCC art 7?",
            [Provision("budapest", 2), Provision("uncc", 7)],
        ),
        ("What does the Budapest Convention say in article 19?", [Provision("budapest", 19)]),
        ("What does § 6 say?", [Provision("uncc", 6)]),
        ("Is there an article 1234?", [Provision("uncc", 1234)]),  # read, so it can be said not to exist
        ("article 4 (all of it)", [Provision("uncc", 4)]),
    ],
)
def test_find_references(engine, question, expected):
    assert engine.reader.references.find(question) == expected


def test_default_treaty_is_the_uncc_unless_budapest_alone_is_named(engine):
    about = engine.registry.about
    assert about("What is illegal access?") == "uncc"
    assert about("How does the Budapest Convention define illegal access?") == "budapest"
    assert about("How does the ETS no 185 define illegal access?") == "budapest"
    assert about("Compare the Budapest Convention and the UNCC") == "uncc"
