"""Every ``keras.applications`` model that builds with ``weights=None``, layer by layer, against Keras.

The constructors are enumerated from ``keras.applications`` itself, so a model Keras adds is
tested without editing this file. Each is built at the smallest input it accepts (32×32×3, or
75×75×3 for the Inception family and 71×71×3 for Xception: ``SIZES``) with ``include_top=True``
and ``classes=10``, so the classifier head is checked too. For every layer (nested models
included) the row's output shape and parameter count must equal Keras's, and the totals
(total/trainable/non-trainable) must equal ``model.count_params()`` and Keras's own split.

One member of every family runs by default (``DEFAULT``, ~1 min on a loaded 2-core box); the
rest are marked ``keras_all`` and run with ``pytest --keras-all`` (~5 min more).
MACs are checked against the model's own forward on the torch backend under
``torch.utils.flop_counter.FlopCounterMode`` (which counts 2 per multiply-accumulate of
conv/linear/matmul and nothing else — the convention of ``core.costs``), within 0.5 %.
"""

from __future__ import annotations

import inspect
import warnings

import pytest

keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

from convlens.frontends.keras import KerasModelError, summary  # noqa: E402

SIZES = {"InceptionV3": 75, "InceptionResNetV2": 75, "Xception": 71}  # the smallest each accepts; the rest take 32
# Keras refuses these on the torch backend ("not available with the torch backend ... outstanding bug")
UNAVAILABLE_ON_TORCH = {"NASNetMobile"}
# one member per family, run by default
DEFAULT = {
    "ConvNeXtTiny", "DenseNet121", "EfficientNetB0", "EfficientNetV2B0", "InceptionResNetV2", "InceptionV3",
    "MobileNet", "MobileNetV2", "MobileNetV3Small", "NASNetLarge", "ResNet50", "ResNet50V2", "VGG16", "VGG19", "Xception",
}
CONSTRUCTORS = sorted(n for n, f in vars(keras.applications).items() if inspect.isfunction(f) and n[:1].isupper())


def _params():
    for name in CONSTRUCTORS:
        marks = [] if name in DEFAULT else [pytest.mark.keras_all]
        if name in UNAVAILABLE_ON_TORCH:
            marks.append(pytest.mark.skip(reason=f"keras.applications.{name} does not build on the torch backend"))
        yield pytest.param(name, marks=marks, id=name)


def build(name):
    size = SIZES.get(name, 32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(keras.applications, name)(weights=None, include_top=True, input_shape=(size, size, 3), classes=10), size


def keras_layers(model, prefix=""):
    """(row name, layer) for every layer, nested models walked in place as convlens names them."""
    for layer in model.layers:
        yield prefix + layer.name, layer
        if isinstance(layer, keras.Model):
            yield from keras_layers(layer, prefix + layer.name + ".")


def test_every_constructor_is_enumerated():
    assert len(CONSTRUCTORS) >= 40 and {"ResNet50", "MobileNetV2", "EfficientNetB0", "ConvNeXtTiny"} <= set(CONSTRUCTORS)
    assert DEFAULT <= set(CONSTRUCTORS)
    family = lambda n: getattr(keras.applications, n).__module__  # noqa: E731 - keras.src.applications.resnet_v2, ...
    assert {family(n) for n in CONSTRUCTORS} == {family(n) for n in DEFAULT}, "one member of every family runs by default"


@pytest.mark.parametrize("name", list(_params()))
def test_application_matches_keras(name):
    model, size = build(name)
    s = summary(model)
    rows = {r.name: r for r in s.layers}
    checked = 0
    for path, layer in keras_layers(model):
        row = rows[path]
        assert tuple(row.output_shape) == tuple(layer.output.shape), f"{name} {path}: {row.output_shape} != Keras {layer.output.shape}"
        shown = row.params if row.is_leaf else sum(r.params for r in s.layers if r.name.startswith(path + "."))
        assert shown == layer.count_params(), f"{name} {path}: {shown} params != Keras {layer.count_params()}"
        checked += 1
    assert checked == len(list(keras_layers(model))) > 10
    trainable = sum(int(torch.tensor(w.shape).prod()) for w in model.trainable_weights)
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (model.count_params(), trainable, model.count_params() - trainable)
    assert not s.errors, [d.message for d in s.errors]
    assert not [n for n in s.notes if "as Keras reports them" in n], "every layer of keras.applications has a core formula"
    assert s.input_shapes == ((None, size, size, 3),) and s.output_shapes == ((None, 10),)

    if name in MACS_MODELS:
        check_macs(name, model, size, s.total_macs)


# MACs are checked on these (each also in DEFAULT): the forward pass is the slow part
MACS_MODELS = {"ResNet50", "MobileNetV2", "EfficientNetB0", "ConvNeXtTiny", "MobileNetV3Small", "InceptionV3", "VGG16", "Xception"}


def check_macs(name, model, size, macs):
    """The model's own forward on the torch backend, counted by FlopCounterMode and halved."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(1, size, size, 3), training=False)
    truth = counter.get_total_flops() / 2
    assert truth > 0 and abs(macs - truth) <= 0.005 * truth, f"{name}: convlens {macs:,} MACs, FlopCounterMode/2 {truth:,.0f}"


# Keras builds these at a free size, but the graph it builds (NASNet's cell adjustment compares None sizes)
# lines up at no size: Keras's own forward fails at 224 and 331 too ("Add" of 27×27 and 55×55), so convlens
# says so instead of a table
NO_SIZE_FITS = {"NASNetLarge"}


def free_size(name):
    """The model at Keras's free input size (None, None, None, 3), or None where it needs a size: headless
    (include_top=False), except MobileNetV3, whose classifier takes any size."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            top = name.startswith("MobileNetV3")
            model = getattr(keras.applications, name)(weights=None, include_top=top, **({} if top else {"pooling": "avg"}))
        except ValueError:  # "the input shape must be given" (NASNet)
            return None
    return model if any(d is None for d in model.inputs[0].shape[1:]) else None


@pytest.mark.parametrize("name", list(_params()))
def test_application_of_free_input_size_is_summarised_as_keras_counts(name):
    model = free_size(name)
    if model is None:
        pytest.skip(f"keras.applications.{name} needs an input size")
    if name in NO_SIZE_FITS:
        with pytest.raises(KerasModelError, match=r"any size .* do not line up: .* cannot be added"):
            summary(model)
        return
    s = summary(model)
    trainable = sum(int(torch.tensor(w.shape).prod()) for w in model.trainable_weights)
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (model.count_params(), trainable, model.count_params() - trainable)
    rows = {r.name: r for r in s.layers}
    for path, layer in keras_layers(model):
        assert tuple(rows[path].output_shape) == tuple(layer.output.shape), path  # None where Keras has None
        if rows[path].is_leaf:
            assert rows[path].params == layer.count_params(), path
    assert not s.errors, [d.message for d in s.errors]
    assert s.total_macs is None and s.input_shapes == (tuple(model.inputs[0].shape),)
    assert sum("--input 1x224x224x3" in n for n in s.notes) == 1


def test_mobilenetv3_of_free_size_is_among_them():
    assert {"MobileNetV3Large", "MobileNetV3Small"} <= set(CONSTRUCTORS)
    for name in ("MobileNetV3Large", "MobileNetV3Small"):
        model = free_size(name)
        assert model is not None and tuple(model.inputs[0].shape) == (None, None, None, 3)
        assert summary(model).output_shapes == ((None, 1000),)


def test_the_macs_models_run_by_default():
    assert MACS_MODELS <= DEFAULT
