package org.jbtrfs.fuse;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Properties;
import org.jbtrfs.os.FileIdentity;
import org.jbtrfs.os.Libc;

/**
 * Which jbtrfs daemon serves which device, so that a second mount of a device can find the first
 * one (to show the same filesystem through a bind mount, or to name it when refusing). One small
 * file per device under /run/jbtrfs (root) or the user's runtime directory, written by the daemon
 * once its mount is live and removed when it ends; an entry whose daemon is gone is ignored.
 */
final class MountRegistry {
  /**
   * A live jbtrfs mount: who serves it, where, the subvol= it was given (null: none) and the id of
   * the subvolume it shows.
   */
  record Entry(long pid, Path mountPoint, boolean readOnly, String subvol, long subvolId) {}

  private MountRegistry() {}

  static Path directory() {
    if (Libc.load().geteuid() == 0) return Path.of("/run/jbtrfs");
    String runtime = System.getenv("XDG_RUNTIME_DIR");
    String base = runtime != null ? runtime : System.getProperty("java.io.tmpdir");
    return Path.of(base, "jbtrfs-" + System.getProperty("user.name"));
  }

  private static Path fileOf(FileIdentity device) {
    return directory().resolve(device.key() + ".mount");
  }

  /** Records {@code entry} for every device of the mount. */
  static void publish(List<FileIdentity> devices, Entry entry) throws IOException {
    Files.createDirectories(directory());
    Properties p = new Properties();
    p.setProperty("pid", Long.toString(entry.pid()));
    p.setProperty("mountpoint", entry.mountPoint().toAbsolutePath().toString());
    p.setProperty("ro", Boolean.toString(entry.readOnly()));
    if (entry.subvol() != null) p.setProperty("subvol", entry.subvol());
    p.setProperty("subvolid", Long.toString(entry.subvolId()));
    StringWriter text = new StringWriter();
    p.store(text, "jbtrfs mount");
    for (FileIdentity d : devices) {
      Path target = fileOf(d);
      Path tmp = target.resolveSibling(target.getFileName() + "." + entry.pid() + ".tmp");
      Files.writeString(tmp, text.toString());
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** Removes the entries of {@code devices} that are still this process's. */
  static void withdraw(List<FileIdentity> devices) {
    long self = ProcessHandle.current().pid();
    for (FileIdentity d : devices) {
      Entry e = read(fileOf(d));
      if (e != null && e.pid() == self) {
        try {
          Files.deleteIfExists(fileOf(d));
        } catch (IOException ex) {
          // a stale entry is ignored by readers once this process is gone
        }
      }
    }
  }

  /** The live mount serving {@code device}, or null. */
  static Entry find(FileIdentity device) {
    Entry e = read(fileOf(device));
    if (e == null || e.pid() == ProcessHandle.current().pid()) return null;
    return ProcessHandle.of(e.pid()).map(ProcessHandle::isAlive).orElse(false) ? e : null;
  }

  private static Entry read(Path file) {
    try {
      Properties p = new Properties();
      p.load(new StringReader(Files.readString(file)));
      return new Entry(
          Long.parseLong(p.getProperty("pid")),
          Path.of(p.getProperty("mountpoint")),
          Boolean.parseBoolean(p.getProperty("ro")),
          p.getProperty("subvol"),
          Long.parseLong(p.getProperty("subvolid")));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
