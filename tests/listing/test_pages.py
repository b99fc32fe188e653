"""The listing pages, through the real forms: list, approve, change a price, who sees what."""

from __future__ import annotations

import io
import re

from sqlmodel import select

from listing.models import ListedProduct
from tests.conftest import csrf_token, login
from tests.listing.conftest import DRUG
from tests.listing.test_uploads import DRUG_ROW, workbook

FORM = {"code": DRUG, "generic_name": "比卡鲁胺片", "dosage_form": "片剂", "spec": "50mg", "pack": "28片/盒",
        "mah": "示例制药有限公司", "price": "123.4567", "vbp_status": "not_vbp", "vbp_batch_code": ""}


def _submit(client, world, **changes):
    login(client, world.username("A", "supplier_rep"))
    token = csrf_token(client, "/listing/new")
    return client.post("/listing/new", data={**FORM, **changes, "csrf_token": token})


def _product(session):
    """The one product, read and the write transaction ended (the app writes next)."""
    product = session.exec(select(ListedProduct).execution_options(populate_existing=True)).one()
    session.commit()
    return product


def test_a_supplier_lists_a_product_and_the_officer_approves_it(app, client, session, world):
    response = _submit(client, world)
    assert response.status_code == 302
    product = _product(session)
    page = client.get(f"/listing/{product.id}").get_data(as_text=True)
    assert "listing-approve" not in page and "price-request" not in page  # waiting: nothing for the supplier to press
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world.username("A", "price_officer"))
    assert "比卡鲁胺片" in client.get("/listing").get_data(as_text=True)
    page = client.get(f"/listing/{product.id}").get_data(as_text=True)
    assert 'data-testid="listing-approve"' in page
    token = csrf_token(client, f"/listing/{product.id}")
    assert client.post(f"/listing/{product.id}/approve", data={"csrf_token": token}).status_code == 302
    assert _product(session).status == "listed"
    page = client.get(f"/listing/{product.id}").get_data(as_text=True)
    assert "listing-approve" not in page and "¥123.4567" in page


def test_a_bad_code_is_refused_on_the_form_naming_the_part(client, session, world):
    response = _submit(client, world, code="XL02BB1326A001010102180")
    page = client.get("/listing/new").get_data(as_text=True) if response.status_code == 302 else response.get_data(
        as_text=True)
    assert "1326" in page
    assert session.exec(select(ListedProduct)).all() == []
    session.commit()


def test_price_change_through_the_pages(app, client, session, world):
    _submit(client, world)
    product = _product(session)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world.username("A", "price_officer"))
    client.post(f"/listing/{product.id}/approve", data={"csrf_token": csrf_token(client, f"/listing/{product.id}")})
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world.username("A", "supplier_rep"))
    token = csrf_token(client, f"/listing/{product.id}")
    client.post(f"/listing/{product.id}/price", data={"csrf_token": token, "price": "99", "effective_on": "2099-01-01",
                                                      "reason": "原料降价"})
    page = client.get(f"/listing/{product.id}").get_data(as_text=True)
    assert "price-request" not in page and "¥99.0000" in page
    assert "¥123.4567" in client.get(f"/listing/{product.id}?on=2099-01-01").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world.username("A", "price_officer"))
    token = csrf_token(client, f"/listing/{product.id}")
    client.post(f"/listing/{product.id}/price/approve", data={"csrf_token": token})
    shown = client.get(f"/listing/{product.id}?on=2099-01-01").get_data(as_text=True)
    assert re.search(r'data-testid="price-in-force"><strong>¥99.0000', shown)
    assert "¥123.4567" in client.get(f"/listing/{product.id}?on=2098-12-31").get_data(as_text=True)


def test_hospitals_see_listed_products_of_their_province_only(client, session, world):
    _submit(client, world)
    product = _product(session)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world.username("A", "hospital_buyer"))
    assert client.get(f"/listing/{product.id}").status_code == 404  # not yet listed
    assert client.post(f"/listing/{product.id}/approve", data={"csrf_token": csrf_token(client, "/")}).status_code == 403


def test_the_workbook_upload_page_lists_or_returns_the_marked_workbook(client, session, world):
    login(client, world.username("A", "supplier_rep"))
    token = csrf_token(client, "/listing/upload")
    bad = (DRUG[:-1], *DRUG_ROW[1:])
    page = client.post("/listing/upload", data={"csrf_token": token, "file": (io.BytesIO(workbook(bad)), "p.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert 'data-testid="upload-errors"' in page and "A2" in page
    assert session.exec(select(ListedProduct)).all() == []
    session.commit()
    token = csrf_token(client, "/listing/upload")
    page = client.post("/listing/upload", data={"csrf_token": token, "file": (io.BytesIO(workbook(DRUG_ROW)), "p.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert 'data-testid="upload-done"' in page
    assert client.get("/listing/template.xlsx").status_code == 200
