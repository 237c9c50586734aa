"""Phone numbers as people type them, checked and stored in one form (E.164: +447700900123).

Parsed with Google's libphonenumber (the `phonenumbers` package): a number without a
country code is read as a UK number.
"""

import phonenumbers

PHONE_INPUT_MAX = 30  # "+44 (0)7700 900 123" with generous spacing
PHONE_MESSAGE = "Enter a phone number, like 07400 123456 or +44 7400 123456."


def phone_checked(raw, *, errors: dict, field: str = "phone") -> str:
    """The number in E.164, "" for an empty one, or "" with PHONE_MESSAGE in
    `errors[field]` for one that is not a possible phone number."""
    text = (raw if isinstance(raw, str) else "").strip()
    if not text:
        return ""
    try:
        if len(text) > PHONE_INPUT_MAX:
            raise phonenumbers.NumberParseException(0, "too long")
        number = phonenumbers.parse(text, "GB")
        if not phonenumbers.is_valid_number(number):
            raise phonenumbers.NumberParseException(0, "not valid")
    except phonenumbers.NumberParseException:
        errors[field] = PHONE_MESSAGE
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    """A stored number as people read it: "07700 900123" for UK, international otherwise."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, None)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 44
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)
