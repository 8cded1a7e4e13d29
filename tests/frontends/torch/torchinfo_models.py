"""Our own versions of the models in torchinfo's test suite (TylerYep/torchinfo, tests/fixtures/models.py):
the same architectures, written here, each with the input torchinfo's tests give it (``CASES``).

Not every model of that file is here yet (see the closing note of issue 15): the ones whose point is
a Python input type torchinfo accepts and convlens does not (numpy arrays, NamedTuples, dicts of
ints, string arguments to forward, a forward without inputs, several devices) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


class LinearModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 1))

    def forward(self, x):
        return self.layers(x)


class UninitializedParameterModel(nn.Module):
    """Assigns a 128-element parameter in place of an uninitialised one, inside forward."""

    def __init__(self):
        super().__init__()
        self.param = nn.UninitializedParameter()

    def forward(self, x):
        self.param = nn.Parameter(torch.zeros(128))
        return x


class SingleInputNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 10, 5), nn.Conv2d(10, 20, 5)
        self.conv2_drop = nn.Dropout2d(0.3)
        self.fc1, self.fc2 = nn.Linear(320, 50), nn.Linear(50, 10)

    def forward(self, x):  # (B, 1, 28, 28)
        x = F.relu(F.max_pool2d(self.conv1(x), 2))  # (B, 10, 12, 12)
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))  # (B, 20, 4, 4)
        x = x.view(-1, 320)  # (B, 320)
        return F.log_softmax(self.fc2(F.relu(self.fc1(x))), dim=1)


class MultipleInputNetDifferentDtypes(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1a, self.fc1b = nn.Linear(300, 50), nn.Linear(50, 10)
        self.fc2a, self.fc2b = nn.Linear(300, 50), nn.Linear(50, 10)

    def forward(self, x1, x2):
        a = self.fc1b(F.relu(self.fc1a(x1)))
        b = self.fc2b(F.relu(self.fc2a(x2.type(torch.float))))
        return F.log_softmax(torch.cat((a, b), 0), dim=1)  # two batches, (2B, 10)


class LSTMNet(nn.Module):
    """Sequence-first LSTM; the decoder's (T, B, vocab) logits viewed as (T·B, vocab)."""

    def __init__(self, vocab_size=20, embed_dim=300, hidden_dim=512, num_layers=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.encoder = nn.LSTM(embed_dim, hidden_dim, num_layers=num_layers)
        self.decoder = nn.Linear(hidden_dim, vocab_size)

    def forward(self, x):
        out, hidden = self.encoder(self.embedding(x))
        out = self.decoder(out)
        return out.view(-1, out.size(2)), hidden  # (T, B, vocab) -> (T·B, vocab)


class RecursiveNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(64, 64, 3, 1, 1)

    def forward(self, x):
        for _ in range(6):
            x = self.conv1(x)
        return x


class CustomParameter(nn.Module):
    def __init__(self, input_size, attention_size):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(attention_size, input_size))

    def forward(self, x):
        return self.weight


class ParameterListModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.ParameterList([nn.Parameter(torch.zeros(100, 100)), nn.Parameter(torch.zeros(100, 200))])

    def forward(self, x):
        return x


class SiameseNets(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 64, 10), nn.Conv2d(64, 128, 7)
        self.conv3, self.conv4 = nn.Conv2d(128, 128, 4), nn.Conv2d(128, 256, 4)
        self.pooling = nn.MaxPool2d(2, 2)
        self.fc1, self.fc2 = nn.Linear(256, 4096), nn.Linear(4096, 1)
        self.dropout = nn.Dropout(0.5)

    def tower(self, x):
        for conv in (self.conv1, self.conv2, self.conv3, self.conv4):
            x = self.pooling(F.relu(conv(x)))
        return self.fc1(x.view(x.size(0), -1))  # (B, 256, 1, 1) -> (B, 256) -> (B, 4096)

    def forward(self, x1, x2):
        return torch.sigmoid(self.fc2(self.dropout(torch.abs(self.tower(x1) - self.tower(x2)))))


class FunctionalNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 32, 5, 1), nn.Conv2d(32, 64, 5, 1)
        self.dropout1, self.dropout2 = nn.Dropout2d(0.4), nn.Dropout2d(0.5)
        self.fc1, self.fc2 = nn.Linear(2048, 1024), nn.Linear(1024, 10)

    def forward(self, x):  # (B, 1, 28, 28)
        x = F.max_pool2d(F.relu(self.conv1(x)), 2, 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2, 2)  # (B, 64, 4, 4)
        x = self.dropout1(F.relu(self.fc1(x.view(-1, 2048))))  # (B, 64, 4, 4) -> (B/2, 2048): torchinfo's bug, kept
        return F.log_softmax(self.fc2(x), dim=1)


class ReturnDict(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 10, 5), nn.Conv2d(10, 20, 5)
        self.fc1, self.fc2 = nn.Linear(320, 50), nn.Linear(50, 10)

    def forward(self, x):
        out = {"conv1": self.conv1(x)}
        out["conv2"] = self.conv2(F.relu(F.max_pool2d(out["conv1"], 2)))
        out["fc1"] = F.relu(self.fc1(F.relu(F.max_pool2d(out["conv2"], 2)).view(-1, 320)))
        out["fc2"] = self.fc2(out["fc1"])
        out["output"] = F.log_softmax(out["fc2"], dim=1)
        return out


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU())
        self.pool = nn.MaxPool2d(2, 2, return_indices=True)
        self.unpool = nn.MaxUnpool2d(2, 2)
        self.decode = nn.Sequential(nn.Conv2d(16, 3, 3, padding=1), nn.ReLU())

    def forward(self, x):
        x = self.encoder(x)
        size = x.size()
        x, indices = self.pool(x)
        return self.decode(self.unpool(x, indices=indices, output_size=size))


class MixedTrainableParameters(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.empty(10), requires_grad=True)
        self.b = nn.Parameter(torch.empty(10), requires_grad=False)

    def forward(self, x):
        return self.w * x + self.b


class MixedTrainable(nn.Module):
    def __init__(self):
        super().__init__()
        self.fully_trainable = nn.Conv1d(1, 1, 1)
        self.partially_trainable = nn.Conv1d(1, 1, 1)
        self.partially_trainable.bias.requires_grad = False
        self.non_trainable = nn.Conv1d(1, 1, 1)
        self.non_trainable.requires_grad_(False)
        self.dropout = nn.Dropout()

    def forward(self, x):
        return self.dropout(self.non_trainable(self.partially_trainable(self.fully_trainable(x))))


class ReuseLinear(nn.Module):
    def __init__(self):
        super().__init__()
        shared = nn.Linear(10, 10)
        self.model = nn.Sequential(*[m for _ in range(4) for m in (shared, nn.ReLU(True))])

    def forward(self, x):
        return self.model(x)


class ReuseReLU(nn.Module):
    def __init__(self):
        super().__init__()
        act = nn.ReLU(True)
        layers = [nn.ReflectionPad2d(3), nn.Conv2d(4, 1, 1), nn.BatchNorm2d(1), act]
        for i in range(3):
            c = 2 ** i
            layers += [nn.Conv2d(c, 2 * c, 1, stride=2, padding=1), nn.BatchNorm2d(2 * c), act]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


class RegisterParameter(nn.Sequential):
    def __init__(self, *blocks):
        super().__init__(*blocks)
        self.register_parameter("weights", nn.Parameter(torch.zeros(len(blocks))))

    def forward(self, x):
        for k, block in enumerate(self):
            x = x + self.weights[k] * block(x)
        return x


class ParameterFCNet(nn.Module):
    def __init__(self, input_dim=128, hidden_dim=64, output_dim=None):
        super().__init__()
        self.a = nn.Parameter(torch.randn(input_dim, hidden_dim))
        self.b = nn.Parameter(torch.randn(hidden_dim))
        self.fc2 = nn.Linear(hidden_dim, output_dim) if output_dim is not None else None

    def forward(self, x):
        h = torch.mm(x, self.a) + self.b
        return h if self.fc2 is None else self.fc2(h)


class InsideModel(nn.Module):
    class Inside(nn.Module):
        def __init__(self):
            super().__init__()
            self.l_1 = nn.Linear(1, 1)
            self.param_1 = nn.Parameter(torch.ones(1))

        def forward(self, x):
            return self.l_1(x) * self.param_1

    def __init__(self):
        super().__init__()
        self.l_0 = nn.Linear(2, 1)
        self.param_0 = nn.Parameter(torch.ones(2))
        self.inside = InsideModel.Inside()

    def forward(self, x):
        return self.inside(self.l_0(x)) * self.param_0


class RecursiveWithMissingLayers(nn.Module):
    def __init__(self):
        super().__init__()
        self.out_conv0, self.out_bn0 = nn.Conv2d(3, 8, 5, padding="same"), nn.BatchNorm2d(8)
        self.block0 = nn.ModuleDict()
        for i in range(1, 4):
            self.block0[f"in_conv{i}"] = nn.Conv2d(8, 8, 3, padding="same", dilation=2 ** i)
            self.block0[f"in_bn{i}"] = nn.BatchNorm2d(8)
        self.block1 = nn.ModuleDict()
        for i in range(4, 7):
            self.block1[f"in_conv{i}"] = nn.Conv2d(8, 8, 3, padding="same", dilation=2 ** (7 - i))
            self.block1[f"in_bn{i}"] = nn.BatchNorm2d(8)
        self.out_conv7, self.out_bn7 = nn.Conv2d(8, 1, 1, padding="same"), nn.BatchNorm2d(1)

    def forward(self, x):
        x = torch.relu(self.out_bn0(self.out_conv0(x)))
        for block, ids in ((self.block0, range(1, 4)), (self.block1, range(4, 7))):
            for i in ids:
                x = torch.relu(block[f"in_bn{i}"](block[f"in_conv{i}"](x)))
        return torch.relu(self.out_bn7(self.out_conv7(x)))


class ConvLayerA(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv, self.relu, self.pool = nn.Conv1d(1, 1, 1), nn.ReLU(), nn.MaxPool1d(1)

    def forward(self, x):
        return self.pool(self.relu(self.conv(x)))


class CNNModuleList(nn.Module):
    def __init__(self, layer=None):
        super().__init__()
        self.ml = nn.ModuleList((layer or ConvLayerA)() for _ in range(5))

    def forward(self, x):
        for layer in self.ml:
            x = layer(x)
        return x


class SimpleRNN(nn.Module):
    def __init__(self, repeat_outside_loop=False):
        super().__init__()
        self.repeat_outside_loop = repeat_outside_loop
        self.lstm = nn.LSTMCell(3, 2)
        self.activation = nn.Tanh()
        self.projection = nn.Linear(2, 3)

    def forward(self, x):  # (B, 3)
        hx = torch.zeros(x.size(0), 2, device=x.device)
        cx = torch.zeros(x.size(0), 2, device=x.device)
        for _ in range(4):
            hx, cx = self.lstm(x, (hx, cx))
            hx = self.activation(hx)
        if self.repeat_outside_loop:
            hx = self.activation(self.projection(hx))
        return hx


class ContainerModule(nn.Module):
    class Child(nn.Module):
        def __init__(self):
            super().__init__()
            self._sequential = nn.Sequential(nn.Linear(5, 5), nn.Linear(5, 5))
            self._between = nn.Linear(5, 5)

        def forward(self, x):
            out = self._between(self._sequential(x))
            for layer in self._sequential:
                out = layer(out)
            out = self._sequential(x)
            for layer in self._sequential:
                out = layer(out)
            return out

    def __init__(self):
        super().__init__()
        self._layers = nn.ModuleList([nn.Linear(5, 5), ContainerModule.Child(), nn.Linear(5, 5)])

    def forward(self, x):
        for layer in self._layers:
            x = layer(x)
        return x


class IdentityModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.identity = nn.Identity()

    def forward(self, x):
        return self.identity(x)


class ReuseLinearExtended(nn.Module):
    """The shared Linear is also an attribute of its own."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(10, 10)
        self.model = nn.Sequential(*[m for _ in range(4) for m in (self.linear, nn.ReLU(True))])

    def forward(self, x):
        return self.model(x)


class FakePrunedLayerModel(nn.Module):
    """Parameters named as torch.nn.utils.prune names them, without pruning."""

    def __init__(self, input_size, attention_size, with_mask=True):
        super().__init__()
        self.weight_orig = nn.Parameter(torch.ones(attention_size, input_size))
        if with_mask:
            self.weight_mask = nn.Parameter(torch.zeros(attention_size, input_size))

    def forward(self, x):
        return self.weight_orig


class ConvLayerB(nn.Module):
    """Modules created in another order than forward calls them."""

    def __init__(self):
        super().__init__()
        self.relu, self.conv, self.pool = nn.ReLU(), nn.Conv1d(1, 1, 1), nn.MaxPool1d(1)

    def forward(self, x):
        return self.pool(self.relu(self.conv(x)))


class PartialJITModel(SingleInputNet):
    """SingleInputNet whose two Linear layers are TorchScript modules."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = torch.jit.script(nn.Linear(320, 50)), torch.jit.script(nn.Linear(50, 10))


class TensorKernelSizeConv(nn.Module):
    """A 0-d tensor attribute named kernel_size next to a real Conv1d."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(1, 1, kernel_size=3, padding=1)
        self.kernel_size = torch.tensor(3)

    def forward(self, x):
        return self.conv(x)


@dataclass(frozen=True)
class Case:
    name: str
    build: object  # () -> nn.Module
    shapes: tuple  # one shape per input, as torchinfo's test passes them
    dtypes: tuple = ()
    errors: tuple = ()  # the diagnostic codes of a real bug in the model
    convention: int = 0  # convlens's total minus torchinfo's where a documented convention differs (see the case)
    torchinfo_fails: bool = False  # torchinfo 1.8.0 raises on it: the total is checked against model.parameters()
    known_failure: str | None = None  # convlens cannot trace it yet: why (the test is a strict xfail)


CASES = [
    Case("LinearModel", LinearModel, ((64, 128),)),
    Case("UninitializedParameterModel", UninitializedParameterModel, ((2, 2),)),
    Case("SingleInputNet", SingleInputNet, ((2, 1, 28, 28),)),
    Case("MultipleInputNetDifferentDtypes", MultipleInputNetDifferentDtypes, ((1, 300), (1, 300)), (torch.float32, torch.long)),
    Case("LSTMNet", LSTMNet, ((1, 100),), (torch.long,)),
    Case("RecursiveNet", RecursiveNet, ((1, 64, 28, 28),)),
    Case("CustomParameter", lambda: CustomParameter(8, 4), ((3, 8),)),
    Case("ParameterListModel", ParameterListModel, ((100, 100),)),
    Case("SiameseNets", SiameseNets, ((1, 1, 88, 88), (1, 1, 88, 88))),
    # torchinfo's test gives (1, 28, 28) and a batch of 2; x.view(-1, 2048) of 2 samples of 1,024 values makes one
    # row of both: a real fold (with batch 1 the view fails), and fc1 is sized for it (2,048 = two samples' 1,024);
    # torchinfo counts it without a word
    Case("FunctionalNet", FunctionalNet, ((2, 1, 28, 28),), errors=("batch-folded", "linear-in-features")),
    Case("ReturnDict", ReturnDict, ((1, 1, 28, 28),)),
    Case("AutoEncoder", AutoEncoder, ((1, 3, 64, 64),)),
    Case("MixedTrainableParameters", MixedTrainableParameters, ((1, 10),)),
    Case("MixedTrainable", MixedTrainable, ((1, 1, 1),)),
    Case("ReuseLinear", ReuseLinear, ((10, 10),)),
    Case("ReuseReLU", ReuseReLU, ((4, 4, 4, 4),)),
    Case("RegisterParameter", lambda: RegisterParameter(nn.Linear(2, 2), nn.Linear(2, 2)), ((2, 2),)),
    Case("ParameterFCNet", ParameterFCNet, ((3, 128),)),
    Case("InsideModel", InsideModel, ((10, 2),)),
    Case("RecursiveWithMissingLayers", RecursiveWithMissingLayers, ((2, 3, 128, 128),)),
    Case("CNNModuleList", CNNModuleList, ((1, 1, 10),)),
    Case("CNNModuleList-B", lambda: CNNModuleList(ConvLayerB), ((1, 1, 10),)),
    Case("IdentityModel", IdentityModel, ((1, 1, 28, 28),)),
    Case("ReuseLinearExtended", ReuseLinearExtended, ((10, 10),)),
    Case("PrunedLayerNameModel", lambda: FakePrunedLayerModel(8, 4, with_mask=False), ((1, 8),)),
    # torchinfo takes a parameter named *_mask for a pruning mask and leaves it out of the total; it is a real
    # nn.Parameter here (the model is not pruned), which the optimizer updates: convlens counts its 32 elements
    Case("FakePrunedLayerModel", lambda: FakePrunedLayerModel(8, 4), ((1, 8),), convention=32),
    Case("PartialJITModel", PartialJITModel, ((1, 1, 28, 28),),
         known_failure="a TorchScript submodule inside a Python model cannot run on meta tensors, and the CPU fallback is not taken"),
    Case("TensorKernelSizeConv", TensorKernelSizeConv, ((1, 1, 8),), torchinfo_fails=True),  # torchinfo 1.8.0: "iteration over a 0-d tensor"
    Case("SimpleRNN", lambda: SimpleRNN(repeat_outside_loop=True), ((2, 3),)),
    Case("ContainerModule", ContainerModule, ((1, 5),)),
]
