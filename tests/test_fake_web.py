import json
import urllib.error
import urllib.request

import pytest


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
        return response.status, json.loads(response.read())


def test_fake_web_answers_recorded_samples_by_path_and_query(fake_web):
    fake_web.add("/Members/Search", json={"page": 1}, query={"skip": "0"})
    fake_web.add("/Members/Search", json={"page": 2}, query={"skip": "20"})

    assert get(fake_web.url + "/Members/Search?skip=20&take=20") == (200, {"page": 2})
    assert get(fake_web.url + "/Members/Search?skip=0&take=20") == (200, {"page": 1})
    assert [r[2]["skip"] for r in fake_web.requests] == ["20", "0"]


def test_fake_web_gives_errors_and_can_be_too_slow(fake_web):
    fake_web.add("/slow", json={}, delay=2)

    with pytest.raises(urllib.error.HTTPError) as error:
        get(fake_web.url + "/unknown")
    assert error.value.code == 404
    with pytest.raises(TimeoutError):
        get(fake_web.url + "/slow", timeout=0.5)
