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
 * Lays out random data as btrfs RAID5/6 would (rotation written out here independently of
 * StripeGeometry), then removes every combination of up to nparity devices and checks that mirror 0
 * still returns the data and that every other mirror either fails cleanly or is exact.
 */
class ParityDegradedReadTest {
  static final int K = 64 * 1024;
  static final int ROWS = 5;

  @ParameterizedTest
  @CsvSource({"RAID5,2", "RAID5,3", "RAID5,5", "RAID6,3", "RAID6,4", "RAID6,6"})
  void everyToleratedFailureSetReadsBack(RaidProfile profile, int numStripes) throws IOException {
    int nparity = profile.nparity();
    int width = numStripes - nparity;
    int devSize = (ROWS + 2) * K;
    List<Stripe> stripes = new ArrayList<>();
    MemorySource src = new MemorySource();
    for (int s = 0; s < numStripes; s++) {
      // devid 10+s and a per-device base offset so offsets matter.
      stripes.add(new Stripe(10 + s, (long) (s % 2) * K));
      src.device(10 + s, devSize);
    }
    byte[] logical = new byte[ROWS * width * K];
    new Random(numStripes * 31L + nparity).nextBytes(logical);
    for (int row = 0; row < ROWS; row++) {
      byte[][] data = new byte[width][K];
      for (int i = 0; i < width; i++) {
        System.arraycopy(logical, (row * width + i) * K, data[i], 0, K);
        place(src, stripes, (row + i) % numStripes, row, data[i]);
      }
      byte[] p = new byte[K];
      Raid56Math.computeP(data, 0, K, p);
      place(src, stripes, (row + width) % numStripes, row, p);
      if (nparity == 2) {
        byte[] q = new byte[K];
        Raid56Math.computeQ(data, 0, K, q);
        place(src, stripes, (row + width + 1) % numStripes, row, q);
      }
    }
    ChunkMapping c = new ChunkMapping(1L << 20, logical.length, K, 1 | profile.flag(), 1, stripes);

    for (int mask = 0; mask < (1 << numStripes); mask++) {
      if (Integer.bitCount(mask) > profile.toleratedFailures()) {
        continue;
      }
      src.absent.clear();
      for (int s = 0; s < numStripes; s++) {
        if ((mask & (1 << s)) != 0) {
          src.absent.add(10L + s);
        }
      }
      // An odd offset and length so slices straddle element and row boundaries.
      int start = 3 * K / 2 + 7;
      int len = logical.length - start - 11;
      byte[] out = new byte[len];
      ChunkReader.read(c, src, c.logical() + start, out, 0, len, 0);
      assertThat(Arrays.mismatch(out, Arrays.copyOfRange(logical, start, start + len)))
          .as("first wrong byte via mirror 0, absent %s", src.absent)
          .isEqualTo(-1);
      for (int m = 1; m < ChunkReader.numMirrors(c); m++) {
        for (int e = 0; e < ROWS * width; e++) {
          byte[] el = new byte[K];
          try {
            ChunkReader.read(c, src, c.logical() + (long) e * K, el, 0, K, m);
          } catch (IOException expected) {
            continue;
          }
          assertThat(Arrays.mismatch(el, Arrays.copyOfRange(logical, e * K, e * K + K)))
              .as("first wrong byte, mirror %d element %d absent %s", m, e, src.absent)
              .isEqualTo(-1);
        }
      }
    }
  }

  private static void place(
      MemorySource src, List<Stripe> stripes, int s, int row, byte[] element) {
    Stripe st = stripes.get(s);
    System.arraycopy(
        element, 0, src.devices.get(st.devid()), (int) (st.offset() + (long) row * K), K);
  }
}
