#!/usr/bin/env python3
"""POSIX scenarios for comparing two btrfs drivers.

usage: scenarios.py MOUNTPOINT

Runs every scenario inside MOUNTPOINT (which must be an empty, freshly made filesystem) and
prints one line per step:  "scenario step -> OK [value]"  or  "scenario step -> ERRNO_NAME".
Stat lines show size, nlink, mode, uid/gid, rdev and, for each of atime/mtime/ctime, whether it
changed since the previous stat of the same path ("=" unchanged, "+" changed, "new" first look),
never absolute times, so two runs on two drivers can be compared line by line.
Lines starting with "#" are informational (e.g. statfs numbers) and are not meant to be compared.
"""
import ctypes
import ctypes.util
import errno
import os
import stat
import sys
import time

ROOT = sys.argv[1]
libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)

# Time the coarse kernel clock needs to move on, so that "changed" is observable.
TICK = 0.012
_prev_times = {}


def p(*parts):
    return os.path.join(ROOT, *parts)


def emit(scenario, step, result):
    print(f"{scenario} {step} -> {result}", flush=True)


def fmt(v):
    if isinstance(v, bytes):
        return repr(v) if len(v) <= 64 else f"<{len(v)} bytes, {v.count(0)} zero>"
    return str(v)


def run(scenario, step, fn, show=True):
    """Runs fn, printing OK [value] or the errno name; returns the value (None on error)."""
    time.sleep(TICK)
    try:
        v = fn()
    except OSError as e:
        emit(scenario, step, errno.errorcode.get(e.errno, str(e.errno)))
        return None
    emit(scenario, step, "OK" + ("" if v is None or not show else " " + fmt(v)))
    return v


def describe(st, key):
    times = (st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns)
    old = _prev_times.get(key)
    _prev_times[key] = times
    if old is None:
        changes = "a=new m=new c=new"
    else:
        changes = " ".join(f"{n}={'+' if t != o else '='}" for n, t, o in zip("amc", times, old))
    rdev = f" rdev={os.major(st.st_rdev)}:{os.minor(st.st_rdev)}" if st.st_rdev else ""
    return (f"size={st.st_size} nlink={st.st_nlink} mode={oct(st.st_mode)} "
            f"uid={st.st_uid} gid={st.st_gid}{rdev} {changes}")


def st(scenario, step, path, key=None):
    """lstat of path, described relative to the previous stat under the same key."""
    try:
        s = os.lstat(path)
    except OSError as e:
        emit(scenario, "stat:" + step, errno.errorcode.get(e.errno, str(e.errno)))
        return
    emit(scenario, "stat:" + step, describe(s, key or path))


def fst(scenario, step, fd, key):
    try:
        s = os.fstat(fd)
    except OSError as e:
        emit(scenario, "fstat:" + step, errno.errorcode.get(e.errno, str(e.errno)))
        return
    emit(scenario, "fstat:" + step, describe(s, key))


def listing(scenario, step, path):
    """Sorted readdir contents with d_type (from scandir) and whether d_ino matches lstat."""
    try:
        entries = []
        with os.scandir(path) as it:
            for e in it:
                kind = ("dir" if e.is_dir(follow_symlinks=False) else
                        "lnk" if e.is_symlink() else
                        "reg" if e.is_file(follow_symlinks=False) else "oth")
                same_ino = e.inode() == os.lstat(e.path).st_ino
                entries.append(f"{e.name}:{kind}{'' if same_ino else ':ino-mismatch'}")
        emit(scenario, "readdir:" + step, "OK " + ",".join(sorted(entries)))
    except OSError as e:
        emit(scenario, "readdir:" + step, errno.errorcode.get(e.errno, str(e.errno)))


def write_file(path, data, flags=os.O_WRONLY | os.O_CREAT | os.O_TRUNC):
    fd = os.open(path, flags, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


# ---- utimensat with UTIME_NOW / UTIME_OMIT (not reachable through os.utime) ----
UTIME_NOW = (1 << 30) - 1
UTIME_OMIT = (1 << 30) - 2
AT_FDCWD = -100


class Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def utimensat(path, atime, mtime):
    ts = (Timespec * 2)(Timespec(*atime), Timespec(*mtime))
    if libc.utimensat(AT_FDCWD, os.fsencode(path), ts, 0) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), path)


def exact_times(path):
    s = os.lstat(path)
    return f"atime={s.st_atime_ns} mtime={s.st_mtime_ns}"


# ---------------------------------------------------------------------------------------------

def s_create():
    sc = "create"
    f = p("c1")
    run(sc, "creat", lambda: os.close(os.open(f, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)))
    st(sc, "new", f)
    run(sc, "creat-excl-again", lambda: os.open(f, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640))
    run(sc, "open-creat-existing", lambda: os.close(os.open(f, os.O_WRONLY | os.O_CREAT, 0o600)))
    st(sc, "after-open-creat", f)
    run(sc, "open-missing", lambda: os.open(p("nope"), os.O_RDONLY))
    run(sc, "open-dir-for-write", lambda: os.open(ROOT, os.O_WRONLY))
    run(sc, "open-missing-parent", lambda: os.open(p("nodir", "x"), os.O_WRONLY | os.O_CREAT, 0o644))
    run(sc, "open-file-as-dir", lambda: os.open(p("c1", "x"), os.O_WRONLY | os.O_CREAT, 0o644))
    run(sc, "open-directory-flag-on-file", lambda: os.open(f, os.O_RDONLY | os.O_DIRECTORY))
    run(sc, "write", lambda: write_file(f, b"hello world"))
    st(sc, "written", f)
    run(sc, "open-trunc", lambda: os.close(os.open(f, os.O_WRONLY | os.O_TRUNC)))
    st(sc, "truncated", f)
    run(sc, "read-empty", lambda: read_file(f))
    run(sc, "open-trunc-empty", lambda: os.close(os.open(f, os.O_WRONLY | os.O_TRUNC)))
    st(sc, "trunc-of-empty", f)
    run(sc, "open-rdonly-trunc", lambda: os.close(os.open(f, os.O_RDONLY | os.O_TRUNC)))
    st(sc, "rdonly-trunc", f)
    # Creating with a umask-free mode, several types of name.
    run(sc, "creat-mode-0", lambda: os.close(os.open(p("c-mode0"), os.O_WRONLY | os.O_CREAT, 0)))
    st(sc, "mode0", p("c-mode0"))
    run(sc, "creat-space-name", lambda: write_file(p("a b\tc"), b"x"))
    run(sc, "creat-utf8-name", lambda: write_file(p("h\u00e9\u4e16"), b"y"))
    listing(sc, "root", ROOT)


def s_append():
    sc = "append"
    f = p("app")
    write_file(f, b"0123")
    st(sc, "start", f)
    fd = os.open(f, os.O_WRONLY | os.O_APPEND)
    try:
        run(sc, "write1", lambda: os.write(fd, b"abc"))
        run(sc, "lseek-cur", lambda: os.lseek(fd, 0, os.SEEK_CUR))
        run(sc, "lseek-0", lambda: os.lseek(fd, 0, os.SEEK_SET))
        run(sc, "write2-after-seek0", lambda: os.write(fd, b"XY"))
        run(sc, "pwrite-append-mode", lambda: os.pwrite(fd, b"P", 0))
    finally:
        os.close(fd)
    run(sc, "content", lambda: read_file(f))
    st(sc, "end", f)
    fd = os.open(f, os.O_RDONLY | os.O_APPEND)
    try:
        run(sc, "write-on-rdonly-fd", lambda: os.write(fd, b"z"))
    finally:
        os.close(fd)
    fd = os.open(f, os.O_WRONLY)
    try:
        run(sc, "read-on-wronly-fd", lambda: os.read(fd, 1))
    finally:
        os.close(fd)


def s_eof():
    sc = "eof"
    f = p("eof")
    write_file(f, b"abcdef")
    st(sc, "start", f)
    fd = os.open(f, os.O_RDWR)
    try:
        run(sc, "pread-at-eof", lambda: os.pread(fd, 10, 6))
        run(sc, "pread-past-eof", lambda: os.pread(fd, 10, 100))
        run(sc, "pread-straddle", lambda: os.pread(fd, 10, 4))
        run(sc, "pwrite-past-eof", lambda: os.pwrite(fd, b"Z", 10))
        fst(sc, "after-pwrite", fd, f)
        run(sc, "pread-gap", lambda: os.pread(fd, 20, 0))
        run(sc, "lseek-end", lambda: os.lseek(fd, 0, os.SEEK_END))
    finally:
        os.close(fd)


def s_sparse():
    sc = "sparse"
    f = p("sparse")
    write_file(f, b"head")
    fd = os.open(f, os.O_RDWR)
    try:
        run(sc, "pwrite-1M", lambda: os.pwrite(fd, b"tail", 1 << 20))
        run(sc, "pwrite-64M", lambda: os.pwrite(fd, b"far", 64 << 20))
        fst(sc, "after", fd, f)
        run(sc, "read-hole", lambda: os.pread(fd, 8192, 4096))
        run(sc, "read-around-1M", lambda: os.pread(fd, 8, (1 << 20) - 4))
        run(sc, "read-hole-64M", lambda: os.pread(fd, 4096, (64 << 20) - 4096))
        run(sc, "read-end", lambda: os.pread(fd, 100, (64 << 20)))
        # A write into the middle of a hole, unaligned, across a page boundary.
        run(sc, "pwrite-mid-hole", lambda: os.pwrite(fd, b"M" * 5000, 10000))
        run(sc, "read-mid", lambda: os.pread(fd, 7000, 9000))
        run(sc, "fsync", lambda: os.fsync(fd))
        run(sc, "read-mid-after-fsync", lambda: os.pread(fd, 7000, 9000))
    finally:
        os.close(fd)
    run(sc, "read-mid-new-fd", lambda: read_file(f)[9000:16000])


def s_truncate():
    sc = "truncate"
    f = p("tr")
    write_file(f, bytes(range(256)) * 64)  # 16 KiB
    st(sc, "start", f)
    run(sc, "shrink-5000", lambda: os.truncate(f, 5000))
    st(sc, "shrunk", f)
    run(sc, "content-tail", lambda: read_file(f)[4990:])
    run(sc, "grow-100000", lambda: os.truncate(f, 100000))
    st(sc, "grown", f)
    run(sc, "grown-zeroes", lambda: read_file(f)[4990:100000])
    run(sc, "same-size", lambda: os.truncate(f, 100000))
    st(sc, "same-size", f)
    run(sc, "negative", lambda: os.truncate(f, -1))
    run(sc, "dir", lambda: os.truncate(ROOT, 0))
    run(sc, "missing", lambda: os.truncate(p("nope"), 0))
    fd = os.open(f, os.O_RDWR)
    try:
        run(sc, "ftruncate-7", lambda: os.ftruncate(fd, 7))
        fst(sc, "ftruncated", fd, f)
        run(sc, "pread", lambda: os.pread(fd, 100, 0))
        run(sc, "ftruncate-grow-3M", lambda: os.ftruncate(fd, 3 << 20))
        run(sc, "pwrite-after-grow", lambda: os.pwrite(fd, b"end", (3 << 20) - 3))
        run(sc, "read-last", lambda: os.pread(fd, 10, (3 << 20) - 10))
        fst(sc, "before-same-size", fd, f)
        run(sc, "ftruncate-same-size", lambda: os.ftruncate(fd, 3 << 20))
        fst(sc, "same-size", fd, f)
        run(sc, "ftruncate-0", lambda: os.ftruncate(fd, 0))
        fst(sc, "zero", fd, f)
    finally:
        os.close(fd)
    fd = os.open(f, os.O_RDONLY)
    try:
        run(sc, "ftruncate-rdonly", lambda: os.ftruncate(fd, 1))
    finally:
        os.close(fd)
    # Shrink inside a page of freshly written (still buffered) data, then grow again.
    write_file(f, b"A" * 10000)
    run(sc, "shrink-buffered", lambda: os.truncate(f, 4097))
    run(sc, "grow-again", lambda: os.truncate(f, 8192))
    run(sc, "buffered-content", lambda: read_file(f)[4090:4110])


def s_dirs():
    sc = "dirs"
    d = p("d")
    run(sc, "mkdir", lambda: os.mkdir(d, 0o755))
    st(sc, "new", d)
    run(sc, "mkdir-existing", lambda: os.mkdir(d))
    run(sc, "mkdir-over-file", lambda: os.mkdir(p("c1")))
    run(sc, "mkdir-missing-parent", lambda: os.mkdir(p("nodir", "sub")))
    run(sc, "mkdir-under-file", lambda: os.mkdir(p("c1", "sub")))
    write_file(os.path.join(d, "f1"), b"1")
    st(sc, "one-entry", d)
    run(sc, "mkdir-sub", lambda: os.mkdir(os.path.join(d, "sub")))
    st(sc, "two-entries", d)
    run(sc, "rmdir-nonempty", lambda: os.rmdir(d))
    run(sc, "rmdir-file", lambda: os.rmdir(os.path.join(d, "f1")))
    run(sc, "rmdir-missing", lambda: os.rmdir(p("nope")))
    run(sc, "rmdir-dot", lambda: os.rmdir(os.path.join(d, "sub", ".")))
    run(sc, "unlink-dir", lambda: os.unlink(os.path.join(d, "sub")))
    run(sc, "unlink-missing", lambda: os.unlink(p("nope")))
    run(sc, "rmdir-sub", lambda: os.rmdir(os.path.join(d, "sub")))
    st(sc, "after-rmdir", d)
    run(sc, "unlink-f1", lambda: os.unlink(os.path.join(d, "f1")))
    st(sc, "empty-again", d)
    listing(sc, "d-empty", d)
    run(sc, "rmdir", lambda: os.rmdir(d))
    run(sc, "stat-removed", lambda: os.lstat(d) and None)
    st(sc, "root", ROOT, "root-dirs")
    # Many entries: directory size and readdir across several leaves.
    big = p("big")
    os.mkdir(big)
    for i in range(300):
        write_file(os.path.join(big, f"entry-{i:04d}-" + "n" * (i % 40)), b"")
    st(sc, "big", big)
    run(sc, "big-count", lambda: len(os.listdir(big)))
    run(sc, "big-names-ok", lambda: sorted(os.listdir(big)) == sorted(
        f"entry-{i:04d}-" + "n" * (i % 40) for i in range(300)))
    for i in range(0, 300, 2):
        os.unlink(os.path.join(big, f"entry-{i:04d}-" + "n" * (i % 40)))
    st(sc, "big-halved", big)
    run(sc, "big-count-halved", lambda: len(os.listdir(big)))


def s_rename():
    sc = "rename"
    r = p("rn")
    os.mkdir(r)
    a, b = os.path.join(r, "a"), os.path.join(r, "b")
    write_file(a, b"AAAA")
    write_file(b, b"BB")
    st(sc, "a", a)
    st(sc, "dir-before", r)
    run(sc, "file-over-file", lambda: os.rename(a, b))
    st(sc, "b-now-a", b, a)
    run(sc, "b-content", lambda: read_file(b))
    run(sc, "a-gone", lambda: os.lstat(a) and None)
    st(sc, "dir-after", r)
    run(sc, "rename-missing", lambda: os.rename(a, b))
    run(sc, "rename-to-self", lambda: os.rename(b, b))
    st(sc, "after-self", b, a)
    # Hard links: renaming one name onto another name of the same inode does nothing.
    os.link(b, os.path.join(r, "b2"))
    run(sc, "onto-own-hardlink", lambda: os.rename(b, os.path.join(r, "b2")))
    run(sc, "both-names-remain", lambda: sorted(os.listdir(r)))
    os.unlink(os.path.join(r, "b2"))

    d1, d2, d3 = (os.path.join(r, n) for n in ("d1", "d2", "d3"))
    os.mkdir(d1)
    os.mkdir(d2)
    os.mkdir(d3)
    write_file(os.path.join(d1, "in1"), b"1")
    write_file(os.path.join(d3, "in3"), b"3")
    st(sc, "d1", d1)
    run(sc, "dir-over-empty-dir", lambda: os.rename(d1, d2))
    st(sc, "d2-now-d1", d2, d1)
    listing(sc, "d2", d2)
    run(sc, "dir-over-nonempty-dir", lambda: os.rename(d2, d3))
    run(sc, "dir-into-own-subdir", lambda: os.rename(d2, os.path.join(d2, "x")))
    os.mkdir(os.path.join(d2, "deep"))
    run(sc, "dir-into-own-deep-subdir", lambda: os.rename(d2, os.path.join(d2, "deep", "x")))
    run(sc, "file-over-dir", lambda: os.rename(b, d3))
    run(sc, "dir-over-file", lambda: os.rename(d3, b))
    run(sc, "dir-to-missing-parent", lambda: os.rename(d3, os.path.join(r, "nodir", "x")))
    run(sc, "dir-move-across", lambda: os.rename(os.path.join(d2, "deep"), os.path.join(d3, "deep")))
    st(sc, "d2-after-move-out", d2, d1)
    st(sc, "d3-after-move-in", d3)
    run(sc, "dotdot-follows", lambda: os.lstat(os.path.join(d3, "deep", "..")).st_ino == os.lstat(d3).st_ino)
    run(sc, "file-across-dirs", lambda: os.rename(os.path.join(d3, "in3"), os.path.join(d2, "in3")))
    listing(sc, "d2-final", d2)
    listing(sc, "d3-final", d3)
    listing(sc, "rn", r)
    st(sc, "rn-final", r)
    # An open file renamed over stays readable through its descriptor.
    write_file(a, b"victim")
    fd = os.open(a, os.O_RDONLY)
    try:
        write_file(os.path.join(r, "c"), b"winner")
        run(sc, "over-open-file", lambda: os.rename(os.path.join(r, "c"), a))
        fst(sc, "victim", fd, "victim")
        run(sc, "victim-readable", lambda: os.pread(fd, 100, 0))
    finally:
        os.close(fd)
    run(sc, "winner", lambda: read_file(a))


def s_links():
    sc = "links"
    f = p("lk")
    write_file(f, b"link me")
    st(sc, "start", f)
    run(sc, "link", lambda: os.link(f, p("lk2")))
    st(sc, "after-link", f)
    st(sc, "other-name", p("lk2"), f)
    run(sc, "link-existing", lambda: os.link(f, p("lk2")))
    run(sc, "link-dir", lambda: os.link(ROOT + "/rn", p("dirlink")))
    run(sc, "link-missing", lambda: os.link(p("nope"), p("nope2")))
    os.mkdir(p("lkd"))
    run(sc, "link-into-dir", lambda: os.link(f, p("lkd", "lk3")))
    st(sc, "three", f)
    st(sc, "lkd", p("lkd"))
    run(sc, "unlink-one", lambda: os.unlink(p("lk2")))
    st(sc, "two", f)
    run(sc, "same-ino", lambda: os.lstat(f).st_ino == os.lstat(p("lkd", "lk3")).st_ino)
    run(sc, "unlink-orig", lambda: os.unlink(f))
    st(sc, "last-name", p("lkd", "lk3"), f)
    run(sc, "content", lambda: read_file(p("lkd", "lk3")))
    # Many names in one directory for the same inode.
    for i in range(20):
        os.link(p("lkd", "lk3"), p("lkd", f"many{i}"))
    st(sc, "many", p("lkd", "lk3"), f)
    st(sc, "lkd-many", p("lkd"))


def s_symlink():
    sc = "symlink"
    run(sc, "symlink", lambda: os.symlink("target/../x", p("sl")))
    st(sc, "sl", p("sl"))
    run(sc, "readlink", lambda: os.readlink(p("sl")))
    run(sc, "symlink-existing", lambda: os.symlink("y", p("sl")))
    run(sc, "readlink-file", lambda: os.readlink(p("c1")))
    run(sc, "readlink-dir", lambda: os.readlink(ROOT + "/rn"))
    run(sc, "readlink-missing", lambda: os.readlink(p("nope")))
    run(sc, "stat-dangling", lambda: os.stat(p("sl")) and None)
    long_target = "t" * 3000
    run(sc, "symlink-long", lambda: os.symlink(long_target, p("sl-long")))
    run(sc, "readlink-long", lambda: os.readlink(p("sl-long")) == long_target)
    st(sc, "sl-long", p("sl-long"))
    run(sc, "symlink-too-long-for-node", lambda: os.symlink("u" * 4095, p("sl-huge")))
    run(sc, "symlink-to-file", lambda: os.symlink("c1", p("sl-c1")))
    run(sc, "follow", lambda: read_file(p("sl-c1")))
    run(sc, "open-nofollow", lambda: os.open(p("sl-c1"), os.O_RDONLY | os.O_NOFOLLOW))
    run(sc, "unlink-symlink", lambda: os.unlink(p("sl-c1")))
    run(sc, "target-still-there", lambda: os.path.exists(p("c1")))
    listing(sc, "root", ROOT)


def s_mknod():
    sc = "mknod"
    run(sc, "fifo", lambda: os.mkfifo(p("fifo"), 0o600))
    st(sc, "fifo", p("fifo"))
    run(sc, "char", lambda: os.mknod(p("chr"), stat.S_IFCHR | 0o644, os.makedev(1, 3)))
    st(sc, "char", p("chr"))
    run(sc, "block", lambda: os.mknod(p("blk"), stat.S_IFBLK | 0o600, os.makedev(7, 200)))
    st(sc, "block", p("blk"))
    run(sc, "big-dev", lambda: os.mknod(p("bigdev"), stat.S_IFCHR | 0o600, os.makedev(4000, 70000)))
    st(sc, "big-dev", p("bigdev"))
    run(sc, "socket-node", lambda: os.mknod(p("sock"), stat.S_IFSOCK | 0o600))
    st(sc, "socket-node", p("sock"))
    run(sc, "regular-via-mknod", lambda: os.mknod(p("regnod"), stat.S_IFREG | 0o600))
    st(sc, "regular-via-mknod", p("regnod"))
    run(sc, "existing", lambda: os.mkfifo(p("fifo")))
    listing(sc, "root", ROOT)


def s_attrs():
    sc = "attrs"
    f = p("at")
    write_file(f, b"attrs")
    st(sc, "start", f)
    run(sc, "chmod-600", lambda: os.chmod(f, 0o600))
    st(sc, "chmod-600", f)
    run(sc, "chmod-7777", lambda: os.chmod(f, 0o7777))
    st(sc, "chmod-7777", f)
    run(sc, "chown-1000-1000", lambda: os.chown(f, 1000, 1000))
    st(sc, "chown-1000-1000", f)
    os.chmod(f, 0o6755)
    st(sc, "chmod-6755", f)
    run(sc, "chown-unchanged", lambda: os.chown(f, -1, -1))
    st(sc, "chown-unchanged", f)
    os.chmod(f, 0o6755)
    run(sc, "chown-gid-only", lambda: os.chown(f, -1, 2000))
    st(sc, "chown-gid-only", f)
    os.chmod(f, 0o6745)
    run(sc, "chown-uid-only-sgid-noexec", lambda: os.chown(f, 3000, -1))
    st(sc, "chown-uid-only-sgid-noexec", f)
    run(sc, "chmod-missing", lambda: os.chmod(p("nope"), 0o600))
    run(sc, "chown-symlink-nofollow", lambda: os.lchown(p("sl"), 5, 6))
    st(sc, "symlink-owner", p("sl"))
    d = p("sgid")
    os.mkdir(d)
    run(sc, "dir-chown", lambda: os.chown(d, 0, 4242))
    run(sc, "dir-chmod-2775", lambda: os.chmod(d, 0o2775))
    st(sc, "sgid-dir", d)
    write_file(os.path.join(d, "child"), b"")
    os.mkdir(os.path.join(d, "subdir"))
    st(sc, "sgid-child", os.path.join(d, "child"))
    st(sc, "sgid-subdir", os.path.join(d, "subdir"))
    run(sc, "dir-chown-keeps-sgid", lambda: os.chown(d, 7, -1))
    st(sc, "dir-after-chown", d)


def s_times():
    sc = "times"
    f = p("tm")
    write_file(f, b"times")
    st(sc, "start", f)
    run(sc, "utime-explicit-ns", lambda: utimensat(f, (1000000000, 123456789), (1500000000, 987654321)))
    run(sc, "exact", lambda: exact_times(f))
    st(sc, "explicit", f)
    run(sc, "utime-omit-both", lambda: utimensat(f, (0, UTIME_OMIT), (0, UTIME_OMIT)))
    run(sc, "exact-after-omit", lambda: exact_times(f))
    st(sc, "omit-both", f)
    run(sc, "utime-now-atime-omit-mtime", lambda: utimensat(f, (0, UTIME_NOW), (0, UTIME_OMIT)))
    st(sc, "now-omit", f)
    run(sc, "mtime-kept", lambda: os.lstat(f).st_mtime_ns)
    run(sc, "utime-omit-atime-now-mtime", lambda: utimensat(f, (0, UTIME_OMIT), (0, UTIME_NOW)))
    st(sc, "omit-now", f)
    run(sc, "utime-null", lambda: libc.utimensat(AT_FDCWD, os.fsencode(f), None, 0))
    st(sc, "null", f)
    run(sc, "utime-negative", lambda: utimensat(f, (-5, 500), (-1, 0)))
    run(sc, "exact-negative", lambda: exact_times(f))
    run(sc, "utime-bad-nsec", lambda: utimensat(f, (0, 1000000000), (0, 0)))
    run(sc, "utime-large", lambda: utimensat(f, (4102444800, 1), (253402300799, 999999999)))
    run(sc, "exact-large", lambda: exact_times(f))
    # Which operations touch which times.
    run(sc, "write", lambda: write_file(f, b"more", os.O_WRONLY | os.O_APPEND))
    st(sc, "after-write", f)
    run(sc, "read", lambda: read_file(f))
    st(sc, "after-read", f)
    run(sc, "chmod", lambda: os.chmod(f, 0o640))
    st(sc, "after-chmod", f)
    run(sc, "truncate-same", lambda: os.truncate(f, os.lstat(f).st_size))
    st(sc, "after-truncate-same", f)
    run(sc, "truncate", lambda: os.truncate(f, 2))
    st(sc, "after-truncate", f)
    d = p("tmd")
    os.mkdir(d)
    st(sc, "dir", d)
    run(sc, "create-in-dir", lambda: write_file(os.path.join(d, "x"), b""))
    st(sc, "dir-after-create", d)
    run(sc, "rename-in-dir", lambda: os.rename(os.path.join(d, "x"), os.path.join(d, "y")))
    st(sc, "dir-after-rename", d)
    st(sc, "renamed-file", os.path.join(d, "y"))
    run(sc, "link-in-dir", lambda: os.link(os.path.join(d, "y"), os.path.join(d, "z")))
    st(sc, "dir-after-link", d)
    st(sc, "linked-file", os.path.join(d, "y"))
    run(sc, "unlink-in-dir", lambda: os.unlink(os.path.join(d, "z")))
    st(sc, "dir-after-unlink", d)
    st(sc, "file-after-unlink", os.path.join(d, "y"))
    run(sc, "setxattr", lambda: os.setxattr(os.path.join(d, "y"), "user.t", b"1"))
    st(sc, "file-after-setxattr", os.path.join(d, "y"))
    run(sc, "listdir", lambda: sorted(os.listdir(d)))
    st(sc, "dir-after-listdir", d)


def s_xattr():
    sc = "xattr"
    f = p("xa")
    write_file(f, b"x")
    run(sc, "list-empty", lambda: sorted(os.listxattr(f)))
    run(sc, "get-missing", lambda: os.getxattr(f, "user.none"))
    run(sc, "remove-missing", lambda: os.removexattr(f, "user.none"))
    run(sc, "replace-missing", lambda: os.setxattr(f, "user.a", b"v", os.XATTR_REPLACE))
    run(sc, "create", lambda: os.setxattr(f, "user.a", b"v1", os.XATTR_CREATE))
    run(sc, "create-existing", lambda: os.setxattr(f, "user.a", b"v2", os.XATTR_CREATE))
    run(sc, "get", lambda: os.getxattr(f, "user.a"))
    run(sc, "replace", lambda: os.setxattr(f, "user.a", b"v3", os.XATTR_REPLACE))
    run(sc, "get-replaced", lambda: os.getxattr(f, "user.a"))
    run(sc, "set-plain", lambda: os.setxattr(f, "user.b", b""))
    run(sc, "get-empty-value", lambda: os.getxattr(f, "user.b"))
    run(sc, "set-binary", lambda: os.setxattr(f, "user.bin", bytes(range(256))))
    run(sc, "get-binary", lambda: os.getxattr(f, "user.bin") == bytes(range(256)))
    run(sc, "set-trusted", lambda: os.setxattr(f, "trusted.t", b"tt"))
    run(sc, "list", lambda: sorted(os.listxattr(f)))
    run(sc, "remove", lambda: os.removexattr(f, "user.a"))
    run(sc, "list-after-remove", lambda: sorted(os.listxattr(f)))
    run(sc, "get-removed", lambda: os.getxattr(f, "user.a"))
    run(sc, "bad-namespace", lambda: os.setxattr(f, "bogus.x", b"1"))
    run(sc, "get-bad-namespace", lambda: os.getxattr(f, "bogus.x"))
    run(sc, "remove-bad-namespace", lambda: os.removexattr(f, "bogus.x"))
    run(sc, "get-bad-namespace-missing-file", lambda: os.getxattr(p("nope"), "bogus.x"))
    run(sc, "empty-name", lambda: os.setxattr(f, "", b"1"))
    run(sc, "name-255", lambda: os.setxattr(f, "user." + "n" * 250, b"1"))
    run(sc, "get-name-255", lambda: os.getxattr(f, "user." + "n" * 250))
    run(sc, "name-256", lambda: os.setxattr(f, "user." + "n" * 251, b"1"))
    run(sc, "get-name-256", lambda: os.getxattr(f, "user." + "n" * 251))
    run(sc, "value-3900", lambda: os.setxattr(f, "user.v3900", b"v" * 3900))
    run(sc, "get-3900", lambda: len(os.getxattr(f, "user.v3900")))
    run(sc, "value-16000", lambda: os.setxattr(f, "user.v16000", b"w" * 16000))
    # 16 KiB nodes: name + value may fill a leaf less its header, one item and the dir item header.
    limit = 16384 - 101 - 25 - 30
    run(sc, "value-at-node-limit", lambda: os.setxattr(f, "user.lim", b"L" * (limit - 8)))
    run(sc, "value-one-over-node-limit", lambda: os.setxattr(f, "user.lim2", b"L" * (limit - 8)))
    run(sc, "value-17000", lambda: os.setxattr(f, "user.v17000", b"w" * 17000))
    run(sc, "value-65536", lambda: os.setxattr(f, "user.v65536", b"w" * 65536))
    run(sc, "value-65537", lambda: os.setxattr(f, "user.v65537", b"w" * 65537))
    run(sc, "get-too-small-buffer", lambda: get_with_buffer(f, "user.v3900", 10))
    run(sc, "get-size-query", lambda: get_with_buffer(f, "user.v3900", 0))
    run(sc, "list-size-query", lambda: list_with_buffer(f, 0))
    run(sc, "list-too-small-buffer", lambda: list_with_buffer(f, 3))
    run(sc, "list-final", lambda: sorted(os.listxattr(f)))
    d = p("xad")
    os.mkdir(d)
    run(sc, "dir-set", lambda: os.setxattr(d, "user.d", b"dir"))
    run(sc, "dir-get", lambda: os.getxattr(d, "user.d"))
    run(sc, "symlink-user-xattr", lambda: os.setxattr(p("sl"), "user.s", b"1", follow_symlinks=False))
    run(sc, "symlink-trusted-xattr", lambda: os.setxattr(p("sl"), "trusted.s", b"1", follow_symlinks=False))
    run(sc, "symlink-list", lambda: sorted(os.listxattr(p("sl"), follow_symlinks=False)))
    run(sc, "fifo-user-xattr", lambda: os.setxattr(p("fifo"), "user.f", b"1"))
    # Many xattrs on one inode.
    for i in range(100):
        os.setxattr(d, f"user.many{i:03d}", b"m" * i)
    run(sc, "many-count", lambda: len(os.listxattr(d)))
    run(sc, "many-get-99", lambda: len(os.getxattr(d, "user.many099")))


def get_with_buffer(path, name, size):
    buf = ctypes.create_string_buffer(max(size, 1))
    r = libc.getxattr(os.fsencode(path), name.encode(), buf if size else None, ctypes.c_size_t(size))
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), path)
    return r


def list_with_buffer(path, size):
    buf = ctypes.create_string_buffer(max(size, 1))
    r = libc.listxattr(os.fsencode(path), buf if size else None, ctypes.c_size_t(size))
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), path)
    return r


def s_names():
    sc = "names"
    n255, n256 = "l" * 255, "l" * 256
    run(sc, "create-255", lambda: write_file(p(n255), b"255"))
    st(sc, "255", p(n255))
    run(sc, "create-256", lambda: write_file(p(n256), b"256"))
    run(sc, "stat-256", lambda: os.lstat(p(n256)) and None)
    run(sc, "mkdir-256", lambda: os.mkdir(p(n256)))
    run(sc, "symlink-256", lambda: os.symlink("x", p(n256)))
    run(sc, "link-256", lambda: os.link(p(n255), p(n256)))
    run(sc, "rename-to-256", lambda: os.rename(p(n255), p(n256)))
    run(sc, "mknod-256", lambda: os.mkfifo(p(n256)))
    run(sc, "unlink-256", lambda: os.unlink(p(n256)))
    run(sc, "utf8-255-bytes", lambda: write_file(p("\u00e9" * 127 + "x"), b""))
    run(sc, "utf8-256-bytes", lambda: write_file(p("\u00e9" * 128), b""))
    run(sc, "unlink-255", lambda: os.unlink(p(n255)))
    # Names are bytes: ones that are not UTF-8 are kept, listed and found as they are.
    raw = os.fsencode(ROOT) + b"/bad\xff\xfe"
    raw2 = os.fsencode(ROOT) + b"/\xc3\x28latin\xe9"
    run(sc, "create-not-utf8", lambda: write_file(raw, b"bytes"))
    run(sc, "listed-not-utf8", lambda: sorted(n for n in os.listdir(os.fsencode(ROOT)) if b"\xff" in n))
    run(sc, "rename-not-utf8", lambda: os.rename(raw, raw2))
    run(sc, "read-not-utf8", lambda: read_file(raw2))
    run(sc, "mkdir-not-utf8", lambda: os.mkdir(raw + b"dir"))
    run(sc, "rmdir-not-utf8", lambda: os.rmdir(raw + b"dir"))
    run(sc, "unlink-not-utf8", lambda: os.unlink(raw2))


def s_unlinked_open():
    sc = "unlinked-open"
    f = p("uo")
    write_file(f, b"still here")
    fd = os.open(f, os.O_RDWR)
    try:
        run(sc, "unlink", lambda: os.unlink(f))
        run(sc, "stat-path", lambda: os.lstat(f) and None)
        fst(sc, "fd", fd, f)
        run(sc, "read", lambda: os.pread(fd, 100, 0))
        run(sc, "write", lambda: os.pwrite(fd, b" and growing", 10))
        run(sc, "read-after-write", lambda: os.pread(fd, 100, 0))
        run(sc, "ftruncate", lambda: os.ftruncate(fd, 5))
        fst(sc, "fd-after", fd, f)
        run(sc, "fsync", lambda: os.fsync(fd))
        run(sc, "read-final", lambda: os.pread(fd, 100, 0))
        run(sc, "recreate-name", lambda: write_file(f, b"new file"))
        run(sc, "new-content", lambda: read_file(f))
        run(sc, "old-fd-unaffected", lambda: os.pread(fd, 100, 0))
    finally:
        os.close(fd)
    listing(sc, "root", ROOT)
    # Two descriptors on an unlinked file; closing one keeps the other working.
    g = p("uo2")
    write_file(g, b"two fds")
    fd1 = os.open(g, os.O_RDONLY)
    fd2 = os.open(g, os.O_RDWR)
    os.unlink(g)
    os.close(fd1)
    try:
        run(sc, "second-fd-read", lambda: os.pread(fd2, 100, 0))
        run(sc, "second-fd-write", lambda: os.pwrite(fd2, b"!", 7))
        run(sc, "second-fd-reread", lambda: os.pread(fd2, 100, 0))
    finally:
        os.close(fd2)
    # Unlinking one of two hard links while open: the other name sees the writes.
    h = p("uo3")
    write_file(h, b"hard")
    os.link(h, p("uo3b"))
    fd = os.open(h, os.O_RDWR)
    try:
        run(sc, "unlink-one-link", lambda: os.unlink(h))
        run(sc, "write-via-fd", lambda: os.pwrite(fd, b"HARD", 0))
        fst(sc, "hard-fd", fd, "uo3")
    finally:
        os.close(fd)
    run(sc, "other-link-content", lambda: read_file(p("uo3b")))


def s_sync_statfs_access():
    sc = "misc"
    f = p("sy")
    write_file(f, b"s" * 10000)
    fd = os.open(f, os.O_RDWR)
    try:
        run(sc, "fsync", lambda: os.fsync(fd))
        run(sc, "fdatasync", lambda: os.fdatasync(fd))
        os.pwrite(fd, b"t", 5)
        run(sc, "fdatasync-dirty", lambda: os.fdatasync(fd))
    finally:
        os.close(fd)
    dfd = os.open(ROOT, os.O_RDONLY | os.O_DIRECTORY)
    try:
        run(sc, "fsync-dir", lambda: os.fsync(dfd))
    finally:
        os.close(dfd)
    run(sc, "sync", lambda: os.sync())
    run(sc, "blocks-after-sync", lambda: os.lstat(f).st_blocks)
    run(sc, "statfs", lambda: statfs_summary(ROOT))
    sv = os.statvfs(ROOT)
    print(f"# statfs blocks={sv.f_blocks} bfree={sv.f_bfree} bavail={sv.f_bavail} "
          f"files={sv.f_files} ffree={sv.f_ffree}")
    run(sc, "statfs-file", lambda: statfs_summary(f))
    os.chmod(f, 0o644)
    run(sc, "access-F", lambda: os.access(f, os.F_OK))
    run(sc, "access-R", lambda: os.access(f, os.R_OK))
    run(sc, "access-W", lambda: os.access(f, os.W_OK))
    run(sc, "access-X-nonexec", lambda: os.access(f, os.X_OK))
    os.chmod(f, 0o100)
    run(sc, "access-X-exec", lambda: os.access(f, os.X_OK))
    run(sc, "access-missing", lambda: os.access(p("nope"), os.F_OK))
    run(sc, "access-dir-X", lambda: os.access(ROOT, os.X_OK))
    # errno from access(2) itself (os.access hides it).
    run(sc, "access-errno-missing", lambda: raw_access(p("nope"), os.F_OK))
    run(sc, "access-errno-X", lambda: raw_access(p("at"), os.X_OK))
    os.chmod(p("at"), 0o644)
    run(sc, "access-errno-X-noexec", lambda: raw_access(p("at"), os.X_OK))


def raw_access(path, mode):
    if libc.access(os.fsencode(path), mode) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), path)


def statfs_summary(path):
    sv = os.statvfs(path)
    return (f"bsize={sv.f_bsize} frsize={sv.f_frsize} namemax={sv.f_namemax} "
            f"blocks>0={sv.f_blocks > 0} bfree<=blocks={sv.f_bfree <= sv.f_blocks} "
            f"bavail<=bfree={sv.f_bavail <= sv.f_bfree}")


def s_final():
    sc = "final"
    listing(sc, "root", ROOT)
    st(sc, "root", ROOT, "root-final")
    for name in sorted(os.listdir(ROOT)):
        st(sc, name[:40], p(name), "final:" + name)


def s_atime():
    """relatime: a read updates atime only when it is not newer than mtime/ctime."""
    sc = "atime"
    f = p("at")
    write_file(f, b"data")
    st(sc, "start", f)
    run(sc, "read-after-write", lambda: read_file(f))
    st(sc, "after-first-read", f)
    run(sc, "read-again", lambda: read_file(f))
    st(sc, "after-second-read", f)
    run(sc, "rewrite", lambda: write_file(f, b"other"))
    st(sc, "rewritten", f)
    run(sc, "read-after-rewrite", lambda: read_file(f))
    st(sc, "after-read-of-rewrite", f)
    d = p("atd")
    os.mkdir(d)
    write_file(os.path.join(d, "x"), b"x")
    st(sc, "dir-start", d)
    run(sc, "list-dir", lambda: sorted(os.listdir(d)))
    st(sc, "dir-listed", d)
    run(sc, "list-dir-again", lambda: sorted(os.listdir(d)))
    st(sc, "dir-listed-again", d)
    os.symlink("at", p("atl"))
    st(sc, "link-start", p("atl"))
    run(sc, "readlink", lambda: os.readlink(p("atl")))
    st(sc, "link-read", p("atl"))


def s_open_replaced():
    """An open file or directory whose name goes away by rename or rmdir lives on, unlinked."""
    sc = "open-replaced"
    write_file(p("ra"), b"new")
    write_file(p("rb"), b"old contents")
    fd = os.open(p("rb"), os.O_RDWR)
    try:
        run(sc, "rename-over-open-file", lambda: os.rename(p("ra"), p("rb")))
        fst(sc, "replaced-file", fd, "rb-old")
        run(sc, "read-replaced", lambda: os.pread(fd, 100, 0))
        run(sc, "write-replaced", lambda: os.pwrite(fd, b"!", 3))
        run(sc, "name-now", lambda: read_file(p("rb")))
    finally:
        os.close(fd)
    os.mkdir(p("rda"))
    os.mkdir(p("rdb"))
    fd = os.open(p("rdb"), os.O_RDONLY | os.O_DIRECTORY)
    try:
        run(sc, "rename-over-open-dir", lambda: os.rename(p("rda"), p("rdb")))
        fst(sc, "replaced-dir", fd, "rdb-old")
        run(sc, "list-replaced-dir", lambda: sorted(os.listdir(fd)))
        run(sc, "create-in-replaced-dir",
            lambda: os.close(os.open("x", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=fd)))
    finally:
        os.close(fd)
    os.mkdir(p("rdc"))
    fd = os.open(p("rdc"), os.O_RDONLY | os.O_DIRECTORY)
    try:
        run(sc, "rmdir-open-dir", lambda: os.rmdir(p("rdc")))
        fst(sc, "removed-dir", fd, "rdc")
        run(sc, "list-removed-dir", lambda: sorted(os.listdir(fd)))
        run(sc, "mkdir-in-removed-dir", lambda: os.mkdir("sub", dir_fd=fd))
        run(sc, "fchmod-removed-dir", lambda: os.fchmod(fd, 0o700))
        fst(sc, "removed-dir-after-chmod", fd, "rdc")
    finally:
        os.close(fd)
    listing(sc, "root", ROOT)


libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]


def s_killpriv():
    """fallocate by a user without CAP_FSETID drops set-uid and set-gid, whatever the mode."""
    sc = "killpriv"
    for mode, name in [(0, "alloc"), (1, "keep-size"), (3, "punch"), (16, "zero"),
                       (17, "zero-keep")]:
        f = p("kp-" + name)
        write_file(f, b"x" * 20000)
        os.chown(f, 65534, 65534)
        os.chmod(f, 0o6775)
        pid = os.fork()
        if pid == 0:
            try:
                os.setgid(65534)
                os.setuid(65534)
                fd = os.open(f, os.O_RDWR)
                r = libc.fallocate(fd, mode, 4096, 4096)
                os._exit(0 if r == 0 else ctypes.get_errno())
            except OSError as e:
                os._exit(e.errno or 1)
        _, status = os.waitpid(pid, 0)
        code = os.WEXITSTATUS(status)
        emit(sc, "fallocate-" + name, "OK" if code == 0 else errno.errorcode.get(code, code))
        st(sc, name, f)


def s_readdir_renaming():
    """A listing during which every listed entry is renamed ends, each name at most once."""
    sc = "readdir-renaming"
    d = p("rr")
    os.mkdir(d)
    n = 15000
    for i in range(n):
        os.close(os.open(os.path.join(d, f"e{i}"), os.O_CREAT | os.O_WRONLY, 0o644))
    seen = {}
    returned = 0
    with os.scandir(d) as it:
        for e in it:
            returned += 1
            seen[e.name] = seen.get(e.name, 0) + 1
            os.rename(os.path.join(d, e.name), os.path.join(d, "r" + e.name))
            if returned > 2 * n:
                break
    emit(sc, "list", f"OK returned={returned} distinct={len(seen)} "
         f"twice={sum(1 for v in seen.values() if v > 1)} ended={returned <= 2 * n}")
    emit(sc, "renamed", f"OK {sum(1 for x in os.listdir(d) if x.startswith('re'))}")


def subvol_ioctl(cmd, dirpath, name, src=None, flags=0):
    """A btrfs subvolume ioctl (struct btrfs_ioctl_vol_args_v2) on directory dirpath."""
    import fcntl
    import struct
    args = bytearray(4096)
    sfd = os.open(src, os.O_RDONLY | os.O_DIRECTORY) if src else -1
    try:
        struct.pack_into("<qQQ", args, 0, sfd, 0, flags)
        args[56:56 + len(name)] = os.fsencode(name)
        fd = os.open(dirpath, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.ioctl(fd, cmd, args)
        finally:
            os.close(fd)
    finally:
        if sfd >= 0:
            os.close(sfd)


def subvol_flags(path, set_to=None):
    """BTRFS_IOC_SUBVOL_GETFLAGS, or SETFLAGS with set_to: the subvolume's flags (2 = read-only)."""
    import fcntl
    import struct
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if set_to is None:
            b = bytearray(8)
            fcntl.ioctl(fd, 0x80089419, b)
            return struct.unpack("<Q", b)[0]
        fcntl.ioctl(fd, 0x4008941a, struct.pack("<Q", set_to))
        return None
    finally:
        os.close(fd)


SUBVOL_CREATE_V2 = 0x50009418
SNAP_CREATE_V2 = 0x50009417
SNAP_DESTROY_V2 = 0x5000943f


def s_subvolumes():
    """Subvolumes made by the kernel's ioctls: names never cross them (EXDEV), as under btrfs."""
    sc = "subvolumes"
    os.mkdir(p("sv-parent"))
    run(sc, "create", lambda: subvol_ioctl(SUBVOL_CREATE_V2, p("sv-parent"), "sv"))
    sv = p("sv-parent", "sv")
    st(sc, "sv", sv)
    st(sc, "parent", p("sv-parent"))
    write_file(p("sv-outside"), b"outside")
    write_file(os.path.join(sv, "inside"), b"inside")
    run(sc, "rename-in", lambda: os.rename(p("sv-outside"), os.path.join(sv, "moved")))
    run(sc, "rename-out", lambda: os.rename(os.path.join(sv, "inside"), p("moved-out")))
    run(sc, "link-in", lambda: os.link(p("sv-outside"), os.path.join(sv, "linked")))
    run(sc, "link-out", lambda: os.link(os.path.join(sv, "inside"), p("linked-out")))
    os.mkdir(os.path.join(sv, "d"))
    run(sc, "rename-dir-out", lambda: os.rename(os.path.join(sv, "d"), p("d-out")))
    run(sc, "rename-within", lambda: os.rename(os.path.join(sv, "inside"),
                                               os.path.join(sv, "d", "inside")))
    listing(sc, "sv", sv)
    run(sc, "getflags", lambda: subvol_flags(sv))
    run(sc, "getflags-not-subvol", lambda: subvol_flags(os.path.join(sv, "d")))
    run(sc, "set-ro", lambda: subvol_flags(sv, 2))
    run(sc, "getflags-ro", lambda: subvol_flags(sv))
    run(sc, "write-ro", lambda: write_file(os.path.join(sv, "ro-write"), b"no"))
    run(sc, "setflags-bad", lambda: subvol_flags(sv, 4))
    run(sc, "set-rw", lambda: subvol_flags(sv, 0))
    run(sc, "write-rw", lambda: write_file(os.path.join(sv, "rw-write"), b"yes"))
    run(sc, "snapshot", lambda: subvol_ioctl(SNAP_CREATE_V2, ROOT, "sv-snap", src=sv))
    listing(sc, "snapshot", p("sv-snap"))
    run(sc, "snap-content", lambda: read_file(p("sv-snap", "d", "inside")))
    run(sc, "snap-exists", lambda: subvol_ioctl(SNAP_CREATE_V2, ROOT, "sv-snap", src=sv))
    run(sc, "rmdir-full", lambda: os.rmdir(sv))
    run(sc, "unlink-subvol", lambda: os.unlink(sv))
    run(sc, "destroy-snap", lambda: subvol_ioctl(SNAP_DESTROY_V2, ROOT, "sv-snap"))
    run(sc, "snap-gone", lambda: os.path.exists(p("sv-snap")))
    os.unlink(os.path.join(sv, "d", "inside"))
    os.rmdir(os.path.join(sv, "d"))
    run(sc, "rmdir-empty", lambda: os.rmdir(sv))
    st(sc, "parent-after", p("sv-parent"))
    listing(sc, "parent-after", p("sv-parent"))


def statx_times(path):
    """statx(2) of path: whether the birth time is reported, and (btime, ctime) in nanoseconds."""
    buf = ctypes.create_string_buffer(256)
    AT_FDCWD, AT_SYMLINK_NOFOLLOW, STATX_ALL = -100, 0x100, 0xfff
    if libc.syscall(332, AT_FDCWD, path.encode(), AT_SYMLINK_NOFOLLOW, STATX_ALL, buf) < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), path)
    raw = buf.raw
    mask = int.from_bytes(raw[0:4], "little")
    def ns(off):
        return (int.from_bytes(raw[off:off + 8], "little", signed=True) * 10**9
                + int.from_bytes(raw[off + 8:off + 12], "little"))
    return bool(mask & 0x800), ns(80), ns(96)


def s_btime():
    """statx birth time: reported, set at creation, never changed by writes, renames or links."""
    sc = "btime"
    births = {}

    def look(step, path, key):
        def check():
            has, btime, ctime = statx_times(path)
            first = key not in births
            births.setdefault(key, btime)
            rel = "first" if first else ("same" if btime == births[key] else "CHANGED")
            order = "=" if btime == ctime else ("<" if btime < ctime else ">")
            return f"btime={'yes' if has else 'no'} {rel} btime{order}ctime"
        run(sc, step, check)

    # Created by one call: a write in the same clock tick would leave the kernel's ctime as it
    # was (its coarse timestamps), which the daemon's own clock does not reproduce.
    os.close(os.open(p("bt"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    look("created", p("bt"), "bt")
    write_file(p("bt"), b"more", os.O_WRONLY | os.O_APPEND)
    look("after-write", p("bt"), "bt")
    os.chmod(p("bt"), 0o600)
    look("after-chmod", p("bt"), "bt")
    os.rename(p("bt"), p("bt2"))
    look("after-rename", p("bt2"), "bt")
    os.link(p("bt2"), p("bt3"))
    look("after-link", p("bt3"), "bt")
    os.mkdir(p("btd"))
    look("dir-created", p("btd"), "btd")
    write_file(p("btd", "f"), b"")
    look("dir-after-create-inside", p("btd"), "btd")
    os.symlink("target", p("bts"))
    look("symlink", p("bts"), "bts")
    run(sc, "missing", lambda: statx_times(p("no-such-file")))


def fs_label(path, new=None):
    """FS_IOC_GETFSLABEL, or FS_IOC_SETFSLABEL with the 256-byte field {@code new}."""
    import fcntl
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if new is None:
            buf = bytearray(256)
            fcntl.ioctl(fd, 0x81009431, buf, True)
            return bytes(buf).split(b"\0", 1)[0]
        fcntl.ioctl(fd, 0x41009432, new.ljust(256, b"\0")[:256])
    finally:
        os.close(fd)


def s_label():
    """The filesystem label through the FS_IOC_GET/SETFSLABEL ioctls."""
    sc = "label"
    run(sc, "get-fresh", lambda: fs_label(ROOT))
    run(sc, "set", lambda: fs_label(ROOT, b"posix label"))
    run(sc, "get", lambda: fs_label(ROOT))
    run(sc, "set-255", lambda: fs_label(ROOT, b"L" * 255))
    run(sc, "get-255", lambda: len(fs_label(ROOT)))
    run(sc, "set-256", lambda: fs_label(ROOT, b"M" * 256))
    run(sc, "get-after-256", lambda: len(fs_label(ROOT)))
    write_file(p("label-file"), b"")
    run(sc, "get-on-a-file", lambda: fs_label_of_file(p("label-file")))
    run(sc, "set-utf8", lambda: fs_label(ROOT, "ünïcode".encode()))
    run(sc, "get-utf8", lambda: fs_label(ROOT))


def fs_label_of_file(path):
    import fcntl
    fd = os.open(path, os.O_RDONLY)
    try:
        buf = bytearray(256)
        fcntl.ioctl(fd, 0x81009431, buf, True)
        return bytes(buf).split(b"\0", 1)[0]
    finally:
        os.close(fd)


def s_seek():
    """lseek SEEK_DATA and SEEK_HOLE over data, gaps, preallocated extents and buffered writes."""
    sc = "seek"
    K = 4096

    def probe(step, path, offsets):
        fd = os.open(path, os.O_RDONLY)
        try:
            for off in offsets:
                for name, whence in (("data", os.SEEK_DATA), ("hole", os.SEEK_HOLE)):
                    run(sc, f"{step}-{name}@{off}", lambda: os.lseek(fd, off, whence))
        finally:
            os.close(fd)

    fd = os.open(p("sparse"), os.O_WRONLY | os.O_CREAT, 0o644)
    os.pwrite(fd, b"a" * K, 0)
    os.pwrite(fd, b"b" * K, 64 * K)
    os.ftruncate(fd, 256 * K)
    os.fsync(fd)
    os.close(fd)
    probe("sparse", p("sparse"), [0, 100, K, 10 * K, 64 * K, 65 * K, 255 * K, 256 * K, 300 * K])

    fd = os.open(p("prealloc"), os.O_WRONLY | os.O_CREAT, 0o644)
    os.posix_fallocate(fd, 0, 128 * K)
    os.pwrite(fd, b"c" * K, 32 * K)
    os.fsync(fd)
    os.close(fd)
    probe("prealloc", p("prealloc"), [0, 32 * K, 33 * K, 127 * K])

    fd = os.open(p("buffered"), os.O_WRONLY | os.O_CREAT, 0o644)
    os.pwrite(fd, b"d" * K, 16 * K)
    os.ftruncate(fd, 64 * K)
    probe("buffered", p("buffered"), [0, 16 * K, 20 * K])
    os.close(fd)

    write_file(p("small"), b"tiny")
    probe("small", p("small"), [0, 3, 4])
    write_file(p("empty"), b"")
    probe("empty", p("empty"), [0])


def renameat2(old, new, flags):
    if libc.syscall(316, -100, old.encode(), -100, new.encode(), flags) < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), old)


def s_rename2():
    """renameat2: RENAME_EXCHANGE and RENAME_WHITEOUT."""
    sc = "rename2"
    NOREPLACE, EXCHANGE, WHITEOUT = 1, 2, 4
    os.mkdir(p("x"))
    os.mkdir(p("x", "sub"))
    os.mkdir(p("y"))
    write_file(p("x", "a"), b"contents of a")
    write_file(p("y", "b"), b"b")
    st(sc, "a-before", p("x", "a"), "a")
    st(sc, "b-before", p("y", "b"), "b")
    st(sc, "x-before", p("x"), "x")
    run(sc, "exchange-files", lambda: renameat2(p("x", "a"), p("y", "b"), EXCHANGE))
    run(sc, "read-x-a", lambda: read_file(p("x", "a")))
    run(sc, "read-y-b", lambda: read_file(p("y", "b")))
    st(sc, "a-after", p("y", "b"), "a")
    st(sc, "b-after", p("x", "a"), "b")
    st(sc, "x-after", p("x"), "x")
    run(sc, "exchange-file-and-dir", lambda: renameat2(p("x", "sub"), p("y", "b"), EXCHANGE))
    listing(sc, "x", p("x"))
    listing(sc, "y", p("y"))
    run(sc, "dotdot-of-moved-dir", lambda: os.stat(p("y", "b", "..")).st_ino == os.stat(p("y")).st_ino)
    run(sc, "exchange-missing", lambda: renameat2(p("x", "a"), p("y", "nothing"), EXCHANGE))
    run(sc, "exchange-noreplace", lambda: renameat2(p("x", "a"), p("y", "b"), EXCHANGE | NOREPLACE))
    run(sc, "exchange-into-itself", lambda: renameat2(p("y"), p("y", "b", "z"), EXCHANGE))
    write_file(p("y", "b", "z"), b"")
    run(sc, "exchange-dir-with-its-child", lambda: renameat2(p("y"), p("y", "b", "z"), EXCHANGE))
    run(sc, "exchange-same", lambda: renameat2(p("x", "a"), p("x", "a"), EXCHANGE))
    run(sc, "whiteout", lambda: renameat2(p("x", "a"), p("x", "w"), WHITEOUT))
    st(sc, "whiteout-left", p("x", "a"))
    st(sc, "whiteout-moved", p("x", "w"))
    listing(sc, "x-whiteout", p("x"))
    run(sc, "whiteout-noreplace-existing", lambda: renameat2(p("x", "w"), p("y", "b", "z"), WHITEOUT | NOREPLACE))
    run(sc, "whiteout-exchange", lambda: renameat2(p("x", "w"), p("y", "b", "z"), WHITEOUT | EXCHANGE))
    run(sc, "unknown-flag", lambda: renameat2(p("x", "w"), p("x", "w2"), 8))


def link_fd(fd, path):
    """linkat(AT_FDCWD, "/proc/self/fd/N", AT_FDCWD, path, AT_SYMLINK_FOLLOW): names an open file.
    (Python's os.link calls link(2), which would link the /proc symlink itself.)"""
    src = f"/proc/self/fd/{fd}".encode()
    if libc.linkat(-100, src, -100, path.encode(), 0x400) < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), path)


def s_tmpfile():
    """O_TMPFILE: an unnamed file, linked in with linkat (unless O_EXCL), gone when closed."""
    sc = "tmpfile"
    os.mkdir(p("tmpd"))
    fd = run(sc, "open", lambda: os.open(p("tmpd"), os.O_TMPFILE | os.O_RDWR, 0o640))
    if fd is None:
        return
    run(sc, "write", lambda: os.write(fd, b"unnamed data"))
    fst(sc, "unnamed", fd, "tmp")
    listing(sc, "empty", p("tmpd"))
    run(sc, "link", lambda: link_fd(fd, p("tmpd", "named")))
    st(sc, "named", p("tmpd", "named"), "tmp")
    os.close(fd)
    run(sc, "read-named", lambda: read_file(p("tmpd", "named")))
    fd = run(sc, "open-excl", lambda: os.open(p("tmpd"), os.O_TMPFILE | os.O_WRONLY | os.O_EXCL, 0o600))
    if fd is not None:
        run(sc, "link-excl", lambda: link_fd(fd, p("tmpd", "never")))
        os.close(fd)
    fd = run(sc, "open-unlinked", lambda: os.open(p("tmpd"), os.O_TMPFILE | os.O_WRONLY, 0o600))
    if fd is not None:
        os.write(fd, b"x" * 100000)
        os.close(fd)
    listing(sc, "after", p("tmpd"))
    run(sc, "on-a-file", lambda: os.open(p("tmpd", "named"), os.O_TMPFILE | os.O_RDWR, 0o600))
    run(sc, "read-only", lambda: os.open(p("tmpd"), os.O_TMPFILE | os.O_RDONLY, 0o600))


def s_copy_range():
    """copy_file_range: shared or copied, the bytes and sizes as the kernel leaves them."""
    sc = "copy_range"
    K = 4096
    write_file(p("cr-src"), bytes(range(256)) * 64 + b"tail")
    src = os.open(p("cr-src"), os.O_RDONLY)
    dst = os.open(p("cr-dst"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        run(sc, "aligned", lambda: os.copy_file_range(src, dst, 2 * K, 0, 0))
        run(sc, "to-eof", lambda: os.copy_file_range(src, dst, 100000, 2 * K, 8 * K))
        run(sc, "unaligned", lambda: os.copy_file_range(src, dst, 100, 7, 3))
        run(sc, "past-eof", lambda: os.copy_file_range(src, dst, 100, 1 << 20, 0))
        run(sc, "same-file-overlap", lambda: os.copy_file_range(dst, dst, 100, 0, 50))
        run(sc, "same-file-apart", lambda: os.copy_file_range(dst, dst, K, 0, 16 * K))
        run(sc, "bad-flags", lambda: libc_copy(src, dst, 10, 1))
        run(sc, "read", lambda: hashlib_sha(read_file(p("cr-dst"))))
        st(sc, "dst", p("cr-dst"))
    finally:
        os.close(src)
        os.close(dst)
    ro = os.open(p("cr-src"), os.O_RDONLY)
    try:
        run(sc, "into-read-only-fd", lambda: os.copy_file_range(ro, ro, 10, 0, 20000))
    finally:
        os.close(ro)


def libc_copy(src, dst, n, flags):
    off_in = ctypes.c_int64(0)
    off_out = ctypes.c_int64(0)
    r = libc.syscall(326, src, ctypes.byref(off_in), dst, ctypes.byref(off_out), ctypes.c_size_t(n), flags)
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r


def hashlib_sha(data):
    import hashlib
    return hashlib.sha256(data).hexdigest()[:16] + f" ({len(data)} bytes)"


SCENARIOS = [s_create, s_append, s_eof, s_sparse, s_truncate, s_dirs, s_rename, s_links,
             s_symlink, s_mknod, s_attrs, s_times, s_xattr, s_names, s_unlinked_open,
             s_sync_statfs_access, s_atime, s_open_replaced, s_killpriv, s_readdir_renaming,
             s_subvolumes, s_btime, s_label, s_seek, s_rename2, s_tmpfile,
             s_copy_range,
             s_final]

if __name__ == "__main__":
    os.umask(0o022)
    only = sys.argv[2:]
    for s in SCENARIOS:
        if only and s.__name__[2:] not in only:
            continue
        try:
            s()
        except OSError as e:
            # A setup step (not itself a compared step) failed: say so and go on with the rest.
            emit(s.__name__[2:], "setup-failed", errno.errorcode.get(e.errno, str(e.errno)) + " " + str(e))
