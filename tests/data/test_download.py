"""`convlens data get` against a local HTTP server on 127.0.0.1 serving test files (no other address)."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import threading

import pytest

from convlens.cli import main
from convlens.data import DataError, load
from convlens.data._catalog import KnownDataset, KnownFile
from convlens.data.download import get


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _spec(root, idx_writer):
    idx_writer(root, n_train=12, n_test=6)
    files = tuple(KnownFile(p.name, hashlib.sha256(gzip.decompress(p.read_bytes())).hexdigest(), None) for p in sorted(root.iterdir()))
    return KnownDataset("mnist", tuple(str(i) for i in range(10)), "http://example.invalid/", files)


def test_get_downloads_verifies_and_the_loader_reads_it(tmp_path, server, idx_writer):
    root, url = server
    spec = _spec(root, idx_writer)
    lines = []
    got = get(spec, tmp_path / "dest", base_url=url, log=lines.append)
    assert sorted(p.name for p in got) == sorted(f.name for f in spec.files)
    assert any("SHA-256 of the decompressed content verified" in line for line in lines)
    assert load("mnist", data_dir=tmp_path / "dest").train_images.shape == (12, 1, 28, 28)
    lines.clear()
    get(spec, tmp_path / "dest", base_url=url, log=lines.append)  # second time: kept, not fetched
    assert all("present and verified" in line for line in lines)


def test_a_checksum_mismatch_installs_nothing(tmp_path, server, idx_writer):
    root, url = server
    spec = _spec(root, idx_writer)
    (root / spec.files[0].name).write_bytes(gzip.compress(b"\x00\x00\x08\x03tampered"))
    with pytest.raises(DataError, match="checksum mismatch: decompressed SHA-256"):
        get(spec, tmp_path / "dest", base_url=url, log=lambda _: None)
    assert not list((tmp_path / "dest").iterdir())  # no file, no .part left behind


def test_cli_data_get_checks_the_published_md5(tmp_path, server, idx_writer, capsys):
    root, url = server
    idx_writer(root)  # MNIST's file names, but not MNIST's bytes
    assert main(["data", "get", "mnist", "--mirror", url, "--data-dir", str(tmp_path / "mnist")]) == 2
    err = capsys.readouterr().err
    assert "train-images-idx3-ubyte.gz: checksum mismatch: MD5" in err and "expected f68b3c2dcbeaaa9fbdd348bbdeb94873" in err
    assert main(["data", "get", "mnist", "--mirror", url + "missing/", "--data-dir", str(tmp_path / "m2")]) == 2
    assert "the server answered 404" in capsys.readouterr().err
    assert main(["data", "get", "mnist", "--mirror", "ftp://127.0.0.1/"]) == 2
    assert main(["data", "get", "svhn", "--data-dir", str(tmp_path / "s")]) == 2
    assert "no dataset 'svhn' to download" in capsys.readouterr().err


def test_cli_data_list_shows_what_is_here(tmp_path, idx_writer, capsys):
    idx_writer(tmp_path)
    assert main(["data", "list", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["dataset", "train", "/", "test", "image", "classes", "where,", "verified"]
    mnist = next(line for line in out.splitlines() if line.startswith("mnist "))
    assert "40 / 20" in mnist and "1×28×28" in mnist and "structure verified" in mnist
    fashion = next(line for line in out.splitlines() if line.startswith("fashion-mnist"))
    assert "checksum mismatch" in fashion  # the same files are not Fashion-MNIST's bytes
    capsys.readouterr()
    assert main(["data"]) == 0  # bare `convlens data` lists, as bare `convlens zoo` does
    assert capsys.readouterr().out.splitlines()[0].split()[0] == "dataset"
