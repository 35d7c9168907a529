package org.jbtrfs.fs.write;

import static org.assertj.core.api.Assertions.assertThat;

import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.fs.Node;
import org.junit.jupiter.api.Test;

class AccessTimesTest {
  private static final Node FILE = new Node(null, 257);
  private static final int REG = 0100644;
  private static final int DIR = 040755;

  private static InodeItem inode(int mode, long atime, long mtime, long ctime) {
    return new InodeItem(
        1,
        1,
        0,
        0,
        0,
        1,
        0,
        0,
        mode,
        0,
        0,
        0,
        new Timespec(atime, 0),
        new Timespec(ctime, 0),
        new Timespec(mtime, 0),
        new Timespec(0, 0));
  }

  @Test
  void relatimeUpdatesOnlyAnAtimeNotNewerThanMtimeOrCtimeOrADayOld() {
    AccessTimes t = new AccessTimes(AtimePolicy.RELATIME, true);
    Timespec now = new Timespec(100_000, 5);
    assertThat(t.accessed(FILE, inode(REG, 50, 50, 40), false, now)).as("atime == mtime").isTrue();
    assertThat(t.accessed(FILE, inode(REG, 60, 50, 70), false, now)).as("ctime newer").isTrue();
    assertThat(t.accessed(FILE, inode(REG, 99_000, 50, 50), false, now)).as("fresh").isFalse();
    assertThat(t.accessed(FILE, inode(REG, 100_000 - 86_400, 50, 50), false, now))
        .as("a day old")
        .isTrue();
  }

  @Test
  void theNotedTimeIsWhatReadersSeeUntilDrained() {
    AccessTimes t = new AccessTimes(AtimePolicy.RELATIME, true);
    InodeItem before = inode(REG, 10, 20, 20);
    Timespec now = new Timespec(30, 7);
    t.accessed(FILE, before, false, now);
    assertThat(t.overlay(FILE, before).atime()).isEqualTo(now);
    assertThat(t.overlay(FILE, before).mtime()).isEqualTo(before.mtime());
    assertThat(t.drain()).containsEntry(FILE, now);
    assertThat(t.isEmpty()).isTrue();
    assertThat(t.overlay(FILE, before)).isSameAs(before);
  }

  @Test
  void noatimeAndNodiratimeNeverUpdate() {
    Timespec now = new Timespec(100, 0);
    assertThat(
            new AccessTimes(AtimePolicy.NOATIME, true)
                .accessed(FILE, inode(REG, 1, 2, 2), false, now))
        .isFalse();
    assertThat(
            new AccessTimes(AtimePolicy.RELATIME, false)
                .accessed(FILE, inode(DIR, 1, 2, 2), true, now))
        .isFalse();
    assertThat(
            new AccessTimes(AtimePolicy.STRICTATIME, true)
                .accessed(FILE, inode(REG, 90, 2, 2), false, now))
        .isTrue();
  }

  @Test
  void chattrPlusAKeepsTheAtimeWhateverTheMountSays() {
    AccessTimes t = new AccessTimes(AtimePolicy.STRICTATIME, true);
    InodeItem i = inode(REG, 50, 50, 40);
    InodeItem noatime = i.withFlags(InodeItem.FLAG_NOATIME);
    Timespec now = new Timespec(100_000, 5);
    assertThat(t.accessed(FILE, noatime, false, now)).isFalse();
    assertThat(t.accessed(FILE, i, false, now)).isTrue();
  }
}
