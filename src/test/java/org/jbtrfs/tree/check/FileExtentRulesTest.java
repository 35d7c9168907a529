package org.jbtrfs.tree.check;

import static org.jbtrfs.tree.check.Fixture.data;
import static org.jbtrfs.tree.check.Fixture.fails;
import static org.jbtrfs.tree.check.Fixture.passes;

import java.nio.charset.StandardCharsets;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.tree.BlockBuilder;
import org.junit.jupiter.api.Test;

class FileExtentRulesTest {
  static byte[] regular(long disk, long len) {
    return FileExtentItem.encodeRegular(7, len, 0, FileExtentItem.TYPE_REG, disk, len, 0, len);
  }

  /** Inode 257: 8 KiB at 0, a hole record at 8 KiB, 4 KiB prealloc at 16 KiB. */
  private static BlockBuilder extents() {
    byte[] prealloc =
        FileExtentItem.encodeRegular(
            7, 4096, 0, FileExtentItem.TYPE_PREALLOC, 3 << 20, 4096, 0, 4096);
    return Fixture.leaf()
        .item(new Key(257, ItemType.EXTENT_DATA, 0), regular(1 << 20, 8192))
        .item(new Key(257, ItemType.EXTENT_DATA, 8192), regular(0, 8192))
        .item(new Key(257, ItemType.EXTENT_DATA, 16384), prealloc);
  }

  private static byte[] inline(String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    return FileExtentItem.encodeInline(7, b.length, 0, b);
  }

  @Test
  void acceptsRegularHolePreallocInlineAndCompressedInline() {
    passes(extents().bytes());
    passes(Fixture.leaf().item(new Key(258, ItemType.EXTENT_DATA, 0), inline("hello")).bytes());
    // A compressed inline extent's item holds fewer bytes than ram_bytes.
    byte[] zlib = FileExtentItem.encodeInline(7, 3000, 1, new byte[40]);
    passes(Fixture.leaf().item(new Key(258, ItemType.EXTENT_DATA, 0), zlib).bytes());
  }

  @Test
  void rejectsUnalignedFields() {
    byte[] key =
        Fixture.leaf()
            .item(new Key(257, ItemType.EXTENT_DATA, 100), regular(1 << 20, 8192))
            .bytes();
    fails(key, "unaligned file_offset for file extent, have 100 should be aligned to 4096");
    String[] names = {"ram_bytes", "disk_bytenr", "disk_num_bytes", "offset", "num_bytes"};
    int[] fields = {
      FileExtentItem.OFF_RAM_BYTES,
      FileExtentItem.OFF_DISK_BYTENR,
      FileExtentItem.OFF_DISK_NUM_BYTES,
      FileExtentItem.OFF_OFFSET,
      FileExtentItem.OFF_NUM_BYTES
    };
    for (int i = 0; i < names.length; i++) {
      byte[] raw = extents().bytes();
      int at = data(raw, 0) + fields[i];
      Le.put64(raw, at, Le.u64(raw, at) + 1);
      fails(raw, "invalid " + names[i] + " for file extent");
    }
  }

  @Test
  void rejectsUnknownTypeCompressionAndEncryption() {
    byte[] type = extents().bytes();
    type[data(type, 0) + FileExtentItem.OFF_TYPE] = 3;
    fails(type, "invalid type for file extent, have 3 expect range [0, 2]");
    byte[] comp = extents().bytes();
    comp[data(comp, 0) + FileExtentItem.OFF_COMPRESSION] = 4;
    fails(comp, "invalid compression for file extent, have 4 expect range [0, 3]");
    byte[] enc = extents().bytes();
    enc[data(enc, 0) + FileExtentItem.OFF_ENCRYPTION] = 1;
    fails(enc, "invalid encryption for file extent, have 1 expect 0");
  }

  @Test
  void rejectsBadSizes() {
    byte[] tiny = Fixture.leaf().item(257, ItemType.EXTENT_DATA, 0, 20).bytes();
    fails(tiny, "invalid item size, have 20 expect [21, 4096)");
    byte[] longReg = new byte[FileExtentItem.SIZE + 1];
    System.arraycopy(regular(1 << 20, 4096), 0, longReg, 0, FileExtentItem.SIZE);
    byte[] raw = Fixture.leaf().item(new Key(257, ItemType.EXTENT_DATA, 0), longReg).bytes();
    fails(raw, "invalid item size for reg/prealloc file extent, have 54 expect 53");
  }

  @Test
  void rejectsInlineNotAtZeroOrNotFillingItsItem() {
    byte[] at =
        Fixture.leaf().item(new Key(258, ItemType.EXTENT_DATA, 4096), inline("hello")).bytes();
    fails(at, "invalid file_offset for inline file extent, have 4096 expect 0");
    byte[] raw =
        Fixture.leaf().item(new Key(258, ItemType.EXTENT_DATA, 0), inline("hello")).bytes();
    Le.put64(raw, data(raw, 0) + FileExtentItem.OFF_RAM_BYTES, 6);
    fails(raw, "invalid ram_bytes for uncompressed inline extent, have 26 expect 27");
  }

  @Test
  void rejectsAnExtentEndPast2To64() {
    byte[] raw =
        Fixture.leaf()
            .item(new Key(257, ItemType.EXTENT_DATA, -4096L), regular(1 << 20, 8192))
            .bytes();
    fails(raw, "extent end overflow");
  }

  @Test
  void rejectsOverlapWithThePreviousExtent() {
    byte[] raw = extents().bytes();
    Le.put64(raw, data(raw, 0) + FileExtentItem.OFF_NUM_BYTES, 12288);
    fails(
        raw,
        "file extent end range (12288) goes beyond start offset (8192) of the next file extent");
    // An inline extent covers its whole first sector.
    byte[] inl =
        Fixture.leaf()
            .item(new Key(258, ItemType.EXTENT_DATA, 0), inline("hello"))
            .item(new Key(258, ItemType.EXTENT_DATA, 4096), regular(1 << 20, 4096))
            .bytes();
    passes(inl);
    byte[] bad =
        Fixture.leaf()
            .item(
                new Key(258, ItemType.EXTENT_DATA, 0),
                FileExtentItem.encodeInline(7, 5000, 1, new byte[9]))
            .item(new Key(258, ItemType.EXTENT_DATA, 4096), regular(1 << 20, 4096))
            .bytes();
    fails(bad, "file extent end range (8192) goes beyond start offset (4096)");
  }
}
