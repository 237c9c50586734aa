"""Checks of the free-text fields services take from people, shared by every app: each
adds its message to the caller's `errors` (field -> message), so a service names every bad
field at once."""

# Line breaks of every kind, including those only Unicode calls one: a name or subject
# goes into an email header, where a line break would start a header of the sender's own.
LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def one_line(value, *, field: str, label: str, limit: int, errors: dict, required=True) -> str:
    """A header-safe single line, its runs of spaces made one: refused (not silently
    joined) if it holds a line break; "Enter your <label>." when required and empty; too
    long past `limit` characters."""
    value = value if isinstance(value, str) else ""
    if any(c in value for c in LINE_BREAKS):
        errors[field] = f"Your {label} must be on one line."
        return ""
    value = " ".join(value.split())
    if required and not value:
        errors[field] = f"Enter your {label}."
    elif len(value) > limit:
        errors[field] = f"Your {label} must be at most {limit} characters."
    return value
