"""The dev-set retrieval targets, measured with the real index and model."""

import pytest

from bot.engine.evaluate import evaluate, load_questions
from bot.engine.retrieval import Method
from tests.conftest import DEV_QUESTIONS


@pytest.fixture(scope="module")
def metrics(engine):
    reports = evaluate(engine, load_questions(DEV_QUESTIONS))
    return {report.method: report.metrics() for report in reports}


def test_hybrid_meets_the_targets(metrics):
    hybrid = metrics[Method.HYBRID]
    assert hybrid["recall@5"] >= 0.95
    assert hybrid["mrr@10"] >= 0.85
    assert hybrid["refused_out_of_scope"] == 1.0
    assert hybrid["refused_in_scope"] <= 0.05


def test_hybrid_is_clearly_ahead_of_each_single_retriever(metrics):
    for single in (Method.BM25, Method.DENSE):
        assert metrics[Method.HYBRID]["mrr@10"] >= metrics[single]["mrr@10"] + 0.03
        assert metrics[Method.HYBRID]["recall@5"] >= metrics[single]["recall@5"]
