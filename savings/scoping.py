"""Who sees which savings rows (registered with :func:`accounts.scoping.register_scope`).

* Hospital buyers: their own assessments and objections (never the officers' points entries or
  the settings versions — their assessment carries the points and reason it used).
* Bureau roles: the rows of their region's hospitals; settings and points of their region's batches.
* Suppliers: none.
"""

from __future__ import annotations

from accounts.scoping import register_scope
from savings.models import SavingsAssessment, SavingsObjection, SavingsPoints, SavingsPolicy
from settlement.scoping import bureau_rule, party_rule

register_scope(SavingsAssessment, party_rule(SavingsAssessment, supplier=False))
register_scope(SavingsObjection, party_rule(SavingsObjection, supplier=False))
register_scope(SavingsPoints, bureau_rule(SavingsPoints.batch_id))
register_scope(SavingsPolicy, bureau_rule(SavingsPolicy.batch_id))
