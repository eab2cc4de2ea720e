"""Run the Examples sections of every etm module's docstrings (from the installed package)."""

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import etm

MODULES = sorted(
    m.name for m in pkgutil.iter_modules(etm.__path__, "etm.") if not m.name.startswith("etm._")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, extraglobs={"np": np}, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} doctest failures in {name}"
