"""NIST SP 800-63B password screening: length, common passwords, the user's own names; no
composition rules."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.passwords import PasswordPolicyError, check_password
from accounts.roles import OrgKind, Role


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "password123", "1234567890", "qwertyuiop", "iloveyou12",
                                      "P@ssw0rd2024", "abcdefghij"])
def test_common_repeated_and_sequential_passwords_are_refused(password):
    with pytest.raises(PasswordPolicyError, match="过于常见"):
        check_password(password)


@pytest.mark.parametrize("names, password", [
    (("zhangwei", "Zhang Wei", "济南市人民医院"), "Zhangwei#2026!"),
    (("liuyang", "刘洋", "Qilu Pharmaceutical"), "my-qilu-pharmaceutical-pass"),
    (("wang.fang", "王芳", "山东省医保局"), "王芳的密码不好猜啊啊"),
])
def test_the_users_own_names_are_refused(names, password):
    with pytest.raises(PasswordPolicyError, match="不能包含用户名"):
        check_password(password, names)


@pytest.mark.parametrize("password", ["correct-horse-battery", "晚上九点 去江边跑步", "tulip quartz ember 9",
                                      "lowercaseonlybutlongenough"])
def test_long_uncommon_passwords_pass_without_composition_rules(password):
    check_password(password, ("zhangwei", "Zhang Wei", "济南市人民医院"))


def test_create_user_checks_against_its_names(session, world):
    bureau = world.orgs[("A", OrgKind.BUREAU)]
    with pytest.raises(PasswordPolicyError):
        services.create_user(session, None, username="sunli", display_name="孙丽", password="sunli-password-9",
                             role=Role.ADMIN, org_id=bureau.id)
    with pytest.raises(PasswordPolicyError):
        services.create_user(session, None, username="sunli", display_name="孙丽", password="aaaaaaaaaa",
                             role=Role.ADMIN, org_id=bureau.id)
