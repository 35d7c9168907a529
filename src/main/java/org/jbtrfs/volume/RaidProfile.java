package org.jbtrfs.volume;

/**
 * The single table of Btrfs block-group profiles. Every piece of profile-dependent behaviour
 * (mapping, mirror count, rebuild) is derived from these fields so no code needs to switch on the
 * profile itself.
 *
 * <p>Field meanings: {@code flag} is the profile bit in a block group's / chunk's type flags
 * (SINGLE has none); {@code devsMin}/{@code devsMax} bound the stripes a chunk may have (0 =
 * unlimited); {@code devsIncrement} is the step in which a chunk's device count grows (RAID1 takes
 * devices in pairs, RAID1C3 in threes); {@code devStripes} is how many stripes a chunk puts on each
 * device it uses (DUP: 2); {@code ncopies} is how many identical copies of each data element exist;
 * {@code nparity} is the number of parity stripes per row; {@code subStripes} is the size of a
 * mirror group inside a striped chunk (RAID10 = 2); {@code toleratedFailures} is how many devices
 * can vanish while every byte stays readable.
 */
public enum RaidProfile {
  SINGLE(0L, "single", 1, 1, 1, 1, 1, 0, 1, 0),
  DUP(1L << 5, "dup", 1, 1, 1, 2, 2, 0, 1, 0),
  RAID0(1L << 3, "raid0", 1, 0, 1, 1, 1, 0, 1, 0),
  RAID1(1L << 4, "raid1", 2, 2, 2, 1, 2, 0, 1, 1),
  RAID1C3(1L << 9, "raid1c3", 3, 3, 3, 1, 3, 0, 1, 2),
  RAID1C4(1L << 10, "raid1c4", 4, 4, 4, 1, 4, 0, 1, 3),
  RAID10(1L << 6, "raid10", 2, 0, 2, 1, 2, 0, 2, 1),
  RAID5(1L << 7, "raid5", 2, 0, 1, 1, 1, 1, 1, 1),
  RAID6(1L << 8, "raid6", 3, 0, 1, 1, 1, 2, 1, 2);

  /** Union of all profile bits; anything else in the flags (DATA/SYSTEM/METADATA) is ignored. */
  public static final long PROFILE_MASK;

  static {
    long m = 0;
    for (RaidProfile p : values()) {
      m |= p.flag;
    }
    PROFILE_MASK = m;
  }

  private final long flag;
  private final String displayName;
  private final int devsMin;
  private final int devsMax;
  private final int devsIncrement;
  private final int devStripes;
  private final int ncopies;
  private final int nparity;
  private final int subStripes;
  private final int toleratedFailures;

  RaidProfile(
      long flag,
      String displayName,
      int devsMin,
      int devsMax,
      int devsIncrement,
      int devStripes,
      int ncopies,
      int nparity,
      int subStripes,
      int toleratedFailures) {
    this.flag = flag;
    this.displayName = displayName;
    this.devsMin = devsMin;
    this.devsMax = devsMax;
    this.devsIncrement = devsIncrement;
    this.devStripes = devStripes;
    this.ncopies = ncopies;
    this.nparity = nparity;
    this.subStripes = subStripes;
    this.toleratedFailures = toleratedFailures;
  }

  public long flag() {
    return flag;
  }

  public String displayName() {
    return displayName;
  }

  public int devsMin() {
    return devsMin;
  }

  /** Maximum devices a chunk of this profile spans; 0 means unlimited. */
  public int devsMax() {
    return devsMax;
  }

  /** A chunk uses a multiple of this many devices. */
  public int devsIncrement() {
    return devsIncrement;
  }

  /** Stripes a chunk places on each of its devices (2 for DUP, else 1). */
  public int devStripes() {
    return devStripes;
  }

  public int ncopies() {
    return ncopies;
  }

  public int nparity() {
    return nparity;
  }

  public int subStripes() {
    return subStripes;
  }

  public int toleratedFailures() {
    return toleratedFailures;
  }

  /** True for RAID5/6, whose redundancy is computed parity rather than plain copies. */
  public boolean hasParity() {
    return nparity > 0;
  }

  /**
   * Decodes the profile from block-group type flags.
   *
   * @throws IllegalArgumentException if more than one profile bit is set, which no valid chunk has
   *     and which would make the mapping ambiguous
   */
  public static RaidProfile fromFlags(long blockGroupFlags) {
    long bits = blockGroupFlags & PROFILE_MASK;
    for (RaidProfile p : values()) {
      if (p.flag == bits) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "ambiguous block group profile bits 0x" + Long.toHexString(bits));
  }
}
