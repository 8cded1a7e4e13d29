"""AlexNet at ImageNet size, module for module as ``torchvision.models.alexnet``.

Krizhevsky, Sutskever & Hinton, "ImageNet Classification with Deep Convolutional Neural
Networks", NeurIPS 2012; torchvision follows the one-GPU variant of Krizhevsky, "One weird trick
for parallelizing convolutional neural networks", 2014 (64-192-384-256-256 channels, no LRN).
Parameter names (``features.0.weight`` … ``classifier.6.bias``) match torchvision's, so its
``state_dict`` loads. 61,100,840 parameters; 3×224×224 input.
"""

from __future__ import annotations

import torch
import torch.nn as nn


class AlexNet(nn.Module):
    def __init__(self, *, num_classes: int = 1000, dropout: float = 0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),  # (3, 224, 224) -> (64, 55, 55)
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),  # -> (64, 27, 27)
            nn.Conv2d(64, 192, kernel_size=5, padding=2),  # -> (192, 27, 27)
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),  # -> (192, 13, 13)
            nn.Conv2d(192, 384, kernel_size=3, padding=1),  # -> (384, 13, 13)
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),  # -> (256, 13, 13)
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),  # -> (256, 13, 13)
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),  # -> (256, 6, 6)
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))  # any input >= 63×63 -> (256, 6, 6)
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)  # (B, 3, 224, 224) -> (B, 256, 6, 6)
        x = self.avgpool(x)  # -> (B, 256, 6, 6)
        x = torch.flatten(x, 1)  # (B, 256, 6, 6) -> (B, 9216)
        x = self.classifier(x)  # -> (B, 1000)
        return x


def alexnet(*, num_classes: int = 1000, dropout: float = 0.5) -> AlexNet:
    return AlexNet(num_classes=num_classes, dropout=dropout)
