"""Outbound downloads that cannot be turned against the bot's own network.

``sync epoch`` (and ``sync arena``) fetch a CSV from a URL a deployment
configures. A URL, or a redirect from it, could point at the machine itself
(127.0.0.1), the private network (10.x, 192.168.x), the cloud metadata
service (169.254.169.254) or a multicast group; a slow server could hold a
worker thread for ever. :func:`fetch` closes those doors:

* ``https`` only (``allow_http`` for tests and closed networks); ``ftp://``,
  ``file://`` and the rest are refused;
* the host name is resolved once, **every** address it resolves to must be a
  public unicast address, and the connection goes to that vetted address (no
  second lookup a DNS rebinding could change);
* redirects are followed by hand, at most ``max_redirects``, and each one is
  checked again as above;
* one **total** deadline for the whole download (DNS, connect, TLS, headers,
  body and redirects): a watchdog shuts the socket down when it passes, so a
  server that drips one byte at a time is cut, not merely a quiet one;
* a size cap, checked against ``Content-Length`` first and then while reading;
* the body is never part of an error message.

Only the standard library is used (``socket``, ``ssl``, ``http.client``,
``ipaddress``): the checks need the socket in hand (connect to the vetted
address, shut it down at the deadline), which urllib and requests hide.

Tests allow 127.0.0.1 with the explicit ``allow_loopback_for_tests`` flag and
inject ``resolver`` and ``connect``, so a refusal is tested without ever
opening a connection to the refused address.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable
from urllib.parse import urljoin, urlsplit

DEFAULT_MAX_BYTES = 25 * 2**20
DEFAULT_DEADLINE = 20.0
DEFAULT_MAX_REDIRECTS = 5
USER_AGENT = "ai-race-bot (+https://github.com/)"
REDIRECTS = (301, 302, 303, 307, 308)

# resolver(host, port) -> the addresses (as text) the host name stands for
Resolver = Callable[[str, int], Iterable[str]]
# connect((address, port), timeout) -> a connected socket
Connector = Callable[[tuple[str, int], float], socket.socket]


class FetchError(Exception):
    """A download was refused or failed. ``kind`` says why, for code and tests:
    ``scheme``, ``url``, ``address``, ``resolve``, ``redirect``, ``deadline``,
    ``too_big``, ``status``, ``network``. The message is for people and never
    holds any of the response body."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class FetchPolicy:
    deadline: float = DEFAULT_DEADLINE
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    allow_http: bool = False
    allow_loopback_for_tests: bool = False

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> "FetchPolicy":
        """The policy from a :class:`bot.config.Settings` (or anything with
        the same attributes); missing attributes keep the safe defaults."""
        base: dict[str, Any] = dict(
            deadline=float(getattr(settings, "sync_timeout", None) or DEFAULT_DEADLINE),
            max_bytes=int(getattr(settings, "sync_max_bytes", None) or DEFAULT_MAX_BYTES),
            max_redirects=int(getattr(settings, "sync_max_redirects", None) or DEFAULT_MAX_REDIRECTS),
            allow_http=bool(getattr(settings, "fetch_allow_http", False)),
            allow_loopback_for_tests=bool(getattr(settings, "allow_loopback_for_tests", False)),
        )
        base.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**base)


# --------------------------------------------------------------------------- addresses
def address_refusal(address: str, *, allow_loopback: bool = False) -> str | None:
    """Why the bot must not connect to ``address`` (None: it may).

    Anything but a public unicast address is refused: private, loopback,
    link-local (the cloud metadata service), multicast, reserved, unspecified,
    shared (100.64/10), documentation ranges, and IPv4 hidden in IPv6
    (``::ffff:127.0.0.1``, 6to4, Teredo) judged by the IPv4 inside."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if inner is not None:
            return address_refusal(str(inner), allow_loopback=allow_loopback)
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "not a public address"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def system_connect(address: tuple[str, int], timeout: float) -> socket.socket:
    return socket.create_connection(address, timeout=timeout)


class _Deadline:
    """The one clock of a download, and the watchdog that enforces it."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            self._expire()
            raise self.error()
        return left

    def error(self) -> FetchError:
        return FetchError("deadline", f"the download took longer than {self.seconds:g} s and was stopped")

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired.is_set():
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired.set()
            for s in self._sockets:
                _shut(s)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def _resolve(resolver: Resolver, host: str, port: int, clock: _Deadline) -> list[str]:
    """The resolver in a helper thread, so a hung DNS lookup obeys the deadline too."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["addrs"] = list(resolver(host, port))
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller
            box["exc"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="racebot-resolve", daemon=True).start()
    if not done.wait(clock.left()):
        raise clock.error()
    if "exc" in box:
        raise FetchError("resolve", f"the host name {host!r} could not be resolved") from None
    if not box["addrs"]:
        raise FetchError("resolve", f"the host name {host!r} has no address")
    return box["addrs"]


class _VettedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to an address chosen beforehand (not looked up again)."""

    def __init__(self, host: str, port: int, address: str, *, tls: bool, clock: _Deadline,
                 connect: Connector):
        super().__init__(host, port, timeout=clock.left())
        self._address = address
        self._tls = tls
        self._clock = clock
        self._connect_fn = connect

    def connect(self) -> None:
        sock = self._connect_fn((self._address, self.port), self._clock.left())
        self._clock.watch(sock)
        if self._tls:
            ctx = ssl.create_default_context()
            sock.settimeout(self._clock.left())
            sock = ctx.wrap_socket(sock, server_hostname=self.host)
            self._clock.watch(sock)
        sock.settimeout(self._clock.left())
        self.sock = self.vetted_sock = sock  # http.client drops self.sock after the headers


def _checked_url(url: str, policy: FetchPolicy) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a URL the policy allows, or FetchError."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError("url", "the URL is malformed") from None
    scheme = (parts.scheme or "").lower()
    allowed = ("https", "http") if policy.allow_http else ("https",)
    if scheme not in allowed:
        shown = scheme or "no scheme"
        raise FetchError("scheme", f"only {' and '.join(allowed)} URLs are fetched, not {shown}")
    host = parts.hostname
    if not host:
        raise FetchError("url", "the URL has no host")
    if parts.username or parts.password:
        raise FetchError("url", "URLs with a user name or password are not fetched")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port or (443 if scheme == "https" else 80), path


def fetch(url: str, *, settings: Any = None, deadline: float | None = None, max_bytes: int | None = None,
          max_redirects: int | None = None, allow_http: bool | None = None,
          allow_loopback_for_tests: bool | None = None, resolver: Resolver | None = None,
          connect: Connector | None = None) -> bytes:
    """The body of ``url`` (status 200), under the rules in this module's
    docstring. Settings come from ``settings`` (``sync_timeout``,
    ``sync_max_bytes``, ``fetch_allow_http``, ``allow_loopback_for_tests``);
    keyword arguments override them. Raises :class:`FetchError`."""
    policy = FetchPolicy.from_settings(settings, deadline=deadline, max_bytes=max_bytes,
                                       max_redirects=max_redirects, allow_http=allow_http,
                                       allow_loopback_for_tests=allow_loopback_for_tests)
    resolver = resolver or system_resolver
    connect = connect or system_connect
    clock = _Deadline(policy.deadline)
    try:
        current = url
        for hop in range(policy.max_redirects + 1):
            status, location, body = _one_request(current, policy, clock, resolver, connect, hop)
            if status in REDIRECTS:
                if not location:
                    raise FetchError("redirect", f"the server answered {status} without a Location")
                current = urljoin(current, location)
                continue
            return body  # type: ignore[return-value]
        raise FetchError("redirect", f"more than {policy.max_redirects} redirects")
    except FetchError:
        raise
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        if clock.expired.is_set():
            raise clock.error() from None
        raise FetchError("network", f"the download failed ({type(exc).__name__})") from None
    finally:
        clock.cancel()


def _one_request(url: str, policy: FetchPolicy, clock: _Deadline, resolver: Resolver, connect: Connector,
                 hop: int) -> tuple[int, str | None, bytes | None]:
    scheme, host, port, path = _checked_url(url, policy)
    what = "a redirect pointed to" if hop else "the URL names"
    literal = None
    try:
        literal = str(ipaddress.ip_address(host))
    except ValueError:
        pass
    addresses = [literal] if literal else _resolve(resolver, host, port, clock)
    for a in addresses:  # every address must pass: a mixed answer is a rebinding trick
        why = address_refusal(a, allow_loopback=policy.allow_loopback_for_tests)
        if why:
            raise FetchError("address", f"{what} {why}; refused")
    conn = None
    last: Exception | None = None
    for address in addresses:
        conn = _VettedConnection(host, port, address, tls=scheme == "https", clock=clock, connect=connect)
        try:
            conn.connect()
            break
        except (OSError, ssl.SSLError) as exc:
            conn.close()
            conn, last = None, exc
            if clock.expired.is_set():
                raise clock.error() from None
    if conn is None:
        raise FetchError("network", f"the download failed: could not connect to {host} ({type(last).__name__})")
    resp = None
    try:
        conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity",
                                           "Connection": "close"})
        resp = conn.getresponse()
        if resp.status in REDIRECTS:
            return resp.status, resp.getheader("Location"), None
        if resp.status != 200:
            raise FetchError("status", f"the server answered {resp.status}")
        declared = resp.getheader("Content-Length")
        if declared and declared.strip().isdigit() and int(declared) > policy.max_bytes:
            raise FetchError("too_big", f"the file is {int(declared) / 1e6:.1f} MB, over the "
                                        f"{policy.max_bytes / 1e6:.1f} MB limit")
        chunks: list[bytes] = []
        size = 0
        while True:
            conn.vetted_sock.settimeout(clock.left())
            chunk = resp.read1(65536)  # at most one socket read: the deadline is checked between them
            if not chunk:
                break
            size += len(chunk)
            if size > policy.max_bytes:
                raise FetchError("too_big", f"the file is over the {policy.max_bytes / 1e6:.1f} MB limit")
            chunks.append(chunk)
        clock.left()
        return 200, None, b"".join(chunks)
    except (OSError, http.client.HTTPException) as exc:
        if clock.expired.is_set() or isinstance(exc, (socket.timeout, TimeoutError)):
            raise clock.error() from None
        raise
    finally:
        if resp is not None:
            resp.close()  # the response holds the socket's file: close it, or the fd outlives the error
        conn.close()
        _shut(conn.vetted_sock)
