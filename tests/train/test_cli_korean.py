"""`convlens eval`, `predict` and `features` in Korean (issue 19): the lines cli/ writes around the
numbers, the same exit codes as in English. Uses the tiny trained run of conftest.py."""

from __future__ import annotations

from convlens.cli import main
from i18n.english import english

CODE = {"TTA", "float32", "flip", "fastnet", "mnist"}  # the model, the dataset and the setting, as named in code


def test_eval_in_korean(trained_run, tmp_path, capsys):
    assert main(["eval", str(trained_run), "-o", str(tmp_path / "c.png"), "--lang", "ko"]) == 0
    out = capsys.readouterr().out
    assert "에포크 학습한 fastnet, mnist 테스트 (이미지 128장" in out
    assert out.splitlines()[1].startswith("정확도  ") and "개 중 " in out.splitlines()[1]
    assert out.splitlines()[2].startswith("손실      ") and "(평균 교차 엔트로피)" in out
    header = next(line for line in out.splitlines() if line.startswith("클래스"))
    assert header.split() == ["클래스", "정답", "이미지", "정확도"]  # the headers; their padding is the report layer's
    assert "혼동 행렬 (행: 실제 클래스" in out and "실제 \\ 예측" in out
    assert f"{tmp_path / 'c.png'}에 썼습니다" in out
    assert english(out, allow=CODE) == []
    assert main(["eval", str(trained_run), "-o", str(tmp_path / "c.txt"), "--lang", "ko"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("convlens: -o/--output ") and "혼동 행렬은 그림으로 그립니다" in err and len(err.strip().splitlines()) == 1


def test_features_in_korean(trained_run, tmp_path, capsys):
    from PIL import Image

    Image.new("L", (28, 28), 128).save(tmp_path / "x.png")
    assert main(["features", str(trained_run), str(tmp_path / "x.png"), "--layer", "group1.conv1", "-o", str(tmp_path), "--lang", "ko"]) == 0
    out = capsys.readouterr().out
    assert "에 썼습니다: group1.conv1의 채널 8개 중 8개, 각각 27×27" in out and "에 썼습니다: stem의 필터 8개 중 8개, 각각 2×2" in out
    assert english(out) == []


def test_predict_usage_error_in_korean(trained_run, tmp_path, capsys):
    assert main(["predict", str(trained_run), str(tmp_path / "a.png"), "--top-k", "0", "--lang", "ko"]) == 2
    assert capsys.readouterr().err == "convlens: --top-k는 1 이상이어야 합니다. 받은 값: 0\n"
    assert main(["predict", str(trained_run), str(tmp_path / "a.png"), "--top-k", "0"]) == 2
    assert capsys.readouterr().err == "convlens: --top-k must be at least 1, got 0\n"
