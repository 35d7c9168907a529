#!/usr/bin/env python3
"""Inode flag (chattr/lsattr) scenarios for comparing two btrfs drivers.

usage: chattr_scenarios.py MOUNTPOINT

Sets and clears every flag btrfs knows (a i d A S c C m, and some it does not) on files and
directories with chattr and with the raw ioctls (FS_IOC_GETFLAGS/SETFLAGS, FS_IOC_FSGETXATTR/
FSSETXATTR), shows lsattr and the btrfs.compression property after each, and tries what immutable
and append-only inodes must refuse, as root and as their non-root owner. Prints one line per step:
"scenario step -> OK [value]" or "scenario step -> ERRNO_NAME".
"""
import errno
import fcntl
import os
import shutil
import struct
import subprocess
import sys

ROOT = sys.argv[1]
# A missing tool would fail alike on both mounts (ENOENT) and so agree: refuse to run instead.
for tool in ("chattr", "lsattr"):
    if shutil.which(tool) is None:
        sys.exit(f"chattr_scenarios.py: {tool} is not installed (package e2fsprogs)")
OWNER = 4321

FS_IOC_GETFLAGS = 0x80086601
FS_IOC_SETFLAGS = 0x40086602
FS_IOC_FSGETXATTR = 0x801C581F
FS_IOC_FSSETXATTR = 0x401C5820


def p(*parts):
    return os.path.join(ROOT, *parts)


def emit(scenario, step, result):
    print(f"{scenario} {step} -> {result}", flush=True)


def run(scenario, step, fn):
    try:
        v = fn()
    except OSError as e:
        emit(scenario, step, errno.errorcode.get(e.errno, str(e.errno)))
        return None
    emit(scenario, step, "OK" + ("" if v is None else " " + str(v)))
    return v


def as_user(scenario, step, uid, fn):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            v = fn()
            out = "OK" + ("" if v is None else " " + str(v))
        except OSError as e:
            out = errno.errorcode.get(e.errno, str(e.errno))
        except BaseException as e:
            out = "EXCEPTION " + repr(e)
        os.write(w, out.encode())
        os._exit(0)
    os.close(w)
    data = b""
    while True:
        b = os.read(r, 4096)
        if not b:
            break
        data += b
    os.close(r)
    os.waitpid(pid, 0)
    emit(scenario, step, data.decode())


def sh(*cmd):
    r = subprocess.run(list(cmd), capture_output=True, text=True, cwd=ROOT)
    out = (r.stdout + r.stderr).replace(ROOT, "M").strip().replace("\n", ";")
    return f"rc={r.returncode} {out}"


def lsattr(name):
    return sh("lsattr", "-d", name)


def prop(name):
    try:
        return os.getxattr(p(name), "btrfs.compression").decode()
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def getflags(name):
    fd = os.open(p(name), os.O_RDONLY | os.O_NONBLOCK)
    try:
        buf = fcntl.ioctl(fd, FS_IOC_GETFLAGS, struct.pack("l", 0))
        return hex(struct.unpack("l", buf)[0])
    finally:
        os.close(fd)


def setflags(name, flags):
    fd = os.open(p(name), os.O_RDONLY | os.O_NONBLOCK)
    try:
        fcntl.ioctl(fd, FS_IOC_SETFLAGS, struct.pack("l", flags))
    finally:
        os.close(fd)


def fsgetxattr(name):
    fd = os.open(p(name), os.O_RDONLY | os.O_NONBLOCK)
    try:
        buf = fcntl.ioctl(fd, FS_IOC_FSGETXATTR, bytes(28))
        x = struct.unpack("IIIII8x", buf)
        return f"xflags={hex(x[0])} extsize={x[1]} nextents={x[2]} projid={x[3]} cow={x[4]}"
    finally:
        os.close(fd)


def fssetxattr(name, xflags, extsize=0, projid=0):
    fd = os.open(p(name), os.O_RDONLY | os.O_NONBLOCK)
    try:
        fcntl.ioctl(fd, FS_IOC_FSSETXATTR, struct.pack("IIIII8x", xflags, extsize, 0, projid, 0))
    finally:
        os.close(fd)


def make(name, data=b"", perm=0o644, uid=0):
    with open(p(name), "wb") as f:
        f.write(data)
    os.chown(p(name), uid, uid)
    os.chmod(p(name), perm)


def s_each_flag():
    sc = "flags"
    make("f")
    os.mkdir(p("d"))
    for target in ("f", "d"):
        run(sc, f"lsattr-new-{target}", lambda t=target: lsattr(t))
        run(sc, f"getflags-new-{target}", lambda t=target: getflags(t))
        for flag in "aidASmc":
            run(sc, f"{target}+{flag}", lambda t=target, fl=flag: sh("chattr", "+" + fl, t))
            run(sc, f"{target}+{flag}-lsattr", lambda t=target: lsattr(t))
            run(sc, f"{target}+{flag}-prop", lambda t=target: prop(t))
            run(sc, f"{target}+{flag}-fsx", lambda t=target: fsgetxattr(t))
            run(sc, f"{target}-{flag}", lambda t=target, fl=flag: sh("chattr", "-" + fl, t))
            run(sc, f"{target}-{flag}-lsattr", lambda t=target: lsattr(t))
            run(sc, f"{target}-{flag}-prop", lambda t=target: prop(t))
        run(sc, f"{target}+C", lambda t=target: sh("chattr", "+C", t))
        run(sc, f"{target}+C-lsattr", lambda t=target: lsattr(t))
        run(sc, f"{target}+C+c", lambda t=target: sh("chattr", "+c", t))
        run(sc, f"{target}+C+m", lambda t=target: sh("chattr", "+m", t))
        run(sc, f"{target}-C", lambda t=target: sh("chattr", "-C", t))
        run(sc, f"{target}-C-lsattr", lambda t=target: lsattr(t))
        run(sc, f"{target}+cm", lambda t=target: sh("chattr", "+cm", t))
        run(sc, f"{target}+c+C", lambda t=target: (sh("chattr", "+c", t), sh("chattr", "+C", t)))
        run(sc, f"{target}=-lsattr", lambda t=target: (sh("chattr", "=", t), lsattr(t))[1])
        run(sc, f"{target}-prop-final", lambda t=target: prop(t))
    # NOCOW takes on an empty file only; written data keeps its checksums and its flag off.
    make("full", b"x" * 5000)
    run(sc, "full+C", lambda: sh("chattr", "+C", "full"))
    run(sc, "full+C-lsattr", lambda: lsattr("full"))
    make("empty")
    run(sc, "empty+C", lambda: sh("chattr", "+C", "empty"))
    run(sc, "empty+C-write", lambda: (open(p("empty"), "ab").write(b"y" * 100), lsattr("empty"))[1])
    run(sc, "empty-C-after-write", lambda: (sh("chattr", "-C", "empty"), lsattr("empty"))[1])
    # Several at once, and = to set exactly.
    run(sc, "f=aA", lambda: (sh("chattr", "=aAd", "f"), lsattr("f"))[1])
    run(sc, "f-all", lambda: (sh("chattr", "-aAd", "f"), lsattr("f"))[1])
    # Flags btrfs does not have.
    for flag, bits in (("e", 0x80000), ("j", 0x4000), ("t", 0x8000), ("u", 0x2), ("s", 0x1)):
        run(sc, f"unknown-{flag}", lambda b=bits: setflags("f", b))
    run(sc, "unknown-lsattr", lambda: lsattr("f"))
    run(sc, "ioctl-set-a", lambda: setflags("f", 0x20))
    run(sc, "ioctl-get", lambda: getflags("f"))
    run(sc, "ioctl-clear", lambda: setflags("f", 0))
    # FS_IOC_FSSETXATTR: the common flags only; what btrfs lacks is refused.
    run(sc, "fsx-noatime", lambda: fssetxattr("f", 0x40))
    run(sc, "fsx-noatime-lsattr", lambda: lsattr("f"))
    run(sc, "fsx-get", lambda: fsgetxattr("f"))
    run(sc, "fsx-extsize", lambda: fssetxattr("f", 0, extsize=4096))
    run(sc, "fsx-projid", lambda: fssetxattr("f", 0, projid=7))
    run(sc, "fsx-realtime", lambda: fssetxattr("f", 0x1))
    run(sc, "fsx-clear", lambda: fssetxattr("f", 0))
    run(sc, "fsx-clear-lsattr", lambda: lsattr("f"))
    # A special file: no flags through the ioctls.
    os.mkfifo(p("fifo"))
    run(sc, "fifo-getflags", lambda: getflags("fifo"))


def s_inherit():
    sc = "inherit"
    os.mkdir(p("nc"))
    run(sc, "dir+C", lambda: sh("chattr", "+C", "nc"))
    make("nc/f")
    os.mkdir(p("nc", "sub"))
    run(sc, "file-in-C", lambda: lsattr("nc/f"))
    run(sc, "dir-in-C", lambda: lsattr("nc/sub"))
    os.mkdir(p("cz"))
    run(sc, "dir+c", lambda: sh("chattr", "+c", "cz"))
    make("cz/f")
    run(sc, "file-in-c", lambda: lsattr("cz/f"))
    run(sc, "prop-in-c", lambda: prop("cz/f"))


def pset(name, value):
    os.setxattr(p(name), "btrfs.compression", value)
    return lsattr(name) + " " + prop(name)


def s_property():
    sc = "property"
    make("pf")
    for v in (b"zstd", b"none", b"no", b"zstd:3", b"zlibx", b"lzo", b"", b"bogus", b"zlib"):
        run(sc, f"set-{v.decode() or 'empty'}", lambda v=v: pset("pf", v))
    run(sc, "remove", lambda: (os.removexattr(p("pf"), "btrfs.compression"), lsattr("pf"))[1])
    run(sc, "remove-missing", lambda: os.removexattr(p("pf"), "btrfs.compression"))
    run(sc, "empty-missing", lambda: os.setxattr(p("pf"), "btrfs.compression", b""))
    run(sc, "replace-missing", lambda: os.setxattr(p("pf"), "btrfs.compression", b"zstd", os.XATTR_REPLACE))
    os.mkfifo(p("pfifo"))
    run(sc, "fifo-set", lambda: os.setxattr(p("pfifo"), "btrfs.compression", b"zstd"))
    run(sc, "fifo-get", lambda: prop("pfifo"))
    run(sc, "fifo-bogus", lambda: os.setxattr(p("pfifo"), "btrfs.compression", b"bogus"))
    run(sc, "fifo-remove", lambda: os.removexattr(p("pfifo"), "btrfs.compression"))
    make("pnocow")
    run(sc, "nocow+C", lambda: sh("chattr", "+C", "pnocow"))
    for v in (b"zstd", b"none", b""):
        run(sc, f"nocow-set-{v.decode() or 'empty'}", lambda v=v: pset("pnocow", v))
    # What a directory passes on: the algorithm (by its name) and the flags, never "none".
    for d, v in (("plzo", b"lzo"), ("pzstd3", b"zstd:3"), ("pnone", b"none")):
        os.mkdir(p(d))
        run(sc, f"{d}-set", lambda d=d, v=v: pset(d, v))
        make(f"{d}/f")
        os.mkdir(p(d, "sub"))
        os.mkfifo(p(d, "fifo"))
        os.symlink("f", p(d, "link"))
        for child in ("f", "sub"):
            run(sc, f"{d}/{child}", lambda c=f"{d}/{child}": lsattr(c) + " " + prop(c))
        run(sc, f"{d}/fifo", lambda c=f"{d}/fifo": prop(c))
        run(sc, f"{d}/link", lambda c=f"{d}/link": os.getxattr(p(c), "btrfs.compression", follow_symlinks=False))
        make(f"{d}/sub/deep")
        run(sc, f"{d}/sub/deep", lambda c=f"{d}/sub/deep": lsattr(c) + " " + prop(c))
    # Data written under a property is compressed with its algorithm: the kernel reads it back.
    with open(p("plzo", "data"), "wb") as f:
        f.write(b"compressible " * 40000)
    run(sc, "lzo-data", lambda: len(open(p("plzo", "data"), "rb").read()))
    # +A: reading leaves the access time alone.
    make("noatime", b"x" * 100)
    os.utime(p("noatime"), (1000, 2000))
    run(sc, "noatime+A", lambda: sh("chattr", "+A", "noatime"))
    run(sc, "noatime-read", lambda: (open(p("noatime"), "rb").read(), os.stat(p("noatime")).st_atime)[1])
    make("atime", b"x" * 100)
    os.utime(p("atime"), (1000, 2000))
    run(sc, "atime-read", lambda: (open(p("atime"), "rb").read(), os.stat(p("atime")).st_atime > 1000)[1])


def s_immutable():
    sc = "immutable"
    make("i", b"data\n")
    os.mkdir(p("idir"))
    make("idir/x", b"x")
    run(sc, "set", lambda: sh("chattr", "+i", "i", "idir"))
    run(sc, "read", lambda: len(open(p("i"), "rb").read()))
    run(sc, "open-write", lambda: os.close(os.open(p("i"), os.O_WRONLY)))
    run(sc, "open-append", lambda: os.close(os.open(p("i"), os.O_WRONLY | os.O_APPEND)))
    run(sc, "open-trunc", lambda: os.close(os.open(p("i"), os.O_RDONLY | os.O_TRUNC)))
    run(sc, "truncate", lambda: os.truncate(p("i"), 0))
    run(sc, "chmod", lambda: os.chmod(p("i"), 0o600))
    run(sc, "chown", lambda: os.chown(p("i"), 1, 1))
    run(sc, "utime-now", lambda: os.utime(p("i")))
    run(sc, "utime-set", lambda: os.utime(p("i"), (1, 1)))
    run(sc, "setxattr", lambda: os.setxattr(p("i"), "user.k", b"v"))
    run(sc, "setfacl", lambda: sh("setfacl", "-m", "u:nobody:r", "i"))
    run(sc, "unlink", lambda: os.unlink(p("i")))
    run(sc, "rename", lambda: os.rename(p("i"), p("i2")))
    run(sc, "link", lambda: os.link(p("i"), p("i3")))
    run(sc, "in-dir-create", lambda: make("idir/new"))
    run(sc, "in-dir-mkdir", lambda: os.mkdir(p("idir", "sub")))
    run(sc, "in-dir-symlink", lambda: os.symlink("x", p("idir", "l")))
    run(sc, "in-dir-unlink", lambda: os.unlink(p("idir", "x")))
    run(sc, "in-dir-rename", lambda: os.rename(p("idir", "x"), p("idir", "y")))
    run(sc, "in-dir-write-file", lambda: open(p("idir", "x"), "ab").write(b"more"))
    run(sc, "rmdir", lambda: os.rmdir(p("idir")))
    run(sc, "lsattr", lambda: lsattr("i"))
    as_user(sc, "owner-clear", OWNER, lambda: setflags("i", 0))
    run(sc, "clear", lambda: sh("chattr", "-i", "i", "idir"))
    run(sc, "write-after-clear", lambda: open(p("i"), "ab").write(b"more"))
    # A descriptor opened for writing before +i.
    fd = os.open(p("i"), os.O_WRONLY)
    run(sc, "set-while-open", lambda: sh("chattr", "+i", "i"))
    run(sc, "write-open-fd", lambda: os.pwrite(fd, b"late", 0))
    run(sc, "ftruncate-open-fd", lambda: os.ftruncate(fd, 1))
    os.close(fd)
    run(sc, "content", lambda: open(p("i"), "rb").read())
    run(sc, "clear-again", lambda: sh("chattr", "-i", "i"))


def s_append_only():
    sc = "append"
    make("a", b"data\n")
    os.mkdir(p("adir"))
    make("adir/x", b"x")
    run(sc, "set", lambda: sh("chattr", "+a", "a", "adir"))
    run(sc, "open-write", lambda: os.close(os.open(p("a"), os.O_WRONLY)))
    run(sc, "open-rdwr", lambda: os.close(os.open(p("a"), os.O_RDWR)))
    run(sc, "open-trunc", lambda: os.close(os.open(p("a"), os.O_WRONLY | os.O_APPEND | os.O_TRUNC)))

    def append():
        fd = os.open(p("a"), os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, b"appended\n")
        finally:
            os.close(fd)
        return open(p("a"), "rb").read()

    run(sc, "append", append)
    run(sc, "truncate", lambda: os.truncate(p("a"), 0))
    run(sc, "chmod", lambda: os.chmod(p("a"), 0o600))
    run(sc, "utime-now", lambda: os.utime(p("a")))
    run(sc, "utime-set", lambda: os.utime(p("a"), (1, 1)))
    run(sc, "setxattr", lambda: os.setxattr(p("a"), "user.k", b"v"))
    run(sc, "unlink", lambda: os.unlink(p("a")))
    run(sc, "rename", lambda: os.rename(p("a"), p("a2")))
    run(sc, "link", lambda: os.link(p("a"), p("a3")))

    def falloc(mode):
        fd = os.open(p("a"), os.O_WRONLY | os.O_APPEND)
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
            if libc.fallocate(fd, mode, 0, 4096) != 0:
                e = ctypes.get_errno()
                raise OSError(e, os.strerror(e))
        finally:
            os.close(fd)

    run(sc, "fallocate-keep-size", lambda: falloc(1))
    run(sc, "fallocate-punch", lambda: falloc(3))
    run(sc, "in-dir-create", lambda: make("adir/new"))
    run(sc, "in-dir-unlink", lambda: os.unlink(p("adir", "x")))
    run(sc, "in-dir-rename", lambda: os.rename(p("adir", "x"), p("adir", "y")))
    run(sc, "lsattr", lambda: lsattr("a"))
    run(sc, "clear", lambda: sh("chattr", "-a", "a", "adir"))
    run(sc, "unlink-after-clear", lambda: os.unlink(p("a")))


def s_owner():
    sc = "owner"
    make("o", uid=OWNER)
    as_user(sc, "owner+A", OWNER, lambda: setflags("o", 0x80))
    run(sc, "lsattr", lambda: lsattr("o"))
    as_user(sc, "owner+i", OWNER, lambda: setflags("o", 0x80 | 0x10))
    as_user(sc, "owner+a", OWNER, lambda: setflags("o", 0x80 | 0x20))
    as_user(sc, "other+d", 4322, lambda: setflags("o", 0x40))
    as_user(sc, "other-lsattr", 4322, lambda: getflags("o"))
    run(sc, "root+i", lambda: sh("chattr", "+i", "o"))
    as_user(sc, "owner-A-while-i", OWNER, lambda: setflags("o", 0x10))
    run(sc, "lsattr-2", lambda: lsattr("o"))
    run(sc, "root-i", lambda: sh("chattr", "-i", "o"))


def main():
    os.chmod(ROOT, 0o755)
    for s in (s_each_flag, s_inherit, s_property, s_immutable, s_append_only, s_owner):
        s()
    # Leave the protected inodes protected: the final lsattr listing is compared on a kernel mount.
    make("keep-i", b"kept")
    subprocess.run(["chattr", "+i", p("keep-i")], check=True)
    make("keep-aS", b"kept")
    subprocess.run(["chattr", "+aS", p("keep-aS")], check=True)


main()
