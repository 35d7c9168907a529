package org.jbtrfs.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loop devices: attaching one to an image file (so a FUSE mount of the image can be a block device
 * mount, which the kernel unmounts only after the daemon has answered DESTROY), and finding the
 * loop devices that already show a given file.
 */
public final class LoopDevice implements AutoCloseable {
  private static final long LOOP_CTL_GET_FREE = 0x4C82;
  private static final long LOOP_CONFIGURE = 0x4C0A;
  private static final int LO_FLAGS_READ_ONLY = 1;
  private static final int LO_FLAGS_AUTOCLEAR = 4;

  /** struct loop_config: fd, block_size, struct loop_info64 (232 bytes), 8 reserved u64s. */
  private static final int CONFIG_SIZE = 304;

  private static final int FLAGS_AT = 8 + 52;
  private static final int FILE_NAME_AT = 8 + 56;
  private static final int FILE_NAME_MAX = 64;
  private static final int ATTEMPTS = 8;

  private final Path path;
  private int fd;

  private LoopDevice(Path path, int fd) {
    this.path = path;
    this.fd = fd;
  }

  /** A loop device and the identity of the file behind it. */
  public record Attached(Path device, FileIdentity id, FileIdentity backing) {}

  /**
   * Attaches a free loop device to {@code image}, read-only or not, cleared by the kernel as soon
   * as its last user closes it (this object, then whatever mounted it).
   */
  public static LoopDevice attach(Path image, boolean readOnly) throws IOException {
    Libc libc = Libc.load();
    int backing =
        libc.open(image.toString(), (readOnly ? Libc.O_RDONLY : Libc.O_RDWR) | Libc.O_CLOEXEC);
    if (backing < 0) throw failure("open " + image, Libc.errno());
    try {
      int ctl = libc.open("/dev/loop-control", Libc.O_RDWR | Libc.O_CLOEXEC);
      if (ctl < 0) throw failure("open /dev/loop-control", Libc.errno());
      try {
        for (int attempt = 0; ; attempt++) {
          int n = libc.ioctl(ctl, LOOP_CTL_GET_FREE, 0L);
          if (n < 0) throw failure("LOOP_CTL_GET_FREE", Libc.errno());
          Path dev = Path.of("/dev/loop" + n);
          int fd =
              libc.open(dev.toString(), (readOnly ? Libc.O_RDONLY : Libc.O_RDWR) | Libc.O_CLOEXEC);
          if (fd < 0) throw failure("open " + dev, Libc.errno());
          byte[] config = config(backing, image, readOnly);
          if (libc.ioctl(fd, LOOP_CONFIGURE, config) == 0) return new LoopDevice(dev, fd);
          int err = Libc.errno();
          libc.close(fd);
          // Another process took the same free device between our two calls: ask again.
          if (err != ErrnoValues.EBUSY || attempt >= ATTEMPTS)
            throw failure("LOOP_CONFIGURE " + dev, err);
        }
      } finally {
        libc.close(ctl);
      }
    } finally {
      libc.close(backing);
    }
  }

  private static byte[] config(int backing, Path image, boolean readOnly) {
    byte[] c = new byte[CONFIG_SIZE];
    putInt(c, 0, backing);
    putInt(c, FLAGS_AT, LO_FLAGS_AUTOCLEAR | (readOnly ? LO_FLAGS_READ_ONLY : 0));
    // The name losetup shows; the kernel keeps at most 63 bytes of it.
    byte[] name = image.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
    System.arraycopy(name, 0, c, FILE_NAME_AT, Math.min(name.length, FILE_NAME_MAX - 1));
    return c;
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >>> 8);
    b[at + 2] = (byte) (v >>> 16);
    b[at + 3] = (byte) (v >>> 24);
  }

  private static IOException failure(String what, int errno) {
    return new IOException(what + ": " + Libc.describe(errno));
  }

  public Path path() {
    return path;
  }

  /**
   * Drops this process's hold: the device stays while something else (a mount) has it open and
   * detaches itself after that.
   */
  @Override
  public synchronized void close() {
    if (fd < 0) return;
    Libc.load().close(fd);
    fd = -1;
  }

  /** Every attached loop device whose backing file could be examined. */
  public static List<Attached> attached() {
    List<Attached> out = new ArrayList<>();
    Path sys = Path.of("/sys/block");
    if (!Files.isDirectory(sys)) return out;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(sys, "loop*")) {
      for (Path p : ds) {
        Path backingFile = p.resolve("loop/backing_file");
        if (!Files.isReadable(backingFile)) continue;
        String name;
        try {
          name = Files.readString(backingFile).strip();
        } catch (IOException e) {
          continue; // detached meanwhile
        }
        FileIdentity backing =
            name.endsWith(" (deleted)") ? null : FileIdentity.orNull(Path.of(name));
        Path dev = Path.of("/dev", p.getFileName().toString());
        FileIdentity devId = FileIdentity.orNull(dev);
        if (backing != null && devId != null) out.add(new Attached(dev, devId, backing));
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  /** The loop devices showing {@code file}. */
  public static List<Attached> showing(FileIdentity file) {
    List<Attached> out = new ArrayList<>();
    for (Attached a : attached()) if (a.backing().equals(file)) out.add(a);
    return out;
  }
}
