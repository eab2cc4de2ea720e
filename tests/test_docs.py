"""The documentation site: its API page covers every public module, the gallery scripts run.

The site itself is built by CI (``.ci/run``, the README's command, with warnings as errors);
these tests catch the two ways it goes stale without a build: a new top-level module missing
from ``docs/api.rst``, and a gallery script broken by an API change. The scripts run in
subprocesses from ``docs/gallery``, as sphinx-gallery runs them.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import etm

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GALLERY = DOCS / "gallery"
SCRIPTS = sorted(GALLERY.glob("plot_*.py"))

pytestmark = pytest.mark.skipif(not (DOCS / "conf.py").is_file(), reason="no docs/ tree")


def public_modules() -> set[str]:
    return {f"etm.{m.name}" for m in pkgutil.iter_modules(etm.__path__) if m.name[0] != "_"}


def api_modules() -> list[str]:
    """The modules listed in docs/api.rst (its top-level functions etm.sweep etc. left out)."""
    text = (DOCS / "api.rst").read_text(encoding="utf-8")
    names = re.findall(r"^ {3}(etm\.[a-z_]+)$", text, flags=re.MULTILINE)
    return [n for n in names if n not in {f"etm.{a}" for a in etm.__all__}]


def test_api_page_lists_every_public_module_once():
    listed = api_modules()
    assert len(listed) == len(set(listed)), "a module is listed twice in docs/api.rst"
    assert set(listed) == public_modules(), "docs/api.rst and the package disagree"


def test_every_docs_page_is_in_the_index():
    index = (DOCS / "index.rst").read_text(encoding="utf-8")
    pages = {p.stem for p in DOCS.glob("*.md")}
    missing = {p for p in pages if not re.search(rf"^ {{3}}{p}$", index, flags=re.MULTILINE)}
    assert not missing, f"docs pages not in a toctree of docs/index.rst: {sorted(missing)}"


def test_ci_builds_the_site_with_the_readme_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    command = [line.strip() for line in readme if line.strip().startswith('pip install ".[docs]"')]
    assert len(command) == 1 and " -W " in command[0]
    assert command[0] in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_the_gallery_has_its_analyses():
    names = " ".join(p.stem for p in SCRIPTS)
    for topic in ("mcmc", "dielectric", "echo", "magnetization", "resonator", "exact", "dask"):
        assert topic in names
    assert "audit" in names
    assert (GALLERY / "GALLERY_HEADER.rst").is_file()


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_gallery_script_has_a_title_and_importable_imports(script):
    tree = ast.parse(script.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree)
    assert doc and re.search(r"^=+$", doc, flags=re.MULTILINE), "sphinx-gallery needs a title"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            assert importlib.util.find_spec(name) is not None, f"{script.name} imports {name}"


def test_conf_py_imports_and_lists_the_public_modules():
    pytest.importorskip("sphinx")
    pytest.importorskip("numpydoc")
    # in a subprocess: conf.py puts stand-ins for the packages' __main__ modules in sys.modules
    code = "import conf; print(' '.join(conf.PUBLIC_MODULES))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=DOCS, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert set(out.stdout.split()) == public_modules()


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_gallery_script_runs(script):
    # as sphinx-gallery runs it: from docs/gallery, no display; each takes < ~20 s
    env = {**os.environ, "MPLBACKEND": "Agg"}
    out = subprocess.run(
        [sys.executable, script.name],
        cwd=GALLERY,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
