package org.jbtrfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NodeIdsTest {
  @Test
  void anIdReadsBackAsItsSubvolumeAndInode() {
    long id = (5L << NodeIds.SUBVOL_SHIFT) | 257;
    assertThat(NodeIds.decode(id)).isEqualTo(new NodeIds.Decoded(5, 257, false));
    long deep = (NodeIds.MAX_SUBVOLUME << NodeIds.SUBVOL_SHIFT) | ((1L << 40) - 1);
    assertThat(NodeIds.decode(deep))
        .isEqualTo(new NodeIds.Decoded(NodeIds.MAX_SUBVOLUME, (1L << 40) - 1, false));
  }

  @Test
  void placeholdersCarryTheirDirectory() {
    long id = (1L << 63) | (260L << NodeIds.SUBVOL_SHIFT) | 300;
    assertThat(NodeIds.decode(id)).isEqualTo(new NodeIds.Decoded(260, 300, true));
  }

  @Test
  void shapesNoNodeHasAreRefused() {
    assertThat(NodeIds.decode(FuseProtocol.ROOT_ID)).isNull();
    assertThat(NodeIds.decode(0)).isNull();
    assertThat(NodeIds.decode(257)).isNull(); // no subvolume
    assertThat(NodeIds.decode(5L << NodeIds.SUBVOL_SHIFT)).isNull(); // no inode
    assertThat(NodeIds.decode(1L << 63)).isNull();
  }
}
