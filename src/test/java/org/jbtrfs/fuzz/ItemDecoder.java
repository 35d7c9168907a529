package org.jbtrfs.fuzz;

import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.ChunkItem;
import org.jbtrfs.format.DevExtentItem;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.InodeRef;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.format.RootRef;
import org.jbtrfs.tree.TreeBlock;
import org.jbtrfs.volume.ChunkMap;

/**
 * Decodes every item of a leaf with the format classes, as the read path would once the tree
 * checker has passed the block: the checker's promise is that these decoders then cannot index out
 * of range. A decoder may still refuse an item with a FormatException; anything else escapes.
 * Returns a digest of the decoded values so the work cannot be optimised away.
 */
final class ItemDecoder {
  private ItemDecoder() {}

  static long decodeAll(TreeBlock b) throws FormatException {
    long digest = 0;
    if (!b.isLeaf()) {
      for (int i = 0; i < b.nritems(); i++) {
        digest += b.key(i).hashCode() + b.childBlockPtr(i) + b.childGeneration(i);
      }
      return digest;
    }
    byte[] raw = b.raw();
    for (int i = 0; i < b.nritems(); i++) {
      int off = b.itemDataOffset(i);
      int size = b.itemDataSize(i);
      digest = 31 * digest + decode(b.keyType(i), b.keyOffsetField(i), raw, off, size);
    }
    return digest;
  }

  private static long decode(int type, long keyOffset, byte[] raw, int off, int size)
      throws FormatException {
    return switch (type) {
      case ItemType.INODE_ITEM -> InodeItem.parse(raw, off).toString().hashCode();
      case ItemType.INODE_REF -> InodeRef.parseRefs(keyOffset, raw, off, size).size();
      case ItemType.INODE_EXTREF -> InodeRef.parseExtrefs(raw, off, size).size();
      case ItemType.DIR_ITEM, ItemType.DIR_INDEX, ItemType.XATTR_ITEM -> {
        long h = 0;
        for (DirItem d : DirItem.parseAll(raw, off, size)) {
          h += d.location().hashCode() + d.name().length + d.data().length + d.type();
        }
        yield h;
      }
      case ItemType.EXTENT_DATA -> FileExtentItem.parse(raw, off, size).toString().hashCode();
      case ItemType.EXTENT_ITEM, ItemType.METADATA_ITEM ->
          ExtentItem.parse(raw, off, size, type == ItemType.METADATA_ITEM).toString().hashCode();
      case ItemType.CHUNK_ITEM -> {
        ChunkItem c = ChunkItem.parse(raw, off, size);
        new ChunkMap().add(ChunkMap.toMapping(keyOffset, c));
        yield c.toString().hashCode();
      }
      case ItemType.ROOT_ITEM -> RootItem.parse(raw, off, size).toString().hashCode();
      case ItemType.ROOT_REF, ItemType.ROOT_BACKREF ->
          RootRef.parse(raw, off, size).toString().hashCode();
      case ItemType.DEV_ITEM -> DevItem.parse(raw, off).toString().hashCode();
      case ItemType.DEV_EXTENT -> DevExtentItem.parse(raw, off, size).toString().hashCode();
      case ItemType.BLOCK_GROUP_ITEM -> BlockGroupItem.parse(raw, off, size).toString().hashCode();
      default -> size;
    };
  }
}
