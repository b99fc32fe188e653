"""The acting user as services see it: plain data, no Flask."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.roles import BUREAU_ROLES, Role
from core.audit import AuditActor


@dataclass(frozen=True)
class Actor:
    """Who is asking: their user, role and organisation (and its region)."""

    user_id: int
    username: str
    role: Role
    org_id: int
    org_kind: str
    region_code: str

    @property
    def is_bureau(self) -> bool:
        """Bureau roles see their whole region."""
        return self.role in BUREAU_ROLES

    def audit(self) -> AuditActor:
        """This actor as the audit log records it."""
        return AuditActor(user_id=self.user_id, org_id=self.org_id, name=self.username)


class Forbidden(PermissionError):
    """The actor may not do or see this."""
