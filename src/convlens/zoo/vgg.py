"""VGG-11/13/16/19, with and without BatchNorm, module for module as ``torchvision.models.vgg*``.

Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image Recognition",
ICLR 2015 (configurations A, B, D, E of Table 1); BatchNorm variants as in torchvision.
``features`` is one ``nn.Sequential`` of conv(3×3, padding 1)[-BN]-ReLU and 2×2 max-pools, so
parameter names (``features.0.weight`` … ``classifier.6.weight``) match torchvision's and its
``state_dict`` loads. VGG-16 has 138,357,544 parameters; VGG-16-BN 138,365,992.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from .vgg_config import CONFIGS  # the one table of VGG configurations (framework-free)


def make_features(config: list[int | str], *, batch_norm: bool) -> nn.Sequential:
    """The conv stack as one flat Sequential (torchvision's ``make_layers``), so indices match its keys."""
    layers: list[nn.Module] = []
    in_channels = 3
    for v in config:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        in_channels = v
    return nn.Sequential(*layers)


class VGG(nn.Module):
    def __init__(self, features: nn.Sequential, *, num_classes: int = 1000, dropout: float = 0.5, init_weights: bool = True):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:  # torchvision's initialisation
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)  # (B, 3, 224, 224) -> (B, 512, 7, 7)
        x = self.avgpool(x)  # -> (B, 512, 7, 7)
        x = torch.flatten(x, 1)  # (B, 512, 7, 7) -> (B, 25088)
        x = self.classifier(x)  # -> (B, 1000)
        return x


def _vgg(config: str, batch_norm: bool, num_classes: int, dropout: float) -> VGG:
    return VGG(make_features(CONFIGS[config], batch_norm=batch_norm), num_classes=num_classes, dropout=dropout)


def vgg11(*, num_classes: int = 1000, dropout: float = 0.5) -> VGG:
    return _vgg("vgg11", False, num_classes, dropout)


def vgg11_bn(*, num_classes: int = 1000, dropout: float = 0.5) -> VGG:
    return _vgg("vgg11", True, num_classes, dropout)


def vgg13(*, num_classes: int = 1000, dropout: float = 0.5) -> VGG:
    return _vgg("vgg13", False, num_classes, dropout)


def vgg13_bn(*, num_classes: int = 1000, dropout: float = 0.5) -> VGG:
    return _vgg("vgg13", True, num_classes, dropout)


def vgg16(*, num_classes: int = 1000, dropout: float = 0.5) -> VGG:
    return _vgg("vgg16", False, num_classes, dropout)


def vgg16_bn(*, num_classes: int = 1000, dropout: float = 0.5) -> VGG:
    return _vgg("vgg16", True, num_classes, dropout)


def vgg19(*, num_classes: int = 1000, dropout: float = 0.5) -> VGG:
    return _vgg("vgg19", False, num_classes, dropout)


def vgg19_bn(*, num_classes: int = 1000, dropout: float = 0.5) -> VGG:
    return _vgg("vgg19", True, num_classes, dropout)
