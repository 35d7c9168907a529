#!/usr/bin/env python3
"""File offsets up to the top of the range (2^63 - 1 bytes), for comparing two btrfs drivers.

usage: offsets.py MOUNTPOINT write|verify

"write" makes files with data, truncates and fallocates at 2^63-2, 2^63-4096, 2^40+1 and around
2^32, printing one line per step ("step -> OK value" or "step -> ERRNO"); "verify", run after an
unmount and a mount, prints what each file holds there. Two drivers must print the same lines.
"""
import ctypes
import ctypes.util
import errno
import os
import sys

ROOT, PHASE = sys.argv[1], sys.argv[2]
libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
TOP = 2**63 - 1  # the largest file size (MAX_LFS_FILESIZE)
KEEP_SIZE, PUNCH_HOLE, ZERO_RANGE = 1, 2, 16

OFFSETS = [2**63 - 2, 2**63 - 4096, 2**40 + 1, 2**32 - 1, 2**32, 2**32 - 2048]


def p(name):
    return os.path.join(ROOT, name)


def run(step, fn):
    try:
        v = fn()
    except OSError as e:
        print(f"{step} -> {errno.errorcode.get(e.errno, e.errno)}", flush=True)
        return None
    print(f"{step} -> OK{'' if v is None else ' ' + repr(v)}", flush=True)
    return v


def fallocate(fd, mode, off, length):
    if libc.fallocate(fd, mode, off, length) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def blocks_nonzero(path, offsets):
    """The first nonzero byte near each offset, as (offset, byte)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        out = []
        for off in offsets:
            start = off - off % 4096
            data = os.pread(fd, min(8192, TOP - start), start)
            nonzero = [(start + i, chr(b)) for i, b in enumerate(data) if b][:8]
            out.append((off, len(data), sum(1 for b in data if b), nonzero))
        return out
    finally:
        os.close(fd)


def write_phase():
    fd = os.open(p("bytes"), os.O_CREAT | os.O_RDWR, 0o644)
    for i, off in enumerate(OFFSETS):
        run(f"pwrite@{off}", lambda: os.pwrite(fd, bytes([65 + i]) * 2, off)
            if off + 2 <= TOP else os.pwrite(fd, bytes([65 + i]), off))
    run("pwrite@2^63-1", lambda: os.pwrite(fd, b"x", TOP))
    run("pwrite-3@2^63-2", lambda: os.pwrite(fd, b"xyz", TOP - 1))
    run("size", lambda: os.fstat(fd).st_size)
    run("read-back", lambda: [os.pread(fd, min(2, TOP - off), off) for off in OFFSETS])
    os.close(fd)

    fd = os.open(p("short"), os.O_CREAT | os.O_RDWR, 0o644)
    # A write whose end is past 2^63 is refused (the end does not fit an loff_t).
    run("pwrite-4096@2^63-4096", lambda: os.pwrite(fd, b"s" * 4096, 2**63 - 4096))
    run("pwrite-4095@2^63-4096", lambda: os.pwrite(fd, b"s" * 4095, 2**63 - 4096))
    run("size", lambda: os.fstat(fd).st_size)
    run("truncate-to-2^40+1", lambda: os.ftruncate(fd, 2**40 + 1))
    run("size-after-truncate", lambda: os.fstat(fd).st_size)
    run("pwrite@2^40", lambda: os.pwrite(fd, b"tail", 2**40 - 2))
    run("truncate-to-top", lambda: os.ftruncate(fd, TOP))
    run("read-old-end", lambda: os.pread(fd, 8, 2**40 - 2))
    run("read-at-top", lambda: os.pread(fd, 4, TOP - 4))
    os.close(fd)

    fd = os.open(p("falloc"), os.O_CREAT | os.O_RDWR, 0o644)
    run("falloc@2^63-8192", lambda: fallocate(fd, 0, 2**63 - 8192, 4096))
    run("size", lambda: os.fstat(fd).st_size)
    run("falloc-to-2^63", lambda: fallocate(fd, 0, 2**63 - 4096, 4096))
    run("falloc-past", lambda: fallocate(fd, 0, 2**63 - 4096, 8192))
    run("falloc-keep@2^32", lambda: fallocate(fd, KEEP_SIZE, 2**32 - 4096, 8192))
    run("pwrite-in-prealloc", lambda: os.pwrite(fd, b"P" * 100, 2**63 - 8192 + 10))
    run("punch@2^32", lambda: fallocate(fd, KEEP_SIZE | PUNCH_HOLE, 2**32 - 4096, 4096))
    run("pwrite-near-top", lambda: os.pwrite(fd, b"Q" * 4000, 2**63 - 8192))
    run("zero@2^63-8192", lambda: fallocate(fd, ZERO_RANGE, 2**63 - 8192, 100))
    run("punch-to-2^63", lambda: fallocate(fd, KEEP_SIZE | PUNCH_HOLE, 2**63 - 4096, 4096))
    run("size-end", lambda: os.fstat(fd).st_size)
    os.close(fd)

    # O_DIRECT: aligned buffers from an anonymous mapping.
    import mmap
    buf = mmap.mmap(-1, 8192)
    buf.write(b"D" * 8192)
    fd = os.open(p("direct"), os.O_CREAT | os.O_RDWR | os.O_DIRECT, 0o644)
    run("direct-write@2^63-8192", lambda: os.pwritev(fd, [memoryview(buf)[:4096]], 2**63 - 8192))
    run("direct-write-past", lambda: os.pwritev(fd, [buf], 2**63 - 8192))
    run("direct-write@2^40", lambda: os.pwritev(fd, [buf], 2**40))
    rbuf = mmap.mmap(-1, 4096)
    run("direct-read@2^40", lambda: (os.preadv(fd, [rbuf], 2**40), rbuf[:4]))
    run("size", lambda: os.fstat(fd).st_size)
    os.close(fd)
    os.sync()


def verify_phase():
    for name in ["bytes", "short", "falloc", "direct"]:
        st = os.stat(p(name))
        print(f"{name} size -> {st.st_size}")
        probes = OFFSETS + [2**63 - 8192, 2**40 - 2, TOP - 4]
        run(f"{name} data", lambda: blocks_nonzero(p(name), probes))


if __name__ == "__main__":
    write_phase() if PHASE == "write" else verify_phase()
