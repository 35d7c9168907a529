package org.jbtrfs.oracle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link Manifest} of a mounted tree with find, stat, sha256sum and getfattr, batched
 * through xargs (a few processes per tree, not per file).
 *
 * <p>Why external tools instead of java.nio: the JVM decodes file names with sun.jnu.encoding,
 * which follows the caller's locale; under LANG=C the unicode names become unreachable. Here names
 * travel as NUL-terminated raw bytes and are decoded as UTF-8 by us. (For the record, JDK 17 on
 * Linux does give nanosecond FileTimes through "unix:*" attributes; encoding, not precision, is
 * what rules java.nio out.) stat(1) also gives rdev major/minor, which java.nio only offers as one
 * opaque number.
 */
final class ManifestReader {
  /** One record per path: NUL-separated, so any name without a NUL is safe. */
  private static final String STAT_FORMAT =
      "%n\\0%f\\0%u\\0%g\\0%s\\0%b\\0%h\\0%i\\0%t\\0%T\\0%X\\0%Y\\0%Z\\0%x\\0%y\\0%z\\0%d\\0";

  private static final int STAT_FIELDS = 17;

  /**
   * jbtrfs shows inodes of subvolumes other than the mounted one with the subvolume id above this
   * bit.
   */
  private static final int JBTRFS_SUBVOL_SHIFT = 40;

  private ManifestReader() {}

  static Manifest read(Path mountPoint) {
    Path root = mountPoint.toAbsolutePath().normalize();
    Manifest m = new Manifest();
    readStat(root, m);
    readSymlinks(root, m);
    readHashes(root, m);
    readXattrs(root, m);
    return m;
  }

  private static void readStat(Path root, Manifest m) {
    Cmd.Result r = shell(root, m, "find . -print0 | xargs -0 -r stat --printf \"$1\"", STAT_FORMAT);
    List<String> f = splitNul(r.stdout());
    if (f.size() % STAT_FIELDS != 0) {
      m.error("stat output has " + f.size() + " fields, not a multiple of " + STAT_FIELDS);
    }
    String rootDev = null;
    for (int i = 0; i + STAT_FIELDS <= f.size(); i += STAT_FIELDS) {
      if (relative(f.get(i)).equals(".")) rootDev = f.get(i + 16);
    }
    for (int i = 0; i + STAT_FIELDS <= f.size(); i += STAT_FIELDS) {
      String path = relative(f.get(i));
      int mode = Integer.parseInt(f.get(i + 1), 16);
      String type = typeName(mode);
      m.put(path, "type", type);
      m.put(path, "mode", Integer.toOctalString(mode & 07777));
      m.put(path, "uid", f.get(i + 2));
      m.put(path, "gid", f.get(i + 3));
      m.put(path, "size", f.get(i + 4));
      m.put(path, "blocks", f.get(i + 5));
      m.put(path, "nlink", f.get(i + 6));
      m.put(path, "ino", inode(f.get(i + 7), f.get(i + 16), rootDev));
      if (type.equals("char") || type.equals("block")) {
        m.put(
            path,
            "rdev",
            Long.parseLong(f.get(i + 8), 16) + ":" + Long.parseLong(f.get(i + 9), 16));
      }
      m.put(path, "atime", time(f.get(i + 10), f.get(i + 13)));
      m.put(path, "mtime", time(f.get(i + 11), f.get(i + 14)));
      m.put(path, "ctime", time(f.get(i + 12), f.get(i + 15)));
    }
  }

  /**
   * Inode numbers repeat across subvolumes. The kernel tells them apart by st_dev, jbtrfs (one FUSE
   * st_dev) by the subvolume id in the high bits; both normalise to "nested:INO" for entries
   * outside the mounted subvolume, so the per-subvolume number is still compared.
   */
  private static String inode(String ino, String dev, String rootDev) {
    long n = Long.parseUnsignedLong(ino);
    if (rootDev != null && !dev.equals(rootDev)) return "nested:" + n;
    if ((n >>> JBTRFS_SUBVOL_SHIFT) != 0)
      return "nested:" + (n & ((1L << JBTRFS_SUBVOL_SHIFT) - 1));
    return ino;
  }

  private static void readSymlinks(Path root, Manifest m) {
    Cmd.Result r = shell(root, m, "find . -type l -printf '%p\\0%l\\0'");
    List<String> f = splitNul(r.stdout());
    for (int i = 0; i + 1 < f.size(); i += 2) {
      putChecked(m, relative(f.get(i)), "target", f.get(i + 1));
    }
  }

  private static void readHashes(Path root, Manifest m) {
    // --zero ends records with NUL and turns off sha256sum's name escaping.
    Cmd.Result r = shell(root, m, "find . -type f -print0 | xargs -0 -r sha256sum --zero");
    for (String rec : splitNul(r.stdout())) {
      // "<64 hex><space><space or *><name>"
      putChecked(m, relative(rec.substring(66)), "sha256", rec.substring(0, 64));
    }
  }

  private static void readXattrs(Path root, Manifest m) {
    // Absolute names so getfattr prints paths exactly as given, then strip the root.
    Cmd.Result r =
        shell(
            root,
            m,
            "find \"$1\" -print0 | xargs -0 -r getfattr -h -d -m - -e hex" + " --absolute-names",
            root.toString());
    String prefix = root.toString();
    String path = null;
    for (String line : splitBytes(r.stdout(), (byte) '\n')) {
      if (line.startsWith("# file: ")) {
        String abs = unescapeOctal(line.substring("# file: ".length()));
        path =
            abs.equals(prefix)
                ? "."
                : abs.startsWith(prefix + "/") ? abs.substring(prefix.length() + 1) : null;
        if (path == null) {
          m.error("getfattr printed a path outside the tree: " + abs);
        }
      } else if (!line.isEmpty() && path != null) {
        int eq = line.indexOf('=');
        String name = unescapeOctal(eq < 0 ? line : line.substring(0, eq));
        String value = eq < 0 ? "" : line.substring(eq + 1);
        putChecked(m, path, "xattr:" + name, value.startsWith("0x") ? value.substring(2) : value);
      }
    }
  }

  /**
   * Adds a field only for a path the stat walk saw; anything else means a name did not round-trip
   * through one of the tools and is reported, not hidden.
   */
  private static void putChecked(Manifest m, String path, String field, String value) {
    if (!m.contains(path)) {
      m.error(field + " reported for a path the stat walk did not see: " + Manifest.quote(path));
      return;
    }
    m.put(path, field, value);
  }

  /** Runs a bash snippet in root; each line on stderr becomes a manifest error. */
  private static Cmd.Result shell(Path root, Manifest m, String script, String... args) {
    List<String> cmd = new ArrayList<>(List.of("bash", "-c", "set -o pipefail; " + script, "_"));
    cmd.addAll(List.of(args));
    Cmd.Result r = Cmd.run(cmd, root, 600);
    boolean any = false;
    for (String line : r.stderr().split("\n")) {
      if (!line.isBlank()) {
        m.error(line.replace(root.toString(), "MNT"));
        any = true;
      }
    }
    if (r.exitCode() != 0 && !any) {
      m.error("exit code " + r.exitCode() + " from: " + script);
    }
    return r;
  }

  private static String typeName(int mode) {
    switch (mode & 0170000) {
      case 0100000:
        return "file";
      case 0040000:
        return "dir";
      case 0120000:
        return "symlink";
      case 0020000:
        return "char";
      case 0060000:
        return "block";
      case 0010000:
        return "fifo";
      case 0140000:
        return "socket";
      default:
        return "unknown-" + Integer.toOctalString(mode & 0170000);
    }
  }

  /** "seconds.nanoseconds": seconds from %X (signed), nanoseconds from the %x fraction. */
  static String time(String seconds, String human) {
    int dot = human.indexOf('.');
    String nanos = "000000000";
    if (dot >= 0) {
      int end = dot + 1;
      while (end < human.length() && Character.isDigit(human.charAt(end))) {
        end++;
      }
      nanos = (human.substring(dot + 1, end) + "000000000").substring(0, 9);
    }
    return seconds + "." + nanos;
  }

  private static String relative(String findPath) {
    if (findPath.equals(".")) {
      return ".";
    }
    return findPath.startsWith("./") ? findPath.substring(2) : findPath;
  }

  /** Undoes getfattr's \ooo escaping, working on bytes so multi-byte UTF-8 survives. */
  static String unescapeOctal(String s) {
    byte[] in = s.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '\\'
          && i + 3 < in.length
          && isOctal(in[i + 1])
          && isOctal(in[i + 2])
          && isOctal(in[i + 3])) {
        out.write(((in[i + 1] - '0') << 6) | ((in[i + 2] - '0') << 3) | (in[i + 3] - '0'));
        i += 3;
      } else {
        out.write(in[i]);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static boolean isOctal(byte b) {
    return b >= '0' && b <= '7';
  }

  static List<String> splitNul(byte[] data) {
    return splitBytes(data, (byte) 0);
  }

  /**
   * Splits on a separator byte and decodes each piece as UTF-8; a trailing separator ends the last
   * piece.
   */
  static List<String> splitBytes(byte[] data, byte sep) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < data.length; i++) {
      if (data[i] == sep) {
        out.add(new String(data, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    if (start < data.length) {
      out.add(new String(data, start, data.length - start, StandardCharsets.UTF_8));
    }
    return out;
  }
}
