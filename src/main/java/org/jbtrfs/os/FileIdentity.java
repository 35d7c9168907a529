package org.jbtrfs.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jbtrfs.format.DeviceNumbers;

/**
 * What a path names, independent of the name: a block device by its device number, anything else by
 * the filesystem and inode it lives on. Two names of one image (a hard link, a bind mount, a loop
 * device's record of its backing file) compare equal.
 */
public record FileIdentity(boolean blockDevice, long dev, long ino) {
  public static FileIdentity of(Path path) throws IOException {
    Map<String, Object> a = Files.readAttributes(path, "unix:mode,dev,ino,rdev");
    int mode = (Integer) a.get("mode");
    if ((mode & 0170000) == 0060000) return new FileIdentity(true, (Long) a.get("rdev"), 0);
    return new FileIdentity(false, (Long) a.get("dev"), (Long) a.get("ino"));
  }

  /** The identity, or null when the path cannot be examined (gone, or not ours to stat). */
  public static FileIdentity orNull(Path path) {
    try {
      return Files.exists(path) ? of(path) : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** A name safe in a file name: "b-MAJ-MIN" or "f-DEV-INO". */
  public String key() {
    return blockDevice
        ? "b-" + DeviceNumbers.major(dev) + "-" + DeviceNumbers.minor(dev)
        : "f-" + Long.toUnsignedString(dev) + "-" + Long.toUnsignedString(ino);
  }
}
