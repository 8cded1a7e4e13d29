"""Teaching convlens a custom Keras layer (``frontends.keras.layers.register``).

Unregistered, a layer of the user's is read as Keras reports it (shape and weights, MACs not
counted, a note). Registered, it is the core layer the handler gives: the core's MACs, and its
shape and parameter count checked against what Keras itself reports.
"""

from __future__ import annotations

import pytest

keras = pytest.importorskip("keras")

import convlens  # noqa: E402
from convlens import core  # noqa: E402
from convlens.frontends.keras import layers  # noqa: E402


class Project(keras.layers.Layer):
    """A dense projection written by hand: its own kernel and bias, a matmul in call()."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, shape):
        self.kernel = self.add_weight(shape=(shape[-1], self.units), name="kernel")
        self.bias = self.add_weight(shape=(self.units,), name="bias")

    def call(self, x):
        return keras.ops.matmul(x, self.kernel) + self.bias


def model():
    return keras.Sequential([keras.Input((6, 6, 3)), keras.layers.Conv2D(4, 3), keras.layers.Flatten(), Project(7, name="mine")])


@pytest.fixture
def unregister():
    yield
    layers.unregister(Project)


def test_an_unregistered_custom_layer_is_read_as_keras_reports_it():
    s = convlens.summary(model())
    mine = next(r for r in s.layers if r.name == "mine")
    assert mine.output_shape == (None, 7) and mine.macs == 0
    assert any(n.startswith("mine (Project: ") for n in s.notes)


def test_a_registered_custom_layer_is_its_core_layer_checked_against_keras(unregister):
    layers.register(Project, lambda layer: core.layer("Dense", layer.units, framework="keras"))
    m = model()
    s = convlens.summary(m)
    mine = next(r for r in s.layers if r.name == "mine")
    assert mine.output_shape == tuple(m.layers[-1].output.shape) == (None, 7)
    assert sum(w.numel for w in mine.weights) == m.layers[-1].count_params() == 64 * 7 + 7
    assert mine.macs == 64 * 7 and mine.calculation
    assert not s.diagnostics and not any(n.startswith("mine (") for n in s.notes)


def test_a_handler_that_disagrees_with_keras_is_reported(unregister):
    layers.register(Project, lambda layer: core.layer("Dense", layer.units + 1, framework="keras"))
    s = convlens.summary(model())
    assert [d.severity for d in s.diagnostics if d.layer == "mine"] and all(d.severity == "error" for d in s.diagnostics)


def test_a_handler_that_fails_leaves_the_layer_as_keras_reports_it(unregister):
    layers.register(Project, lambda layer: core.layer("Dense", framework="keras"))  # units missing: a LayerError
    s = convlens.summary(model())
    assert next(r for r in s.layers if r.name == "mine").macs == 0
    assert any("registered handler failed" in n for n in s.notes)


def test_register_refuses_an_instance():
    with pytest.raises(layers.RegistrationError, match="must be a Keras layer class"):
        layers.register(Project(3), lambda layer: None)
