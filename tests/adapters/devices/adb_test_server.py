#!/usr/bin/env python3
"""A stand-in for the adb server and one device, for testing the adb transport.

It speaks the adb *host* protocol (what the `adb` client speaks to its
server, on ANDROID_ADB_SERVER_PORT), written from AOSP's protocol notes
(packages/modules/adb: OVERVIEW.TXT, SERVICES.TXT, SYNC.TXT), and plays one
emulated device whose shell is this machine's /bin/sh and whose files are
this machine's files. So the real adb client can push, run and pull with no
phone attached. Python 3 standard library only; nothing in the product uses
it.

What it answers:
  host:version, host:kill, host:devices, host:devices-l, host:features,
  host:host-features, host[-serial:S]:get-state / get-serialno / features,
  host:transport:S, host:transport-any (-usb, -local),
  host:tport:serial:S, host:tport:any (-usb, -local);
  then, on a selected transport: shell:CMD (raw: stdout and stderr merged,
  as adbd does without the shell protocol), shell,v2,...:CMD (the shell
  protocol: stdin, stdout, stderr, exit, close-stdin packets), exec:CMD and
  sync: (STAT, STA2, LST2, LIST, SEND, RECV, QUIT).

Options: --port (0: a free one), --port-file (written once listening),
--serial, --state device|offline|unauthorized, --disk-bytes N (the device
holds at most N bytes pushed in all; a SEND beyond that fails with "No space
left on device"), --no-shell-v2 (the device lacks the shell protocol, as
Android 6 and older do), --log FILE (every request, one a line).
"""

import argparse
import os
import signal
import socket
import stat
import struct
import subprocess
import sys
import threading

VERSION = 0x29  # what Debian 12's adb 29 client wants (ADB_SERVER_VERSION 41)
SYNC_DATA_MAX = 64 * 1024
SHELL_STDIN, SHELL_STDOUT, SHELL_STDERR, SHELL_EXIT, SHELL_CLOSE_STDIN, SHELL_WINSIZE = range(6)


class Device:
    def __init__(self, args):
        self.serial = args.serial
        self.state = args.state
        self.shell_v2 = not args.no_shell_v2
        self.disk_bytes = args.disk_bytes
        self.stored = 0
        self.lock = threading.Lock()
        self.log_file = args.log
        self.server = None

    def features(self):
        # Only what this server implements. fixed_push_mkdir: SEND makes
        # the parent folders itself, so the client does not shell out to
        # mkdir first.
        f = ["stat_v2", "fixed_push_mkdir"]
        if self.shell_v2:
            f.insert(0, "shell_v2")
        return ",".join(f)

    def log(self, line):
        if self.log_file:
            with self.lock, open(self.log_file, "a") as f:
                f.write(line + "\n")

    def select_error(self, serial):
        """None when `serial` (None: any) names our device in a usable state."""
        if serial is not None and serial != self.serial:
            return "device '%s' not found" % serial
        if self.state == "offline":
            return "device offline"
        if self.state == "unauthorized":
            return ("device unauthorized.\nThis adb server's $ADB_VENDOR_KEYS is not set\n"
                    "Try 'adb kill-server' if that seems wrong.\n"
                    "Otherwise check for a confirmation dialog on your device.")
        return None


# ---- socket helpers ---------------------------------------------------------

def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError()
        buf += chunk
    return buf


def send_okay(sock, payload=None):
    msg = b"OKAY"
    if payload is not None:
        data = payload.encode()
        msg += b"%04x" % len(data) + data
    sock.sendall(msg)


def send_fail(sock, message):
    data = message.encode()
    sock.sendall(b"FAIL" + b"%04x" % len(data) + data)


def read_request(sock):
    length = int(recv_exact(sock, 4), 16)
    return recv_exact(sock, length).decode("utf-8", "replace")


# ---- host services ----------------------------------------------------------

def handle_connection(dev, sock):
    # One request a connection: the server answers a host request and
    # closes (the client waits for that orderly shutdown); a transport
    # selection turns the connection into a stream to the device.
    try:
        req = read_request(sock)
        dev.log(req)
        handle_host(dev, sock, req)
    except (EOFError, ConnectionError, ValueError):
        pass
    finally:
        try:
            # shutdown first: a thread may still be blocked reading it,
            # and close() alone would not end the connection then.
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            sock.close()
        except OSError:
            pass


def split_host(req):
    """'host:X' -> (None, X); 'host-serial:S:X' -> (S, X); else None."""
    if req.startswith("host:"):
        return None, req[5:]
    if req.startswith("host-serial:"):
        serial, _, cmd = req[len("host-serial:"):].rpartition(":")
        return serial, cmd
    if req.startswith(("host-usb:", "host-local:")):
        return None, req.split(":", 1)[1]
    return None


def handle_host(dev, sock, req):
    """Answers one request."""
    parts = split_host(req)
    if parts is None:
        send_fail(sock, "unknown host service '%s'" % req)
        return
    serial, cmd = parts
    if cmd == "version":
        send_okay(sock, "%04x" % VERSION)
        return
    if cmd == "kill":
        send_okay(sock)
        dev.log("killed")
        threading.Thread(target=dev.server.shutdown_now, daemon=True).start()
        return
    if cmd in ("devices", "devices-l"):
        line = "%s\t%s" % (dev.serial, dev.state)
        if cmd == "devices-l":
            line = "%-22s %s product:opscope_test model:adb_test_server device:test transport_id:1" % (
                dev.serial, dev.state)
        send_okay(sock, line + "\n")
        return
    if cmd == "host-features":
        send_okay(sock, "shell_v2,cmd,stat_v2,fixed_push_mkdir")
        return
    if cmd == "get-state":
        # As the real server: any state is reported, but the device must exist.
        if serial is not None and serial != dev.serial:
            send_fail(sock, "device '%s' not found" % serial)
        else:
            send_okay(sock, dev.state)
        return
    if cmd in ("features", "get-serialno"):
        err = dev.select_error(serial)
        if err:
            send_fail(sock, err)
        else:
            send_okay(sock, dev.features() if cmd == "features" else dev.serial)
        return
    # Transport selection: afterwards the connection talks to the device.
    target, tport = None, False
    if cmd.startswith("transport:"):
        target = cmd[len("transport:"):]
    elif cmd in ("transport-any", "transport-usb", "transport-local"):
        target = None
    elif cmd.startswith("tport:serial:"):
        target, tport = cmd[len("tport:serial:"):], True
    elif cmd in ("tport:any", "tport:usb", "tport:local"):
        tport = True
    else:
        send_fail(sock, "unknown host service '%s'" % req)
        return
    err = dev.select_error(target)
    if err:
        send_fail(sock, err)
        return
    sock.sendall(b"OKAY" + (struct.pack("<Q", 1) if tport else b""))
    service = read_request(sock)
    dev.log(service)
    handle_device(dev, sock, service)
    return


# ---- device services --------------------------------------------------------

def shell_env():
    env = dict(os.environ)
    # adbd gives its shells TMPDIR=/data/local/tmp; ours is this machine's.
    env.setdefault("TMPDIR", "/tmp")
    env.pop("ANDROID_ADB_SERVER_PORT", None)
    return env


def handle_device(dev, sock, service):
    if service.startswith("shell,v2") or service.startswith("shell,"):
        opts, _, cmd = service.partition(":")
        if "v2" in opts.split(",")[1:]:
            if not dev.shell_v2:
                send_fail(sock, "device does not support the shell protocol")
                return
            send_okay(sock)
            shell_v2(sock, cmd)
            return
        send_okay(sock)
        shell_raw(sock, cmd)
        return
    if service.startswith("shell:"):
        send_okay(sock)
        shell_raw(sock, service[len("shell:"):])
        return
    if service.startswith("exec:"):
        send_okay(sock)
        shell_raw(sock, service[len("exec:"):], merge_stderr=False)
        return
    if service == "sync:":
        send_okay(sock)
        sync(dev, sock)
        return
    send_fail(sock, "unknown service '%s'" % service)


def spawn(cmd, stderr):
    argv = ["/bin/sh", "-c", cmd] if cmd else ["/bin/sh"]
    return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                            start_new_session=True, env=shell_env(), bufsize=0)


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def exit_code(proc):
    rc = proc.wait()
    return 128 - rc if rc < 0 else rc  # adbd reports a signal as 128+N


def shell_raw(sock, cmd, merge_stderr=True):
    """The old shell service: one byte stream each way, no exit status."""
    proc = spawn(cmd, subprocess.STDOUT if merge_stderr else subprocess.DEVNULL)

    def pump_in():
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                proc.stdin.write(data)
        except (OSError, BrokenPipeError):
            pass
        # The client went away (old clients never half-close): end the command.
        if proc.poll() is None:
            kill_group(proc)

    threading.Thread(target=pump_in, daemon=True).start()
    try:
        while True:
            data = proc.stdout.read(65536)
            if not data:
                break
            sock.sendall(data)
    except OSError:
        kill_group(proc)
    proc.wait()


def send_packet(sock, lock, kind, data):
    with lock:
        sock.sendall(struct.pack("<BI", kind, len(data)) + data)


def shell_v2(sock, cmd):
    proc = spawn(cmd, subprocess.PIPE)
    lock = threading.Lock()
    done = threading.Event()

    def pump_in():
        try:
            while True:
                kind, length = struct.unpack("<BI", recv_exact(sock, 5))
                data = recv_exact(sock, length) if length else b""
                if kind == SHELL_STDIN:
                    try:
                        proc.stdin.write(data)
                    except (BrokenPipeError, ValueError):
                        pass
                elif kind == SHELL_CLOSE_STDIN:
                    try:
                        proc.stdin.close()
                    except (BrokenPipeError, ValueError):
                        pass
        except (EOFError, OSError):
            # The client is gone (killed, or timed out): so is the command.
            if not done.is_set():
                kill_group(proc)

    def pump_out(stream, kind):
        try:
            while True:
                data = stream.read(65536)
                if not data:
                    break
                send_packet(sock, lock, kind, data)
        except OSError:
            kill_group(proc)

    threading.Thread(target=pump_in, daemon=True).start()
    err_thread = threading.Thread(target=pump_out, args=(proc.stderr, SHELL_STDERR))
    err_thread.start()
    pump_out(proc.stdout, SHELL_STDOUT)
    err_thread.join()
    rc = exit_code(proc)
    done.set()
    try:
        send_packet(sock, lock, SHELL_EXIT, bytes([rc & 0xFF]))
    except OSError:
        pass


# ---- sync ---------------------------------------------------------------------

def sync_reply(sock, ident, data=b""):
    sock.sendall(ident + struct.pack("<I", len(data)) + data)


def u32(x):
    return x & 0xFFFFFFFF


def sync(dev, sock):
    while True:
        try:
            ident, length = struct.unpack("<4sI", recv_exact(sock, 8))
        except EOFError:
            return
        if ident == b"QUIT":
            return
        if length > 1024:
            sync_reply(sock, b"FAIL", b"path too long")
            return
        path = recv_exact(sock, length).decode("utf-8", "surrogateescape")
        dev.log("sync %s %s" % (ident.decode(), path))
        if ident == b"STAT":
            try:
                st = os.stat(path)
                sock.sendall(b"STAT" + struct.pack("<III", u32(st.st_mode), u32(st.st_size),
                                                   u32(int(st.st_mtime))))
            except OSError:
                sock.sendall(b"STAT" + struct.pack("<III", 0, 0, 0))
        elif ident in (b"STA2", b"LST2"):
            try:
                st = os.stat(path) if ident == b"STA2" else os.lstat(path)
                sock.sendall(ident + struct.pack(
                    "<IQQIIIIQqqq", 0, st.st_dev, st.st_ino, st.st_mode, st.st_nlink, st.st_uid,
                    st.st_gid, st.st_size, int(st.st_atime), int(st.st_mtime), int(st.st_ctime)))
            except OSError as e:
                sock.sendall(ident + struct.pack("<IQQIIIIQqqq", e.errno, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        elif ident == b"LIST":
            try:
                names = sorted(os.listdir(path))
            except OSError:
                names = []
            for name in [".", ".."] + names:
                try:
                    st = os.lstat(os.path.join(path, name))
                except OSError:
                    continue
                raw = name.encode("utf-8", "surrogateescape")
                sock.sendall(b"DENT" + struct.pack("<IIII", u32(st.st_mode), u32(st.st_size),
                                                   u32(int(st.st_mtime)), len(raw)) + raw)
            sock.sendall(b"DONE" + struct.pack("<IIII", 0, 0, 0, 0))
        elif ident == b"SEND":
            if not sync_send(dev, sock, path):
                return
        elif ident == b"RECV":
            sync_recv(sock, path)
        else:
            sync_reply(sock, b"FAIL", ("unknown sync request %r" % ident).encode())
            return


def sync_send(dev, sock, spec):
    """SEND "path,mode", DATA chunks, DONE(mtime) -> OKAY or FAIL."""
    path, _, mode_text = spec.rpartition(",")
    try:
        mode = int(mode_text)
    except ValueError:
        path, mode = spec, 0o644
    error = None
    tmp = path + ".opscope-sync-tmp"
    out = None
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        out = open(tmp, "wb")
    except OSError as e:
        error = "%s: %s" % (path, e.strerror)
    received = 0
    while True:
        ident, length = struct.unpack("<4sI", recv_exact(sock, 8))
        if ident == b"DATA":
            if length > SYNC_DATA_MAX:
                sync_reply(sock, b"FAIL", b"oversize DATA")
                return False
            data = recv_exact(sock, length)
            if error:
                continue
            received += len(data)
            with dev.lock:
                full = dev.disk_bytes is not None and dev.stored + received > dev.disk_bytes
            if full:
                error = "No space left on device"  # what adbd passes on from write(2)
                continue
            out.write(data)
        elif ident == b"DONE":
            mtime = length
            break
        else:
            sync_reply(sock, b"FAIL", ("unexpected %r in SEND" % ident).encode())
            return False
    if out:
        out.close()
    if error:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        sync_reply(sock, b"FAIL", error.encode())
        return True
    try:
        os.replace(tmp, path)
        os.chmod(path, stat.S_IMODE(mode) or 0o644)
        os.utime(path, (mtime, mtime))
    except OSError as e:
        sync_reply(sock, b"FAIL", ("%s: %s" % (path, e.strerror)).encode())
        return True
    with dev.lock:
        dev.stored += received
    sync_reply(sock, b"OKAY")
    return True


def sync_recv(sock, path):
    try:
        f = open(path, "rb")
    except OSError as e:
        sync_reply(sock, b"FAIL", e.strerror.encode())
        return
    with f:
        while True:
            data = f.read(SYNC_DATA_MAX)
            if not data:
                break
            sync_reply(sock, b"DATA", data)
    sock.sendall(b"DONE" + struct.pack("<I", 0))


# ---- main ---------------------------------------------------------------------

class Server:
    def __init__(self, dev, port):
        self.dev = dev
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]

    def shutdown_now(self):
        os._exit(0)

    def serve(self):
        while True:
            conn, _ = self.sock.accept()
            threading.Thread(target=handle_connection, args=(self.dev, conn), daemon=True).start()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--serial", default="opscope-test-1")
    p.add_argument("--state", choices=["device", "offline", "unauthorized"], default="device")
    p.add_argument("--disk-bytes", type=int)
    p.add_argument("--no-shell-v2", action="store_true")
    p.add_argument("--log")
    args = p.parse_args()
    dev = Device(args)
    server = Server(dev, args.port)
    dev.server = server
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % server.port)
        os.replace(tmp, args.port_file)
    print(server.port, flush=True)
    server.serve()


if __name__ == "__main__":
    sys.exit(main())
