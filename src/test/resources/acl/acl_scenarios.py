#!/usr/bin/env python3
"""POSIX ACL scenarios for comparing two btrfs drivers.

usage: acl_scenarios.py MOUNTPOINT

Runs every scenario inside MOUNTPOINT (an empty, freshly made filesystem, mounted so that other
users may enter it) and prints one line per step: "scenario step -> OK [value]" or
"scenario step -> ERRNO_NAME". Steps run as root or, in a forked child, as another user with the
groups it is given, so every access decision (named users and groups, the mask, default ACL
inheritance, chmod's rewrite of the mask, set-gid clearing) is compared, errno included.
"""
import errno
import os
import shutil
import stat
import subprocess
import sys

ROOT = sys.argv[1]
# A missing tool would fail alike on both mounts (ENOENT) and so agree: refuse to run instead.
for tool in ("setfacl", "getfacl"):
    if shutil.which(tool) is None:
        sys.exit(f"acl_scenarios.py: {tool} is not installed (package acl; scripts/install-deps)")
NOBODY = 65534
OTHER_USER = 4321
GROUP_A = 5001
GROUP_B = 5002


def p(*parts):
    return os.path.join(ROOT, *parts)


def emit(scenario, step, result):
    print(f"{scenario} {step} -> {result}", flush=True)


def name(e):
    return errno.errorcode.get(e, str(e))


def run(scenario, step, fn):
    try:
        v = fn()
    except OSError as e:
        emit(scenario, step, name(e.errno))
        return None
    emit(scenario, step, "OK" + ("" if v is None else " " + str(v)))
    return v


def as_user(scenario, step, uid, gid, groups, fn, umask=0o022):
    """Runs fn in a child with the given credentials; prints its outcome."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            os.setgroups(groups)
            os.setgid(gid)
            os.setuid(uid)
            os.umask(umask)
            v = fn()
            out = "OK" + ("" if v is None else " " + str(v))
        except OSError as e:
            out = name(e.errno)
        except BaseException as e:  # anything else is a bug in the scenario: show it
            out = "EXCEPTION " + repr(e)
        os.write(w, out.encode())
        os._exit(0)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 4096)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    os.waitpid(pid, 0)
    emit(scenario, step, b"".join(chunks).decode())


def sh(*cmd):
    """A command's exit status and output, with the mountpoint made relative."""
    r = subprocess.run(list(cmd), capture_output=True, text=True, cwd=ROOT)
    out = (r.stdout + r.stderr).replace(ROOT, "M").strip().replace("\n", ";")
    return f"rc={r.returncode} {out}"


def getfacl(path):
    return sh("getfacl", "-p", "-n", os.path.relpath(path, ROOT))


def mode(path):
    s = os.lstat(path)
    return f"{oct(s.st_mode)} uid={s.st_uid} gid={s.st_gid}"


def make(path, data=b"data\n", perm=0o644, uid=0, gid=0):
    with open(path, "wb") as f:
        f.write(data)
    os.chown(path, uid, gid)
    os.chmod(path, perm)


def read(path):
    with open(path, "rb") as f:
        return len(f.read())


def write(path):
    fd = os.open(path, os.O_WRONLY)
    try:
        return os.write(fd, b"x")
    finally:
        os.close(fd)


def create(path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    os.close(fd)
    return mode(path)


def s_named_entries():
    sc = "named"
    os.mkdir(p("n"))
    os.chmod(p("n"), 0o755)
    make(p("n", "f"))
    run(sc, "deny-nobody", lambda: sh("setfacl", "-m", "u:nobody:---", "n/f"))
    as_user(sc, "nobody-read-denied", NOBODY, NOBODY, [], lambda: read(p("n", "f")))
    as_user(sc, "other-read-allowed", OTHER_USER, OTHER_USER, [], lambda: read(p("n", "f")))
    make(p("n", "g"), perm=0o600)
    run(sc, "allow-nobody", lambda: sh("setfacl", "-m", "u:nobody:r", "n/g"))
    as_user(sc, "nobody-read-allowed", NOBODY, NOBODY, [], lambda: read(p("n", "g")))
    as_user(sc, "nobody-write-denied", NOBODY, NOBODY, [], lambda: write(p("n", "g")))
    as_user(sc, "other-read-denied", OTHER_USER, OTHER_USER, [], lambda: read(p("n", "g")))
    run(sc, "getfacl-g", lambda: getfacl(p("n", "g")))
    run(sc, "mode-g", lambda: mode(p("n", "g")))
    # A named group, reached through a supplementary group.
    make(p("n", "h"), perm=0o600)
    run(sc, "allow-group", lambda: sh("setfacl", "-m", f"g:{GROUP_A}:rw", "n/h"))
    as_user(sc, "member-write", OTHER_USER, OTHER_USER, [GROUP_A], lambda: write(p("n", "h")))
    as_user(sc, "nonmember-write", OTHER_USER, OTHER_USER, [GROUP_B], lambda: write(p("n", "h")))
    # Several matching groups: any one that grants the access is enough.
    run(sc, "deny-group-b", lambda: sh("setfacl", "-m", f"g:{GROUP_B}:---", "n/h"))
    as_user(sc, "both-groups-read", OTHER_USER, OTHER_USER, [GROUP_A, GROUP_B],
            lambda: read(p("n", "h")))
    # The mask limits named entries and the owning group, never the owner or other.
    run(sc, "mask-none", lambda: sh("setfacl", "-m", "m::---", "n/g"))
    as_user(sc, "masked-nobody-read", NOBODY, NOBODY, [], lambda: read(p("n", "g")))
    run(sc, "mode-after-mask", lambda: mode(p("n", "g")))
    # The owner is judged by the owner entry alone, even with a named entry of its own.
    make(p("n", "o"), perm=0o600, uid=NOBODY, gid=NOBODY)
    run(sc, "owner-named", lambda: sh("setfacl", "-m", "u::---,u:nobody:rw", "n/o"))
    as_user(sc, "owner-denied", NOBODY, NOBODY, [], lambda: read(p("n", "o")))
    # Execute: a named entry with x makes a file runnable for that user only.
    make(p("n", "x"), data=b"#!/bin/sh\nexit 0\n", perm=0o700)
    run(sc, "allow-exec", lambda: sh("setfacl", "-m", "u:nobody:rx", "n/x"))
    as_user(sc, "nobody-access-x", NOBODY, NOBODY, [], lambda: os.access(p("n", "x"), os.X_OK))
    as_user(sc, "other-access-x", OTHER_USER, OTHER_USER, [],
            lambda: os.access(p("n", "x"), os.X_OK))


def s_directories():
    sc = "dirs"
    os.mkdir(p("d"))
    os.chmod(p("d"), 0o700)
    make(p("d", "f"), perm=0o644)
    as_user(sc, "nobody-list-denied", NOBODY, NOBODY, [], lambda: len(os.listdir(p("d"))))
    run(sc, "allow-rx", lambda: sh("setfacl", "-m", "u:nobody:rx", "d"))
    as_user(sc, "nobody-list", NOBODY, NOBODY, [], lambda: sorted(os.listdir(p("d"))))
    as_user(sc, "nobody-create-denied", NOBODY, NOBODY, [], lambda: create(p("d", "n1")))
    run(sc, "allow-rwx", lambda: sh("setfacl", "-m", "u:nobody:rwx", "d"))
    as_user(sc, "nobody-create", NOBODY, NOBODY, [], lambda: create(p("d", "n2")))
    as_user(sc, "nobody-unlink", NOBODY, NOBODY, [], lambda: os.unlink(p("d", "f")))
    run(sc, "sticky", lambda: os.chmod(p("d"), 0o1770))
    make(p("d", "g"))
    as_user(sc, "nobody-unlink-sticky", NOBODY, NOBODY, [], lambda: os.unlink(p("d", "g")))
    run(sc, "getfacl-d", lambda: getfacl(p("d")))
    # Search only: a path through the directory but no listing.
    os.mkdir(p("s"))
    os.chmod(p("s"), 0o700)
    make(p("s", "f"))
    run(sc, "allow-x", lambda: sh("setfacl", "-m", "u:nobody:x", "s"))
    as_user(sc, "search-read", NOBODY, NOBODY, [], lambda: read(p("s", "f")))
    as_user(sc, "search-list", NOBODY, NOBODY, [], lambda: len(os.listdir(p("s"))))


def s_inheritance():
    sc = "inherit"
    os.mkdir(p("i"))
    os.chmod(p("i"), 0o755)
    run(sc, "default", lambda: sh("setfacl", "-d", "-m", "u:nobody:rwx,g::r-x,o::---", "i"))
    run(sc, "getfacl-i", lambda: getfacl(p("i")))
    os.umask(0o077)  # ignored below: the default ACL decides
    run(sc, "create-file", lambda: create(p("i", "f")))
    run(sc, "getfacl-f", lambda: getfacl(p("i", "f")))
    run(sc, "mkdir", lambda: os.mkdir(p("i", "sub"), 0o777))
    run(sc, "mode-sub", lambda: mode(p("i", "sub")))
    run(sc, "getfacl-sub", lambda: getfacl(p("i", "sub")))
    run(sc, "mkdir-deeper", lambda: os.mkdir(p("i", "sub", "deeper"), 0o750))
    run(sc, "getfacl-deeper", lambda: getfacl(p("i", "sub", "deeper")))
    run(sc, "mkfifo", lambda: os.mkfifo(p("i", "fifo"), 0o640))
    run(sc, "getfacl-fifo", lambda: getfacl(p("i", "fifo")))
    run(sc, "symlink", lambda: os.symlink("f", p("i", "link")))
    run(sc, "mode-link", lambda: mode(p("i", "link")))
    run(sc, "create-0600", lambda: os.close(os.open(p("i", "g"), os.O_CREAT | os.O_WRONLY, 0o600)))
    run(sc, "getfacl-g", lambda: getfacl(p("i", "g")))
    run(sc, "let-nobody-in", lambda: sh("setfacl", "-m", "u:nobody:rwx", "i"))
    as_user(sc, "nobody-create-inherits", NOBODY, NOBODY, [], lambda: create(p("i", "byn")),
            umask=0o077)
    run(sc, "getfacl-byn", lambda: getfacl(p("i", "byn")))
    # Without a default ACL the umask applies again.
    os.mkdir(p("u"))
    run(sc, "umask-file", lambda: create(p("u", "f")))
    run(sc, "umask-dir", lambda: (os.mkdir(p("u", "d"), 0o777), mode(p("u", "d")))[1])
    # A default ACL the mode bits can say still makes children take its bits over the umask.
    os.mkdir(p("m"))
    run(sc, "minimal-default", lambda: sh("setfacl", "-d", "-m", "u::rwx,g::rwx,o::rwx", "m"))
    run(sc, "minimal-create", lambda: create(p("m", "f")))
    run(sc, "getfacl-minimal", lambda: getfacl(p("m", "f")))
    os.umask(0o022)
    # Removing the default ACL.
    run(sc, "remove-default", lambda: sh("setfacl", "-k", "i"))
    run(sc, "getfacl-i-after", lambda: getfacl(p("i")))
    run(sc, "default-on-file", lambda: sh("setfacl", "-d", "-m", "u:nobody:r", "i/f"))


def s_chmod():
    sc = "chmod"
    make(p("c"), perm=0o640)
    run(sc, "acl", lambda: sh("setfacl", "-m", "u:nobody:rw,g:5001:r", "c"))
    run(sc, "getfacl-1", lambda: getfacl(p("c")))
    run(sc, "chmod-0604", lambda: os.chmod(p("c"), 0o604))
    run(sc, "getfacl-2", lambda: getfacl(p("c")))
    as_user(sc, "nobody-read-masked", NOBODY, NOBODY, [], lambda: read(p("c")))
    run(sc, "chmod-0664", lambda: os.chmod(p("c"), 0o664))
    as_user(sc, "nobody-write-again", NOBODY, NOBODY, [], lambda: write(p("c")))
    run(sc, "getfacl-3", lambda: getfacl(p("c")))
    # Without named entries chmod just sets the bits; the ACL stays equivalent.
    make(p("c2"), perm=0o600)
    run(sc, "minimal-acl", lambda: sh("setfacl", "-m", "o::r", "c2"))
    run(sc, "mode-c2", lambda: mode(p("c2")))
    run(sc, "list-c2", lambda: sorted(os.listxattr(p("c2"))))
    # setfacl -b removes every extended entry and keeps the mode bits it implies.
    run(sc, "remove-all", lambda: sh("setfacl", "-b", "c"))
    run(sc, "getfacl-4", lambda: getfacl(p("c")))
    run(sc, "list-c", lambda: sorted(os.listxattr(p("c"))))
    run(sc, "mode-c", lambda: mode(p("c")))


def s_ownership():
    sc = "owner"
    make(p("w"), perm=0o644, uid=NOBODY, gid=NOBODY)
    as_user(sc, "owner-setfacl", NOBODY, NOBODY, [],
            lambda: os.setxattr(p("w"), "system.posix_acl_access", acl_bytes(
                [(1, 6, -1), (2, 4, OTHER_USER), (4, 4, -1), (0x10, 4, -1), (0x20, 4, -1)])))
    run(sc, "getfacl-w", lambda: getfacl(p("w")))
    as_user(sc, "stranger-setfacl", OTHER_USER, OTHER_USER, [],
            lambda: os.setxattr(p("w"), "system.posix_acl_access", acl_bytes(
                [(1, 6, -1), (4, 4, -1), (0x20, 7, -1)])))
    as_user(sc, "stranger-removeacl", OTHER_USER, OTHER_USER, [],
            lambda: os.removexattr(p("w"), "system.posix_acl_access"))
    # An ACL change by an owner outside the file's group drops set-gid (posix_acl_update_mode).
    make(p("sg"), perm=0o2775, uid=NOBODY, gid=GROUP_A)
    run(sc, "mode-sg", lambda: mode(p("sg")))
    as_user(sc, "owner-not-in-group", NOBODY, NOBODY, [],
            lambda: os.setxattr(p("sg"), "system.posix_acl_access", acl_bytes(
                [(1, 7, -1), (2, 5, OTHER_USER), (4, 5, -1), (0x10, 5, -1), (0x20, 5, -1)])))
    run(sc, "mode-sg-after", lambda: mode(p("sg")))
    make(p("sg2"), perm=0o2775, uid=NOBODY, gid=GROUP_A)
    as_user(sc, "owner-in-group", NOBODY, NOBODY, [GROUP_A],
            lambda: os.setxattr(p("sg2"), "system.posix_acl_access", acl_bytes(
                [(1, 7, -1), (2, 5, OTHER_USER), (4, 5, -1), (0x10, 5, -1), (0x20, 5, -1)])))
    run(sc, "mode-sg2-after", lambda: mode(p("sg2")))


def acl_bytes(entries):
    out = (2).to_bytes(4, "little")
    for tag, perm, ident in entries:
        out += tag.to_bytes(2, "little") + perm.to_bytes(2, "little")
        out += (ident & 0xffffffff).to_bytes(4, "little")
    return out


def s_raw_values():
    sc = "raw"
    make(p("r"))
    value = acl_bytes([(1, 6, -1), (2, 4, NOBODY), (4, 4, -1), (0x10, 4, -1), (0x20, 4, -1)])
    run(sc, "set", lambda: os.setxattr(p("r"), "system.posix_acl_access", value))
    run(sc, "get", lambda: os.getxattr(p("r"), "system.posix_acl_access").hex())
    run(sc, "list", lambda: sorted(os.listxattr(p("r"))))
    run(sc, "mode", lambda: mode(p("r")))
    # Malformed values: each refused, nothing changed.
    bad = {
        "short": b"\x02\x00",
        "version": (1).to_bytes(4, "little") + value[4:],
        "no-mask": acl_bytes([(1, 6, -1), (2, 4, NOBODY), (4, 4, -1), (0x20, 4, -1)]),
        "order": acl_bytes([(4, 4, -1), (1, 6, -1), (0x20, 4, -1)]),
        "tag": acl_bytes([(1, 6, -1), (4, 4, -1), (0x40, 4, -1), (0x20, 4, -1)]),
        "perm": acl_bytes([(1, 0o17, -1), (4, 4, -1), (0x20, 4, -1)]),
        "ragged": value + b"\x00",
        "no-other": acl_bytes([(1, 6, -1), (4, 4, -1)]),
    }
    for label, v in bad.items():
        run(sc, "bad-" + label, lambda v=v: os.setxattr(p("r"), "system.posix_acl_access", v))
        run(sc, "bad-default-" + label,
            lambda v=v: os.setxattr(ROOT, "system.posix_acl_default", v))
    run(sc, "after", lambda: getfacl(p("r")))
    run(sc, "mode-after", lambda: mode(p("r")))
    run(sc, "root-default", lambda: sorted(os.listxattr(ROOT)))
    # An ACL the mode bits say fully is not stored: only the mode changes.
    run(sc, "equivalent", lambda: os.setxattr(
        p("r"), "system.posix_acl_access", acl_bytes([(1, 7, -1), (4, 0, -1), (0x20, 1, -1)])))
    run(sc, "list-equivalent", lambda: sorted(os.listxattr(p("r"))))
    run(sc, "mode-equivalent", lambda: mode(p("r")))
    run(sc, "get-missing", lambda: os.getxattr(p("r"), "system.posix_acl_access"))
    run(sc, "remove-missing", lambda: os.removexattr(p("r"), "system.posix_acl_access"))


def s_copies():
    sc = "copies"
    os.mkdir(p("src"))
    make(p("src", "a"), perm=0o640)
    subprocess.run(["setfacl", "-m", "u:nobody:rw,g:5001:r", p("src", "a")], check=True)
    subprocess.run(["setfacl", "-d", "-m", "u:nobody:rx", p("src")], check=True)
    run(sc, "cp-a", lambda: sh("cp", "-a", "src", "cpa"))
    run(sc, "getfacl-cp-dir", lambda: getfacl(p("cpa")))
    run(sc, "getfacl-cp-file", lambda: getfacl(p("cpa", "a")))
    run(sc, "tar-c", lambda: sh("tar", "--acls", "-cf", "t.tar", "src"))
    os.mkdir(p("out"))
    run(sc, "tar-x", lambda: sh("tar", "--acls", "-xf", "t.tar", "-C", "out"))
    run(sc, "getfacl-tar-dir", lambda: getfacl(p("out", "src")))
    run(sc, "getfacl-tar-file", lambda: getfacl(p("out", "src", "a")))


def xset(path, key, value, follow=True):
    os.setxattr(path, key, value, follow_symlinks=follow)


def s_namespaces():
    sc = "namespaces"
    os.mkdir(p("x"))
    os.chmod(p("x"), 0o777)
    make(p("x", "f"))
    run(sc, "trusted-set", lambda: xset(p("x", "f"), "trusted.t", b"1"))
    run(sc, "security-set", lambda: xset(p("x", "f"), "security.s", b"2"))
    run(sc, "user-set", lambda: xset(p("x", "f"), "user.u", b"3"))
    run(sc, "root-list", lambda: sorted(os.listxattr(p("x", "f"))))
    as_user(sc, "nobody-list", NOBODY, NOBODY, [], lambda: sorted(os.listxattr(p("x", "f"))))
    as_user(sc, "nobody-get-trusted", NOBODY, NOBODY, [],
            lambda: os.getxattr(p("x", "f"), "trusted.t"))
    as_user(sc, "nobody-get-security", NOBODY, NOBODY, [],
            lambda: os.getxattr(p("x", "f"), "security.s"))
    as_user(sc, "nobody-get-user", NOBODY, NOBODY, [], lambda: os.getxattr(p("x", "f"), "user.u"))
    as_user(sc, "nobody-set-trusted", NOBODY, NOBODY, [],
            lambda: xset(p("x", "f"), "trusted.n", b"1"))
    as_user(sc, "nobody-set-user-no-write", NOBODY, NOBODY, [],
            lambda: xset(p("x", "f"), "user.n", b"1"))
    as_user(sc, "nobody-remove-trusted", NOBODY, NOBODY, [],
            lambda: os.removexattr(p("x", "f"), "trusted.t"))
    subprocess.run(["setfacl", "-m", "u:nobody:rw", p("x", "f")], check=True)
    as_user(sc, "nobody-set-user-acl-write", NOBODY, NOBODY, [],
            lambda: xset(p("x", "f"), "user.n", b"1"))
    as_user(sc, "nobody-own-file-security", NOBODY, NOBODY, [],
            lambda: (create(p("x", "mine")), xset(p("x", "mine"), "security.m", b"1"))[1])
    os.mkfifo(p("x", "fifo"))
    os.symlink("f", p("x", "link"))
    run(sc, "user-on-fifo", lambda: xset(p("x", "fifo"), "user.u", b"1"))
    run(sc, "trusted-on-fifo", lambda: xset(p("x", "fifo"), "trusted.u", b"1"))
    run(sc, "user-on-symlink", lambda: xset(p("x", "link"), "user.u", b"1", follow=False))
    run(sc, "trusted-on-symlink", lambda: xset(p("x", "link"), "trusted.u", b"1", follow=False))
    run(sc, "get-user-symlink",
        lambda: os.getxattr(p("x", "link"), "user.u", follow_symlinks=False))
    os.mkdir(p("x", "sticky"))
    os.chmod(p("x", "sticky"), 0o1777)
    as_user(sc, "sticky-dir-user-xattr", NOBODY, NOBODY, [],
            lambda: xset(p("x", "sticky"), "user.u", b"1"))
    run(sc, "unknown-namespace", lambda: xset(p("x", "f"), "foo.bar", b"1"))
    run(sc, "btrfs-unknown", lambda: xset(p("x", "f"), "btrfs.nosuch", b"1"))
    run(sc, "btrfs-bad-compression", lambda: xset(p("x", "f"), "btrfs.compression", b"bogus"))
    run(sc, "btrfs-compression-zstd", lambda: xset(p("x", "f"), "btrfs.compression", b"zstd"))
    run(sc, "btrfs-compression-get", lambda: os.getxattr(p("x", "f"), "btrfs.compression"))
    run(sc, "user-empty-name", lambda: xset(p("x", "f"), "user.", b"1"))
    run(sc, "final-list", lambda: sorted(os.listxattr(p("x", "f"))))


def build_tree(base, rng, depth):
    """Directories and files with mixed modes, owners and ACLs, the same on every run."""
    for i in range(6):
        path = os.path.join(base, f"e{i}")
        kind = rng.choice(["file", "dir", "dir", "fifo", "link"]) if depth < 3 else "file"
        if kind == "dir":
            os.mkdir(path)
            build_tree(path, rng, depth + 1)
        elif kind == "file":
            make(path, data=(f"{path}\n" * rng.randint(0, 50)).encode())
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            os.symlink(rng.choice(["e0", "../e1", "/nonexistent"]), path)
            continue
        os.chown(path, rng.choice([0, NOBODY, OTHER_USER]), rng.choice([0, NOBODY, GROUP_A]))
        os.chmod(path, rng.choice([0o755, 0o700, 0o711, 0o644, 0o640, 0o600, 0o604, 0o1777,
                                   0o2750, 0o000]))
        r = rng.random()
        if r < 0.2:
            subprocess.run(["setfacl", "-m", "u:nobody:" + rng.choice(["r", "rx", "---", "rwx"]),
                            path], check=True)
        elif r < 0.3:
            subprocess.run(["setfacl", "-m", f"g:{NOBODY}:rx,m::r", path], check=True)
        elif r < 0.35 and kind == "dir":
            subprocess.run(["setfacl", "-d", "-m", "u:nobody:rw", path], check=True)


def walk_as_nobody():
    """Everything uid 65534 can find, read and do in the tree, with each refusal's errno."""
    lines = []

    def outcome(fn):
        try:
            v = fn()
            return "OK" if v is None else str(v)
        except OSError as e:
            return name(e.errno)

    def visit(path, rel):
        try:
            mode_ = os.lstat(path).st_mode
        except OSError as e:
            lines.append(f"{rel} stat={name(e.errno)}")
            return
        st_ = oct(mode_)
        acc = "".join(c if os.access(path, m, follow_symlinks=False) else "-"
                      for c, m in (("r", os.R_OK), ("w", os.W_OK), ("x", os.X_OK)))
        line = f"{rel} stat={st_} access={acc}"
        if stat.S_ISLNK(mode_):
            lines.append(line + " link=" + outcome(lambda: os.readlink(path)))
            return
        if stat.S_ISDIR(mode_):
            names = outcome(lambda: sorted(os.listdir(path)))
            lines.append(line + f" list={names}")
            for child in (names if isinstance(names, str) and names.startswith("[") else "[]")[
                    1:-1].replace("'", "").split(", "):
                if child:
                    visit(os.path.join(path, child), rel + "/" + child)
            # Names nobody cannot list may still be reachable by search permission.
            for probe in ("e0", "e1", "e2", "e3", "e4", "e5"):
                if f"'{probe}'" not in names:
                    lines.append(f"{rel}/{probe} blind-stat=" +
                                 outcome(lambda: oct(os.lstat(os.path.join(path, probe)).st_mode)))
            return
        if stat.S_ISFIFO(mode_):
            lines.append(line)
            return

        def content():
            with open(path, "rb") as f:
                return len(f.read())

        lines.append(line + " read=" + outcome(content) + " write=" +
                     outcome(lambda: os.close(os.open(path, os.O_WRONLY))))

    for seed in range(12):
        visit(p(f"tree{seed}"), f"tree{seed}")
    return "\n".join(lines)


def s_walk():
    sc = "walk"
    import random
    for seed in range(12):
        rng = random.Random(seed)
        os.mkdir(p(f"tree{seed}"))
        os.chmod(p(f"tree{seed}"), 0o755)
        build_tree(p(f"tree{seed}"), rng, 0)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        try:
            out = walk_as_nobody()
        except BaseException as e:
            out = "EXCEPTION " + repr(e)
        os.write(w, out.encode())
        os._exit(0)
    os.close(w)
    data = b""
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        data += b
    os.close(r)
    os.waitpid(pid, 0)
    for line in data.decode().split("\n"):
        emit(sc, "as-nobody", line)


def main():
    os.chmod(ROOT, 0o755)
    os.umask(0o022)
    for s in (s_named_entries, s_directories, s_inheritance, s_chmod, s_ownership, s_raw_values,
              s_copies, s_namespaces, s_walk):
        s()


main()
