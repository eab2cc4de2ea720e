"""Run the Examples sections of every etm module's docstrings (from the installed package)."""

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import etm

# every module of every subpackage (etm.ensemble.dos, etm.fit.cp, ...), private ones excepted
MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(etm.__path__, "etm.")
    if not any(part.startswith("_") for part in m.name.split(".")[1:])
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, extraglobs={"np": np}, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} doctest failures in {name}"
