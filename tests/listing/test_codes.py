"""The national code validator: the published structure of drug (23) and consumable (27) codes."""

import pytest

from listing.codes import CodeError, ProductKind, check_code

DRUG = "XL02BBA326A001010102180"  # a code of the NHSA drug database
CONSUMABLE = "C030101055001032094400000001"[:27]


def test_a_drug_code_of_the_nhsa_database_is_a_drug():
    assert check_code(DRUG) == (DRUG, ProductKind.DRUG)


def test_lower_case_and_spaces_are_normalised():
    assert check_code(f"  {DRUG.lower()} ") == (DRUG, ProductKind.DRUG)


def test_a_chinese_patent_medicine_code_starts_with_z():
    assert check_code("ZA01AAA001A001010100001")[1] == ProductKind.DRUG


def test_a_consumable_code_has_27_characters():
    assert len(CONSUMABLE) == 27
    assert check_code(CONSUMABLE) == (CONSUMABLE, ProductKind.CONSUMABLE)


@pytest.mark.parametrize(("code", "why"), [
    (DRUG[:-1], "22 characters, 23 expected"),
    (DRUG + "1", "24 characters, 23 expected"),
    ("XL0ZBBA326A001010102180", "characters 2–6 (L0ZBB)"),
    ("XL02BB1326A001010102180", "characters 7–10 (1326)"),
    ("XL02BBA326AA01010102180", "characters 11–14 (AA01)"),
    ("XL02BBA326A0010101A2180", "characters 19–23 (A2180)"),
    ("XL02BBA326A001O10102180", "characters 15–18 (O101)"),
    (CONSUMABLE[:-1], "26 characters, 27 expected"),
    ("C03010A055001032094400000001"[:27], "characters 2–7 (03010A)"),
    (CONSUMABLE[:20] + "000000X", "characters 21–27 (000000X)"),
    ("Y" + DRUG[1:], "starts with X or Z (drugs) or C (consumables), not Y"),
    ("", "empty"),
])
def test_a_code_off_the_structure_names_the_part(code, why):
    with pytest.raises(CodeError) as refused:
        check_code(code)
    assert why in str(refused.value)
