"""The main menu as data: a few groups a bureau officer, hospital buyer, supplier or distributor
expects, each entry with the roles that may see it (the same conditions the flat menu had).

``menu_for(role)`` drops the entries a role may not see and the groups left empty; the template
(``web/templates/_menu.html``) draws a group as a ``<details>`` dropdown, so the menu works
without JavaScript and with the keyboard. The module holds no Flask calls: the template turns
endpoints into links.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

ALL = frozenset({"hospital_buyer", "supplier_rep", "distributor_rep", "price_officer", "settlement_officer", "admin"})
BUREAU = frozenset({"price_officer", "settlement_officer", "admin"})


@dataclass(frozen=True)
class Entry:
    """One link: its endpoint, label, test id (browser tests click it) and who sees it."""

    endpoint: str
    label: object
    testid: str | None = None
    roles: frozenset[str] = ALL


@dataclass(frozen=True)
class Group:
    """A dropdown of entries; with a single ``link`` it is drawn as a plain link instead."""

    key: str
    label: object
    entries: tuple[Entry, ...]
    link: bool = False
    also: tuple[str, ...] = ()

    def holds(self, endpoint: str | None) -> bool:
        """Whether the page at ``endpoint`` belongs to this group: one of its entries' blueprints
        or one of the blueprints it ``also`` covers (a batch's bids, evaluation, results …)."""
        blueprint = (endpoint or "").split(".", 1)[0]
        return blueprint in {e.endpoint.split(".", 1)[0] for e in self.entries} | set(self.also)


def _roles(*names: str) -> frozenset[str]:
    return frozenset(names)


MENU: tuple[Group, ...] = (
    Group("tasks", _l("My tasks"), (Entry("shell.index", _l("My tasks"), "nav-tasks"),), link=True),
    Group("procurement", _l("Procurement"), (
        Entry("procurement.batch_list", _l("Batches"), "nav-batches"),
        Entry("procurement.item_list", _l("Catalog"), "nav-catalog"),
        Entry("demand.index", _l("Demand"), "nav-demand", _roles("hospital_buyer", "price_officer", "admin")),
    ), also=("bidding", "evaluation", "review", "results", "cycles")),
    Group("trade", _l("Listing & orders"), (
        Entry("listing.products", _l("Listed products"), "nav-listing"),
        Entry("listing.relations", _l("Distribution"), "nav-distribution",
              _roles("supplier_rep", "distributor_rep", "price_officer", "admin")),
        Entry("orders.index", _l("Orders"), "nav-orders", ALL),
    )),
    Group("money", _l("Settlement"), (
        Entry("settlement.home", _l("Settlement & payments"), "nav-settlement",
              _roles("supplier_rep", "hospital_buyer", "settlement_officer", "price_officer", "admin")),
        Entry("savings.index", _l("Retained savings"), "nav-savings",
              _roles("hospital_buyer", "settlement_officer", "price_officer", "admin")),
        Entry("selfpay.index", _l("Self-settled payments"), "nav-selfpay",
              _roles("hospital_buyer", "price_officer", "settlement_officer", "admin")),
        Entry("directpay.index", _l("Direct settlement scope"), "nav-directpay",
              _roles("price_officer", "settlement_officer", "admin")),
    ), also=("settlement_payments", "settlement_officer")),
    Group("oversight", _l("Oversight"), (
        Entry("dashboard.index", _l("Dashboard"), "nav-dashboard",
              _roles("hospital_buyer", "settlement_officer", "price_officer", "admin")),
        # the flat menu showed it to distributors too, but the page refuses them (supply.views.PARTIES)
        Entry("supply.problems", _l("Supply"), "nav-supply", ALL - {"distributor_rep"}),
        Entry("credit.index", _l("Credit"), "nav-credit", _roles("supplier_rep", "price_officer", "settlement_officer", "admin")),
        Entry("paystd.index", _l("Payment standards"), "nav-paystd"),
        Entry("pricewatch.index", _l("Price monitoring"), "nav-pricewatch", BUREAU),
    )),
    Group("inbox", _l("Inbox"), (Entry("notices.inbox", _l("Inbox"), "nav-inbox"),), link=True),
    Group("settings", _l("Account & settings"), (
        Entry("account.account", _l("My account"), "nav-account"),
        Entry("api_ui.tokens", _l("API tokens"), "nav-api-tokens", ALL - {"admin"}),
        Entry("jobs.jobs_page", _l("Scheduled jobs"), "nav-jobs", BUREAU),
        Entry("accounts.org_list", _l("Organisations"), "nav-orgs", _roles("admin")),
        Entry("accounts.user_list", _l("Users"), "nav-users", _roles("admin")),
        Entry("accounts.bank_changes", _l("Bank account changes"), "nav-bank-changes", _roles("admin")),
    )),
)


def menu_for(role: str) -> list[Group]:
    """The groups ``role`` sees, each holding only the entries the role may see; empty groups
    are left out, and a group left with one entry is drawn as that entry's plain link."""
    shown = []
    for group in MENU:
        entries = tuple(e for e in group.entries if role in e.roles)
        if entries:
            shown.append(Group(group.key, group.label, entries, group.link or len(entries) == 1, group.also))
    return shown


def current_group(groups: list[Group], endpoint: str | None) -> str | None:
    """The key of the group the page at ``endpoint`` belongs to (drawn as current), or None."""
    return next((g.key for g in groups if g.holds(endpoint)), None)
