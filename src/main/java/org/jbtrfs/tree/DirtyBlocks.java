package org.jbtrfs.tree;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The running transaction's dirty tree blocks by logical address; written out at commit. */
public final class DirtyBlocks implements BlockOverlay {
  private final Map<Long, byte[]> blocks = new ConcurrentHashMap<>();

  @Override
  public byte[] dirty(long logical) {
    return blocks.get(logical);
  }

  public void put(long logical, byte[] block) {
    blocks.put(logical, block);
  }

  /** Forgets a block freed in the same transaction that created it: it never reaches disk. */
  public void remove(long logical) {
    blocks.remove(logical);
  }

  public Map<Long, byte[]> all() {
    return blocks;
  }

  public void clear() {
    blocks.clear();
  }
}
