"""The Keras CNN of "Conv2D Layer" (tistory; reference 002), ported to PyTorch layer for layer.

The tutorial's ``model.summary()`` (Keras, input 28×28×1, 25 classes)::

    Conv2D 75 3×3 same relu      (None, 28, 28, 75)      750
    BatchNormalization           (None, 28, 28, 75)      300
    MaxPooling2D 2 stride 2 same (None, 14, 14, 75)        0
    Conv2D 50 3×3 same relu      (None, 14, 14, 50)   33,800
    Dropout 0.2                                            0
    BatchNormalization                                   200
    MaxPooling2D                 (None, 7, 7, 50)          0
    Conv2D 25 3×3 same relu      (None, 7, 7, 25)     11,275
    BatchNormalization                                   100
    MaxPooling2D                 (None, 4, 4, 25)          0
    Flatten                      (None, 400)               0
    Dense 512 relu                                   205,312
    Dropout 0.3                                            0
    Dense 25 softmax                                  12,825
    Total 264,562 = 264,262 trainable + 300 non-trainable

Keras counts BatchNormalization's moving mean and variance (2 × channels) as non-trainable
*parameters*; PyTorch keeps them as buffers (plus one ``num_batches_tracked`` counter per
BatchNorm), so this port has exactly the 264,262 trainable parameters and 303 buffer elements.
The Keras model itself is in ``tutorial_keras_cnn_native.py``.
"""

from __future__ import annotations

import torch
import torch.nn as nn


class ConvBNPool(nn.Sequential):
    """Keras ``Conv2D(c, 3, padding='same', activation='relu')`` [+ Dropout] -> ``BatchNormalization`` -> ``MaxPool2D(2, 2, 'same')``.

    * Keras BatchNormalization defaults are ``momentum=0.99, epsilon=1e-3``; PyTorch's momentum
      is the weight of the *new* batch, so the same thing is ``BatchNorm2d(eps=1e-3, momentum=0.01)``.
    * Keras ``padding='same'`` pooling gives ``ceil(n / 2)``: 7 -> 4, padding the bottom/right edge.
      PyTorch reproduces it with ``ceil_mode=True`` (the last window starts inside the input and
      simply covers one row/column; for max pooling that equals padding with -inf). On the even
      sizes 28 and 14 it changes nothing.
    """

    def __init__(self, in_channels: int, out_channels: int, *, dropout: float = 0.0):
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),  # 'same' for 3×3, stride 1
            nn.ReLU(),
        ]
        if dropout:
            layers.append(nn.Dropout(dropout))
        layers += [
            nn.BatchNorm2d(out_channels, eps=1e-3, momentum=0.01),
            nn.MaxPool2d(kernel_size=2, stride=2, ceil_mode=True),  # Keras padding='same'
        ]
        super().__init__(*layers)


WIDTHS = {"conv1": 75, "conv2": 50, "conv3": 25, "dense": 512}


class KerasTutorialCNN(nn.Module):
    def __init__(self, *, in_channels: int = 1, num_classes: int = 25, softmax: bool = True):
        super().__init__()
        w = WIDTHS
        self.block1 = ConvBNPool(in_channels, w["conv1"])
        self.block2 = ConvBNPool(w["conv1"], w["conv2"], dropout=0.2)
        self.block3 = ConvBNPool(w["conv2"], w["conv3"])
        self.fc1 = nn.Linear(w["conv3"] * 4 * 4, w["dense"])
        self.dropout = nn.Dropout(0.3)
        self.fc2 = nn.Linear(w["dense"], num_classes)
        # the tutorial's last layer is Dense(25, activation='softmax'); with nn.CrossEntropyLoss
        # (which applies log-softmax itself) build with softmax=False
        self.softmax = nn.Softmax(dim=1) if softmax else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.block1(x)  # (B, 1, 28, 28) -> (B, 75, 14, 14)
        x = self.block2(x)  # -> (B, 50, 7, 7)
        x = self.block3(x)  # -> (B, 25, 4, 4): ceil(7 / 2) = 4, as Keras 'same'
        # Keras flattens channels-last (H, W, C); this is (C, H, W) order: same 400 numbers, permuted
        x = x.flatten(1)  # (B, 25, 4, 4) -> (B, 400)
        x = torch.relu(self.fc1(x))  # -> (B, 512)
        x = self.dropout(x)
        x = self.softmax(self.fc2(x))  # -> (B, 25)
        return x


def keras_tutorial_cnn(*, in_channels: int = 1, num_classes: int = 25, softmax: bool = True) -> KerasTutorialCNN:
    """Reference 002's CNN in PyTorch: 264,262 parameters, 300 running statistics + 3 counters as buffers."""
    return KerasTutorialCNN(in_channels=in_channels, num_classes=num_classes, softmax=softmax)
