"""OCDS 1.1 release package of a published batch, validated offline against the bundled
OCDS 1.1.5 schemas (``review/schemas/ocds-1.1.5``) and codelists.

Validation: the package schema through a local ``referencing.Registry`` that maps the
release schema's URL to the bundled ``release-schema.json`` (no retrieval function, so an
unknown URL fails instead of reaching the network), and each release again against the
bundled dereferenced release schema; ``date-time`` and ``uri`` formats are checked by local
functions (jsonschema's own need packages that are not installed and would silently pass).
"""

from __future__ import annotations

import csv
import json
import re
import socket
import urllib.request
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT4

from review.ocds import build_release_package
from review.ocds_json import to_json_text
from review.ocds_records import (
    OcdsAward,
    OcdsBatch,
    OcdsBidStat,
    OcdsContract,
    OcdsItem,
    OcdsOrg,
)

SCHEMAS = Path(__file__).resolve().parents[2] / "review" / "schemas" / "ocds-1.1.5"
CST = timezone(timedelta(hours=8))
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
# The bid extension's Statistic (ocds_bid_extension): the shape used for bids.statistics.
STATISTIC = {"type": "object", "required": ["id", "measure", "value"],
             "properties": {"id": {"type": "string"}, "measure": {"type": "string"},
                            "value": {"type": "number"}, "date": {"type": "string", "format": "date-time"},
                            "currency": {"type": ["string", "null"]}}}


def _schema(name: str) -> dict[str, Any]:
    """A bundled schema file."""
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _formats() -> FormatChecker:
    """A format checker for date-time and uri that needs no extra package."""
    checker = FormatChecker(formats=())

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        """RFC 3339 date-time with an offset."""
        if not isinstance(value, str):
            return True
        return bool(RFC3339.match(value)) and datetime.fromisoformat(value).tzinfo is not None

    @checker.checks("uri")
    def _uri(value: object) -> bool:
        """An absolute URI with a scheme and a host."""
        return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)

    return checker


@cache
def _validators() -> tuple[Draft4Validator, Draft4Validator]:
    """(package validator with a local registry, release validator on the dereferenced schema)."""
    release = _schema("release-schema.json")
    registry = Registry().with_resource(release["id"], DRAFT4.create_resource(release))
    package = Draft4Validator(_schema("release-package-schema.json"), registry=registry,
                              format_checker=_formats())
    return package, Draft4Validator(_schema("dereferenced-release-schema.json"), format_checker=_formats())


@cache
def _codes(name: str) -> frozenset[str]:
    """The codes of a bundled codelist."""
    with (SCHEMAS / "codelists" / name).open(encoding="utf-8", newline="") as fh:
        return frozenset(row["Code"] for row in csv.DictReader(fh))


def schema_errors(text: str) -> list[str]:
    """Every schema error of a package given as JSON text (parsed back: real JSON numbers)."""
    package_validator, release_validator = _validators()
    data = json.loads(text)
    errors = [f"package {list(e.absolute_path)}: {e.message}" for e in package_validator.iter_errors(data)]
    for i, release in enumerate(data.get("releases", [])):
        errors += [f"release {i} {list(e.absolute_path)}: {e.message}"
                   for e in release_validator.iter_errors(release)]
    stats_validator = Draft4Validator(STATISTIC, format_checker=_formats())
    for release in data.get("releases", []):
        for stat in release.get("bids", {}).get("statistics", []):
            errors += [f"bids.statistics: {e.message}" for e in stats_validator.iter_errors(stat)]
    return errors


def _currencies(node: Any) -> list[str]:
    """Every value of a ``currency`` key anywhere below a node."""
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "currency"] + [c for v in node.values() for c in _currencies(v)]
    if isinstance(node, list):
        return [c for v in node for c in _currencies(v)]
    return []


def codelist_errors(text: str) -> list[str]:
    """Codelist values of a package that are not in the bundled CSVs."""
    found: list[tuple[str, str, Any]] = []
    for r in json.loads(text)["releases"]:
        t = r.get("tender", {})
        found += [("releaseTag.csv", "tag", v) for v in r["tag"]]
        found += [("initiationType.csv", "initiationType", r["initiationType"])]
        found += [(f, k, t[k]) for f, k in (("tenderStatus.csv", "status"), ("method.csv", "procurementMethod"),
                                            ("procurementCategory.csv", "mainProcurementCategory"),
                                            ("awardCriteria.csv", "awardCriteria")) if k in t]
        found += [("submissionMethod.csv", "submissionMethod", v) for v in t.get("submissionMethod", [])]
        found += [("awardStatus.csv", "awards.status", a["status"]) for a in r.get("awards", [])]
        found += [("contractStatus.csv", "contracts.status", c["status"]) for c in r.get("contracts", [])]
        found += [("partyRole.csv", "parties.roles", v) for p in r["parties"] for v in p["roles"]]
        found += [("currency.csv", "currency", v) for v in _currencies(r)]
    return [f"{path}: {value!r} not in {name}" for name, path, value in found if value not in _codes(name)]


def _org(code: str, name: str) -> OcdsOrg:
    """A test organisation."""
    return OcdsOrg(code=code, name=name)


S1, S2 = _org("S91110000001", "北京制药有限公司"), _org("S91310000002", "上海医药股份有限公司")
H1, H2, H3 = _org("H001", "北京协和医院"), _org("H002", "北京大学第一医院"), _org("H003", "北京朝阳医院")
PERIOD = {"period_start": date(2027, 1, 1), "period_end": date(2028, 12, 31)}
SIGNED = datetime(2026, 12, 20, 10, 30, tzinfo=CST)


def _batch(**changes: Any) -> OcdsBatch:
    """2 items (A with 2 winners, B with none), 3 contracts (two signed)."""
    a = OcdsItem("A01", "阿托伐他汀钙片", "20mg×7片", "片", 20000, nhsa_code="XC10AAA052A001",
                 max_price_e4=3000)
    b = OcdsItem("B02", "注射用头孢曲松钠", "1g", "支", 5000, no_award_reason="有效申报企业不足 / too few valid bids")
    awards = (OcdsAward("AW-A01-1", "A01", S1, 1234, 12501, 154262, ("110101", "110102"), **PERIOD),
              OcdsAward("AW-A01-2", "A01", S2, 1499, 3335, 49992, ("110105",), **PERIOD))
    contracts = (OcdsContract("C-0001", "AW-A01-1", H1, S1, "A01", 10001, 1234, 123412, **PERIOD,
                              status="active", date_signed=SIGNED),
                 OcdsContract("C-0002", "AW-A01-1", H2, S1, "A01", 2500, 1234, 30850, **PERIOD),
                 OcdsContract("C-0003", "AW-A01-2", H3, S2, "A01", 3335, 1499, 49992, **PERIOD,
                              status="active", date_signed=SIGNED + timedelta(days=1)))
    base = OcdsBatch(
        code="GY-2026-01", name="第一批药品集中带量采购", bureau=_org("B110000", "北京市医疗保障局"),
        region_code="110000", published_at=datetime(2026, 12, 1, 9, 0, tzinfo=CST),
        tender_start=datetime(2026, 10, 8, 9, 0, tzinfo=CST), tender_end=datetime(2026, 10, 20, 17, 0, tzinfo=CST),
        opening_at=datetime(2026, 10, 21, 9, 0, tzinfo=CST), items=(a, b),
        bids=(OcdsBidStat("A01", 5, 4, 1234, 2600), OcdsBidStat("B02", 2, 1, 2100, 2100)),
        awards=awards, contracts=contracts, fund=_org("F110000", "北京市医疗保障基金"), number_of_tenderers=6)
    return replace(base, **changes)


def _text(batch: OcdsBatch | None = None) -> str:
    """The package of a batch as JSON text."""
    return to_json_text(build_release_package(batch or _batch(), publisher_name="北京市医疗保障局",
                                              uri="https://jicai.example.cn/ocds/GY-2026-01.json"))


def test_package_and_each_release_validate_against_the_bundled_schemas() -> None:
    text = _text()
    assert schema_errors(text) == []
    assert [r["tag"] for r in json.loads(text)["releases"]] == [["tender"], ["tenderUpdate", "award"], ["contract"]]


@pytest.mark.parametrize("changes", [
    {"contracts": ()},  # published, contracts not generated yet: tender + award releases
    {"contracts": (), "awards": (), "number_of_tenderers": None, "fund": None},  # nobody won
    {"bids": ()},
])
def test_partial_batches_validate_too(changes: dict[str, Any]) -> None:
    text = _text(_batch(**changes))
    assert schema_errors(text) == [] and codelist_errors(text) == []
    releases = json.loads(text)["releases"]
    assert len(releases) == (3 if _batch(**changes).contracts else 2)
    if not _batch(**changes).awards:
        assert releases[1]["tender"]["status"] == "unsuccessful"
        assert {a["status"] for a in releases[1]["awards"]} == {"unsuccessful"}


def test_validation_never_reaches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        """Stand in for any network call."""
        raise AssertionError("network access during validation")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    _validators.cache_clear()
    assert schema_errors(_text()) == []
    empty = Draft4Validator(_schema("release-package-schema.json"), registry=Registry())
    with pytest.raises(Unresolvable):  # without the local resource the $ref fails; nothing is fetched
        list(empty.iter_errors(json.loads(_text())))


def test_bundled_schemas_are_draft4_schemas() -> None:
    for name in ("release-package-schema.json", "release-schema.json"):
        Draft4Validator.check_schema(_schema(name))


def test_codelist_values_are_in_the_bundled_codelists() -> None:
    assert codelist_errors(_text()) == []


def test_amounts_are_exact_and_reconcile_to_the_fen() -> None:
    text = _text()
    data = json.loads(text, parse_float=Decimal)
    contracts = data["releases"][2]["contracts"]
    assert [c["value"]["amount"] for c in contracts] == [Decimal("1234.12"), Decimal("308.50"), Decimal("499.92")]
    assert sum(int(c["value"]["amount"] * 100) for c in contracts) == sum(c.value_fen for c in _batch().contracts)
    awards = {a["id"]: a for a in data["releases"][1]["awards"]}
    for award in _batch().awards:
        mine = [c for c in contracts if c["awardID"] == award.award_id]
        assert sum(c["value"]["amount"] for c in mine) == awards[award.award_id]["value"]["amount"]
        assert awards[award.award_id]["value"]["amount"] * 100 == award.value_fen
    assert '"amount": 308.50' in text and '"amount": 0.1234' in text  # digits as written, not floats
    assert contracts[0]["items"][0]["unit"]["value"] == {"amount": Decimal("0.1234"), "currency": "CNY"}


def test_ids_are_unique_and_output_is_stable() -> None:
    text = _text()
    data = json.loads(text)
    assert all(r["ocid"] == "ocds-jicai-GY-2026-01" for r in data["releases"])
    ids = [r["id"] for r in data["releases"]]
    assert len(set(ids)) == 3 and all("#" not in i for i in ids)
    for r in data["releases"]:
        for key in ("parties", "awards", "contracts"):
            assert len({x["id"] for x in r.get(key, [])}) == len(r.get(key, []))
    assert _text() == text  # same input, same bytes
    assert data["publishedDate"] == data["releases"][2]["date"] == "2026-12-21T02:30:00Z"


def test_a_new_signature_makes_a_new_contract_release_only() -> None:
    before = json.loads(_text())["releases"]
    batch = _batch()
    signed = replace(batch.contracts[1], status="active", date_signed=SIGNED + timedelta(days=2))
    after = json.loads(_text(replace(batch, contracts=(*batch.contracts[:1], signed, batch.contracts[2]))))["releases"]
    assert after[:2] == before[:2]
    assert after[2]["id"] != before[2]["id"] and after[2]["date"] > before[2]["date"]


def test_item_without_winner_gets_an_unsuccessful_award_and_statistics() -> None:
    data = json.loads(_text())
    awards = data["releases"][1]["awards"]
    failed = [a for a in awards if a["status"] == "unsuccessful"]
    assert [(a["items"][0]["id"], a["description"]) for a in failed] == [("B02", "有效申报企业不足 / too few valid bids")]
    stats = {(s["x_relatedItem"], s["measure"]): s["value"] for s in data["releases"][1]["bids"]["statistics"]}
    assert stats[("A01", "validBids")] == 4 and stats[("B02", "bids")] == 2
    assert data["releases"][1]["tender"] == {"id": "GY-2026-01", "status": "complete", "numberOfTenderers": 6}


def test_parties_roles_and_non_ascii_names_are_kept() -> None:
    text = _text()
    assert "北京协和医院" in text and "\\u" not in text
    parties = {p["id"]: p["roles"] for p in json.loads(text)["releases"][2]["parties"]}
    assert parties["B110000"] == ["buyer", "procuringEntity"] and parties["F110000"] == ["payer"]
    assert parties["S91110000001"] == ["supplier", "tenderer"] and parties["H003"] == ["buyer"]


def _mutated(path: list[str | int], value: Any) -> str:
    """The package text with one field replaced."""
    data = json.loads(_text())
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize(("path", "value", "expected"), [
    (["releases", 1, "tender", "numberOfTenderers"], "6", "is not of type"),
    (["releases", 2, "contracts", 0, "value", "amount"], "1234.12", "is not of type"),
    (["releases", 1, "awards", 0, "status"], "won", "is not one of"),
    (["releases", 0, "date"], "2026-10-08 09:00", "is not a 'date-time'"),
    (["releases", 0, "ocid"], "", "should be non-empty"),
    (["uri"], "not a uri", "is not a 'uri'"),
    (["releases", 1, "bids", "statistics", 0, "value"], "5", "is not of type"),
])
def test_the_validator_reports_broken_packages(path: list[str | int], value: str, expected: str) -> None:
    errors = schema_errors(_mutated(path, value))
    assert errors and any(expected in e for e in errors), errors


@pytest.mark.parametrize(("path", "value"), [
    (["releases", 1, "awards", 0, "status"], "won"),
    (["releases", 0, "parties", 0, "roles", 0], "organiser"),
    (["releases", 2, "contracts", 0, "value", "currency"], "RMB"),
    (["releases", 0, "tender", "procurementMethod"], "auction"),
])
def test_the_codelist_check_reports_unknown_codes(path: list[str | int], value: str) -> None:
    assert any(repr(value) in e for e in codelist_errors(_mutated(path, value)))


def test_inputs_that_would_break_exactness_are_refused() -> None:
    with pytest.raises(TypeError, match="must be an int"):
        OcdsContract("C-9", "AW-A01-1", H1, S1, "A01", 10, 1234.0, 123, **PERIOD)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="quantity × unit price"):
        OcdsContract("C-9", "AW-A01-1", H1, S1, "A01", 10, 1234, 124, **PERIOD)
    with pytest.raises(ValueError, match="timezone-aware"):
        _batch(published_at=datetime(2026, 12, 1, 9, 0))
    with pytest.raises(ValueError, match="differ from its contracts"):
        _batch(awards=(replace(_batch().awards[0], value_fen=154263), _batch().awards[1]))
    with pytest.raises(ValueError, match="duplicate award codes"):
        _batch(awards=(replace(_batch().awards[0], award_id="GY-2026-01-B02-unsuccessful"), _batch().awards[1]),
               contracts=())
    with pytest.raises(ValueError, match="active if and only if signed"):
        replace(_batch().contracts[1], status="active")
    with pytest.raises(ValueError, match="does not match its award"):
        _batch(contracts=(replace(_batch().contracts[0], award_id="AW-A01-2"),))


def test_json_writer_is_exact_and_refuses_floats() -> None:
    value = {"a": [Decimal("1.50"), Decimal("0.0001"), 3, True, None, "¥"], "b": {}}
    assert to_json_text(value) == '{"a": [1.50, 0.0001, 3, true, null, "¥"], "b": {}}'
    assert json.loads(to_json_text(value, indent=2), parse_float=Decimal) == json.loads(to_json_text(value),
                                                                                          parse_float=Decimal)
    with pytest.raises(TypeError):
        to_json_text({"x": 1.5})
    with pytest.raises(ValueError):
        to_json_text(Decimal("NaN"))
    assert to_json_text({"t": datetime(2026, 1, 1, tzinfo=UTC).isoformat()}) == '{"t": "2026-01-01T00:00:00+00:00"}'
