package org.jbtrfs.volume;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Extracts chunk items and file extent items from the text printed by btrfs-progs 6.x {@code btrfs
 * inspect-internal dump-tree}; the oracle tests use it as ground truth.
 */
final class DumpTreeParser {
  /** A regular file extent: file offset, extent location, and the slice of it the file uses. */
  record FileExtent(
      long objectid,
      long fileOffset,
      long diskBytenr,
      long diskNumBytes,
      long offset,
      long numBytes) {}

  private static final Pattern CHUNK_KEY =
      Pattern.compile("item \\d+ key \\(FIRST_CHUNK_TREE CHUNK_ITEM (\\d+)\\)");
  private static final Pattern CHUNK_HEAD =
      Pattern.compile("length (\\d+) owner \\d+ stripe_len (\\d+) type (\\S+)");
  private static final Pattern NUM_STRIPES =
      Pattern.compile("num_stripes (\\d+) sub_stripes (\\d+)");
  private static final Pattern STRIPE = Pattern.compile("stripe \\d+ devid (\\d+) offset (\\d+)");
  private static final Pattern EXTENT_KEY =
      Pattern.compile("item \\d+ key \\((\\d+) EXTENT_DATA (\\d+)\\)");
  private static final Pattern EXTENT_TYPE = Pattern.compile("generation \\d+ type (\\d+)");
  private static final Pattern DISK = Pattern.compile("extent data disk byte (\\d+) nr (\\d+)");
  private static final Pattern DATA_OFF =
      Pattern.compile("extent data offset (\\d+) nr (\\d+) ram \\d+");

  private DumpTreeParser() {}

  static List<ChunkMapping> chunks(String dump) {
    List<ChunkMapping> out = new ArrayList<>();
    String[] lines = dump.split("\n");
    for (int i = 0; i < lines.length; i++) {
      Matcher key = CHUNK_KEY.matcher(lines[i]);
      if (!key.find()) {
        continue;
      }
      Matcher head = find(CHUNK_HEAD, lines[++i]);
      Matcher ns = null;
      while (ns == null) {
        ns = NUM_STRIPES.matcher(lines[++i]);
        if (!ns.find()) {
          ns = null;
        }
      }
      int num = Integer.parseInt(ns.group(1));
      List<Stripe> stripes = new ArrayList<>();
      while (stripes.size() < num) {
        Matcher st = STRIPE.matcher(lines[++i]);
        if (st.find()) {
          stripes.add(new Stripe(Long.parseLong(st.group(1)), Long.parseLong(st.group(2))));
        }
      }
      out.add(
          new ChunkMapping(
              Long.parseLong(key.group(1)),
              Long.parseLong(head.group(1)),
              Long.parseLong(head.group(2)),
              typeFlags(head.group(3)),
              Integer.parseInt(ns.group(2)),
              stripes));
    }
    return out;
  }

  /** Decodes "DATA|RAID6"-style type strings; the bare type word means the single profile. */
  static long typeFlags(String text) {
    long flags = 0;
    for (String word : text.split("\\|")) {
      switch (word) {
        case "DATA" -> flags |= 1;
        case "SYSTEM" -> flags |= 2;
        case "METADATA" -> flags |= 4;
        default -> flags |= RaidProfile.valueOf(word.toUpperCase()).flag();
      }
    }
    return flags;
  }

  static List<FileExtent> regularExtents(String dump) {
    List<FileExtent> out = new ArrayList<>();
    String[] lines = dump.split("\n");
    for (int i = 0; i < lines.length; i++) {
      Matcher key = EXTENT_KEY.matcher(lines[i]);
      if (!key.find()) {
        continue;
      }
      Matcher type = find(EXTENT_TYPE, lines[++i]);
      if (!type.group(1).equals("1")) {
        throw new IllegalStateException("expected a regular extent: " + lines[i]);
      }
      Matcher disk = find(DISK, lines[++i]);
      Matcher off = find(DATA_OFF, lines[++i]);
      out.add(
          new FileExtent(
              Long.parseLong(key.group(1)),
              Long.parseLong(key.group(2)),
              Long.parseLong(disk.group(1)),
              Long.parseLong(disk.group(2)),
              Long.parseLong(off.group(1)),
              Long.parseLong(off.group(2))));
    }
    return out;
  }

  /** Value of a "name<whitespace>number" line of dump-super, e.g. "chunk_root". */
  static long superField(String dumpSuper, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\s+(\\d+)").matcher(dumpSuper);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in dump-super output");
    }
    return Long.parseLong(m.group(1));
  }

  private static Matcher find(Pattern p, String line) {
    Matcher m = p.matcher(line);
    if (!m.find()) {
      throw new IllegalStateException("unexpected dump-tree line for " + p + ": " + line);
    }
    return m;
  }
}
