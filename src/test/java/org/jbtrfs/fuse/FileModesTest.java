package org.jbtrfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import org.jbtrfs.format.FileType;
import org.junit.jupiter.api.Test;

/** Which inode modes the daemon shows to the kernel's FUSE client, and which it refuses (EIO). */
class FileModesTest {
  @Test
  void everyFileTypeWithAnyPermissionBitsIsShown() {
    int[] types = {
      FileType.S_IFREG,
      FileType.S_IFDIR,
      FileType.S_IFLNK,
      FileType.S_IFCHR,
      FileType.S_IFBLK,
      FileType.S_IFIFO,
      FileType.S_IFSOCK
    };
    for (int t : types) {
      assertThat(FileModes.isShowable(t | 0644)).isTrue();
      assertThat(FileModes.isShowable(t | 07777)).isTrue();
    }
  }

  @Test
  void aModeWithoutAValidTypeIsRefused() {
    assertThat(FileModes.isShowable(0644)).isFalse();
    assertThat(FileModes.isShowable(0030000 | 0644)).isFalse();
    assertThat(FileModes.isShowable(0170000 | 0644)).isFalse();
  }

  @Test
  void bitsAboveTheTypeAreRefusedEvenWithAValidType() {
    // btrfs-progs' fsck-tests/039-bad-inode-mode: a garbage mode whose type bits read as a FIFO.
    assertThat(FileModes.isShowable(037027615151)).isFalse();
    assertThat(FileModes.isShowable(FileType.S_IFREG | 0644 | 0200000)).isFalse();
  }
}
