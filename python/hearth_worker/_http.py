"""A minimal keep-alive HTTP/1.1 client: one connection per (thread, host), one send per request.

The worker's hot path is take -> run -> post result. With a persistent connection per thread that is two small
requests on an already-open socket; this client writes each request with a single ``sendall`` and parses only the
response headers it needs (http.client's email-based header parser costs more than the rest of the round trip).
"""

import socket
import threading
from urllib.parse import urlsplit

__all__ = ["Target", "Client", "Abort", "Aborted", "BadResponse", "split_url", "NETWORK_ERRORS"]

MAX_LINE = 65536
MAX_HEADERS = 200


class BadResponse(OSError):
    """The server closed the connection early or answered something that is not HTTP/1.x."""


class Aborted(Exception):
    """The request was aborted on purpose (shutdown), not by a network failure."""


# What a broken connection, a refused connect, a timeout or a garbled response raise.
NETWORK_ERRORS = (OSError,)


class Target:
    """Where requests go: scheme, host and port, parsed once."""

    __slots__ = ("https", "host", "port", "key", "host_header")

    def __init__(self, https, host, port):
        self.https = https
        self.host = host
        self.port = port
        self.key = (https, host, port)
        default = 443 if https else 80
        name = "[%s]" % host if ":" in host else host
        self.host_header = name if port == default else "%s:%d" % (name, port)


def split_url(url):
    """``http://h:p/a/b?q`` -> (Target, ``/a/b?q``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) URL: %r" % (url,))
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(https, parts.hostname, port), path


class Abort:
    """Lets another thread (or a signal handler) cut a long-poll short by shutting its socket down."""

    __slots__ = ("aborted", "sock")

    def __init__(self):
        self.aborted = False
        self.sock = None

    def abort(self):
        self.aborted = True
        sock = self.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


_TLS = []


def _tls_context():
    """One TLS context per process; ``HEARTH_CA_FILE`` names a PEM file of CAs to trust instead of the system's."""
    if not _TLS:
        import os
        import ssl
        _TLS.append(ssl.create_default_context(cafile=os.environ.get("HEARTH_CA_FILE") or None))
    return _TLS[0]


class _Conn:
    __slots__ = ("sock", "rfile")

    def __init__(self, target, timeout):
        sock = socket.create_connection((target.host, target.port), timeout=timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if target.https:
                sock = _tls_context().wrap_socket(sock, server_hostname=target.host)
        except BaseException:
            sock.close()
            raise
        self.sock = sock
        self.rfile = sock.makefile("rb")

    def close(self):
        try:
            self.rfile.close()
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass


def _read_response(rfile, method):
    """Read one response; return (status, body, keep_alive)."""
    while True:
        line = rfile.readline(MAX_LINE + 1)
        if not line:
            raise BadResponse("the server closed the connection without answering")
        parts = line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise BadResponse("not an HTTP/1.x status line: %r" % (line[:100],))
        try:
            status = int(parts[1])
        except ValueError:
            raise BadResponse("bad status line: %r" % (line[:100],)) from None
        keep_alive = parts[0] != b"HTTP/1.0"
        length = None
        chunked = False
        for _ in range(MAX_HEADERS + 1):
            h = rfile.readline(MAX_LINE + 1)
            if h in (b"\r\n", b"\n"):
                break
            if not h:
                raise BadResponse("the server closed the connection in the headers")
            name, sep, value = h.partition(b":")
            if not sep:
                continue
            name = name.strip().lower()
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    raise BadResponse("bad Content-Length: %r" % (value,)) from None
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                v = value.strip().lower()
                if v == b"close":
                    keep_alive = False
                elif v == b"keep-alive":
                    keep_alive = True
        else:
            raise BadResponse("too many response headers")
        if 100 <= status < 200:
            continue  # 100 Continue and friends: the real answer follows
        break
    if method == "HEAD" or status in (204, 304):
        return status, b"", keep_alive
    if chunked:
        body = []
        while True:
            size_line = rfile.readline(MAX_LINE + 1)
            try:
                size = int(size_line.split(b";", 1)[0], 16)
            except ValueError:
                raise BadResponse("bad chunk size line: %r" % (size_line[:100],)) from None
            if size == 0:
                while True:  # trailers
                    t = rfile.readline(MAX_LINE + 1)
                    if t in (b"\r\n", b"\n", b""):
                        break
                return status, b"".join(body), keep_alive
            data = rfile.read(size)
            if len(data) < size:
                raise BadResponse("the server closed the connection in a chunk")
            body.append(data)
            rfile.readline(MAX_LINE + 1)
    if length is not None:
        data = rfile.read(length) if length else b""
        if len(data) < length:
            raise BadResponse("the server closed the connection in the body")
        return status, data, keep_alive
    return status, rfile.read(), False  # body until the server closes


class Client:
    """Thread-safe: every thread gets its own connections, reused across requests (keep-alive)."""

    def __init__(self, headers):
        self._headers = "".join("%s: %s\r\n" % (k, v) for k, v in headers.items())
        self._local = threading.local()

    def close(self):
        """Close this thread's connections."""
        conns = getattr(self._local, "conns", None)
        if conns:
            for conn in conns.values():
                conn.close()
            conns.clear()

    def request(self, method, target, path, body=None, headers=None, timeout=60.0, abort=None):
        """Send one request; return (status, body bytes).

        A request that fails on a reused keep-alive connection before any answer (the server closed it while idle)
        is sent once more on a fresh connection. Raises OSError when the server cannot be reached, or Aborted.
        """
        try:
            conns = self._local.conns
        except AttributeError:
            conns = self._local.conns = {}
        head = "%s %s HTTP/1.1\r\nHost: %s\r\n%s" % (method, path, target.host_header, self._headers)
        if headers:
            head += "".join("%s: %s\r\n" % (k, v) for k, v in headers.items())
        if body is not None:
            head += "Content-Length: %d\r\n" % len(body)
        data = (head + "\r\n").encode("latin-1")
        if body and len(body) <= 65536:
            data += body  # one send: no extra syscall, no Nagle/delayed-ACK interplay
            body = None
        key = target.key
        for attempt in (0, 1):
            conn = conns.get(key)
            fresh = conn is None
            if fresh:
                if abort is not None and abort.aborted:
                    raise Aborted()
                conn = conns[key] = _Conn(target, timeout)
            else:
                conn.sock.settimeout(timeout)
            if abort is not None:
                abort.sock = conn.sock
                if abort.aborted:
                    abort.sock = None
                    raise Aborted()
            answered = False
            try:
                conn.sock.sendall(data)
                if body:
                    conn.sock.sendall(body)  # large bodies go as they are, not copied
                status, payload, keep_alive = _read_response(conn.rfile, method)
                answered = True
                if not keep_alive:
                    conn.close()
                    conns.pop(key, None)
                return status, payload
            except OSError as err:
                conn.close()
                conns.pop(key, None)
                if abort is not None and abort.aborted:
                    raise Aborted() from None
                if fresh or attempt == 1 or answered or isinstance(err, TimeoutError):
                    raise
                # A stale keep-alive connection: once more on a new one (never after a timeout: the server is
                # slow, not gone).
            finally:
                if abort is not None:
                    abort.sock = None
        raise AssertionError("unreachable")
