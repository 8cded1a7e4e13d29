"""ResNet-18/34/50/101/152, ResNeXt-50 32×4d and Wide ResNet-50-2, module for module as torchvision's.

He, Zhang, Ren & Sun, "Deep Residual Learning for Image Recognition", CVPR 2016; ResNeXt: Xie et
al., "Aggregated Residual Transformations for Deep Neural Networks", CVPR 2017; Wide ResNet:
Zagoruyko & Komodakis, "Wide Residual Networks", BMVC 2016. As in torchvision (ResNet v1.5) the
bottleneck's stride sits on the 3×3 conv, and the projection shortcut is 1×1 conv + BN
(``downsample``). Parameter names match ``torchvision.models.resnet`` (``conv1``, ``bn1``,
``layer1.0.conv1`` …, ``layer1.0.downsample.0``, ``fc``), so its ``state_dict`` loads.

Variants are a block type and blocks per stage: ResNet-18 = (2, 2, 2, 2), ResNet-50 = Bottleneck
(3, 4, 6, 3); ResNeXt and Wide ResNet change only the bottleneck's inner width.
"""

from __future__ import annotations

import torch
import torch.nn as nn

WIDTHS = (64, 128, 256, 512)  # "planes" of the four stages; a Bottleneck outputs 4× this


def conv3x3(in_planes: int, out_planes: int, stride: int = 1, groups: int = 1, dilation: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, groups=groups, bias=False, dilation=dilation)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """3×3 conv-BN-ReLU, 3×3 conv-BN, + shortcut, ReLU (ResNet-18/34)."""

    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None, *, groups: int = 1, base_width: int = 64):
        super().__init__()
        if groups != 1 or base_width != 64:
            raise ValueError(f"BasicBlock supports only groups=1 and base_width=64; received groups={groups}, base_width={base_width}")
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class Bottleneck(nn.Module):
    """1×1 conv (reduce to ``width``) - 3×3 conv (stride, groups) - 1×1 conv (expand to 4 × planes), + shortcut.

    ``width = planes × base_width / 64 × groups``: 64 for ResNet-50's first stage, 128 for
    ResNeXt-50 32×4d (32 groups of 4), 128 for Wide ResNet-50-2 (base_width 128).
    """

    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None, *, groups: int = 1, base_width: int = 64):
        super().__init__()
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = conv3x3(width, width, stride, groups)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    def __init__(
        self,
        block: type[BasicBlock] | type[Bottleneck],
        layers: tuple[int, int, int, int],
        *,
        num_classes: int = 1000,
        groups: int = 1,
        width_per_group: int = 64,
        zero_init_residual: bool = False,
    ):
        super().__init__()
        self.inplanes = 64
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, WIDTHS[0], layers[0])
        self.layer2 = self._make_layer(block, WIDTHS[1], layers[1], stride=2)
        self.layer3 = self._make_layer(block, WIDTHS[2], layers[2], stride=2)
        self.layer4 = self._make_layer(block, WIDTHS[3], layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(WIDTHS[3] * block.expansion, num_classes)

        for m in self.modules():  # torchvision's initialisation
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:  # each residual branch starts as zero ("Bag of Tricks", Goyal et al. 2017)
            for m in self.modules():
                if isinstance(m, Bottleneck):
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock):
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block: type[BasicBlock] | type[Bottleneck], planes: int, blocks: int, stride: int = 1) -> nn.Sequential:
        """One stage: the first block takes ``stride`` and, when the shape changes, a 1×1 conv-BN shortcut."""
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * block.expansion, stride),
                nn.BatchNorm2d(planes * block.expansion),
            )
        layers = [block(self.inplanes, planes, stride, downsample, groups=self.groups, base_width=self.base_width)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups, base_width=self.base_width))
        return nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.bn1(self.conv1(x)))  # (B, 3, 224, 224) -> (B, 64, 112, 112)
        x = self.maxpool(x)  # -> (B, 64, 56, 56)
        x = self.layer1(x)  # -> (B, 64·e, 56, 56), e = block.expansion
        x = self.layer2(x)  # -> (B, 128·e, 28, 28)
        x = self.layer3(x)  # -> (B, 256·e, 14, 14)
        x = self.layer4(x)  # -> (B, 512·e, 7, 7)
        x = self.avgpool(x)  # -> (B, 512·e, 1, 1)
        x = torch.flatten(x, 1)  # (B, 512·e, 1, 1) -> (B, 512·e)
        x = self.fc(x)  # -> (B, 1000)
        return x


# each variant: block and blocks per stage
RESNET18 = (BasicBlock, (2, 2, 2, 2))
RESNET34 = (BasicBlock, (3, 4, 6, 3))
RESNET50 = (Bottleneck, (3, 4, 6, 3))
RESNET101 = (Bottleneck, (3, 4, 23, 3))
RESNET152 = (Bottleneck, (3, 8, 36, 3))


def resnet18(*, num_classes: int = 1000) -> ResNet:
    return ResNet(*RESNET18, num_classes=num_classes)


def resnet34(*, num_classes: int = 1000) -> ResNet:
    return ResNet(*RESNET34, num_classes=num_classes)


def resnet50(*, num_classes: int = 1000) -> ResNet:
    return ResNet(*RESNET50, num_classes=num_classes)


def resnet101(*, num_classes: int = 1000) -> ResNet:
    return ResNet(*RESNET101, num_classes=num_classes)


def resnet152(*, num_classes: int = 1000) -> ResNet:
    return ResNet(*RESNET152, num_classes=num_classes)


def resnext50_32x4d(*, num_classes: int = 1000) -> ResNet:
    return ResNet(*RESNET50, num_classes=num_classes, groups=32, width_per_group=4)


def wide_resnet50_2(*, num_classes: int = 1000) -> ResNet:
    return ResNet(*RESNET50, num_classes=num_classes, width_per_group=64 * 2)
