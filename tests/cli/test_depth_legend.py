"""The legend under a table cut by --depth counts in the user's numbering (torchinfo's: 1 = top-level layers)."""

import pytest

from convlens.cli import main

pytest.importorskip("torch")


@pytest.mark.parametrize("depth, shown_types, legend", [
    ("1", {"Sequential"}, "rows below depth 1 are hidden; containers and totals include them."),
    ("2", {"BasicBlock"}, "rows below depth 2 are hidden; containers and totals include them."),
])
def test_depth_legend_uses_the_depth_typed(capsys, depth, shown_types, legend):
    assert main(["summary", "zoo:resnet18", "--depth", depth]) == 0
    out = capsys.readouterr().out
    assert legend in out
    assert all(f"({t})" in out for t in shown_types)
    assert ("(BasicBlock)" in out) == (depth == "2")  # depth 1 shows layer1..layer4, not their blocks
