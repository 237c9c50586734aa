from django.core import mail
from django.test import TestCase

# Real letters on one topic: LETTER_B says what LETTER_A says, in other words.
LETTER_A = """I live in Testford and I have voted in every election since I was eighteen.
I am writing because the leadership contest matters to people here far more than
Westminster seems to realise. My street has seen the library close, the bus to the
hospital cut to twice a day and two families I know move away because rents went up by a
third in a year. I want to choose between real alternatives, and that only happens if
the candidate is on the ballot. Nominating her is not the same as supporting her: it lets
members decide. Please tell me whether you will nominate, and if not, why not. I would be
glad to hear from you and will share your answer with neighbours who asked me the same
question at the school gate this week."""

LETTER_B = """As a nurse on nights at Testford General I rarely have time to write to
anyone, but this is important to me. Over the past two winters we have run out of beds
more times than I can count, and colleagues I trained with have left for agency work or
for Australia. Whoever leads the party next will shape what happens to the health service,
so I think the members should get a proper choice. I am asking you to put the candidate's
name forward so that she can stand. You don't have to agree with everything she says.
I only ask that you let the membership have its say, and I would appreciate a reply
explaining your decision either way."""


def committed():
    """Run what is queued for after commit (tasks are eager in unit tests) at block end."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def write(letter_campaign, n=0, **overrides):
    from campaigns.letters.services import letter_write

    values = {
        "name": f"Writer {n}",
        "email": f"writer{n}@example.org",
        "postcode": "ZA1 1AA",
        "address": f"{n} High Street\nTestford",
        "subject": "Please nominate the candidate",
        "body": LETTER_A,
    }
    values.update(overrides)
    with committed():
        return letter_write(letter_campaign=letter_campaign, **values)


def outbox_to(address):
    return [m for m in mail.outbox if address in m.to]
