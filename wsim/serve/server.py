"""Binding the what-if page's port and running the server (uvicorn).

The socket is bound here, before the server starts, so that a port in use is one clear
message (:class:`ServeError`, exit status 2 on the command line) rather than a server that
fails while starting. Any address other than the loopback one is served only when asked for,
with a warning: the page has no log-in, and whoever reaches it can run simulations.
"""

from __future__ import annotations

import errno
import ipaddress
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from wsim.errors import WsimError
from wsim.serve.app import WhatIf, create_app

#: The address served unless another is asked for.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class ServeError(WsimError, OSError):
    """The server cannot start (the port is in use, the address is not this machine's)."""


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port); :class:`ServeError` when it cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise ServeError(
                f"wsim serve: port {port} on {host} is in use (another server is running "
                "there); choose another with --port"
            ) from None
        raise ServeError(f"wsim serve: cannot listen on {host}:{port}: {error.strerror}") from None
    sock.listen(128)
    return sock


def exposure_warning(host: str) -> str | None:
    """The warning printed when `host` is not a loopback address, else None."""
    if is_loopback(host):
        return None
    return (
        f"wsim serve: warning: serving on {host}, reachable from other machines; the page "
        "has no log-in and anyone who reaches it can run simulations"
    )


@contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """Let SIGTERM end the server like Ctrl-C does, with the worker processes freed.

    uvicorn stops on SIGTERM and then raises the signal again with the handler that was in
    place before it started; the default one would end the process at once, leaving the
    worker processes running. This handler raises :class:`SystemExit` instead, so that the
    ``finally`` of :func:`serve` closes the runner.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(
    whatif: WhatIf,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    quiet: bool = False,
    sock: socket.socket | None = None,
) -> None:
    """Serve the page until interrupted (Ctrl-C), on `sock` if given (see :func:`bind`)."""
    import uvicorn

    sock = sock or bind(host, port)
    bound = sock.getsockname()[1]
    warning = exposure_warning(host)
    if warning:
        print(warning, file=sys.stderr)
    shown = f"[{host}]" if ":" in host else host
    print(
        f"wsim serve: the what-if page of {whatif.file} is at http://{shown}:{bound}/", flush=True
    )
    config = uvicorn.Config(
        create_app(whatif), log_level="warning" if quiet else "info", access_log=not quiet
    )
    server = uvicorn.Server(config)
    try:
        with _terminate_as_exit():
            server.run(sockets=[sock])
    finally:
        whatif.runner.close()
        sock.close()
