package org.jbtrfs.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.jbtrfs.device.FileDevice;
import org.jbtrfs.format.BackupRoot;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.fs.DeviceScanner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Prints the newest valid superblock of a device, like `btrfs inspect-internal dump-super`. */
@Command(name = "dump-super", description = "Print the superblock.")
final class DumpSuperCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "Image file or device.")
  Path image;

  @Override
  public Integer call() throws Exception {
    try (FileDevice dev = FileDevice.open(image, false)) {
      print(DeviceScanner.bestSuperblock(dev), System.out);
    }
    return 0;
  }

  static void print(Superblock sb, PrintStream out) {
    HexFormat hex = HexFormat.of();
    out.println(
        "csum_type\t\t"
            + sb.checksumType().code()
            + " ("
            + sb.checksumType().name().toLowerCase()
            + ")");
    out.println("bytenr\t\t\t" + sb.bytenr());
    out.println("flags\t\t\t0x" + Long.toHexString(sb.flags()));
    out.println("fsid\t\t\t" + uuid(sb.fsid()));
    out.println("metadata_uuid\t\t" + uuid(sb.metadataUuid()));
    out.println("label\t\t\t" + sb.label());
    out.println("generation\t\t" + sb.generation());
    out.println("root\t\t\t" + sb.rootBytenr());
    out.println("chunk_root_generation\t" + sb.chunkRootGeneration());
    out.println("root_level\t\t" + sb.rootLevel());
    out.println("chunk_root\t\t" + sb.chunkRootBytenr());
    out.println("chunk_root_level\t" + sb.chunkRootLevel());
    out.println("log_root\t\t" + sb.logRootBytenr());
    out.println("log_root_level\t\t" + sb.logRootLevel());
    out.println("total_bytes\t\t" + sb.totalBytes());
    out.println("bytes_used\t\t" + sb.bytesUsed());
    out.println("sectorsize\t\t" + sb.sectorSize());
    out.println("nodesize\t\t" + sb.nodeSize());
    out.println("stripesize\t\t" + sb.stripeSize());
    out.println("root_dir\t\t" + sb.rootDirObjectId());
    out.println("num_devices\t\t" + sb.numDevices());
    out.println("compat_flags\t\t0x" + Long.toHexString(sb.compatFlags()));
    out.println("compat_ro_flags\t\t0x" + Long.toHexString(sb.compatRoFlags()));
    out.println(
        "incompat_flags\t\t0x"
            + Long.toHexString(sb.incompatFlags())
            + " "
            + FeatureFlags.incompatNames(sb.incompatFlags()));
    out.println("cache_generation\t" + sb.cacheGeneration());
    out.println("uuid_tree_generation\t" + sb.uuidTreeGeneration());
    DevItem d = sb.devItem();
    out.println("dev_item.uuid\t\t" + uuid(d.uuid()));
    out.println("dev_item.devid\t\t" + d.devid());
    out.println("dev_item.total_bytes\t" + d.totalBytes());
    out.println("dev_item.bytes_used\t" + d.bytesUsed());
    out.println("sys_chunk_array_size\t" + sb.sysChunkArraySize());
    int i = 0;
    for (BackupRoot b : sb.backupRoots()) {
      out.println(
          "backup "
              + i++
              + ": tree_root "
              + b.treeRoot()
              + " gen "
              + b.treeRootGen()
              + " level "
              + b.treeRootLevel()
              + " chunk_root "
              + b.chunkRoot()
              + " gen "
              + b.chunkRootGen());
    }
    out.println("csum\t\t\t0x" + hex.formatHex(sb.raw(), 0, sb.checksumType().size()));
  }

  static String uuid(byte[] u) {
    String h = HexFormat.of().formatHex(u);
    return h.substring(0, 8)
        + "-"
        + h.substring(8, 12)
        + "-"
        + h.substring(12, 16)
        + "-"
        + h.substring(16, 20)
        + "-"
        + h.substring(20);
  }
}
