"""The monthly rollup of accepted order amounts behind the bureau's share figures
(:mod:`orders.shares`): ``order_share_month`` holds Σ ``amount_fen`` of the accepted
``order_acceptance`` rows per hospital × region × month × product kind × VBP class, so a
province's month is ~10⁴ rollup rows instead of ~6 × 10⁵ acceptance rows (a year: 7 × 10⁶).

**Maintained, not recomputed on read** (the approach of the dashboard's rollup,
``settlement.monitoring.rollup``): :func:`add` runs in the acceptance's own transaction
(``orders.delivery.answer_shipment_line``, the one writer of acceptance rows) and adds the row's
amount by one ``INSERT … ON CONFLICT DO UPDATE`` (SQLite and PostgreSQL).

**The class of a product can change after its amounts were summed**: a product is "non-selected
of a VBP generic" when another product of its generic name is VBP-selected, so listing a selected
product turns the earlier purchases of that generic's other products into non-selected ones. So
the rollup sums each product under the kind and class recorded for it in ``order_share_class``
(set at its first acceptance), and the invariant, after every committed write, is

    order_share_month(h, r, m, k, c) = Σ accepted amounts of (h, r, m) of the products recorded as (k, c).

:func:`drift` lists the products whose recorded class differs from the listing's current one
(one query over the products); :func:`reclassify` moves their amounts from the recorded to the
current class and records it (the daily jobs pass runs it); until then :mod:`orders.shares`
corrects the drifted products' sums on read from their own acceptance rows (index
``ix_order_acceptance_product``), so the figures always equal the raw ``GROUP BY``.

Concurrency: :func:`add` reads the product's class row ``FOR SHARE`` and :func:`reclassify`
locks the drifted rows ``FOR UPDATE`` (in product order) before it sums their acceptances, so an
acceptance is summed under the class in force when it commits, never under one being moved.

:func:`rebuild` recomputes both tables from ``order_acceptance`` (migration 0032, or to repair);
the tests hold the maintained rows equal to the raw ``GROUP BY`` after a story of writes.
SQL over the tables only — no ORM entity — so the migration can run it on the schema of its day.
"""

# ruff: noqa: S608 - the SQL is built from the constants below only; values are bound parameters

from __future__ import annotations

from sqlalchemy import bindparam, text
from sqlmodel import Session

#: the current kind and VBP class of the products ``{where}`` (``p`` is ``listed_product``)
CLASSES = ("SELECT p.id AS product_id, p.kind AS kind,"
           " CASE WHEN p.vbp_status = 'selected' THEN 'vbp'"
           " WHEN p.vbp_status = 'non_selected' OR p.generic_name IN"
           " (SELECT s.generic_name FROM listed_product s WHERE s.vbp_status = 'selected') THEN 'non_selected'"
           " ELSE 'other' END AS cls FROM listed_product p WHERE {where}")
_UPSERT = ("INSERT INTO order_share_month (hospital_org_id, region_code, month, kind, cls, amount_fen) {values}"
           " ON CONFLICT (hospital_org_id, region_code, month, kind, cls) DO UPDATE SET"
           " amount_fen = order_share_month.amount_fen + excluded.amount_fen")
#: one product's accepted amounts per hospital × region × month, times ``:sign``, under (``:kind``, ``:cls``)
_PRODUCT = ("SELECT a.hospital_org_id, a.region_code, a.month, :kind, :cls, CAST(SUM(:sign * a.amount_fen) AS BIGINT)"
            " FROM order_acceptance a WHERE a.product_id = :product AND a.kind = 'accepted'"
            " GROUP BY a.hospital_org_id, a.region_code, a.month")
_DRIFT = ("SELECT c.product_id, c.kind, c.cls, n.kind, n.cls FROM order_share_class c"
          " JOIN (" + CLASSES.format(where="1 = 1") + ") n ON n.product_id = c.product_id"
          " WHERE (c.kind <> n.kind OR c.cls <> n.cls) {extra} ORDER BY c.product_id")


def add(session: Session, acceptance) -> None:
    """Add one new acceptance row (flushed, in its transaction) to its month: an accepted row's
    amount under its product's recorded class (recorded now when it is the product's first)."""
    if acceptance.kind != "accepted":
        return
    session.execute(text("INSERT INTO order_share_class (product_id, kind, cls) SELECT product_id, kind, cls FROM ("
                         + CLASSES.format(where="p.id = :product") + ") n"
                         " WHERE 1 = 1 ON CONFLICT (product_id) DO NOTHING"), {"product": acceptance.product_id})
    lock = " FOR SHARE" if session.get_bind().dialect.name == "postgresql" else ""
    kind, cls = session.execute(text(f"SELECT kind, cls FROM order_share_class WHERE product_id = :product{lock}"),
                                {"product": acceptance.product_id}).one()
    session.execute(text(_UPSERT.format(values="VALUES (:h, :r, :m, :kind, :cls, :fen)")),
                    {"h": acceptance.hospital_org_id, "r": acceptance.region_code, "m": acceptance.month,
                     "kind": kind, "cls": cls, "fen": acceptance.amount_fen})


def drift(session: Session, product_ids: list[int] | None = None) -> dict[int, tuple[str, str, str, str]]:
    """The products whose recorded kind or class differs from the listing's current one:
    product id → (recorded kind, recorded class, current kind, current class). Reads only."""
    stmt, params = text(_DRIFT.format(extra="")), {}
    if product_ids is not None:
        stmt = text(_DRIFT.format(extra="AND c.product_id IN :ids")).bindparams(bindparam("ids", expanding=True))
        params = {"ids": list(product_ids) or [0]}
    return {p: (k0, c0, k1, c1) for p, k0, c0, k1, c1 in session.execute(stmt, params).all()}


def reclassify(session: Session) -> int:
    """Move the drifted products' amounts to their current class and record it (the caller
    commits); returns how many products moved. The drifted class rows are locked first."""
    found = drift(session)
    if not found:
        return 0
    lock = " FOR UPDATE" if session.get_bind().dialect.name == "postgresql" else ""
    session.execute(text(f"SELECT product_id FROM order_share_class WHERE product_id IN :ids ORDER BY product_id{lock}")
                    .bindparams(bindparam("ids", expanding=True)), {"ids": sorted(found)})
    moved = drift(session, sorted(found))  # as of the lock: the rows are ours until commit
    for product, (kind0, cls0, kind1, cls1) in moved.items():
        for sign, kind, cls in ((-1, kind0, cls0), (1, kind1, cls1)):
            session.execute(text(_UPSERT.format(values=_PRODUCT)),
                            {"product": product, "sign": sign, "kind": kind, "cls": cls})
        session.execute(text("UPDATE order_share_class SET kind = :kind, cls = :cls WHERE product_id = :product"),
                        {"product": product, "kind": kind1, "cls": cls1})
    return len(moved)


def rebuild(session: Session) -> None:
    """Recompute the rollup and the recorded classes from ``order_acceptance`` and the listing
    (one transaction, the caller commits)."""
    session.execute(text("DELETE FROM order_share_month"))
    session.execute(text("DELETE FROM order_share_class"))
    session.execute(text("INSERT INTO order_share_class (product_id, kind, cls) SELECT product_id, kind, cls FROM ("
                         + CLASSES.format(where="p.id IN (SELECT a.product_id FROM order_acceptance a"
                                                " WHERE a.kind = 'accepted')") + ") n"))
    session.execute(text(_UPSERT.format(values=(
        "SELECT a.hospital_org_id, a.region_code, a.month, c.kind, c.cls, CAST(SUM(a.amount_fen) AS BIGINT)"
        " FROM order_acceptance a JOIN order_share_class c ON c.product_id = a.product_id WHERE a.kind = 'accepted'"
        " GROUP BY a.hospital_org_id, a.region_code, a.month, c.kind, c.cls"))))
