"""Developer tasks that need only python3: set up .venv, then check examples or run tests.

    python3 tasks.py examples   # check, render and analyse every bundled example into build/
    python3 tasks.py test       # ruff, mypy and the test suite
    python3 tasks.py docs       # redraw docs/images/ and re-run examples/walkthrough.ipynb
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("SERVICEMAP_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".servicemap-installed"


def run(*args: str | os.PathLike[str]) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True)


def ensure_venv() -> None:
    """Create .venv and install servicemap with its dev extras (once per pyproject change)."""
    if not (BIN / "python").exists():
        print(f"Creating a virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    if STAMP.exists() and STAMP.read_bytes() == pyproject:
        return
    run(BIN / "python", "-m", "pip", "install", "-q", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "-q", "-e", f"{ROOT}[dev]")
    STAMP.write_bytes(pyproject)


def examples() -> None:
    """Check every example, then render and analyse each into build/."""
    sm = BIN / "servicemap"
    maps = sorted((ROOT / "examples").glob("*.yaml"))  # examples/broken/ fails on purpose
    run(sm, "check", *maps)
    out = ROOT / "build"
    out.mkdir(exist_ok=True)
    for example in maps:
        for suffix in (".svg", ".pdf"):
            run(sm, "render", example, "-o", out / (example.stem + suffix))
        run(sm, "render", example, "--highlight", "-o", out / (example.stem + "-highlight.svg"))
    print(f"\nRendered maps are in {out}/ (SVG and PDF, plus *-highlight.svg).")


NOTEBOOK = """
import pathlib, sys, nbformat, nbclient
path = pathlib.Path(sys.argv[1])
nb = nbformat.read(path, as_version=4)
meta = {"metadata": {"path": str(path.parent)}}
nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources=meta).execute()
nbformat.write(nb, path)
"""


def docs() -> None:
    """Redraw the images that README and docs/rendering.md show."""
    sm = BIN / "servicemap"
    images = ROOT / "docs" / "images"
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        run(sm, "render", example, "-o", images / (example.stem + ".svg"))
    current = ROOT / "examples" / "next_day_delivery_current.yaml"
    run(sm, "render", current, "--highlight", "-o",
        images / "next_day_delivery_current-highlight.svg")
    dead_end = ROOT / "examples" / "broken" / "SM103-dead-end.yaml"
    run(sm, "render", dead_end, "-o", images / "broken-dead-end.svg")
    # The walkthrough is committed with its outputs, so it reads well on GitHub.
    run(BIN / "python", "-c", NOTEBOOK, ROOT / "examples" / "walkthrough.ipynb")


def test() -> None:
    """Lint, type-check and run the tests (doctests included)."""
    run(BIN / "ruff", "check", "src", "tests", "benchmarks", "tasks.py")
    run(BIN / "mypy")
    run(BIN / "python", "-m", "pytest")


def main() -> int:
    tasks = {"examples": examples, "test": test, "docs": docs}
    if len(sys.argv) != 2 or sys.argv[1] not in tasks:
        print(__doc__)
        return 2
    ensure_venv()
    try:
        tasks[sys.argv[1]]()
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
