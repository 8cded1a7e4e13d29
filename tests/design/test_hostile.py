"""No file or value can stall convlens: every hostile spec is refused within a second, exit 2, at file:line:column."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from convlens import design

from .hostile import HOSTILE, alias_bomb


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_spec_is_refused_at_once_with_its_position(name):
    text, line, column, words = HOSTILE[name]
    start = time.perf_counter()
    with pytest.raises(design.SpecError) as info:
        design.loads(text, "net.yaml")
    elapsed = time.perf_counter() - start
    assert (info.value.line, info.value.column) == (line, column), str(info.value)
    assert words in info.value.reason and str(info.value).startswith(f"net.yaml:{line}:{column}: ")
    assert elapsed < 5, f"{name}: {elapsed:.1f} s"  # a generous bound for a loaded machine; they took minutes, or forever


@pytest.mark.parametrize("name", ["alias bomb", "empty block repeated 10**12 times", "a product of 20,000 factors", "an integer of 5,000 digits"])
def test_the_cli_refuses_them_in_one_line_with_exit_2(tmp_path, name):
    text, line, column, words = HOSTILE[name]
    path = tmp_path / "net.yaml"
    path.write_text(text)
    p = subprocess.run([sys.executable, "-m", "convlens", "summary", str(path)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, p.stderr
    assert p.stderr.strip() == p.stderr.strip().splitlines()[0] and f"{path}:{line}:{column}: " in p.stderr and words in p.stderr
    assert "Traceback" not in p.stderr


def test_the_same_limits_hold_for_a_json_spec(tmp_path):
    path = tmp_path / "net.json"
    path.write_text('{"input": [1, 3, 8, 8],\n "layers": [{"type": "Flatten"}, {"type": "Linear", "in_features": ' + "9" * 5000 + ', "out_features": 3}]}')
    with pytest.raises(design.SpecError) as info:
        design.load(path)
    assert (info.value.line, info.value.column) == (2, 68) and "5,000 characters" in info.value.reason


@pytest.mark.parametrize("text", [
    "input: &shape [1, 3, 8, 8]\nlayers:\n  - &relu {type: ReLU}\n  - *relu\n  - {type: Flatten}\n  - {type: Linear, in_features: 192, out_features: 3}\n",
    "input: [1, 3, 8, 8]\nblocks: {nothing: {layers: []}}\nlayers:\n  - {type: ReLU}\n  - {block: nothing, repeat: 10000}\n",  # empty blocks, within the limits
    "input: [1, 3, 8, 8]\nlayers:\n  - {type: ReLU, repeat: 10000}\n",  # exactly the most layers
    "input: [1, 3, 8, 8]\nlayers:\n  - {type: Flatten}\n  - {type: Linear, in_features: '" + "*".join(["2"] * 6) + "*3', out_features: 1000000000000000000}\n",
    "input: [1, 3, 8, 8]\nlayers:\n" + "".join(f"  - branches: [[{{type: ReLU}}], [{{type: ReLU}}]]\n    merge: add\n" for _ in range(30)),
])
def test_correct_unusual_specs_stay_within_the_limits(text):
    spec = design.loads(text, "net.yaml")
    assert spec.nodes and not design.summary(spec).errors


def test_aliases_within_the_limit_are_read_in_full():
    doc, _ = design.read(alias_bomb(levels=4), "net.yaml")  # 9**5 values through aliases: under the limit
    assert len(doc["a4"]) == 9 and all(len(a3) == 9 for a3 in doc["a4"])
    assert doc["a4"][8][8][8][8] == [1, 2, 3, 4, 5, 6, 7, 8, 9]


def test_an_output_past_int64_is_a_diagnosis_of_the_layer_not_a_crash():
    spec = design.loads("input: [1, 3, 8, 8]\nlayers:\n  - {type: Upsample, scale_factor: 1000000, repeat: 2000}\n", "net.yaml")
    s = design.summary(spec)
    assert s.errors and "larger than 2**63 - 1" in s.errors[0].message and s.errors[0].source == "net.yaml:3:5"
