#!/usr/bin/env python3
"""File handles through a mount: name_to_handle_at and open_by_handle_at, while the kernel caches
the inodes, after it dropped them (echo 2 > drop_caches, so a FUSE mount must be asked), after
renames and unlinks, and in a second run after a remount ("second"), where a new file may reuse a
deleted file's inode number. Prints "step -> outcome" lines for comparison between mounts.

Usage: handles.py first|second MOUNTPOINT STATEFILE
"""
import ctypes
import ctypes.util
import fcntl
import errno
import json
import os
import stat
import struct
import sys

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
MAX_HANDLE_SZ = 128
AT_FDCWD = -100


class FileHandle(ctypes.Structure):
    _fields_ = [
        ("handle_bytes", ctypes.c_uint),
        ("handle_type", ctypes.c_int),
        ("f_handle", ctypes.c_ubyte * MAX_HANDLE_SZ),
    ]


def err(e):
    return errno.errorcode.get(e, str(e))


def name_to_handle(path, follow=False):
    fh = FileHandle()
    fh.handle_bytes = MAX_HANDLE_SZ
    mount_id = ctypes.c_int()
    flags = 0x400 if follow else 0  # AT_SYMLINK_FOLLOW
    if libc.name_to_handle_at(AT_FDCWD, os.fsencode(path), ctypes.byref(fh),
                              ctypes.byref(mount_id), flags) != 0:
        raise OSError(ctypes.get_errno(), "name_to_handle_at", path)
    return {"type": fh.handle_type, "bytes": bytes(fh.f_handle[:fh.handle_bytes]).hex()}


def open_by_handle(mount_fd, h, flags):
    fh = FileHandle()
    raw = bytes.fromhex(h["bytes"])
    fh.handle_bytes = len(raw)
    fh.handle_type = h["type"]
    ctypes.memmove(fh.f_handle, raw, len(raw))
    fd = libc.open_by_handle_at(mount_fd, ctypes.byref(fh), flags)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "open_by_handle_at")
    return fd


BTRFS_IOC_SUBVOL_CREATE = 0x5000940E  # _IOW(0x94, 14, struct btrfs_ioctl_vol_args)


def subvolume_create(path):
    """The ioctl itself: btrfs-progs refuses a mount whose statfs type is not btrfs's."""
    parent = os.open(os.path.dirname(path), os.O_RDONLY | os.O_DIRECTORY)
    try:
        args = bytearray(struct.pack("q4088s", 0, os.fsencode(os.path.basename(path))))
        fcntl.ioctl(parent, BTRFS_IOC_SUBVOL_CREATE, args)
    finally:
        os.close(parent)


def drop_caches():
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("2\n")


class Run:
    def __init__(self, mnt):
        self.mnt = mnt
        self.mount_fd = os.open(mnt, os.O_RDONLY | os.O_DIRECTORY)

    def p(self, *rel):
        return os.path.join(self.mnt, *rel)

    def show(self, step, fn):
        try:
            out = fn()
        except OSError as e:
            out = err(e.errno)
        print(f"{step} -> {out}", flush=True)

    def where(self, fd):
        """The path the kernel gives the opened dentry: the mount-relative one once reconnected."""
        path = os.readlink(f"/proc/self/fd/{fd}")
        return "/" + os.path.relpath(path, self.mnt) if path.startswith(self.mnt) else path

    def opened(self, h):
        """What opening a handle gives: a file's contents, a directory's names and place."""
        fd = open_by_handle(self.mount_fd, h, os.O_RDONLY | os.O_NOFOLLOW | os.O_PATH)
        try:
            mode = os.fstat(fd).st_mode
            if stat.S_ISLNK(mode):
                return "symlink " + os.readlink("", dir_fd=fd)
        finally:
            os.close(fd)
        fd = open_by_handle(self.mount_fd, h, os.O_RDONLY)
        try:
            if stat.S_ISDIR(mode):
                return f"dir {self.where(fd)} {sorted(os.listdir(fd))}"
            return f"file {os.read(fd, 100)!r} nlink {os.fstat(fd).st_nlink}"
        finally:
            os.close(fd)

    def open_all(self, when, handles):
        for name, h in handles.items():
            self.show(f"open {name} {when}", lambda h=h: self.opened(h))


def first(r, state):
    os.makedirs(r.p("a/b/c"))
    with open(r.p("a/b/c/file"), "w") as f:
        f.write("in c")
    with open(r.p("f1"), "w") as f:
        f.write("one")
    os.link(r.p("f1"), r.p("hard"))
    os.symlink("f1", r.p("sym"))
    subvolume_create(r.p("sub"))
    os.makedirs(r.p("sub/d/e"))
    with open(r.p("sub/d/e/g"), "w") as f:
        f.write("in a subvolume")
    with open(r.p("survivor"), "w") as f:
        f.write("still here")
    names = ["f1", "hard", "sym", "a", "a/b/c", "a/b/c/file", "sub", "sub/d/e", "sub/d/e/g",
             "survivor", "."]
    handles = {}
    for n in names:
        try:
            handles[n] = name_to_handle(r.p(n))
            print(f"handle {n} -> ok", flush=True)
        except OSError as e:
            print(f"handle {n} -> {err(e.errno)}", flush=True)
    r.show("handle sym followed is f1's",
           lambda: name_to_handle(r.p("sym"), follow=True) == handles["f1"])
    print(f"hard link shares the handle -> {handles['f1'] == handles['hard']}")
    print(f"handles differ -> {len({h['bytes'] for h in handles.values()}) == len(names) - 1}")

    r.open_all("cached", handles)
    drop_caches()
    r.open_all("after drop_caches", handles)

    # Renames keep handles good; the reopened directory shows its new place.
    os.rename(r.p("a/b/c/file"), r.p("a/moved"))
    os.rename(r.p("a/b"), r.p("a/bb"))
    drop_caches()
    for n in ["a/b/c/file", "a/b/c", "a"]:
        r.show(f"open {n} after renames", lambda n=n: r.opened(handles[n]))

    # One name of two gone: still the same file; both gone: stale, as is a removed directory.
    os.unlink(r.p("f1"))
    r.show("open f1 after unlinking one name", lambda: r.opened(handles["f1"]))
    os.unlink(r.p("hard"))
    r.show("open f1 after unlinking both names", lambda: r.opened(handles["f1"]))
    drop_caches()
    r.show("open f1 unlinked, after drop_caches", lambda: r.opened(handles["f1"]))
    os.unlink(r.p("sub/d/e/g"))
    os.rmdir(r.p("sub/d/e"))
    for n in ["sub/d/e/g", "sub/d/e"]:
        r.show(f"open {n} removed", lambda n=n: r.opened(handles[n]))

    # Unlinked while open: the inode lives on, and its handle with it, until closed.
    fd = os.open(r.p("held"), os.O_CREAT | os.O_RDWR, 0o644)
    os.write(fd, b"held open")
    held = name_to_handle(r.p("held"))
    held_ino = os.fstat(fd).st_ino
    os.unlink(r.p("held"))
    drop_caches()
    r.show("open held unlinked while open", lambda: r.opened(held))
    os.close(fd)
    drop_caches()
    r.show("open held unlinked and closed", lambda: r.opened(held))

    # The newest inodes, deleted: after a remount the highest free number is given again.
    with open(r.p("last"), "w") as f:
        f.write("last")
    last_ino = os.stat(r.p("last")).st_ino
    last = name_to_handle(r.p("last"))
    os.unlink(r.p("last"))
    with open(state, "w") as f:
        json.dump({"handles": handles, "deleted": {"held": held, "last": last},
                   "numbers": {str(held_ino): "held", str(last_ino): "last"}}, f)


def second(r, state):
    with open(state) as f:
        s = json.load(f)
    handles = s["handles"]
    keep = {n: handles[n] for n in [".", "a", "a/b/c", "a/b/c/file", "sub", "survivor", "sym"]}
    r.open_all("after remount", keep)
    with open(r.p("new"), "w") as f:
        f.write("new")
    reused = s["numbers"].get(str(os.stat(r.p("new")).st_ino), "none")
    print(f"new file has the number of -> {reused}")
    for n, h in s["deleted"].items():
        r.show(f"open deleted {n}", lambda h=h: r.opened(h))
    new = name_to_handle(r.p("new"))
    print(f"new handle differs from the deleted ones -> {new not in s['deleted'].values()}")
    drop_caches()
    for n, h in s["deleted"].items():
        r.show(f"open deleted {n} after drop_caches", lambda h=h: r.opened(h))
    r.show("open new after drop_caches", lambda: r.opened(new))
    r.show("open f1 deleted before the remount", lambda: r.opened(handles["f1"]))


def main():
    phase, mnt, state = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    r = Run(mnt)
    {"first": first, "second": second}[phase](r, state)
    os.close(r.mount_fd)


if __name__ == "__main__":
    main()
