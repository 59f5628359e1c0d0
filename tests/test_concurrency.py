"""The engine answers correctly when several threads ask at once (as the Discord bot does)."""

from concurrent.futures import ThreadPoolExecutor

QUESTIONS = [
    "What is a production order?",
    "Which conduct counts as illegal access to a computer system?",
    "What is the 24/7 network?",
    "How can a country withdraw from the convention?",
]


def test_concurrent_questions_get_the_same_answers_as_sequential_ones(engine):
    expected = {q: [h.passage.id for h in engine.ask(q).hits] for q in QUESTIONS}
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(engine.ask, QUESTIONS * 10))
    for question, answer in zip(QUESTIONS * 10, answers, strict=True):
        assert [h.passage.id for h in answer.hits] == expected[question]
