"""The three releases of a batch's OCDS package (``review.ocds``): tender, award, contract.

Roles: the bureau is ``buyer`` and ``procuringEntity``, the fund (optional) ``payer``,
winners ``supplier`` + ``tenderer``, hospitals ``buyer`` of their own contracts.
Local fields (OCDS allows additional properties; all are prefixed ``x_``):
``tender.x_bidOpeningDate``, ``Item.x_specification``, ``Item.x_maxValidUnitPrice`` (Value),
``Award.x_regions`` (GB/T 2260 codes), ``Contract.x_buyer`` (the hospital's
OrganizationReference). Bid statistics use the shape of the OCDS bid extension
(``bids.statistics[]``: id, measure, value, date, notes) with measures ``bids``,
``validBids``, ``x_lowestValidUnitPrice``, ``x_highestValidUnitPrice`` and ``x_relatedItem``
(the tender item id; the batch uses no lots). An item carries a ``classification`` only when
it has a code of a real scheme — ``x_NHSA``, the NHSA medical-insurance drug code — and none
for a platform-local item code, which is already the item's ``id`` (no scheme of the
itemClassificationScheme codelist fits a platform's own codes, and claiming one would be
false); organisations are identified by ``X-JICAI`` (platform code).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from core.money import fen_to_decimal, price_e4_to_decimal
from review.ocds_json import to_json_text
from review.ocds_records import OcdsBatch, OcdsItem, OcdsOrg

ORG_SCHEME = "X-JICAI"
ITEM_SCHEME = "x_NHSA"


def _ts(value: datetime) -> str:
    """An aware datetime as an OCDS date-time in UTC to the second (``…T03:04:05Z``)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _period(start: date, end: date) -> dict[str, str]:
    """A contract period of whole days in China Standard Time: 00:00:00 to 23:59:59 +08:00."""
    return {"startDate": f"{start.isoformat()}T00:00:00+08:00", "endDate": f"{end.isoformat()}T23:59:59+08:00"}


def _money(currency: str, *, fen: int = 0, e4: int | None = None) -> dict[str, Any]:
    """An OCDS Value: an amount in fen (2 places) or a unit price in 1/10000 yuan (4 places)."""
    return {"amount": price_e4_to_decimal(e4) if e4 is not None else fen_to_decimal(fen), "currency": currency}


def _ref(org: OcdsOrg) -> dict[str, str]:
    """An OrganizationReference to a party."""
    return {"id": org.code, "name": org.name}


def _item(item: OcdsItem, quantity: int, price_e4: int | None, currency: str) -> dict[str, Any]:
    """An OCDS Item: classification, quantity in minimal units and (if given) the unit price."""
    unit: dict[str, Any] = {"name": item.unit_name}
    if price_e4 is not None:
        unit["value"] = _money(currency, e4=price_e4)
    entry: dict[str, Any] = {"id": item.code, "description": f"{item.name} {item.specification}"}
    if item.nhsa_code:
        entry["classification"] = {"scheme": ITEM_SCHEME, "id": item.nhsa_code, "description": item.name}
    return {**entry, "quantity": quantity, "unit": unit, "x_specification": item.specification}


def _parties(batch: OcdsBatch, *, suppliers: bool, hospitals: bool) -> list[dict[str, Any]]:
    """Parties of a release, roles merged per organisation code, in a stable order."""
    roles: dict[str, tuple[OcdsOrg, list[str]]] = {}

    def add(org: OcdsOrg, *names: str) -> None:
        """Add roles to an organisation, keeping the first order seen."""
        entry = roles.setdefault(org.code, (org, []))
        entry[1].extend(n for n in names if n not in entry[1])

    add(batch.bureau, "buyer", "procuringEntity")
    if batch.fund is not None:
        add(batch.fund, "payer")
    for org in sorted({a.supplier for a in batch.awards} if suppliers else (), key=lambda o: o.code):
        add(org, "supplier", "tenderer")
    for org in sorted({c.hospital for c in batch.contracts} if hospitals else (), key=lambda o: o.code):
        add(org, "buyer")
    parties = [{"id": org.code, "name": org.name,
                "identifier": {"scheme": ORG_SCHEME, "id": org.code, "legalName": org.name},
                "roles": names} for org, names in roles.values()]
    parties[0]["address"] = {"region": batch.region_code, "countryName": "中国"}
    return parties


def _release(ocid: str, rid: str, when: datetime, tags: list[str], batch: OcdsBatch,
             parties: list[dict[str, Any]], **sections: Any) -> dict[str, Any]:
    """The common frame of a release plus its sections."""
    return {"ocid": ocid, "id": rid, "date": _ts(when), "tag": tags, "initiationType": "tender",
            "language": "zh", "parties": parties, "buyer": _ref(batch.bureau), **sections}


def tender_release(batch: OcdsBatch, ocid: str) -> dict[str, Any]:
    """The tender notice: items with their reported demand, bid window, opening date."""
    cur = batch.currency
    items = []
    for item in batch.items:
        entry = _item(item, item.demand_quantity, None, cur)
        if item.max_price_e4 is not None:
            entry["x_maxValidUnitPrice"] = _money(cur, e4=item.max_price_e4)
        items.append(entry)
    tender = {"id": batch.code, "title": batch.name, "status": "active",
              "procuringEntity": _ref(batch.bureau), "items": items,
              "procurementMethod": "open", "procurementMethodDetails": "带量采购 / volume-based procurement",
              "mainProcurementCategory": "goods", "awardCriteria": "priceOnly"}
    if batch.executed_result:  # a published result put into effect (落地): no bid window, no opening
        tender.update(procurementMethod="limited", procurementMethodDetails=(
            f"落地执行已发布的中选结果 / putting a published result into effect: {batch.executed_result}"))
    else:
        tender.update(submissionMethod=["electronicSubmission"],
                      tenderPeriod={"startDate": _ts(batch.tender_start), "endDate": _ts(batch.tender_end)},
                      x_bidOpeningDate=_ts(batch.opening_at))
    return _release(ocid, f"{ocid}-tender", batch.tender_start, ["tender"], batch,
                    _parties(batch, suppliers=False, hospitals=False), tender=tender)


def _statistics(batch: OcdsBatch) -> list[dict[str, Any]]:
    """Per-item bid statistics in the bid extension's shape (``x_relatedItem`` = item id)."""
    out: list[dict[str, Any]] = []
    for s in batch.bids:
        rows: list[tuple[str, Any]] = [("bids", s.bids), ("validBids", s.valid_bids)]
        for measure, e4 in (("x_lowestValidUnitPrice", s.lowest_price_e4),
                            ("x_highestValidUnitPrice", s.highest_price_e4)):
            if e4 is not None:
                rows.append((measure, price_e4_to_decimal(e4)))
        for measure, value in rows:
            stat = {"id": f"{s.item_code}-{measure}", "measure": measure, "value": value,
                    "date": _ts(batch.opening_at), "x_relatedItem": s.item_code}
            if isinstance(value, Decimal):
                stat["currency"] = batch.currency
            out.append(stat)
    return out


def award_release(batch: OcdsBatch, ocid: str) -> dict[str, Any]:
    """The result: tender closed, bid statistics, active and unsuccessful awards."""
    cur, when = batch.currency, _ts(batch.published_at)
    tender: dict[str, Any] = {"id": batch.code, "status": "complete" if batch.awards else "unsuccessful"}
    if batch.number_of_tenderers is not None:
        tender["numberOfTenderers"] = batch.number_of_tenderers
    items = {i.code: i for i in batch.items}
    awards = [{"id": a.award_id, "title": f"{items[a.item_code].name} — {a.supplier.name}",
               "status": "active", "date": when, "value": _money(cur, fen=a.value_fen),
               "suppliers": [_ref(a.supplier)],
               "items": [_item(items[a.item_code], a.volume, a.unit_price_e4, cur)],
               "contractPeriod": _period(a.period_start, a.period_end),
               "x_regions": list(a.regions)} for a in batch.awards]
    won = {a.item_code for a in batch.awards}
    awards += [{"id": f"{batch.code}-{i.code}-unsuccessful", "title": i.name, "status": "unsuccessful",
                "date": when, "description": i.no_award_reason,
                "items": [_item(i, i.demand_quantity, None, cur)]}
               for i in batch.items if i.code not in won]
    sections: dict[str, Any] = {"tender": tender, "awards": awards}
    if batch.bids:
        sections["bids"] = {"statistics": _statistics(batch)}
    return _release(ocid, f"{ocid}-award", batch.published_at, ["tenderUpdate", "award"], batch,
                    _parties(batch, suppliers=True, hospitals=False), **sections)


def contract_release(batch: OcdsBatch, ocid: str) -> dict[str, Any]:
    """The contracts; the release id carries a digest so each signature makes a new release."""
    cur = batch.currency
    items = {i.code: i for i in batch.items}
    contracts = []
    for c in batch.contracts:
        entry = {"id": c.code, "awardID": c.award_id, "title": f"{items[c.item_code].name} — {c.hospital.name}",
                 "status": c.status, "value": _money(cur, fen=c.value_fen),
                 "items": [_item(items[c.item_code], c.quantity, c.unit_price_e4, cur)],
                 "period": _period(c.period_start, c.period_end), "x_buyer": _ref(c.hospital)}
        if c.period_rule:
            entry["x_periodRule"] = c.period_rule
        if c.years:
            entry["x_contractYears"] = [{"year": n, "period": _period(first, last), "quantity": quantity}
                                        for n, first, last, quantity in c.years]
        if c.date_signed is not None:
            entry["dateSigned"] = _ts(c.date_signed)
        contracts.append(entry)
    parties = _parties(batch, suppliers=True, hospitals=True)
    digest = hashlib.sha256(to_json_text({"c": contracts, "p": parties}).encode()).hexdigest()[:12]
    when = max([batch.published_at] + [c.date_signed for c in batch.contracts if c.date_signed])
    return _release(ocid, f"{ocid}-contract-{digest}", when, ["contract"], batch, parties,
                    contracts=contracts)
