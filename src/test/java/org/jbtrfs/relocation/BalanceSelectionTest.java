package org.jbtrfs.relocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.extent.BlockGroup;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.volume.ChunkMap;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.RaidProfile;
import org.jbtrfs.volume.Stripe;
import org.junit.jupiter.api.Test;

/** The kernel's balance filters, group by group (should_balance_chunk and its helpers). */
class BalanceSelectionTest {
  private static final long MIB = 1 << 20;
  private static final long DATA = BlockGroupItem.TYPE_DATA;

  private final ChunkMap chunks = new ChunkMap();
  private final List<BlockGroup> groups = new ArrayList<>();

  /** A data group of 100 MiB at {@code logical} with {@code usedMib} used, stripes as given. */
  private void group(long logical, long usedMib, RaidProfile p, Stripe... stripes)
      throws Exception {
    long flags = DATA | p.flag();
    chunks.add(
        new ChunkMapping(logical, 100 * MIB, 65536, flags, p.subStripes(), List.of(stripes)));
    groups.add(new BlockGroup(logical, 100 * MIB, flags, usedMib * MIB));
  }

  private List<Long> select(String filters) throws Exception {
    List<Long> out = new ArrayList<>();
    for (BlockGroup bg :
        BalanceSelection.select(groups, chunks, DATA, BalanceFilters.parse(filters)))
      out.add(bg.start() / MIB);
    return out;
  }

  private void three() throws Exception {
    group(100 * MIB, 0, RaidProfile.SINGLE, new Stripe(1, 10 * MIB));
    group(200 * MIB, 30, RaidProfile.SINGLE, new Stripe(2, 10 * MIB));
    group(300 * MIB, 90, RaidProfile.RAID1, new Stripe(1, 200 * MIB), new Stripe(2, 200 * MIB));
  }

  @Test
  void highestFirstWithoutFilters() throws Exception {
    three();
    assertThat(select("")).containsExactly(300L, 200L, 100L);
  }

  @Test
  void usageAsTheKernelReadsIt() throws Exception {
    three();
    assertThat(select("usage=0")).as("empty groups only").containsExactly(100L);
    assertThat(select("usage=30")).as("under 30%: 30 MiB used is not").containsExactly(100L);
    assertThat(select("usage=31")).containsExactly(200L, 100L);
    assertThat(select("usage=30..91"))
        .as("min inclusive, max exclusive")
        .containsExactly(300L, 200L);
    assertThat(select("usage=..30")).containsExactly(100L);
  }

  @Test
  void devicesRangesStripesProfilesLimits() throws Exception {
    three();
    assertThat(select("devid=2")).containsExactly(300L, 200L);
    assertThat(select("devid=1,drange=0..20971520")).containsExactly(100L);
    assertThat(select("devid=1,drange=209715200..")).containsExactly(300L);
    assertThat(select("vrange=209715200..262144000")).containsExactly(200L);
    assertThat(select("stripes=2..2")).containsExactly(300L);
    assertThat(select("profiles=raid1")).containsExactly(300L);
    assertThat(select("profiles=single|raid1")).containsExactly(300L, 200L, 100L);
    assertThat(select("limit=2")).containsExactly(300L, 200L);
    assertThat(select("limit=4..5")).as("fewer than the minimum pass: none").isEmpty();
    assertThat(select("convert=raid1,soft"))
        .as("soft skips the converted")
        .containsExactly(200L, 100L);
  }

  @Test
  void refusesWhatBtrfsProgsRefuses() {
    assertThatThrownBy(() -> BalanceFilters.parse("drange=0..10")).hasMessageContaining("devid");
    assertThatThrownBy(() -> BalanceFilters.parse("soft")).hasMessageContaining("convert");
    assertThatThrownBy(() -> BalanceFilters.parse("usage=x")).hasMessageContaining("usage");
    assertThatThrownBy(() -> BalanceFilters.parse("convert=raid7")).hasMessageContaining("raid7");
    assertThatThrownBy(() -> BalanceFilters.parse("usage=9..3")).hasMessageContaining("range");
    assertThatThrownBy(() -> BalanceFilters.parse("frobnicate")).hasMessageContaining("frobnicate");
  }
}
