"""How long a sign-up takes to answer for a known and for a new address, and their ratio.

    .venv/bin/python bench/sign_up_timing.py              # 20 of each, web form and API
    .venv/bin/python bench/sign_up_timing.py --rounds 50

A ratio near 1 means the answer's timing does not tell whether an address has an account
(volunteers.adapters hashes the password on both paths). Runs in-process through Django's
test client, with the project's settings and password hasher, on a throw-away database
made and dropped like the test suite's (named *_sign_up_timing, from DATABASE_URL or the
local SQLite default), email kept in memory and rate limits off. Not a test: timings
depend on the machine, so nothing here passes or fails.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PASSWORD = "a long and unusual passphrase 42"  # noqa: S105 - a throw-away account's
APP_SIGNUP = "/_allauth/app/v1/auth/signup"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="sign-ups of each kind (20)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    import django

    django.setup()
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the API's 401s: expected
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()  # locmem email, as in tests
    test_name = f"{connection.settings_dict['NAME']}_sign_up_timing"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = test_name
    original = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(
            ACCOUNT_RATE_LIMITS=False,
            ACCOUNT_EMAILS_PER_ADDRESS=(10**6, 60),
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        ):
            print(f"hasher: {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}")
            for label, sign_up in (("web form", _web), ("mobile API", _app)):
                known, new = _measure(sign_up, args.rounds)
                print(
                    f"{label}: known address {known * 1000:.1f} ms, new address "
                    f"{new * 1000:.1f} ms (medians of {args.rounds}); "
                    f"known/new ratio {known / new:.2f}"
                )
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


def _web(client, email):
    return client.post(
        "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )


def _app(client, email):
    return client.post(
        APP_SIGNUP, {"email": email, "password": PASSWORD}, content_type="application/json"
    )


def _measure(sign_up, rounds: int) -> tuple[float, float]:
    """Median seconds to answer a sign-up for a known and for a new address, alternating
    the two so that both meet the same conditions."""
    from django.test import Client

    from tests.factories import UserFactory

    known_email = UserFactory().email
    sign_up(Client(), "warm-up@example.org")  # imports, templates and connections
    known, new = [], []
    for i in range(rounds):
        for times, email in ((known, known_email), (new, f"new-{time.time_ns()}-{i}@example.org")):
            client = Client()
            start = time.perf_counter()
            response = sign_up(client, email)
            times.append(time.perf_counter() - start)
            assert response.status_code in (302, 401), response.status_code
    return statistics.median(known), statistics.median(new)


if __name__ == "__main__":
    main()
