package org.jbtrfs.format;

/**
 * Builds a new superblock from the current one: the fields a commit changes, the rotated backup
 * root, and finally the checksum. Works on a copy; each device gets its own dev item.
 */
public final class SuperblockEditor {
  private final byte[] raw;

  public SuperblockEditor(Superblock base) {
    this.raw = base.raw().clone();
  }

  public SuperblockEditor generation(long v) {
    Le.put64(raw, 0x48, v);
    return this;
  }

  public SuperblockEditor root(long bytenr, int level) {
    Le.put64(raw, 0x50, bytenr);
    raw[0xc6] = (byte) level;
    return this;
  }

  public SuperblockEditor chunkRoot(long bytenr, int level, long generation) {
    Le.put64(raw, 0x58, bytenr);
    raw[0xc7] = (byte) level;
    Le.put64(raw, 0xa4, generation);
    return this;
  }

  /** The fsync log root; zero once a commit has replayed or dropped the log. */
  public SuperblockEditor logRoot(long bytenr, int level) {
    Le.put64(raw, 0x60, bytenr);
    raw[0xc8] = (byte) level;
    return this;
  }

  /** Adds incompat feature bits (e.g. zstd once zstd extents are written). */
  public SuperblockEditor addIncompat(long bits) {
    Le.put64(raw, 0xbc, Le.u64(raw, 0xbc) | bits);
    return this;
  }

  /** total_bytes: the sum of the devices' sizes, which a resize changes. */
  public SuperblockEditor totalBytes(long v) {
    Le.put64(raw, 0x70, v);
    return this;
  }

  /** num_devices, which adding a device raises. */
  public SuperblockEditor numDevices(long v) {
    Le.put64(raw, 0x88, v);
    return this;
  }

  public SuperblockEditor bytesUsed(long v) {
    Le.put64(raw, 0x78, v);
    return this;
  }

  public SuperblockEditor uuidTreeGeneration(long v) {
    Le.put64(raw, 0x233, v);
    return this;
  }

  public SuperblockEditor cacheGeneration(long v) {
    Le.put64(raw, 0x22b, v);
    return this;
  }

  /** Sets the label (shorter than {@link Superblock#LABEL_SIZE}; the rest of the field zeroed). */
  public SuperblockEditor label(byte[] label) {
    if (label.length >= Superblock.LABEL_SIZE) {
      throw new IllegalArgumentException("label of " + label.length + " bytes");
    }
    ByteArrays.zero(raw, Superblock.OFF_LABEL, Superblock.OFF_LABEL + Superblock.LABEL_SIZE);
    System.arraycopy(label, 0, raw, Superblock.OFF_LABEL, label.length);
    return this;
  }

  /** Replaces the system chunk array (the chunks needed to read the chunk tree). */
  public SuperblockEditor sysChunkArray(byte[] array) {
    if (array.length > Superblock.SYS_CHUNK_ARRAY_MAX) {
      throw new IllegalArgumentException("system chunk array of " + array.length + " bytes");
    }
    Le.put32(raw, 0xa0, array.length);
    ByteArrays.zero(raw, 0x32b, 0x32b + Superblock.SYS_CHUNK_ARRAY_MAX);
    System.arraycopy(array, 0, raw, 0x32b, array.length);
    return this;
  }

  /** Copies a device's dev item (from the chunk tree) into this superblock copy. */
  public SuperblockEditor devItem(byte[] devItem, int off) {
    System.arraycopy(devItem, off, raw, 0xc9, DevItem.SIZE);
    return this;
  }

  public SuperblockEditor bytenr(long v) {
    Le.put64(raw, 0x30, v);
    return this;
  }

  /** Writes backup root slot {@code slot} (0..3). */
  public SuperblockEditor backupRoot(
      int slot,
      long[] rootsAndGens,
      long totalBytes,
      long bytesUsed,
      long numDevices,
      int[] levels) {
    int off = 0xb2b + slot * BackupRoot.SIZE;
    for (int i = 0; i < BackupRoot.SIZE; i++) raw[off + i] = 0;
    // tree, chunk, extent, fs, dev, csum: (root, generation) pairs.
    for (int i = 0; i < 12; i++) Le.put64(raw, off + i * 8, rootsAndGens[i]);
    Le.put64(raw, off + 96, totalBytes);
    Le.put64(raw, off + 104, bytesUsed);
    Le.put64(raw, off + 112, numDevices);
    for (int i = 0; i < 6; i++) raw[off + 152 + i] = (byte) levels[i];
    return this;
  }

  /** The finished superblock bytes with a fresh checksum. */
  public byte[] build(ChecksumType csum) {
    byte[] out = raw.clone();
    for (int i = 0; i < Superblock.CSUM_SIZE; i++) out[i] = 0;
    csum.compute(out, Superblock.CSUM_SIZE, Superblock.SIZE - Superblock.CSUM_SIZE, out, 0);
    return out;
  }
}
