package org.jbtrfs.tree.check;

import org.jbtrfs.format.ItemType;

/**
 * The quota tree's items. The kernel's tree checker has no rule for them and its quota code reads
 * them without size checks, so sizes other than the format's are only logged here; nothing in this
 * driver decodes these items (quota filesystems are read-only to it).
 */
final class QgroupItemRules {
  private QgroupItemRules() {}

  /** Status: version, generation, flags, rescan progress (32 bytes), and since 6.7 enable_gen. */
  private static final int STATUS_OLD = 32;

  private static final int STATUS = 40;

  /** Info (generation and four byte counts) and limit (flags and four limits). */
  private static final int INFO_OR_LIMIT = 40;

  static void check(ItemSlot s) {
    switch (s.type) {
      case ItemType.QGROUP_STATUS -> {
        if (s.size != STATUS && s.size != STATUS_OLD) {
          s.warn("qgroup status item size " + s.size + ", expect " + STATUS_OLD + " or " + STATUS);
        }
      }
      case ItemType.QGROUP_INFO, ItemType.QGROUP_LIMIT -> {
        if (s.size != INFO_OR_LIMIT) {
          s.warn("qgroup item size " + s.size + ", expect " + INFO_OR_LIMIT);
        }
      }
      default -> {
        if (s.size != 0) s.warn("qgroup relation item size " + s.size + ", expect 0");
      }
    }
  }
}
