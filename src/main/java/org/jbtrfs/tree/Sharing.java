package org.jbtrfs.tree;

/**
 * How a tree takes part in block sharing. Subvolume trees are shareable: their blocks written no
 * later than the root item's last_snapshot generation (or marked RELOC) may also belong to other
 * trees, and COWing them must adjust the children's references. Other trees are never shared.
 */
public record Sharing(boolean shareable, long lastSnapshot, SharedBlockRefs refs) {
  /** A tree whose blocks belong to it alone. */
  public static final Sharing PRIVATE = new Sharing(false, 0, null);
}
