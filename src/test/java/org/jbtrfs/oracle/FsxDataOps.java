package org.jbtrfs.oracle;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * fsx-style operations on one regular file: each takes the file's model lock, bumps its version
 * before any change reaches the filesystem, and every read is compared with the model.
 */
final class FsxDataOps {
  /** Writes and truncates stay below this, so the model of every file fits in memory. */
  static final int MAX_FILE = 2 << 20;

  static final int MAX_IO = 256 << 10;
  private static final int BLOCK = 4096;

  private FsxDataOps() {}

  /** 1 B to 256 KiB, log-uniform: mostly small (unaligned, in-page) with some large ones. */
  static int ioSize(Random r) {
    return Math.max(1, (int) Math.min(MAX_IO, Math.round(Math.pow(2, r.nextDouble() * 18))));
  }

  static byte[] randomBytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  /** Writes at a random offset: inside, just past EOF (a hole), or far past it. */
  static String write(Path p, ModelFile f, Random r) throws IOException {
    int len = ioSize(r);
    f.lock.lock();
    try {
      long off =
          switch (r.nextInt(4)) {
            case 0 -> f.size();
            case 1 -> r.nextInt(MAX_FILE - len);
            default -> r.nextInt(Math.min(MAX_FILE - len, f.size() + 65536));
          };
      byte[] b = randomBytes(r, len);
      f.version++;
      try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) ch.write(buf, off + buf.position());
      }
      f.write(off, b);
      return "write " + p + " off=" + off + " len=" + len + " -> size " + f.size();
    } finally {
      f.lock.unlock();
    }
  }

  /** Reads a random range (sometimes the whole file) and compares it with the model. */
  static String read(Path p, ModelFile f, Random r) throws IOException {
    f.lock.lock();
    try {
      boolean whole = r.nextInt(8) == 0;
      long off = whole ? 0 : r.nextInt(f.size() + 8192);
      int len = whole ? f.size() + 4096 : ioSize(r);
      byte[] got = readRange(p, off, len);
      compare(p, off, f.read(off, len), got, "read");
      return "read " + p + " off=" + off + " len=" + len + " got " + got.length;
    } finally {
      f.lock.unlock();
    }
  }

  static byte[] readRange(Path p, long off, int len) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(len);
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      while (buf.hasRemaining()) {
        if (ch.read(buf, off + buf.position()) < 0) break;
      }
    }
    return Arrays.copyOf(buf.array(), buf.position());
  }

  static void compare(Path p, long off, byte[] want, byte[] got, String what) {
    if (Arrays.equals(want, got)) return;
    int i = Arrays.mismatch(want, got);
    throw new AssertionError(
        what
            + " "
            + p
            + " at "
            + off
            + ": expected "
            + want.length
            + " bytes, got "
            + got.length
            + "; first difference at file offset "
            + (off + i)
            + (i < Math.min(want.length, got.length)
                ? " (want " + (want[i] & 0xff) + ", got " + (got[i] & 0xff) + ")"
                : ""));
  }

  /** ftruncate to a random size, shrinking (unaligned) or growing (a hole). */
  static String truncate(Path p, ModelFile f, Random r) throws IOException {
    f.lock.lock();
    try {
      long size =
          r.nextBoolean()
              ? r.nextInt(f.size() + 1)
              : Math.min(MAX_FILE, f.size() + r.nextInt(300_000));
      f.version++;
      try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
        raf.setLength(size);
      }
      f.truncate(size);
      return "truncate " + p + " to " + size;
    } finally {
      f.lock.unlock();
    }
  }

  /** fsync or fdatasync; on success the file's bytes are promised (recorded when crash-testing). */
  static String fsync(Path p, String rel, ModelFile f, Random r, DurableLog durable)
      throws IOException {
    f.lock.lock();
    try {
      boolean meta = r.nextBoolean();
      try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
        ch.force(meta);
      }
      if (durable != null) durable.fsynced(rel, f);
      return (meta ? "fsync " : "fdatasync ") + p + " size " + f.size();
    } finally {
      f.lock.unlock();
    }
  }

  /**
   * The fallocate(1) tool (Java has no fallocate): preallocate, keep-size, punch hole, zero range.
   */
  static String fallocate(Path p, ModelFile f, Random r) throws IOException {
    f.lock.lock();
    try {
      long off = r.nextInt(Math.min(MAX_FILE - MAX_IO, f.size() + 65536));
      long len = ioSize(r);
      String[] modes = {"", "-n", "-p", "-z"};
      String mode = modes[r.nextInt(modes.length)];
      f.version++;
      List<String> cmd =
          mode.isEmpty()
              ? List.of("fallocate", "-o", "" + off, "-l", "" + len, p.toString())
              : List.of("fallocate", mode, "-o", "" + off, "-l", "" + len, p.toString());
      Cmd.Result res = Cmd.run(cmd, null, 60);
      if (res.exitCode() != 0)
        throw new IOException("fallocate failed: " + cmd + ": " + res.stderr());
      switch (mode) {
        case "" -> f.truncate(Math.max(f.size(), off + len));
        case "-p" -> f.zero(off, len);
        case "-z" -> {
          f.zero(off, len);
          f.truncate(Math.max(f.size(), off + len));
        }
        default -> {}
      }
      return "fallocate " + mode + " " + p + " off=" + off + " len=" + len + " -> size " + f.size();
    } finally {
      f.lock.unlock();
    }
  }

  /** Block-aligned O_DIRECT write or read through a handle that bypasses the page cache. */
  static String direct(Path p, ModelFile f, Random r, FsxContext ctx) throws IOException {
    f.lock.lock();
    try {
      int blocks = 1 + r.nextInt(16);
      int len = blocks * BLOCK;
      long off = (long) r.nextInt(Math.min(MAX_FILE - len, f.size() + 65536) / BLOCK + 1) * BLOCK;
      ByteBuffer buf = ByteBuffer.allocateDirect(len + BLOCK).alignedSlice(BLOCK);
      buf.limit(len);
      boolean write = r.nextBoolean();
      FileChannel ch;
      try {
        ch =
            FileChannel.open(
                p, StandardOpenOption.READ, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
      } catch (IOException e) {
        if (String.valueOf(e.getMessage()).contains("Invalid argument")) {
          ctx.directIo = false;
          return "O_DIRECT unsupported: " + e.getMessage();
        }
        throw e;
      }
      try (ch) {
        if (write) {
          byte[] b = randomBytes(r, len);
          buf.put(b).flip();
          f.version++;
          while (buf.hasRemaining()) ch.write(buf, off + buf.position());
          f.write(off, b);
        } else {
          // A short read means EOF; the next position would not be aligned, so stop there.
          while (buf.hasRemaining() && buf.position() % BLOCK == 0) {
            if (ch.read(buf, off + buf.position()) <= 0) break;
          }
          byte[] got = new byte[buf.position()];
          buf.flip().get(got);
          compare(p, off, f.read(off, len), got, "O_DIRECT read");
        }
      }
      return (write ? "direct write " : "direct read ") + p + " off=" + off + " len=" + len;
    } finally {
      f.lock.unlock();
    }
  }

  /** Checks size, link count and permissions as stat(2) reports them. */
  static String stat(Path p, ModelFile f) throws IOException {
    f.lock.lock();
    try {
      Map<String, Object> a =
          Files.readAttributes(p, "unix:size,nlink,mode", LinkOption.NOFOLLOW_LINKS);
      long size = (Long) a.get("size");
      int nlink = (Integer) a.get("nlink");
      int mode = (Integer) a.get("mode") & 07777;
      long wantSize = f.isSymlink() ? f.symlinkTarget.length() : f.size();
      int wantMode = f.isSymlink() ? 0777 : f.perms;
      if (size != wantSize || nlink != f.nlink || mode != wantMode) {
        throw new AssertionError(
            "stat "
                + p
                + ": size/nlink/mode "
                + size
                + "/"
                + nlink
                + "/"
                + Integer.toOctalString(mode)
                + ", expected "
                + wantSize
                + "/"
                + f.nlink
                + "/"
                + Integer.toOctalString(wantMode));
      }
      return "stat " + p;
    } finally {
      f.lock.unlock();
    }
  }

  /** Sets, checks or removes a user xattr; the caller locks the owner of {@code xattrs}. */
  static String xattr(Path p, Map<String, byte[]> xattrs, Random r, Runnable changed)
      throws IOException {
    UserDefinedFileAttributeView v =
        Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
    String name = "k" + r.nextInt(6);
    int op = r.nextInt(4);
    if (op <= 1) {
      byte[] val = randomBytes(r, r.nextInt(10) == 0 ? r.nextInt(3000) : r.nextInt(64));
      changed.run();
      v.write(name, ByteBuffer.wrap(val));
      xattrs.put(name, val);
      return "setxattr " + p + " " + name + " len=" + val.length;
    }
    if (op == 2 && xattrs.containsKey(name)) {
      changed.run();
      v.delete(name);
      xattrs.remove(name);
      return "removexattr " + p + " " + name;
    }
    checkXattrs(p, xattrs, v);
    return "getxattr " + p;
  }

  static void checkXattrs(Path p, Map<String, byte[]> want, UserDefinedFileAttributeView v)
      throws IOException {
    Set<String> names = new HashSet<>(v.list());
    if (!names.equals(want.keySet())) {
      throw new AssertionError("xattrs of " + p + ": " + names + ", expected " + want.keySet());
    }
    for (Map.Entry<String, byte[]> e : want.entrySet()) {
      ByteBuffer b = ByteBuffer.allocate(v.size(e.getKey()));
      v.read(e.getKey(), b);
      if (!Arrays.equals(Arrays.copyOf(b.array(), b.position()), e.getValue())) {
        throw new AssertionError("xattr " + e.getKey() + " of " + p + " differs");
      }
    }
  }
}
