"""Correct models that merge the batch with other dimensions on purpose: ``check`` must find no error.

Each is written the way such code is written in the wild (word-language model, siamese towers,
attention heads for ``bmm``, video frames, channel shuffle, ensembles); ``CORRECT`` lists each with
the inputs it is checked on (a shape per input, a dtype per input). A second list, ``BUGGY``, holds
models that really fold samples together, with the layer, the words and the output rows that
``check`` must report.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


class WordLanguageModel(nn.Module):
    """PyTorch's word_language_model: sequence-first LSTM, logits of every token, (T·B, vocab)."""

    def __init__(self, vocab=50, embed=16, hidden=24):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.rnn = nn.LSTM(embed, hidden, num_layers=2)
        self.decoder = nn.Linear(hidden, vocab)
        self.vocab = vocab

    def forward(self, tokens):  # (T, B) token ids
        out, hidden = self.rnn(self.embedding(tokens))  # (T, B, hidden)
        logits = self.decoder(out)  # (T, B, vocab)
        return F.log_softmax(logits.view(-1, self.vocab), dim=1), hidden  # (T, B, vocab) -> (T·B, vocab)


class TokenTagger(nn.Module):
    """Batch-first GRU tagger whose loss wants (B·T, tags) logits."""

    def __init__(self, vocab=40, embed=12, hidden=20, tags=7):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.rnn = nn.GRU(embed, hidden, batch_first=True)
        self.out = nn.Linear(hidden, tags)

    def forward(self, tokens):  # (B, T)
        h, _ = self.rnn(self.embedding(tokens))  # (B, T, hidden)
        return self.out(h).reshape(-1, self.out.out_features)  # (B, T, tags) -> (B·T, tags)


class _Tower(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 4 * 4, 16)

    def forward(self, x):  # (B, 1, 8, 8)
        x = F.max_pool2d(F.relu(self.conv(x)), 2)  # (B, 8, 4, 4)
        return self.fc(x.flatten(1))  # (B, 128) -> (B, 16)


class SiameseConcat(nn.Module):
    """One tower on two views, joined whole along the batch: (2B, 16), as for a contrastive loss."""

    def __init__(self):
        super().__init__()
        self.tower = _Tower()

    def forward(self, a, b):
        return torch.cat((self.tower(a), self.tower(b)), 0)  # (B, 16) + (B, 16) -> (2B, 16)


class TwoBatches(nn.Module):
    """Two inputs, each through its own layers, the two batches concatenated (torchinfo's two-input model)."""

    def __init__(self):
        super().__init__()
        self.fa = nn.Sequential(nn.Linear(30, 20), nn.ReLU(), nn.Linear(20, 5))
        self.fb = nn.Sequential(nn.Linear(30, 20), nn.ReLU(), nn.Linear(20, 5))

    def forward(self, x1, x2):
        return F.log_softmax(torch.cat((self.fa(x1), self.fb(x2)), 0), dim=1)  # -> (2B, 5)


class HeadsForBmm(nn.Module):
    """Self-attention written with bmm: heads folded into the batch, (B·heads, T, d), and back."""

    def __init__(self, dim=32, heads=4):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):  # (B, T, dim)
        b, t, c = x.shape
        q, k, v = self.qkv(x).chunk(3, dim=-1)  # 3 × (B, T, dim)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2).reshape(b * self.heads, t, c // self.heads)
                   for z in (q, k, v))  # (B, T, dim) -> (B·heads, T, d)
        att = torch.softmax(torch.bmm(q, k.transpose(1, 2)) / (c // self.heads) ** 0.5, dim=-1)  # (B·heads, T, T)
        y = torch.bmm(att, v).view(b, self.heads, t, c // self.heads)  # (B·heads, T, d) -> (B, heads, T, d)
        return self.proj(y.transpose(1, 2).reshape(b, t, c))  # (B, T, dim)


class ClipFrames(nn.Module):
    """A video clip's frames through a 2-D CNN as one batch (B·T), then pooled over time."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8, 5)

    def forward(self, clip):  # (B, T, 3, H, W)
        b, t = clip.shape[:2]
        frames = clip.view(b * t, *clip.shape[2:])  # (B, T, 3, H, W) -> (B·T, 3, H, W)
        feats = F.adaptive_avg_pool2d(F.relu(self.conv(frames)), 1).view(b, t, -1)  # (B·T, 8, 1, 1) -> (B, T, 8)
        return self.fc(feats.mean(1))  # (B, 5)


class PerChannel(nn.Module):
    """Every channel through one shared single-channel conv: (B·C, 1, H, W), then back."""

    def __init__(self):
        super().__init__()
        self.shared = nn.Conv2d(1, 1, 3, padding=1)

    def forward(self, x):  # (B, C, H, W)
        b, c, h, w = x.shape
        y = self.shared(x.reshape(b * c, 1, h, w))  # (B, C, H, W) -> (B·C, 1, H, W)
        return y.view(b, c, h, w)  # (B·C, 1, H, W) -> (B, C, H, W)


class ChannelShuffle(nn.Module):
    """ShuffleNet's channel shuffle between two grouped convs."""

    def __init__(self, groups=4):
        super().__init__()
        self.groups = groups
        self.a = nn.Conv2d(16, 16, 1, groups=groups)
        self.b = nn.Conv2d(16, 16, 3, padding=1, groups=groups)

    def forward(self, x):  # (B, 16, H, W)
        x = self.a(x)
        b, c, h, w = x.shape
        x = x.view(b, self.groups, c // self.groups, h, w).transpose(1, 2)  # (B, g, C/g, H, W) -> (B, C/g, g, H, W)
        return self.b(x.reshape(b, c, h, w))  # -> (B, C, H, W)


class StackedEnsemble(nn.Module):
    """Members' predictions stacked whole, (members, B, classes), averaged."""

    def __init__(self, members=3):
        super().__init__()
        self.members = nn.ModuleList(nn.Linear(12, 4) for _ in range(members))

    def forward(self, x):  # (B, 12)
        votes = torch.stack([m(x) for m in self.members])  # (members, B, 4)
        return votes.mean(0), votes  # (B, 4), (members, B, 4)


class PatchEmbed(nn.Module):
    """Image cut into patches by reshapes, every patch of every image through one Linear, tokens back per image."""

    def __init__(self, patch=4, channels=3, dim=24):
        super().__init__()
        self.patch = patch
        self.embed = nn.Linear(channels * patch * patch, dim)

    def forward(self, x):  # (B, C, H, W)
        b, c, h, w = x.shape
        p = self.patch
        x = x.view(b, c, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5)  # (B, H/p, W/p, C, p, p)
        tokens = self.embed(x.reshape(b * (h // p) * (w // p), c * p * p))  # (B·N, C·p·p) -> (B·N, dim)
        return tokens.view(b, (h // p) * (w // p), -1)  # (B, N, dim)


class PerTokenLogits(nn.Module):
    """A per-pixel classifier whose output stays (B·H·W, classes) for cross-entropy."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)

    def forward(self, x):  # (B, 3, H, W)
        y = self.conv(x).permute(0, 2, 3, 1)  # (B, H, W, 6)
        return y.reshape(-1, 6)  # (B, H, W, 6) -> (B·H·W, 6)


class SimilarityMatrix(nn.Module):
    """CLIP-style logits: every image against every text, (B, B)."""

    def __init__(self):
        super().__init__()
        self.image = nn.Linear(20, 8)
        self.text = nn.Linear(10, 8)

    def forward(self, image, text):
        a = F.normalize(self.image(image), dim=1)  # (B, 8)
        b = F.normalize(self.text(text), dim=1)  # (B, 8)
        return a @ b.t()  # (B, B)


class TwoViewsInOneBatch(nn.Module):
    """The two augmented views arrive as one batch of 2N; the batch is split whole into (2, N, D)."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(16, 8)

    def forward(self, x):  # (2N, 16)
        z = self.encoder(x).view(2, -1, 8)  # (2N, 8) -> (2, N, 8)
        return F.cosine_similarity(z[0], z[1], dim=1)  # (N,)


class SequenceFirstTransformer(nn.Module):
    """A sequence-first transformer encoder, every position classified: (T·B, classes)."""

    def __init__(self, dim=16, classes=5):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(dim, nhead=2, dim_feedforward=32, dropout=0.0)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):  # (T, B, dim)
        return self.head(self.layer(x).view(-1, x.shape[-1]))  # (T, B, dim) -> (T·B, dim) -> (T·B, classes)


class FlattenedTokens(nn.Module):
    """torch.flatten(x, 0, 1) merges batch and tokens; a 1-D per-token score for BCE."""

    def __init__(self):
        super().__init__()
        self.score = nn.Linear(10, 1)

    def forward(self, x):  # (B, T, 10)
        return self.score(torch.flatten(x, 0, 1)).view(-1)  # (B·T, 10) -> (B·T, 1) -> (B·T,)


class SharedHalves(nn.Module):
    """Each sample's 512 features as two halves through one shared Linear, joined back per sample."""

    def __init__(self):
        super().__init__()
        self.shared = nn.Linear(256, 256)
        self.head = nn.Linear(512, 3)

    def forward(self, x):  # (B, 512)
        b = x.shape[0]
        halves = self.shared(x.view(-1, 256))  # (B, 512) -> (2B, 256): restored on the next line
        return self.head(halves.view(b, 512))  # (2B, 256) -> (B, 512) -> (B, 3)


class BatchStatistic(nn.Module):
    """Returns a statistic over the batch (as a loss does): no dimension is the batch, nothing is folded."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 6)

    def forward(self, x):  # (B, 6)
        return self.fc(x).pow(2).mean(0)  # (6,)


@dataclass(frozen=True)
class Case:
    model: type
    shapes: tuple  # one shape per input
    dtypes: tuple = ()  # one torch dtype per input; () for float32


CORRECT = [
    Case(WordLanguageModel, ((35, 4),), (torch.long,)),
    Case(TokenTagger, ((4, 9),), (torch.long,)),
    Case(SiameseConcat, ((4, 1, 8, 8), (4, 1, 8, 8))),
    Case(TwoBatches, ((3, 30), (3, 30))),
    Case(HeadsForBmm, ((2, 6, 32),)),
    Case(ClipFrames, ((2, 5, 3, 8, 8),)),
    Case(PerChannel, ((2, 3, 8, 8),)),
    Case(ChannelShuffle, ((2, 16, 6, 6),)),
    Case(StackedEnsemble, ((5, 12),)),
    Case(PatchEmbed, ((2, 3, 8, 8),)),
    Case(PerTokenLogits, ((2, 3, 4, 4),)),
    Case(SimilarityMatrix, ((4, 20), (4, 10))),
    Case(TwoViewsInOneBatch, ((8, 16),)),
    Case(SequenceFirstTransformer, ((7, 3, 16),)),
    Case(FlattenedTokens, ((4, 6, 10),)),
    Case(SharedHalves, ((4, 512),)),
    Case(BatchStatistic, ((4, 6),)),
]


# --- models that really fold samples together ------------------------------------------------

class CutFeatures(nn.Module):
    """(B, 512) -> view(-1, 256): every sample's features cut into two rows, kept to the output."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(256, 10)

    def forward(self, x):  # (B, 512)
        x = x.view(-1, 256)  # BUG: (B, 512) -> (2B, 256)
        return self.fc(x)


class PairsSamples(nn.Module):
    """(B, 512) -> view(-1, 1024): two samples joined into one row."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(1024, 10)

    def forward(self, x):  # (B, 512)
        x = x.view(-1, 1024)  # BUG: (B, 512) -> (B/2, 1024)
        return self.fc(x)


class HardCodedBatch(nn.Module):
    """Flattened for a batch of 32 written into the code."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 128, 3, padding=1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):  # (B, 3, 2, 2)
        x = self.conv(x)  # (B, 128, 2, 2)
        x = x.view(32, -1)  # BUG: the batch size written in
        return self.fc(x)


class TokensCut(nn.Module):
    """(B, T, 300) viewed as rows of 100: each token's embedding cut in three."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(30, 300)
        self.fc = nn.Linear(100, 4)

    def forward(self, tokens):  # (B, T)
        e = self.embedding(tokens)  # (B, T, 300)
        return self.fc(e.reshape(-1, 100))  # BUG: (B, T, 300) -> (3·B·T, 100)


@dataclass(frozen=True)
class Buggy:
    model: type
    shapes: tuple
    layer: str  # the row check names
    words: str  # part of the message
    code: str  # the start of the source line check quotes
    dtypes: tuple = ()


BUGGY = [
    Buggy(CutFeatures, ((4, 512),), "view", "each sample's 512 values become 2 rows of 256", "x = x.view(-1, 256)"),
    Buggy(PairsSamples, ((4, 512),), "view", "4 samples of 512 values become 2 rows of 1,024", "x = x.view(-1, 1024)"),
    Buggy(HardCodedBatch, ((4, 3, 2, 2),), "view", "values become 32 rows", "x = x.view(32, -1)"),
    Buggy(TokensCut, ((2, 5),), "reshape", "values become 15 rows of 100",
          "return self.fc(e.reshape(-1, 100))", (torch.long,)),
]
