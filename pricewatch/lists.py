"""Paged read models of price monitoring: the alerts of the region, filtered and sorted in SQL
through :mod:`core.paging`."""

from __future__ import annotations

from sqlmodel import Session, select

import pricewatch.scoping  # noqa: F401 - registers the scope rules
from accounts.actor import Actor
from accounts.scoping import scope
from core.paging import FIRST_PAGE, ListQuery, Page, contains, fetch, narrowed
from pricewatch.models import Alert
from pricewatch.rules import RULES

ALERT_FILTERS = ("rule", "severity", "status", "period")
ALERT_STATUSES = ("open", "closed")
SEVERITIES = ("low", "medium", "high")
ALERT_SORTS = ("raised", "severity", "period", "status")


def alert_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of alerts, newest first."""
    rule, severity, status = query.get("rule"), query.get("severity"), query.get("status")
    stmt = narrowed(select(Alert), contains(query, "period", Alert.period),
                    Alert.rule == rule if rule in RULES else None,
                    Alert.severity == severity if severity in SEVERITIES else None,
                    Alert.status == status if status in ALERT_STATUSES else None)
    sorts = {"raised": Alert.raised_at, "severity": Alert.severity, "period": Alert.period, "status": Alert.status}
    return fetch(session, scope(stmt, actor, Alert), query, sorts, (Alert.raised_at.desc(), Alert.id.desc()))
