package org.jbtrfs.oracle;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Facts picked out of btrfs-progs `dump-tree` / `dump-super` text, the tests' ground truth. */
final class DumpText {
  private static final Pattern BLOCK = Pattern.compile("(?m)^(leaf|node) (\\d+) (items|level)");
  private static final Pattern ITEM = Pattern.compile("(?m)^\\s+item \\d+ key \\(");

  private DumpText() {}

  /** The inode number of the entry called {@code name} in directory {@code dirIno}. */
  static long inodeOf(String fsDump, long dirIno, String name) {
    Matcher m =
        Pattern.compile(
                "key \\((\\d+) INODE_REF "
                    + dirIno
                    + "\\).*\\n\\s+index \\d+ namelen \\d+ name: "
                    + Pattern.quote(name)
                    + "\\n")
            .matcher(fsDump);
    if (!m.find()) throw new IllegalStateException("no INODE_REF for " + name + " in " + dirIno);
    return Long.parseLong(m.group(1));
  }

  /** Address of the leaf holding the item with this exact key text, e.g. "257 EXTENT_DATA 0". */
  static long leafOf(String dump, String key) {
    int at = dump.indexOf("key (" + key + ")");
    if (at < 0) throw new IllegalStateException("no item with key (" + key + ")");
    Matcher m = Pattern.compile("(?m)^leaf (\\d+) items").matcher(dump.substring(0, at));
    long leaf = -1;
    while (m.find()) leaf = Long.parseLong(m.group(1));
    if (leaf < 0) throw new IllegalStateException("item (" + key + ") is in no leaf");
    return leaf;
  }

  /** Disk address of the regular extent at file offset 0 of {@code ino}. */
  static long extentDiskByte(String fsDump, long ino) {
    Matcher m =
        Pattern.compile(
                "key \\("
                    + ino
                    + " EXTENT_DATA 0\\)[^\\n]*\\n[^\\n]*type 1 \\(regular\\)\\n"
                    + "\\s+extent data disk byte (\\d+) nr")
            .matcher(fsDump);
    if (!m.find()) throw new IllegalStateException("inode " + ino + " has no regular extent at 0");
    return Long.parseLong(m.group(1));
  }

  /**
   * Every file extent item of {@code ino}, one line each: file offset, type, disk address and
   * length, offset into the extent and length used.
   */
  static java.util.List<String> fileExtents(String fsDump, long ino) {
    Matcher m =
        Pattern.compile(
                "key \\("
                    + ino
                    + " EXTENT_DATA (\\d+)\\)[^\\n]*\\n\\s+generation \\d+ type (\\d) [^\\n]*\\n"
                    + "(?:\\s+(?:extent|prealloc) data disk byte (\\d+) nr (\\d+)\\n"
                    + "\\s+(?:extent|prealloc) data offset (\\d+) nr (\\d+))?")
            .matcher(fsDump);
    java.util.List<String> out = new java.util.ArrayList<>();
    while (m.find())
      out.add(
          String.join(" ", m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6)));
    return out;
  }

  /** Every leaf and node address printed, in dump order. */
  static Set<Long> blocks(String dump) {
    Set<Long> out = new LinkedHashSet<>();
    Matcher m = BLOCK.matcher(dump);
    while (m.find()) out.add(Long.parseLong(m.group(2)));
    return out;
  }

  /** Number of leaf items printed (node key pointers are not "item N" lines). */
  static int itemCount(String dump) {
    Matcher m = ITEM.matcher(dump);
    int n = 0;
    while (m.find()) n++;
    return n;
  }

  /** A numeric field of `dump-super` output, e.g. "root" or "generation". */
  static long superField(String superDump, String field) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(field) + "\\s+(\\d+)$").matcher(superDump);
    if (!m.find()) throw new IllegalStateException("dump-super has no " + field);
    return Long.parseLong(m.group(1));
  }
}
