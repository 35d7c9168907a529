package org.jbtrfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.Timespec;
import org.junit.jupiter.api.Test;

/** The reply layouts against linux/fuse.h (7.38): offsets of struct fuse_attr and headers. */
class FuseReplyTest {
  private static InodeItem inode() {
    Timespec t0 = new Timespec(0, 0);
    // atime 11, ctime 22, mtime 33 (withTimes takes them in that order)
    return new InodeItem(1, 1, 12345, 8192, 0, 3, 1000, 1001, 0100644, 0, 0, 0, t0, t0, t0, t0)
        .withTimes(new Timespec(11, 1), new Timespec(22, 2), new Timespec(33, 3));
  }

  @Test
  void entryReplyLayout() {
    FuseReply r = new FuseReply(4096).begin(0);
    r.entryHeader(77, 5, new CacheTimes(1.5, 2.25));
    r.attr(258, inode(), inode().nlink(), 4096, 4096);
    ByteBuffer b = r.finish(99, 0);
    assertThat(b.limit()).isEqualTo(FuseProtocol.OUT_HEADER + FuseProtocol.ENTRY_OUT);
    assertThat(b.getInt(0)).isEqualTo(b.limit());
    assertThat(b.getInt(4)).isZero();
    assertThat(b.getLong(8)).isEqualTo(99);
    int e = FuseProtocol.OUT_HEADER;
    assertThat(b.getLong(e)).isEqualTo(77); // nodeid
    assertThat(b.getLong(e + 8)).isEqualTo(5); // generation
    assertThat(b.getLong(e + 16)).isEqualTo(1); // entry_valid
    assertThat(b.getLong(e + 24)).isEqualTo(2); // attr_valid
    assertThat(b.getInt(e + 32)).isEqualTo(500_000_000);
    assertThat(b.getInt(e + 36)).isEqualTo(250_000_000);
    int a = e + 40;
    assertThat(b.getLong(a)).isEqualTo(258); // ino
    assertThat(b.getLong(a + 8)).isEqualTo(12345); // size
    assertThat(b.getLong(a + 16)).isEqualTo((8192 + 4096) / 512); // blocks
    assertThat(b.getLong(a + 24)).isEqualTo(11); // atime
    assertThat(b.getLong(a + 32)).isEqualTo(33); // mtime
    assertThat(b.getLong(a + 40)).isEqualTo(22); // ctime
    assertThat(b.getInt(a + 48)).isEqualTo(1); // atimensec
    assertThat(b.getInt(a + 60)).isEqualTo(0100644); // mode
    assertThat(b.getInt(a + 64)).isEqualTo(3); // nlink
    assertThat(b.getInt(a + 68)).isEqualTo(1000); // uid
    assertThat(b.getInt(a + 72)).isEqualTo(1001); // gid
    assertThat(b.getInt(a + 80)).isEqualTo(4096); // blksize
  }

  /**
   * struct fuse_statx: the btrfs inode flags the kernel's btrfs shows as statx attributes (append,
   * compressed, immutable, nodump) at offset 8, and the mask of the four at offset 56. (The
   * kernel's FUSE client of this machine does not pass them on to statx(2) yet.)
   */
  @Test
  void statxCarriesTheInodeFlagsAsAttributes() {
    Timespec t0 = new Timespec(0, 0);
    long flags = InodeItem.FLAG_APPEND | InodeItem.FLAG_COMPRESS | InodeItem.FLAG_NOCOMPRESS;
    InodeItem i = new InodeItem(1, 1, 0, 0, 0, 1, 0, 0, 0100644, 0, flags, 0, t0, t0, t0, t0);
    FuseReply r = new FuseReply(4096).begin(0);
    r.statx(new CacheTimes(1, 1), 257, i, i.nlink(), 4096, 0);
    ByteBuffer b = r.finish(1, 0);
    int sx = FuseProtocol.OUT_HEADER + 32; // after attr_valid, attr_valid_nsec, flags, spare[2]
    assertThat(b.getLong(sx + 8)).isEqualTo(0x20L | 0x4L); // STATX_ATTR_APPEND | COMPRESSED
    assertThat(b.getLong(sx + 56)).isEqualTo(0x4L | 0x10L | 0x20L | 0x40L);
    assertThat(b.getLong(sx + 32)).isEqualTo(257); // ino, to pin the offsets
  }

  @Test
  void errorRepliesCarryOnlyTheHeader() {
    FuseReply r = new FuseReply(4096).begin(0);
    r.u64(1).u64(2);
    ByteBuffer b = r.finish(5, -2);
    assertThat(b.limit()).isEqualTo(FuseProtocol.OUT_HEADER);
    assertThat(b.getInt(4)).isEqualTo(-2);
  }
}
