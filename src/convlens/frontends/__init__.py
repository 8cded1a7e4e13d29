"""Front ends: every way of describing a network ends in one ``record.Summary``, built by
``frontends.build`` (the one builder).

* ``frontends.chain`` — layer calls written as in PyTorch/Keras code (the command-line chain)
  and core ``Node`` graphs; framework-free.
* ``frontends.torch`` — a traced ``nn.Module`` (imports torch).
* ``frontends.keras`` — a built Keras model (imports keras).
* ``frontends.device`` — ``TraceDevice``: where a model is traced (meta or cpu); framework-free.

Each module is imported on use, so reading a chain never imports a framework.
"""
