"""Listing fixtures: a product input any test can vary."""

from __future__ import annotations

from dataclasses import replace

import pytest

from listing.services import ProductInput

DRUG = "XL02BBA326A001010102180"
CONSUMABLE = "C03010105500103209440000001"


def product_input(**changes) -> ProductInput:
    """A valid drug not in VBP, with ``changes`` applied."""
    base = ProductInput(code=DRUG, generic_name="比卡鲁胺片", dosage_form="片剂", spec="50mg", pack="28片/盒",
                        mah="示例制药有限公司", price="123.4567", vbp_status="not_vbp")
    return replace(base, **changes)


@pytest.fixture
def item():
    """The default product input."""
    return product_input()
