#!/usr/bin/env python3
"""An fsstress-like mixed workload for benchmarks: several processes, each in its own directory,
pick weighted random operations (create, write, read, truncate, rename, link, unlink, mkdir, rmdir,
symlink, readlink, xattrs, chmod, stat, readdir, fsync) for a fixed time, and count them.

usage: mixed_workload.py DIR [--procs N] [--seconds S] [--seed N]
Prints one JSON line: {"ops": total, "seconds": elapsed, "ops_per_s": ..., "errors": {...}}.
Expected errors (ENOENT on a name another step removed, ENOTEMPTY, ENOSPC) are counted, not fatal;
any other error stops the run with a message, as fsstress would report it.
"""
import argparse
import errno
import json
import multiprocessing
import os
import random
import time

EXPECTED = {errno.ENOENT, errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR,
            errno.ENOSPC, errno.ENODATA}


class Worker:
    def __init__(self, root, seed):
        self.root = root
        self.rng = random.Random(seed)
        self.files = []
        self.dirs = [root]
        self.counter = 0

    def fresh_name(self):
        self.counter += 1
        return os.path.join(self.rng.choice(self.dirs), f"n{self.counter}")

    def some_file(self):
        return self.rng.choice(self.files) if self.files else None

    def op_create(self):
        path = self.fresh_name()
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o644))
        self.files.append(path)

    def op_write(self):
        path = self.some_file()
        if path is None:
            return self.op_create()
        size = self.rng.choice([512, 4096, 16384, 65536, 131072])
        with open(path, "r+b") as f:
            f.seek(self.rng.randrange(0, 1 << 20))
            f.write(os.urandom(size))

    def op_read(self):
        path = self.some_file()
        if path is None:
            return
        with open(path, "rb") as f:
            f.seek(self.rng.randrange(0, 1 << 20))
            f.read(self.rng.choice([4096, 65536]))

    def op_truncate(self):
        path = self.some_file()
        if path is not None:
            os.truncate(path, self.rng.randrange(0, 1 << 20))

    def op_rename(self):
        path = self.some_file()
        if path is None:
            return
        new = self.fresh_name()
        os.rename(path, new)
        self.files[self.files.index(path)] = new

    def op_link(self):
        path = self.some_file()
        if path is not None:
            new = self.fresh_name()
            os.link(path, new)
            self.files.append(new)

    def op_unlink(self):
        path = self.some_file()
        if path is not None:
            self.files.remove(path)
            os.unlink(path)

    def op_mkdir(self):
        path = self.fresh_name()
        os.mkdir(path)
        self.dirs.append(path)

    def op_rmdir(self):
        if len(self.dirs) > 1:
            path = self.rng.choice(self.dirs[1:])
            os.rmdir(path)
            self.dirs.remove(path)

    def op_symlink(self):
        path = self.fresh_name()
        os.symlink("target-" + str(self.counter), path)
        os.readlink(path)

    def op_xattr(self):
        path = self.some_file()
        if path is not None:
            os.setxattr(path, "user.k" + str(self.rng.randrange(4)), os.urandom(32))
            os.listxattr(path)

    def op_chmod(self):
        path = self.some_file()
        if path is not None:
            os.chmod(path, self.rng.choice([0o600, 0o644, 0o755]))

    def op_stat(self):
        path = self.some_file()
        if path is not None:
            os.lstat(path)

    def op_readdir(self):
        os.listdir(self.rng.choice(self.dirs))

    def op_fsync(self):
        path = self.some_file()
        if path is not None:
            fd = os.open(path, os.O_WRONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


# Weights in the spirit of fsstress's defaults: mostly data and lookups, some namespace churn.
WEIGHTS = {"create": 6, "write": 8, "read": 6, "truncate": 2, "rename": 3, "link": 1, "unlink": 3,
           "mkdir": 1, "rmdir": 1, "symlink": 1, "xattr": 2, "chmod": 1, "stat": 6, "readdir": 2,
           "fsync": 1}


def run_worker(args):
    root, seed, seconds = args
    os.makedirs(root, exist_ok=True)
    w = Worker(root, seed)
    names = list(WEIGHTS)
    weights = [WEIGHTS[n] for n in names]
    ops, errors = 0, {}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        name = w.rng.choices(names, weights)[0]
        try:
            getattr(w, "op_" + name)()
        except OSError as e:
            if e.errno not in EXPECTED:
                raise SystemExit(f"mixed workload: {name} failed: {e}")
            key = errno.errorcode.get(e.errno, str(e.errno))
            errors[key] = errors.get(key, 0) + 1
        ops += 1
    return ops, errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    jobs = [(os.path.join(a.dir, f"p{i}"), a.seed * 1000 + i, a.seconds) for i in range(a.procs)]
    t0 = time.monotonic()
    with multiprocessing.Pool(a.procs) as pool:
        results = pool.map(run_worker, jobs)
    elapsed = time.monotonic() - t0
    total = sum(r[0] for r in results)
    errors = {}
    for _, e in results:
        for k, v in e.items():
            errors[k] = errors.get(k, 0) + v
    print(json.dumps({"ops": total, "seconds": round(elapsed, 2),
                      "ops_per_s": round(total / elapsed, 1), "errors": errors}))


if __name__ == "__main__":
    main()
