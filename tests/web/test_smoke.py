"""Each role signs in and sees its landing page in Chinese."""

from accounts.roles import Role
from tests.conftest import login


def test_every_role_lands_in_chinese(client, world):
    for role in Role:
        client.get("/")  # anonymous → redirected to login
        response = login(client, world.username("A", role))
        assert response.status_code == 302, role
        page = client.get("/").get_data(as_text=True)
        assert "欢迎" in page and "待办事项" in page, role
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        client.post("/logout", data={"csrf_token": token})
