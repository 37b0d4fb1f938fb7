"""Outbound fetches (issue #13 item 3): https only, no private addresses (after
DNS and after every redirect), a total deadline, a size cap, no body echoed.

Every refusal is tested with an injected resolver and a connect that fails
the test if it is ever called for a refused address: these tests only ever
open connections to the local test server on 127.0.0.1, and only because
``allow_loopback_for_tests`` says so.
"""
from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.store.fetch import FetchError, address_refusal, fetch, system_connect

SECRET = b"INTERNAL-ONLY secret page: do not echo"

NAMES = {  # test host names and what the injected DNS answers for them
    "internal.test": ["10.0.0.1"],
    "metadata.test": ["169.254.169.254"],
    "v6loop.test": ["::1"],
    "mcast.test": ["224.0.0.1"],
    "loop.test": ["127.0.0.1"],
    "mapped.test": ["::ffff:127.0.0.1"],
    "cgnat.test": ["100.64.1.1"],
    "mixed.test": ["93.184.216.34", "192.168.1.10"],  # one public, one private: refused as a whole
    "ula.test": ["fd00::1"],
    "zero.test": ["0.0.0.0"],
}


def resolver(host: str, port: int) -> list[str]:
    try:
        return NAMES[host]
    except KeyError:
        raise socket.gaierror(f"unknown test host {host}") from None


class Guard:
    """connect() for the tests: only 127.0.0.1 (the test server) may be reached."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def __call__(self, address, timeout):
        self.calls.append(address)
        if address[0] != "127.0.0.1":
            pytest.fail(f"connect() called for a refused address {address}")
        return system_connect(address, timeout)


class Server(BaseHTTPRequestHandler):
    closed = threading.Event()  # set when a slow-drip client hung up

    def do_GET(self):  # noqa: N802
        port = self.server.server_address[1]
        routes = {
            "/ok": (200, {}, b"rank,model\n1,x\n"),
            "/secret": (200, {}, SECRET),
            "/not-found": (404, {}, SECRET),
            "/to-private": (302, {"Location": "http://internal.test/admin"}, SECRET),
            "/to-private-literal": (302, {"Location": "http://10.0.0.1/admin"}, SECRET),
            "/to-metadata": (302, {"Location": "http://metadata.test/latest/meta-data/"}, SECRET),
            "/to-ftp": (302, {"Location": "ftp://127.0.0.1/file.csv"}, b""),
            "/to-ok": (302, {"Location": f"http://127.0.0.1:{port}/ok"}, b""),
            "/relative": (301, {"Location": "/ok"}, b""),
            "/loop": (302, {"Location": "/loop"}, b""),
            "/big": (200, {"Content-Length": str(50 * 2**20)}, b""),
        }
        if self.path == "/drip-body":
            return self._drip(headers_first=True)
        if self.path == "/drip-headers":
            return self._drip(headers_first=False)
        if self.path == "/endless":
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(4096):
                    self.wfile.write(b"x" * 4096)
            except OSError:
                pass
            return
        status, headers, body = routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 200 or self.path != "/big":
            self.wfile.write(body)

    def _drip(self, *, headers_first: bool) -> None:
        """One byte every 0.1 s, far longer than any deadline in these tests."""
        try:
            if headers_first:
                self.send_response(200)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.flush()
            else:
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                self.wfile.flush()
            for _ in range(100000):
                self.wfile.write(b"X-Slow: 1\r\n"[:1] if not headers_first else b"a")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            Server.closed.set()

    def log_message(self, *a):
        pass


@pytest.fixture
def server():
    Server.closed = threading.Event()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Server)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def local(url, **kw):
    """fetch() as the tests use it: http and loopback allowed, DNS and connect injected."""
    guard = kw.pop("connect", None) or Guard()
    return fetch(url, allow_http=True, allow_loopback_for_tests=True, resolver=resolver, connect=guard,
                 deadline=kw.pop("deadline", 10), **kw)


def test_fetch_reads_a_file_from_the_local_server(server):
    guard = Guard()
    assert local(server + "/ok", connect=guard) == b"rank,model\n1,x\n"
    assert guard.calls and all(a[0] == "127.0.0.1" for a in guard.calls)


def test_redirects_are_followed_and_checked(server):
    assert local(server + "/to-ok") == b"rank,model\n1,x\n"
    assert local(server + "/relative") == b"rank,model\n1,x\n"
    with pytest.raises(FetchError) as exc:
        local(server + "/loop", max_redirects=3)
    assert exc.value.kind == "redirect"


@pytest.mark.parametrize("path", ["/to-private", "/to-metadata"])
def test_a_redirect_to_a_private_address_is_refused_without_connecting(server, path):
    guard = Guard()
    with pytest.raises(FetchError) as exc:
        local(server + path, connect=guard)
    assert exc.value.kind == "address"
    assert "redirect" in str(exc.value)
    assert SECRET.decode() not in str(exc.value)
    assert {a[0] for a in guard.calls} == {"127.0.0.1"}  # only the test server was ever reached


def test_a_redirect_to_ftp_is_refused(server):
    with pytest.raises(FetchError) as exc:
        local(server + "/to-ftp")
    assert exc.value.kind == "scheme"


@pytest.mark.parametrize("host", sorted(NAMES))
def test_private_and_special_addresses_are_refused_after_dns(host):
    """Nothing is connected: the injected connect fails the test if it is called.
    Loopback is *not* allowed here, so loop.test and mapped.test are refused too."""
    guard = Guard()
    for scheme in ("https", "http"):
        with pytest.raises(FetchError) as exc:
            fetch(f"{scheme}://{host}/data.csv", allow_http=True, resolver=resolver, connect=guard, deadline=5)
        assert exc.value.kind == "address", (host, str(exc.value))
    assert guard.calls == []


@pytest.mark.parametrize("literal", ["127.0.0.1", "[::1]", "10.1.2.3", "169.254.169.254", "[::ffff:10.0.0.1]",
                                     "224.0.0.1", "0.0.0.0"])
def test_literal_private_addresses_are_refused(literal):
    guard = Guard()

    def no_dns(host, port):
        pytest.fail("an IP literal needs no DNS")

    with pytest.raises(FetchError) as exc:
        fetch(f"https://{literal}/x.csv", resolver=no_dns, connect=guard, deadline=5)
    assert exc.value.kind == "address"
    assert guard.calls == []


def test_loopback_needs_the_explicit_test_setting(server):
    guard = Guard()
    with pytest.raises(FetchError) as exc:
        fetch(server + "/ok", allow_http=True, resolver=resolver, connect=guard, deadline=5)
    assert exc.value.kind == "address" and guard.calls == []


@pytest.mark.parametrize("url", ["ftp://loop.test/x.csv", "file:///etc/passwd", "gopher://loop.test/",
                                 "http://loop.test/x.csv", "//loop.test/x.csv", "data:text/plain,hi"])
def test_only_https_by_default(url):
    guard = Guard()
    with pytest.raises(FetchError) as exc:
        fetch(url, resolver=resolver, connect=guard, allow_loopback_for_tests=True, deadline=5)
    assert exc.value.kind == "scheme"
    assert guard.calls == []


def test_public_addresses_pass_the_check():
    for a in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "1.1.1.1"):
        assert address_refusal(a) is None
    for a in ("127.0.0.1", "::1", "10.0.0.1", "172.16.0.1", "192.168.0.1", "169.254.169.254", "fe80::1",
              "224.0.0.1", "ff02::1", "0.0.0.0", "::", "100.64.0.1", "::ffff:192.168.0.1", "2002:7f00:1::1",
              "240.0.0.1", "255.255.255.255", "198.18.0.1", "fd12:3456::1"):
        assert address_refusal(a) is not None, a


def test_status_and_size_errors_never_echo_the_body(server):
    with pytest.raises(FetchError) as exc:
        local(server + "/not-found")
    assert exc.value.kind == "status" and "404" in str(exc.value) and "INTERNAL" not in str(exc.value)
    with pytest.raises(FetchError) as exc:
        local(server + "/big")
    assert exc.value.kind == "too_big"
    with pytest.raises(FetchError) as exc:
        local(server + "/endless", max_bytes=100_000)
    assert exc.value.kind == "too_big"


@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers"])
def test_a_slow_drip_is_cut_by_the_total_deadline(server, path):
    """The server sends a byte every 0.1 s for hours: each read succeeds, so
    only a total deadline stops it. The fetch must fail *because of the
    deadline* and the server must see the connection closed."""
    t0 = time.monotonic()
    with pytest.raises(FetchError) as exc:
        local(server + path, deadline=1.0)
    assert exc.value.kind == "deadline"
    assert Server.closed.wait(30), "the server never saw the connection closed"
    assert time.monotonic() - t0 < 60  # a generous ceiling: the drip alone would last hours


def test_a_hung_dns_lookup_obeys_the_deadline():
    release = threading.Event()

    def slow_dns(host, port):
        release.wait(60)
        return ["93.184.216.34"]

    guard = Guard()
    try:
        with pytest.raises(FetchError) as exc:
            fetch("https://slow.test/x.csv", resolver=slow_dns, connect=guard, deadline=0.5)
        assert exc.value.kind == "deadline" and guard.calls == []
    finally:
        release.set()


class _Settings:
    fetch_allow_http = True
    allow_loopback_for_tests = True
    sync_timeout = 5


def test_sync_epoch_refuses_a_redirect_inside_and_echoes_nothing(fresh_engine, server):
    """The attack from the review: a 302 to an internal page. Literal addresses
    are used so no DNS is asked; the reply names the refusal, never the body."""
    from bot.engine import Caller

    mod = Caller(user_id="1", name="mod", is_moderator=True)
    before = fresh_engine.store.dump()
    for path, kind in (("/to-private-literal", "address"), ("/to-ftp", "scheme"), ("/not-found", "status")):
        s = _Settings()
        s.epoch_csv_url = server + path
        fresh_engine.settings = s
        r = fresh_engine.handle("sync epoch", mod)
        assert r.status == "error" and r.data.get("fetch_error") == kind, (path, r.text)
        assert "INTERNAL" not in r.text and "Nothing was imported" in r.text
    s = _Settings()
    s.epoch_csv_url = "ftp://127.0.0.1/notable.csv"
    fresh_engine.settings = s
    assert fresh_engine.handle("sync epoch", mod).data.get("fetch_error") == "scheme"
    assert fresh_engine.store.dump() == before


def test_settings_fetch_is_https_only_unless_told():
    from bot.config import Settings

    s = Settings.from_env({}, dotenv_path=None)
    assert not s.fetch_allow_http and not s.allow_loopback_for_tests
    with pytest.raises(FetchError) as exc:
        fetch("http://loop.test/x.csv", settings=s, resolver=resolver, connect=Guard())
    assert exc.value.kind == "scheme"
