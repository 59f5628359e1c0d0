"""A third instrument is a manifest entry and its file, nothing else: it is parsed, indexed,
named in questions, looked up by article and cited, with no code change."""

import shutil

import pytest
import yaml

from bot.engine.engine import Engine
from index_build.build import build_index
from index_build.sources import MANIFEST_PATH
from index_contract.freshness import check_index

MINI_TREATY = """---
title: "Model Convention on Drone Safety"
articles: 2
---

# Model Convention on Drone Safety

# Preamble

The Parties to this Convention, concerned by unmanned aircraft flying over places of detention,

Have agreed as follows:

## Chapter I. Offences

### Article 1. Flying a drone over a prison

1. Each Party shall establish as a criminal offence the flying of an unmanned aircraft
over a prison without authorization.

2. Each Party may provide that the offence is punishable only where contraband is delivered.

### Article 2. Seizure of drones

Each Party shall empower its competent authorities to seize an unmanned aircraft
used to commit the offence in article 1.
"""


@pytest.fixture(scope="module")
def third(tmp_path_factory, settings):
    root = tmp_path_factory.mktemp("third")
    corpus = root / "corpus"
    shutil.copytree(settings.corpus, corpus)
    (corpus / "treaty").chmod(0o755)
    (corpus / "treaty" / "drones.md").write_text(MINI_TREATY, encoding="utf-8")
    project_data = root / "project-corpus"
    shutil.copytree(MANIFEST_PATH.parent, project_data)
    manifest = project_data / MANIFEST_PATH.name
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    data["treaties"].append(
        {
            "id": "drones",
            "name": "Drone Convention",
            "title": "Model Convention on Drone Safety",
            "url": "https://example.org/drones",
            "path": "treaty/drones.md",
            "articles": 2,
            "aliases": ["Drone Convention", "drone treaty"],
        }
    )
    manifest.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    index = root / "index"
    build_index(corpus, index, settings.model, settings.embedding_cache, manifest_path=manifest)
    assert check_index(corpus, index, settings.model, verify=True).up_to_date
    return Engine.load(index)


def test_the_new_instrument_is_in_the_registry_and_looked_up_by_article(third):
    assert "drones" in third.treaty_ids()
    assert third.treaty_id("drone treaty") == "drones"
    view = third.article(1, "2", treaty="drones")
    assert "punishable only where contraband is delivered" in view.passages[0].quote


def test_a_question_naming_it_is_answered_from_it_with_its_citation(third):
    answer = third.ask("What does the drone treaty say about drones flying over a prison?")
    best = answer.hits[0].passage
    assert not answer.abstained and best.doc == "drones"
    assert best.citation.startswith("Drone Convention Art. 1") and best.link.startswith(
        "https://example.org/drones"
    )


def test_questions_naming_no_treaty_still_default_to_the_first(third):
    answer = third.ask("What is a production order?")
    assert answer.hits[0].passage.doc == "uncc"
