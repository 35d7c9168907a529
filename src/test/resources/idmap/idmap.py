#!/usr/bin/env python3
"""An idmapped bind mount of a mount (open_tree, mount_setattr MOUNT_ATTR_IDMAP, move_mount) with
on-disk ids 0-1999 shown as 10000-11999, and what users see and may do through it and through the
original mount: owners of existing and newly made inodes, permission checks, chown and chmod, a
set-gid directory, ACL entries. Prints "step -> outcome" lines for comparison between filesystems.
The idmapped mount is removed on the way out.

Usage: idmap.py BASE TARGET
"""
import ctypes
import ctypes.util
import errno
import fcntl
import os
import struct
import subprocess
import sys

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
SYS_open_tree, SYS_move_mount, SYS_mount_setattr = 428, 429, 442
OPEN_TREE_CLONE, AT_EMPTY_PATH, AT_FDCWD = 1, 0x1000, -100
MOUNT_ATTR_IDMAP, MOVE_MOUNT_F_EMPTY_PATH = 0x00100000, 0x4
CLONE_NEWUSER = 0x10000000
SHIFT, RANGE = 10000, 2000
BTRFS_IOC_SUBVOL_CREATE = 0x5000940E


def err(e):
    return errno.errorcode.get(e, str(e))


def check(r, what):
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, what)
    return r


def user_namespace():
    """An fd of a new user namespace mapping ids 0-1999 to 10000-11999 (its process is gone)."""
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        os.close(go_w)
        libc.unshare(CLONE_NEWUSER)
        os.write(ready_w, b"x")
        os.read(go_r, 1)
        os._exit(0)
    os.close(ready_w)
    os.close(go_r)
    os.read(ready_r, 1)
    for f in ("uid_map", "gid_map"):
        with open(f"/proc/{pid}/{f}", "w") as m:
            m.write(f"0 {SHIFT} {RANGE}\n")
    fd = os.open(f"/proc/{pid}/ns/user", os.O_RDONLY)
    os.write(go_w, b"x")
    os.waitpid(pid, 0)
    return fd


def idmapped_mount(base, target):
    libc.syscall.restype = ctypes.c_long
    tree = check(libc.syscall(SYS_open_tree, AT_FDCWD, os.fsencode(base),
                              OPEN_TREE_CLONE | os.O_CLOEXEC), "open_tree")
    userns = user_namespace()
    try:
        attr = struct.pack("QQQQ", MOUNT_ATTR_IDMAP, 0, 0, userns)
        check(libc.syscall(SYS_mount_setattr, tree, b"", AT_EMPTY_PATH, attr, len(attr)),
              "mount_setattr")
        check(libc.syscall(SYS_move_mount, tree, b"", AT_FDCWD, os.fsencode(target),
                           MOVE_MOUNT_F_EMPTY_PATH), "move_mount")
    finally:
        os.close(userns)
        os.close(tree)


def as_user(uid, fn):
    """Runs fn as uid:uid (no other groups) in a child; its result or errno name."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            out = fn()
            out = "ok" if out is None else str(out)
        except OSError as e:
            out = err(e.errno)
        except Exception as e:  # noqa: BLE001 - reported as the outcome
            out = f"error {e!r}"
        os.write(w, out.encode())
        os._exit(0)
    os.close(w)
    out = b""
    while chunk := os.read(r, 4096):
        out += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return out.decode()


def owner(path):
    s = os.lstat(path)
    return f"{s.st_uid}:{s.st_gid} {oct(s.st_mode & 0o7777)}"


def create(path):
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))


def read(path):
    with open(path, "rb") as f:
        return repr(f.read())


def append(path):
    with open(path, "a") as f:
        f.write("more\n")


def subvolume_create(path):
    parent = os.open(os.path.dirname(path), os.O_RDONLY | os.O_DIRECTORY)
    try:
        args = bytearray(struct.pack("q4088s", 0, os.fsencode(os.path.basename(path))))
        fcntl.ioctl(parent, BTRFS_IOC_SUBVOL_CREATE, args)
    finally:
        os.close(parent)


def step(name, fn):
    try:
        out = fn()
        out = "ok" if out is None else out
    except OSError as e:
        out = err(e.errno)
    print(f"{name} -> {out}", flush=True)


def scenarios(base, target):
    B = lambda *p: os.path.join(base, *p)  # noqa: E731
    T = lambda *p: os.path.join(target, *p)  # noqa: E731
    for n in ["d", "f10000", "dir10000", "sym10000", "fifo10000", "userfile", "rootfile",
              "g", "g/file", "g/sub", "acl", "sv"]:
        step(f"owner of {n} via the idmapped mount", lambda n=n: owner(T("d", n) if n != "d"
                                                                       else T("d")))
    for n in ["f10000", "dir10000", "sym10000", "fifo10000", "g/file", "g/sub", "sv"]:
        step(f"owner of {n} via the original mount", lambda n=n: owner(B("d", n)))


def main():
    base, target = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    B = lambda *p: os.path.join(base, *p)  # noqa: E731
    T = lambda *p: os.path.join(target, *p)  # noqa: E731
    os.chmod(base, 0o755)
    os.mkdir(B("d"), 0o755)
    with open(B("d", "rootfile"), "w") as f:
        f.write("root\n")
    with open(B("d", "userfile"), "w") as f:
        f.write("user\n")
    os.chown(B("d", "userfile"), 1000, 1000)
    os.chmod(B("d", "userfile"), 0o600)
    os.mkdir(B("d", "g"))
    os.chown(B("d", "g"), 0, 1000)
    os.chmod(B("d", "g"), 0o2777)
    os.makedirs(target, exist_ok=True)
    try:
        idmapped_mount(base, target)
        print("idmapped mount -> ok")
    except OSError as e:
        print(f"idmapped mount -> {err(e.errno)}")
        return
    try:
        print(f"owner of d via the idmapped mount -> {owner(T('d'))}")
        print(f"owner of userfile via the idmapped mount -> {owner(T('d', 'userfile'))}")
        u, v = SHIFT, SHIFT + 1000  # on disk 0 and 1000
        print(f"create as {u} -> {as_user(u, lambda: create(T('d', 'f10000')))}")
        print(f"mkdir as {u} -> {as_user(u, lambda: os.mkdir(T('d', 'dir10000')))}")
        print(f"symlink as {u} -> {as_user(u, lambda: os.symlink('x', T('d', 'sym10000')))}")
        print(f"mkfifo as {u} -> {as_user(u, lambda: os.mkfifo(T('d', 'fifo10000')))}")
        print(f"create in the set-gid dir as {u} -> "
              f"{as_user(u, lambda: create(T('d', 'g', 'file')))}")
        print(f"mkdir in the set-gid dir as {u} -> "
              f"{as_user(u, lambda: os.mkdir(T('d', 'g', 'sub')))}")
        print(f"create as {v} in a dir of {u} -> {as_user(v, lambda: create(T('d', 'no')))}")
        print(f"create as root (unmapped) -> {as_user(0, lambda: create(T('d', 'no')))}")
        print(f"read userfile as {v} via idmapped -> "
              f"{as_user(v, lambda: read(T('d', 'userfile')))}")
        print(f"read userfile as {v} via original -> "
              f"{as_user(v, lambda: read(B('d', 'userfile')))}")
        print(f"read userfile as 1000 via idmapped -> "
              f"{as_user(1000, lambda: read(T('d', 'userfile')))}")
        print(f"read userfile as 1000 via original -> "
              f"{as_user(1000, lambda: read(B('d', 'userfile')))}")
        print(f"append to rootfile as {u} via idmapped -> "
              f"{as_user(u, lambda: append(T('d', 'rootfile')))}")
        print(f"append to rootfile as {u} via original -> "
              f"{as_user(u, lambda: append(B('d', 'rootfile')))}")
        step(f"chown f10000 to {v} as root via idmapped",
             lambda: os.chown(T("d", "f10000"), v, v))
        step("chown f10000 to 5 (unmapped) as root via idmapped",
             lambda: os.chown(T("d", "f10000"), 5, 5))
        print(f"chown f10000 back as {u} -> "
              f"{as_user(u, lambda: os.chown(T('d', 'f10000'), u, u))}")
        print(f"chmod f10000 as its owner {v} -> "
              f"{as_user(v, lambda: os.chmod(T('d', 'f10000'), 0o600))}")
        print(f"utime f10000 as {u} -> {as_user(u, lambda: os.utime(T('d', 'f10000'), (1, 1)))}")
        print(f"create acl as {u} -> {as_user(u, lambda: create(T('d', 'acl')))}")
        r = subprocess.run(["setfacl", "-m", f"u:{SHIFT + 1500}:r", T("d", "acl")],
                           capture_output=True, text=True)
        print(f"setfacl u:{SHIFT + 1500} via idmapped -> {r.returncode} {r.stderr.strip()}")
        for view, path in [("idmapped", T("d", "acl")), ("original", B("d", "acl"))]:
            r = subprocess.run(["getfacl", "-n", "-p", "--omit-header", path],
                               capture_output=True, text=True)
            print(f"acl via {view} -> {' '.join(r.stdout.split())}")
        print(f"read acl as {SHIFT + 1500} via idmapped -> "
              f"{as_user(SHIFT + 1500, lambda: read(T('d', 'acl')))}")
        print(f"subvolume create as {u} via idmapped -> "
              f"{as_user(u, lambda: subvolume_create(T('d', 'sv')))}")
        scenarios(base, target)
    finally:
        subprocess.run(["umount", target], check=True)


if __name__ == "__main__":
    main()
