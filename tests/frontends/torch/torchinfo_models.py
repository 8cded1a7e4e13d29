"""Our own versions of the models in torchinfo's test suite (TylerYep/torchinfo, tests/fixtures/models.py
and tests/fixtures/genotype.py): the same architectures, written here, each with the input torchinfo's
tests give it (``CASES``; torchinfo_test.py and torchinfo_xl_test.py). Inputs that are not plain tensors
(a scalar, strings, a dict of ints, a NamedTuple, a numpy array, no input at all) are passed as
``input_data``, as torchinfo takes them.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

import numpy as np

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence


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

    def forward(self, x, y):  # y: an input the model ignores (torchinfo's test gives a (1, 12) one)
        del y
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


class ScalarNet(nn.Module):
    """A Python number next to the tensor decides which conv runs."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(64, 64, 3, padding=1), nn.Conv2d(64, 32, 3, padding=1)

    def forward(self, x, scalar):
        return self.conv1(x) if scalar == 5 else self.conv2(x)


class DictParameter(nn.Module):
    """No parameters; the input is a dict keyed by ints, one value in a list, and an int."""

    def __init__(self):
        super().__init__()
        self.constant = 5

    def forward(self, x, scale_factor):
        return scale_factor * (x[256] + x[512][0]) * self.constant


class ModuleDictModel(nn.Module):
    """Strings given to forward pick the layer and the activation out of two ModuleDicts."""

    def __init__(self):
        super().__init__()
        self.choices = nn.ModuleDict({"conv": nn.Conv2d(10, 10, 3), "pool": nn.MaxPool2d(3)})
        self.activations = nn.ModuleDict({"lrelu": nn.LeakyReLU(), "prelu": nn.PReLU()})

    def forward(self, x, layer_type, activation_type):
        return self.activations[activation_type](self.choices[layer_type](x))


class TensorHolder:
    """A plain object with the tensor in an attribute (no tensor a walker of containers can find)."""

    def __init__(self, tensors):
        self.tensors = tensors


class HighlyNestedDictModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin1, self.lin2 = nn.Linear(10, 10), nn.Linear(10, 10)

    def forward(self, x):
        x = F.softmax(self.lin2(self.lin1(x)), dim=0)
        return {"foo": ({"bar": [TensorHolder(x)]},)}


class IntWithGetitem(int):
    """An int (its value 0) that also indexes a tensor: ``v[3]`` is the tensor times 3."""

    def __init__(self, tensor):
        super().__init__()
        self.tensor = tensor

    def __getitem__(self, k):
        return self.tensor * k


class EdgecaseInputOutputModel(nn.Module):
    """An empty dict for input (forward makes its own tensor) and an int subclass for output."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 1)

    def forward(self, inputs):
        x = inputs["foo"] if inputs else torch.ones(3)
        return {"foo": IntWithGetitem(self.linear(x))}


class NamedTupleModel(nn.Module):
    """torchinfo's NamedTuple: a NamedTuple of shapes for an input; no parameters."""

    Point = namedtuple("Point", ["x", "y"])

    def forward(self, x, y, z):
        return self.Point(x, y).x + torch.ones(z.x)


class NumpyModel(nn.Module):
    """Takes and returns numpy arrays; the Linear in between is a real layer."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, inp):
        assert isinstance(inp, np.ndarray)
        return self.lin(torch.from_numpy(inp)).detach().numpy()


class LongNamedIdentity(IdentityModel):
    """torchinfo's LayerWithRidiculouslyLongNameAndDoesntDoAnything: IdentityModel under another class name."""


class EdgeCaseModel(nn.Module):
    """A conv, then an identity given a tensor, a string or a class; ``throw_error`` calls the 1-channel
    conv again on its own 10-channel output (a real bug)."""

    def __init__(self, throw_error=False, return_str=False, return_class=False):
        super().__init__()
        self.throw_error, self.return_str, self.return_class = throw_error, return_str, return_class
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.model = LongNamedIdentity()

    def forward(self, x):
        x = self.conv1(x)
        x = self.model("string output" if self.return_str else x)
        if self.throw_error:
            x = self.conv1(x)
        if self.return_class:
            x = self.model(EdgeCaseModel)
        return x


class PackPaddedLSTM(nn.Module):
    """Embedding, then an LSTM over a PackedSequence with a given first state; time-major input (T, B)."""

    def __init__(self, vocab_size=60, embedding_size=128, output_size=18, hidden_size=32):
        super().__init__()
        self.hidden_size = hidden_size
        self.embedding = nn.Embedding(vocab_size, embedding_size)
        self.lstm = nn.LSTM(embedding_size, hidden_size, num_layers=1)
        self.hidden2out = nn.Linear(hidden_size, output_size)
        self.dropout_layer = nn.Dropout(p=0.2)

    def forward(self, batch, lengths):  # batch (T, B) token ids, lengths (B,) on the CPU
        h0 = torch.ones(1, batch.size(-1), self.hidden_size, device=batch.device)
        c0 = torch.ones(1, batch.size(-1), self.hidden_size, device=batch.device)
        packed = pack_padded_sequence(self.embedding(batch), lengths)
        _, (ht, _) = self.lstm(packed, (h0, c0))
        return F.log_softmax(self.hidden2out(self.dropout_layer(ht[-1])), dim=1)  # (B, 18)


# torchinfo's test_pack_padded: 128 sequences of 20 tokens, their lengths as (length, how many) runs
PACK_PADDED_LENGTHS = [(13, 1), (12, 1), (11, 8), (10, 14), (9, 14), (8, 9), (7, 19), (6, 27), (5, 20), (4, 15)]


def pack_padded_lengths():
    return torch.tensor([n for n, count in PACK_PADDED_LENGTHS for _ in range(count)], dtype=torch.long)


class EmptyModule(nn.Module):
    """No layers and no inputs; its one tensor has requires_grad but is not an nn.Parameter."""

    def __init__(self):
        super().__init__()
        self.parameter = torch.rand(3, 3, requires_grad=True)

    def forward(self):
        return {"loss": self.parameter.sum()}


class MultiDeviceModel(nn.Module):
    """Two Linear layers on two devices, the input moved to each (PyTorch's model-parallel ToyModel)."""

    def __init__(self, device1, device2):
        super().__init__()
        self.device1, self.device2 = device1, device2
        self.net1 = nn.Linear(10, 10).to(device1)
        self.relu = nn.ReLU()
        self.net2 = nn.Linear(10, 5).to(device2)

    def forward(self, x):
        x = self.relu(self.net1(x.to(self.device1)))
        return self.net2(x.to(self.device2))


# --- tests/fixtures/genotype.py: one DARTS cell (Liu et al. 2019, "DARTS: Differentiable Architecture Search")


class ReLUConvBN(nn.Sequential):
    def __init__(self, c_in, c_out, kernel_size=1, stride=1, padding=0):
        super().__init__(nn.ReLU(), nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=padding, bias=False),
                         nn.BatchNorm2d(c_out))


class SepConv(nn.Sequential):
    """Two depthwise-separable 3x3 convs, each ReLU -> depthwise -> pointwise -> BatchNorm."""

    def __init__(self, c_in, c_out, stride, kernel_size=3, padding=1):
        super().__init__(
            nn.ReLU(), nn.Conv2d(c_in, c_in, kernel_size, stride=stride, padding=padding, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_in, 1, bias=False), nn.BatchNorm2d(c_in),
            nn.ReLU(), nn.Conv2d(c_in, c_in, kernel_size, padding=padding, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False), nn.BatchNorm2d(c_out),
        )


class FactorizedReduce(nn.Module):
    """Halves the resolution with two stride-2 1x1 convs, the second one pixel off, concatenated."""

    def __init__(self, c_in, c_out):
        super().__init__()
        self.relu = nn.ReLU()
        self.conv_1 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.conv_2 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x):
        x = self.relu(x)
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(x[:, :, 1:, 1:])], dim=1))


Genotype = namedtuple("Genotype", "normal normal_concat reduce reduce_concat")
# torchinfo's genotype: the normal cell two skip connections, its output state 0 only (one multiplier)
GENOTYPE = Genotype(normal=[("skip_connect", 1), ("skip_connect", 0)], normal_concat=range(1),
                    reduce=[("sep_conv_3x3", 0), ("sep_conv_3x3", 1)], reduce_concat=range(1))


class Cell(nn.Module):
    def __init__(self, c_prev_prev, c_prev, c, reduction=False, reduction_prev=False):
        super().__init__()
        self.preprocess0 = FactorizedReduce(c_prev_prev, c) if reduction_prev else ReLUConvBN(c_prev_prev, c)
        self.preprocess1 = ReLUConvBN(c_prev, c)
        pairs, concat = (GENOTYPE.reduce, GENOTYPE.reduce_concat) if reduction else (GENOTYPE.normal, GENOTYPE.normal_concat)
        op_names, self._indices = zip(*pairs)
        self._steps, self._concat, self.multiplier = len(op_names) // 2, concat, len(concat)
        self._ops = nn.ModuleList()
        for name, index in zip(op_names, self._indices):
            stride = 2 if reduction and index < 2 else 1
            if name == "skip_connect":
                self._ops.append(IdentityModel() if stride == 1 else FactorizedReduce(c, c))
            else:
                self._ops.append(SepConv(c, c, stride))

    def forward(self, s0, s1, drop_prob):
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for i in range(self._steps):
            h1 = self._ops[2 * i](states[self._indices[2 * i]])
            h2 = self._ops[2 * i + 1](states[self._indices[2 * i + 1]])
            states.append(h1 + h2)
        return torch.cat([states[i] for i in self._concat], dim=1)


class GenotypeNetwork(nn.Module):
    """A stem and ``layers`` cells; with one layer the cell's output is its preprocessed s0 only (concat
    range(1)), so both skip connections and preprocess1 run but do not reach the output."""

    def __init__(self, c=16, layers=1):
        super().__init__()
        self.drop_path_prob = 0.0
        c_curr = 3 * c
        self.stem = nn.Sequential(nn.Conv2d(3, c_curr, 3, padding=1, bias=False), nn.BatchNorm2d(c_curr))
        c_prev_prev, c_prev, c_curr = c_curr, c_curr, c
        self.cells = nn.ModuleList()
        for i in range(layers):
            if i in (layers // 3, 2 * layers // 3):
                c_curr *= 2
            cell = Cell(c_prev_prev, c_prev, c_curr)
            self.cells.append(cell)
            c_prev_prev, c_prev = c_prev, cell.multiplier * c_curr

    def forward(self, x):  # returns nothing, as torchinfo's does
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, self.drop_path_prob)


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
    data: object = None  # () -> input_data (positional list or keyword dict) where the inputs are not tensors of ``shapes``
    torchinfo_call: object = None  # (torchinfo.summary, model) -> its result: the call torchinfo's test makes, where
    # it differs from input_data=data() (extra keyword arguments to summary, input_size with a NamedTuple)
    macs: int | None = None  # convlens's total MACs where the model has a bug convlens repairs, so that the real forward
    # (FlopCounterMode's count) stops or computes something else (see the case)

    def inputs(self):
        """The input_data convlens and the FlopCounterMode forward get: ``data()`` or tensors of ``shapes``."""
        if self.data is not None:
            return self.data()
        return [torch.randn(s) if dt.is_floating_point else torch.zeros(s, dtype=dt)
                for s, dt in zip(self.shapes, self.dtypes or (torch.float32,) * len(self.shapes))]


CASES = [
    Case("LinearModel", LinearModel, ((64, 128),)),
    Case("UninitializedParameterModel", UninitializedParameterModel, ((2, 2),)),
    Case("SingleInputNet", SingleInputNet, ((2, 1, 28, 28),)),
    Case("MultipleInputNetDifferentDtypes", MultipleInputNetDifferentDtypes, ((1, 300), (1, 300)), (torch.float32, torch.long)),
    Case("LSTMNet", LSTMNet, ((1, 100),), (torch.long,)),
    Case("RecursiveNet", RecursiveNet, ((1, 64, 28, 28),)),
    Case("CustomParameter", lambda: CustomParameter(8, 4), ((1,),)),
    Case("ParameterListModel", ParameterListModel, ((100, 100),)),
    Case("SiameseNets", SiameseNets, ((1, 1, 88, 88), (1, 1, 88, 88))),
    # torchinfo's test gives (1, 28, 28) and a batch of 2; x.view(-1, 2048) of 2 samples of 1,024 values makes one
    # row of both: a real fold (with batch 1 the view fails), and fc1 is sized for it (2,048 = two samples' 1,024);
    # torchinfo counts it without a word. MACs: convlens counts the model with the fold repaired (x.flatten(1)), where
    # fc1 receives 1,024 features and cannot run (its row has no MACs): 7,495,680, where the real forward on the
    # folded row does 9,582,592 (FlopCounterMode)
    Case("FunctionalNet", FunctionalNet, ((2, 1, 28, 28),), errors=("batch-folded", "linear-in-features"), macs=7_495_680),
    Case("ReturnDict", ReturnDict, ((1, 1, 28, 28), (1, 12))),
    Case("AutoEncoder", AutoEncoder, ((1, 3, 64, 64),)),
    Case("MixedTrainableParameters", MixedTrainableParameters, ((1, 10),)),  # torchinfo's test gives no input
    Case("MixedTrainable", MixedTrainable, ((1, 1, 1),)),
    Case("ReuseLinear", ReuseLinear, ((2, 10),)),
    Case("ReuseReLU", ReuseReLU, ((4, 4, 64, 64),)),
    Case("RegisterParameter", lambda: RegisterParameter(nn.Linear(2, 2), nn.Linear(2, 2)), ((2, 2),)),  # torchinfo: no input
    Case("ParameterFCNet", ParameterFCNet, ((3, 128),)),
    Case("ParameterFCNet-fc2", lambda: ParameterFCNet(128, 64, 32), ((3, 128),)),
    Case("InsideModel", InsideModel, ((100, 2),)),
    Case("RecursiveWithMissingLayers", RecursiveWithMissingLayers, ((2, 3, 128, 128),)),
    Case("CNNModuleList", CNNModuleList, ((1, 1, 10),)),
    Case("CNNModuleList-B", lambda: CNNModuleList(ConvLayerB), ((1, 1, 10),)),
    Case("IdentityModel", IdentityModel, ((1, 1, 28, 28),)),
    Case("ReuseLinearExtended", ReuseLinearExtended, ((2, 10),)),
    Case("PrunedLayerNameModel", lambda: FakePrunedLayerModel(8, 4, with_mask=False), ((1,),)),
    # torchinfo takes a parameter named *_mask for a pruning mask and leaves it out of the total; it is a real
    # nn.Parameter here (the model is not pruned), which the optimizer updates: convlens counts its 32 elements
    Case("FakePrunedLayerModel", lambda: FakePrunedLayerModel(8, 4), ((1,),), convention=32),
    # its TorchScript submodules keep real weights and cannot run on meta inputs: convlens falls back to the CPU.
    # torchinfo 1.8.0 counts each parameter of a TorchScript submodule twice: 38,400, where model.parameters()
    # holds 21,840 (fc1's 16,050 and fc2's 510 once more)
    Case("PartialJITModel", PartialJITModel, ((2, 1, 28, 28),), convention=-(16_050 + 510)),
    Case("PartialJITModel-scripted", lambda: torch.jit.script(PartialJITModel()), ((2, 1, 28, 28),)),  # torchinfo's test
    Case("TensorKernelSizeConv", TensorKernelSizeConv, ((1, 1, 16),), torchinfo_fails=True),  # torchinfo 1.8.0: "iteration over a 0-d tensor"
    Case("SimpleRNN", SimpleRNN, ((2, 3),)),
    Case("SimpleRNN-outside-loop", lambda: SimpleRNN(repeat_outside_loop=True), ((2, 3),)),
    Case("ContainerModule", ContainerModule, ((1, 5),)),
    Case("ContainerModule-1d", ContainerModule, ((5,),)),
    Case("ScalarNet", ScalarNet, (), data=lambda: [torch.randn(2, 64, 3, 3), 5]),
    Case("DictParameter", DictParameter, (), data=lambda: {"x": {256: torch.randn(10, 1), 512: [torch.randn(10, 1)]}, "scale_factor": 5}),
    # torchinfo 1.8.0 cannot take the strings inside input_data; its test passes them as keyword arguments of summary
    Case("ModuleDictModel-conv", ModuleDictModel, (),
         data=lambda: {"x": torch.randn(1, 10, 3, 3), "layer_type": "conv", "activation_type": "lrelu"},
         torchinfo_call=lambda summary, m: summary(m, input_data=torch.randn(1, 10, 3, 3), layer_type="conv", activation_type="lrelu", verbose=0)),
    Case("ModuleDictModel-pool", ModuleDictModel, (),
         data=lambda: {"x": torch.randn(1, 10, 3, 3), "layer_type": "pool", "activation_type": "prelu"},
         torchinfo_call=lambda summary, m: summary(m, input_data=torch.randn(1, 10, 3, 3), layer_type="pool", activation_type="prelu", verbose=0)),
    Case("HighlyNestedDictModel", HighlyNestedDictModel, ((10,),)),
    Case("EdgecaseInputOutputModel", EdgecaseInputOutputModel, (), data=lambda: [{}]),
    Case("NamedTuple", NamedTupleModel, (), data=lambda: {"x": torch.randn(2, 1, 28, 28), "y": torch.randn(2, 1, 28, 28),
                                                         "z": NamedTupleModel.Point((2, 1, 28, 28), (2, 1, 28, 28))},
         torchinfo_call=lambda summary, m: summary(m, input_size=[(2, 1, 28, 28), (2, 1, 28, 28)],
                                                   z=NamedTupleModel.Point((2, 1, 28, 28), (2, 1, 28, 28)), verbose=0)),
    Case("NumpyModel", NumpyModel, (), data=lambda: [np.ones((2, 3), dtype=np.float32)]),
    Case("EdgeCaseModel", EdgeCaseModel, ((1, 1, 28, 28),)),
    Case("EdgeCaseModel-return-str", lambda: EdgeCaseModel(return_str=True), ((1, 1, 28, 28),), torchinfo_fails=True),
    Case("EdgeCaseModel-return-class", lambda: EdgeCaseModel(return_class=True), ((1, 1, 28, 28),), torchinfo_fails=True),
    # the bug torchinfo's test expects to raise: conv1 (1 channel in) called on its own 10-channel output. The real
    # forward stops there; convlens reports it and counts the first call only: 10×24×24 outputs × 25 = 144,000 MACs
    Case("EdgeCaseModel-throw-error", lambda: EdgeCaseModel(throw_error=True), ((1, 1, 28, 28),), errors=("layer-mismatch",),
         torchinfo_fails=True, macs=144_000),
    Case("PackPaddedLSTM", PackPaddedLSTM, (), data=lambda: [torch.ones(20, 128, dtype=torch.long), pack_padded_lengths()],
         torchinfo_call=lambda summary, m: summary(m, input_data=torch.ones(20, 128, dtype=torch.long),
                                                   lengths=pack_padded_lengths(), device="cpu", verbose=0)),
    Case("EmptyModule", EmptyModule, (), data=list),
    # torchinfo's test puts net2 on CUDA; this machine has none, so both layers are on the CPU (the same code path:
    # forward moves the input to each layer's device)
    Case("MultiDeviceModel", lambda: MultiDeviceModel("cpu", "cpu"), ((10,),)),
    Case("GenotypeNetwork", GenotypeNetwork, ((2, 3, 32, 32),)),
]
