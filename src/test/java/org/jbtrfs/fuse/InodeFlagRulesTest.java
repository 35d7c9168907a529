package org.jbtrfs.fuse;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.fs.write.FsError;
import org.junit.jupiter.api.Test;

/** The VFS's rules for immutable and append-only inodes, one decision at a time. */
class InodeFlagRulesTest {
  private static final int O_WRONLY = 1;
  private static final int O_RDWR = 2;
  private static final int O_APPEND = 02000;
  private static final InodeItem PLAIN = inode(0);
  private static final InodeItem IMMUTABLE = inode(InodeItem.FLAG_IMMUTABLE);
  private static final InodeItem APPEND = inode(InodeItem.FLAG_APPEND);

  private static InodeItem inode(long flags) {
    Timespec t = new Timespec(1, 0);
    return new InodeItem(1, 1, 0, 0, 0, 1, 0, 0, 0100644, 0, flags, 0, t, t, t, t);
  }

  private static void refused(ThrowingCallable c) {
    assertThatThrownBy(c)
        .isInstanceOf(FsError.class)
        .matches(e -> ((FsError) e).errno() == FsError.EPERM, "EPERM");
  }

  private static void allowed(ThrowingCallable c) {
    assertThatCode(c).doesNotThrowAnyException();
  }

  @Test
  void openOfAnImmutableFileOnlyForReading() {
    allowed(() -> InodeFlagRules.checkOpen(IMMUTABLE, 0));
    refused(() -> InodeFlagRules.checkOpen(IMMUTABLE, O_WRONLY));
    refused(() -> InodeFlagRules.checkOpen(IMMUTABLE, O_RDWR | O_APPEND));
    refused(() -> InodeFlagRules.checkOpen(IMMUTABLE, FileModes.O_TRUNC));
    allowed(() -> InodeFlagRules.checkOpen(PLAIN, O_RDWR | FileModes.O_TRUNC));
  }

  @Test
  void openOfAnAppendOnlyFileOnlyForAppending() {
    allowed(() -> InodeFlagRules.checkOpen(APPEND, 0));
    allowed(() -> InodeFlagRules.checkOpen(APPEND, O_WRONLY | O_APPEND));
    refused(() -> InodeFlagRules.checkOpen(APPEND, O_WRONLY));
    refused(() -> InodeFlagRules.checkOpen(APPEND, O_WRONLY | O_APPEND | FileModes.O_TRUNC));
  }

  @Test
  void setattrRefusesOwnershipSizeAndExplicitTimes() {
    for (InodeItem i : new InodeItem[] {IMMUTABLE, APPEND}) {
      refused(() -> InodeFlagRules.checkSetattr(i, FuseProtocol.FATTR_MODE));
      refused(() -> InodeFlagRules.checkSetattr(i, FuseProtocol.FATTR_UID));
      refused(() -> InodeFlagRules.checkSetattr(i, FuseProtocol.FATTR_SIZE));
      refused(() -> InodeFlagRules.checkSetattr(i, FuseProtocol.FATTR_MTIME));
      refused(() -> InodeFlagRules.checkSetattr(i, FuseProtocol.FATTR_ATIME));
    }
    int now =
        FuseProtocol.FATTR_ATIME
            | FuseProtocol.FATTR_MTIME
            | FuseProtocol.FATTR_ATIME_NOW
            | FuseProtocol.FATTR_MTIME_NOW;
    // touch: "now" is fine on append-only, not on immutable.
    allowed(() -> InodeFlagRules.checkSetattr(APPEND, now));
    refused(() -> InodeFlagRules.checkSetattr(IMMUTABLE, now));
    // ftruncate through a descriptor opened before +i, but never on append-only.
    int viaHandle = FuseProtocol.FATTR_SIZE | FuseProtocol.FATTR_FH;
    allowed(() -> InodeFlagRules.checkSetattr(IMMUTABLE, viaHandle));
    refused(() -> InodeFlagRules.checkSetattr(APPEND, viaHandle));
    allowed(() -> InodeFlagRules.checkSetattr(PLAIN, FuseProtocol.FATTR_MODE | viaHandle));
  }

  @Test
  void namesInProtectedDirectoriesAndOfProtectedInodes() {
    refused(() -> InodeFlagRules.checkDelete(IMMUTABLE, PLAIN));
    refused(() -> InodeFlagRules.checkDelete(APPEND, PLAIN));
    refused(() -> InodeFlagRules.checkDelete(PLAIN, APPEND));
    allowed(() -> InodeFlagRules.checkDelete(PLAIN, null));
    allowed(() -> InodeFlagRules.checkCreateIn(APPEND));
    refused(() -> InodeFlagRules.checkCreateIn(IMMUTABLE));
    refused(() -> InodeFlagRules.checkLink(APPEND));
    refused(() -> InodeFlagRules.checkMovedDir(IMMUTABLE));
    allowed(() -> InodeFlagRules.checkMovedDir(APPEND));
    refused(() -> InodeFlagRules.checkXattrChange(APPEND));
    allowed(() -> InodeFlagRules.checkXattrChange(PLAIN));
  }

  @Test
  void fallocateOnAppendOnlyOnlyPreallocates() {
    allowed(() -> InodeFlagRules.checkFallocate(APPEND, 0));
    allowed(() -> InodeFlagRules.checkFallocate(APPEND, 1));
    refused(() -> InodeFlagRules.checkFallocate(APPEND, 1 | 2));
    refused(() -> InodeFlagRules.checkFallocate(IMMUTABLE, 0));
  }
}
