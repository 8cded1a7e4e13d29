"""The model zoo: tutorial networks and classic families, each with its published numbers.

One model family per file; this module is only the registry::

    >>> from convlens import zoo
    >>> zoo.get("resnet18").published_params
    11689512
    >>> zoo.get("resnet18").input_size
    (1, 3, 224, 224)
    >>> model = zoo.build("residual-cnn")        # an nn.Module (imports torch on first use)
    >>> print(zoo.source_code("residual-cnn"))  # doctest: +SKIP

Importing the registry imports no framework: each entry names its factory as
``"module:function"`` and ``build`` imports it on first use.

MACs follow ``convlens.core.costs`` (multiply-accumulates of convolutions and linear layers, for
the batch given). Where a figure is marked *exact* it was counted at the entry's input size and
equals ``torch.utils.flop_counter.FlopCounterMode`` total / 2; the published figure it rounds to
is quoted beside it.
"""

from __future__ import annotations

import importlib
import inspect
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..core import close_names
from ..core.framework import Framework
from ..errors import UserError, first_line
from ..i18n import tr

__all__ = ["ZooEntry", "ZooError", "UnknownModelError", "build", "entries", "get", "names", "source_code"]


class ZooError(UserError):
    """A zoo request that cannot be met (unknown model, option the model does not take)."""


class UnknownModelError(ZooError):
    """No zoo entry has this name; the message lists the closest names."""


@dataclass(frozen=True)
class ZooEntry:
    name: str  # registry key, lower-case with hyphens: "resnet18-cifar"
    family: str  # file/family it belongs to: "resnet", "vgg", "tutorial-cifar", ...
    input_size: tuple[int, ...]  # the input it is defined for, batch first (NCHW; NHWC for Keras)
    published_params: int  # parameter count as published (PyTorch parameters; Keras: count_params())
    params_source: str  # where published_params comes from
    published_macs: int | None  # MACs at input_size; None where nothing is published or the model cannot run
    macs_source: str | None  # where published_macs comes from, and whether it is exact
    source: str  # the paper (authors, venue, year) or tutorial the architecture comes from
    reference: str  # the implementation it reproduces: torchvision module, tutorial file
    factory: str  # "module:function" under convlens.zoo; imported by build()
    kwargs: Mapping[str, Any] = field(default_factory=dict, hash=False)  # default keyword options for factory
    framework: Framework = Framework.TORCH
    description: str = ""  # one line for `convlens zoo list`

    def load_factory(self) -> Callable[..., Any]:
        module_name, func = self.factory.split(":")
        module = importlib.import_module(f"{__name__}.{module_name}")
        return getattr(module, func)


_TV = "torchvision.models"
_TV_MACS = "exact (conv + linear, FlopCounterMode / 2 at 1×3×224×224); torchvision's weights table publishes {} GFLOPS (its FLOPS are MACs)"
_IMAGENET = (1, 3, 224, 224)
_CIFAR = (1, 3, 32, 32)
_MNIST = (1, 1, 28, 28)
_REF = {  # the five tutorials in /work/shared/reference (Korean)
    "000": "'ConvNet shape 계산' (velog, 2025) — reference 000",
    "001": "'[Deep-Learning] 2D Convolution operation' (tistory, 2022) — reference 001",
    "002": "'Conv2D Layer' (tistory) — reference 002",
    "003": "'[Deeplearning] 파이토치로 알아보는 합성곱 신경망' (tistory) — reference 003",
    "004": "ResNet paper review by params# (tistory, 2025) — reference 004",
}
_HE2016 = "He, Zhang, Ren & Sun, 'Deep Residual Learning for Image Recognition', CVPR 2016"
_VGG2015 = "Simonyan & Zisserman, 'Very Deep Convolutional Networks for Large-Scale Image Recognition', ICLR 2015"


def _e(name, family, input_size, params, params_source, macs, macs_source, source, reference, factory, *, framework=Framework.TORCH, description="", kwargs=None) -> ZooEntry:
    return ZooEntry(name, family, input_size, params, params_source, macs, macs_source, source, reference, factory, kwargs or {}, framework, description)


def _tv_resnet(name, func, params, macs, published, source, description):
    return _e(name, "resnet", _IMAGENET, params, f"torchvision {func} weights table", macs, _TV_MACS.format(published), source, f"{_TV}.{func}", f"resnet:{func}", description=description)


def _tv_vgg(func, params, macs, published, description):
    return _e(func.replace("_", "-"), "vgg", _IMAGENET, params, f"torchvision {func} weights table", macs, _TV_MACS.format(published), _VGG2015, f"{_TV}.{func}", f"vgg:{func}", description=description)


_ENTRIES: tuple[ZooEntry, ...] = (
    # --- tutorials: 28×28 MNIST ---
    _e("residual-cnn-as-written", "tutorial-mnist", _MNIST, 3_504_522,
       "computed from the tutorial's layers (it prints no total): fc1 alone is 6272·512 + 512 = 3,211,776",
       None, "none: x.view(-1, 6272) raises at batch 1 (1152 features per image, not 6272)",
       _REF["000"], "CNNWithResidual exactly as the tutorial writes it", "tutorial_mnist:residual_cnn_as_written",
       description="the tutorial's CNNWithResidual verbatim: Linear(128*7*7) after a 3×3 map — a shape bug to diagnose"),
    _e("residual-cnn", "tutorial-mnist", _MNIST, 883_082,
       "computed from the tutorial's layers with fc1 = Linear(128*3*3, 512)",
       None, "not published", _REF["000"], "CNNWithResidual with Linear(128*3*3, 512) and x.flatten(1)", "tutorial_mnist:residual_cnn",
       description="the same network corrected: Linear(1152, 512), flatten(1)"),
    _e("mnist-conv", "tutorial-mnist", (16, 1, 28, 28), 520,
       "computed: weight (20, 1, 5, 5) as printed in the tutorial + 20 biases",
       None, "not published", _REF["001"], "nn.Conv2d(1, 20, kernel_size=5, stride=1, padding=2) on a batch of 16", "tutorial_mnist:mnist_conv",
       description="one Conv2d 1->20, 5×5, padding 2 on a 16×1×28×28 MNIST batch"),
    # --- tutorial: the Keras CNN ---
    _e("keras-tutorial-cnn", "tutorial-keras-cnn", _MNIST, 264_262,
       "the tutorial's Keras summary: Trainable params 264,262 (its 300 non-trainable are BatchNorm moving statistics, buffers in PyTorch)",
       None, "not published", _REF["002"], "PyTorch port of the tutorial's keras.Sequential", "tutorial_keras_cnn:keras_tutorial_cnn",
       description="Conv75-BN-Pool, Conv50-Drop-BN-Pool, Conv25-BN-Pool, Dense512, Dense25 softmax (PyTorch)"),
    _e("keras-tutorial-cnn-keras", "tutorial-keras-cnn", (1, 28, 28, 1), 264_562,
       "the tutorial's Keras summary: Total 264,562 = 264,262 trainable + 300 non-trainable",
       None, "not published", _REF["002"], "the tutorial's keras.Sequential", "tutorial_keras_cnn_native:keras_tutorial_cnn_keras",
       framework=Framework.KERAS, description="the same CNN as a Keras 3 Sequential (channels-last)"),
    # --- tutorial: CIFAR-10 ---
    _e("alexnet-cifar", "tutorial-cifar", _CIFAR, 4_617_546,
       "computed from the tutorial's layers (it prints no total)",
       None, "not published", _REF["003"], "the tutorial's AlexNet class", "tutorial_cifar:alexnet_cifar",
       description="AlexNet for 32×32: conv 64-192-384-256-256, FC 2304-1024-512-10"),
    _e("resnet18-cifar", "tutorial-cifar", _CIFAR, 11_173_962,
       "computed from the tutorial's layers (it prints no total)",
       None, "not published", f"{_REF['003']}; architecture after {_HE2016} (CIFAR variant)", "the tutorial's ResNet([2, 2, 2, 2])", "tutorial_cifar:resnet18_cifar",
       description="ResNet-18 for 32×32: 3×3 stem, no max-pool, AvgPool2d(4)"),
    _e("resnet34-cifar", "tutorial-cifar", _CIFAR, 21_282_122,
       "computed from the tutorial's layers (it prints no total)",
       None, "not published", f"{_REF['003']}; architecture after {_HE2016} (CIFAR variant)", "the tutorial's ResNet([3, 4, 6, 3])", "tutorial_cifar:resnet34_cifar",
       description="ResNet-34 for 32×32: 3×3 stem, no max-pool, AvgPool2d(4)"),
    # --- tutorial: parameter counts of ResNet's building blocks ---
    _e("vgg-first-blocks", "tutorial-resnet-blocks", _IMAGENET, 260_160, "the tutorial's torchsummary: Total params 260,160",
       None, "not published", _REF["004"], "the tutorial's VGG nn.Sequential", "tutorial_resnet_blocks:vgg_first_blocks",
       description="VGG's first two conv blocks (conv1_1 … pool2)"),
    _e("resnet-stem", "tutorial-resnet-blocks", _IMAGENET, 9_472, "the tutorial's torchsummary: Total params 9,472",
       None, "not published", _REF["004"], "the tutorial's ResNet nn.Sequential", "tutorial_resnet_blocks:resnet_stem",
       description="ResNet's first layer: Conv 7×7/2 padding 3 + MaxPool 2×2/2"),
    _e("plain-block", "tutorial-resnet-blocks", (1, 64, 56, 56), 73_856, "the tutorial's torchsummary: Total params 73,856",
       None, "not published", _REF["004"], "the tutorial's ConvBlock(64, 64, 3, 1, 'same')", "tutorial_resnet_blocks:plain_block",
       description="two 3×3 convs 64->64, no shortcut"),
    _e("bottleneck-block", "tutorial-resnet-blocks", (1, 64, 56, 56), 45_248, "the tutorial's torchsummary: Total params 45,248",
       None, "not published", _REF["004"], "the tutorial's BottleneckBlock(64, 64, 3, 1, 'same'); its undefined `y` fixed", "tutorial_resnet_blocks:bottleneck_block",
       description="1×1-3×3-1×1 (64 wide) + identity shortcut"),
    _e("bottleneck-block-projection", "tutorial-resnet-blocks", (1, 64, 56, 56), 57_728, "the tutorial's torchsummary: Total params 57,728",
       None, "not published", _REF["004"], "the tutorial's BottleneckBlock(64, 64, 3, 2, 1) with conv_shortcut", "tutorial_resnet_blocks:bottleneck_block_projection",
       description="1×1-3×3/2-1×1 to 128 + 1×1/2 conv shortcut"),
    # --- classic families at ImageNet size, torchvision-compatible ---
    _e("alexnet", "alexnet", _IMAGENET, 61_100_840, "torchvision alexnet weights table", 714_188_480, _TV_MACS.format("0.71"),
       "Krizhevsky, Sutskever & Hinton, 'ImageNet Classification with Deep CNNs', NeurIPS 2012; one-GPU variant of Krizhevsky, 'One weird trick', 2014",
       f"{_TV}.alexnet", "alexnet:alexnet", description="AlexNet (torchvision layout: 64-192-384-256-256)"),
    _tv_vgg("vgg11", 132_863_336, 7_609_090_048, "7.61", "VGG-11 (configuration A)"),
    _tv_vgg("vgg11_bn", 132_868_840, 7_609_090_048, "7.61", "VGG-11 with BatchNorm"),
    _tv_vgg("vgg13", 133_047_848, 11_308_466_176, "11.31", "VGG-13 (configuration B)"),
    _tv_vgg("vgg13_bn", 133_053_736, 11_308_466_176, "11.31", "VGG-13 with BatchNorm"),
    _tv_vgg("vgg16", 138_357_544, 15_470_264_320, "15.47", "VGG-16 (configuration D)"),
    _tv_vgg("vgg16_bn", 138_365_992, 15_470_264_320, "15.47", "VGG-16 with BatchNorm"),
    _tv_vgg("vgg19", 143_667_240, 19_632_062_464, "19.63", "VGG-19 (configuration E)"),
    _tv_vgg("vgg19_bn", 143_678_248, 19_632_062_464, "19.63", "VGG-19 with BatchNorm"),
    _tv_resnet("resnet18", "resnet18", 11_689_512, 1_814_073_344, "1.81", _HE2016, "ResNet-18: BasicBlock (2, 2, 2, 2)"),
    _tv_resnet("resnet34", "resnet34", 21_797_672, 3_663_761_408, "3.66", _HE2016, "ResNet-34: BasicBlock (3, 4, 6, 3)"),
    _tv_resnet("resnet50", "resnet50", 25_557_032, 4_089_184_256, "4.09", _HE2016, "ResNet-50: Bottleneck (3, 4, 6, 3)"),
    _tv_resnet("resnet101", "resnet101", 44_549_160, 7_801_405_440, "7.80", _HE2016, "ResNet-101: Bottleneck (3, 4, 23, 3)"),
    _tv_resnet("resnet152", "resnet152", 60_192_808, 11_513_626_624, "11.51", _HE2016, "ResNet-152: Bottleneck (3, 8, 36, 3)"),
    _tv_resnet("resnext50-32x4d", "resnext50_32x4d", 25_028_904, 4_230_479_872, "4.23",
               "Xie, Girshick, Dollár, Tu & He, 'Aggregated Residual Transformations for Deep Neural Networks', CVPR 2017",
               "ResNeXt-50 32×4d: 32 groups of width 4"),
    _tv_resnet("wide-resnet50-2", "wide_resnet50_2", 68_883_240, 11_398_021_120, "11.40",
               "Zagoruyko & Komodakis, 'Wide Residual Networks', BMVC 2016", "Wide ResNet-50-2: bottleneck twice as wide"),
    _e("mobilenet-v2", "mobilenetv2", _IMAGENET, 3_504_872, "torchvision mobilenet_v2 weights table", 300_774_272, _TV_MACS.format("0.30"),
       "Sandler, Howard, Zhu, Zhmoginov & Chen, 'MobileNetV2: Inverted Residuals and Linear Bottlenecks', CVPR 2018",
       f"{_TV}.mobilenet_v2", "mobilenetv2:mobilenet_v2", description="MobileNetV2: inverted residuals, width 1.0"),
    # --- modern small-image net ---
    _e("fastnet", "fastnet", _CIFAR, 1_972_792,
       "computed (not a published model): 312 stem + 50,944 + 738,304 + 1,180,672 groups + 2,560 head",
       118_147_360, "exact (conv + linear at 1×3×32×32); computed, not published",
       "after Jordan, '94% on CIFAR-10 in 3.29 Seconds on a Single GPU' (airbench94), arXiv:2404.00498, 2024; Page, ResNet-9 / DAWNBench, 2018",
       "convlens's own airbench-style network", "fastnet:fastnet",
       description="airbench-style CIFAR net: 2×2 stem, 3 conv-pool-BN-GELU groups (64-256-256)"),
)

_BY_NAME: dict[str, ZooEntry] = {e.name: e for e in _ENTRIES}
assert len(_BY_NAME) == len(_ENTRIES), "duplicate zoo names"


def _normalise(name: str) -> str:
    """Case and ``_``/``-`` are forgiven: ``VGG16_BN`` -> ``vgg16-bn``, ``mobilenet_v2`` -> ``mobilenet-v2``."""
    return name.strip().lower().replace("_", "-")


def names() -> list[str]:
    """Every registered name, in registry order."""
    return list(_BY_NAME)


def entries() -> list[ZooEntry]:
    """Every entry, in registry order (tutorials first, then the classic families)."""
    return list(_ENTRIES)


def get(name: str) -> ZooEntry:
    """The entry called ``name`` (case and ``_``/``-`` are forgiven); ``UnknownModelError`` lists close names."""
    key = _normalise(name)
    if key in _BY_NAME:
        return _BY_NAME[key]
    # 0.5, not the core's 0.6: zoo names carry variant suffixes ("-bn", "-cifar", "-32x4d"), so a family
    # typed alone is further from them ("vgg" ~ "vgg11-bn" 0.55, "resnet" ~ "wide-resnet50-2" 0.57)
    close = close_names(key, _BY_NAME, n=5, cutoff=0.5)
    if close:
        raise UnknownModelError(tr("zoo: no model named {name!r}; did you mean {close}?", name=name, close=", ".join(close)))
    raise UnknownModelError(tr("zoo: no model named {name!r}; known names: {names}", name=name, names=", ".join(_BY_NAME)))


def build(name: str, **kwargs: Any):
    """Build the model ``name``: a ``torch.nn.Module``, or a ``keras.Model`` for Keras entries.

    ``kwargs`` are the factory's own keyword options (e.g. ``num_classes=10``), merged over the
    entry's defaults; an option the factory does not take raises ``ZooError`` naming the ones it does.
    To build a large model without allocating weights, call inside ``with torch.device("meta"):``.
    """
    entry = get(name)
    factory = entry.load_factory()
    options = {**entry.kwargs, **kwargs}
    accepted = [p.name for p in inspect.signature(factory).parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        if accepted:
            raise ZooError(tr("zoo: {model} has no option {options}; it takes {accepted}", model=entry.name, options=", ".join(unknown),
                              accepted=", ".join(accepted)))
        raise ZooError(tr("zoo: {model} has no option {options}; it takes no options", model=entry.name, options=", ".join(unknown)))
    try:
        return factory(**options)
    except UserError:
        raise
    except (TypeError, ValueError) as exc:  # a value the factory refuses (FastNet's widths without a key, a scale of 0...)
        if not kwargs:
            raise  # the entry's own defaults fail: convlens's bug, not the user's
        raise ZooError(tr("zoo: {model} refuses the options {options}: {error}", model=entry.name,
                          options=json.dumps(kwargs, default=str), error=first_line(exc))) from None


def source_code(name: str) -> str:
    """The source of the file that defines ``name`` (its blocks, the model class and the factory)."""
    entry = get(name)
    return inspect.getsource(inspect.getmodule(entry.load_factory()))
