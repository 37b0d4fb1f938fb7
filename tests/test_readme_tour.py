"""The README's tour is what the bot answers: regenerated through the engine on the seed
(scripts/readme_tour.py, the same code) and compared, so its examples never go stale."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from bot.engine import Engine

ROOT = Path(__file__).resolve().parents[1]


def _tour_module():
    spec = importlib.util.spec_from_file_location("readme_tour", ROOT / "scripts" / "readme_tour.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_readme_tour_is_what_the_bot_answers(seed_copy, tmp_path: Path) -> None:
    tour = _tour_module()
    engine = Engine.open(seed_copy(tmp_path / "tour.db"), clock=lambda: tour.TOUR_DAY)
    try:
        block = tour.tour(engine)
    finally:
        engine.close()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert tour.current(readme) == block, "the README's tour is stale: run python scripts/readme_tour.py"
    for _what, line in tour.TOUR:  # every example is an answer, not an error or a usage note
        assert f'$ racebot ask "{line}"' in readme
    assert "Sorry, something went wrong" not in block and "Usage:" not in block


def test_the_readme_sets_up_with_two_commands_only() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    shell = setup.split("```sh", 1)[1].split("```", 1)[0]
    assert [ln.split("#")[0].strip() for ln in shell.strip().splitlines()] == ["make run", "make test"]
    for page in ("docs/members.md", "docs/moderators.md", "docs/server-managers.md", "docs/operators.md"):
        assert f"]({page})" in readme and (ROOT / page).exists(), page
