"""``LAYERS`` imports a family of layers on first use: the index in ``core._FAMILIES`` must name
exactly what each family module defines, in the order the registry lists it."""

from __future__ import annotations

import importlib
import subprocess
import sys

import convlens.core as core


def test_the_index_names_exactly_what_each_family_defines():
    for family, names in core._FAMILIES.items():
        module = importlib.import_module(f"convlens.core.{family}")
        defined = ("InputLayer",) if family == "reported" else tuple(core._layer_names(module))
        assert defined == names, family


def test_every_name_is_listed_in_the_families_order():
    listed = list(core.LAYERS)
    assert listed[:len(core._FAMILY_OF)] == [n for names in core._FAMILIES.values() for n in names]
    assert len(core.LAYERS) == len(set(listed)) >= len(core._FAMILY_OF)


def _fresh(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_a_lookup_imports_only_its_family():
    out = _fresh("import sys, convlens.core as c; c.LAYERS['Conv2d']; c.LAYERS.get('ReLU'); "
                 "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('convlens.core.')))")
    families = set(eval(out)) & set(core._FAMILIES)
    assert families == {"conv", "elementwise"}


def test_iterating_loads_all_in_order_whatever_was_looked_up_first():
    out = _fresh("import convlens.core as c; c.LAYERS['Identity']; c.LAYERS.get('Dense'); 'Nope' in c.LAYERS; "
                 "print(list(c.LAYERS) == [n for ns in c._FAMILIES.values() for n in ns], c.close_names('conv2d', c.LAYERS))")
    assert out == "True ['Conv2d', 'Conv2D']"


def test_missing_names_and_aliases():
    assert core.LAYERS.get("Nope") is None and "Nope" not in core.LAYERS and "Conv2d" in core.LAYERS
    assert core.KERAS_ALIASES["Flatten"] is core.LAYERS["KerasFlatten"]
    assert type(core.layer("Flatten", framework="keras")) is core.LAYERS["KerasFlatten"]
