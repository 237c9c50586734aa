"""The benchmark's load generator: a process of its own, started by bench/petition_sign.py.

    python bench/loadgen.py CONFIG.json OUT.json

Plain asyncio and a minimal HTTP/1.1 client (keep-alive, Content-Length bodies), so it
needs nothing beyond the standard library and costs a few microseconds per request; it
measures its own CPU time and event-loop delay so the report can show it was not the
bottleneck. It talks only to 127.0.0.1.

Signers POST to the signing endpoint, either closed-loop (`signers` clients, each sending
its next signature as soon as the last is answered) or open-loop (`rate` signatures a
second on a fixed schedule, latency counted from the scheduled time so a slow server
cannot hide its queue). A share `repeat_share` of signings reuse an address already sent,
half of them in another case or with spaces round it, which the server must normalise and
refuse to count twice. Every request carries an X-Forwarded-For address of its own (the
server trusts one proxy), so the per-IP limits stay at their production values.

Pollers GET the count endpoint every `poll_interval` seconds with If-None-Match, like a
petition page, and record (time, published total). After the load they keep polling until
the published total reaches the number of addresses accepted, or `drain_timeout` passes.
The count lag is then, for each poll, how long the oldest accepted signature not yet in
the published total had been waiting.
"""

import asyncio
import contextlib
import json
import random
import resource
import sys
import time
from collections import Counter

HOST = "127.0.0.1"
EMAIL_DOMAINS = 5000  # spread over many domains so the per-domain limits are not hit


def percentile(values, share):
    """Nearest-rank percentile of a list (0 < share <= 1); None for an empty list."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class Connection:
    """One keep-alive HTTP/1.1 connection to the server; reopened when the server closes."""

    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    async def request(self, raw: bytes):
        """Send one request; (status, headers, body). A reused connection that the server
        closed while idle is reopened once, before any answer was read."""
        for attempt in (1, 2):
            reused = self.writer is not None
            if not reused:
                self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
            try:
                self.writer.write(raw)
                head = await self.reader.readuntil(b"\r\n\r\n")
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if reused and attempt == 1:
                    continue
                raise
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = {}
            for line in lines[1:]:
                if line:
                    key, _, value = line.partition(":")
                    headers[key.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            body = await self.reader.readexactly(length) if length else b""
            if headers.get("connection", "").lower() == "close":
                self.close()
            return status, headers, body
        raise AssertionError("unreachable")

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Signings:
    """The addresses and requests to send, and what came back."""

    def __init__(self, config, rng):
        self.config = config
        self.rng = rng
        self.port = config["port"]
        self.sent_emails: list[str] = []
        self.numbered = 0
        self.ip_number = config["ip_offset"]
        self.accepted: dict[str, float] = {}  # normalised email -> first 202 (wall clock)
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()
        self.repeats_sent = 0
        self.error_samples: list[str] = []

    def next_request(self):
        """(normalised email, raw request bytes)."""
        rng = self.rng
        if self.sent_emails and rng.random() < self.config["repeat_share"]:
            email = rng.choice(self.sent_emails)
            typed = email.upper() if rng.random() < 0.5 else f"  {email} "
            self.repeats_sent += 1
        else:
            self.numbered += 1
            n = self.numbered
            email = typed = f"signer{n}.{self.config['email_tag']}@d{n % EMAIL_DOMAINS}.example.org"
            self.sent_emails.append(email)
        postcode = rng.choice(self.config["postcodes"])
        style = rng.random()
        if style < 0.3:
            postcode = postcode.lower()
        elif style < 0.6:
            postcode = postcode.replace(" ", "")
        body = json.dumps(
            {"name": f"Bench Signer {self.numbered}", "email": typed, "postcode": postcode}
        ).encode()
        self.ip_number += 1
        n = self.ip_number
        ip = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
        head = (
            f"POST {self.config['sign_path']} HTTP/1.1\r\n"
            f"Host: {HOST}:{self.port}\r\n"
            "Content-Type: application/json\r\n"
            "Accept: application/json\r\n"
            f"X-Forwarded-For: {ip}\r\n"
            "X-Forwarded-Proto: https\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return email, head.encode() + body

    async def send(self, connection, email, raw, started):
        try:
            status, _, body = await asyncio.wait_for(
                connection.request(raw), self.config["request_timeout"]
            )
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as error:
            connection.close()
            status, body = type(error).__name__, b""
        self.latencies.append(time.monotonic() - started)
        self.statuses[status] += 1
        if status == 202:
            self.accepted.setdefault(email, time.time())
        elif len(self.error_samples) < 5:
            self.error_samples.append(f"{status}: {body[:300].decode('utf-8', 'replace')}")


async def closed_loop(signings, config, deadline):
    async def client():
        connection = Connection(config["port"])
        while time.monotonic() < deadline:
            email, raw = signings.next_request()
            await signings.send(connection, email, raw, time.monotonic())
        connection.close()

    await asyncio.gather(*(client() for _ in range(config["signers"])))


async def open_loop(signings, config, start, deadline):
    """`rate` signings a second on a fixed schedule, each on a free connection (opening
    up to max_connections); latency runs from the scheduled time."""
    idle: list[Connection] = []
    opened = 0
    free = asyncio.Condition()

    async def one(scheduled):
        nonlocal opened
        async with free:
            while not idle and opened >= config["max_connections"]:
                await free.wait()
            if idle:
                connection = idle.pop()
            else:
                opened += 1
                connection = Connection(config["port"])
        email, raw = signings.next_request()
        await signings.send(connection, email, raw, scheduled)
        async with free:
            idle.append(connection)
            free.notify()

    tasks = set()
    interval = 1 / config["rate"]
    number = 0
    while True:
        scheduled = start + number * interval
        if scheduled >= deadline:
            break
        delay = scheduled - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        number += 1
    if tasks:
        await asyncio.wait(tasks, timeout=config["request_timeout"])
    for task in tasks:
        task.cancel()
    for connection in idle:
        connection.close()
    return number, opened


class Pollers:
    def __init__(self, config):
        self.config = config
        self.samples: list[tuple[float, int]] = []  # (wall clock, published total)
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()
        self.stopping = asyncio.Event()

    async def poller(self, number):
        config = self.config
        connection = Connection(config["port"])
        etag, total = None, None
        await asyncio.sleep(number * config["poll_interval"] / max(1, config["pollers"]))
        while not self.stopping.is_set():
            started = time.monotonic()
            head = (
                f"GET {config['count_path']} HTTP/1.1\r\nHost: {HOST}:{config['port']}\r\n"
                "Accept: application/json\r\nX-Forwarded-Proto: https\r\n"
                f"X-Forwarded-For: 10.255.0.{number}\r\n"
            )
            if etag:
                head += f"If-None-Match: {etag}\r\n"
            try:
                status, headers, body = await asyncio.wait_for(
                    connection.request((head + "\r\n").encode()), config["request_timeout"]
                )
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as error:
                connection.close()
                status = type(error).__name__
            self.latencies.append(time.monotonic() - started)
            self.statuses[status] += 1
            if status == 200:
                total, etag = json.loads(body)["total"], headers.get("etag")
            if status in (200, 304) and total is not None:
                self.samples.append((time.time(), total))
            wait = config["poll_interval"] - (time.monotonic() - started)
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), wait)
        connection.close()

    def published(self):
        return max((total for _, total in self.samples), default=0)


async def loop_delay(delays, stop):
    """How late the event loop wakes from a 10 ms sleep: if the client were the
    bottleneck, this would grow."""
    while not stop.is_set():
        before = time.monotonic()
        await asyncio.sleep(0.01)
        delays.append(time.monotonic() - before - 0.01)


def count_lag(accepted_times, samples):
    """For each poll, seconds the oldest accepted-but-unpublished signature had waited."""
    accepted = sorted(accepted_times)
    lags = []
    for at, total in samples:
        if total < len(accepted) and accepted[total] <= at:
            lags.append(at - accepted[total])
        else:
            lags.append(0.0)
    return lags


async def main(config):
    rng = random.Random(config.get("seed", 2015))
    signings = Signings(config, rng)
    pollers = Pollers(config)
    delays: list[float] = []
    stop_ticker = asyncio.Event()
    ticker = asyncio.create_task(loop_delay(delays, stop_ticker))
    polling = [asyncio.create_task(pollers.poller(n)) for n in range(config["pollers"])]

    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    wall_start, start = time.time(), time.monotonic()
    deadline = start + config["seconds"]
    scheduled = opened = None
    if config.get("rate"):
        scheduled, opened = await open_loop(signings, config, start, deadline)
    else:
        await closed_loop(signings, config, deadline)
    load_seconds = time.monotonic() - start
    usage_after = resource.getrusage(resource.RUSAGE_SELF)
    wall_end = time.time()

    drained_after = None
    drain_deadline = time.monotonic() + config["drain_timeout"]
    while config["drain_timeout"] and time.monotonic() < drain_deadline:
        if pollers.published() >= len(signings.accepted):
            drained_after = time.time() - wall_end
            break
        await asyncio.sleep(0.05)
    pollers.stopping.set()
    stop_ticker.set()
    await asyncio.gather(*polling, ticker)

    cpu = (usage_after.ru_utime - usage_before.ru_utime) + (
        usage_after.ru_stime - usage_before.ru_stime
    )
    lags = count_lag(signings.accepted.values(), pollers.samples)
    ms = 1000
    return {
        "wall_start": wall_start,
        "wall_end": wall_end,
        "load_seconds": load_seconds,
        "mode": "open-loop" if config.get("rate") else "closed-loop",
        "scheduled": scheduled,
        "connections_opened": opened,
        "sign": {
            "requests": sum(signings.statuses.values()),
            "statuses": {str(k): v for k, v in signings.statuses.items()},
            "accepted": len(signings.accepted),
            "first_time_sent": signings.numbered,
            "repeats_sent": signings.repeats_sent,
            "p50_ms": percentile(signings.latencies, 0.50) * ms if signings.latencies else None,
            "p90_ms": percentile(signings.latencies, 0.90) * ms if signings.latencies else None,
            "p99_ms": percentile(signings.latencies, 0.99) * ms if signings.latencies else None,
            "max_ms": max(signings.latencies) * ms if signings.latencies else None,
            "error_samples": signings.error_samples,
        },
        "poll": {
            "requests": sum(pollers.statuses.values()),
            "statuses": {str(k): v for k, v in pollers.statuses.items()},
            "p50_ms": percentile(pollers.latencies, 0.50) * ms if pollers.latencies else None,
            "p99_ms": percentile(pollers.latencies, 0.99) * ms if pollers.latencies else None,
            "published_at_end": pollers.published(),
        },
        "lag": {
            "max_s": max(lags, default=None),
            "p99_s": percentile(lags, 0.99),
            "samples": len(lags),
            "caught_up_after_s": drained_after,
        },
        "client": {
            "cpu_seconds": cpu,
            "cpu_share_of_one_core": cpu / load_seconds,
            "loop_delay_p99_ms": (percentile(delays, 0.99) or 0) * ms,
            "loop_delay_max_ms": max(delays, default=0) * ms,
        },
        "accepted_emails": sorted(signings.accepted),
    }


if __name__ == "__main__":
    config_path, out_path = sys.argv[1], sys.argv[2]
    with open(config_path) as file:
        settings = json.load(file)
    result = asyncio.run(main(settings))
    with open(out_path, "w") as file:
        json.dump(result, file)
