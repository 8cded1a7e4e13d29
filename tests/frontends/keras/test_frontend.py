"""The Keras front end: real Keras 3 models (torch backend) read into the summary record."""

from __future__ import annotations

import json

import random

import pytest

keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402

import convlens  # noqa: E402
from convlens import zoo  # noqa: E402
from convlens.frontends.keras import KerasModelError, summary  # noqa: E402


def test_the_tutorial_keras_summary_totals():
    m = zoo.build("keras-tutorial-cnn-keras")
    s = convlens.summary(m)
    assert s.framework == "keras"
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (264_562, 264_262, 300)
    assert [r.params for r in s.layers] == [750, 300, 0, 33_800, 0, 200, 0, 11_275, 100, 0, 0, 205_312, 0, 12_825]
    assert [r.output_shape for r in s.layers] == [tuple(l.output.shape) for l in m.layers]
    assert s.input_shapes == ((None, 28, 28, 1),) and s.output_shapes == ((None, 25),)
    assert not s.errors


def test_functional_model_with_a_residual_add():
    inp = keras.Input((32, 32, 3))
    x = layers.Conv2D(16, 3, padding="same", name="stem")(inp)
    y = layers.Conv2D(16, 3, padding="same", activation="relu", name="branch")(x)
    z = layers.Add(name="add")([x, y])
    z = layers.GlobalAveragePooling2D()(z)
    out = layers.Dense(10)(z)
    m = keras.Model(inp, out)
    s = summary(m)
    add = next(r for r in s.layers if r.name == "add")
    assert add.input_shapes == ((None, 32, 32, 16), (None, 32, 32, 16))
    assert s.total_params == m.count_params() and not s.errors
    assert s.total_macs == 32 * 32 * 16 * 27 + 32 * 32 * 16 * 16 * 9 + 16 * 10


def _random_sequential(rng: random.Random):
    size = rng.choice([8, 15, 28, 32])
    model = [keras.Input((size, size, rng.choice([1, 3])))]
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["conv", "sep", "dw", "pool", "bn", "pad"])
        pad = rng.choice(["same", "valid"])
        if kind == "conv":
            model.append(layers.Conv2D(rng.choice([4, 8]), rng.choice([1, 3, 5]), strides=rng.choice([1, 2]), padding=pad, use_bias=rng.random() < 0.5))
        elif kind == "sep":
            model.append(layers.SeparableConv2D(rng.choice([4, 8]), 3, padding=pad, depth_multiplier=rng.choice([1, 2])))
        elif kind == "dw":
            model.append(layers.DepthwiseConv2D(3, strides=rng.choice([1, 2]), padding=pad))
        elif kind == "pool":
            model.append(rng.choice([layers.MaxPooling2D, layers.AveragePooling2D])(rng.choice([2, 3]), padding=pad))
        elif kind == "bn":
            model.append(layers.BatchNormalization())
        else:
            model.append(layers.ZeroPadding2D(rng.choice([1, (1, 2)])))
    model += [layers.Flatten(), layers.Dense(rng.choice([5, 10]), activation="softmax")]
    return keras.Sequential(model)


def test_random_sequential_models_agree_with_keras():
    rng = random.Random(7)
    checked = 0
    for _ in range(40):
        try:
            m = _random_sequential(rng)
        except ValueError:  # Keras itself refuses (e.g. a valid 5x5 conv on a map smaller than 5)
            continue
        s = summary(m)
        assert not [d for d in s.diagnostics if d.code == "core-disagrees"], [d.message for d in s.diagnostics]
        assert s.total_params == m.count_params()
        checked += 1
    assert checked >= 25


def test_a_layer_convlens_does_not_model_gets_keras_own_row_and_a_note():
    m = keras.Sequential([keras.Input((10, 4)), layers.LSTM(8, name="lstm"), layers.Dense(2)])
    s = summary(m)
    lstm = s.layers[0]
    assert (lstm.name, lstm.type, lstm.output_shape, lstm.params, lstm.macs) == ("lstm", "LSTM", (None, 8), 416, 0)
    assert s.total_params == m.count_params() == 434 and not s.errors
    assert any("lstm (LSTM: shapes and parameters as Keras reports them" in n for n in s.notes)


def test_cli_summary_of_the_keras_zoo_entry(capsys):
    from convlens.cli import main

    assert main(["summary", "zoo:keras-tutorial-cnn-keras"]) == 0
    out = capsys.readouterr().out
    assert "Framework: Keras" in out and "264,562" in out and "(None, 28, 28, 75)" in out


# --- graphs: several inputs and outputs, nested models, shared layers, subclassed models ---------
def _two_headed():
    image = keras.Input((16, 16, 3), name="image")
    meta = keras.Input((5,), name="meta")
    x = layers.Conv2D(8, 3, name="conv")(image)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    both = layers.Concatenate(name="join")([x, meta])
    return keras.Model([image, meta], [layers.Dense(3, name="cls")(both), layers.Dense(1, name="reg")(both)])


def test_several_inputs_and_outputs():
    m = _two_headed()
    s = summary(m)
    assert s.input_shapes == ((None, 16, 16, 3), (None, 5)) and s.output_shapes == ((None, 3), (None, 1))
    rows = {r.name: r for r in s.layers}
    assert rows["join"].input_shapes == ((None, 8), (None, 5)) and rows["join"].output_shape == (None, 13)
    assert rows["meta"].type == "InputLayer" and rows["meta"].output_shape == (None, 5)
    assert s.total_params == m.count_params() == 224 + 42 + 14 and not s.errors


def _nested():
    block = keras.Sequential([layers.Conv2D(8, 3, padding="same", name="c"), layers.BatchNormalization(name="bn")], name="block")
    inp = keras.Input((12, 12, 4))
    x = block(inp)
    x = layers.ReLU(name="act")(x)
    return keras.Model(inp, layers.Dense(2, name="head")(layers.Flatten(name="flat")(x))), block


def test_nested_model_expanded_and_collapsed():
    m, block = _nested()
    expanded = summary(m)
    names = [(r.name, r.depth, r.is_leaf) for r in expanded.layers]
    assert ("block", 0, False) in names and ("block.c", 1, True) in names and ("block.bn", 1, True) in names
    collapsed = summary(m, expand_nested=False)
    row = next(r for r in collapsed.layers if r.name == "block")
    assert row.is_leaf and row.params == block.count_params() == 296 + 32 and row.non_trainable_params == 16
    assert not any(r.name.startswith("block.") for r in collapsed.layers)
    for s in (expanded, collapsed):
        assert (s.total_params, s.non_trainable_params, s.total_macs) == (m.count_params(), 16, expanded.total_macs) and not s.errors


def test_a_shared_layer_is_counted_once():
    shared = layers.Dense(4, name="shared")
    a, b = keras.Input((6,), name="a"), keras.Input((6,), name="b")
    m = keras.Model([a, b], layers.Add(name="sum")([shared(a), shared(b)]))
    s = summary(m)
    calls = [r for r in s.layers if r.name == "shared"]
    assert [c.repeated for c in calls] == [False, True] and [c.params for c in calls] == [28, 0]
    assert s.total_params == m.count_params() == 28 and s.total_macs == 2 * 24 and not s.errors


class _Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv = layers.Conv2D(8, 3, padding="same")
        self.conv2 = layers.Conv2D(8, 3, padding="same")
        self.pool = layers.GlobalAveragePooling2D()
        self.fc = layers.Dense(10)

    def call(self, x):
        y = self.conv(x)
        return self.fc(self.pool(self.conv2(y) + y))


def test_a_subclassed_model_keras_can_build():
    m = _Subclassed()
    m.build((None, 28, 28, 3))
    s = summary(m)
    assert [r.type for r in s.layers] == ["Conv2D", "Conv2D", "ops", "GlobalAveragePooling2D", "Dense"]
    assert s.layers[2].output_shape == (None, 28, 28, 8) and s.output_shapes == ((None, 10),)
    assert s.total_params == m.count_params() == 224 + 584 + 90 and not s.errors


def test_a_model_of_any_input_size_is_shown_as_keras_shows_it_and_costs_need_a_size():
    m = keras.Sequential([keras.Input((None, None, 3)), layers.Conv2D(4, 3), layers.GlobalAveragePooling2D()])
    s = summary(m)
    assert [r.output_shape for r in s.layers] == [(None, None, None, 4), (None, 4)]  # Keras's own, None where free
    assert s.total_params == m.count_params() == 3 * 3 * 3 * 4 + 4 and s.trainable_params == 112 and not s.errors
    assert s.total_macs is None and s.total_flops is None and not s.macs_known and all(r.macs is None for r in s.layers)
    assert s.memory is None and s.receptive_field is None
    assert [n for n in s.notes if "--input 1x224x224x3" in n and "any size (None, None, None, 3)" in n]
    assert json.loads(s.to_json())["total_macs"] is None
    text = str(s)
    assert "needs size" in text and "Total MACs:            unknown: the input size is free; give one (--input)" in text
    assert "| needs size |" in s.to_markdown() and "needs size" in s.to_html()
    assert s.to_csv().splitlines()[1].split(",")[12] == ""  # the macs column empty, not 0
    sized = summary(m, (None, 9, 9, 3))
    assert sized.layers[0].output_shape == (None, 7, 7, 4) and sized.total_macs == 7 * 7 * 4 * 27 and sized.macs_known


def test_a_given_input_size_with_a_free_dimension_is_refused_with_an_example():
    m = keras.Sequential([keras.Input((None, None, 3)), layers.Conv2D(4, 3), layers.GlobalAveragePooling2D()])
    with pytest.raises(KerasModelError, match=r"any size .* give one, e\.g\. --input 1x224x9x3"):
        summary(m, (None, None, 9, 3))


# --- check: the diagnostics a Keras model gets -----------------------------------------------------
def test_dense_after_flatten_at_another_input_size_is_named_with_a_fix():
    m = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3, name="c"), layers.Flatten(name="flat"), layers.Dense(10, name="fc")])
    s = summary(m, (None, 32, 32, 1))
    d = next(d for d in s.errors if d.code == "dense-input")
    assert d.layer == "fc" and "built for 5,408 input features but now receives 7,200 from flat" in d.message
    assert "GlobalAveragePooling2D()" in d.fix
    assert not [d for d in s.errors if d.code == "core-disagrees"]


def test_a_merge_of_mismatched_branches_names_the_layer_and_the_fix():
    inp = keras.Input((None, None, 3))
    a = layers.Conv2D(8, 3, strides=2, name="down")(inp)
    b = layers.MaxPooling2D(2, name="pool")(layers.Conv2D(8, 1, name="proj")(inp))
    m = keras.Model(inp, layers.Add(name="merge")([a, b]))
    s = summary(m, (None, 32, 32, 3))
    assert s.failed and s.errors[0].layer == "merge"
    assert "(None, 15, 15, 8) and (None, 16, 16, 8)" in s.errors[0].message
    assert "down gives (None, 15, 15, 8), pool gives (None, 16, 16, 8)" in s.errors[0].fix and "padding='same'" in s.errors[0].fix
    assert any(d.layer == "down" and "floor drops the last 1 input row" in d.message for d in s.diagnostics)


def test_a_pool_that_floors_away_a_row_is_a_warning_naming_it():
    m = keras.Sequential([keras.Input((7, 7, 2)), layers.MaxPooling2D(2, name="p")])
    s = summary(m)
    assert any(d.severity == "warning" and d.layer == "p" and "drops the last 1" in d.message for d in s.diagnostics)


# --- files and the command line --------------------------------------------------------------------
def _run(*argv):
    import subprocess
    import sys

    env = {**__import__("os").environ, "KERAS_BACKEND": "torch", "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "convlens", *argv], capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_cli_reads_saved_keras_files(tmp_path, suffix):
    m = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3), layers.BatchNormalization(), layers.Flatten(), layers.Dense(10)])
    path = tmp_path / f"m{suffix}"
    m.save(path)
    r = _run("summary", str(path))
    assert r.returncode == 0, r.stderr
    assert "Framework: Keras" in r.stdout and f"{m.count_params():,}" in r.stdout and "(None, 26, 26, 8)" in r.stdout


def test_cli_broken_and_missing_keras_files_are_one_line(tmp_path):
    bad = tmp_path / "bad.keras"
    bad.write_text("not a model")
    for path, words in ((bad, "not a readable Keras model file"), (tmp_path / "none.keras", "no such file")):
        r = _run("summary", str(path))
        assert r.returncode == 2 and words in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_cli_check_of_a_keras_factory(tmp_path):
    src = tmp_path / "net.py"
    src.write_text(
        "import keras\nfrom keras import layers\n\n\n"
        "def build_model():\n"
        "    return keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(4, 3, name='c'), layers.Flatten(name='flat'), layers.Dense(10, name='fc')])\n"
    )
    ok = _run("check", f"{src}:build_model")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = _run("check", f"{src}:build_model", "--input", "1x32x32x1")
    assert bad.returncode == 1 and "dense-input" in bad.stdout and "fc" in bad.stdout


def test_keras_not_installed_is_one_line():
    import subprocess
    import sys

    code = "import sys; sys.modules['keras'] = None; from convlens.cli import main; sys.exit(main(['summary', 'model.keras']))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "Keras is not installed; install it with: pip install keras" in r.stderr and "Traceback" not in r.stderr


def test_receptive_field_training_memory_and_calculation_of_the_tutorial_cnn():
    s = convlens.summary(zoo.build("keras-tutorial-cnn-keras"))
    assert [r.receptive_field["size"] for r in s.layers[:3]] == [[3, 3], [3, 3], [4, 4]]
    assert s.receptive_field["size"] == [22, 22] and s.receptive_field["jump"] == [8, 8]
    # 4 bytes × (264,562 params + 264,262 gradients + 2 × 264,262 Adam moments + 784 input + 168,449 outputs)
    m = s.memory
    assert (m.parameters, m.gradients, m.optimizer, m.inputs, m.activations) == (1_058_248, 1_057_048, 2_114_096, 3_136, 673_796)
    assert "an estimate" in m.formula
    assert "MACs = 784 output positions × 75 filters × 1·3·3 = 529,200" in s.layers[0].calculation


def test_a_model_read_at_a_batch_and_size_of_its_own_choosing():
    block = keras.Sequential([layers.Conv2D(8, 3, padding="same", name="c"), layers.MaxPooling2D(name="p")], name="block")
    inp = keras.Input((None, None, 4))
    m = keras.Model(inp, layers.GlobalAveragePooling2D(name="gap")(block(inp)))
    s = summary(m, (2, 16, 16, 4))
    rows = {r.name: r for r in s.layers}
    assert rows["block"].input_shapes == ((2, 16, 16, 4),) and rows["block"].output_shape == (2, 8, 8, 8)
    assert s.output_shapes == ((2, 8),) and s.total_macs == 2 * 16 * 16 * 8 * 36 and not s.errors
    # at the sizes the tutorial CNN was built for, any batch is still checked against Keras
    t = convlens.summary(zoo.build("keras-tutorial-cnn-keras"), (4, 28, 28, 1))
    assert t.layers[-1].output_shape == (4, 25) and t.total_params == 264_562 and not t.errors


def test_masks_keras_passes_along_are_not_data_inputs():
    inp = keras.Input((20, 8))
    x = layers.Masking(name="mask")(inp)
    x = layers.GlobalAveragePooling1D(name="gap")(x)  # called with mask=...: still one data input
    m = keras.Model(inp, layers.Dense(2, name="fc")(x))
    s = summary(m)
    assert [r.name for r in s.layers] == [m.layers[0].name, "mask", "gap", "fc"]
    assert s.layers[2].connected_to == ("mask",) and s.total_params == m.count_params() == 18 and not s.errors
