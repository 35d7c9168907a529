package org.jbtrfs.format;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The superblock: 4 KiB at 64 KiB (and mirrors at 64 MiB and 256 GiB) on every device. */
public final class Superblock {
  public static final int SIZE = 4096;
  public static final long MAGIC = 0x4D5f53665248425FL; // "_BHRfS_M"
  public static final long[] MIRROR_OFFSETS = {64L << 10, 64L << 20, 256L << 30};
  public static final int CSUM_SIZE = 32;
  public static final int SYS_CHUNK_ARRAY_MAX = 2048;
  public static final int NUM_BACKUP_ROOTS = 4;

  /** Flag set in the superblock while a metadata_uuid change is half done. */
  public static final long FLAG_CHANGING_FSID = 1L << 35;

  /**
   * The superblock flags the kernel mounts with (BTRFS_SUPER_FLAG_SUPP): written, reloc, error,
   * seeding, metadump (v1, v2), changing fsid (v1, v2). Any other bit, such as btrfs-progs' marks
   * of an interrupted checksum or block group tree conversion, refuses the mount.
   */
  public static final long SUPPORTED_FLAGS =
      1L | 1L << 1 | 1L << 2 | 1L << 32 | 1L << 33 | 1L << 34 | FLAG_CHANGING_FSID | 1L << 36;

  private static final int OFF_FSID = 0x20;
  private static final int OFF_BYTENR = 0x30;
  private static final int OFF_FLAGS = 0x38;

  /** Where the magic sits in each copy: zeroing it is how a device stops being a member. */
  public static final int OFF_MAGIC = 0x40;

  private static final int OFF_GENERATION = 0x48;
  private static final int OFF_ROOT = 0x50;
  private static final int OFF_CHUNK_ROOT = 0x58;
  private static final int OFF_LOG_ROOT = 0x60;
  private static final int OFF_TOTAL_BYTES = 0x70;
  private static final int OFF_BYTES_USED = 0x78;
  private static final int OFF_ROOT_DIR_OBJECTID = 0x80;
  private static final int OFF_NUM_DEVICES = 0x88;
  private static final int OFF_SECTORSIZE = 0x90;
  private static final int OFF_NODESIZE = 0x94;
  private static final int OFF_STRIPESIZE = 0x9c;
  private static final int OFF_SYS_CHUNK_ARRAY_SIZE = 0xa0;
  private static final int OFF_CHUNK_ROOT_GENERATION = 0xa4;
  private static final int OFF_COMPAT = 0xac;
  private static final int OFF_COMPAT_RO = 0xb4;
  private static final int OFF_INCOMPAT = 0xbc;
  private static final int OFF_CSUM_TYPE = 0xc4;
  private static final int OFF_ROOT_LEVEL = 0xc6;
  private static final int OFF_CHUNK_ROOT_LEVEL = 0xc7;
  private static final int OFF_LOG_ROOT_LEVEL = 0xc8;
  private static final int OFF_DEV_ITEM = 0xc9;
  static final int OFF_LABEL = 0x12b;

  /** BTRFS_LABEL_SIZE: the label field, NUL-terminated unless all 256 bytes are used. */
  public static final int LABEL_SIZE = 256;

  private static final int OFF_CACHE_GENERATION = 0x22b;
  private static final int OFF_UUID_TREE_GENERATION = 0x233;
  private static final int OFF_METADATA_UUID = 0x23b;
  private static final int OFF_SYS_CHUNK_ARRAY = 0x32b;
  private static final int OFF_BACKUP_ROOTS = 0xb2b;

  private final byte[] raw;

  private Superblock(byte[] raw) {
    this.raw = raw;
  }

  /**
   * Parses and validates one superblock copy read from {@code expectedBytenr}. Throws when the
   * magic, checksum or basic geometry is wrong, so callers can fall back to another copy.
   */
  public static Superblock parse(byte[] raw, long expectedBytenr) throws FormatException {
    if (raw.length < SIZE) throw new FormatException("superblock truncated");
    Superblock sb = new Superblock(raw.clone());
    if (Le.u64(raw, OFF_MAGIC) != MAGIC) {
      throw new FormatException("no btrfs magic at offset " + expectedBytenr);
    }
    ChecksumType csum;
    try {
      csum = ChecksumType.fromCode(Le.u16(raw, OFF_CSUM_TYPE));
    } catch (IllegalArgumentException e) {
      throw new FormatException("superblock at " + expectedBytenr + ": " + e.getMessage());
    }
    if (!csum.verify(raw, CSUM_SIZE, SIZE - CSUM_SIZE, raw, 0)) {
      throw new FormatException(
          "superblock at " + expectedBytenr + " fails its " + csum + " checksum");
    }
    if (sb.bytenr() != expectedBytenr) {
      throw new FormatException(
          "superblock at " + expectedBytenr + " claims bytenr " + sb.bytenr());
    }
    sb.validateGeometry();
    return sb;
  }

  private void validateGeometry() throws FormatException {
    long sector = sectorSize();
    long node = nodeSize();
    if (sector < 4096 || sector > 65536 || Long.bitCount(sector) != 1) {
      throw new FormatException("invalid sector size " + sector);
    }
    if (node < sector || node > 65536 || Long.bitCount(node) != 1) {
      throw new FormatException("invalid node size " + node);
    }
    // The field is a u32: a value with the top bit set reads as negative here and must not
    // reach the array allocation in sysChunkArray().
    if (sysChunkArraySize() < 0 || sysChunkArraySize() > SYS_CHUNK_ARRAY_MAX) {
      throw new FormatException("system chunk array too large: " + sysChunkArraySize());
    }
    if (!Align.isAligned(rootBytenr(), sector) || !Align.isAligned(chunkRootBytenr(), sector)) {
      throw new FormatException("tree root addresses not sector aligned");
    }
    if (rootLevel() >= 8 || chunkRootLevel() >= 8) {
      throw new FormatException("tree root level out of range");
    }
  }

  public byte[] raw() {
    return raw;
  }

  public ChecksumType checksumType() {
    return ChecksumType.fromCode(Le.u16(raw, OFF_CSUM_TYPE));
  }

  public byte[] fsid() {
    return slice(OFF_FSID, 16);
  }

  /** The uuid stamped into tree block headers: metadata_uuid when that feature is on. */
  public byte[] metadataUuid() {
    return (incompatFlags() & FeatureFlags.INCOMPAT_METADATA_UUID) != 0
        ? slice(OFF_METADATA_UUID, 16)
        : fsid();
  }

  public long bytenr() {
    return Le.u64(raw, OFF_BYTENR);
  }

  public long flags() {
    return Le.u64(raw, OFF_FLAGS);
  }

  public long generation() {
    return Le.u64(raw, OFF_GENERATION);
  }

  public long rootBytenr() {
    return Le.u64(raw, OFF_ROOT);
  }

  public long chunkRootBytenr() {
    return Le.u64(raw, OFF_CHUNK_ROOT);
  }

  public long logRootBytenr() {
    return Le.u64(raw, OFF_LOG_ROOT);
  }

  public long totalBytes() {
    return Le.u64(raw, OFF_TOTAL_BYTES);
  }

  public long bytesUsed() {
    return Le.u64(raw, OFF_BYTES_USED);
  }

  public long rootDirObjectId() {
    return Le.u64(raw, OFF_ROOT_DIR_OBJECTID);
  }

  public long numDevices() {
    return Le.u64(raw, OFF_NUM_DEVICES);
  }

  public int sectorSize() {
    return Le.i32(raw, OFF_SECTORSIZE);
  }

  public int nodeSize() {
    return Le.i32(raw, OFF_NODESIZE);
  }

  public int stripeSize() {
    return Le.i32(raw, OFF_STRIPESIZE);
  }

  public int sysChunkArraySize() {
    return Le.i32(raw, OFF_SYS_CHUNK_ARRAY_SIZE);
  }

  public long chunkRootGeneration() {
    return Le.u64(raw, OFF_CHUNK_ROOT_GENERATION);
  }

  public long compatFlags() {
    return Le.u64(raw, OFF_COMPAT);
  }

  public long compatRoFlags() {
    return Le.u64(raw, OFF_COMPAT_RO);
  }

  public long incompatFlags() {
    return Le.u64(raw, OFF_INCOMPAT);
  }

  public int rootLevel() {
    return Le.u8(raw, OFF_ROOT_LEVEL);
  }

  public int chunkRootLevel() {
    return Le.u8(raw, OFF_CHUNK_ROOT_LEVEL);
  }

  public int logRootLevel() {
    return Le.u8(raw, OFF_LOG_ROOT_LEVEL);
  }

  public DevItem devItem() {
    return DevItem.parse(raw, OFF_DEV_ITEM);
  }

  /** The label's bytes, up to its NUL. */
  public byte[] labelBytes() {
    int len = 0;
    while (len < LABEL_SIZE && raw[OFF_LABEL + len] != 0) len++;
    return java.util.Arrays.copyOfRange(raw, OFF_LABEL, OFF_LABEL + len);
  }

  public String label() {
    int len = 0;
    while (len < LABEL_SIZE && raw[OFF_LABEL + len] != 0) len++;
    return new String(raw, OFF_LABEL, len, StandardCharsets.UTF_8);
  }

  public long cacheGeneration() {
    return Le.u64(raw, OFF_CACHE_GENERATION);
  }

  public long uuidTreeGeneration() {
    return Le.u64(raw, OFF_UUID_TREE_GENERATION);
  }

  public byte[] sysChunkArray() {
    return slice(OFF_SYS_CHUNK_ARRAY, sysChunkArraySize());
  }

  public List<BackupRoot> backupRoots() {
    List<BackupRoot> list = new ArrayList<>();
    for (int i = 0; i < NUM_BACKUP_ROOTS; i++) {
      list.add(BackupRoot.parse(raw, OFF_BACKUP_ROOTS + i * BackupRoot.SIZE));
    }
    return Collections.unmodifiableList(list);
  }

  private byte[] slice(int off, int len) {
    byte[] out = new byte[len];
    System.arraycopy(raw, off, out, 0, len);
    return out;
  }
}
