package org.jbtrfs.relocation;

import static org.assertj.core.api.Assertions.assertThat;

import org.jbtrfs.format.BalanceItem;
import org.jbtrfs.format.Le;
import org.jbtrfs.volume.RaidProfile;
import org.junit.jupiter.api.Test;

/** Filters through the balance item's bytes and back, at the kernel's offsets. */
class BalanceArgsTest {
  @Test
  void roundTripsEveryFilter() throws Exception {
    Balance.Request r =
        new Balance.Request(
            BalanceFilters.parse("usage=10..60,devid=2,drange=1048576..2097152,limit=3"),
            BalanceFilters.parse("convert=single,soft,profiles=dup|raid1,stripes=1..4"),
            BalanceFilters.parse("usage=5,vrange=0..4096,limit=2..9"),
            true);
    byte[] raw = BalanceArgs.item(r).encode();
    assertThat(raw).hasSize(BalanceItem.SIZE);
    assertThat(BalanceItem.SIZE).isEqualTo(448);
    assertThat(Le.u64(raw, 0))
        .isEqualTo(
            BalanceItem.DATA | BalanceItem.METADATA | BalanceItem.SYSTEM | BalanceItem.FORCE);
    // data args: usage range packed min | max << 32, devid, pstart, pend, flags at +64
    assertThat(Le.u64(raw, 8 + 8)).isEqualTo(10L | 60L << 32);
    assertThat(Le.u64(raw, 8 + 16)).isEqualTo(2);
    assertThat(Le.u64(raw, 8 + 64))
        .isEqualTo(
            BalanceItem.Args.USAGE_RANGE
                | BalanceItem.Args.DEVID
                | BalanceItem.Args.DRANGE
                | BalanceItem.Args.LIMIT);
    // metadata args: target single is the kernel's in-memory single bit
    assertThat(Le.u64(raw, 8 + 136 + 56)).isEqualTo(BalanceItem.SINGLE);

    Balance.Request back = BalanceArgs.request(BalanceItem.parse(raw, 0, raw.length));
    assertThat(back.force()).isTrue();
    assertThat(back.data().usageRange()).containsExactly(10, 60);
    assertThat(back.data().devid()).isEqualTo(2);
    assertThat(back.data().drange()).containsExactly(1048576, 2097152);
    assertThat(back.data().limit()).containsExactly(0, 3);
    assertThat(back.metadata().convert()).isEqualTo(RaidProfile.SINGLE);
    assertThat(back.metadata().soft()).isTrue();
    assertThat(back.metadata().profiles())
        .containsExactlyInAnyOrder(RaidProfile.DUP, RaidProfile.RAID1);
    assertThat(back.metadata().stripes()).containsExactly(1, 4);
    assertThat(back.system().usage()).isEqualTo(5);
    assertThat(back.system().vrange()).containsExactly(0, 4096);
    assertThat(back.system().limit()).containsExactly(2, 9);
  }

  @Test
  void typesNotGivenStayOut() throws Exception {
    Balance.Request r = new Balance.Request(BalanceFilters.NONE, null, null, false);
    Balance.Request back =
        BalanceArgs.request(BalanceItem.parse(BalanceArgs.item(r).encode(), 0, BalanceItem.SIZE));
    assertThat(back.data()).isNotNull();
    assertThat(back.metadata()).isNull();
    assertThat(back.system()).isNull();
  }
}
