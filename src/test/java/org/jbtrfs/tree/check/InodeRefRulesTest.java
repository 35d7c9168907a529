package org.jbtrfs.tree.check;

import static org.jbtrfs.tree.check.Fixture.data;
import static org.jbtrfs.tree.check.Fixture.fails;
import static org.jbtrfs.tree.check.Fixture.passes;

import java.nio.charset.StandardCharsets;
import org.jbtrfs.format.InodeRef;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.NameHash;
import org.junit.jupiter.api.Test;

class InodeRefRulesTest {
  private static final byte[] NAME = "name".getBytes(StandardCharsets.UTF_8);

  private static byte[] refs() {
    byte[] one = new InodeRef(256, 2, NAME).encodeRef();
    byte[] two = new byte[one.length * 2];
    System.arraycopy(one, 0, two, 0, one.length);
    System.arraycopy(one, 0, two, one.length, one.length);
    byte[] ext = new InodeRef(300, 3, NAME).encodeExtref();
    return Fixture.leaf()
        .item(new Key(257, ItemType.INODE_REF, 256), two)
        .item(new Key(257, ItemType.INODE_EXTREF, NameHash.extrefHash(300, NAME)), ext)
        .bytes();
  }

  @Test
  void acceptsRefsAndExtrefs() {
    passes(refs());
  }

  @Test
  void rejectsANameCrossingTheItem() {
    byte[] ref = refs();
    Le.put16(ref, data(ref, 0) + 14 + InodeRef.REF_NAME_LEN, 5);
    fails(ref, "inode ref overflow, ptr 14 end 28 namelen 5");
    byte[] ext = refs();
    Le.put16(ext, data(ext, 1) + InodeRef.EXTREF_NAME_LEN, 200);
    fails(ext, "inode extref overflow, ptr 0 end 22 namelen 200");
  }

  @Test
  void rejectsATruncatedHeader() {
    byte[] ref = Fixture.leaf().item(257, ItemType.INODE_REF, 256, 14).bytes();
    Le.put16(ref, data(ref, 0) + InodeRef.REF_NAME_LEN, 1);
    fails(ref, "inode ref overflow, ptr 11 end 14 inode ref size 10");
    byte[] ext = Fixture.leaf().item(257, ItemType.INODE_EXTREF, 1, 10).bytes();
    fails(ext, "inode extref overflow, ptr 0 end 10 inode extref size 18");
  }

  @Test
  void rejectsAnInodeRefWithoutAName() {
    byte[] raw = Fixture.leaf().item(257, ItemType.INODE_REF, 256, 10).bytes();
    fails(raw, "invalid item size, have 10 expect (10, 3995)");
  }
}
