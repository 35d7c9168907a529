package org.jbtrfs.fs;

/** Options that change how a filesystem is opened (the FUSE layer parses them from -o). */
public record MountOptions(
    boolean readOnly,
    boolean degraded,
    boolean noLogReplay,
    String subvol,
    Long subvolId,
    long blockCacheBytes,
    long extentCacheBytes,
    boolean mountChecks) {
  public static MountOptions readOnlyDefaults() {
    return new MountOptions(true, false, false, null, null, 96L << 20, 48L << 20, true);
  }

  public MountOptions withDegraded(boolean d) {
    return new MountOptions(
        readOnly, d, noLogReplay, subvol, subvolId, blockCacheBytes, extentCacheBytes, mountChecks);
  }

  public MountOptions withNoLogReplay(boolean n) {
    return new MountOptions(
        readOnly, degraded, n, subvol, subvolId, blockCacheBytes, extentCacheBytes, mountChecks);
  }

  public MountOptions withSubvol(String s) {
    return new MountOptions(
        readOnly,
        degraded,
        noLogReplay,
        s,
        subvolId,
        blockCacheBytes,
        extentCacheBytes,
        mountChecks);
  }

  public MountOptions withSubvolId(Long id) {
    return new MountOptions(
        readOnly,
        degraded,
        noLogReplay,
        subvol,
        id,
        blockCacheBytes,
        extentCacheBytes,
        mountChecks);
  }

  public MountOptions withReadOnly(boolean ro) {
    return new MountOptions(
        ro,
        degraded,
        noLogReplay,
        subvol,
        subvolId,
        blockCacheBytes,
        extentCacheBytes,
        mountChecks);
  }

  /**
   * Without the kernel's mount-time cross-checks (MountChecks): for dump-tree and the like, which
   * must show a damaged filesystem as it is rather than refuse it.
   */
  public MountOptions withoutMountChecks() {
    return new MountOptions(
        readOnly,
        degraded,
        noLogReplay,
        subvol,
        subvolId,
        blockCacheBytes,
        extentCacheBytes,
        false);
  }
}
