package org.jbtrfs.volume;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A RAID5/6 chunk written by ChunkWriter, then one parity strip damaged in one sector of one row:
 * ParityCheck finds exactly that strip there, rewrites it with the parity of the data, and finds
 * nothing afterwards; the data strips are never written.
 */
class ParityCheckTest {
  static final int K = 64 * 1024;
  static final int SECTOR = 4096;
  static final int ROWS = 3;

  @ParameterizedTest
  @CsvSource({"RAID5,3,1", "RAID6,4,1", "RAID6,4,2", "RAID6,5,2"})
  void findsAndRewritesOnlyTheDamagedParity(RaidProfile profile, int numStripes, int damaged)
      throws IOException {
    int width = numStripes - profile.nparity();
    MemorySource src = new MemorySource();
    List<Stripe> stripes = new ArrayList<>();
    for (int s = 0; s < numStripes; s++) {
      stripes.add(new Stripe(10 + s, (long) s * K));
      src.device(10 + s, (ROWS + numStripes + 1) * K);
    }
    List<Long> dataWrites = new ArrayList<>();
    BlockSink sink =
        new BlockSink() {
          @Override
          public boolean accepts(long devid) {
            return src.present(devid);
          }

          @Override
          public void write(long devid, long physical, byte[] buf, int off, int len) {
            dataWrites.add(devid);
            System.arraycopy(buf, off, src.devices.get(devid), Math.toIntExact(physical), len);
          }
        };
    ChunkMapping c =
        new ChunkMapping(1L << 20, (long) ROWS * width * K, K, 1 | profile.flag(), 1, stripes);
    byte[] data = new byte[ROWS * width * K];
    new Random(numStripes * 7L + damaged).nextBytes(data);
    ChunkWriter.write(c, sink, src, c.logical(), data, 0, data.length);
    dataWrites.clear();

    long row = 1;
    long inElement = 2L * SECTOR;
    int stripe = (int) ((row + width + damaged - 1) % numStripes);
    long devid = 10 + stripe;
    int physical = Math.toIntExact(stripe * (long) K + row * K + inElement);
    byte[] dev = src.devices.get(devid);
    byte[] good = Arrays.copyOfRange(dev, physical, physical + SECTOR);
    dev[physical + 100] ^= 0x5a;

    assertThat(ParityCheck.check(c, src, null, row, 0, SECTOR)).as("an untouched slice").isEmpty();
    List<ParityCheck.BadParity> bad = ParityCheck.check(c, src, sink, row, inElement, SECTOR);
    assertThat(bad).containsExactly(new ParityCheck.BadParity(damaged, devid, physical));
    assertThat(dataWrites).containsOnly(devid);
    assertThat(Arrays.copyOfRange(dev, physical, physical + SECTOR)).isEqualTo(good);
    assertThat(ParityCheck.check(c, src, null, row, inElement, SECTOR)).isEmpty();
    assertThat(ParityCheck.sliceOf(c, c.logical() + (row * width + 1) * K + inElement))
        .isEqualTo(new ParityCheck.RowSlice(row, inElement));
  }
}
