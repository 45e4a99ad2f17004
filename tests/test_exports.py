"""Every name in ivigmeta's public API (``_EXPORTS``) resolves to a callable."""

from __future__ import annotations

import pytest

import ivigmeta


@pytest.mark.parametrize("name", sorted(ivigmeta._EXPORTS))
def test_export_resolves(name):
    assert callable(getattr(ivigmeta, name))


def test_core_statistics_are_exported():
    assert {"rma", "tau2_confint", "escalc"} <= set(ivigmeta.__all__)


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError):
        ivigmeta.no_such_function  # noqa: B018
