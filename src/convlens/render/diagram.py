"""The network as a picture: a writer that reads only the ``Summary`` and lets Graphviz ``dot`` lay it out.

    graph(summary, depth=1)                       # the structure: nodes (which rows), edges (which tensors)
    render(summary, style="graph", fmt="svg")     # SVG text; PNG and PDF as bytes
    write(summary, "net.png", style="maps")       # the format from the file's suffix

Two styles:

* ``graph`` — one node per row at the chosen depth (name, type, output shape, parameters), edges
  following the data as the record's ``LayerRow.connected_to`` gives it, labelled with the tensor's
  shape. A container whose children are shown is a box around them (a dot cluster); a hidden row's
  edges are lifted to its visible ancestor. A row with a diagnostic is coloured and carries the
  message; a caption gives the totals.
* ``maps`` — the tutorials' figure: every feature map as a slab sized by its height, width and
  channels (log scale: a 224-pixel map is not drawn 100 times wider than a 2-pixel one), the
  kernel window drawn on the arrow between two maps. Rows that keep the shape (activations,
  normalisation, dropout) are written on the arrow instead of getting a map of their own.

Definitions the tests hold the picture to:

* **Connections.** ``connected_to`` names the rows whose outputs a row reads; a name repeated by a
  second call of the same module means the latest such row before the reader. ``input``
  (``input:0``, ``input:1``… for several) is the model's input. Only rows without child rows
  contribute edges (a container's own entry repeats what its first children read).
* **Repeated block.** Consecutive sibling containers drawn as nodes (their children hidden by the
  depth) with the same type, the same input and output shapes and the same rows inside (names
  relative to the container, types, shapes, weight shapes), each reading only the one before it
  and read only by the one after it: ResNet-152's ``layer3.1`` … ``layer3.35`` at depth 2. They
  become one node marked ×N with the parameters of all N; a deeper depth shows them one by one.

Layout is Graphviz's: this module computes no coordinates, only each node's label (and, for
``maps``, the size of each slab's cells). Text comes from ``_format``; numbers from the record.
"""

from __future__ import annotations

import bisect
import html
import math
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from ..core.framework import Framework
from ..errors import UserError
from ..i18n import language, tr, trn
from . import _format as f
from ._common import row_params
from ._flow import describe
from ._layers import Kind, kernel_size, kind

# Every writer's font list: Korean names and messages render in PNG and PDF (fonts-noto-cjk).
FONTS = "Noto Sans, Noto Sans CJK KR, DejaVu Sans, sans-serif"
ERROR_COLOUR, WARNING_COLOUR, FILL, CLUSTER_FILL = "#c62828", "#ef6c00", "#eef3fb", "#f7f7f7"


class DrawStyle(StrEnum):
    GRAPH = "graph"  # one node per row, edges labelled with shapes
    MAPS = "maps"  # feature maps as slabs, kernels on the arrows


class ImageFormat(StrEnum):
    SVG = "svg"
    PNG = "png"
    PDF = "pdf"
    DOT = "dot"  # the Graphviz source itself, before layout


class DrawError(UserError):
    """A diagram that cannot be written: an unknown style or format, Graphviz missing."""


@dataclass(frozen=True)
class DiagramNode:
    """One node: a row (or a folded run of rows, or a model input)."""

    id: str  # the dot node name and SVG element id: "row12" (12 = the row's index in summary.layers), "input", "input:1"
    rows: tuple[int, ...]  # indices into summary.layers: the row, or every block of a folded run; () for an input
    name: str  # "layer3.1" or, folded, "layer3.1 … layer3.35"
    type: str
    output_shape: tuple | None
    params: int = 0  # the row's parameters (its subtree's for a container); a folded run's total
    count: int = 1  # N of a folded run (×N)
    parent: str | None = None  # the id of the cluster it is drawn in
    marks: tuple = ()  # (severity, message) of the diagnostics and failures of the rows it stands for
    failed: bool = False  # the forward pass (or the core) failed at this row


@dataclass(frozen=True)
class DiagramEdge:
    source: str  # node id
    target: str
    shape: tuple | None  # the tensor's shape (the producing row's output)


@dataclass(frozen=True)
class Cluster:
    """A container whose children are drawn: a box around them."""

    id: str  # "cluster_row4"
    row: int
    name: str
    type: str
    params: int
    parent: str | None = None


@dataclass(frozen=True)
class Diagram:
    nodes: tuple[DiagramNode, ...]
    edges: tuple[DiagramEdge, ...]
    clusters: tuple[Cluster, ...] = ()
    connections_known: bool = True  # False: the record holds no connections; nodes are chained in order
    unplaced: tuple = field(default=())  # diagnostics naming no row (shown in the caption)

    def node(self, node_id: str) -> DiagramNode:
        return next(n for n in self.nodes if n.id == node_id)

    def to_dict(self) -> dict:
        """Plain lists and dicts, for a page that lays the graph out itself: each node with the
        indices of the rows it stands for (``summary.layers[i]``), each edge with its shape."""
        def plain(x):
            if isinstance(x, dict):
                return {k: plain(v) for k, v in x.items()}
            return [plain(v) for v in x] if isinstance(x, (list, tuple)) else x

        return plain(asdict(self))


# --- the structure ------------------------------------------------------------------------------
def _parents(layers) -> list[int | None]:
    """Each row's enclosing row (rows are in call order, a container before its children): the
    open container one level up, or a leaf row one level up whose name the row's extends (a model
    without submodules is one row, its functional ops under it as ``Model/conv2d``). A spec file's
    ``layer1.0.conv1`` is deeper by its dots alone: with no container row above it, it has none."""
    out, open_ = [], []  # open_: rows whose subtree may still continue
    for i, r in enumerate(layers):
        while open_ and layers[open_[-1]].depth >= r.depth:
            open_.pop()
        top = layers[open_[-1]] if open_ else None
        encloses = top is not None and top.depth == r.depth - 1 and (
            not top.is_leaf or r.name.startswith(top.name + "/") or r.name.startswith(top.name + "."))
        out.append(open_[-1] if encloses else None)
        open_.append(i)
    return out


def _input_id(k: int, n: int) -> str:
    return "input" if n == 1 else f"input:{k}"


def graph(summary, *, depth: int | None = None) -> Diagram:
    """The diagram's structure at ``depth`` (0 = the model's top-level rows; ``None``: every row)."""
    layers = summary.layers
    parents = _parents(layers)
    has_child = [False] * len(layers)
    for p in parents:
        if p is not None:
            has_child[p] = True
    shown = [r.depth <= depth if depth is not None else True for r in layers]
    for i, p in enumerate(parents):  # a row with no container above it is always shown
        if p is None:
            shown[i] = True
    cluster = [False] * len(layers)  # a shown container with a shown child: drawn as a box around its children
    for j, p in enumerate(parents):
        if p is not None and shown[j] and shown[p]:
            cluster[p] = True
    rep: list[int | None] = [None] * len(layers)  # the node each row is drawn in
    for i in range(len(layers)):
        if shown[i] and not cluster[i]:
            rep[i] = i
        elif not shown[i]:
            rep[i] = rep[parents[i]]
    # a cluster stands for what it returns: its last node
    for i in reversed(range(len(layers))):
        if cluster[i]:
            rep[i] = next((rep[j] for j in range(_subtree_end(layers, i) - 1, i, -1) if rep[j] is not None), None)

    n_inputs = max(1, len(summary.input_shapes))
    inputs = {_input_id(k, n_inputs): (summary.input_shapes[k] if k < len(summary.input_shapes) else None) for k in range(n_inputs)}
    known = any(r.connected_to for r in layers)
    row_edges: list[tuple[object, int, tuple | None]] = []  # (source row index or input id, target row, shape)
    if known:
        by_name: dict[str, list[int]] = {}
        for i, r in enumerate(layers):
            by_name.setdefault(r.name, []).append(i)
        for i, r in enumerate(layers):
            if has_child[i]:
                continue
            for src in r.connected_to:
                candidates = by_name.get(src, [])
                k = bisect.bisect_left(candidates, i)
                if k:
                    j = candidates[k - 1]
                    row_edges.append((j, i, layers[j].output_shape))
                else:
                    inputs.setdefault(src, None)  # a source the record names but holds no row for
                    row_edges.append((src, i, inputs[src]))
    node_rows = [i for i in range(len(layers)) if rep[i] == i]
    if not known:
        row_edges = [(a, b, layers[a].output_shape) for a, b in zip(node_rows, node_rows[1:])]

    def lifted(edges):
        out = {}
        for s, t, shape in edges:
            a = s if isinstance(s, str) else rep[s]
            b = rep[t]
            if a is not None and b is not None and a != b:
                out.setdefault((a, b, shape), None)
        return list(out)

    edges = lifted(row_edges)
    fold = _folds(layers, parents, node_rows, cluster, has_child, edges)
    first_of = {}
    for run in fold:
        for i in run:
            first_of[i] = run[0]
    edges = [(first_of.get(a, a) if not isinstance(a, str) else a, first_of.get(b, b), shape) for a, b, shape in edges]
    edges = list(dict.fromkeys((a, b, s) for a, b, s in edges if a != b))

    marks = _marks(summary, rep)
    runs = {run[0]: run for run in fold}
    cluster_id = {i: f"cluster_row{i}" for i in range(len(layers)) if cluster[i]}

    def parent_cluster(i):
        p = parents[i]
        return cluster_id.get(p) if p is not None else None

    nodes = [DiagramNode(id=k, rows=(), name=k, type="input", output_shape=shape) for k, shape in inputs.items()]
    for i in node_rows:
        if i in first_of and first_of[i] != i:
            continue
        run = runs.get(i, (i,))
        r, last = layers[i], layers[run[-1]]
        nodes.append(DiagramNode(
            id=f"row{i}", rows=tuple(run), name=r.name if len(run) == 1 else f"{r.name} … {last.name}", type=r.type,
            output_shape=last.output_shape, params=sum(row_params(layers, j) for j in run), count=len(run),
            parent=parent_cluster(i), marks=tuple(m for j in run for m in marks.get(j, ())), failed=bool(r.failed),
        ))
    clusters = tuple(Cluster(id=cid, row=i, name=layers[i].name, type=layers[i].type, params=row_params(layers, i),
                             parent=parent_cluster(i)) for i, cid in cluster_id.items())
    diagram_edges = tuple(DiagramEdge(_node_id(a), _node_id(b), shape) for a, b, shape in edges)
    return Diagram(tuple(nodes), diagram_edges, clusters, known, tuple(marks.get(None, ())))


def _node_id(x) -> str:
    return x if isinstance(x, str) else f"row{x}"


def _subtree_end(layers, i: int) -> int:
    j = i + 1
    while j < len(layers) and layers[j].depth > layers[i].depth:
        j += 1
    return j


def _signature(layers, i: int):
    """What makes two containers the same block: type, shapes, and the rows inside."""
    r = layers[i]
    inner = tuple(
        (x.name[len(r.name):] if x.name.startswith(r.name) else x.name, x.type, x.depth - r.depth, x.input_shapes,
         x.output_shape, tuple(w.shape for w in x.weights))
        for x in layers[i + 1:_subtree_end(layers, i)]
    )
    return (r.type, r.input_shapes, r.output_shape, inner)


def _folds(layers, parents, node_rows, cluster, has_child, edges) -> list[tuple[int, ...]]:
    """Runs of repeated blocks (see the module's docstring), as tuples of row indices, 2 or longer."""
    into: dict[object, set] = {}
    out_of: dict[object, set] = {}
    for a, b, _ in edges:
        into.setdefault(b, set()).add(a)
        out_of.setdefault(a, set()).add(b)
    siblings: dict[int | None, list[int]] = {}
    for i in node_rows:
        siblings.setdefault(parents[i], []).append(i)
    runs = []
    for rows in siblings.values():
        run: list[int] = []
        for i in rows:
            ok = (has_child[i] and not cluster[i] and run and _signature(layers, run[-1]) == _signature(layers, i)
                  and into.get(i, set()) == {run[-1]} and out_of.get(run[-1], set()) == {i})
            if ok:
                run.append(i)
                continue
            if len(run) > 1:
                runs.append(tuple(run))
            run = [i] if has_child[i] and not cluster[i] else []
        if len(run) > 1:
            runs.append(tuple(run))
    return runs


def _marks(summary, rep) -> dict[int | None, list]:
    """The diagnostics (and failures) of each node's rows, keyed by the node's row; None: no row named."""
    layers = summary.layers
    out: dict[int | None, list] = {}
    for d in summary.diagnostics:
        if d.severity not in ("error", "warning"):
            continue
        same = [i for i, r in enumerate(layers) if r.name == d.layer] if d.layer else []
        i = next((i for i in same if d.message in layers[i].warnings), None)
        i = i if i is not None else next((i for i in same if layers[i].failed), same[0] if same else None)
        out.setdefault(rep[i] if i is not None else None, []).append((d.severity.value, d.message))
    for i, r in enumerate(layers):
        if r.failed and not any(m[0] == "error" for m in out.get(rep[i], ())):
            out.setdefault(rep[i], []).append(("error", r.failed))
    return out


# --- labels ---------------------------------------------------------------------------------------
def _plain(text: str):
    """A text attribute dot must not read as an HTML-like label even when it starts with '<'."""
    import graphviz

    return graphviz.nohtml(text)


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _params_text(n: int, count: int) -> str:
    if count > 1:
        return tr("{n} params in all", n=f.count(n))
    return tr("{n} params", n=f.thousands(n)) if n else tr("no params")


def _colour(marks) -> str | None:
    if any(m[0] == "error" for m in marks):
        return ERROR_COLOUR
    return WARNING_COLOUR if marks else None


def _mark_rows(marks) -> str:
    return "".join(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="{ERROR_COLOUR if sev == "error" else WARNING_COLOUR}">'
                   f'{"✖" if sev == "error" else "⚠"} {_wrap(msg)}</FONT></TD></TR>' for sev, msg in marks)


def _wrap(text: str, width: int = 60) -> str:
    """Escaped text broken into lines of about ``width`` characters (dot does not wrap labels)."""
    words, lines, line = str(text).split(), [], ""
    for w in words:
        if line and f.width(line) + 1 + f.width(w) > width:  # display columns: a Korean character takes two
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return '<BR ALIGN="LEFT"/>'.join(_e(x) for x in lines)


def _input_name(name: str) -> str:
    """A model input's node as the picture names it: ``input``, ``input:1`` (the words translated, the index kept)."""
    head, colon, index = name.partition(":")
    return tr("input") + colon + index if head == "input" else name


def _graph_label(n: DiagramNode, framework: str) -> str:
    if not n.rows:
        return f'<<B>{_e(_input_name(n.name))}</B><BR/>{_e(f.shape(n.output_shape, framework) or "")}>'
    times = f' <B>×{n.count}</B>' if n.count > 1 else ""
    shape = tr("FAILED") if n.failed else (f.shape(n.output_shape, framework) or "--")
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            f'<TR><TD><B>{_e(n.name)}</B>{times}</TD></TR>'
            f'<TR><TD><FONT COLOR="#555555">{_e(n.type)}</FONT></TD></TR>'
            f'<TR><TD>{_e(shape)}</TD></TR>'
            f'<TR><TD><FONT POINT-SIZE="10">{_e(_params_text(n.params, n.count))}</FONT></TD></TR>'
            f'{_mark_rows(n.marks)}</TABLE>>')


def caption(summary, *, lang: str | None = None) -> str:
    """The totals under the picture, one line; ``lang``: ``"en"``, ``"ko"`` (None: the current language)."""
    with language(lang):
        fw = summary.framework.value
        parts = [summary.title,
                 tr("input {shape}", shape=", ".join(f.shape(s, fw) for s in summary.input_shapes)),
                 tr("output {shape}", shape=", ".join(f.shape(s, fw) for s in summary.output_shapes) or "--"),
                 tr("{n} params ({trainable} trainable)", n=f.count(summary.total_params), trainable=f.thousands(summary.trainable_params)),
                 tr("{n} MACs", n=f.count(summary.total_macs))]
        n_err, n_warn = len(summary.errors), sum(1 for d in summary.diagnostics if d.severity == "warning")
        if n_err or n_warn:
            parts.append(trn("{n} error", "{n} errors", n_err, n=n_err) + ", " + trn("{n} warning", "{n} warnings", n_warn, n=n_warn))
        return " · ".join(parts)


# --- dot ----------------------------------------------------------------------------------------
def _digraph(summary, label: str):
    try:
        import graphviz
    except ImportError:
        raise DrawError(tr("drawing needs the graphviz Python package and Graphviz's dot: "
                           "pip install 'convlens[draw]' and apt-get install graphviz")) from None
    g = graphviz.Digraph(name="convlens", graph_attr={
        "rankdir": "TB", "fontname": FONTS, "fontsize": "11", "labelloc": "b", "label": label, "nodesep": "0.25",
        "ranksep": "0.35", "newrank": "true"},
        node_attr={"fontname": FONTS, "fontsize": "11", "shape": "box", "style": "rounded,filled", "fillcolor": FILL, "color": "#7a8aa6"},
        edge_attr={"fontname": FONTS, "fontsize": "9", "color": "#555555", "fontcolor": "#333333"})
    return g


def _caption_label(summary, diagram: Diagram) -> str:
    lines = [caption(summary)]
    lines += [f"{'✖' if sev == 'error' else '⚠'} {msg}" for sev, msg in diagram.unplaced]
    if not diagram.connections_known:
        lines.append(tr("connections not recorded: rows drawn in order"))
    return "<" + '<BR/>'.join(_wrap(x, 110) for x in lines) + ">"


def _place(g, diagram: Diagram, add_node):
    """Nodes inside their clusters (nested as the containers are), then the edges."""
    children: dict[str | None, list] = {}
    for c in diagram.clusters:
        children.setdefault(c.parent, []).append(c)
    members: dict[str | None, list] = {}
    for n in diagram.nodes:
        members.setdefault(n.parent, []).append(n)

    def fill(sub, parent_id):
        for n in members.get(parent_id, ()):
            add_node(sub, n)
        for c in children.get(parent_id, ()):
            with sub.subgraph(name=c.id) as s:
                s.attr(label=f"<<B>{_e(c.name)}</B> {_e(c.type)} · {_e(_params_text(c.params, 1))}>", style="rounded,filled",
                       fillcolor=CLUSTER_FILL, color="#b0b8c8", labeljust="l", fontsize="10", id=c.id)
                fill(s, c.id)

    fill(g, None)


def _dot_graph(summary, diagram: Diagram):
    fw = summary.framework.value
    g = _digraph(summary, _caption_label(summary, diagram))

    def add_node(sub, n: DiagramNode):
        colour = _colour(n.marks)
        attrs = {"id": n.id, "tooltip": _plain(n.name + "".join(f" — {m[1]}" for m in n.marks))}
        if not n.rows:
            attrs.update(shape="box", style="filled", fillcolor="#ffffff")
        if colour:
            attrs.update(color=colour, penwidth="2.5", fillcolor="#fdecea" if colour == ERROR_COLOUR else "#fff3e0")
        if n.count > 1:
            attrs.update(peripheries="2")
        sub.node(n.id, _graph_label(n, fw), **attrs)

    _place(g, diagram, add_node)
    for e in diagram.edges:
        g.edge(e.source, e.target, label=_plain(" " + (f.shape(e.shape, fw) or "")))
    return g


# maps: slabs ------------------------------------------------------------------------------------
_SAME_SHAPE = {Kind.ACTIVATION, Kind.NORM, Kind.DROPOUT, Kind.IDENTITY}
_PX_PER_LOG2 = 9  # slab size: 9 pixels per doubling of height/width (log scale), at least 8
_MAX_PAGES = 12  # channels drawn as up to 12 stacked pages, one per doubling


def _channels_last(summary) -> bool:
    return summary.framework is Framework.KERAS


def _split(shape, channels_last: bool):
    """(channels, spatial sizes) of a batched tensor; (features, ()) for (batch, features)."""
    if not shape or len(shape) < 2:
        return None, ()
    if len(shape) == 2:
        return shape[1], ()
    return (shape[-1], tuple(shape[1:-1])) if channels_last else (shape[1], tuple(shape[2:]))


def _px(size) -> int:
    return max(8, round(_PX_PER_LOG2 * (1 + math.log2(max(1, size or 1)))))


def _slab(shape, channels_last: bool, colour: str | None) -> str:
    """A feature map as stacked pages: height and width on a log scale, one page per doubling of channels."""
    c, sp = _split(shape, channels_last)
    border = colour or "#2b4c7e"
    if c is None:
        return ""
    if not sp:  # a vector: one tall thin bar
        return (f'<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0"><TR><TD BGCOLOR="#c9d7ee" COLOR="{border}" BORDER="1" '
                f'FIXEDSIZE="TRUE" WIDTH="8" HEIGHT="{min(160, _px(c) * 2)}"></TD></TR></TABLE>')
    h, w = sp[0], sp[-1] if len(sp) > 1 else 1
    pages = max(1, min(_MAX_PAGES, 1 + round(math.log2(max(1, c or 1)) / 1.5)))
    cells = "".join(f'<TD BGCOLOR="{"#9fb7dd" if k % 2 else "#c9d7ee"}" COLOR="{border}" BORDER="1" FIXEDSIZE="TRUE" WIDTH="{3 if k < pages - 1 else _px(w)}" '
                    f'HEIGHT="{_px(h)}"></TD>' for k in range(pages))
    return f'<TABLE BORDER="0" CELLSPACING="1" CELLPADDING="0"><TR>{cells}</TR></TABLE>'


def _map_caption(shape, channels_last: bool) -> str:
    c, sp = _split(shape, channels_last)
    if c is None:
        return f.shape(shape) or "--"
    return f"{f.thousands(c)}@{f.times(sp)}" if sp else tr("{n} features", n=f.thousands(c))


def _kernel(row) -> tuple | None:
    return next((k for w in row.weights if (k := kernel_size(w.shape, row.type, w.name))), None)


def _maps(summary, diagram: Diagram):
    """Contract the shape-keeping rows into the arrows: (nodes drawn, edges with the rows they pass)."""
    layers = summary.layers
    keep = {}
    into: dict[str, list] = {}
    for e in diagram.edges:
        into.setdefault(e.target, []).append(e)
    for n in diagram.nodes:
        r = layers[n.rows[0]] if n.rows else None
        passes = (r is not None and n.count == 1 and kind(r.type) in _SAME_SHAPE and len(into.get(n.id, ())) == 1
                  and r.input_shapes[:1] == (r.output_shape,) and not n.marks)
        keep[n.id] = not passes
    alias = {}  # a contracted node -> (the kept node it comes from, rows passed on the way)

    def origin(node_id):
        """Back along contracted nodes (a loop, not recursion: a run may be hundreds of rows long)."""
        chain = []
        while not keep[node_id] and node_id not in alias:
            chain.append(node_id)
            node_id = into[node_id][0].source
        found = (node_id, ()) if keep[node_id] else alias[node_id]
        for c in reversed(chain):
            found = (found[0], found[1] + (c,))
            alias[c] = found
        return found

    edges = []
    for e in diagram.edges:
        if not keep[e.target]:
            continue
        src, passed = origin(e.source)
        edges.append((src, e.target, e.shape, passed))
    return [n for n in diagram.nodes if keep[n.id]], edges


def _dot_maps(summary, diagram: Diagram):
    fw = summary.framework.value
    cl = _channels_last(summary)
    layers = summary.layers
    g = _digraph(summary, _caption_label(summary, diagram))
    g.attr(rankdir="LR", ranksep="0.5")
    g.attr("node", shape="plain", style="", fillcolor="")
    nodes, edges = _maps(summary, diagram)
    kept = {n.id for n in nodes}
    by_id = {n.id: n for n in diagram.nodes}

    def add_node(sub, n: DiagramNode):
        if n.id not in kept:
            return
        colour = _colour(n.marks)
        title = _input_name(n.name) + (f" ×{n.count}" if n.count > 1 else "")
        sub_line = "" if not n.rows else f'<TR><TD><FONT POINT-SIZE="9" COLOR="#555555">{_e(n.type)} · {_e(_params_text(n.params, n.count))}</FONT></TD></TR>'
        label = ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
                 f'<TR><TD>{_slab(n.output_shape, cl, colour)}</TD></TR>'
                 f'<TR><TD><B>{_e(_map_caption(n.output_shape, cl))}</B></TD></TR>'
                 f'<TR><TD><FONT POINT-SIZE="10">{_e(title)}</FONT></TD></TR>{sub_line}{_mark_rows(n.marks)}</TABLE>>')
        sub.node(n.id, label, id=n.id, tooltip=_plain(n.name + "".join(f" — {m[1]}" for m in n.marks)))

    _place(g, diagram, add_node)
    for src, dst, shape, passed in edges:
        target = by_id[dst]
        words = []
        window = ""
        if target.rows and target.count == 1:
            r = layers[target.rows[0]]
            k = _kernel(r)
            if k is not None and len(k) >= 1:
                c_in, sp_in = _split(r.input_shape, cl)
                scale = [_px(x) / max(1, x) for x in (sp_in or (1,))]
                wh = [max(4, round(kk * s)) for kk, s in zip(k, scale)]
                window = (f'<TR><TD><TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0"><TR><TD BGCOLOR="#f4c542" COLOR="#8a6d00" '
                          f'BORDER="1" FIXEDSIZE="TRUE" WIDTH="{wh[-1]}" HEIGHT="{wh[0]}"></TD></TR></TABLE></TD></TR>')
                words.append(tr("{kernel} kernel", kernel=f.times(k)))
            what = describe(r, fw)
            if what:
                words.append(what)
        words += [layers[by_id[p].rows[0]].type for p in passed]
        text = "".join(f'<TR><TD><FONT POINT-SIZE="9">{_e(w)}</FONT></TD></TR>' for w in words)
        g.edge(src, dst, label=f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0">{window}{text}</TABLE>>' if (window or text) else "")
    return g


# --- output -------------------------------------------------------------------------------------
def dot_source(summary, *, style: str = "graph", depth: int | None = None, lang: str | None = None) -> str:
    """The Graphviz source of the diagram (for ``dot`` or anything that reads it)."""
    with language(lang):
        return _build(summary, style, depth).source


def _build(summary, style, depth):
    try:
        style = DrawStyle(style)
    except ValueError:
        raise DrawError(tr("unknown style {style!r}; use one of {choices}", style=style, choices=", ".join(s.value for s in DrawStyle))) from None
    diagram = graph(summary, depth=depth)
    return _dot_graph(summary, diagram) if style is DrawStyle.GRAPH else _dot_maps(summary, diagram)


def render(summary, *, style: str = "graph", depth: int | None = None, fmt: str = "svg", lang: str | None = None) -> str | bytes:
    """The diagram laid out by ``dot``: SVG as text, PNG and PDF as bytes; ``dot``: the source, unlaid.
    ``lang``: the language of the captions and labels, ``"en"`` or ``"ko"`` (None: the current one)."""
    with language(lang):
        return _render(summary, style, depth, fmt)


def _render(summary, style, depth, fmt) -> str | bytes:
    try:
        fmt = ImageFormat(fmt)
    except ValueError:
        raise DrawError(tr("unknown image format {fmt!r}; use one of {choices}", fmt=fmt, choices=", ".join(x.value for x in ImageFormat))) from None
    g = _build(summary, style, depth)
    if fmt is ImageFormat.DOT:
        return g.source
    try:
        data = g.pipe(format=fmt.value, renderer=None if fmt is ImageFormat.SVG else "cairo")
    except Exception as exc:  # graphviz.ExecutableNotFound, or dot refusing the input
        if type(exc).__name__ == "ExecutableNotFound":
            raise DrawError(tr("drawing needs Graphviz's dot program: apt-get install graphviz (or your system's graphviz package)")) from None
        raise
    return data.decode("utf-8") if fmt is ImageFormat.SVG else data


def format_of(path) -> ImageFormat:
    """The image format a file name asks for, by its suffix (``.dot`` and ``.gv``: the source)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    suffix = "dot" if suffix == "gv" else suffix
    try:
        return ImageFormat(suffix)
    except ValueError:
        raise DrawError(tr("cannot tell the image format of {path!r}: give a file ending in {suffixes}", path=str(path),
                           suffixes=", ".join("." + x.value for x in ImageFormat))) from None


def write(summary, path, *, style: str = "graph", depth: int | None = None, fmt: str | None = None, lang: str | None = None) -> Path:
    """Write the diagram to ``path`` (``.svg``, ``.png``, ``.pdf`` or ``.dot``; ``fmt`` when the
    suffix says nothing or something else); returns the path. ``lang``: the captions' language."""
    with language(lang):
        return _write(summary, path, style, depth, fmt)


def _write(summary, path, style, depth, fmt) -> Path:
    path = Path(path)
    fmt = format_of(path) if fmt is None else ImageFormat(fmt)
    data = render(summary, style=style, depth=depth, fmt=fmt.value)
    try:
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
    except OSError as exc:
        raise DrawError(tr("cannot write {path!r}: {reason}; choose a path in a folder you can write to", path=str(path),
                           reason=exc.strerror or exc)) from None
    return path


__all__ = ["Cluster", "Diagram", "DiagramEdge", "DiagramNode", "DrawError", "DrawStyle", "ImageFormat", "caption",
           "dot_source", "format_of", "graph", "render", "write"]
