"""The wire between the supervisor, its fork server and server children (and `serve`'s parent).

Unix stream socket pairs carry length-prefixed pickles of the messages in messages.py (every end
is our own process, started by the supervisor) and, with a message, file descriptors (a new
child's channel). A closed channel
doubles as a lifeline: when the supervisor dies, the kernel closes its ends and the others see
end-of-file.
"""

from __future__ import annotations

import array
import contextlib
import pickle
import socket
import struct
import threading

__all__ = ["Channel", "ChannelClosed"]

_HEADER = struct.Struct("!I")
_MAX_FDS = 8


class ChannelClosed(EOFError):
    """The other end is gone."""


class Channel:
    """One end of a socket pair; send() may be called from any thread."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._send_lock = threading.Lock()

    @classmethod
    def pair(cls) -> tuple[Channel, socket.socket]:
        """Our end as a Channel, and the other end as a raw socket to hand to another process."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        return cls(ours), theirs

    def fileno(self) -> int:
        return self.sock.fileno()

    def send(self, message: object, fds: list[int] | None = None) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        frame = _HEADER.pack(len(data)) + data
        with self._send_lock:
            try:
                if fds:
                    sent = socket.send_fds(self.sock, [frame], fds)
                    if sent < len(frame):
                        self.sock.sendall(frame[sent:])
                else:
                    self.sock.sendall(frame)
            except OSError as exc:  # EPIPE, ECONNRESET, EBADF after close
                raise ChannelClosed(str(exc)) from None

    def recv(self) -> tuple[object, list[int]]:
        """The next message and the descriptors that came with it; ChannelClosed at the end."""
        fds: list[int] = []
        header = b""
        try:
            while len(header) < _HEADER.size:
                data, ancdata, _flags, _addr = self.sock.recvmsg(
                    _HEADER.size - len(header), socket.CMSG_SPACE(_MAX_FDS * 4)
                )
                for level, kind, payload in ancdata:
                    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                        received = array.array("i")
                        received.frombytes(payload[: len(payload) - len(payload) % 4])
                        fds.extend(received)
                if not data:
                    raise ChannelClosed("end of channel")
                header += data
            (size,) = _HEADER.unpack(header)
            body = bytearray()
            while len(body) < size:
                chunk = self.sock.recv(size - len(body))
                if not chunk:
                    raise ChannelClosed("end of channel")
                body += chunk
        except OSError as exc:
            raise ChannelClosed(str(exc)) from None
        return pickle.loads(bytes(body)), fds

    def close(self) -> None:
        # shutdown() first: a thread blocked in recv() on this socket keeps it open past a bare
        # close(), and the other end would never see end-of-file.
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
