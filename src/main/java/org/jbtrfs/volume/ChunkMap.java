package org.jbtrfs.volume;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.jbtrfs.format.ChunkItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;

/** Logical address space: every chunk, looked up by the logical address it covers. */
public final class ChunkMap {
  private final ConcurrentSkipListMap<Long, ChunkMapping> byLogical = new ConcurrentSkipListMap<>();

  public static ChunkMapping toMapping(long logical, ChunkItem item) {
    List<Stripe> stripes = new ArrayList<>(item.stripes().size());
    for (ChunkItem.Stripe s : item.stripes()) stripes.add(new Stripe(s.devid(), s.offset()));
    return new ChunkMapping(
        logical, item.length(), item.stripeLen(), item.type(), item.subStripes(), stripes);
  }

  /** Loads the bootstrap chunks (those holding the chunk tree) from the superblock's array. */
  public void loadSysChunkArray(byte[] array) throws FormatException {
    int pos = 0;
    while (pos < array.length) {
      if (pos + Key.SIZE > array.length) throw new FormatException("system chunk array truncated");
      Key key = Key.read(array, pos);
      pos += Key.SIZE;
      if (key.type() != ItemType.CHUNK_ITEM) {
        throw new FormatException("system chunk array holds a " + ItemType.name(key.type()));
      }
      ChunkItem item = ChunkItem.parse(array, pos, array.length - pos);
      pos += ChunkItem.sizeFor(item.stripes().size());
      add(toMapping(key.offset(), item));
    }
  }

  public void add(ChunkMapping m) throws FormatException {
    // Address arithmetic in the readers assumes logical + length does not overflow.
    if (m.logical() < 0 || m.length() <= 0 || m.logical() + m.length() < 0) {
      throw new FormatException(
          "chunk at "
              + Long.toUnsignedString(m.logical())
              + " has invalid length "
              + Long.toUnsignedString(m.length()));
    }
    try {
      // Building the geometry validates the profile bits and the stripe count for the profile
      // now, rather than as an unchecked exception on the first read from this chunk.
      new StripeGeometry(m);
    } catch (IllegalArgumentException e) {
      throw new FormatException("chunk at " + m.logical() + ": " + e.getMessage());
    }
    Map.Entry<Long, ChunkMapping> below = byLogical.floorEntry(m.logical() + m.length() - 1);
    if (below != null && below.getKey() != m.logical() && below.getValue().end() > m.logical()) {
      throw new FormatException("chunk at " + m.logical() + " overlaps chunk at " + below.getKey());
    }
    byLogical.put(m.logical(), m);
  }

  /** Forgets the chunk starting at {@code logical}: it was removed and that removal committed. */
  public void remove(long logical) {
    byLogical.remove(logical);
  }

  /** The chunk containing {@code logical}, or an exception naming the unmapped address. */
  public ChunkMapping lookup(long logical) throws FormatException {
    Map.Entry<Long, ChunkMapping> e = byLogical.floorEntry(logical);
    if (e == null || e.getValue().end() <= logical) {
      throw new FormatException("logical address " + logical + " is not in any chunk");
    }
    return e.getValue();
  }

  public Collection<ChunkMapping> all() {
    return byLogical.values();
  }

  /** Where the highest chunk ends (chunks never overlap), 0 when there is none. */
  public long end() {
    Map.Entry<Long, ChunkMapping> last = byLogical.lastEntry();
    return last == null ? 0 : last.getValue().end();
  }
}
