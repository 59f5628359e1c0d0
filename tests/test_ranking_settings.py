"""Ranking settings: defaults in code, a config section and `eval --set` overrides, checked."""

import pytest

from bot.cli import EXIT_OK, EXIT_USAGE, main
from bot.engine.ranking_settings import DEFAULT_RANKING, SettingsError


def test_assignments_replace_settings_with_their_own_types() -> None:
    changed = DEFAULT_RANKING.assigned(["bm25_weight=2.5", "max_shown = 2"])
    assert changed.bm25_weight == 2.5 and changed.max_shown == 2 and isinstance(changed.max_shown, int)
    assert changed.rrf_k == DEFAULT_RANKING.rrf_k


@pytest.mark.parametrize(
    ("assignment", "says"),
    [
        ("bm25_wieght=1", "No ranking setting 'bm25_wieght'"),
        ("max_shown=1.5", "whole number"),
        ("bm25_weight=nan", "from 0 to"),
        ("bm25_weight=-1", "from 0 to"),
        ("bm25_weight", "is not name=value"),
        ("max_shown=" + "9" * 400, "from 0 to"),
    ],
)
def test_a_bad_assignment_is_named(assignment: str, says: str) -> None:
    with pytest.raises(SettingsError, match=says):
        DEFAULT_RANKING.assigned([assignment])


def test_eval_sweeps_a_setting_without_editing_code(index_dir, dev_questions, tmp_path, capsys) -> None:
    import json

    from tests.conftest import DEV_QUESTIONS

    def mrr(*extra: str) -> float:
        status = main(["--index", str(index_dir), "eval", str(DEV_QUESTIONS), "--json", *extra])
        assert status == EXIT_OK
        return json.loads(capsys.readouterr().out)["bm25"]["mrr@10"]

    assert mrr() != mrr("--set", "bm25_weight=0", "--set", "description_bm25_weight=0")
    assert main(["--index", str(index_dir), "eval", str(DEV_QUESTIONS), "--set", "nope=1"]) == EXIT_USAGE


def test_the_config_file_sets_ranking(index_dir, tmp_path, capsys) -> None:
    config = tmp_path / "treatybot.yaml"
    config.write_text("ranking:\n  max_shown: many\n", encoding="utf-8")
    assert main(["--config", str(config), "--index", str(index_dir), "ask", "extradition"]) == EXIT_USAGE
    assert "max_shown must be a whole number" in capsys.readouterr().err
