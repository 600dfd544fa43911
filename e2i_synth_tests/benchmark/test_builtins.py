"""The built-in estimators' registry: names only, each one a function of the estimators."""

from __future__ import annotations

import inspect


def test_every_built_in_name_is_an_estimator_function():
    from e2i_synth.benchmark import estimators
    from e2i_synth.benchmark.builtins import ALWAYS, built_in_names

    assert tuple(estimators.BASELINES) == built_in_names()
    assert built_in_names()[: len(ALWAYS)] == ALWAYS
    for name, function in estimators.BASELINES.items():
        assert function.__name__ == name and inspect.getmodule(function) is estimators
        assert list(inspect.signature(function).parameters)[:2] == ["tables", "truth"]


def test_an_optional_estimator_runs_only_where_its_package_is_installed(monkeypatch):
    from e2i_synth.benchmark import builtins

    monkeypatch.setattr(builtins.importlib.util, "find_spec", lambda name: None)
    assert builtins.built_in_names() == builtins.ALWAYS
    monkeypatch.setattr(builtins.importlib.util, "find_spec", lambda name: object())
    assert builtins.built_in_names() == (*builtins.ALWAYS, *builtins.WHERE_INSTALLED)
