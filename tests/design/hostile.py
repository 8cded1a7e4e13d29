"""Hostile specs: each is refused at once with a position (shared by the CLI and the page tests)."""

from __future__ import annotations

HEAD = "input: [1, 3, 8, 8]\n"


def alias_bomb(levels: int = 9) -> str:
    """The "billion laughs": nine levels of nine aliases, under 600 bytes, 9**9 values expanded."""
    lines = [HEAD + "layers:\n  - {type: ReLU}", "a0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9]"]
    lines += [f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


# name -> (text, line, column, words convlens says)
HOSTILE = {
    "alias bomb": (alias_bomb(), 9, 5, "through YAML aliases"),
    "alias inside itself": (HEAD.replace("[1", "&x [1") + "layers: [*x]\nextra: &y [1, *y]\n", 3, 8, "contains itself"),
    "deep nesting": ("[" * 5000 + "]" * 5000, 1, 101, "nested too deeply"),
    "deep mappings": (HEAD + "layers: " + "{a: " * 300 + "1" + "}" * 300 + "\n", 2, 402, "nested too deeply"),
    "empty block repeated 10**12 times": (HEAD + "blocks: {nothing: {layers: []}}\nlayers:\n  - {type: ReLU}\n  - {block: nothing, repeat: 1000000000000}\n",
                                          5, 30, "10,000 layers"),
    "empty blocks repeated inside blocks": (HEAD + "blocks:\n  e: {layers: []}\n  n1: {layers: [{block: e, repeat: 10000}]}\n"
                                                   "  n2: {layers: [{block: n1, repeat: 10000}]}\nlayers:\n  - {type: ReLU}\n  - {block: n2, repeat: 10000}\n",
                                            4, 17, "40,000 items"),
    "branches of empty repeats, repeated": (HEAD + "blocks:\n  e: {layers: []}\n  b: {layers: [{branches: [[{block: e, repeat: 10000}], [{block: e, repeat: 10000}]], "
                                                   "merge: add, repeat: 10000}]}\nlayers:\n  - {type: ReLU}\n  - {block: b, repeat: 10000}\n",
                                            4, 58, "40,000 items"),
    "repeats of repeats of layers": (HEAD + "blocks:\n  r: {layers: [{type: ReLU, repeat: 100}]}\n  n: {layers: [{block: r, repeat: 100}]}\n"
                                            "layers:\n  - {block: n, repeat: 100}\n", 3, 16, "10,000 layers"),
    "a product of 20,000 factors": (HEAD + "layers:\n  - {type: Flatten}\n  - {type: Linear, in_features: '" + "*".join(["99999999999"] * 20_000) + "', out_features: 3}\n",
                                    4, 33, "characters; a layer call or a value has at most"),
    "a product past 10**40": (HEAD + "layers:\n  - {type: Flatten}\n  - {type: Linear, in_features: '" + "*".join(["99999999999"] * 40) + "', out_features: 3}\n",
                              4, 33, "larger than 10**40"),
    "an integer of 5,000 digits": (HEAD + "layers:\n  - {type: Flatten}\n  - {type: Linear, in_features: " + "9" * 5000 + ", out_features: 3}\n",
                                   4, 33, "5,000 characters"),
}
