"""The composition root of the database schema: imports every model so metadata is complete.

Alembic's ``env.py``, the test fixtures and ``flask db`` commands use :data:`metadata`.
New model modules are added to the import list below.
"""

from __future__ import annotations

from sqlmodel import SQLModel

import accounts.models  # noqa: F401
import api.models  # noqa: F401
import bidding.models  # noqa: F401
import core.audit  # noqa: F401
import credit.models  # noqa: F401
import cycles.models  # noqa: F401
import directpay.models  # noqa: F401
import evaluation.models  # noqa: F401
import jobs.models  # noqa: F401
import listing.models  # noqa: F401
import notices.models  # noqa: F401
import orders.models  # noqa: F401
import paystd.models  # noqa: F401
import pricewatch.models  # noqa: F401
import procurement.demand.models  # noqa: F401
import procurement.models  # noqa: F401
import results.models  # noqa: F401
import review.models  # noqa: F401
import savings.models  # noqa: F401
import selfpay.models  # noqa: F401
import settlement.models  # noqa: F401
import settlement.monitoring.models  # noqa: F401
import supply.models  # noqa: F401

metadata = SQLModel.metadata
