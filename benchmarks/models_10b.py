"""A 10-billion-parameter network for the summary benchmark: Wide ResNet-50 with 30× the
bottleneck width (width_per_group = 64·30): 10,471,622,440 parameters, 41.9 GB in float32."""

from convlens.zoo.resnet import RESNET50, ResNet


def wide_resnet50_30(*, num_classes: int = 1000) -> ResNet:
    return ResNet(*RESNET50, num_classes=num_classes, width_per_group=64 * 30)
