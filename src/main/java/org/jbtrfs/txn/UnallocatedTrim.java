package org.jbtrfs.txn;

import java.io.IOException;
import java.util.Map;
import org.jbtrfs.device.Device;
import org.jbtrfs.format.DevExtent;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;

/**
 * FITRIM of the device space no chunk uses, as the kernel's btrfs_trim_free_extents: every gap
 * between the device extents (after the first MiB, which the kernel never allocates, and around the
 * superblock copies) that overlaps the asked range and is at least its minimum length is discarded:
 * an image file gets a hole, a block device a discard (free space inside chunks: {@link
 * FreeSpaceTrim}). The caller holds the write lock, so no chunk is allocated meanwhile.
 */
public final class UnallocatedTrim {
  /** The kernel leaves the first MiB of every device unallocated (boot loaders, the superblock). */
  private static final long RESERVED = 1L << 20;

  private UnallocatedTrim() {}

  /** Discards the unallocated space in device offsets [start, end); returns the bytes trimmed. */
  public static long trim(WriteEngine engine, long start, long end, long minLen)
      throws IOException {
    long trimmed = 0;
    Tree devTree = engine.tree(ObjectIds.DEV_TREE).readView();
    for (Map.Entry<Long, Device> d : engine.fs().devices().all().entrySet()) {
      long devid = d.getKey();
      Device dev = d.getValue();
      long size = dev.size();
      long pos = RESERVED;
      Cursor c = devTree.seekCeil(new Key(devid, ItemType.DEV_EXTENT, 0));
      for (; c.valid() && c.objectId() == devid && c.type() == ItemType.DEV_EXTENT; c.next()) {
        long extentStart = c.offset();
        trimmed += trimGap(dev, pos, Math.min(extentStart, size), start, end, minLen);
        long len = Le.u64(c.raw(), c.dataOffset() + DevExtent.OFF_LENGTH);
        pos = Math.max(pos, extentStart + len);
      }
      trimmed += trimGap(dev, pos, size, start, end, minLen);
    }
    return trimmed;
  }

  /** Discards [from, to) within [start, end), in pieces around the superblock copies. */
  private static long trimGap(Device dev, long from, long to, long start, long end, long minLen)
      throws IOException {
    long a = Math.max(from, start);
    long b = Math.min(to, end);
    long done = 0;
    while (a < b) {
      long pieceEnd = b;
      long resume = b;
      // The copies' offsets ascend: the first one met is the earliest in the range.
      for (long sb : Superblock.MIRROR_OFFSETS) {
        if (sb + Superblock.SIZE > a && sb < b) {
          pieceEnd = Math.max(a, sb);
          resume = sb + Superblock.SIZE;
          break;
        }
      }
      long len = pieceEnd - a;
      if (len > 0 && len >= minLen && dev.discard(a, len)) done += len;
      a = resume;
    }
    return done;
  }
}
