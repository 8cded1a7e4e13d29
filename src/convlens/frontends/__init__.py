"""Front ends: every way of describing a network ends in one ``record.Summary``.

* ``frontends.text`` — layer calls written as in PyTorch/Keras code (the command-line chain),
  core ``Node`` graphs, and single ``core.calc`` results; framework-free.
* ``frontends.torch`` — a traced ``nn.Module`` (imports torch).

Each module is imported on use, so reading a chain never imports a framework.
"""
