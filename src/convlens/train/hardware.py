"""What the machine computes fast, decided when a run starts: the precision of ``--precision auto``,
and the time since the command started (the clock of the accuracy thresholds a run reports).

bfloat16 autocast pays only where the hardware has bfloat16 arithmetic: on x86 CPUs the
``avx512_bf16`` or ``amx_bf16`` flags (oneDNN's AMX and AVX-512 BF16 kernels; measured on a 2-core
Sapphire Rapids class machine, bf16 + channels-last trains FastNet about 3× faster than fp32 — see
docs/train.md); without them oneDNN emulates bf16 with conversions and fp32 is the faster choice.
On CUDA bf16 needs compute capability 8.0 (Ampere) or later; Apple's MPS trains in fp32.
"""

from __future__ import annotations

import os
import platform
from functools import lru_cache
from pathlib import Path

import torch

from .config import Precision

NATIVE_BF16_FLAGS = ("avx512_bf16", "amx_bf16")


@lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """The x86 feature flags of the first processor in /proc/cpuinfo (empty elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def native_bf16(device: torch.device) -> bool:
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    if device.type == "cpu" and platform.machine().lower() in ("x86_64", "amd64"):
        return any(f in cpu_flags() for f in NATIVE_BF16_FLAGS)
    return False


def resolve_precision(precision: Precision, device: torch.device) -> Precision:
    """``auto`` -> bf16 where ``device`` computes bfloat16 natively, else fp32; the others as given."""
    if precision is not Precision.AUTO:
        return precision
    return Precision.BF16 if native_bf16(device) else Precision.FP32


def process_age() -> float:
    """Seconds since this process started (Linux: /proc; elsewhere 0, i.e. counted from the call)."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        start = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime, in clock ticks after boot
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - start)
    except (OSError, ValueError, IndexError):
        return 0.0
