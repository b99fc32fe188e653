"""CSRF, throttled logins without enumeration, headers, cookies, upload limit, no stack traces."""

from accounts.roles import Role
from tests.conftest import PASSWORD, csrf_token, login


def test_post_without_csrf_token_is_refused(client, world):
    response = client.post("/login", data={"username": world.username("A", Role.ADMIN), "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    login(client, world.username("A", Role.ADMIN))
    refused = client.post("/batches/new", data={"code": "X1", "name": "x"})
    assert refused.status_code == 400


def test_wrong_password_and_unknown_user_look_the_same(client, world):
    wrong = login(client, world.username("A", Role.ADMIN), "not-the-password")
    unknown = login(client, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码错误" in wrong.get_data(as_text=True)
    strip = lambda r: r.get_data(as_text=True).split('name="csrf_token"')[0]  # noqa: E731
    assert strip(wrong) == strip(unknown)


def test_login_throttled_per_account_over_http(app, client, world):
    name = world.username("A", Role.PRICE_OFFICER)
    for _ in range(5):
        assert login(client, name, "bad-bad-bad-bad").status_code == 401
    throttled = login(client, name, PASSWORD)
    assert throttled.status_code == 429
    assert "失败次数过多" in throttled.get_data(as_text=True)


def test_security_headers_and_cookie_flags(client, world):
    response = login(client, world.username("A", Role.ADMIN))
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_oversized_request_gets_a_readable_413(app, client, world):
    login(client, world.username("A", Role.ADMIN))
    token = csrf_token(client, "/batches/new")
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/batches/new", data={"csrf_token": token, "name": big})
    assert response.status_code == 413
    assert "文件过大" in response.get_data(as_text=True)


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/batches")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_english_can_be_chosen(client, world):
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    token = csrf_token(client, "/")
    client.post("/lang/en", data={"csrf_token": token})
    assert "What to do next" in client.get("/").get_data(as_text=True)


def test_health_endpoint(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok", "scheduler": "absent"}
