package org.jbtrfs.fuse;

import org.jbtrfs.format.InodeItem;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.write.FileAttributes;

/**
 * FUSE_IOCTL: the inode flags of chattr and lsattr. The kernel turns FS_IOC_GETFLAGS/SETFLAGS and
 * FS_IOC_FSGETXATTR/FSSETXATTR into these requests itself (its fileattr operations), after its own
 * checks: ownership, and CAP_LINUX_IMMUTABLE to change +i or +a. The subvolume ioctls are {@link
 * SubvolumeIoctls}', BTRFS_IOC_TREE_SEARCH and INO_LOOKUP {@link TreeSearchIoctl}'s and {@link
 * InoLookupIoctl}'s, the device ioctls {@link DeviceIoctls}', the live scrub's {@link ScrubIoctls}
 * and device replace's {@link ReplaceIoctls}, BTRFS_IOC_RESIZE {@link ResizeIoctl}'s, device add
 * {@link DeviceAddIoctl}'s, jbtrfs's remount notice {@link RemountIoctl}'s. Any other ioctl is
 * ENOTTY.
 */
final class IoctlRequests {
  static final int FS_IOC_GETFLAGS = 0x80086601;
  static final int FS_IOC_SETFLAGS = 0x40086602;
  static final int FS_IOC32_GETFLAGS = 0x80046601;
  static final int FS_IOC32_SETFLAGS = 0x40046602;
  static final int FS_IOC_FSGETXATTR = 0x801c581f;
  static final int FS_IOC_FSSETXATTR = 0x401c5820;

  /** struct fsxattr { xflags, extsize, nextents, projid, cowextsize, pad[8] }. */
  private static final int FSXATTR = 28;

  private static final int SETFLAGS_ITEMS = 3;

  private final FuseFs f;
  private final SubvolumeIoctls subvolumes;
  private final TreeSearchIoctl treeSearch;
  private final InoLookupIoctl inoLookup;
  private final LabelIoctls labels;
  private final TrimIoctl trim;
  private final RemountIoctl remount;
  private final DeviceIoctls devices;
  private final ScrubIoctls scrubs;
  private final ReplaceIoctls replaces;
  private final ResizeIoctl resize;
  private final DeviceAddIoctl deviceAdd;
  private final BalanceIoctl balance;
  private final DeviceRemoveIoctl deviceRemove;
  private final BalanceControlIoctls balanceControl;

  IoctlRequests(FuseFs f) {
    this.f = f;
    this.subvolumes = new SubvolumeIoctls(f);
    this.treeSearch = new TreeSearchIoctl(f);
    this.inoLookup = new InoLookupIoctl(f);
    this.labels = new LabelIoctls(f);
    this.trim = new TrimIoctl(f);
    this.remount = new RemountIoctl(f);
    this.devices = new DeviceIoctls(f);
    this.scrubs = new ScrubIoctls(f);
    this.replaces = new ReplaceIoctls(f);
    this.resize = new ResizeIoctl(f);
    this.deviceAdd = new DeviceAddIoctl(f);
    this.balance = new BalanceIoctl(f);
    this.deviceRemove = new DeviceRemoveIoctl(f);
    this.balanceControl = new BalanceControlIoctls(f);
  }

  int ioctl(FuseRequest req, FuseReply out) {
    int cmd = req.u32(12);
    int inSize = req.u32(24);
    int outSize = req.u32(28);
    if (SubvolumeIoctls.handles(cmd)) return subvolumes.ioctl(req, out, cmd, inSize);
    if (cmd == TreeSearchIoctl.TREE_SEARCH) return treeSearch.ioctl(req, out, inSize, outSize);
    if (cmd == InoLookupIoctl.INO_LOOKUP) return inoLookup.ioctl(req, out, inSize, outSize);
    if (cmd == LabelIoctls.GETFSLABEL) return labels.get(req, out, outSize);
    if (cmd == LabelIoctls.SETFSLABEL) return labels.set(req, out, inSize);
    if (cmd == TrimIoctl.FITRIM) return trim.ioctl(req, out, inSize, outSize);
    if (cmd == RemountIoctl.REMOUNT) return remount.ioctl(req, out, inSize);
    if (DeviceIoctls.handles(cmd)) return devices.ioctl(req, out, cmd, inSize, outSize);
    if (ScrubIoctls.handles(cmd)) return scrubs.ioctl(req, out, cmd, inSize, outSize);
    if (ReplaceIoctls.handles(cmd)) return replaces.ioctl(req, out, cmd, inSize, outSize);
    if (cmd == ResizeIoctl.RESIZE) return resize.ioctl(req, out, inSize);
    if (cmd == DeviceAddIoctl.ADD) return deviceAdd.ioctl(req, out, inSize);
    if (cmd == BalanceIoctl.START) return balance.ioctl(req, out, inSize, outSize);
    if (cmd == DeviceRemoveIoctl.REMOVE) return deviceRemove.ioctl(req, out, inSize);
    if (BalanceControlIoctls.handles(cmd)) return balanceControl.ioctl(req, out, cmd, outSize);
    return switch (cmd) {
      case FS_IOC_GETFLAGS, FS_IOC32_GETFLAGS -> getFlags(req, out, outSize);
      case FS_IOC_FSGETXATTR -> getXattr(req, out, outSize);
      case FS_IOC_SETFLAGS, FS_IOC32_SETFLAGS ->
          inSize < 4
              ? -Errno.EINVAL
              : setFlags(req, out, req.u32(FuseProtocol.IOCTL_IN_DATA), false);
      case FS_IOC_FSSETXATTR -> inSize < FSXATTR ? -Errno.EINVAL : setXattr(req, out);
      default -> -Errno.ENOTTY;
    };
  }

  private int getFlags(FuseRequest req, FuseReply out, int outSize) {
    if (outSize < 4) return -Errno.EINVAL;
    return f.reading(
        "ioctl",
        req.nodeid(),
        () -> {
          out.ioctlDone();
          out.u32(FileAttributes.fsFlags(f.inode(f.node(req.nodeid()))));
          return 0;
        });
  }

  private int getXattr(FuseRequest req, FuseReply out, int outSize) {
    if (outSize < FSXATTR) return -Errno.EINVAL;
    return f.reading(
        "ioctl",
        req.nodeid(),
        () -> {
          out.ioctlDone();
          int flags = FileAttributes.fsFlags(f.inode(f.node(req.nodeid())));
          out.u32(FileAttributes.toXflags(flags)).zeros(FSXATTR - 4);
          return 0;
        });
  }

  /**
   * FS_IOC_FSSETXATTR: only the common flags, and nothing btrfs lacks (extent size hints, project
   * ids, other xflags: EOPNOTSUPP, as btrfs_fileattr_set answers).
   */
  private int setXattr(FuseRequest req, FuseReply out) {
    int xflags = req.u32(FuseProtocol.IOCTL_IN_DATA);
    int extsize = req.u32(FuseProtocol.IOCTL_IN_DATA + 4);
    int projid = req.u32(FuseProtocol.IOCTL_IN_DATA + 12);
    int cowextsize = req.u32(FuseProtocol.IOCTL_IN_DATA + 16);
    if ((xflags & ~FileAttributes.XFLAGS_COMMON) != 0
        || extsize != 0
        || projid != 0
        || cowextsize != 0) {
      return -Errno.EOPNOTSUPP;
    }
    return setFlags(req, out, FileAttributes.fromXflags(xflags), true);
  }

  private int setFlags(FuseRequest req, FuseReply out, int requested, boolean commonOnly) {
    if (f.rw == null) return -Errno.EROFS;
    return f.changing(
        "ioctl",
        req.nodeid(),
        SETFLAGS_ITEMS,
        false,
        () -> {
          Node n = f.node(req.nodeid());
          InodeItem i = f.inode(n);
          int wanted = requested;
          // FSSETXATTR leaves the flags it cannot name as they are.
          if (commonOnly) wanted |= FileAttributes.fsFlags(i) & ~FileAttributes.COMMON;
          f.rw
              .ops(n.subvolume().id())
              .attributes()
              .set(n.ino(), wanted, commonOnly, f.rw.compression());
          out.ioctlDone();
          return 0;
        });
  }
}
