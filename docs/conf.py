"""Sphinx configuration of the etm documentation site.

Build (offline, warnings as errors; README "Documentation")::

    pip install ".[docs]" && python -m sphinx -W --keep-going -b html docs docs/_build/html

Sources: the Markdown pages of ``docs/`` (myst-parser), the API reference generated from the
numpydoc docstrings (autosummary stubs under ``docs/generated``), and the gallery of worked
analyses: the scripts of ``docs/gallery`` run by sphinx-gallery into ``docs/auto_gallery``.
Nothing is fetched from the network: no intersphinx, no remote images.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import sys
import types
from pathlib import Path

import sphinx.ext.autosummary

# document the checkout this file is in, whatever etm is installed
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import etm  # noqa: E402

# the gallery scripts draw with matplotlib: never open a window
os.environ.setdefault("MPLBACKEND", "Agg")

project = "etm"
author = "the etm developers"
copyright = "the etm developers, MIT license"  # noqa: A001 (Sphinx's name)
release = etm.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
highlight_language = "none"  # literal blocks are equations; code says its language
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "gallery",  # sphinx-gallery's sources; it writes the pages into auto_gallery
    "scripts",  # the scripts that drew docs/figures, not pages
    "auto_gallery/*.ipynb",
    "auto_gallery/*.py",
    "auto_gallery/*.md5",
    "auto_gallery/*.zip",
    "auto_gallery/*.json",
]

# --------------------------------------------------------------------------------------------
# the API reference: one page per public module of etm (listed in api.rst; the template
# _templates/autosummary/module.rst): a summary table of its __all__, each object documented on
# the page, its submodules as pages below it

#: Every public top-level module and package of etm; api.rst lists each exactly once
#: (tests/test_docs.py checks it).
PUBLIC_MODULES = sorted(
    f"etm.{m.name}" for m in pkgutil.iter_modules(etm.__path__) if not m.name.startswith("_")
)


def _documented_modules() -> list[str]:
    """``etm`` and every public module below it (no ``_private`` part, no ``__main__``)."""
    names = ["etm"]
    for info in pkgutil.walk_packages(etm.__path__, "etm."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return names


# autosummary imports every submodule of a package it recurses into, ``__main__`` included:
# that would run ``python -m etm.cli`` (with sphinx-build's arguments) and print the audit.
# Empty stand-ins in sys.modules keep them from running.
for _info in pkgutil.walk_packages(etm.__path__, "etm."):
    if _info.name.endswith(".__main__"):
        sys.modules.setdefault(_info.name, types.ModuleType(_info.name))


def _is_documented_object(obj: object) -> bool:
    return inspect.isroutine(obj) or inspect.isclass(obj) or hasattr(obj, "py_func")


def _elsewhere() -> dict[str, list[tuple[str, str]]]:
    """Per module, the functions and classes it exports that another page documents.

    An object exported by several modules (``etm.dielectric.ats.relative_change`` is also
    ``etm.dielectric.relative_change``) is documented once, at its home: the shallowest
    package above its defining module that exports it, else the defining module. The other
    pages link there. Returns ``{module: [(name, home), ...]}``.
    """
    exporters: dict[int, list[tuple[str, str]]] = {}
    objects: dict[int, object] = {}
    for modname in _documented_modules():
        mod = importlib.import_module(modname)
        names = getattr(mod, "__all__", None)
        if names is None:  # autosummary's rule then: what the module defines
            names = [
                n for n, v in vars(mod).items()
                if not n.startswith("_") and getattr(v, "__module__", None) == modname
            ]  # fmt: skip
        for name in names:
            obj = getattr(mod, name, None)
            if _is_documented_object(obj):
                exporters.setdefault(id(obj), []).append((modname, name))
                objects[id(obj)] = obj
    out: dict[str, list[tuple[str, str]]] = {}
    for key, where in exporters.items():
        defining = getattr(objects[key], "__module__", "") or ""

        def rank(entry: tuple[str, str], defining: str = defining) -> tuple[int, int, str]:
            m = entry[0]
            above = m == defining or defining.startswith(m + ".")
            return (0 if above else 1, m.count("."), m)

        home_mod, home_name = min(where, key=rank)
        for modname, name in where:
            if modname != home_mod:
                out.setdefault(modname, []).append((name, f"{home_mod}.{home_name}"))
    return out


# A stub left from a module since renamed or removed would be a page in no toctree (an error
# with -W): keep only the stubs of what is documented now.
for _stub in (Path(__file__).resolve().parent / "generated").glob("*.rst"):
    if _stub.stem not in {*_documented_modules(), "etm.sweep", "etm.ab_energy"}:
        _stub.unlink()

autosummary_generate = True
# A summary is the first sentence; "(essay Eq. 21)" must not end it.
sphinx.ext.autosummary.WELL_KNOWN_ABBREVIATIONS = (
    *sphinx.ext.autosummary.WELL_KNOWN_ABBREVIATIONS,
    *("Eq.", "Eqs.", "Fig.", "Figs.", "Ref.", "Refs.", "Sec.", "No.", "approx.", "cf."),
)
autosummary_ignore_module_all = False  # a package's page documents its __all__
autosummary_context = {"elsewhere": _elsewhere()}
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry types and units
autoclass_content = "class"
add_module_names = False

numpydoc_show_class_members = False  # autoclass :members: documents them
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# --------------------------------------------------------------------------------------------
# Markdown pages

myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# --------------------------------------------------------------------------------------------
# the gallery of worked analyses


sphinx_gallery_conf = {
    "examples_dirs": ["gallery"],
    "gallery_dirs": ["auto_gallery"],
    "filename_pattern": r"/plot_",  # every plot_*.py runs during the build
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "show_memory": False,
    "write_computation_times": False,  # no sg_execution_times.rst in the sources
    "min_reported_time": 1,
    "plot_gallery": True,
    "abort_on_example_error": True,
}

# --------------------------------------------------------------------------------------------
# HTML

html_theme = "furo"
html_title = f"etm {release}"
html_static_path = ["_static"]
html_css_files = ["etm.css"]
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": True,
}


# --------------------------------------------------------------------------------------------
# docstrings are written to read well in help(): |q| is an absolute value, H_+ a symbol. In
# reStructuredText the first is a substitution and the second a link, so both are escaped in
# running text (never in literals, roles, doctests, literal blocks or directives).

_LITERALS = re.compile(r"(``.+?``|`[^`]+`)")
_FIELD = re.compile(r"^(\s*:[A-Za-z][^:`]*:)(.*)$")
_TRAILING_UNDERSCORE = re.compile(r"(?<=[A-Za-z0-9])_(?=[^A-Za-z0-9_`]|$)")


def _escape_text(text: str) -> str:
    parts = _LITERALS.split(text)
    for j in range(0, len(parts), 2):
        parts[j] = _TRAILING_UNDERSCORE.sub(r"\\_", parts[j].replace("|", r"\|"))
    return "".join(parts)


_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)]|#\.|\(\w+\))\s")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def literal_equations(lines: list[str]) -> None:
    """Make an indented block after a paragraph and a blank line a literal block.

    The docstrings set equations off that way; reStructuredText would make them block quotes in
    a proportional font. A block with inline markup (a backquote) or a doctest stays as it is.
    """
    i = 0
    while i + 2 < len(lines):
        line, blank, first = lines[i], lines[i + 1], lines[i + 2]
        s = line.strip()
        if (
            s
            and not blank.strip()
            and first.strip()
            and _indent(first) > _indent(line)
            and not s.endswith("::")
            and not s.startswith((".. ", ":", ">>>", "..."))
            and not _LIST_ITEM.match(line)
        ):
            j = i + 2
            while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > _indent(line)):
                j += 1
            block = lines[i + 2 : j]
            if not any("`" in b or b.lstrip().startswith(">>>") for b in block):
                lines[i + 2 : i + 2] = [" " * _indent(line) + "::", ""]
                i = j + 2
                continue
        i += 1


def section_rubrics(lines: list[str]) -> None:
    """Make the numpydoc section headers left in a docstring (a module's "Examples" with its
    dashes: numpydoc parses functions and classes only) rubrics, not page sections."""
    for i in range(len(lines) - 1):
        title, rule = lines[i].strip(), lines[i + 1].strip()
        if title and len(rule) >= 3 and set(rule) == {"-"} and len(rule) == len(title):
            lines[i] = " " * _indent(lines[i]) + f".. rubric:: {title}"
            lines[i + 1] = ""


def escape_plain_text(app, what, name, obj, options, lines: list[str]) -> None:
    """autodoc-process-docstring: section headers as rubrics, equations as literal blocks, then
    ``|`` and a trailing ``_`` escaped in running text."""
    section_rubrics(lines)
    literal_equations(lines)
    literal_indent = None  # indentation of the paragraph that opened a literal block
    in_doctest = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if in_doctest:
            in_doctest = stripped != ""
            continue
        if literal_indent is not None:
            if stripped == "" or indent > literal_indent:
                continue
            literal_indent = None
        if stripped.startswith(">>>"):
            in_doctest = True
            continue
        if stripped.startswith(".. "):
            if stripped.endswith("::"):
                literal_indent = indent
            continue
        field = _FIELD.match(line)  # ":Returns: text" of numpydoc's output
        if field:
            lines[i] = field.group(1) + _escape_text(field.group(2))
            continue
        if stripped.endswith("::"):
            literal_indent = indent
        lines[i] = _escape_text(line)


def setup(app) -> None:
    # after numpydoc (priority 500) has turned the sections into reStructuredText
    app.connect("autodoc-process-docstring", escape_plain_text, priority=600)
