package org.jbtrfs.device;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jbtrfs.os.ErrnoValues;
import org.jbtrfs.os.FileIdentity;
import org.jbtrfs.os.Libc;

/**
 * One owner per device. Before a filesystem is opened for change (or served read-only), every one
 * of its devices is claimed: an advisory lock (flock) that other jbtrfs processes respect
 * (exclusive to write, shared to read, so read-only mounts may share), an exclusive open of each
 * block device (the claim the kernel's own mounts take, so neither can have a device the other
 * holds), and for image files a look for kernel mounts through loop devices backed by the same
 * file. Held until {@link #close}.
 */
public final class DeviceClaims implements AutoCloseable {
  private final List<Path> paths;
  private final List<FileIdentity> identities;
  private final List<Integer> lockFds;
  private final List<Integer> exclusiveFds;
  private final Set<FileIdentity> ours = new HashSet<>();
  private boolean closed;

  private DeviceClaims(
      List<Path> paths, List<FileIdentity> ids, List<Integer> locks, List<Integer> excl) {
    this.paths = paths;
    this.identities = ids;
    this.lockFds = locks;
    this.exclusiveFds = excl;
  }

  /**
   * Claims every device in {@code paths}; throws {@link DeviceBusyException} naming the holder of
   * the first one that is taken, and then holds nothing.
   */
  public static DeviceClaims claim(List<Path> paths, boolean readOnly) throws IOException {
    Libc libc = Libc.load();
    List<FileIdentity> ids = new ArrayList<>();
    List<Integer> locks = new ArrayList<>();
    List<Integer> excl = new ArrayList<>();
    DeviceClaims c = new DeviceClaims(List.copyOf(paths), ids, locks, excl);
    try {
      for (Path p : paths) {
        FileIdentity id;
        try {
          id = FileIdentity.of(p);
        } catch (java.nio.file.NoSuchFileException e) {
          throw new IOException(p + ": no such file or device");
        }
        ids.add(id);
        int fd = libc.open(p.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0) throw new IOException("cannot open " + p + ": " + Libc.describe(Libc.errno()));
        locks.add(fd);
        if (libc.flock(fd, (readOnly ? Libc.LOCK_SH : Libc.LOCK_EX) | Libc.LOCK_NB) != 0) {
          int err = Libc.errno();
          if (err != ErrnoValues.EWOULDBLOCK)
            throw new IOException("cannot lock " + p + ": " + Libc.describe(err));
          throw new DeviceBusyException(
              p, id, true, p + " is in use by another jbtrfs process" + lockHolder(p));
        }
        List<KernelUsers.Use> uses = KernelUsers.of(id, Set.of());
        // A reader may share a device with readers; a writer shares with no one.
        boolean conflict = uses.stream().anyMatch(u -> !readOnly || u.writes());
        if (id.blockDevice()) {
          int x = libc.open(p.toString(), Libc.O_RDONLY | Libc.O_EXCL | Libc.O_CLOEXEC);
          if (x < 0) {
            int err = Libc.errno();
            if (err != ErrnoValues.EBUSY)
              throw new IOException("cannot open " + p + ": " + Libc.describe(err));
            if (conflict || uses.isEmpty())
              throw busy(p, id, "held exclusively by another user (a mount, md or device mapper)");
          }
          excl.add(x);
        }
        // Kernel mounts through a loop device the image file backs: no lock of ours stops them.
        if (conflict) throw busy(p, id, null);
      }
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private static DeviceBusyException busy(Path p, FileIdentity id, String fallback)
      throws IOException {
    List<KernelUsers.Use> uses = KernelUsers.of(id, Set.of());
    String why =
        uses.isEmpty()
            ? fallback
            : String.join("; ", uses.stream().map(KernelUsers.Use::description).toList());
    return new DeviceBusyException(p, id, false, p + " is in use by the kernel: " + why);
  }

  /** " (pid N)" from /proc/locks for the flock on {@code p}, or "" when it cannot be told. */
  private static String lockHolder(Path p) {
    Long pid = FileLocks.holder(p);
    return pid == null ? "" : " (pid " + pid + ")";
  }

  public List<Path> paths() {
    return paths;
  }

  public List<FileIdentity> identities() {
    return identities;
  }

  /**
   * Lets go of the exclusive open of block device {@code index}, so that a mount of it (which takes
   * the same claim) can succeed; the mount holds it from then on.
   */
  public synchronized void handOverExclusive(int index) {
    if (!identities.get(index).blockDevice()) return;
    int slot = 0;
    for (int i = 0; i < index; i++) if (identities.get(i).blockDevice()) slot++;
    int fd = exclusiveFds.get(slot);
    if (fd < 0) return;
    Libc.load().close(fd);
    exclusiveFds.set(slot, -1);
  }

  /** Block devices of our own (a loop device for our mount) that {@link #foreignUse} ignores. */
  public synchronized void addOwn(FileIdentity blockDevice) {
    ours.add(blockDevice);
  }

  /**
   * A kernel mount of one of our devices that appeared after the claim (through a loop device a
   * user attached by hand, which a lock cannot stop), or null when there is none.
   */
  public String foreignUse() throws IOException {
    Set<FileIdentity> mine;
    synchronized (this) {
      if (closed) return null;
      mine = Set.copyOf(ours);
    }
    for (int i = 0; i < identities.size(); i++) {
      if (identities.get(i).blockDevice()) continue; // the exclusive claim keeps the kernel out
      List<KernelUsers.Use> uses = KernelUsers.of(identities.get(i), mine);
      for (KernelUsers.Use u : uses) {
        if (u.writes()) return paths.get(i) + " is now also " + u.description();
      }
    }
    return null;
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    Libc libc = Libc.load();
    for (int fd : exclusiveFds) if (fd >= 0) libc.close(fd);
    for (int fd : lockFds) libc.close(fd);
  }
}
