"""Puts the repository's root on the import path, so that a benchmark run as a script
(``.venv/bin/python bench/stories.py``) can read the evaluation harness's data (``eval/``, which is
not an installed package)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
