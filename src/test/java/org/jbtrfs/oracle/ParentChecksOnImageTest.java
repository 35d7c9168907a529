package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.format.TreeHeader;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.fs.write.FsOps;
import org.jbtrfs.tree.TreeBlock;
import org.jbtrfs.txn.WriteEngine;
import org.jbtrfs.volume.ChunkMapping;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks that tie a block to the pointer that reached it, on a real image: a file tree leaf
 * re-labelled as the checksum tree's (checksum recomputed, so only the owner tells), and a node
 * pointer whose key no longer is its child's first key. Both make what lies below unreadable with
 * the kernel's message while the rest of the tree stays readable.
 */
class ParentChecksOnImageTest {
  private static final int FILES = 400;

  @BeforeAll
  static void host() {
    Environment.requireOracleHost();
  }

  @Test
  void aLeafOfAnotherTreeOrUnderAWrongKeyIsRejected(@TempDir Path tmp) throws IOException {
    Path image = ImageFiles.mkfs(tmp, "parent.img", 256L << 20, "-n", "4096", "-m", "single");
    populate(image);

    long root;
    long child;
    int level;
    try (Filesystem fs = Filesystem.open(List.of(image), MountOptions.readOnlyDefaults())) {
      RootItem ri = fs.rootItem(ObjectIds.FS_TREE);
      root = ri.bytenr();
      level = ri.level();
      assertThat(level).as("the file tree must have nodes").isPositive();
      TreeBlock node = fs.metadata().read(root, ri.generation(), level);
      child = node.childBlockPtr(node.nritems() / 2);
    }

    Path owner = copy(image, tmp.resolve("owner.img"));
    rewrite(owner, child, raw -> Le.put64(raw, TreeHeader.OWNER, ObjectIds.CSUM_TREE));
    assertThat(walkErrors(owner))
        .anyMatch(e -> e.contains("owner mismatch, have 7 expect [256, 18446744073709551360]"));

    Path key = copy(image, tmp.resolve("key.img"));
    rewrite(
        key,
        root,
        raw -> {
          // The pointer's key of the middle child, one higher: still between its neighbours.
          int at =
              TreeHeader.SIZE + (Le.i32(raw, TreeHeader.NRITEMS) / 2) * TreeHeader.KEY_PTR_SIZE;
          Le.put64(raw, at + 9, Le.u64(raw, at + 9) + 1);
        });
    assertThat(walkErrors(key)).anyMatch(e -> e.contains("tree first key mismatch detected"));
  }

  /** Files in one directory, enough for a file tree of several leaves at 4 KiB nodes. */
  private static void populate(Path image) throws IOException {
    try (Filesystem fs =
        Filesystem.open(List.of(image), MountOptions.readOnlyDefaults().withReadOnly(false))) {
      WriteEngine engine = WriteEngine.open(fs);
      FsOps ops = new FsOps(engine, fs.defaultSubvolumeId());
      long dir = fs.subvolume(fs.defaultSubvolumeId()).rootDirIno();
      for (int i = 0; i < FILES; i++) {
        ops.create(
            dir, ("file-" + i).getBytes(StandardCharsets.UTF_8), FileType.S_IFREG | 0644, 0, 0, 0);
      }
      engine.commit();
    }
  }

  /** Errors of a full walk: some entries fail, the rest of the tree stays readable. */
  private static List<String> walkErrors(Path image) throws IOException {
    try (Filesystem fs = Filesystem.open(List.of(image), MountOptions.readOnlyDefaults())) {
      FsWalk w = FsWalk.of(fs);
      // The directory lists every file (its index items are elsewhere); only the inodes whose
      // items sit below the bad pointer fail.
      assertThat(w.nodes).isEqualTo(FILES + 1);
      assertThat(w.ioErrors).isPositive().isLessThan(FILES / 4);
      return w.errors;
    }
  }

  private interface Edit {
    void apply(byte[] raw);
  }

  /** Edits the single copy of tree block {@code logical} in place and re-checksums it. */
  private static void rewrite(Path image, long logical, Edit edit) throws IOException {
    long physical;
    int nodeSize;
    try (Filesystem fs = Filesystem.open(List.of(image), MountOptions.readOnlyDefaults())) {
      ChunkMapping m = fs.chunks().lookup(logical);
      physical = m.stripes().get(0).offset() + (logical - m.logical());
      nodeSize = fs.superblock().nodeSize();
    }
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      byte[] raw = new byte[nodeSize];
      f.seek(physical);
      f.readFully(raw);
      edit.apply(raw);
      ChecksumType.CRC32C.compute(raw, 32, nodeSize - 32, raw, 0);
      f.seek(physical);
      f.write(raw);
    }
  }

  private static Path copy(Path from, Path to) {
    Cmd.run(List.of("cp", "--sparse=always", from.toString(), to.toString())).check();
    return to;
  }
}
