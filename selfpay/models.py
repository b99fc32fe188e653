"""A hospital's own payment to a supplier for accepted order lines outside direct settlement
(自行结算), and the accepted rows it covers. Never changed; a row of ``order_acceptance`` is
covered at most once (a unique key), so a line cannot be paid twice."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class SelfPayment(SQLModel, table=True):
    """One payment a hospital made itself: date, amount in fen, bank reference, payee."""

    __tablename__ = "self_payment"

    id: int | None = Field(default=None, primary_key=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)  # the payee
    region_code: str = Field(max_length=12, index=True)  # the hospital's region
    paid_on: date = Field(sa_column=Column(Date, nullable=False))
    amount_fen: int = Field(sa_type=BigInteger)  # = Σ of the covered rows' amounts
    bank_ref: str = Field(max_length=40)
    recorded_by: int = Field(foreign_key="app_user.id")
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class SelfPaymentLine(SQLModel, table=True):
    """One accepted row (``order_acceptance``) covered by a self-payment, with its amount."""

    __tablename__ = "self_payment_line"

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="self_payment.id", index=True)
    acceptance_id: int = Field(foreign_key="order_acceptance.id", unique=True)  # paid once at most
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    region_code: str = Field(max_length=12)
    amount_fen: int = Field(sa_type=BigInteger)
