package org.jbtrfs.oracle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One fsstress/fsx-style worker: random operations in its own directory tree, and on files in the
 * shared directory (moved, linked and written across workers), with the model updated after each
 * call succeeds. Only operations the model says must succeed are issued, so any error is a failure,
 * unless the daemon was killed on purpose (then the worker just stops).
 */
final class FsxWorker implements Runnable {
  private static final int HISTORY = 40;

  private final FsxContext ctx;
  private final Random rnd;
  private final long opsWanted;
  private final List<ModelDir> dirs = new ArrayList<>();
  private final ArrayDeque<String> history = new ArrayDeque<>();
  long opsDone;

  FsxWorker(FsxContext ctx, ModelDir home, long seed, long opsWanted) {
    this.ctx = ctx;
    this.rnd = new Random(seed);
    this.opsWanted = opsWanted;
    dirs.add(home);
  }

  @Override
  public void run() {
    while (opsDone < opsWanted && !ctx.stop) {
      try {
        String what = step();
        if (what != null) {
          note(what);
          opsDone++;
        }
      } catch (Throwable e) {
        // Throwable: some NIO calls throw the JDK's internal UnixException (not an IOException).
        if (ctx.killed) return;
        ctx.fail(
            new AssertionError(
                Thread.currentThread().getName()
                    + " failed after "
                    + opsDone
                    + " ops: "
                    + e
                    + "\nlast operations:\n  "
                    + String.join("\n  ", history),
                e));
        return;
      }
    }
  }

  private void note(String what) {
    if (history.size() == HISTORY) history.removeFirst();
    history.addLast(what);
  }

  /** One random operation; null when the pick did not apply (nothing counted). */
  private String step() throws IOException {
    int dice = rnd.nextInt(1000);
    boolean viaShared = rnd.nextInt(6) == 0;
    if (viaShared) ctx.sharedLock.lock();
    try {
      return viaShared ? sharedStep(dice) : ownStep(dice);
    } finally {
      if (viaShared) ctx.sharedLock.unlock();
    }
  }

  private String ownStep(int dice) throws IOException {
    ModelDir d = dirs.get(rnd.nextInt(dirs.size()));
    if (dice < 60) return count("create", create(d));
    if (dice < 80) return count("mkdir", mkdir(d));
    if (dice < 95) return count("rmdir", rmdir());
    if (dice < 100) return count("symlink", symlink(d));
    if (dice < 110 && ctx.durable != null) return count("keep", keep());
    if (dice < 135) return count("rename-dir", renameDir());
    if (dice < 150) return count("readdir", readdir(d));
    if (dice < 180) return count("xattr-dir", dirXattr(d));
    return fileStep(dice, d);
  }

  /** Shared-directory operations; the caller holds the shared lock. */
  private String sharedStep(int dice) throws IOException {
    if (dice < 80) return count("create", create(ctx.shared));
    if (dice < 120) return count("readdir", readdir(ctx.shared));
    if (dice < 250)
      return count("rename", renameFile(dirs.get(rnd.nextInt(dirs.size())), ctx.shared));
    if (dice < 380)
      return count("rename", renameFile(ctx.shared, dirs.get(rnd.nextInt(dirs.size()))));
    if (dice < 450) return count("link", link(dirs.get(rnd.nextInt(dirs.size())), ctx.shared));
    if (dice < 500) return count("link", link(ctx.shared, dirs.get(rnd.nextInt(dirs.size()))));
    return fileStep(dice, ctx.shared);
  }

  /** Operations on one name in {@code d}: data, attributes, unlink, rename, link. */
  private String fileStep(int dice, ModelDir d) throws IOException {
    String name = pickName(d, ModelFile.class);
    if (name == null) return count("create", create(d));
    ModelFile f = (ModelFile) d.entries.get(name);
    Path p = d.on(ctx.root).resolve(name);
    String rel = rel(d, name);
    int x = rnd.nextInt(1000);
    if (x < 40) return count("unlink", unlink(d, name));
    if (x < 90) return count("rename", renameFile(d, dirs.get(rnd.nextInt(dirs.size()))));
    if (x < 120) return count("link", link(d, dirs.get(rnd.nextInt(dirs.size()))));
    if (x < 190) return count("stat", FsxDataOps.stat(p, f));
    if (f.isSymlink()) return count("readlink", readlink(p, f));
    if (x < 450) return count("write", FsxDataOps.write(p, f, rnd));
    if (x < 740) return count("read", FsxDataOps.read(p, f, rnd));
    if (x < 820) return count("truncate", FsxDataOps.truncate(p, f, rnd));
    if (x < 830) return count("fsync", FsxDataOps.fsync(p, rel, f, rnd, ctx.durable));
    if (x < 833) return count("fallocate", FsxDataOps.fallocate(p, f, rnd));
    if (x < 860) return count("chmod", chmod(p, f));
    if (x < 910 && ctx.directIo) return count("odirect", FsxDataOps.direct(p, f, rnd, ctx));
    f.lock.lock();
    try {
      return count("xattr", FsxDataOps.xattr(p, f.xattrs, rnd, () -> f.version++));
    } finally {
      f.lock.unlock();
    }
  }

  private String count(String op, String what) {
    if (what != null) ctx.count(op);
    return what;
  }

  private String rel(ModelDir d, String name) {
    String r = d.rel();
    return r.isEmpty() ? name : r + "/" + name;
  }

  private String pickName(ModelDir d, Class<?> type) {
    List<String> names = new ArrayList<>();
    for (Map.Entry<String, Object> e : d.entries.entrySet()) {
      if (type.isInstance(e.getValue())) names.add(e.getKey());
    }
    if (names.isEmpty()) return null;
    names.sort(null); // HashMap order is not reproducible from the seed
    return names.get(rnd.nextInt(names.size()));
  }

  private String freshName(ModelDir d, String prefix, int range) {
    String n = prefix + rnd.nextInt(range);
    return d.entries.containsKey(n) ? null : n;
  }

  private String create(ModelDir d) throws IOException {
    String name = freshName(d, "f", 40);
    if (name == null) return null;
    Path p = d.on(ctx.root).resolve(name);
    ModelFile f = new ModelFile(null);
    byte[] b = FsxDataOps.randomBytes(rnd, rnd.nextBoolean() ? 0 : FsxDataOps.ioSize(rnd));
    if (ctx.durable != null) ctx.durable.invalidate(rel(d, name));
    try (FileChannel ch =
        FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(b);
      while (buf.hasRemaining()) ch.write(buf);
    }
    f.write(0, b);
    d.entries.put(name, f);
    return "create " + p + " len=" + b.length;
  }

  /**
   * Crash tests only: a file written (with holes), fsynced and never touched again, in a directory
   * outside the model tree, so its durability is checked after every later crash.
   */
  private String keep() throws IOException {
    ModelDir home = dirs.get(0);
    ModelDir keepDir = new ModelDir(home.parent, home.name + "k");
    Path dir = keepDir.on(ctx.root);
    if (!Files.isDirectory(dir)) Files.createDirectory(dir);
    String name = "k" + opsDone;
    Path p = dir.resolve(name);
    ModelFile f = new ModelFile(null);
    try (FileChannel ch =
        FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (int i = rnd.nextInt(4); i >= 0; i--) {
        long off = rnd.nextInt(FsxDataOps.MAX_FILE - FsxDataOps.MAX_IO);
        byte[] b = FsxDataOps.randomBytes(rnd, FsxDataOps.ioSize(rnd));
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) ch.write(buf, off + buf.position());
        f.write(off, b);
      }
      ch.force(true);
    }
    ctx.durable.fsynced(keepDir.rel() + "/" + name, f);
    return "keep " + p + " size " + f.size();
  }

  private String symlink(ModelDir d) throws IOException {
    String name = freshName(d, "s", 10);
    if (name == null) return null;
    Path p = d.on(ctx.root).resolve(name);
    String target = "target-" + rnd.nextInt(1 << 20) + "/x".repeat(rnd.nextInt(20));
    if (ctx.durable != null) ctx.durable.invalidate(rel(d, name));
    Files.createSymbolicLink(p, Path.of(target));
    d.entries.put(name, new ModelFile(target));
    return "symlink " + p + " -> " + target;
  }

  private String readlink(Path p, ModelFile f) throws IOException {
    String got = Files.readSymbolicLink(p).toString();
    if (!got.equals(f.symlinkTarget))
      throw new AssertionError("readlink " + p + ": " + got + ", expected " + f.symlinkTarget);
    return "readlink " + p;
  }

  private String mkdir(ModelDir d) throws IOException {
    if (dirs.size() >= 12) return null;
    String name = freshName(d, "d", 8);
    if (name == null) return null;
    Path p = d.on(ctx.root).resolve(name);
    Files.createDirectory(p);
    ModelDir nd = new ModelDir(d, name);
    d.entries.put(name, nd);
    dirs.add(nd);
    return "mkdir " + p;
  }

  private String rmdir() throws IOException {
    ModelDir d = dirs.get(rnd.nextInt(dirs.size()));
    if (d == dirs.get(0) || d.entries.values().stream().anyMatch(e -> e instanceof ModelDir))
      return null;
    // Empty it first (few directories would ever be empty by chance).
    for (String name : new TreeSet<>(d.entries.keySet())) count("unlink", unlink(d, name));
    Path p = d.on(ctx.root);
    Files.delete(p);
    d.parent.entries.remove(d.name);
    dirs.remove(d);
    return "rmdir " + p;
  }

  /** Moves a directory (not the home) under another own directory, possibly over an empty one. */
  private String renameDir() throws IOException {
    ModelDir d = dirs.get(rnd.nextInt(dirs.size()));
    ModelDir to = dirs.get(rnd.nextInt(dirs.size()));
    if (d == dirs.get(0) || d.contains(to)) return null;
    String name = "d" + rnd.nextInt(8);
    Object old = to.entries.get(name);
    if (old == d) return null;
    if (old != null && !(old instanceof ModelDir od && od.entries.isEmpty())) return null;
    Path src = d.on(ctx.root);
    Path dst = to.on(ctx.root).resolve(name);
    if (ctx.durable != null) {
      ctx.durable.invalidate(d.rel());
      ctx.durable.invalidate(rel(to, name));
    }
    Files.move(src, dst, StandardCopyOption.ATOMIC_MOVE);
    if (old != null) dirs.remove(old);
    d.parent.entries.remove(d.name);
    to.entries.put(name, d);
    d.parent = to;
    d.name = name;
    return "rename dir " + src + " -> " + dst + (old != null ? " (over empty dir)" : "");
  }

  private String unlink(ModelDir d, String name) throws IOException {
    ModelFile f = (ModelFile) d.entries.get(name);
    Path p = d.on(ctx.root).resolve(name);
    f.lock.lock();
    try {
      f.version++;
      if (ctx.durable != null) ctx.durable.invalidate(rel(d, name));
      Files.delete(p);
      f.nlink--;
      d.entries.remove(name);
    } finally {
      f.lock.unlock();
    }
    return "unlink " + p;
  }

  /** rename(2) of a file from {@code from} to {@code to}, possibly over another file. */
  private String renameFile(ModelDir from, ModelDir to) throws IOException {
    String name = pickName(from, ModelFile.class);
    if (name == null) return null;
    String newName = "f" + rnd.nextInt(40);
    Object old = to.entries.get(newName);
    if (old instanceof ModelDir) return null;
    ModelFile f = (ModelFile) from.entries.get(name);
    ModelFile g = (ModelFile) old;
    // Renaming one hard link over another of the same inode does nothing in POSIX: skip it.
    if (g == f) return null;
    Path src = from.on(ctx.root).resolve(name);
    Path dst = to.on(ctx.root).resolve(newName);
    lockBoth(f, g);
    try {
      f.version++;
      if (g != null) g.version++;
      if (ctx.durable != null) {
        ctx.durable.invalidate(rel(from, name));
        ctx.durable.invalidate(rel(to, newName));
      }
      Files.move(src, dst, StandardCopyOption.ATOMIC_MOVE);
      from.entries.remove(name);
      to.entries.put(newName, f);
      if (g != null) g.nlink--;
    } finally {
      unlockBoth(f, g);
    }
    return "rename " + src + " -> " + dst + (g != null ? " (over a file)" : "");
  }

  private String link(ModelDir from, ModelDir to) throws IOException {
    String name = pickName(from, ModelFile.class);
    if (name == null) return null;
    ModelFile f = (ModelFile) from.entries.get(name);
    String newName = freshName(to, "f", 40);
    if (newName == null || f.isSymlink()) return null;
    Path src = from.on(ctx.root).resolve(name);
    Path dst = to.on(ctx.root).resolve(newName);
    f.lock.lock();
    try {
      if (f.nlink >= 6) return null;
      f.version++;
      if (ctx.durable != null) ctx.durable.invalidate(rel(to, newName));
      createLink(dst, src);
      f.nlink++;
      to.entries.put(newName, f);
    } finally {
      f.lock.unlock();
    }
    return "link " + src + " -> " + dst;
  }

  /**
   * link(2), once more after a stat when the kernel's FUSE refused it with ENOENT without asking
   * us: it drops its cached link count itself when an unlink of another name completes, and an
   * attribute reply racing with that completion (a stat of the file in another worker) can leave
   * the count at 0 for a file that still has a name. jbtrfs closes that window but for an unlinking
   * thread descheduled for over 10 ms (LinkDropsInFlight; README, differences from the kernel). The
   * stat reads the count afresh (the kernel marked it stale at the drop); a second refusal is a
   * failure.
   */
  private void createLink(Path dst, Path src) throws IOException {
    try {
      Files.createLink(dst, src);
    } catch (java.nio.file.NoSuchFileException e) {
      Files.readAttributes(src, "unix:nlink", java.nio.file.LinkOption.NOFOLLOW_LINKS);
      ctx.count("link-retried");
      Files.createLink(dst, src);
    }
  }

  private String chmod(Path p, ModelFile f) throws IOException {
    f.lock.lock();
    try {
      int perms = 0600 | rnd.nextInt(0200);
      f.version++;
      Files.setPosixFilePermissions(p, permissions(perms));
      f.perms = perms;
      return "chmod " + p + " " + Integer.toOctalString(perms);
    } finally {
      f.lock.unlock();
    }
  }

  private String dirXattr(ModelDir d) throws IOException {
    if (d == ctx.shared) return null;
    return FsxDataOps.xattr(d.on(ctx.root), d.xattrs, rnd, () -> {});
  }

  private String readdir(ModelDir d) throws IOException {
    Path p = d.on(ctx.root);
    Set<String> got = new TreeSet<>();
    try (Stream<Path> s = Files.list(p)) {
      s.forEach(x -> got.add(x.getFileName().toString()));
    }
    Set<String> want = new TreeSet<>(d.entries.keySet());
    if (!got.equals(want))
      throw new AssertionError("readdir " + p + ": " + got + ", expected " + want);
    return "readdir " + p;
  }

  private static void lockBoth(ModelFile a, ModelFile b) {
    if (b == null) {
      a.lock.lock();
    } else if (a.id < b.id) {
      a.lock.lock();
      b.lock.lock();
    } else {
      b.lock.lock();
      a.lock.lock();
    }
  }

  private static void unlockBoth(ModelFile a, ModelFile b) {
    a.lock.unlock();
    if (b != null) b.lock.unlock();
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] all = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_READ
    };
    for (int i = 0; i < all.length; i++) {
      if ((mode & (1 << i)) != 0) s.add(all[i]);
    }
    return s;
  }
}
