"""A warm AWS CLI v1 for the tests: `python aws-cli-server.py SOCKET`, run by the CLI's own Python.

Every `aws` command starts Python and imports the CLI and botocore, about 0.45 s of CPU before it does
anything; the bootstrap tests run well over a hundred of them. This server imports the CLI once, then for
each `aws` command a client sends it (argv, environment, working directory and the client's stdin, stdout
and stderr) it forks a child that takes the client's place, runs the CLI's own entry point exactly as the
`aws` script does, and sends back its exit status. Start it with the environment its callers have: the CLI
reads a few settings as it is imported (the credential cache under HOME); each child then takes the caller's
own environment. The server stops when its stdin closes (its parent ended) or on SIGTERM. Prints "ready"
once it listens.
"""

import importlib
import json
import os
import selectors
import signal
import socket
import sys
import traceback

# Not this file's folder on the path, but, in each command, the `aws` script's (as when it runs itself).
del sys.path[0]

import awscli  # noqa: E402
import awscli.clidriver  # noqa: E402
import awscli.handlers  # noqa: E402,F401  (what the driver loads as its plugins: imported once, here)


def reap(*_):
    """Waits for every child that ended (their CPU time counts as the server's children's)."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0] != 0:
            pass
    except ChildProcessError:
        pass


def receive(conn):
    """The request (length-prefixed JSON) and the client's three descriptors."""
    head, fds, _, _ = socket.recv_fds(conn, 65536, 3)
    size = int.from_bytes(head[:4], "big")
    data = head[4:]
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise EOFError("the client closed the connection mid-request")
        data += chunk
    return json.loads(data), fds


def run_cli(argv):
    """What the `aws` script does: sys.exit(awscli.clidriver.main()), as an exit status."""
    sys.argv = argv
    sys.path.insert(0, os.path.dirname(argv[0]))
    if os.environ.get("LC_CTYPE", "") == "UTF-8":
        os.environ["LC_CTYPE"] = "en_US.UTF-8"
    try:
        sys.exit(awscli.clidriver.main())
    except SystemExit as exit:
        if exit.code is None:
            return 0
        if isinstance(exit.code, int):
            return exit.code
        print(exit.code, file=sys.stderr)
        return 1
    except BaseException:  # as Python does with an uncaught exception
        traceback.print_exc()
        return 1


def child(conn, request, fds):
    """In the forked child: becomes the client's command, then exits with its status."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    importlib.reload(awscli)  # what importing the CLI does to the environment (AWS_DATA_PATH), from the caller's
    status = run_cli(request["argv"]) & 0xFF
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    try:
        conn.sendall(bytes([status]))
    finally:
        os._exit(status)


def main():
    if not hasattr(socket, "send_fds"):
        sys.exit("the warm aws CLI needs Python 3.9 or later (socket.send_fds)")
    signal.signal(signal.SIGCHLD, reap)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sys.argv[1])
    server.listen(64)
    events = selectors.DefaultSelector()
    events.register(server, selectors.EVENT_READ)
    events.register(sys.stdin, selectors.EVENT_READ)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    try:
        while True:
            for key, _ in events.select():
                if key.fileobj is sys.stdin:
                    if os.read(sys.stdin.fileno(), 1024) == b"":
                        return
                    continue
                conn, _ = server.accept()
                try:
                    request, fds = receive(conn)
                except Exception:
                    traceback.print_exc()
                    conn.close()
                    continue
                if os.fork() == 0:
                    try:
                        server.close()
                        child(conn, request, fds)
                    except BaseException:
                        traceback.print_exc()
                    finally:
                        os._exit(1)
                for fd in fds:
                    os.close(fd)
                conn.close()
    finally:
        server.close()
        reap()


if __name__ == "__main__":
    main()
