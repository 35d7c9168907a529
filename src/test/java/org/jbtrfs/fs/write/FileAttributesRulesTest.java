package org.jbtrfs.fs.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.fs.compress.CompressionType;
import org.junit.jupiter.api.Test;

/** chattr's flags and the compression property: mappings and the combinations btrfs refuses. */
class FileAttributesRulesTest {
  private static final int REG = 0100644;
  private static final int DIR = 040755;
  private static final int FIFO = 010644;

  private static InodeItem inode(long flags) {
    Timespec t = new Timespec(1, 0);
    return new InodeItem(1, 1, 0, 0, 0, 1, 0, 0, REG, 0, flags, 0, t, t, t, t);
  }

  private static int errno(int old, int wanted) {
    try {
      FileAttributes.check(old, wanted);
      return 0;
    } catch (FsError e) {
      return e.errno();
    }
  }

  @Test
  void lsattrShowsEachBtrfsFlagAsItsFsFlag() {
    assertThat(FileAttributes.fsFlags(inode(InodeItem.FLAG_IMMUTABLE)))
        .isEqualTo(FileAttributes.FS_IMMUTABLE_FL);
    assertThat(FileAttributes.fsFlags(inode(InodeItem.FLAG_NODATACOW | InodeItem.FLAG_NODATASUM)))
        .as("nodatasum has no letter")
        .isEqualTo(FileAttributes.FS_NOCOW_FL);
    assertThat(FileAttributes.fsFlags(inode(InodeItem.FLAG_COMPRESS | InodeItem.FLAG_NOATIME)))
        .isEqualTo(FileAttributes.FS_COMPR_FL | FileAttributes.FS_NOATIME_FL);
    assertThat(FileAttributes.fsFlags(inode(0))).isZero();
  }

  @Test
  void fsxattrFlagsTranslateBothWays() {
    int common = FileAttributes.COMMON;
    assertThat(FileAttributes.fromXflags(FileAttributes.toXflags(common))).isEqualTo(common);
    assertThat(FileAttributes.toXflags(FileAttributes.FS_NOCOW_FL)).as("not common").isZero();
    assertThat(FileAttributes.toXflags(FileAttributes.FS_APPEND_FL))
        .isEqualTo(FileAttributes.XFLAG_APPEND);
  }

  @Test
  void refusedCombinationsAsCheckFsflags() {
    int c = FileAttributes.FS_COMPR_FL;
    int m = FileAttributes.FS_NOCOMP_FL;
    int nocow = FileAttributes.FS_NOCOW_FL;
    assertThat(errno(0, 0x80000)).as("extents flag").isEqualTo(FsError.EOPNOTSUPP);
    assertThat(errno(0, 0x1)).as("secure deletion").isEqualTo(FsError.EOPNOTSUPP);
    assertThat(errno(0, c | m)).isEqualTo(FsError.EINVAL);
    assertThat(errno(0, c | nocow)).isEqualTo(FsError.EINVAL);
    assertThat(errno(nocow, nocow | m)).as("compression flags on nocow").isEqualTo(FsError.EINVAL);
    assertThat(errno(c, c | nocow)).as("nocow on compressed").isEqualTo(FsError.EINVAL);
    assertThat(errno(0, nocow)).isZero();
    assertThat(errno(0, FileAttributes.COMMON | FileAttributes.FS_DIRSYNC_FL)).isZero();
  }

  @Test
  void eachTypeKeepsOnlyTheFlagsThatMeanSomethingToIt() {
    int all = FileAttributes.COMMON | FileAttributes.FS_DIRSYNC_FL | FileAttributes.FS_NOCOW_FL;
    assertThat(FileAttributes.maskForType(DIR, all)).isEqualTo(all);
    assertThat(FileAttributes.maskForType(REG, all)).isEqualTo(all & ~FileAttributes.FS_DIRSYNC_FL);
    assertThat(FileAttributes.maskForType(FIFO, all))
        .isEqualTo(FileAttributes.FS_NODUMP_FL | FileAttributes.FS_NOATIME_FL);
  }

  @Test
  void compressionPropertyValuesAsTheKernelReadsThem() {
    assertThat(parse("zstd")).isEqualTo(CompressionType.ZSTD);
    assertThat(parse("zstd:3")).as("a level after the name").isEqualTo(CompressionType.ZSTD);
    assertThat(parse("zlibx")).as("only the prefix counts").isEqualTo(CompressionType.ZLIB);
    assertThat(parse("lzo")).isEqualTo(CompressionType.LZO);
    assertThat(parse("no")).isEqualTo(CompressionType.NONE);
    assertThat(parse("none")).isEqualTo(CompressionType.NONE);
    assertThat(parse("nonex")).isNull();
    assertThat(parse("zst")).isNull();
    assertThat(parse("bogus")).isNull();
    assertThat(CompressionProperty.incompatFor(CompressionType.ZLIB)).isZero();
    assertThat(CompressionProperty.incompatFor(CompressionType.ZSTD)).isNotZero();
  }

  @Test
  void unknownFlagsNameTheBits() {
    assertThatThrownBy(() -> FileAttributes.check(0, 0x4000)).hasMessageContaining("4000");
    assertThatCode(() -> FileAttributes.check(0, FileAttributes.FS_NOATIME_FL))
        .doesNotThrowAnyException();
  }

  private static CompressionType parse(String v) {
    return CompressionProperty.parse(v.getBytes(StandardCharsets.US_ASCII));
  }
}
