from __future__ import annotations

import os
from pathlib import Path

import pytest

# Next to the repository; a worktree elsewhere points at them with SAMPLES_DIR.
SAMPLES = Path(
    os.environ.get("SAMPLES_DIR")
    or Path(__file__).resolve().parents[3].parent / "shared" / "samples"
)


@pytest.fixture
def sample():
    def read(kind: str, name: str) -> bytes:
        return (SAMPLES / kind / name).read_bytes()

    return read
