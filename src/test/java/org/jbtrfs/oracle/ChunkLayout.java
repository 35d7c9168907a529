package org.jbtrfs.oracle;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where each copy of a logical address lives, read from `dump-tree -t chunk` (btrfs-progs, not
 * jbtrfs, so tests do not trust the chunk mapping under test). Handles the non-striped profiles the
 * corruption tests use: SINGLE, DUP and RAID1*, where copy i is stripe i at the same offset.
 */
final class ChunkLayout {
  /** A physical location: devid and byte offset on that device. */
  record Copy(long devid, long physical) {}

  /** One chunk: logical start, length, type text (e.g. METADATA|DUP) and its stripes. */
  record Chunk(long logical, long length, String type, List<Copy> stripes) {}

  private static final Pattern CHUNK =
      Pattern.compile(
          "CHUNK_ITEM (\\d+)\\).*?\\n\\s*length (\\d+) owner \\d+ stripe_len \\d+ type (\\S+)");
  private static final Pattern STRIPE = Pattern.compile("stripe \\d+ devid (\\d+) offset (\\d+)");

  private final TreeMap<Long, Chunk> chunks = new TreeMap<>();

  static ChunkLayout of(ScratchImage img) {
    ChunkLayout layout = new ChunkLayout();
    String dump = img.inspect("dump-tree", "-t", "chunk");
    Matcher m = CHUNK.matcher(dump);
    List<int[]> spans = new ArrayList<>();
    List<Chunk> heads = new ArrayList<>();
    while (m.find()) {
      heads.add(
          new Chunk(
              Long.parseLong(m.group(1)),
              Long.parseLong(m.group(2)),
              m.group(3),
              new ArrayList<>()));
      spans.add(new int[] {m.end(), 0});
    }
    for (int i = 0; i < heads.size(); i++) {
      int end = i + 1 < heads.size() ? spans.get(i + 1)[0] : dump.length();
      Matcher s = STRIPE.matcher(dump.substring(spans.get(i)[0], end));
      Chunk c = heads.get(i);
      if (c.type().matches(".*(RAID0|RAID10|RAID5|RAID6).*")) {
        throw new IllegalStateException("striped chunk types are not handled: " + c.type());
      }
      while (s.find())
        c.stripes().add(new Copy(Long.parseLong(s.group(1)), Long.parseLong(s.group(2))));
      layout.chunks.put(c.logical(), c);
    }
    if (layout.chunks.isEmpty()) throw new IllegalStateException("no chunks in dump-tree output");
    return layout;
  }

  Chunk chunkOf(long logical) {
    var e = chunks.floorEntry(logical);
    if (e == null || logical >= e.getKey() + e.getValue().length()) {
      throw new IllegalArgumentException("logical " + logical + " is in no chunk");
    }
    return e.getValue();
  }

  /** Every physical copy of {@code logical}. */
  List<Copy> copies(long logical) {
    Chunk c = chunkOf(logical);
    List<Copy> out = new ArrayList<>();
    for (Copy s : c.stripes()) out.add(new Copy(s.devid(), s.physical() + (logical - c.logical())));
    return out;
  }

  List<Chunk> chunks() {
    return List.copyOf(chunks.values());
  }
}
