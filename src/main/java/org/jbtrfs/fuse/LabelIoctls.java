package org.jbtrfs.fuse;

import org.jbtrfs.format.Superblock;

/**
 * FS_IOC_GETFSLABEL and FS_IOC_SETFSLABEL on the superblock's label, as the kernel's btrfs answers
 * them: anyone may read it; root sets it (a label must leave room for its NUL, else EINVAL), and
 * the new label is committed at once.
 */
final class LabelIoctls {
  /** _IOR(0x94, 49, char[256]) and _IOW(0x94, 50, char[256]). */
  static final int GETFSLABEL = 0x81009431;

  static final int SETFSLABEL = 0x41009432;

  private static final int SIZE = Superblock.LABEL_SIZE;

  private final FuseFs f;

  LabelIoctls(FuseFs f) {
    this.f = f;
  }

  int get(FuseRequest req, FuseReply out, int outSize) {
    if (outSize < SIZE) return -Errno.EINVAL;
    return f.reading(
        "ioctl",
        req.nodeid(),
        () -> {
          byte[] label = f.rw != null ? f.rw.engine().label() : f.fs.superblock().labelBytes();
          out.ioctlDone();
          out.bytes(label, 0, label.length).zeros(SIZE - label.length);
          return 0;
        });
  }

  int set(FuseRequest req, FuseReply out, int inSize) {
    if (inSize < SIZE) return -Errno.EINVAL;
    if (req.uid() != 0) return -Errno.EPERM;
    byte[] label = req.terminated(FuseProtocol.IOCTL_IN_DATA, SIZE);
    if (label == null) return -Errno.EINVAL;
    if (f.rw == null) return -Errno.EROFS;
    return f.changing(
        "ioctl",
        req.nodeid(),
        0,
        false,
        () -> {
          f.rw.committedAlone(
              engine -> {
                engine.setLabel(label);
                return null;
              });
          out.ioctlDone();
          return 0;
        });
  }
}
