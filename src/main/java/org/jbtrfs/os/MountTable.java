package org.jbtrfs.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** This process's mount table, from /proc/self/mountinfo. */
public final class MountTable {
  /**
   * One mount: the device number of its superblock, the path inside that filesystem it shows, where
   * it is, its per-mount options, filesystem type (with a FUSE subtype: "fuseblk.jbtrfs") and
   * source.
   */
  public record Mount(
      long dev, String root, String mountPoint, String options, String type, String source) {
    public boolean readOnly() {
      return List.of(options.split(",")).contains("ro");
    }
  }

  public static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

  private MountTable() {}

  public static List<Mount> read() throws IOException {
    List<Mount> out = new ArrayList<>();
    for (String line : Files.readAllLines(MOUNTINFO)) {
      Mount m = parse(line);
      if (m != null) out.add(m);
    }
    return out;
  }

  /** One mountinfo line, or null when it does not have the documented shape. */
  static Mount parse(String line) {
    String[] f = line.split(" ");
    int dash = -1;
    for (int i = 6; i < f.length; i++) {
      if (f[i].equals("-")) {
        dash = i;
        break;
      }
    }
    if (f.length < 6 || dash < 0 || dash + 2 >= f.length) return null;
    String[] mm = f[2].split(":");
    if (mm.length != 2) return null;
    long dev;
    try {
      dev = org.jbtrfs.format.DeviceNumbers.make(Long.parseLong(mm[0]), Long.parseLong(mm[1]));
    } catch (NumberFormatException e) {
      return null;
    }
    return new Mount(dev, unescape(f[3]), unescape(f[4]), f[5], f[dash + 1], unescape(f[dash + 2]));
  }

  /** mountinfo writes space, tab, newline and backslash as three-digit octal escapes. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) return s;
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && isOctal(s, i + 1, i + 4)) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static boolean isOctal(String s, int from, int to) {
    if (to > s.length()) return false;
    for (int i = from; i < to; i++) if (s.charAt(i) < '0' || s.charAt(i) > '7') return false;
    return true;
  }

  /** The mounts whose source is {@code device} (compared by identity, not by name). */
  public static List<Mount> bySource(List<Mount> mounts, FileIdentity device) {
    List<Mount> out = new ArrayList<>();
    for (Mount m : mounts) {
      if (!m.source().startsWith("/")) continue;
      FileIdentity id = FileIdentity.orNull(Path.of(m.source()));
      if (device.equals(id)) out.add(m);
    }
    return out;
  }
}
