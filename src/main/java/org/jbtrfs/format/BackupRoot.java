package org.jbtrfs.format;

/** One of the four rotating backup root records at the end of the superblock. */
public record BackupRoot(
    long treeRoot,
    long treeRootGen,
    long chunkRoot,
    long chunkRootGen,
    long extentRoot,
    long fsRoot,
    long devRoot,
    long csumRoot,
    long totalBytes,
    long bytesUsed,
    long numDevices,
    int treeRootLevel,
    int chunkRootLevel) {
  public static final int SIZE = 168;

  public static BackupRoot parse(byte[] b, int off) {
    return new BackupRoot(
        Le.u64(b, off),
        Le.u64(b, off + 8),
        Le.u64(b, off + 16),
        Le.u64(b, off + 24),
        Le.u64(b, off + 32),
        Le.u64(b, off + 48),
        Le.u64(b, off + 64),
        Le.u64(b, off + 80),
        Le.u64(b, off + 96),
        Le.u64(b, off + 104),
        Le.u64(b, off + 112),
        Le.u8(b, off + 152),
        Le.u8(b, off + 153));
  }
}
