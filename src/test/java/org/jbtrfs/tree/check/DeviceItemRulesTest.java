package org.jbtrfs.tree.check;

import static org.jbtrfs.tree.check.Fixture.data;
import static org.jbtrfs.tree.check.Fixture.fails;
import static org.jbtrfs.tree.check.Fixture.passes;

import org.jbtrfs.format.DevExtent;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.tree.BlockBuilder;
import org.junit.jupiter.api.Test;

/** DEV_ITEM (chunk tree) and DEV_EXTENT (device tree). */
class DeviceItemRulesTest {
  private static byte[] devItem(long devid, long total, long used) {
    byte[] b = new byte[DevItem.SIZE];
    Le.put64(b, DevItem.OFF_DEVID, devid);
    Le.put64(b, DevItem.OFF_TOTAL_BYTES, total);
    Le.put64(b, DevItem.OFF_BYTES_USED, used);
    return b;
  }

  private static byte[] devExtent(long chunkOffset, long length) {
    byte[] b = new byte[DevExtent.SIZE];
    Le.put64(b, DevExtent.OFF_CHUNK_TREE, ObjectIds.CHUNK_TREE);
    Le.put64(b, DevExtent.OFF_CHUNK_OBJECTID, ObjectIds.FIRST_CHUNK_TREE);
    Le.put64(b, DevExtent.OFF_CHUNK_OFFSET, chunkOffset);
    Le.put64(b, DevExtent.OFF_LENGTH, length);
    return b;
  }

  private static byte[] devices() {
    return Fixture.leaf()
        .owner(ObjectIds.CHUNK_TREE)
        .item(new Key(ObjectIds.DEV_ITEMS, ItemType.DEV_ITEM, 1), devItem(1, 1L << 30, 1L << 24))
        .item(new Key(ObjectIds.DEV_ITEMS, ItemType.DEV_ITEM, 2), devItem(2, 0, 0))
        .bytes();
  }

  private static BlockBuilder extents() {
    return Fixture.leaf()
        .owner(ObjectIds.DEV_TREE)
        .item(new Key(1, ItemType.DEV_EXTENT, 1 << 20), devExtent(1 << 22, 8 << 20))
        .item(new Key(1, ItemType.DEV_EXTENT, 9 << 20), devExtent(3 << 22, 8 << 20))
        .item(new Key(2, ItemType.DEV_EXTENT, 1 << 20), devExtent(1 << 22, 8 << 20));
  }

  @Test
  void acceptsDevicesAndTheirExtents() {
    passes(devices());
    passes(extents().bytes());
  }

  @Test
  void rejectsBadDevItems() {
    byte[] used = devices();
    Le.put64(used, data(used, 0) + DevItem.OFF_BYTES_USED, (1L << 30) + 1);
    fails(used, "invalid bytes used: have 1073741825 expect [0, 1073741824]");
    byte[] devid = devices();
    Le.put64(devid, data(devid, 1) + DevItem.OFF_DEVID, 3);
    fails(devid, "devid mismatch: key has=2 item has=3");
    fails(
        Fixture.leaf().item(new Key(2, ItemType.DEV_ITEM, 1), devItem(1, 1, 0)).bytes(),
        "invalid objectid: has=2 expect=1");
    fails(
        Fixture.leaf().item(1, ItemType.DEV_ITEM, 1, 90).bytes(),
        "invalid item size: has 90 expect 98");
  }

  @Test
  void rejectsOverlappingDevExtents() {
    byte[] raw = extents().bytes();
    Le.put64(raw, data(raw, 0) + DevExtent.OFF_LENGTH, 8L << 21);
    fails(raw, "dev extent overlap, prev offset 1048576 len 16777216 current offset 9437184");
  }

  @Test
  void rejectsBadDevExtentFields() {
    byte[] tree = extents().bytes();
    Le.put64(tree, data(tree, 0) + DevExtent.OFF_CHUNK_TREE, 2);
    fails(tree, "invalid dev extent chunk tree id, has 2 expect 3");
    byte[] oid = extents().bytes();
    Le.put64(oid, data(oid, 0) + DevExtent.OFF_CHUNK_OBJECTID, 255);
    fails(oid, "invalid dev extent chunk objectid, has 255 expect 256");
    byte[] off = extents().bytes();
    Le.put64(off, data(off, 0) + DevExtent.OFF_CHUNK_OFFSET, (1 << 22) + 1);
    fails(off, "invalid dev extent chunk offset, has 4194305 not aligned to 4096");
    byte[] len = extents().bytes();
    Le.put64(len, data(len, 0) + DevExtent.OFF_LENGTH, 100);
    fails(len, "invalid dev extent length, has 100 not aligned to 4096");
    byte[] key =
        Fixture.leaf()
            .item(new Key(1, ItemType.DEV_EXTENT, 100), devExtent(1 << 22, 8 << 20))
            .bytes();
    fails(key, "invalid dev extent key.offset, has 100 not aligned to 4096");
    fails(
        Fixture.leaf().item(1, ItemType.DEV_EXTENT, 1 << 20, 40).bytes(),
        "invalid dev extent item size, has 40 expect 48");
  }
}
