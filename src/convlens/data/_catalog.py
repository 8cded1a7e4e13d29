"""What each named dataset is: its files, their checksums, class names and canonical source.

Checksums: ``content_sha256`` is the SHA-256 of the *decompressed* file. Debian's
``dataset-fashion-mnist`` recompressed the upstream ``.gz`` files, so their gzip bytes (and the
upstream MD5s) differ while the content is identical; checking the content covers both.
The Fashion-MNIST values were computed here from the Debian package's files (which decompress to
exactly the upstream byte counts). For MNIST and CIFAR no decompressed hash is recorded: their
downloads are checked with the archive MD5s that torchvision publishes (``archive_md5``), and a
local copy is checked for structure (magic, sizes, label range) only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownFile:
    name: str  # file name as published
    content_sha256: str | None  # SHA-256 of the decompressed bytes; None where not recorded
    archive_md5: str | None  # MD5 of the published (compressed) file, checked on download


@dataclass(frozen=True)
class KnownDataset:
    name: str
    classes: tuple[str, ...]
    url: str  # the canonical source the files are downloaded from (base URL or archive URL)
    files: tuple[KnownFile, ...]
    apt: str | None = None  # Debian package that installs it, if any
    system_dir: str | None = None  # where that package puts it


_FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
_CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")

FASHION_MNIST = KnownDataset(
    "fashion-mnist", _FASHION_CLASSES, "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    (
        KnownFile("train-images-idx3-ubyte.gz", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        KnownFile("train-labels-idx1-ubyte.gz", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", "25c81989df183df01b3e8a0aad5dffbe"),
        KnownFile("t10k-images-idx3-ubyte.gz", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", "bef4ecab320f06d8554ea6380940ec79"),
        KnownFile("t10k-labels-idx1-ubyte.gz", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", "bb300cfdad3c16e7a12a480ee83cd310"),
    ),
    apt="dataset-fashion-mnist", system_dir="/usr/share/datasets/fashion-mnist",
)

MNIST = KnownDataset(
    "mnist", tuple(str(d) for d in range(10)), "https://ossci-datasets.s3.amazonaws.com/mnist/",
    (
        KnownFile("train-images-idx3-ubyte.gz", None, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        KnownFile("train-labels-idx1-ubyte.gz", None, "d53e105ee54ea40749a09fcbcd1e9432"),
        KnownFile("t10k-images-idx3-ubyte.gz", None, "9fb629c4189551a2d022fa330f9573f3"),
        KnownFile("t10k-labels-idx1-ubyte.gz", None, "ec29112dd5afa0611ce80d1b7f02629c"),
    ),
)

CIFAR10 = KnownDataset(
    "cifar10", _CIFAR10_CLASSES, "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    (KnownFile("cifar-10-python.tar.gz", None, "c58f30108f718f92721af3b95e74349a"),),
)

CIFAR100 = KnownDataset(
    "cifar100", (), "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",  # classes read from its 'meta' file
    (KnownFile("cifar-100-python.tar.gz", None, "eb9058c3a382ffc7106e4002c42a8d85"),),
)

CATALOG = {s.name: s for s in (FASHION_MNIST, MNIST, CIFAR10, CIFAR100)}
