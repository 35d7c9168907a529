package org.jbtrfs.fs;

/** Options that change how a filesystem is opened (the FUSE layer parses them from -o). */
public record MountOptions(
    boolean readOnly,
    boolean degraded,
    boolean noLogReplay,
    String subvol,
    Long subvolId,
    long blockCacheBytes,
    long extentCacheBytes) {
  public static MountOptions readOnlyDefaults() {
    return new MountOptions(true, false, false, null, null, 96L << 20, 48L << 20);
  }

  public MountOptions withDegraded(boolean d) {
    return new MountOptions(
        readOnly, d, noLogReplay, subvol, subvolId, blockCacheBytes, extentCacheBytes);
  }

  public MountOptions withNoLogReplay(boolean n) {
    return new MountOptions(
        readOnly, degraded, n, subvol, subvolId, blockCacheBytes, extentCacheBytes);
  }

  public MountOptions withSubvol(String s) {
    return new MountOptions(
        readOnly, degraded, noLogReplay, s, subvolId, blockCacheBytes, extentCacheBytes);
  }

  public MountOptions withSubvolId(Long id) {
    return new MountOptions(
        readOnly, degraded, noLogReplay, subvol, id, blockCacheBytes, extentCacheBytes);
  }

  public MountOptions withReadOnly(boolean ro) {
    return new MountOptions(
        ro, degraded, noLogReplay, subvol, subvolId, blockCacheBytes, extentCacheBytes);
  }
}
