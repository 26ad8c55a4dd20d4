from .access import role_of


def role(request):
    """Puts the user's role in every template, so navigation shows each role only what it may use."""
    current = role_of(getattr(request, "user", None))
    return {"current_role": current, "current_role_label": current.label if current else ""}
