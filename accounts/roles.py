"""Organisation kinds and user roles, and which role belongs to which kind of organisation."""

from __future__ import annotations

from enum import StrEnum


class OrgKind(StrEnum):
    """What an organisation is."""

    HOSPITAL = "hospital"
    SUPPLIER = "supplier"
    BUREAU = "bureau"
    FUND = "fund"
    DISTRIBUTOR = "distributor"  # 配送企业: delivers for suppliers under a confirmed relation


class Role(StrEnum):
    """Each user has exactly one role."""

    HOSPITAL_BUYER = "hospital_buyer"
    SUPPLIER_REP = "supplier_rep"
    PRICE_OFFICER = "price_officer"
    SETTLEMENT_OFFICER = "settlement_officer"
    ADMIN = "admin"
    DISTRIBUTOR_REP = "distributor_rep"


#: The organisation kind each role must belong to.
ROLE_ORG_KIND: dict[Role, OrgKind] = {
    Role.HOSPITAL_BUYER: OrgKind.HOSPITAL,
    Role.SUPPLIER_REP: OrgKind.SUPPLIER,
    Role.PRICE_OFFICER: OrgKind.BUREAU,
    Role.SETTLEMENT_OFFICER: OrgKind.FUND,
    Role.ADMIN: OrgKind.BUREAU,
    Role.DISTRIBUTOR_REP: OrgKind.DISTRIBUTOR,
}

#: Roles that see their whole region rather than only their own organisation.
BUREAU_ROLES = frozenset({Role.PRICE_OFFICER, Role.SETTLEMENT_OFFICER, Role.ADMIN})
