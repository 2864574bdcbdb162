"""Start a Python child with a channel and listening sockets by descriptor: both ends.

The fork server, a spawned server child and `serve --build-watch`'s server get the same three
things: a channel to their parent, the listening sockets the parent bound once (so the port
never drops and a busy port is one line before anything starts), and a first message on the
channel (what the child needs to start: its settings). `child_argv` builds the command line;
`adopt` is the child's side. Nothing here knows what the first message holds.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from geppetto_dev.procs.channel import Channel, ChannelClosed
from geppetto_dev.procs.groups import set_parent_death_signal

__all__ = ["Adopted", "adopt", "child_argv"]

T = TypeVar("T")


def child_argv(
    module: str,
    channel: socket.socket,
    sockets: Sequence[socket.socket],
    *,
    parent: int | None,
) -> tuple[list[str], list[int]]:
    """`python -m module` with the channel and sockets; also the descriptors it must inherit.

    `parent`: the pid the child checks it is still the child of, once its death signal is armed
    (None when another process stands in between, as the group guard does).
    """
    fds = [s.fileno() for s in sockets]
    argv = [sys.executable, "-m", module, "--channel", str(channel.fileno())]
    argv += ["--sockets", ",".join(map(str, fds))]
    if parent is not None:
        argv += ["--parent", str(parent)]
    return argv, [channel.fileno(), *fds]


@dataclass
class Adopted(Generic[T]):
    channel: Channel
    sockets: list[socket.socket]
    start: T  # the first message


def adopt(prog: str, start: type[T], argv: Sequence[str] | None = None) -> Adopted[T]:
    """The child's side: die with the parent, take the channel and sockets, read the first
    message, which must be a `start`.

    Exits at once (code 1) when the parent is already gone or sends no such message.
    """
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--channel", type=int, required=True)
    parser.add_argument("--sockets", required=True, help="comma-separated descriptors")
    parser.add_argument("--parent", type=int)
    args = parser.parse_args(argv)
    set_parent_death_signal(signal.SIGKILL)
    if args.parent is not None and os.getppid() != args.parent:
        os._exit(1)  # the parent died before the death signal was armed
    channel = Channel(socket.socket(fileno=args.channel))
    try:
        message, _fds = channel.recv()
    except ChannelClosed:
        os._exit(1)
    if not isinstance(message, start):
        os._exit(1)
    sockets = [socket.socket(fileno=int(fd)) for fd in args.sockets.split(",") if fd]
    return Adopted(channel, sockets, message)
