package org.jbtrfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The -o options jbtrfs reads, by the kernel btrfs's names and rules. */
class ParsedMountOptionsTest {
  @Test
  void norecoveryAndRescueNologreplayAreNologreplay() {
    assertThat(ParsedMountOptions.parse(List.of("ro,norecovery")).fs().noLogReplay()).isTrue();
    assertThat(ParsedMountOptions.parse(List.of("ro,rescue=nologreplay")).fs().noLogReplay())
        .isTrue();
    assertThat(ParsedMountOptions.parse(List.of("ro")).fs().noLogReplay()).isFalse();
  }

  @Test
  void nologreplayNeedsReadOnlyAndOtherRescueModesAreRefusedByName() {
    assertThatThrownBy(() -> ParsedMountOptions.parse(List.of("norecovery")))
        .hasMessageContaining("must be used with ro");
    assertThatThrownBy(() -> ParsedMountOptions.parse(List.of("ro,rescue=usebackuproot")))
        .hasMessageContaining("rescue=usebackuproot is not supported");
  }

  @Test
  void deviceOptionsAreCollectedInOrder() {
    ParsedMountOptions o = ParsedMountOptions.parse(List.of("device=/dev/b,ro", "device=/dev/c"));
    assertThat(o.extraDevices()).containsExactly("/dev/b", "/dev/c");
    assertThatThrownBy(() -> ParsedMountOptions.parse(List.of("device=")))
        .hasMessageContaining("needs a value");
  }
}
