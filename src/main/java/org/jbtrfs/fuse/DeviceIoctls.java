package org.jbtrfs.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Logger;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.DevStatsItem;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.volume.DeviceErrors;

/**
 * The kernel's ioctls that describe a mounted filesystem's devices, answered as its btrfs does, so
 * tools (ours, and any that send them) see a jbtrfs mount as they see a kernel one:
 * BTRFS_IOC_FS_INFO, BTRFS_IOC_DEV_INFO and BTRFS_IOC_GET_DEV_STATS (the live error counters;
 * reading them with the reset flag, which only root may, zeroes them).
 */
final class DeviceIoctls {
  private static final Logger LOG = Logger.getLogger(DeviceIoctls.class.getName());

  /** _IOR(0x94, 31, struct btrfs_ioctl_fs_info_args), 1024 bytes. */
  static final int FS_INFO = 0x8400941f;

  /** _IOWR(0x94, 30, struct btrfs_ioctl_dev_info_args), 4096 bytes. */
  static final int DEV_INFO = 0xd000941e;

  /** _IOWR(0x94, 52, struct btrfs_ioctl_get_dev_stats), 1032 bytes. */
  static final int GET_DEV_STATS = 0xc4089434;

  private static final int FS_INFO_SIZE = 1024;
  private static final int DEV_INFO_SIZE = 4096;
  private static final int DEV_INFO_PATH = 3072;
  private static final int DEV_INFO_PATH_SIZE = 1024;
  private static final int DEV_STATS_SIZE = 1032;

  /** fs_info flags: csum type and size, generation, metadata_uuid are filled in. */
  private static final long FS_INFO_FLAGS = 1 | 2 | 4;

  private static final long DEV_STATS_RESET = 1;

  private final FuseFs f;

  DeviceIoctls(FuseFs f) {
    this.f = f;
  }

  static boolean handles(int cmd) {
    return cmd == FS_INFO || cmd == DEV_INFO || cmd == GET_DEV_STATS;
  }

  int ioctl(FuseRequest req, FuseReply out, int cmd, int inSize, int outSize) {
    return switch (cmd) {
      case FS_INFO -> outSize < FS_INFO_SIZE ? -Errno.EINVAL : fsInfo(req, out);
      case DEV_INFO ->
          inSize < DEV_INFO_SIZE || outSize < DEV_INFO_SIZE ? -Errno.EINVAL : devInfo(req, out);
      case GET_DEV_STATS ->
          inSize < DEV_STATS_SIZE || outSize < DEV_STATS_SIZE ? -Errno.EINVAL : devStats(req, out);
      default -> -Errno.ENOTTY;
    };
  }

  /**
   * The filesystem's identity and geometry. The request carries no input (the ioctl only reads), so
   * every optional part is filled in and flagged, a superset of what any caller asks for.
   */
  private int fsInfo(FuseRequest req, FuseReply out) {
    Superblock sb = f.fs.superblock();
    long maxId = 0;
    List<DevItem> devs = f.fs.devItems();
    for (DevItem d : devs) maxId = Math.max(maxId, d.devid());
    out.ioctlDone()
        .u64(maxId)
        .u64(devs.size())
        .bytes(sb.fsid(), 0, 16)
        .u32(sb.nodeSize())
        .u32(sb.sectorSize())
        .u32(sb.sectorSize())
        .u16(sb.checksumType().code())
        .u16(sb.checksumType().size())
        .u64(FS_INFO_FLAGS)
        .u64(sb.generation())
        .bytes(sb.metadataUuid(), 0, 16)
        .zeros(FS_INFO_SIZE - 80);
    return 0;
  }

  /**
   * One device by devid (and uuid, when the caller gives one): its uuid, bytes allocated and size
   * as the running transaction has them, the filesystem's fsid and the device's path ("" while it
   * is missing). ENODEV for a device the filesystem does not have.
   */
  private int devInfo(FuseRequest req, FuseReply out) {
    long devid = req.u64(FuseProtocol.IOCTL_IN_DATA);
    byte[] uuid = req.bytes(FuseProtocol.IOCTL_IN_DATA + 8, 16);
    boolean byUuid = !Arrays.equals(uuid, new byte[16]);
    return f.reading(
        "ioctl",
        req.nodeid(),
        () -> {
          DevItem found = null;
          for (DevItem d : devItems()) {
            if (d.devid() == devid && (!byUuid || Arrays.equals(d.uuid(), uuid))) found = d;
          }
          if (found == null) return -Errno.ENODEV;
          String name = f.fs.devices().deviceName(devid);
          byte[] path = (name != null ? name : "").getBytes(StandardCharsets.UTF_8);
          int pathLen = Math.min(path.length, DEV_INFO_PATH_SIZE - 1);
          out.ioctlDone()
              .u64(devid)
              .bytes(found.uuid(), 0, 16)
              .u64(found.bytesUsed())
              .u64(found.totalBytes())
              .bytes(f.fs.superblock().fsid(), 0, 16)
              .zeros(DEV_INFO_PATH - 56)
              .bytes(path, 0, pathLen)
              .zeros(DEV_INFO_PATH_SIZE - pathLen);
          return 0;
        });
  }

  /** The transaction's view of each device where it has one (bytes used change with chunks). */
  private List<DevItem> devItems() throws IOException {
    List<DevItem> committed = f.fs.devItems();
    if (f.rw == null) return committed;
    List<DevItem> live = f.rw.engine().devItems();
    return committed.stream()
        .map(d -> live.stream().filter(l -> l.devid() == d.devid()).findFirst().orElse(d))
        .toList();
  }

  /**
   * The live error counters of one device: the first nr_items of them (nr_items is lowered to the
   * five there are); with the reset flag, root reads them and sets them to zero, and the next
   * commit writes the zeros.
   */
  private int devStats(FuseRequest req, FuseReply out) {
    long devid = req.u64(FuseProtocol.IOCTL_IN_DATA);
    long nrItems = req.u64(FuseProtocol.IOCTL_IN_DATA + 8);
    long flags = req.u64(FuseProtocol.IOCTL_IN_DATA + 16);
    boolean reset = (flags & DEV_STATS_RESET) != 0;
    if (reset && req.uid() != 0) return -Errno.EPERM;
    if (f.fs.devItems().stream().noneMatch(d -> d.devid() == devid)) return -Errno.ENODEV;
    DeviceErrors errors = f.fs.devices().errors();
    long[] values = reset ? errors.getAndReset(devid) : errors.get(devid);
    if (reset) LOG.info("device stats of devid " + devid + " zeroed by uid " + req.uid());
    int n =
        Long.compareUnsigned(nrItems, DevStatsItem.COUNT) < 0 ? (int) nrItems : DevStatsItem.COUNT;
    out.ioctlDone().u64(devid).u64(n).u64(flags);
    for (int i = 0; i < DevStatsItem.COUNT; i++) out.u64(i < n ? values[i] : 0);
    out.zeros(DEV_STATS_SIZE - 24 - DevStatsItem.COUNT * 8);
    return 0;
  }
}
