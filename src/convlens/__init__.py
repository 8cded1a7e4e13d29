"""convlens: shapes, parameters, cost and receptive fields of convolutional networks, computed and explained."""

from .core import LAYERS, LayerError, calc, layer

__version__ = "0.1.0"


def summary(model, input_size=None, **kwargs):
    """Summarise a PyTorch ``nn.Module`` (``convlens.frontends.torch.summary``) or a Keras model
    (``convlens.frontends.keras.summary``; ``input_size`` only for a model that is not built)."""
    from .frontends.keras import is_keras_model

    if is_keras_model(model):
        from .frontends.keras import summary as _keras_summary

        return _keras_summary(model, input_size, **kwargs)
    from .frontends.torch import summary as _summary

    return _summary(model, input_size=input_size, **kwargs)


__all__ = ["LAYERS", "LayerError", "calc", "layer", "summary", "__version__"]
