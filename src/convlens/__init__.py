"""convlens: shapes, parameters, cost and receptive fields of convolutional networks, computed and explained."""

from .core import LAYERS, LayerError, calc, layer

__version__ = "0.1.0"


def summary(model, input_size=None, **kwargs):
    """Summarise a PyTorch ``nn.Module`` (see ``convlens.frontends.torch.summary``)."""
    from .frontends.torch import summary as _summary

    return _summary(model, input_size=input_size, **kwargs)


__all__ = ["LAYERS", "LayerError", "calc", "layer", "summary", "__version__"]
