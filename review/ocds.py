"""Open Contracting Data Standard 1.1 release package of a published batch (pure).

One contracting process per batch, ``ocid = f"{prefix}-{batch.code}"`` (the prefix is the
deployment's registered one, ``JICAI_OCID_PREFIX``), published as three
releases, one per stage, because OCDS releases are immutable notices of what was known at a
date, and the stages of a batch happen at different dates:

* ``{ocid}-tender`` (tag ``tender``, dated the start of the bid window): the items with
  their consolidated reported demand, the bid window, the procuring entity;
* ``{ocid}-award`` (tags ``tenderUpdate`` + ``award``, dated publication): the tender
  closed (``complete``, ``numberOfTenderers``), per-item bid statistics, one ``active`` award
  per item × winner the published result names (with or without contracts: a winner of a
  region where no hospital reported the item has volume 0) and one ``unsuccessful`` award per
  item without a winner;
* ``{ocid}-contract-{digest}`` (tag ``contract``, dated the latest signature or publication):
  one contract per hospital × item. Signatures arrive after publication, so this release's
  id carries a digest of its content: a re-export after a signature is a new release, while
  the tender and award releases keep their ids and bytes.

A single "compiled" release was not chosen: ``compiled`` belongs in records, and one release
rewritten on every signature would break release immutability.

Money: amounts come in as fen (``int``), unit prices as 1/10000 yuan (``*_e4`` ints, as in
``review.models.Contract.ucp_e4``); the package dict holds ``Decimal`` (2 places for amounts,
4 for unit prices) and ``to_json_text`` writes them as JSON numbers digit for digit.

The input records are in ``review.ocds_records``, the releases are built by
``review.ocds_releases`` and ``review.ocds_json`` writes the JSON text.
"""

from __future__ import annotations

import re
from typing import Any

from review.ocds_json import to_json_text
from review.ocds_records import OcdsBatch
from review.ocds_releases import award_release, contract_release, tender_release

__all__ = ["build_release_package", "to_json_text"]  # to_json_text: re-exported for review.views

OCDS_VERSION = "1.1"
#: an OCID prefix as the OCDS registry assigns them: ``ocds-`` and six letters or digits (the
#: development default ``ocds-jicai`` is not registered; a deployment sets ``JICAI_OCID_PREFIX``)
OCID_PREFIX = re.compile(r"^ocds-[0-9a-z]{4,12}$")
BID_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"


def build_release_package(batch: OcdsBatch, *, publisher_name: str, uri: str,
                          ocid_prefix: str = "ocds-jicai", license_url: str | None = None) -> dict[str, Any]:
    """The OCDS 1.1 release package of a published batch: tender, award and (if any) contract
    releases. Amounts are Decimals; serialise with ``to_json_text``. Same input, same output."""
    if not OCID_PREFIX.match(ocid_prefix):
        raise ValueError(f"OCID 前缀无效 / not an OCID prefix (ocds-xxxxxx): {ocid_prefix!r}")
    ocid = f"{ocid_prefix}-{batch.code}"
    releases = [tender_release(batch, ocid), award_release(batch, ocid)]
    if batch.contracts:
        releases.append(contract_release(batch, ocid))
    package: dict[str, Any] = {"uri": uri, "version": OCDS_VERSION, "extensions": [BID_EXTENSION],
                               "publishedDate": max(r["date"] for r in releases),
                               "publisher": {"name": publisher_name}}
    if license_url:
        package["license"] = license_url
    package["releases"] = releases
    return package
