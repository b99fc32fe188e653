"""Purchase orders (采购订单), their lines, shipments with lots (批号, 有效期) and acceptances.

Every line row carries the parties (hospital, supplier, distributor) and the hospital's region,
so each table is scoped without joins and the accepted lines aggregate with one GROUP BY
(hospital, supplier, month, product, VBP batch) for a monthly run. Quantities are whole packs
(the unit a listed price is quoted in); prices are 1/10000 yuan per pack, amounts fen."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class PurchaseOrder(SQLModel, table=True):
    """A hospital's order to one distributor: draft, then sent (or withdrawn while a draft)."""

    __tablename__ = "purchase_order"
    __table_args__ = (UniqueConstraint("hospital_org_id", "number", name="uq_purchase_order_number"),)

    id: int | None = Field(default=None, primary_key=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    number: int  # 1, 2, … per hospital (shown as its order number)
    distributor_org_id: int = Field(foreign_key="organisation.id", index=True)
    region_code: str = Field(max_length=12, index=True)  # the hospital's region
    order_date: date = Field(sa_column=Column(Date, nullable=False))  # the prices are those in force on it
    status: str = Field(max_length=10, index=True)  # orders.services.OrderStatus
    note: str = Field(default="", max_length=200)
    created_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_by: int | None = Field(default=None, foreign_key="app_user.id")
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_by: int | None = Field(default=None, foreign_key="app_user.id")
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_reason: str = Field(default="", max_length=200)


class OrderLine(SQLModel, table=True):
    """One product of an order at the price in force on the order date; the distributor confirms
    or refuses it; ``shipped`` and ``accepted`` count what went out and what the hospital took."""

    __tablename__ = "order_line"
    __table_args__ = (UniqueConstraint("order_id", "product_id", name="uq_order_line_product"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="purchase_order.id", index=True)
    line_no: int
    product_id: int = Field(foreign_key="listed_product.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    distributor_org_id: int = Field(foreign_key="organisation.id", index=True)
    region_code: str = Field(max_length=12)
    quantity: int  # packs ordered
    price_e4: int = Field(sa_type=BigInteger)  # per pack, in force on the order date
    price_id: int = Field(foreign_key="listed_price.id")
    amount_fen: int = Field(sa_type=BigInteger)  # quantity × price, half up
    status: str = Field(max_length=10)  # orders.services.LineStatus
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", max_length=200)
    shipped: int = 0  # packs shipped so far
    accepted: int = 0  # packs accepted so far


class Shipment(SQLModel, table=True):
    """One delivery of a distributor against one order (配送单)."""

    __tablename__ = "shipment"
    __table_args__ = (UniqueConstraint("order_id", "number", name="uq_shipment_number"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="purchase_order.id", index=True)
    number: int  # 1, 2, … per order
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    distributor_org_id: int = Field(foreign_key="organisation.id", index=True)
    region_code: str = Field(max_length=12)
    shipped_on: date = Field(sa_column=Column(Date, nullable=False))
    shipped_by: int = Field(foreign_key="app_user.id")
    shipped_at: datetime = Field(sa_type=UTCDateTime)


class ShipmentLine(SQLModel, table=True):
    """Packs of one order line in a shipment, with their lot and expiry (追溯)."""

    __tablename__ = "shipment_line"
    __table_args__ = (Index("ix_shipment_line_trace", "product_id", "lot_no"),)

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipment.id", index=True)
    order_line_id: int = Field(foreign_key="order_line.id", index=True)
    product_id: int = Field(foreign_key="listed_product.id")
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    distributor_org_id: int = Field(foreign_key="organisation.id", index=True)
    region_code: str = Field(max_length=12)
    quantity: int
    lot_no: str = Field(max_length=40)
    expiry_on: date = Field(sa_column=Column(Date, nullable=False))
    accepted: int = 0  # packs accepted by the hospital
    rejected: int = 0  # packs it refused, with the reason on its acceptance row


class OrderAcceptance(SQLModel, table=True):
    """The hospital's answer to packs of a shipment line: accepted (payable: price × quantity in
    fen) or rejected with the reason. Never changed; the monthly run aggregates the accepted ones
    with one GROUP BY (hospital, supplier, month, product, VBP batch)."""

    __tablename__ = "order_acceptance"
    __table_args__ = (Index("ix_order_acceptance_month", "month", "hospital_org_id", "supplier_org_id"),
                      Index("ix_order_acceptance_product", "product_id", "month"))

    id: int | None = Field(default=None, primary_key=True)
    shipment_line_id: int = Field(foreign_key="shipment_line.id", index=True)
    order_line_id: int = Field(foreign_key="order_line.id", index=True)
    product_id: int = Field(foreign_key="listed_product.id")
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    distributor_org_id: int = Field(foreign_key="organisation.id", index=True)
    region_code: str = Field(max_length=12)
    vbp_batch_code: str | None = Field(default=None, max_length=40)  # set when the product is VBP-selected
    lot_no: str = Field(max_length=40)
    kind: str = Field(max_length=10)  # accepted | rejected
    quantity: int
    price_e4: int = Field(sa_type=BigInteger)
    amount_fen: int = Field(sa_type=BigInteger)  # 0 for a rejection
    accepted_on: date = Field(sa_column=Column(Date, nullable=False))
    month: str = Field(max_length=7)  # YYYY-MM of accepted_on
    reason: str = Field(default="", max_length=200)
    by_user: int = Field(foreign_key="app_user.id")
    at: datetime = Field(sa_type=UTCDateTime)


class HospitalSpend(SQLModel, table=True):
    """A hospital's reported total spend of one month on drugs or on high-value consumables, on
    and off the platform (医院药品 / 高值医用耗材采购总金额): the denominator of the platform
    purchase share. A correction is a new row; the row it replaces keeps its figure and gets
    who/when/why it was superseded."""

    __tablename__ = "hospital_spend"
    __table_args__ = (Index("ix_hospital_spend_month", "month", "region_code"),)

    id: int | None = Field(default=None, primary_key=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    region_code: str = Field(max_length=12)  # the hospital's region
    month: str = Field(max_length=7)  # YYYY-MM
    kind: str = Field(max_length=12)  # listing.codes.ProductKind: drug | consumable
    amount_fen: int = Field(sa_type=BigInteger)
    reason: str = Field(default="", max_length=200)  # why a correction replaces the earlier figure
    reported_by: int = Field(foreign_key="app_user.id")
    reported_at: datetime = Field(sa_type=UTCDateTime)
    superseded_by: int | None = Field(default=None, foreign_key="app_user.id")
    superseded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OrderShareMonth(SQLModel, table=True):
    """Rollup of the accepted amounts (``order_acceptance``, kind accepted) per hospital × its
    region × month × product kind × VBP class (``orders.rollup``): what the bureau's share figures
    sum. Kept in the acceptance's own transaction; a product's amounts sit under the class recorded
    for it in :class:`OrderShareClass`."""

    __tablename__ = "order_share_month"
    __table_args__ = (Index("ix_order_share_month_month", "month", "region_code"),)

    hospital_org_id: int = Field(foreign_key="organisation.id", primary_key=True)
    region_code: str = Field(max_length=12, primary_key=True)  # the acceptance rows' (the hospital's) region
    month: str = Field(max_length=7, primary_key=True)  # YYYY-MM
    kind: str = Field(max_length=12, primary_key=True)  # listing.codes.ProductKind
    cls: str = Field(max_length=14, primary_key=True)  # vbp | non_selected | other
    amount_fen: int = Field(sa_type=BigInteger)


class OrderShareClass(SQLModel, table=True):
    """The kind and VBP class under which a product's accepted amounts are summed in
    :class:`OrderShareMonth` (set at its first acceptance; moved by ``orders.rollup.reclassify``
    when the listing's classes change)."""

    __tablename__ = "order_share_class"

    product_id: int = Field(foreign_key="listed_product.id", primary_key=True)
    kind: str = Field(max_length=12)
    cls: str = Field(max_length=14)
