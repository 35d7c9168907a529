package org.jbtrfs.oracle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chunk and device trees of a multi-device filesystem as btrfs-progs prints them (so tests do
 * not trust jbtrfs's own reading): every chunk with its stripes, each device's bytes_used, and the
 * dev extents on each device.
 */
final class DeviceSetDump {
  /**
   * One chunk item: where it is, its type text (e.g. DATA|RAID10), its stripes (devid, offset) and
   * its stripe element length.
   */
  record Chunk(
      long logical,
      long length,
      String type,
      int numStripes,
      int subStripes,
      List<long[]> stripes,
      long stripeLen) {
    /** Comparable text: everything the kernel decides about a chunk. */
    String describe() {
      StringBuilder b =
          new StringBuilder()
              .append(logical)
              .append('+')
              .append(length)
              .append(' ')
              .append(type)
              .append(" sub ")
              .append(subStripes)
              .append(" [");
      for (long[] s : stripes) b.append(" dev").append(s[0]).append('@').append(s[1]);
      return b.append(" ]").toString();
    }
  }

  private static final Pattern CHUNK =
      Pattern.compile(
          "CHUNK_ITEM (\\d+)\\)[^\\n]*\\n\\s*length (\\d+) owner \\d+ stripe_len (\\d+) type (\\S+)"
              + "[^\\n]*\\n[^\\n]*\\n\\s*num_stripes (\\d+) sub_stripes (\\d+)");
  private static final Pattern STRIPE = Pattern.compile("stripe \\d+ devid (\\d+) offset (\\d+)");
  private static final Pattern DEV_ITEM =
      Pattern.compile("devid (\\d+) total_bytes (\\d+) bytes_used (\\d+)");
  private static final Pattern DEV_EXTENT =
      Pattern.compile("key \\((\\d+) DEV_EXTENT (\\d+)\\)[^\\n]*\\n[^\\n]*\\n[^\\n]*length (\\d+)");

  final List<Chunk> chunks = new ArrayList<>();
  final Map<Long, Long> bytesUsed = new TreeMap<>();
  final Map<Long, Long> totalBytes = new TreeMap<>();
  final Map<Long, Long> devExtentBytes = new TreeMap<>();

  /** Dumps the filesystem on these (attached) loop devices. */
  static DeviceSetDump of(List<String> devices) {
    Cmd.run(concat(List.of("btrfs", "device", "scan"), devices)).check();
    String chunk =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "chunk", devices.get(0)))
            .check()
            .out();
    String dev =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "dev", devices.get(0)))
            .check()
            .out();
    DeviceSetDump d = new DeviceSetDump();
    Matcher m = CHUNK.matcher(chunk);
    List<Integer> ends = new ArrayList<>();
    while (m.find()) {
      d.chunks.add(
          new Chunk(
              Long.parseLong(m.group(1)),
              Long.parseLong(m.group(2)),
              m.group(4),
              Integer.parseInt(m.group(5)),
              Integer.parseInt(m.group(6)),
              new ArrayList<>(),
              Long.parseLong(m.group(3))));
      ends.add(m.end());
    }
    for (int i = 0; i < d.chunks.size(); i++) {
      int to = i + 1 < ends.size() ? ends.get(i + 1) : chunk.length();
      Matcher s = STRIPE.matcher(chunk.substring(ends.get(i), to));
      List<long[]> stripes = d.chunks.get(i).stripes();
      while (s.find() && stripes.size() < d.chunks.get(i).numStripes()) {
        stripes.add(new long[] {Long.parseLong(s.group(1)), Long.parseLong(s.group(2))});
      }
    }
    Matcher di = DEV_ITEM.matcher(chunk);
    while (di.find()) {
      d.totalBytes.put(Long.parseLong(di.group(1)), Long.parseLong(di.group(2)));
      d.bytesUsed.put(Long.parseLong(di.group(1)), Long.parseLong(di.group(3)));
    }
    Matcher de = DEV_EXTENT.matcher(dev);
    while (de.find()) {
      d.devExtentBytes.merge(Long.parseLong(de.group(1)), Long.parseLong(de.group(3)), Long::sum);
    }
    if (d.chunks.isEmpty()) throw new IllegalStateException("no chunks in dump-tree:\n" + chunk);
    return d;
  }

  /** Chunks whose type starts with {@code type} (DATA, METADATA, SYSTEM). */
  List<Chunk> ofType(String type) {
    return chunks.stream().filter(c -> c.type().split("\\|")[0].equals(type)).toList();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
