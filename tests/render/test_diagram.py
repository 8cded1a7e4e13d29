"""`convlens draw` and ``render.diagram``: the picture's structure (not its pixels), read back from the SVG.

Graphviz keeps every node's id and title in the SVG (``<g id="row12" class="node"><title>row12</title>``,
12 being the row's index in ``summary.layers``) and every edge's title (``row3->row4``), so the
tests parse what ``dot`` wrote and compare it with the record, with the model itself, or with the
spec file it was drawn from.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("graphviz", reason="the graphviz Python package is not installed (pip install 'convlens[draw]')")
if shutil.which("dot") is None:
    pytest.skip("Graphviz's dot is not installed (sh .ci/system-packages)", allow_module_level=True)

import convlens  # noqa: E402
from convlens.render import diagram  # noqa: E402
from convlens.render._format import count, shape as spell, thousands  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"
EXAMPLES = Path(convlens.__file__).parent / "design" / "examples"


def parse(svg: str):
    """(nodes: id -> their text, edges: {(source, target): [labels]}, clusters: id -> text) of a dot SVG."""
    root = ET.fromstring(svg)
    nodes, edges, clusters = {}, {}, {}
    for g in root.iter(f"{SVG}g"):
        cls, title = g.get("class"), g.findtext(f"{SVG}title")
        text = " ".join(t.text or "" for t in g.iter(f"{SVG}text"))
        if cls == "node":
            nodes[title] = text
        elif cls == "edge":
            a, b = title.split("->")
            edges.setdefault((a, b), []).append(text.strip())
        elif cls == "cluster":
            clusters[g.get("id")] = text
    return nodes, edges, clusters


def row_id(s, name, nth=0) -> str:
    return f"row{[i for i, r in enumerate(s.layers) if r.name == name][nth]}"


def node_colour(svg: str, node_id: str) -> str | None:
    root = ET.fromstring(svg)
    g = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "node" and g.findtext(f"{SVG}title") == node_id)
    return next((p.get("stroke") for p in g.iter() if p.tag in (f"{SVG}path", f"{SVG}polygon")), None)


@pytest.fixture(scope="module")
def seed():
    return convlens.summary("zoo:residual-cnn-as-written")


@pytest.fixture(scope="module")
def resnet152():
    return convlens.summary("zoo:resnet152")


# --- torch ---------------------------------------------------------------------------------------
def test_nodes_are_the_rows_with_their_name_type_shape_and_params(seed):
    nodes, _, clusters = parse(diagram.render(seed))
    leaves = {f"row{i}": r for i, r in enumerate(seed.layers) if r.is_leaf}
    assert set(nodes) == set(leaves) | {"input"}
    for node_id, r in leaves.items():
        text = nodes[node_id]
        assert r.name in text and r.type in text
        assert ("FAILED" if r.failed else spell(r.output_shape)) in text
        assert (f"{thousands(r.params)} params" if r.params else "no params") in text
    # the containers whose children are drawn are boxes around them, with their subtree's parameters
    assert set(clusters) == {"cluster_" + row_id(seed, "resblock1"), "cluster_" + row_id(seed, "resblock2")}
    assert "57,536 params" in clusters["cluster_" + row_id(seed, "resblock1")]


def test_edges_are_the_recorded_connections_with_the_shapes(seed):
    _, edges, _ = parse(diagram.render(seed))
    pool1, add1 = row_id(seed, "pool", 0), row_id(seed, "resblock1/add")
    # the shortcut and the main path both read the first pool; the sum reads both ends
    assert (pool1, row_id(seed, "resblock1.shortcut")) in edges and (pool1, row_id(seed, "resblock1.conv1")) in edges
    assert (row_id(seed, "resblock1.conv2"), add1) in edges and (row_id(seed, "resblock1.shortcut"), add1) in edges
    assert edges[("input", row_id(seed, "conv1"))] == ["[1, 1, 28, 28]"]
    assert edges[(row_id(seed, "view"), row_id(seed, "fc1"))] == ["[1, 1152]"]
    # as many edges as connections between rows (every row here reads one tensor, the sums two)
    assert len(edges) == sum(len(r.connected_to) for r in seed.layers if r.is_leaf)


def test_the_broken_row_is_marked_with_its_message(seed):
    svg = diagram.render(seed)
    nodes, _, _ = parse(svg)
    fc1 = row_id(seed, "fc1")
    assert "1,152" in nodes[fc1] and "6,272" in nodes[fc1] and "FAILED" in nodes[fc1]
    assert node_colour(svg, fc1) == diagram.ERROR_COLOUR
    assert node_colour(svg, row_id(seed, "pool", 2)) == diagram.WARNING_COLOUR  # the floor that drops a row
    assert node_colour(svg, row_id(seed, "conv1")) != diagram.ERROR_COLOUR
    assert "2 errors, 2 warnings" in svg and "3,504,522" in svg  # the caption: totals and diagnostics


def test_hidden_rows_lift_their_edges_to_the_visible_container(seed):
    nodes, edges, clusters = parse(diagram.render(seed, depth=0))
    top = {f"row{i}" for i, r in enumerate(seed.layers) if r.depth == 0}
    assert set(nodes) == top | {"input"} and not clusters
    r1, r2 = row_id(seed, "resblock1"), row_id(seed, "resblock2")
    assert (row_id(seed, "pool", 0), r1) in edges and (r1, row_id(seed, "pool", 1)) in edges
    assert (row_id(seed, "pool", 1), r2) in edges and len(edges[(row_id(seed, "pool", 1), r2)]) == 1
    assert "57,536 params" in nodes[r1]  # the block's parameters, summed from its rows


def _resnet_block_params(stage: int, blocks: slice) -> int:
    import torch

    with torch.device("meta"):
        model = convlens.zoo.build("resnet152")
    return sum(p.numel() for b in getattr(model, f"layer{stage}")[blocks] for p in b.parameters())


def test_repeated_blocks_fold_into_one_node_with_their_count_and_total(resnet152):
    d = diagram.graph(resnet152, depth=1)
    folded = {n.name: n for n in d.nodes if n.count > 1}
    assert {name: n.count for name, n in folded.items()} == {
        "layer1.1 … layer1.2": 2, "layer2.1 … layer2.7": 7, "layer3.1 … layer3.35": 35, "layer4.1 … layer4.2": 2}
    truth = _resnet_block_params(3, slice(1, None))  # from the model itself
    assert folded["layer3.1 … layer3.35"].params == truth
    nodes, edges, _ = parse(diagram.render(resnet152, depth=1))
    n3 = folded["layer3.1 … layer3.35"].id
    assert "×35" in nodes[n3] and f"{count(truth)} params in all" in nodes[n3]
    # the first block of a stage (it downsamples: other shapes) stays on its own, and feeds the run
    assert (row_id(resnet152, "layer3.0"), n3) in edges and (n3, row_id(resnet152, "layer4.0")) in edges
    outside = sum(1 for r in resnet152.layers if r.depth == 0 and not r.name.startswith("layer"))  # stem, pool, flatten, fc
    assert len(nodes) == 1 + outside + 4 * 2  # the input, those, and per stage its first block and the run


def test_a_deeper_depth_unfolds_the_blocks(resnet152):
    d = diagram.graph(resnet152, depth=2)
    assert all(n.count == 1 for n in d.nodes)
    assert sum(1 for c in d.clusters if c.name.startswith("layer3.")) == 36


def test_parallel_branches_of_the_same_shape_are_not_folded():
    import torch.nn as nn

    class Twins(nn.Module):  # two identical blocks reading the same input: side by side, not in series
        def __init__(self):
            super().__init__()
            self.a = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1), nn.ReLU())
            self.b = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1), nn.ReLU())

        def forward(self, x):
            return self.a(x) + self.b(x)

    d = diagram.graph(convlens.summary(Twins(), (1, 4, 8, 8)), depth=0)
    assert [n.count for n in d.nodes] == [1, 1, 1, 1]


def test_inception_concat_reads_every_branch():
    import torch
    import torch.nn as nn

    class Inception(nn.Module):
        def __init__(self):
            super().__init__()
            self.b1 = nn.Conv2d(8, 4, 1)
            self.b2 = nn.Sequential(nn.Conv2d(8, 4, 1), nn.Conv2d(4, 6, 3, padding=1))
            self.b3 = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(8, 3, 1))

        def forward(self, x):
            return torch.cat([self.b1(x), self.b2(x), self.b3(x)], dim=1)

    s = convlens.summary(Inception(), (1, 8, 12, 12))
    _, edges, _ = parse(diagram.render(s, depth=0))
    cat = row_id(s, "cat")
    assert {a for a, b in edges if b == cat} == {row_id(s, "b1"), row_id(s, "b2"), row_id(s, "b3")}
    assert {b for a, b in edges if a == "input"} == {row_id(s, "b1"), row_id(s, "b2"), row_id(s, "b3")}
    assert edges[(row_id(s, "b2"), cat)] == ["[1, 6, 12, 12]"]


# --- Keras and spec files --------------------------------------------------------------------------
def test_keras_functional_graph_with_a_branch():
    keras = pytest.importorskip("keras")
    inp = keras.Input((16, 16, 3), name="image")
    x = keras.layers.Conv2D(8, 3, padding="same", name="stem")(inp)
    a = keras.layers.Conv2D(8, 3, padding="same", name="left")(x)
    b = keras.layers.Conv2D(8, 1, name="right")(x)
    y = keras.layers.Add(name="merge")([a, b])
    out = keras.layers.Dense(2, name="head")(keras.layers.GlobalAveragePooling2D(name="gap")(y))
    model = keras.Model(inp, out)
    s = convlens.summary(model)
    nodes, edges, _ = parse(diagram.render(s))
    ids = {r.name: f"row{i}" for i, r in enumerate(s.layers)}
    # Keras's own graph: each layer's inbound layers
    truth = {(ids[src.name], ids[layer.name]) for layer in model.layers for node in layer._inbound_nodes
             for src in (t._keras_history[0] for t in keras.tree.flatten(node.input_tensors)) if src.name in ids}
    drawn = {(a, b) for a, b in edges if a in ids.values() and b in ids.values()}
    assert drawn == truth
    assert (ids["stem"], ids["left"]) in drawn and (ids["stem"], ids["right"]) in drawn
    assert "(None, 16, 16, 8)" in nodes[ids["left"]] and f"{thousands(model.get_layer('left').count_params())} params" in nodes[ids["left"]]


def _spec_edges(path: Path):
    """The connections the spec file itself states: branches read the input of their layer, the merge reads the branch ends."""
    import yaml

    spec = yaml.safe_load(path.read_text())
    entry = spec["layers"][0]
    ends, firsts = [], []
    for branch in entry["branches"]:
        firsts.append(branch[0]["name"])
        ends.append(branch[-1]["name"])
    return entry["name"], firsts, ends


def test_spec_file_inception_draws_its_branches():
    path = EXAMPLES / "inception.yaml"
    s = convlens.summary(str(path))
    merge, firsts, ends = _spec_edges(path)
    nodes, edges, _ = parse(diagram.render(s))
    by_name = {r.name: f"row{i}" for i, r in enumerate(s.layers)}
    # a block reference expands to <name>.conv, <name>.relu: the branch's first row starts with its name
    first_rows = {next(i for n, i in by_name.items() if n == f or n.startswith(f + ".")) for f in firsts}
    end_rows = {[i for n, i in by_name.items() if n == e or n.startswith(e + ".")][-1] for e in ends}
    assert {b for a, b in edges if a == "input"} == first_rows
    assert {a for a, b in edges if b == by_name[merge]} == end_rows
    assert "[1, 256, 28, 28]" in nodes[by_name[merge]]


def test_spec_file_that_fails_marks_the_failing_row():
    s = convlens.summary(str(EXAMPLES / "residual-cnn-as-written.yaml"))
    bad = next(i for i, r in enumerate(s.layers) if r.failed)
    svg = diagram.render(s)
    nodes, edges, _ = parse(svg)
    assert node_colour(svg, f"row{bad}") == diagram.ERROR_COLOUR and "1152" in nodes[f"row{bad}"].replace(",", "")
    assert any(b == f"row{bad}" for _, b in edges)  # the failing row is drawn where its input comes from


def test_chain_without_branches_is_a_line():
    s = convlens.summary(str(EXAMPLES / "keras-cnn.yaml"))
    d = diagram.graph(s)
    assert len(d.edges) == len(d.nodes) - 1
    assert all(sum(1 for e in d.edges if e.target == n.id) == 1 for n in d.nodes if n.id != "input")


# --- maps ----------------------------------------------------------------------------------------
def test_maps_draw_one_slab_per_shape_changing_row(seed):
    nodes, edges, _ = parse(diagram.render(seed, style="maps"))
    kept = {n for n in nodes}
    names = {f"row{i}": r for i, r in enumerate(seed.layers)}
    # activations keep the shape: written on the arrow, not drawn as a map
    assert not any(names[n].type in ("relu", "ReLU") for n in kept if n in names)
    assert row_id(seed, "conv1") in kept and row_id(seed, "fc1") in kept
    assert "32@28×28" in nodes[row_id(seed, "conv1")] and "1,152 features" in nodes[row_id(seed, "view")]
    # the kernel on the arrow into a conv; the ReLU the arrow passes through, named on it
    assert any("3×3 kernel" in label for label in edges[("input", row_id(seed, "conv1"))])
    assert any("relu" in label for label in edges[(row_id(seed, "conv1"), row_id(seed, "pool", 0))])


# --- files and the CLI -------------------------------------------------------------------------------
def test_png_and_pdf_open(seed, tmp_path):
    from PIL import Image

    png = diagram.render(seed, fmt="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(png)) as im:
        assert im.size[0] > 100 and im.size[1] > 100
    pdf = seed.draw(tmp_path / "net.pdf", style="maps").read_bytes()
    assert pdf.startswith(b"%PDF") and b"/Type /Page" in pdf or b"/Type/Page" in pdf


def test_korean_text_renders(tmp_path):
    s = convlens.summary("zoo:residual-cnn-as-written", title="합성곱 신경망")
    svg = diagram.render(s)
    assert "합성곱 신경망" in svg and "Noto Sans CJK KR" in svg
    assert diagram.render(s, fmt="png")[:4] == b"\x89PNG"


def test_summary_draw_and_jupyter(seed, tmp_path):
    assert seed.draw().startswith("<?xml") and seed._repr_svg_() == seed.draw()
    html = seed._repr_html_()
    assert html.startswith(seed.to_html()) and "<svg" in html
    out = seed.draw(tmp_path / "net.svg")
    assert parse(out.read_text())[0] == parse(seed.draw())[0]


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "convlens", "draw", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_cli_writes_each_format(tmp_path):
    for suffix, magic in ((".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF")):
        p = tmp_path / f"net{suffix}"
        r = _cli("zoo:mnist-conv", "-o", str(p))
        assert r.returncode == 0, r.stderr
        assert p.read_bytes().startswith(magic)
    r = _cli("zoo:mnist-conv", "--style", "maps")
    assert r.returncode == 0 and r.stdout.startswith("<?xml") and "20@28×28" in r.stdout


@pytest.mark.parametrize("args, words", [
    (("zoo:mnist-conv", "-o", "net.gif"), ".svg, .png, .pdf"),
    (("zoo:mnist-conv", "-o", "no/such/folder/net.svg"), "does not exist"),
    (("zoo:mnist-conv", "--style", "boxes"), "invalid choice"),
    (("zoo:no-such-model",), "no model named"),
    (("zoo:mnist-conv", "--depth", "0"), "--depth"),
])
def test_cli_bad_input_is_one_line_exit_2(args, words, tmp_path):
    r = _cli(*args, cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and words in r.stderr and "Traceback" not in r.stderr


def test_unknown_style_or_format_in_python(seed):
    with pytest.raises(diagram.DrawError, match="graph, maps"):
        diagram.render(seed, style="boxes")
    with pytest.raises(diagram.DrawError, match="svg, png, pdf"):
        diagram.render(seed, fmt="gif")


# --- the docs ------------------------------------------------------------------------------------
DOCS = Path(__file__).resolve().parents[2] / "docs"


def _readme_checker():
    """tests/test_readme.py's block reader and matcher, for docs/draw.md's `$ convlens` blocks."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_readme_checker", Path(__file__).resolve().parents[1] / "test_readme.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_docs_draw_page_commands(capsys, monkeypatch):
    import shlex

    from convlens.cli import main

    checker = _readme_checker()
    cases = [(line, c, e) for line, body in checker.blocks((DOCS / "draw.md").read_text(encoding="utf-8"))
             for c, e in checker.commands(body)]
    assert cases
    monkeypatch.chdir(DOCS.parent)
    monkeypatch.setenv("COLUMNS", "100")
    for line, command, expected in cases:
        code = main(shlex.split(command)[1:])
        out = capsys.readouterr().out
        assert code == 0 and checker.matches(expected, out.rstrip("\n").split("\n")), f"docs/draw.md:{line}: `{command}` printed:\n{out}"


@pytest.mark.parametrize("name, style", [("residual-cnn.svg", "graph"), ("residual-cnn-maps.svg", "maps")])
def test_docs_svg_is_current(seed, name, style):
    """The SVG kept in docs/ is what `convlens draw` draws today: the same nodes with the same text,
    the same edges with the same labels (compared structurally: another dot version places them elsewhere)."""
    kept = parse((DOCS / "img" / name).read_text(encoding="utf-8"))
    now = parse(diagram.render(seed, style=style))
    assert kept == now, f"docs/img/{name} is out of date: python -m convlens draw zoo:residual-cnn-as-written --style {style} -o docs/img/{name}"


# --- every kind of target, both styles ---------------------------------------------------------------
TARGETS = ["zoo:resnet18", "zoo:keras-tutorial-cnn-keras", str(EXAMPLES / "bottleneck.yaml"), "zoo:mobilenet-v2"]


@pytest.mark.parametrize("target", TARGETS, ids=["torch", "keras", "spec", "torch-inverted-residual"])
@pytest.mark.parametrize("style", ["graph", "maps"])
def test_every_target_kind_draws_in_both_styles(target, style):
    if "keras" in target:
        pytest.importorskip("keras")
    s = convlens.summary(target)
    nodes, edges, _ = parse(diagram.render(s, style=style))
    d = diagram.graph(s)
    drawn_rows = {f"row{i}" for n in d.nodes for i in n.rows[:1]}
    if style == "graph":
        assert set(nodes) == {n.id for n in d.nodes} and {e for e in edges} == {(e.source, e.target) for e in d.edges}
    else:  # maps: a subset of the graph's nodes (shape-keeping rows ride on the arrows), still connected
        assert set(nodes) <= drawn_rows | {"input"} and len(edges) >= len(nodes) - 1
    # every node but the inputs is reached by an edge: nothing is left floating
    assert {b for _, b in edges} >= set(nodes) - {n.id for n in d.nodes if not n.rows}


def test_the_structure_as_plain_data(seed):
    import json

    data = diagram.graph(seed, depth=0).to_dict()
    json.dumps(data)
    fc1 = next(n for n in data["nodes"] if n["name"] == "fc1")
    assert seed.layers[fc1["rows"][0]].name == "fc1" and fc1["failed"] and fc1["marks"][0][0] == "error"
    assert {"source": "row19", "target": "row20", "shape": [1, 1152]} in data["edges"]


def test_a_model_without_submodules_is_a_box_around_its_ops():
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class Functional(nn.Module):  # the model itself is the only module: its row holds the ops
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.zeros(4, 3, 3, 3))

        def forward(self, x):
            return F.relu(F.conv2d(x, self.w, padding=1))

    s = convlens.summary(Functional(), (1, 3, 8, 8))
    d = diagram.graph(s)
    assert [c.name for c in d.clusters] == ["Functional"]
    assert [(e.source, e.target) for e in d.edges] == [("input", row_id(s, "Functional/conv2d")),
                                                      (row_id(s, "Functional/conv2d"), row_id(s, "Functional/relu"))]
