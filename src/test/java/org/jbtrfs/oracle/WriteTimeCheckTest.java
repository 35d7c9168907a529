package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.fs.write.FsOps;
import org.jbtrfs.tree.WritableTree;
import org.jbtrfs.txn.AbortedException;
import org.jbtrfs.txn.WriteEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-time tree checker: a transaction whose blocks break a rule (here an inode item with a
 * mode bit no kernel accepts, put straight into the file tree as a bug would) fails its commit
 * before anything of it reaches the device; the engine turns read-only naming the rule, and the
 * image stays the previous commit: btrfs check finds it clean and its files read back.
 */
class WriteTimeCheckTest {
  private static final byte[] KEPT =
      "committed before the bad transaction\n".getBytes(StandardCharsets.UTF_8);

  @BeforeAll
  static void host() {
    Environment.requireOracleHost();
  }

  @Test
  void aBadItemAbortsTheCommitAndLeavesThePreviousOneOnDisk(@TempDir Path tmp) throws IOException {
    Path image = ImageFiles.mkfs(tmp, "wtc.img", 256L << 20);
    long committedGeneration;
    try (Filesystem fs = open(image, null)) {
      WriteEngine engine = WriteEngine.open(fs);
      FsOps ops = new FsOps(engine, fs.defaultSubvolumeId());
      long root = fs.subvolume(fs.defaultSubvolumeId()).rootDirIno();
      long ino = ops.create(root, bytes("kept"), FileType.S_IFREG | 0644, 0, 0, 0);
      ops.data().writeNewFile(ino, new ByteArrayInputStream(KEPT), KEPT.length);
      engine.commit();
      committedGeneration = fs.superblock().generation();
    }
    BtrfsCheck.assertClean(image, "after the good commit");

    CountingDevice.Log io = new CountingDevice.Log();
    try (Filesystem fs = open(image, io)) {
      WriteEngine engine = WriteEngine.open(fs);
      long subvol = fs.defaultSubvolumeId();
      FsOps ops = new FsOps(engine, subvol);
      long root = fs.subvolume(subvol).rootDirIno();
      long lost = ops.create(root, bytes("lost"), FileType.S_IFREG | 0644, 0, 0, 0);
      // The bug: an inode item whose mode carries a bit above S_IFMT.
      WritableTree tree = engine.tree(subvol);
      Key key = new Key(lost, ItemType.INODE_ITEM, 0);
      InodeItem good = InodeItem.parse(tree.get(key), 0);
      tree.put(key, good.withOwner(0, 0, good.mode() | 0200000).encode());
      io.arm();
      assertThatThrownBy(engine::commit)
          .isInstanceOf(FormatException.class)
          .hasMessageContaining("write time tree block corruption detected")
          .hasMessageContaining("unknown mode bit detected: 0x10000");
      io.disarm();
      assertThat(io.events()).filteredOn(CountingDevice.Io::write).isEmpty();
      // Read-only from now on (the FUSE layer answers EROFS), and it says why; a second commit
      // (unmount's) writes nothing either.
      assertThatThrownBy(engine::checkNotAborted)
          .isInstanceOf(AbortedException.class)
          .hasMessageContaining("unknown mode bit detected");
      io.arm();
      assertThatThrownBy(engine::commit).isInstanceOf(AbortedException.class);
      io.disarm();
      assertThat(io.events()).filteredOn(CountingDevice.Io::write).isEmpty();
    }

    BtrfsCheck.assertClean(image, "after the aborted commit");
    try (Filesystem fs = Filesystem.open(List.of(image), MountOptions.readOnlyDefaults())) {
      assertThat(fs.superblock().generation()).isEqualTo(committedGeneration);
      assertThat(CorruptionTest.readPath(fs, "kept")).isEqualTo(KEPT);
      assertThatThrownBy(() -> CorruptionTest.readPath(fs, "lost"))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("not found");
    }
  }

  private static Filesystem open(Path image, CountingDevice.Log io) throws IOException {
    MountOptions rw = MountOptions.readOnlyDefaults().withReadOnly(false);
    if (io == null) return Filesystem.open(List.of(image), rw);
    return Filesystem.open(List.of(image), rw, d -> new CountingDevice(d, io));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
