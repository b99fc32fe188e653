"""Every page of the demo, in Chinese: no English words, and one money format.

The demo is seeded into the test database (the ``seed`` command), each demo login signs in,
and every GET route its role may open is requested with the demo's own identifiers (batch
codes, hospital codes, versions, runs …), like ``test_route_walk`` walks them. Each HTML page's
text — scripts, styles and attributes stripped — must hold

* no ASCII English word outside :data:`ALLOWED` (codes with digits, units, proper names); and
* no amount outside the one money format: every ``¥`` is followed by ``1,234.56`` (or a unit
  price's four decimals), and no bare number of five or more digits lacks its separators
  (region codes, CNAPS numbers and bank accounts excepted by their lengths).
"""

from __future__ import annotations

import html
import itertools
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from accounts.models import Organisation
from bidding.models import BidSubmission
from core.clock import utcnow
from credit.models import Breach, Rating
from cycles.models import ContractYear
from demo import pipeline
from demo.seed import DEMO_PASSWORD
from evaluation import services as evaluation
from evaluation.models import Evaluation
from listing.models import DistributionRelation, ListedProduct
from orders.models import PurchaseOrder, ShipmentLine
from paystd.models import StandardVersion
from pricewatch.models import Alert
from procurement.models import Batch, Item
from review import services as review
from review.models import Contract
from settlement.models import PaymentInstruction, ReissueRequest, SettlementRun
from supply.models import SupplyProblem, Takeover
from tests.conftest import login

LOGINS = ("admin", "officer", "settle", "hospital", "supplier", "distributor")
SKIP = {"static", "shell.logout"}

#: English that may stand on a Chinese page: units, formats, proper names, standards.
ALLOWED = {
    # units and dosage
    "mg", "g", "ml", "mL", "IU", "kg", "μg", "ug", "s", "ms", "MB", "KB",
    # file kinds, formats and standards named as such
    "xlsx", "xls", "csv", "xml", "json", "pdf", "PDF", "Excel", "JSON", "CSV", "XML", "API", "OCDS", "OpenAPI",
    "CNAPS", "pain", "GB", "T", "ISO", "UTC", "HIS", "ERP", "SHA", "HMAC", "HTTP", "HTTPS", "URL", "ID",
    # proper names (products, solvers, the platform) and the language switch
    "HiGHS", "CBC", "PuLP", "jicai", "English", "Bearer", "Token",
    # login names are identifiers (the header shows the signed-in user's; the user list all)
    "admin", "admin2", "officer", "officer2", "settle", "settle2", "hospital", "supplier", "distributor",
}
FILE_NAME = re.compile(r"\.(xlsx|xls|csv|xml|json|pdf)$", re.I)

#: Pages whose fix belongs to another helper's item of issue #14; temporary, to be emptied at
#: merge: {endpoint: why}.
#: The English-word check is skipped there; amounts are still checked.
TEMPORARILY_ALLOWED: dict[str, str] = {}

_SCRIPT = re.compile(r"<(script|style|code|kbd)\b.*?</\1>", re.S | re.I)  # code: commands, shown as such
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"(?<![\w.@/-])[A-Za-z][A-Za-z0-9_.'’-]*")
_YUAN_OK = re.compile(r"¥\d{1,3}(?:,\d{3})*\.\d{2}(?:\d{2})?(?!\d)")
_BARE = re.compile(r"(?<![\w.,:/¥-])\d{5,}(?![\w,.])")
_CODE_LENGTHS = {6, 12, 16, 17, 18, 19}  # region codes (GB/T 2260), CNAPS numbers, bank accounts


def page_text(body: str) -> str:
    """The visible text of a page: no scripts, styles, tags or attributes."""
    return html.unescape(_TAG.sub(" ", _SCRIPT.sub(" ", body)))


def english_words(text: str) -> list[str]:
    """ASCII words outside the allow list; a token with a digit is a code (YP001, H3701000000)."""
    found = []
    for word in _WORD.findall(text):
        word = word.rstrip(".'’-")
        if (not word or any(c.isdigit() for c in word) or word in ALLOWED or len(word) == 1
                or FILE_NAME.search(word)):
            continue
        found.append(word)
    return found


def bad_amounts(text: str) -> list[str]:
    """Amounts not in the one money format."""
    wrong = [text[m.start():m.start() + 16] for m in re.finditer("¥", text) if not _YUAN_OK.match(text, m.start())]
    wrong += [m.group(0) for m in _BARE.finditer(text) if len(m.group(0)) not in _CODE_LENGTHS]
    return wrong


def test_the_checks_can_fail():
    text = page_text('<p title="English title">批次 <b>Draft</b> ¥777202.99 1920000 ¥1,234.56 ¥0.6244</p>'
                     "<script>var english = 1;</script>")
    assert english_words(text) == ["Draft"]
    assert bad_amounts(text) == ["¥777202.99 19200", "1920000"]
    assert english_words(page_text("<td>YP001</td><td>20mg×7</td><td>HiGHS</td>")) == []
    assert bad_amounts("地区 370100 账号 6222020200112233445 合计 ¥12,345.00 数量 9,000") == []


def _values(session) -> dict[str, list[str]]:
    """The demo's identifiers for each path parameter."""
    batches = session.exec(select(Batch).order_by(Batch.id)).all()
    hospitals = session.exec(select(Organisation).where(Organisation.kind == "hospital").order_by(Organisation.id)).all()
    return {
        "code": [b.code for b in batches],
        "hospital_code": [h.code for h in hospitals[:1]],
        "org_id": [str(o.id) for o in session.exec(select(Organisation).order_by(Organisation.id)).all()[:3]],
        "item_code": [i.code for i in session.exec(select(Item).order_by(Item.id)).all()[:1]],
        "version": sorted({str(e.version) for e in session.exec(select(Evaluation)).all()}) or ["1"],
        "run_id": [str(r.id) for r in session.exec(select(SettlementRun)).all()] or ["1"],
        "objection_id": ["1"], "file_id": ["1"],
        "submission_id": [str(b.id) for b in session.exec(select(BidSubmission).order_by(BidSubmission.id)).all()[:2]]
        or ["1"],
        "instruction_id": [str(i.id) for i in session.exec(select(PaymentInstruction).order_by(
            PaymentInstruction.id.desc())).all()[:2]] or ["1"],
        "request_id": [str(r.id) for r in session.exec(select(ReissueRequest)).all()[:1]] or ["1"],
        "product_id": [str(p.id) for p in session.exec(select(ListedProduct).order_by(ListedProduct.id)).all()[:2]]
        or ["1"],
        "relation_id": [str(r.id) for r in session.exec(select(DistributionRelation)).all()[:1]] or ["1"],
        # orders: the demo's accepted order and the one waiting for the distributor, a shipped line
        "order_id": [str(o.id) for o in session.exec(select(PurchaseOrder).order_by(PurchaseOrder.id)).all()[:2]]
        or ["1"],
        "shipment_line_id": [str(x.id) for x in session.exec(select(ShipmentLine)).all()[:1]] or ["1"],
        "year_id": [str(y.id) for y in session.exec(select(ContractYear).order_by(ContractYear.id)).all()[:1]] or ["1"],
        # supply and credit (the 保供 demo batch): a contract a hospital may report on, its problem and
        # takeover, the breach and the rating
        "contract_id": [str(c.id) for c in session.exec(select(Contract).order_by(Contract.id.desc())).all()[:2]] or ["1"],
        "problem_id": [str(p.id) for p in session.exec(select(SupplyProblem)).all()[:1]] or ["1"],
        "takeover_id": [str(t.id) for t in session.exec(select(Takeover)).all()[:1]] or ["1"],
        "breach_id": [str(b.id) for b in session.exec(select(Breach)).all()[:1]] or ["1"],
        "rating_id": [str(r.id) for r in session.exec(select(Rating)).all()[:1]] or ["1"],
        # payment standards and price monitoring (the national batch's standards, this month's alerts)
        "version_id": [str(v.id) for v in session.exec(select(StandardVersion)).all()[:1]] or ["1"],
        "alert_id": [str(a.id) for a in session.exec(select(Alert)).all()[:2]] or ["1"],
        "price_id": ["1"], "watched_id": ["1"],
    }


def _urls(app, role: str, values: dict[str, list[str]]):
    """(endpoint, url) for every GET page the role may open, over the demo's identifiers."""
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "jicai_roles", None)
        if rule.endpoint in SKIP or "GET" not in rule.methods or roles is None or role not in roles:
            continue
        if rule.rule.startswith("/api/") or rule.rule.endswith((".xlsx", ".json", ".csv", "/template")):
            continue
        names = sorted(rule.arguments)
        for combo in itertools.product(*(values[n] for n in names)):
            chosen = dict(zip(names, combo, strict=True))
            yield rule.endpoint, re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m, c=chosen: c[m.group(1)], rule.rule)


def advance_demo_to_contracts(db) -> None:
    """Take the demo's opened batch on to signed contracts through the real services, at the
    times each step allows (evaluation, four-eyes review, publicity, publication, signing)."""
    with db.write_session() as s:
        code = s.exec(select(Batch).where(Batch.status == "opened")).one().code
        run = evaluation.request_evaluation(s, pipeline.officer(s), code, utcnow()).value
    with db.read_session() as s:
        officer = pipeline.officer(s)
    assert evaluation.claim_and_run(db, run.id, officer).status == "done"
    with db.write_session() as s:
        now = utcnow()
        review.submit_for_review(s, pipeline.officer(s), code, run.version, now)
        review.decide(s, pipeline.officer(s, "officer2"), code, True, "", now)
        later = now + timedelta(days=30)
        review.end_publicity(s, None, code, later)
        for username in ("hospital", "supplier"):
            review.sign_all(s, pipeline.officer(s, username), code, later)


@pytest.mark.parametrize("username", LOGINS)
def test_every_demo_page_is_chinese_with_one_money_format(app, db, username):
    result = app.test_cli_runner().invoke(args=["seed", "--hospitals", "16", "--suppliers", "3"])
    assert result.exit_code == 0, result.output
    advance_demo_to_contracts(db)
    client = app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    role = _role_of(db, username)
    with db.read_session() as s:
        values = _values(s)
    problems, pages = [], 0
    for endpoint, url in _urls(app, role, values):
        response = client.get(url)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        pages += 1
        text = page_text(response.get_data(as_text=True))
        words = [] if endpoint in TEMPORARILY_ALLOWED else english_words(text)
        amounts = bad_amounts(text)
        if words or amounts:
            problems.append(f"{url}: English {sorted(set(words))[:12]} amounts {amounts[:6]}")
    assert pages >= 3, f"{username} saw only {pages} pages"
    assert problems == [], "\n".join(problems)


def _role_of(db, username: str) -> str:
    """The demo user's role."""
    from accounts.models import User

    with db.read_session() as s:
        return s.exec(select(User).where(User.username == username)).one().role
