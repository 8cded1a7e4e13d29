"""convlens: shapes, parameters, cost and receptive fields of convolutional networks, computed and explained.

``import convlens`` imports nothing else: the core (``calc``, ``layer``, ``LAYERS``,
``LayerError``) is imported on first use (PEP 562), so a script or the CLI pays only for what it
calls.
"""

__version__ = "0.1.0"

from .i18n import set_language  # noqa: E402  (stdlib only: `import convlens` stays free)

_FROM_CORE = ("LAYERS", "LayerError", "calc", "layer")


def __getattr__(name: str):
    if name in _FROM_CORE:
        from . import core

        value = getattr(core, name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'convlens' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_FROM_CORE))


def summary(model, input_size=None, *, input_data=None, dtypes=None, device="meta", args=None, title=None,
            memory=True):
    """Summarise a model: a PyTorch ``nn.Module``, a Keras model, or a target string
    (``"path/to/file.py:Name"``, ``"package.module:attr"``, ``"zoo:resnet18"``, ``"model.keras"``).

    ``input_size``: one shape ``(1, 3, 224, 224)`` or a list of shapes, one per input (a zoo
    target defaults to its documented input); or ``input_data``: the inputs themselves.
    ``dtypes``: one per input (``torch.long`` for token ids). ``device``: ``"meta"`` (default; no
    weights allocated, nothing computed) or ``"cpu"`` (a real forward). ``args``: keyword
    arguments for a class or factory target. ``memory``: measure the training-memory estimate.

    >>> s = summary("zoo:mnist-conv")                  # doctest: +SKIP
    >>> s.total_params, s.layers[0].output_shape       # doctest: +SKIP
    (520, (1, 20, 28, 28))
    """
    import gc

    # The cyclic garbage collector is paused while the summary is made (and the modules it needs are
    # imported): it makes many objects and no cyclic garbage, and a process that has imported torch
    # holds so many objects that a full collection, which they would trigger, costs more than the
    # summary (0.1 s here). It is enabled again after, as it was.
    enabled = gc.isenabled()
    gc.disable()
    try:
        from .targets import Request, Resolved, is_target, resolve, summarize

        request = Request.make(input_size=input_size, input_data=input_data, dtypes=dtypes, device=device, args=args,
                               title=title, memory=memory)
        if isinstance(model, str) and is_target(model):
            return summarize(resolve(model, request))
        # an object (or a string that names no target): its front end says what it needs
        return summarize(resolve(model, request) if not isinstance(model, str) else Resolved(model, request, request.title or "model"))
    finally:
        if enabled:
            gc.enable()


__all__ = ["LAYERS", "LayerError", "calc", "layer", "summary", "set_language", "__version__"]
