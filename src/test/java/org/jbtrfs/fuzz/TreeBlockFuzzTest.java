package org.jbtrfs.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.Arrays;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;
import org.jbtrfs.tree.TreeBlock;

/**
 * A fuzzer-made tree block read through a real MetadataReader, then every item decoded. Why: the
 * tree checker (structure and the kernel's item rules) is what stands between a hostile image and
 * every decoder, so it must refuse what the decoders cannot take, and neither may crash. The input
 * is the block itself; its bytenr and fsid are set to the reader's and its checksum recomputed, so
 * the checker rather than the checksum sees the fuzzer's bytes. Seeds: every tree block of the
 * committed walk image (scripts/make-fuzz-seeds).
 */
class TreeBlockFuzzTest {
  @InputTimeLimit(seconds = 10)
  @FuzzTest(maxDuration = "5m")
  void readAndDecode(byte[] input) throws Exception {
    byte[] raw = Arrays.copyOf(input, MemoryBlocks.NODE_SIZE);
    System.arraycopy(MemoryBlocks.FSID, 0, raw, TreeHeader.FSID, 16);
    Le.put64(raw, TreeHeader.BYTENR, MemoryBlocks.BASE);
    FuzzImage.rechecksum(ChecksumType.CRC32C, raw, 0, raw.length);
    MemoryBlocks mem = new MemoryBlocks();
    mem.put(MemoryBlocks.BASE, raw);
    try {
      TreeBlock block = mem.reader().read(MemoryBlocks.BASE, 0, -1);
      ItemDecoder.decodeAll(block);
    } catch (IOException refused) {
      // A clean rejection: the checker (or a decoder) named what is wrong.
    }
  }
}
