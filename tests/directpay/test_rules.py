"""The scope rules without a database: the version in force (a city's own wins over its
province's, the latest from-date, the later version on one day), spans of a month, the fee."""

from __future__ import annotations

from datetime import date

import pytest

from directpay.rules import (
    DEFAULT,
    Phase,
    Version,
    distributor_fee,
    in_force,
    reaches,
    settable,
    spans,
)

D = date
PROVINCE = Version(1, "370000", D(2027, 1, 1), Phase.COMMON)
LATER = Version(2, "370000", D(2027, 3, 1), Phase.ALL, 150)
CITY = Version(3, "370100", D(2027, 2, 1), Phase.NATIONAL)
SAME_DAY = Version(4, "370000", D(2027, 3, 1), Phase.PROVINCIAL)


def test_before_any_version_the_default_and_on_its_first_day_the_version():
    assert in_force([PROVINCE], "370102", D(2026, 12, 31)) is None
    assert in_force([PROVINCE], "370102", D(2027, 1, 1)) == PROVINCE
    assert DEFAULT == Phase.PROVINCIAL


def test_the_latest_from_date_and_on_one_day_the_later_version():
    assert in_force([PROVINCE, LATER], "370202", D(2027, 2, 28)) == PROVINCE
    assert in_force([PROVINCE, LATER], "370202", D(2027, 3, 1)) == LATER
    assert in_force([PROVINCE, LATER, SAME_DAY], "370202", D(2027, 3, 1)) == SAME_DAY


def test_a_citys_own_version_wins_over_its_provinces_once_in_force():
    versions = [PROVINCE, LATER, CITY]
    assert in_force(versions, "370102", D(2027, 1, 31)) == PROVINCE
    assert in_force(versions, "370102", D(2027, 2, 1)) == CITY
    assert in_force(versions, "370102", D(2027, 4, 1)) == CITY  # the province's later step does not override it
    assert in_force(versions, "370202", D(2027, 4, 1)) == LATER  # another city follows its province
    assert in_force(versions, "320100", D(2027, 4, 1)) is None


def test_spans_cut_a_month_where_the_version_changes():
    got = spans([PROVINCE, LATER, CITY], "370102", D(2027, 1, 1), D(2027, 3, 1))
    assert [(s.lo, s.hi, s.phase) for s in got] == [(D(2027, 1, 1), D(2027, 2, 1), Phase.COMMON),
                                                    (D(2027, 2, 1), D(2027, 3, 1), Phase.NATIONAL)]
    got = spans([LATER], "370202", D(2027, 2, 1), D(2027, 4, 1))
    assert [(s.lo, s.hi, s.phase, s.version) for s in got] == [(D(2027, 2, 1), D(2027, 3, 1), DEFAULT, None),
                                                               (D(2027, 3, 1), D(2027, 4, 1), Phase.ALL, LATER)]


def test_phases_widen_in_order_and_scopes_are_set_for_provinces_and_cities():
    assert reaches(Phase.ALL, Phase.COMMON) and reaches(Phase.COMMON, Phase.NATIONAL)
    assert not reaches(Phase.PROVINCIAL, Phase.COMMON)
    assert settable("370000") and settable("370100")
    assert not settable("370102") and not settable("000000") and not settable("37")


def test_the_distributor_fee_is_half_up_and_the_supplier_gets_the_rest():
    assert distributor_fee(40004, 150) == 600  # 600.06 → 600
    assert distributor_fee(100, 50) == 1  # 0.5 → 1
    assert distributor_fee(12345, 0) == 0 and distributor_fee(12345, 10000) == 12345
    with pytest.raises(ValueError, match="basis points"):
        distributor_fee(1, 10001)
