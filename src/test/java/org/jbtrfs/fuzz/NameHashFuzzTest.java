package org.jbtrfs.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.NameHash;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.format.TreeHeader;
import org.jbtrfs.fs.DirItemLookup;
import org.jbtrfs.tree.BlockBuilder;
import org.jbtrfs.tree.Tree;

/**
 * The name hash and the DIR_ITEM lookup built on it: fuzzed names go into a directory leaf, keyed
 * by NameHash.crc32cName as the kernel keys them (entries whose hashes collide share one item), the
 * leaf's bytes are then optionally damaged (and re-checksummed), and every name is looked up
 * through the tree. Why: a wrong hash makes a file unreachable by name, a hash collision handled
 * wrongly returns the wrong file, and a damaged item must be refused, not misparsed.
 *
 * <p>Input: [u8 name count][per name: u8 length, bytes][u8 damage count][per damage: u16 offset, u8
 * value]. Oracles: the table CRC-32C agrees with the JDK's; in an undamaged leaf every name is
 * found with its own location; in any leaf the reader accepts, a lookup returns only an entry
 * carrying the name asked for.
 */
class NameHashFuzzTest {
  private static final long DIR = ObjectIds.FIRST_FREE;
  private static final int MAX_NAMES = 16;

  @InputTimeLimit(seconds = 10)
  @FuzzTest(maxDuration = "5m")
  void lookup(byte[] input) throws IOException {
    InputReader in = new InputReader(input);
    Map<String, byte[]> names = new LinkedHashMap<>(); // distinct names, in input order
    for (int i = 0, n = in.u8() % (MAX_NAMES + 1); i < n; i++) {
      byte[] name = in.bytes(1 + in.u8() % 255);
      names.putIfAbsent(Arrays.toString(name), name);
      checkAgainstJdk(name);
    }
    List<byte[]> all = new ArrayList<>(names.values());
    byte[] raw = leaf(all);
    if (raw == null) return; // more than one leaf holds: not what this target is about
    boolean damaged = false;
    for (int i = 0, n = in.u8() % 8; i < n; i++) {
      int off = TreeHeader.SIZE + in.u16() % (MemoryBlocks.NODE_SIZE - TreeHeader.SIZE);
      byte v = (byte) in.u8();
      damaged |= raw[off] != v;
      raw[off] = v;
    }
    FuzzImage.rechecksum(ChecksumType.CRC32C, raw, 0, raw.length);
    MemoryBlocks mem = new MemoryBlocks();
    mem.put(MemoryBlocks.BASE, raw);
    Tree tree = new Tree(mem.reader(), MemoryBlocks.BASE, 0, 1, ObjectIds.FS_TREE);
    List<byte[]> probes = new ArrayList<>(all);
    probes.add(in.rest()); // a name that may or may not be in the directory
    for (int i = 0; i < probes.size(); i++) {
      byte[] name = probes.get(i);
      DirItem d;
      try {
        d = DirItemLookup.find(tree, DIR, name);
      } catch (IOException refused) {
        if (!damaged) throw new AssertionError("an undamaged leaf was refused", refused);
        continue;
      }
      if (d != null && !Arrays.equals(d.name(), name)) {
        throw new AssertionError("lookup of one name returned the entry of another");
      }
      if (!damaged && i < all.size()) {
        if (d == null) throw new AssertionError("entry " + i + " not found by its name");
        if (d.location().objectId() != locationOf(i)) {
          throw new AssertionError("entry " + i + " found with another entry's location");
        }
      }
    }
  }

  /** The table-driven CRC-32C must agree with the JDK's (standard pre- and post-inversion). */
  private static void checkAgainstJdk(byte[] name) {
    CRC32C jdk = new CRC32C();
    jdk.update(name);
    int ours = ~NameHash.rawCrc32c(~0, name, 0, name.length);
    if (ours != (int) jdk.getValue()) throw new AssertionError("crc32c differs from the JDK's");
  }

  private static long locationOf(int i) {
    return ObjectIds.FIRST_FREE + 1 + i;
  }

  /** The directory's DIR_ITEMs in one leaf, or null when they do not fit in one. */
  private static byte[] leaf(List<byte[]> names) {
    TreeMap<Long, byte[]> byHash = new TreeMap<>();
    int bytes = 0;
    long nameBytes = 0;
    for (int i = 0; i < names.size(); i++) {
      byte[] name = names.get(i);
      Key loc = new Key(locationOf(i), ItemType.INODE_ITEM, 0);
      byte[] entry = new DirItem(loc, 1, FileType.REG, name, new byte[0]).encode();
      byHash.merge(NameHash.crc32cName(name), entry, NameHashFuzzTest::concat);
      bytes += entry.length + TreeHeader.ITEM_SIZE;
      nameBytes += name.length;
    }
    int room = MemoryBlocks.NODE_SIZE - TreeHeader.SIZE - InodeItem.SIZE - TreeHeader.ITEM_SIZE;
    if (bytes > room) return null;
    BlockBuilder b = BlockBuilder.leaf(MemoryBlocks.BASE).owner(ObjectIds.FS_TREE).generation(1);
    // The directory's own inode first, as in any real leaf (and an fs tree is never empty).
    Timespec t = new Timespec(1, 0);
    int mode = FileType.S_IFDIR | 0755;
    long size = 2 * nameBytes; // a directory's i_size: its names twice (DIR_ITEM and DIR_INDEX)
    b.item(
        new Key(DIR, ItemType.INODE_ITEM, 0),
        new InodeItem(1, 1, size, 0, 0, 1, 0, 0, mode, 0, 0, 0, t, t, t, t).encode());
    byHash.forEach((hash, item) -> b.item(new Key(DIR, ItemType.DIR_ITEM, hash), item));
    byte[] raw = b.bytes();
    System.arraycopy(MemoryBlocks.FSID, 0, raw, TreeHeader.FSID, 16);
    return raw;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
