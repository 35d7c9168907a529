package org.jbtrfs.scrub;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.SubvolumePaths;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;
import org.jbtrfs.tree.TreeBlock;

/**
 * Names the files an unrepairable data sector belongs to, as the kernel's scrub log does: the
 * extent's back references (EXTENT_DATA_REF inline or keyed: root, inode and file offset;
 * SHARED_DATA_REF: the leaf whose file extent items point at the extent) lead to an inode, and its
 * INODE_REFs up to the subvolume's top directory give the path.
 */
final class DamagedFiles {
  /** One file range that lost data. */
  record Damage(long logical, long root, long inode, long fileOffset, String path) {}

  private final Filesystem fs;
  private final Tree extentTree;
  private final Consumer<String> log;
  private final Set<Damage> found = new LinkedHashSet<>();

  DamagedFiles(Filesystem fs, Tree extentTree, Consumer<String> log) {
    this.fs = fs;
    this.extentTree = extentTree;
    this.log = log;
  }

  List<Damage> found() {
    return List.copyOf(found);
  }

  void report(AllocatedExtent e, long logical, int len, ErrorKind kind, String where) {
    List<Damage> files;
    try {
      files = filesOf(e, logical);
    } catch (IOException | RuntimeException e2) {
      log.accept(
          "unable to fixup (regular) "
              + kind.summaryField
              + " error at "
              + where
              + " (back references unreadable: "
              + e2.getMessage()
              + ")");
      return;
    }
    if (files.isEmpty()) {
      log.accept("unable to fixup (regular) " + kind.summaryField + " error at " + where);
    }
    for (Damage d : files) {
      found.add(d);
      log.accept(
          "unable to fixup (regular) "
              + (kind == ErrorKind.CSUM ? "checksum" : kind.summaryField)
              + " error at "
              + where
              + ", root "
              + d.root()
              + ", inode "
              + d.inode()
              + ", offset "
              + d.fileOffset()
              + ", length "
              + len
              + " (path: "
              + d.path()
              + ")");
    }
  }

  private List<Damage> filesOf(AllocatedExtent e, long logical) throws IOException {
    List<Damage> out = new ArrayList<>();
    long inExtent = logical - e.bytenr();
    Cursor c = extentTree.seekCeil(new Key(e.bytenr(), 0, 0));
    for (; c.valid() && c.objectId() == e.bytenr(); c.next()) {
      switch (c.type()) {
        case ItemType.EXTENT_ITEM -> {
          ExtentItem item = ExtentItem.parse(c.raw(), c.dataOffset(), c.dataSize(), false);
          for (ExtentItem.InlineRef r : item.inlineRefs()) {
            if (r.type() == ItemType.EXTENT_DATA_REF) {
              out.add(damage(logical, r.root(), r.objectId(), r.offset() + inExtent));
            } else if (r.type() == ItemType.SHARED_DATA_REF) {
              fromLeaf(r.root(), e, logical, out);
            }
          }
        }
        case ItemType.EXTENT_DATA_REF -> {
          byte[] b = c.raw();
          int o = c.dataOffset();
          out.add(
              damage(
                  logical,
                  Le.u64(b, o + ExtentItem.DATA_REF_ROOT),
                  Le.u64(b, o + ExtentItem.DATA_REF_OBJECTID),
                  Le.u64(b, o + ExtentItem.DATA_REF_OFFSET) + inExtent));
        }
        case ItemType.SHARED_DATA_REF -> fromLeaf(c.offset(), e, logical, out);
        default -> {}
      }
    }
    return out;
  }

  /** A shared reference names a leaf: every file extent item there that points at the extent. */
  private void fromLeaf(long leafBytenr, AllocatedExtent e, long logical, List<Damage> out)
      throws IOException {
    TreeBlock leaf = fs.metadata().read(leafBytenr, 0, 0);
    for (int i = 0; i < leaf.nritems(); i++) {
      if (leaf.keyType(i) != ItemType.EXTENT_DATA) continue;
      FileExtentItem fe =
          FileExtentItem.parse(leaf.raw(), leaf.itemDataOffset(i), leaf.itemDataSize(i));
      if (fe.type() == FileExtentItem.TYPE_INLINE || fe.diskBytenr() != e.bytenr()) continue;
      long inExtent = logical - e.bytenr();
      if (inExtent < fe.offset() || inExtent >= fe.offset() + fe.numBytes()) continue;
      out.add(
          damage(
              logical,
              leaf.owner(),
              leaf.keyObjectId(i),
              leaf.keyOffsetField(i) + inExtent - fe.offset()));
    }
  }

  private Damage damage(long logical, long root, long inode, long fileOffset) throws IOException {
    String path = SubvolumePaths.dirPath(fs.subvolume(root), inode);
    if (path.endsWith("/")) path = path.substring(0, path.length() - 1);
    return new Damage(logical, root, inode, fileOffset, path);
  }
}
