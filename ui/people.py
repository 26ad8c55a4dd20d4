"""How a person is named on every page, export and history: their display name, never their login name.

The display name is the account's full name (`first_name`, filled by `agencies.services.user_create`
and the admin, e.g. 演示·乌兰镇调查员). An account without one reads 「未填姓名的账号（编号 N）」, so
the login name, which is half of a credential, is shown nowhere.
"""

NOBODY = "系统"


def display_name(user, *, nobody: str = NOBODY) -> str:
    """The name users read for `user`; `nobody` for a change made without a user (a command, the loader)."""
    if user is None:
        return nobody
    # A user's history row (the change log) has the name fields but not the methods.
    name = f"{getattr(user, 'first_name', '')} {getattr(user, 'last_name', '')}".strip()
    return name or f"未填姓名的账号（编号 {getattr(user, 'id', user.pk)}）"
