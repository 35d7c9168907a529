package org.jbtrfs.format;

/** A device item: in the superblock (this device) and in the chunk tree (every device). */
public record DevItem(
    long devid,
    long totalBytes,
    long bytesUsed,
    int ioAlign,
    int ioWidth,
    int sectorSize,
    long type,
    long generation,
    long startOffset,
    int devGroup,
    int seekSpeed,
    int bandwidth,
    byte[] uuid,
    byte[] fsid) {
  public static final int SIZE = 98;

  public static final int OFF_DEVID = 0;
  public static final int OFF_TOTAL_BYTES = 8;
  public static final int OFF_BYTES_USED = 16;

  /** The item's 98 bytes, as the chunk tree and the superblock hold them. */
  public byte[] encode() {
    byte[] b = new byte[SIZE];
    Le.put64(b, 0, devid);
    Le.put64(b, 8, totalBytes);
    Le.put64(b, 16, bytesUsed);
    Le.put32(b, 24, ioAlign);
    Le.put32(b, 28, ioWidth);
    Le.put32(b, 32, sectorSize);
    Le.put64(b, 36, type);
    Le.put64(b, 44, generation);
    Le.put64(b, 52, startOffset);
    Le.put32(b, 60, devGroup);
    b[64] = (byte) seekSpeed;
    b[65] = (byte) bandwidth;
    System.arraycopy(uuid, 0, b, 66, 16);
    System.arraycopy(fsid, 0, b, 82, 16);
    return b;
  }

  public static DevItem parse(byte[] b, int off) {
    byte[] uuid = new byte[16];
    byte[] fsid = new byte[16];
    System.arraycopy(b, off + 66, uuid, 0, 16);
    System.arraycopy(b, off + 82, fsid, 0, 16);
    return new DevItem(
        Le.u64(b, off),
        Le.u64(b, off + 8),
        Le.u64(b, off + 16),
        Le.i32(b, off + 24),
        Le.i32(b, off + 28),
        Le.i32(b, off + 32),
        Le.u64(b, off + 36),
        Le.u64(b, off + 44),
        Le.u64(b, off + 52),
        Le.i32(b, off + 60),
        Le.u8(b, off + 64),
        Le.u8(b, off + 65),
        uuid,
        fsid);
  }
}
