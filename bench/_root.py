"""Imported first by the benches: puts this checkout's packages ahead of whatever checkout the venv was
installed from, so a bench always measures the code beside it."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
