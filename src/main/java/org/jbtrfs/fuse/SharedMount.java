package org.jbtrfs.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jbtrfs.device.DeviceBusyException;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.os.Libc;

/**
 * A second mount of a filesystem a jbtrfs daemon already serves. The kernel's btrfs shares one
 * filesystem between every mount of a device; jbtrfs does the same with a bind mount of the first
 * mount (or of the subvolume asked for, inside a first mount of the top level), so there is still
 * exactly one writer. What a bind mount cannot show (read-write over a read-only first mount, a
 * subvolume the first mount does not contain) is refused with a message naming the first mount.
 */
final class SharedMount {
  /** How long a second mount waits for a first one that is still starting to publish itself. */
  private static final long STARTING_MILLIS = 30_000;

  private SharedMount() {}

  /**
   * Bind-mounts the first mount's view of the filesystem on {@code target}; returns the directory
   * bound. {@code flags}: the MS_* flags the mount would have had (a read-only view gets them).
   * Throws {@link DeviceBusyException} (with the message for the user) when it cannot.
   */
  static Path bind(DeviceBusyException busy, MountOptions want, long flags, Path target)
      throws IOException, InterruptedException {
    MountRegistry.Entry first = awaitEntry(busy);
    if (first == null) throw busy;
    String where =
        busy.path()
            + " is already mounted on "
            + first.mountPoint()
            + " by jbtrfs (pid "
            + first.pid()
            + (first.readOnly() ? ", read-only)" : ")");
    if (first.readOnly() && !want.readOnly()) {
      throw refusal(busy, where + "; a read-write mount needs that one unmounted first");
    }
    Path source = sourceFor(first, want);
    if (source == null) {
      throw refusal(
          busy, where + " showing another subvolume; unmount it or mount its top level there");
    }
    Libc libc = Libc.load();
    if (libc.geteuid() != 0) throw refusal(busy, where + "; only root can share it (bind mount)");
    if (libc.mount(source.toString(), target.toString(), null, Libc.MS_BIND, null) != 0) {
      throw new IOException("bind mount of " + source + ": " + Libc.describe(Libc.errno()));
    }
    // A bind mount starts with the first mount's flags; this mount's own (ro, nosuid, nodev,
    // noexec) are set by remounting the bind, which sets every per-mount flag at once.
    if ((flags & ~Libc.MS_RDONLY) != 0 || (want.readOnly() && !first.readOnly())) {
      long remount = Libc.MS_BIND | Libc.MS_REMOUNT | flags;
      if (libc.mount(null, target.toString(), null, remount, null) != 0) {
        int err = Libc.errno();
        libc.umount2(target.toString(), 0);
        throw new IOException("remount of " + target + ": " + Libc.describe(err));
      }
    }
    return source;
  }

  private static MountRegistry.Entry awaitEntry(DeviceBusyException busy)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + STARTING_MILLIS;
    while (true) {
      MountRegistry.Entry e = MountRegistry.find(busy.identity());
      if (e != null || System.currentTimeMillis() > deadline) return e;
      // Only a first mount that is still starting (holding the lock, not yet published) is worth
      // waiting for; a jbtrfs command working on the image offline is not.
      if (!busy.byJbtrfs()) return null;
      Thread.sleep(50);
    }
  }

  /**
   * The directory of the first mount that shows what {@code want} asks for, or null: the first
   * mount itself when both name the same subvolume (or neither names one: the default), or a
   * subvolume by path inside a first mount of the top level.
   */
  private static Path sourceFor(MountRegistry.Entry first, MountOptions want) {
    String path = normal(want.subvol());
    Long id = want.subvolId();
    if (want.subvol() == null && id == null && first.subvol() == null) return first.mountPoint();
    if (id != null && path == null && id == first.subvolId()) return first.mountPoint();
    if (path != null && id == null && path.equals(normal(first.subvol())))
      return first.mountPoint();
    if (path != null && id == null && first.subvolId() == TOP_LEVEL) {
      Path inside = first.mountPoint().resolve(path);
      if (Files.isDirectory(inside) && isSubvolumeRoot(inside)) return inside;
    }
    if (want.subvol() != null && path == null && id == null && first.subvolId() == TOP_LEVEL)
      return first.mountPoint(); // subvol=/
    return null;
  }

  private static final long TOP_LEVEL = 5;

  /** A subvolume's root directory is inode 256 in its own tree. */
  private static boolean isSubvolumeRoot(Path dir) {
    try {
      return ((Long) Files.getAttribute(dir, "unix:ino")) == 256;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** A subvol= path without leading or trailing slashes, or null for the top level. */
  private static String normal(String subvol) {
    if (subvol == null) return null;
    String s = subvol.replaceAll("^/+|/+$", "");
    return s.isEmpty() ? null : s;
  }

  private static DeviceBusyException refusal(DeviceBusyException busy, String message) {
    return new DeviceBusyException(busy.path(), busy.identity(), busy.byJbtrfs(), message);
  }
}
