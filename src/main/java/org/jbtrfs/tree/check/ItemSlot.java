package org.jbtrfs.tree.check;

import java.util.logging.Logger;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.tree.TreeBlock;

/**
 * The leaf item a rule looks at, with the one before it: one instance walks a whole leaf, so the
 * per-item work allocates nothing. Failures name the block, slot, key and rule, in the shape of the
 * kernel's "corrupt leaf: root=... block=... slot=..." lines so the rule can be searched for.
 */
final class ItemSlot {
  private static final Logger LOG = Logger.getLogger(ItemSlot.class.getName());

  final TreeBlock block;
  final byte[] raw;
  final CheckContext ctx;
  final boolean fsTree;

  int slot;
  long objectId;
  int type;
  long offset;

  /** Absolute offset of the item's data in {@link #raw}, and its size. */
  int data;

  int size;

  long prevObjectId;
  int prevType;
  long prevOffset;
  int prevData;
  int prevSize;

  ItemSlot(TreeBlock block, CheckContext ctx) {
    this.block = block;
    this.raw = block.raw();
    this.ctx = ctx;
    this.fsTree = ObjectIds.isFsTree(block.owner());
  }

  /** Moves to {@code slot}, keeping the current item as the previous one. */
  void moveTo(int next) {
    prevObjectId = objectId;
    prevType = type;
    prevOffset = offset;
    prevData = data;
    prevSize = size;
    slot = next;
    objectId = block.keyObjectId(next);
    type = block.keyType(next);
    offset = block.keyOffsetField(next);
    data = block.itemDataOffset(next);
    size = block.itemDataSize(next);
  }

  boolean hasPrev() {
    return slot > 0;
  }

  long u64(int at) {
    return Le.u64(raw, data + at);
  }

  long u32(int at) {
    return Le.u32(raw, data + at);
  }

  int u16(int at) {
    return Le.u16(raw, data + at);
  }

  int u8(int at) {
    return Le.u8(raw, data + at);
  }

  long u64Prev(int at) {
    return Le.u64(raw, prevData + at);
  }

  int u8Prev(int at) {
    return Le.u8(raw, prevData + at);
  }

  boolean aligned(long value) {
    return Align.isAligned(value, ctx.sectorSize());
  }

  /** The failure of {@code rule} at this slot. */
  FormatException corrupt(String rule) {
    return new FormatException(where(slot, objectId, type, offset) + ", " + rule);
  }

  /** The failure of {@code rule}, reported at the previous slot (overlap rules blame it). */
  FormatException corruptPrev(String rule) {
    return new FormatException(where(slot - 1, prevObjectId, prevType, prevOffset) + ", " + rule);
  }

  /** A rule the kernel only warns about: logged, the block stays usable. */
  void warn(String rule) {
    LOG.warning(where(slot, objectId, type, offset) + ", " + rule);
  }

  private String where(int s, long oid, int t, long off) {
    return where(block, s)
        + " key=("
        + Long.toUnsignedString(oid)
        + " "
        + ItemType.name(t)
        + " "
        + Long.toUnsignedString(off)
        + ")";
  }

  /** The kernel's prefix of a tree checker message: "corrupt leaf: root=5 block=N slot=3". */
  static String where(TreeBlock b, int slot) {
    return "corrupt "
        + (b.isLeaf() ? "leaf" : "node")
        + ": root="
        + Long.toUnsignedString(b.owner())
        + " block="
        + Long.toUnsignedString(b.logical())
        + " slot="
        + slot;
  }

  static String hex(long v) {
    return "0x" + Long.toHexString(v);
  }

  static String u(long v) {
    return Long.toUnsignedString(v);
  }
}
