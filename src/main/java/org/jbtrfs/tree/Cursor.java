package org.jbtrfs.tree;

import java.io.IOException;
import java.util.Arrays;
import org.jbtrfs.format.Key;

/**
 * A position in a tree: the blocks and slots from the root down to a leaf item. Moves forward and
 * backward across leaves by climbing to the nearest ancestor with a sibling slot.
 */
public final class Cursor {
  private final Tree tree;
  private final TreeBlock[] blocks = new TreeBlock[8];
  private final int[] slots = new int[8];
  private boolean valid = true;

  Cursor(Tree tree) {
    this.tree = tree;
  }

  void descend(Key key) throws IOException {
    TreeBlock b = tree.root();
    int level = b.level();
    while (true) {
      blocks[level] = b;
      int slot = b.floorSlot(key);
      if (level == 0) {
        slots[0] = slot;
        return;
      }
      if (slot < 0) slot = 0;
      slots[level] = slot;
      b = child(b, slot, level - 1);
      level--;
    }
  }

  /** The child at {@code slot} of {@code parent}, checked against the pointer that leads to it. */
  private TreeBlock child(TreeBlock parent, int slot, int level) throws IOException {
    return tree.reader()
        .read(
            parent.childBlockPtr(slot),
            parent.childGeneration(slot),
            level,
            tree.id(),
            parent.raw(),
            parent.keyOffset(slot));
  }

  int slotAtLeaf() {
    return slots[0];
  }

  void setLeafSlot(int slot) {
    slots[0] = slot;
  }

  void invalidate() {
    valid = false;
  }

  /** After the leaf slot ran past the end, moves to the first item of the next leaf. */
  void normalizeForward() throws IOException {
    if (slots[0] >= blocks[0].nritems()) {
      slots[0] = blocks[0].nritems() - 1;
      if (!next()) valid = false;
    }
  }

  public boolean valid() {
    return valid && slots[0] >= 0 && slots[0] < blocks[0].nritems();
  }

  public TreeBlock leaf() {
    return blocks[0];
  }

  public int slot() {
    return slots[0];
  }

  public Key key() {
    return blocks[0].key(slots[0]);
  }

  public long objectId() {
    return blocks[0].keyObjectId(slots[0]);
  }

  public int type() {
    return blocks[0].keyType(slots[0]);
  }

  public long offset() {
    return blocks[0].keyOffsetField(slots[0]);
  }

  public byte[] raw() {
    return blocks[0].raw();
  }

  public int dataOffset() {
    return blocks[0].itemDataOffset(slots[0]);
  }

  public int dataSize() {
    return blocks[0].itemDataSize(slots[0]);
  }

  public byte[] data() {
    int off = dataOffset();
    return Arrays.copyOfRange(raw(), off, off + dataSize());
  }

  /** Moves to the next item; returns false (and invalidates) at the end of the tree. */
  public boolean next() throws IOException {
    if (!valid) return false;
    if (slots[0] + 1 < blocks[0].nritems()) {
      slots[0]++;
      return true;
    }
    int level = 1;
    while (level < blocks.length
        && blocks[level] != null
        && slots[level] + 1 >= blocks[level].nritems()) level++;
    if (level >= blocks.length || blocks[level] == null) {
      valid = false;
      return false;
    }
    slots[level]++;
    for (; level > 0; level--) {
      TreeBlock parent = blocks[level];
      int s = slots[level];
      blocks[level - 1] = child(parent, s, level - 1);
      slots[level - 1] = 0;
    }
    if (blocks[0].nritems() == 0) return next();
    return true;
  }

  /** Moves to the previous item; returns false (and invalidates) at the start of the tree. */
  public boolean prev() throws IOException {
    if (!valid) return false;
    if (slots[0] > 0) {
      slots[0]--;
      return true;
    }
    int level = 1;
    while (level < blocks.length && blocks[level] != null && slots[level] == 0) level++;
    if (level >= blocks.length || blocks[level] == null) {
      valid = false;
      return false;
    }
    slots[level]--;
    for (; level > 0; level--) {
      TreeBlock parent = blocks[level];
      int s = slots[level];
      TreeBlock child = child(parent, s, level - 1);
      blocks[level - 1] = child;
      slots[level - 1] = child.nritems() - 1;
    }
    if (blocks[0].nritems() == 0) return prev();
    return true;
  }
}
