package org.jbtrfs.oracle;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A kernel-made image (or device set) for corruption tests: mkfs.btrfs on sparse files, filled by a
 * shell script run inside a read-write kernel mount, then unmounted and detached so the files can
 * be damaged and opened offline. Also reads and writes raw bytes of the files.
 */
final class ScratchImage {
  private final List<Path> devices;

  private ScratchImage(List<Path> devices) {
    this.devices = devices;
  }

  /**
   * Creates {@code ndev} files of {@code size} bytes in {@code dir}, runs mkfs.btrfs with {@code
   * mkfsArgs} over them, and runs {@code populate} (bash, cwd = the mount point). Devid i is the
   * i-th file, since mkfs numbers devices in argument order.
   */
  static ScratchImage create(
      Path dir, String name, long size, int ndev, List<String> mkfsArgs, String populate) {
    List<Path> files = new ArrayList<>();
    for (int i = 1; i <= ndev; i++) {
      Path f = dir.resolve(ndev == 1 ? name + ".img" : name + ".dev" + i + ".img");
      Loop.createSparse(f, size);
      files.add(f);
    }
    List<String> mkfs = new ArrayList<>(List.of("mkfs.btrfs", "-q", "-f"));
    mkfs.addAll(mkfsArgs);
    files.forEach(f -> mkfs.add(f.toString()));
    Cmd.run(mkfs).check();
    Path mnt = dir.resolve(name + ".mnt");
    try (Loop loop = Loop.attach(files);
        KernelMount m = KernelMount.mountReadWrite(loop.devices(), mnt)) {
      Cmd.run(List.of("bash", "-euo", "pipefail", "-c", populate), m.path(), 300).check();
    } finally {
      try {
        Files.deleteIfExists(mnt);
      } catch (IOException e) {
        System.err.println("warning: cannot remove " + mnt + ": " + e);
      }
    }
    return new ScratchImage(List.copyOf(files));
  }

  List<Path> devices() {
    return devices;
  }

  Path image() {
    return devices.get(0);
  }

  /** The file backing devid {@code devid} (1-based). */
  Path device(long devid) {
    return devices.get((int) devid - 1);
  }

  /** Output of btrfs inspect-internal (the image must not be mounted). */
  String inspect(String... args) {
    List<String> cmd = new ArrayList<>(List.of("btrfs", "inspect-internal"));
    cmd.addAll(List.of(args));
    cmd.add(image().toString());
    return Cmd.run(cmd, null, 300).check().out();
  }

  static byte[] read(Path file, long offset, int len) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      byte[] b = new byte[len];
      f.seek(offset);
      f.readFully(b);
      return b;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void write(Path file, long offset, byte[] b) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      f.write(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Inverts {@code len} bytes at {@code offset}; returns what was there before. */
  static byte[] flip(Path file, long offset, int len) {
    byte[] old = read(file, offset, len);
    byte[] neu = old.clone();
    for (int i = 0; i < len; i++) neu[i] = (byte) ~neu[i];
    write(file, offset, neu);
    return old;
  }

  void deleteFiles() {
    for (Path p : devices) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        System.err.println("warning: cannot delete " + p + ": " + e);
      }
    }
  }
}
