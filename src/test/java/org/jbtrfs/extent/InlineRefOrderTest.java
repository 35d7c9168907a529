package org.jbtrfs.extent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.ExtentItem.InlineRef;
import org.jbtrfs.format.ItemType;
import org.junit.jupiter.api.Test;

/**
 * Inline back references must be in the order the kernel's tree-checker enforces: type ascending,
 * and within one type the "sequence" descending (root or parent address; the data ref hash for
 * EXTENT_DATA_REF), or a kernel mount rejects the leaf.
 */
class InlineRefOrderTest {
  @Test
  void sortedRefsPassTheTreeCheckerRule() throws Exception {
    Random r = new Random(5);
    for (int round = 0; round < 200; round++) {
      List<InlineRef> refs = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        switch (r.nextInt(4)) {
          case 0 -> refs.add(new InlineRef(ItemType.TREE_BLOCK_REF, 256 + r.nextInt(50), 0, 0, 1));
          case 1 -> refs.add(new InlineRef(ItemType.SHARED_BLOCK_REF, r.nextLong(), 0, 0, 1));
          case 2 -> refs.add(new InlineRef(ItemType.SHARED_DATA_REF, r.nextLong(), 0, 0, 2));
          default ->
              refs.add(
                  new InlineRef(
                      ItemType.EXTENT_DATA_REF,
                      256 + r.nextInt(4),
                      257 + r.nextInt(1000),
                      4096L * r.nextInt(1000),
                      1));
        }
      }
      Collections.shuffle(refs, r);
      refs.sort(ExtentBackrefs.INLINE_ORDER);
      assertTreeCheckerOrder(refs);
      // Encoding and parsing keep the order and every field.
      ExtentItem item = new ExtentItem(refs.size(), 9, ExtentItem.FLAG_DATA, null, -1, refs);
      byte[] raw = item.encode();
      assertEquals(refs, ExtentItem.parse(raw, 0, raw.length, true).inlineRefs());
    }
  }

  /** The tree-checker's rule, written from its description. */
  private static void assertTreeCheckerOrder(List<InlineRef> refs) {
    int lastType = 0;
    long lastSeq = -1L; // U64_MAX
    for (InlineRef ir : refs) {
      assertTrue(ir.type() >= lastType, "type out of order: " + refs);
      if (ir.type() > lastType) lastSeq = -1L;
      long seq =
          ir.type() == ItemType.EXTENT_DATA_REF
              ? ExtentItem.dataRefHash(ir.root(), ir.objectId(), ir.offset())
              : ir.root();
      assertTrue(Long.compareUnsigned(seq, lastSeq) <= 0, "sequence out of order: " + refs);
      lastType = ir.type();
      lastSeq = seq;
    }
  }
}
