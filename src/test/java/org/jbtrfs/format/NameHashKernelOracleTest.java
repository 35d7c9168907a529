package org.jbtrfs.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.jbtrfs.testutil.ScratchBtrfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compares both name hashes with the key offsets the kernel gave real directory entries. */
class NameHashKernelOracleTest {
  /** struct btrfs_dir_item: location key (17) transid (8) data_len (2) name_len (2) type (1). */
  private static final int DIR_ITEM_HEADER = 30;

  /** struct btrfs_inode_extref: parent_objectid (8) index (8) name_len (2). */
  private static final int EXTREF_HEADER = 18;

  @Test
  void dirItemAndExtrefKeysMatch(@TempDir Path dir) throws Exception {
    try (ScratchBtrfs fs = ScratchBtrfs.create(dir)) {
      Path mnt = fs.mount("");
      List<String> names =
          List.of(
              "a",
              "hello_name",
              "with space",
              "ünïcödé-名前",
              "x".repeat(255),
              ".hidden",
              "UPPER.lower.123");
      for (String n : names) {
        Files.writeString(mnt.resolve(n), n);
      }
      Files.createDirectory(mnt.resolve("sub"));
      // Long hard-link names overflow the INODE_REF item of one parent, so the kernel
      // falls back to INODE_EXTREF items (extref is a mkfs default); two parents vary the seed.
      Path target = mnt.resolve("target");
      Files.writeString(target, "t");
      for (Path parent : List.of(mnt.resolve("links1"), mnt.resolve("sub").resolve("links2"))) {
        Files.createDirectories(parent);
        for (int i = 0; i < 80; i++) {
          Files.createLink(parent.resolve(String.format("%03d-", i) + "L".repeat(240)), target);
        }
      }
      ScratchBtrfs.run("sync");
      fs.unmount();

      List<ScratchBtrfs.Item> dirItems = fs.items("5", "DIR_ITEM");
      int checkedNames = 0;
      for (ScratchBtrfs.Item item : dirItems) {
        ByteBuffer b = ByteBuffer.wrap(item.data()).order(ByteOrder.LITTLE_ENDIAN);
        // Colliding names share one item; every entry in it has the same hash.
        while (b.remaining() >= DIR_ITEM_HEADER) {
          int start = b.position();
          int dataLen = b.getShort(start + 25) & 0xffff;
          int nameLen = b.getShort(start + 27) & 0xffff;
          byte[] name =
              Arrays.copyOfRange(
                  item.data(), start + DIR_ITEM_HEADER, start + DIR_ITEM_HEADER + nameLen);
          assertThat(NameHash.crc32cName(name))
              .as(new String(name, StandardCharsets.UTF_8))
              .isEqualTo(item.offset());
          b.position(start + DIR_ITEM_HEADER + nameLen + dataLen);
          checkedNames++;
        }
      }
      assertThat(checkedNames).isGreaterThanOrEqualTo(names.size() + 160);

      List<ScratchBtrfs.Item> extrefs = fs.items("5", "INODE_EXTREF");
      int checkedExtrefs = 0;
      java.util.Set<Long> parents = new java.util.HashSet<>();
      for (ScratchBtrfs.Item item : extrefs) {
        ByteBuffer b = ByteBuffer.wrap(item.data()).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= EXTREF_HEADER) {
          int start = b.position();
          long parent = b.getLong(start);
          int nameLen = b.getShort(start + 16) & 0xffff;
          byte[] name =
              Arrays.copyOfRange(
                  item.data(), start + EXTREF_HEADER, start + EXTREF_HEADER + nameLen);
          assertThat(NameHash.extrefHash(parent, name)).isEqualTo(item.offset());
          parents.add(parent);
          b.position(start + EXTREF_HEADER + nameLen);
          checkedExtrefs++;
        }
      }
      assertThat(checkedExtrefs).as("kernel wrote extrefs").isGreaterThan(20);
      assertThat(parents).as("extrefs from both link directories").hasSize(2);
    }
  }
}
