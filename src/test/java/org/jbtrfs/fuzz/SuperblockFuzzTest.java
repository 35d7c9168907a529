package org.jbtrfs.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.Arrays;
import org.jbtrfs.format.BackupRoot;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.tree.check.CheckContext;
import org.jbtrfs.tree.check.SysChunkArrayRules;
import org.jbtrfs.volume.ChunkMap;

/**
 * A fuzzer-made superblock through the first steps of a mount: parse and geometry checks, every
 * field a mount reads, then the system chunk array's rules and the bootstrap chunk map built from
 * it. Why: the superblock is the first thing read from an untrusted device, and every later size
 * and address comes from it. The checksum is recomputed (with the type the bytes name) so parsing,
 * not the checksum, is tested. Seed: the committed walk image's superblock.
 */
class SuperblockFuzzTest {
  private static final int OFF_CSUM_TYPE = 0xc4;

  @InputTimeLimit(seconds = 10)
  @FuzzTest(maxDuration = "5m")
  void parseAndBootstrap(byte[] input) {
    byte[] raw = Arrays.copyOf(input, Superblock.SIZE);
    long at = Superblock.MIRROR_OFFSETS[0];
    try {
      ChecksumType csum = ChecksumType.fromCode(Le.u16(raw, OFF_CSUM_TYPE));
      FuzzImage.rechecksum(csum, raw, 0, raw.length);
    } catch (IllegalArgumentException unknownType) {
      // left as it is: parse must refuse the unknown checksum type cleanly
    }
    try {
      Superblock sb = Superblock.parse(raw, at);
      long digest = sb.generation() + sb.totalBytes() + sb.bytesUsed() + sb.numDevices();
      digest += sb.rootBytenr() + sb.chunkRootBytenr() + sb.logRootBytenr() + sb.stripeSize();
      digest += sb.label().length() + sb.devItem().hashCode() + sb.cacheGeneration();
      for (BackupRoot b : sb.backupRoots()) digest += b.hashCode();
      digest += FeatureFlags.incompatNames(sb.incompatFlags()).size();
      CheckContext ctx =
          new CheckContext(
              sb.sectorSize(),
              sb.nodeSize(),
              sb.checksumType().size(),
              sb.incompatFlags(),
              true,
              sb.generation(),
              true);
      SysChunkArrayRules.check(sb.sysChunkArray(), ctx);
      ChunkMap chunks = new ChunkMap();
      chunks.loadSysChunkArray(sb.sysChunkArray());
      Sink.keep(digest + chunks.end());
    } catch (IOException refused) {
      // A clean rejection, with the reason in the message.
    }
  }
}
