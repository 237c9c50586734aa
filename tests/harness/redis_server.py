"""`private_redis`: a Redis server of the test's own on a free loopback port, which the
test may restart (losing everything in it, as a Redis without persistence does) without
touching the Redis the rest of the suite uses."""

import shutil
import socket
import subprocess
import time

import pytest

from tests.harness.services import require
from tests.harness.smtp import free_port


class RedisServer:
    def __init__(self, log):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = log
        self.process = None

    def start(self) -> None:
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no",
        ]  # fmt: skip
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"redis-server did not start:\n{self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        """Killed (SIGKILL) and started again, empty, on the same port."""
        self.kill()
        self.start()


@pytest.fixture
def private_redis(tmp_path):
    require(shutil.which("redis-server") is not None, "needs redis-server (as .ci/run installs)")
    server = RedisServer(tmp_path / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.kill()
