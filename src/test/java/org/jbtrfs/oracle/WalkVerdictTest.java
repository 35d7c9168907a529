package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The walker's output and the verdict table rows as verdicts, and how two verdicts disagree. */
class WalkVerdictTest {
  private static WalkVerdict row(String line) {
    return WalkVerdict.ofRow(line.split("\t", -1));
  }

  @Test
  void aFinishedWalkIsReadableOrListsItsFailedOperations() {
    assertThat(WalkVerdict.ofWalk("done\t7\n").kind()).isEqualTo(WalkVerdict.Kind.READABLE);
    WalkVerdict v = WalkVerdict.ofWalk("error\tread\tEIO\t/a\nerror\tstat\tENOENT\t/b\ndone\t3\n");
    assertThat(v.kind()).isEqualTo(WalkVerdict.Kind.ERRORS);
    assertThat(v.entries()).isEqualTo(3);
    assertThat(v.errors()).containsExactly("read:EIO:/a", "stat:ENOENT:/b");
  }

  @Test
  void aTimedOutOrUnfinishedWalkIsAHang() {
    WalkVerdict v = WalkVerdict.ofWalk("error\tread\tEIO\t/a\ntimeout\topen\t/fifo\n");
    assertThat(v.kind()).isEqualTo(WalkVerdict.Kind.HANG);
    assertThat(v.details()).contains("open /fifo");
    assertThat(WalkVerdict.ofWalk("error\tread\tEIO\t/a\n").kind())
        .isEqualTo(WalkVerdict.Kind.HANG);
  }

  @Test
  void tableRowsReadBack() {
    WalkVerdict v = row("img\terrors\t4\tread:EIO:/a | stat:EIO:/b c");
    assertThat(v.errors()).containsExactly("read:EIO:/a", "stat:EIO:/b c");
    assertThat(row("img\tmount-refused\t-\tEIO; why").kind())
        .isEqualTo(WalkVerdict.Kind.MOUNT_REFUSED);
  }

  @Test
  void verdictsAgreeOnlyWithTheSameKindOperationsAndEntries() {
    WalkVerdict kernel = row("img\terrors\t4\tread:EIO:/a");
    assertThat(kernel.disagreement(WalkVerdict.ofWalk("error\tread\tEIO\t/a\ndone\t4\n")))
        .isEmpty();
    assertThat(kernel.disagreement(WalkVerdict.ofWalk("error\tread\tEIO\t/a\ndone\t5\n")))
        .hasValueSatisfying(d -> assertThat(d).contains("walked 5 entries, the kernel 4"));
    assertThat(kernel.disagreement(WalkVerdict.ofWalk("error\tread\tEUCLEAN\t/a\ndone\t4\n")))
        .hasValueSatisfying(
            d -> assertThat(d).contains("only the kernel failed read:EIO:/a", "read:EUCLEAN:/a"));
    assertThat(kernel.disagreement(WalkVerdict.refused("no")))
        .hasValueSatisfying(d -> assertThat(d).contains("jbtrfs mount-refused"));
    // Refusals agree whatever each driver gives as its reason.
    assertThat(
            row("img\tmount-refused\t-\tEIO; kernel words").disagreement(WalkVerdict.refused("x")))
        .isEmpty();
  }
}
