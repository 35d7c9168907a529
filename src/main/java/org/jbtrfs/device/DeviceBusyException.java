package org.jbtrfs.device;

import java.io.IOException;
import java.nio.file.Path;
import org.jbtrfs.os.FileIdentity;

/**
 * A device or image that something else already has: another jbtrfs process ({@link #byJbtrfs}),
 * the kernel (a mount, possibly through a loop device), or an exclusive opener we cannot name.
 */
public final class DeviceBusyException extends IOException {
  private final Path path;
  private final FileIdentity identity;
  private final boolean byJbtrfs;

  public DeviceBusyException(Path path, FileIdentity identity, boolean byJbtrfs, String message) {
    super(message);
    this.path = path;
    this.identity = identity;
    this.byJbtrfs = byJbtrfs;
  }

  public Path path() {
    return path;
  }

  public FileIdentity identity() {
    return identity;
  }

  /** True when the holder is another jbtrfs process (its lock), not the kernel. */
  public boolean byJbtrfs() {
    return byJbtrfs;
  }
}
