package org.jbtrfs.extent;

import java.io.IOException;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.tree.SharedBlockRefs;
import org.jbtrfs.tree.TreeBlock;
import org.jbtrfs.tree.WritableTree;

/**
 * Answers copy-on-write's questions about blocks shared with snapshots from the extent tree plus
 * the delayed references not yet run (as the kernel's btrfs_lookup_extent_info does), and queues
 * the child reference changes COW asks for (btrfs_inc_ref / btrfs_dec_ref) as delayed refs.
 */
public final class SharedTreeBlockRefs implements SharedBlockRefs {
  /** The running transaction's extent tree (it changes from one transaction to the next). */
  public interface ExtentTreeSource {
    WritableTree extentTree() throws IOException;
  }

  private final ExtentTreeSource source;
  private final DelayedRefs refs;
  private final int nodeSize;

  public SharedTreeBlockRefs(ExtentTreeSource source, DelayedRefs refs, int nodeSize) {
    this.source = source;
    this.refs = refs;
    this.nodeSize = nodeSize;
  }

  @Override
  public Info lookup(long bytenr, int level) throws IOException {
    long count = 0;
    long flags = 0;
    byte[] raw = source.extentTree().get(new Key(bytenr, ItemType.METADATA_ITEM, level));
    if (raw != null) {
      ExtentItem item = ExtentItem.parse(raw, 0, raw.length, true);
      count = item.refs();
      flags = item.flags();
    } else if (!refs.isPendingNew(bytenr)) {
      throw new FormatException("no extent item for tree block " + bytenr + " level " + level);
    }
    count += refs.pendingRefChange(bytenr);
    if (refs.pendingFullBackref(bytenr)) flags |= ExtentItem.FLAG_FULL_BACKREF;
    return new Info(count, flags);
  }

  @Override
  public void setFullBackref(long bytenr, int level) {
    refs.setFullBackref(bytenr, nodeSize, level);
  }

  @Override
  public void changeChildRefs(byte[] block, long root, long parent, int delta) throws IOException {
    TreeBlock b = new TreeBlock(0, block);
    int level = b.level();
    if (level > 0) {
      for (int i = 0; i < b.nritems(); i++) {
        refs.treeBlockRef(b.childBlockPtr(i), nodeSize, level - 1, root, parent, delta);
      }
      return;
    }
    for (int i = 0; i < b.nritems(); i++) {
      if (b.keyType(i) != ItemType.EXTENT_DATA) continue;
      FileExtentItem fe = FileExtentItem.parse(block, b.itemDataOffset(i), b.itemDataSize(i));
      if (fe.type() == FileExtentItem.TYPE_INLINE || fe.diskBytenr() == 0) continue;
      // Data references are keyed by the offset the extent's start would have in the file.
      long keyOffset = b.keyOffsetField(i) - fe.offset();
      refs.dataRef(
          fe.diskBytenr(), fe.diskNumBytes(), root, b.keyObjectId(i), keyOffset, parent, delta);
    }
  }
}
