"""The keep-alive HTTP client against hand-written server answers (chunked, close, 1xx, stale connections)."""

import socket
import threading
import unittest

from peer import Peer  # noqa: F401 - puts the package on sys.path

from hearth_worker import _http


class RawServer:
    """Answers each request on a connection with the next scripted raw response (bytes), or closes on None."""

    def __init__(self, script):
        self.script = list(script)
        self.requests = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        f = conn.makefile("rb")
        try:
            while True:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = f.readline()
                    if not line:
                        return
                    head += line
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                body = f.read(length) if length else b""
                self.requests.append((head, body))
                answer = self.script.pop(0) if self.script else None
                if answer is None:
                    return
                conn.sendall(answer)
        finally:
            f.close()
            conn.close()

    def close(self):
        self.sock.close()


class TestClient(unittest.TestCase):
    def client_for(self, server):
        target, _ = _http.split_url("http://127.0.0.1:%d/x" % server.port)
        return _http.Client({"Authorization": "k"}), target

    def test_chunked_and_keep_alive(self):
        server = RawServer([
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nX-Trailer: 1\r\n\r\n",
            b"HTTP/1.1 204 No Content\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        ])
        client, target = self.client_for(server)
        self.assertEqual(client.request("POST", target, "/a?b=1", b'{"x":1}', {"X-Request-ID": "j"}),
                         (200, b"abcdefg"))
        self.assertEqual(client.request("GET", target, "/b"), (204, b""))
        self.assertEqual(client.request("GET", target, "/c"), (200, b"ok"))
        self.assertEqual(server.connections, 1)
        self.assertEqual(client.request("GET", target, "/d"), (200, b""))  # reconnects after Connection: close
        self.assertEqual(server.connections, 2)
        head, body = server.requests[0]
        self.assertTrue(head.startswith(b"POST /a?b=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % server.port))
        self.assertIn(b"\r\nAuthorization: k\r\n", head)
        self.assertIn(b"\r\nX-Request-ID: j\r\n", head)
        self.assertIn(b"\r\nContent-Length: 7\r\n", head)
        self.assertEqual(body, b'{"x":1}')
        client.close()
        server.close()

    def test_a_stale_connection_is_retried_once_on_a_fresh_one(self):
        server = RawServer([b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", None,
                            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"])
        client, target = self.client_for(server)
        self.assertEqual(client.request("GET", target, "/1"), (200, b"a"))
        self.assertEqual(client.request("GET", target, "/2"), (200, b"b"))  # first try hit the closed connection
        self.assertEqual(server.connections, 2)
        client.close()
        server.close()

    def test_large_bodies_are_sent_whole(self):
        server = RawServer([b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"])
        client, target = self.client_for(server)
        big = b"x" * 1_000_000
        self.assertEqual(client.request("POST", target, "/big", big)[0], 200)
        self.assertEqual(server.requests[0][1], big)
        client.close()
        server.close()

    def test_refused_connection_raises_os_error(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        target, _ = _http.split_url("http://127.0.0.1:%d/" % port)
        with self.assertRaises(OSError):
            _http.Client({}).request("GET", target, "/", timeout=2)

    def test_abort_cuts_a_long_poll(self):
        silent = socket.socket()  # accepts (backlog) but never answers, like a long-poll
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        target, _ = _http.split_url("http://127.0.0.1:%d/" % silent.getsockname()[1])
        client, abort = _http.Client({}), _http.Abort()
        timer = threading.Timer(0.2, abort.abort)
        timer.start()
        try:
            with self.assertRaises(_http.Aborted):
                client.request("GET", target, "/poll", timeout=5, abort=abort)
        finally:
            timer.cancel()
            client.close()
            silent.close()

if __name__ == "__main__":
    unittest.main()
