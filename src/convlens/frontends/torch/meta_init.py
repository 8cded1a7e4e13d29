"""Building a model on the meta device without PyTorch's Python references of the random fills.

Weight initialisation on meta tensors does nothing (there are no values), so ``MetaInit`` skips
it: PyTorch would otherwise run its Python reference of ``normal_``/``uniform_``, whose first call
imports torch._dynamo and sympy (about a second of a cold start). The resolver
(``convlens.targets``) builds classes, factories and zoo entries on meta inside it.
"""

from __future__ import annotations

import torch
from torch.overrides import TorchFunctionMode


class MetaInit(TorchFunctionMode):
    RANDOM_FILLS = {torch.Tensor.normal_, torch.Tensor.uniform_, torch.Tensor.bernoulli_, torch.Tensor.exponential_,
                    torch.Tensor.random_, torch.Tensor.log_normal_, torch.Tensor.cauchy_, torch.Tensor.geometric_}

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func in self.RANDOM_FILLS and args and isinstance(args[0], torch.Tensor) and args[0].device.type == "meta":
            return args[0]  # a meta tensor has no values to fill
        return func(*args, **(kwargs or {}))
