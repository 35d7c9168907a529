#!/usr/bin/env python3
"""Walks a mounted filesystem the way a cautious user would look at an image nobody vouches for.

    hostile_walk.py MOUNTPOINT [--op-seconds N] [--max-entries N] [--max-file-bytes N]

Every entry is lstat()ed, every directory listed, every symlink read, every regular file opened
with O_NONBLOCK (so a bad mode that looks like a FIFO cannot block the open) and read up to
--max-file-bytes. The same walk judges the kernel's btrfs (scripts/record-kernel-verdicts) and
jbtrfs (HostileImageWalkTest), so their verdicts are comparable.

Output, one line each, tab separated, paths relative to MOUNTPOINT and escaped (see esc):
    error OP ERRNO PATH     an operation failed (OP: stat, list, open, read, readlink)
    timeout OP PATH         one operation took longer than --op-seconds; the walk stops (exit 3)
    done ENTRIES            the walk finished; ENTRIES counts the entries lstat()ed
A watchdog thread ends the process when one operation overruns: exiting kills a thread blocked in
a FUSE request (that wait is killable), which a SIGALRM handler could not interrupt.
"""
import errno
import os
import stat
import sys
import threading
import time

MAX_DEPTH = 64  # far below Python's recursion limit, far above any test image's depth


def esc(raw: bytes) -> str:
    """Printable ASCII stays, everything else (and the separators \\ | tab) becomes \\xNN."""
    if not raw:
        return "/"
    out = []
    for b in raw:
        if 0x20 <= b < 0x7F and b not in (0x5C, 0x7C):
            out.append(chr(b))
        else:
            out.append("\\x%02x" % b)
    return "".join(out)


class Walk:
    def __init__(self, root: bytes, op_seconds: float, max_entries: int, max_file_bytes: int):
        self.root = root
        self.op_seconds = op_seconds
        self.max_entries = max_entries
        self.max_file_bytes = max_file_bytes
        self.entries = 0
        self.dirs_seen = set()  # (st_dev, st_ino): a directory hard link must not loop the walk
        self.current = None  # (op, relative path, start time) of the operation in progress
        self.lock = threading.Lock()

    def emit(self, *fields: str) -> None:
        with self.lock:
            sys.stdout.write("\t".join(fields) + "\n")
            sys.stdout.flush()

    def watchdog(self) -> None:
        while True:
            time.sleep(0.2)
            cur = self.current
            if cur is not None and time.monotonic() - cur[2] > self.op_seconds:
                self.emit("timeout", cur[0], esc(cur[1]))
                os._exit(3)

    def op(self, name: str, rel: bytes, fn):
        """Runs fn() as one timed operation; returns its result, or None after logging an error."""
        self.current = (name, rel, time.monotonic())
        try:
            return fn()
        except OSError as e:
            self.emit("error", name, errno.errorcode.get(e.errno, str(e.errno)), esc(rel))
            return None
        finally:
            self.current = None

    def path(self, rel: bytes) -> bytes:
        return self.root + rel if rel else self.root

    def read_file(self, rel: bytes) -> None:
        p = self.path(rel)
        fd = self.op("open", rel, lambda: os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW))
        if fd is None:
            return
        try:
            left = self.max_file_bytes
            while left > 0:
                chunk = self.op("read", rel, lambda: os.read(fd, min(left, 1 << 20)))
                if not chunk:  # end of file, or an error already reported
                    break
                left -= len(chunk)
        finally:
            os.close(fd)

    def visit(self, rel: bytes, depth: int = 0) -> None:
        if self.entries >= self.max_entries or depth > MAX_DEPTH:
            return
        st = self.op("stat", rel, lambda: os.lstat(self.path(rel)))
        self.entries += 1
        if st is None:
            return
        if stat.S_ISDIR(st.st_mode):
            if (st.st_dev, st.st_ino) in self.dirs_seen:
                return
            self.dirs_seen.add((st.st_dev, st.st_ino))
            names = self.op("list", rel, lambda: os.listdir(self.path(rel)))
            for name in sorted(names or []):
                self.visit(rel + b"/" + name, depth + 1)
        elif stat.S_ISLNK(st.st_mode):
            self.op("readlink", rel, lambda: os.readlink(self.path(rel)))
        elif stat.S_ISREG(st.st_mode):
            self.read_file(rel)


def main(argv) -> int:
    args = list(argv[1:])
    opts = {"--op-seconds": "10", "--max-entries": "20000", "--max-file-bytes": str(4 << 20)}
    positional = []
    while args:
        a = args.pop(0)
        if a in opts and args:
            opts[a] = args.pop(0)
        else:
            positional.append(a)
    if len(positional) != 1:
        sys.stderr.write(__doc__)
        return 2
    root = os.fsencode(positional[0].rstrip("/") or "/")
    w = Walk(
        root,
        float(opts["--op-seconds"]),
        int(opts["--max-entries"]),
        int(opts["--max-file-bytes"]),
    )
    threading.Thread(target=w.watchdog, daemon=True).start()
    w.visit(b"")
    w.emit("done", str(w.entries))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
