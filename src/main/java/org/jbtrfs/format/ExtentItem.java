package org.jbtrfs.format;

import java.util.ArrayList;
import java.util.List;

/**
 * EXTENT_ITEM / METADATA_ITEM in the extent tree: reference count, generation, flags, and the
 * inline back references that follow (tree block info first for non-skinny tree blocks).
 */
public record ExtentItem(
    long refs,
    long generation,
    long flags,
    Key treeBlockKey,
    int treeBlockLevel,
    List<InlineRef> inlineRefs) {
  public static final long FLAG_DATA = 1;
  public static final long FLAG_TREE_BLOCK = 2;
  public static final long FLAG_FULL_BACKREF = 1L << 8;
  public static final int HEADER_SIZE = 24;

  /** tree_block_info: first key of the block and its level (non-skinny tree block items only). */
  public static final int TREE_BLOCK_INFO_SIZE = 18;

  public static final int DATA_REF_SIZE = 28;

  public static final int OFF_REFS = 0;
  public static final int OFF_GENERATION = 8;
  public static final int OFF_FLAGS = 16;

  /** Level byte of the tree block info, after its key. */
  public static final int OFF_TREE_BLOCK_LEVEL = Key.SIZE;

  /** An inline ref is a type byte, then its body; every body starts with a u64. */
  public static final int INLINE_TYPE_SIZE = 1;

  /** Fields of an extent data ref (inline after the type byte, or a whole keyed item). */
  public static final int DATA_REF_ROOT = 0;

  public static final int DATA_REF_OBJECTID = 8;
  public static final int DATA_REF_OFFSET = 16;
  public static final int DATA_REF_COUNT = 24;

  /** A shared data ref's count: after the parent inline, the whole item when keyed. */
  public static final int SHARED_DATA_REF_COUNT_INLINE = 8;

  public static final int SHARED_DATA_REF_SIZE = 4;

  /**
   * The size of an inline ref of {@code type}, type byte included, or 0 for a type that has no
   * inline form.
   */
  public static int inlineRefSize(int type) {
    return switch (type) {
      case ItemType.TREE_BLOCK_REF,
          ItemType.SHARED_BLOCK_REF,
          ItemType.EXTENT_OWNER_REF,
          ItemType.SHARED_DATA_REF,
          ItemType.EXTENT_DATA_REF ->
          INLINE_TYPE_SIZE + inlineSize(type);
      default -> 0;
    };
  }

  /**
   * One inline reference. For TREE_BLOCK_REF {@code root} is the owning tree; for
   * SHARED_BLOCK_REF/SHARED_DATA_REF {@code root} is the parent block; EXTENT_DATA_REF carries
   * root, inode ({@code objectId}), file offset key ({@code offset}) and a count.
   */
  public record InlineRef(int type, long root, long objectId, long offset, long count) {}

  /** Parses an item; {@code skinny} is true for METADATA_ITEM keys (no tree block info). */
  public static ExtentItem parse(byte[] b, int off, int size, boolean skinny)
      throws FormatException {
    if (size < HEADER_SIZE) throw new FormatException("extent item too small: " + size);
    long refs = Le.u64(b, off);
    long gen = Le.u64(b, off + 8);
    long flags = Le.u64(b, off + 16);
    int pos = off + HEADER_SIZE;
    int end = off + size;
    Key tbKey = null;
    int tbLevel = -1;
    if ((flags & FLAG_TREE_BLOCK) != 0 && !skinny) {
      if (pos + TREE_BLOCK_INFO_SIZE > end) throw new FormatException("tree block info truncated");
      tbKey = Key.read(b, pos);
      tbLevel = Le.u8(b, pos + Key.SIZE);
      pos += TREE_BLOCK_INFO_SIZE;
    }
    List<InlineRef> refsList = new ArrayList<>();
    while (pos < end) {
      int type = Le.u8(b, pos);
      pos++;
      switch (type) {
        case ItemType.TREE_BLOCK_REF, ItemType.SHARED_BLOCK_REF -> {
          need(pos + 8, end);
          refsList.add(new InlineRef(type, Le.u64(b, pos), 0, 0, 1));
          pos += 8;
        }
        case ItemType.SHARED_DATA_REF -> {
          need(pos + 12, end);
          refsList.add(new InlineRef(type, Le.u64(b, pos), 0, 0, Le.u32(b, pos + 8)));
          pos += 12;
        }
        case ItemType.EXTENT_DATA_REF -> {
          need(pos + DATA_REF_SIZE, end);
          refsList.add(
              new InlineRef(
                  type,
                  Le.u64(b, pos),
                  Le.u64(b, pos + 8),
                  Le.u64(b, pos + 16),
                  Le.u32(b, pos + 24)));
          pos += DATA_REF_SIZE;
        }
        case ItemType.EXTENT_OWNER_REF -> {
          need(pos + 8, end);
          refsList.add(new InlineRef(type, Le.u64(b, pos), 0, 0, 0));
          pos += 8;
        }
        default -> throw new FormatException("unknown inline backref type " + type);
      }
    }
    return new ExtentItem(refs, gen, flags, tbKey, tbLevel, refsList);
  }

  private static void need(int pos, int end) throws FormatException {
    if (pos > end) throw new FormatException("inline backref overruns its item");
  }

  /** Encodes the item; non-skinny tree blocks carry their tree block info. */
  public byte[] encode() {
    int size = HEADER_SIZE + (treeBlockKey != null ? TREE_BLOCK_INFO_SIZE : 0);
    for (InlineRef r : inlineRefs) size += 1 + inlineSize(r.type());
    byte[] out = new byte[size];
    Le.put64(out, 0, refs);
    Le.put64(out, 8, generation);
    Le.put64(out, 16, flags);
    int pos = HEADER_SIZE;
    if (treeBlockKey != null) {
      treeBlockKey.write(out, pos);
      out[pos + Key.SIZE] = (byte) treeBlockLevel;
      pos += TREE_BLOCK_INFO_SIZE;
    }
    for (InlineRef r : inlineRefs) {
      out[pos++] = (byte) r.type();
      Le.put64(out, pos, r.root());
      switch (r.type()) {
        case ItemType.SHARED_DATA_REF -> Le.put32(out, pos + 8, r.count());
        case ItemType.EXTENT_DATA_REF -> {
          Le.put64(out, pos + 8, r.objectId());
          Le.put64(out, pos + 16, r.offset());
          Le.put32(out, pos + 24, r.count());
        }
        default -> {}
      }
      pos += inlineSize(r.type());
    }
    return out;
  }

  private static int inlineSize(int type) {
    return switch (type) {
      case ItemType.SHARED_DATA_REF -> 12;
      case ItemType.EXTENT_DATA_REF -> DATA_REF_SIZE;
      default -> 8;
    };
  }

  /** The key offset of a keyed EXTENT_DATA_REF: a hash of root, inode and offset. */
  public static long dataRefHash(long root, long objectId, long offset) {
    int high = NameHash.rawCrc32c(-1, root);
    int low = NameHash.rawCrc32c(NameHash.rawCrc32c(-1, objectId), offset);
    return ((high & 0xffffffffL) << 31) ^ (low & 0xffffffffL);
  }

  /** Encodes a keyed EXTENT_DATA_REF item. */
  public static byte[] encodeDataRef(long root, long objectId, long offset, long count) {
    byte[] out = new byte[DATA_REF_SIZE];
    Le.put64(out, 0, root);
    Le.put64(out, 8, objectId);
    Le.put64(out, 16, offset);
    Le.put32(out, 24, count);
    return out;
  }
}
