"""``python -m bench``: run every benchmark (for now, the collection tick)."""

from bench.tick import main

main()
