"""Follow-ups and refinement: which article answers, given context."""

from __future__ import annotations

import pytest

from bot.kb.followups import follow_up, refine


@pytest.mark.parametrize(
    ("last", "mentioned", "expected"),
    [
        ("side-effects-overview", ["car-t-cells"], "side-effects-car-t"),
        ("side-effects-skin", ["car-t-cells"], "side-effects-car-t"),
        ("side-effects-digestive", ["cancer-vaccines"], "side-effects-vaccines"),
        ("side-effects-skin", ["bispecific-antibodies"], "bispecific-antibodies"),
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


@pytest.mark.parametrize(
    ("slug", "mentioned", "expected"),
    [
        ("side-effects-overview", ["car-t-cells"], "side-effects-car-t"),
        ("side-effects-overview", ["checkpoint-inhibitors"], "side-effects-overview"),
        ("side-effects-overview", ["bispecific-antibodies"], "bispecific-antibodies"),
        (
            "side-effects-overview",
            ["side-effects-liver", "side-effects-overview"],
            "side-effects-liver",
        ),
        (
            "side-effects-overview",
            ["side-effects-overview", "side-effects-skin"],
            "side-effects-skin",
        ),
        ("car-t-cells", ["cancer-vaccines"], "car-t-cells"),
        ("not-understood", ["immunotherapy-basics", "side-effects-liver"], "side-effects-liver"),
        ("not-understood", ["immunotherapy-basics", "car-t-cells"], "car-t-cells"),
        ("not-understood", ["immunotherapy-basics"], "immunotherapy-basics"),
        ("not-understood", [], "not-understood"),
    ],
)
def test_refine_narrows_to_the_most_specific_topic_named(
    slug: str, mentioned: list[str], expected: str
) -> None:
    assert refine(slug, mentioned) == expected
