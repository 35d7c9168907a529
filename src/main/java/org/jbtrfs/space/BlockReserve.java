package org.jbtrfs.space;

/**
 * Bytes set aside in a space info for one purpose (the kernel's btrfs_block_rsv): the global
 * reserve, a transaction's (one change's) reserve, the delayed refs reserve. Everything in {@code
 * reserved} is counted in the space info's may_use; allocations consume it, and what is left is
 * given back. Access is serialized by the caller (the write engine's lock).
 */
public final class BlockReserve {
  public enum Kind {
    GLOBAL,
    TRANSACTION,
    DELALLOC,
    DELAYED_REFS
  }

  private final Kind kind;
  private final SpaceInfo info;
  private long size;
  private long reserved;

  public BlockReserve(Kind kind, SpaceInfo info) {
    this.kind = kind;
    this.info = info;
  }

  public SpaceInfo info() {
    return info;
  }

  public long size() {
    return size;
  }

  public long reserved() {
    return reserved;
  }

  void setSize(long size) {
    this.size = size;
  }

  /** Adds bytes that the caller already counted in may_use (a granted reservation). */
  void addReserved(long bytes) {
    reserved += bytes;
    size = Math.max(size, reserved);
  }

  /** Takes up to {@code bytes} for an allocation: they leave may_use. Returns how many. */
  long consume(long bytes) {
    long n = Math.min(bytes, reserved);
    if (n <= 0) return 0;
    reserved -= n;
    info.releaseMayUse(n, false);
    return n;
  }

  /** Moves up to {@code bytes} of this reserve into {@code to} (may_use unchanged). */
  long migrateTo(BlockReserve to, long bytes) {
    if (to.info != info) throw new IllegalArgumentException("reserves of different space infos");
    long n = Math.min(bytes, reserved);
    reserved -= n;
    to.addReserved(n);
    return n;
  }

  /** Gives back up to {@code bytes} of what this reserve holds; returns how many. */
  long releaseBytes(long bytes) {
    long n = Math.min(bytes, reserved);
    reserved -= n;
    info.releaseMayUse(n);
    return n;
  }

  /** Gives back whatever was not consumed. */
  public long release() {
    long n = reserved;
    reserved = 0;
    if (kind != Kind.GLOBAL) size = 0;
    info.releaseMayUse(n);
    return n;
  }

  /** Tops the reserve up to its size unconditionally (the global reserve is always held). */
  void refill() {
    if (reserved < size) {
      info.addMayUse(size - reserved);
      reserved = size;
    } else if (reserved > size) {
      info.releaseMayUse(reserved - size);
      reserved = size;
    }
  }

  @Override
  public String toString() {
    return kind + " reserve: size " + size + ", reserved " + reserved;
  }
}
