"""Links emailed to people (confirm a signature, confirm a letter, answer a follow-up): a
row's id, signed so it cannot be guessed or altered, and read back with one clear message
for each way a link can fail."""

from django.core import signing
from django.core.exceptions import ValidationError

NOT_VALID = "This link is not valid. Check you copied all of it."


def link_token(pk: int, *, salt: str) -> str:
    """The token for row `pk` in links of one kind (`salt`)."""
    return signing.dumps(pk, salt=salt, compress=True)


def link_id(token: str, *, salt: str, max_age: int, expired: str, error=ValidationError) -> int:
    """The id a token of this kind carries. Raises `error` naming the field "token": with
    `expired` for a link older than `max_age` seconds, or NOT_VALID for one that is
    malformed, cut short or not ours."""
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as problem:
        raise error({"token": expired}) from problem
    except signing.BadSignature as problem:
        raise error({"token": NOT_VALID}) from problem
