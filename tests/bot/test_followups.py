"""Follow-ups and refinement: which article answers, given context."""

from __future__ import annotations

import pytest

from bot.followups import follow_up, refine


@pytest.mark.parametrize(
    ("last", "mentioned", "expected"),
    [
        ("side-effects-overview", ["car-t-cells"], "side-effects-car-t"),
        ("side-effects-skin", ["car-t-cells"], "side-effects-car-t"),
        ("side-effects-digestive", ["cancer-vaccines"], "side-effects-vaccines"),
        ("side-effects-lungs", ["checkpoint-inhibitors"], "side-effects-overview"),
        ("side-effects-skin", ["side-effects-liver"], "side-effects-liver"),
        ("checkpoint-inhibitors", ["car-t-cells"], "car-t-cells"),
        (None, ["cancer-vaccines"], "cancer-vaccines"),
        ("side-effects-overview", [], None),
    ],
)
def test_follow_up_uses_the_last_answer(
    last: str | None, mentioned: list[str], expected: str | None
) -> None:
    assert follow_up(last, mentioned) == expected


def test_refine_narrows_general_side_effects_to_the_therapy_named() -> None:
    assert refine("side-effects-overview", ["car-t-cells"]) == "side-effects-car-t"
    assert refine("side-effects-overview", ["checkpoint-inhibitors"]) == "side-effects-overview"
    assert refine("car-t-cells", ["cancer-vaccines"]) == "car-t-cells"
