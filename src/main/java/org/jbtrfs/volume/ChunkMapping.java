package org.jbtrfs.volume;

import java.util.List;

/**
 * A chunk: the logical range [logical, logical+length) and the device stripes backing it, as stored
 * in a CHUNK_ITEM.
 */
public record ChunkMapping(
    long logical,
    long length,
    long stripeLen,
    long typeFlags,
    int subStripes,
    List<Stripe> stripes) {

  public ChunkMapping {
    stripes = List.copyOf(stripes);
    if (stripeLen <= 0) {
      throw new IllegalArgumentException("stripeLen must be positive: " + stripeLen);
    }
    if (stripes.isEmpty()) {
      throw new IllegalArgumentException("chunk without stripes");
    }
  }

  public RaidProfile profile() {
    return RaidProfile.fromFlags(typeFlags);
  }

  public int numStripes() {
    return stripes.size();
  }

  /** First logical byte after the chunk. */
  public long end() {
    return logical + length;
  }
}
