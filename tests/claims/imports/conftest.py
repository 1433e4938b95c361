from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "samples"


@pytest.fixture
def sample():
    def read(kind: str, name: str) -> bytes:
        return (SAMPLES / kind / name).read_bytes()

    return read
