package org.jbtrfs.tree.check;

import org.jbtrfs.format.Align;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.ChunkItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.Le;
import org.jbtrfs.volume.RaidProfile;

/**
 * CHUNK_ITEM: an item sized for its stripes; a sector-aligned logical range that does not wrap, of
 * an aligned non-zero length below 2^32 stripes; the filesystem's sector size and the one stripe
 * length; known type bits with at most one profile, at least one type, system never combined with
 * data or metadata (and data with metadata only on mixed-group filesystems); and a stripe count the
 * profile allows.
 */
final class ChunkItemRules {
  private ChunkItemRules() {}

  private static final long KNOWN_TYPE_BITS = BlockGroupItem.TYPE_MASK | RaidProfile.PROFILE_MASK;

  static void check(ItemSlot s) throws FormatException {
    if (s.size < ChunkItem.HEADER_SIZE) {
      throw s.corrupt(
          "invalid chunk item size: have "
              + s.size
              + " expect ["
              + ChunkItem.HEADER_SIZE
              + ", "
              + s.ctx.leafDataSize()
              + ")");
    }
    int numStripes = s.u16(ChunkItem.OFF_NUM_STRIPES);
    if (numStripes != 0 && ChunkItem.sizeFor(numStripes) != s.size) {
      throw s.corrupt(
          "invalid chunk item size: have " + s.size + " expect " + ChunkItem.sizeFor(numStripes));
    }
    String problem = problem(s.raw, s.data, s.offset, s.ctx);
    if (problem != null) throw s.corrupt(problem);
  }

  /**
   * The rules that hold for a chunk wherever it is stored (a leaf or the superblock's system chunk
   * array): the chunk at {@code off} in {@code raw}, mapping {@code logical}, whose header and
   * stripes the caller has made sure are inside {@code raw}. Returns the broken rule, or null.
   */
  static String problem(byte[] raw, int off, long logical, CheckContext ctx) {
    int numStripes = Le.u16(raw, off + ChunkItem.OFF_NUM_STRIPES);
    if (numStripes == 0) return "invalid chunk num_stripes, have 0";
    long length = Le.u64(raw, off + ChunkItem.OFF_LENGTH);
    long stripeLen = Le.u64(raw, off + ChunkItem.OFF_STRIPE_LEN);
    long type = Le.u64(raw, off + ChunkItem.OFF_TYPE);
    int subStripes = Le.u16(raw, off + ChunkItem.OFF_SUB_STRIPES);
    long sectorSize = Le.u32(raw, off + ChunkItem.OFF_SECTOR_SIZE);
    int sector = ctx.sectorSize();
    long profileBits = type & RaidProfile.PROFILE_MASK;
    if (Long.bitCount(profileBits) > 1) {
      return "invalid chunk profile flag: " + ItemSlot.hex(profileBits) + ", expect 0 or 1 bit set";
    }
    RaidProfile profile = RaidProfile.fromFlags(type);
    if (numStripes < profile.ncopies()) {
      return "invalid chunk num_stripes < ncopies, have " + numStripes + " < " + profile.ncopies();
    }
    if (profile.nparity() > 0 && numStripes == profile.nparity()) {
      return "invalid chunk num_stripes == nparity, have "
          + numStripes
          + " == "
          + profile.nparity();
    }
    if (!Align.isAligned(logical, sector)) {
      return "invalid chunk logical, have " + ItemSlot.u(logical) + " should aligned to " + sector;
    }
    if (sectorSize != sector) {
      return "invalid chunk sectorsize, have " + sectorSize + " expect " + sector;
    }
    if (length == 0 || !Align.isAligned(length, sector)) {
      return "invalid chunk length, have " + ItemSlot.u(length);
    }
    if (Long.compareUnsigned(logical + length, logical) < 0) {
      return "invalid chunk logical start and length, have logical start "
          + ItemSlot.u(logical)
          + " length "
          + ItemSlot.u(length);
    }
    if (stripeLen != ChunkItem.STRIPE_LEN) {
      return "invalid chunk stripe length: " + ItemSlot.u(stripeLen);
    }
    // Stripe numbers inside a chunk are 32-bit: 2^32 stripes of 64 KiB is the limit.
    long maxLength = 0xffffffffL * ChunkItem.STRIPE_LEN;
    if (Long.compareUnsigned(length, maxLength) >= 0) {
      return "chunk length too large: have " + ItemSlot.u(length) + " limit " + maxLength;
    }
    if ((type & ~KNOWN_TYPE_BITS) != 0) {
      return "unrecognized chunk type: " + ItemSlot.hex(type & ~KNOWN_TYPE_BITS);
    }
    if ((type & BlockGroupItem.TYPE_MASK) == 0) {
      return "missing chunk type flag, have "
          + ItemSlot.hex(type)
          + " one bit must be set in "
          + ItemSlot.hex(BlockGroupItem.TYPE_MASK);
    }
    long dataOrMeta = BlockGroupItem.TYPE_DATA | BlockGroupItem.TYPE_METADATA;
    if ((type & BlockGroupItem.TYPE_SYSTEM) != 0 && (type & dataOrMeta) != 0) {
      return "system chunk with data or metadata type: " + ItemSlot.hex(type);
    }
    if (!ctx.mixedGroups() && (type & dataOrMeta) == dataOrMeta) {
      return "mixed chunk type in non-mixed mode: " + ItemSlot.hex(type);
    }
    if (!validStripeCount(profile, numStripes, subStripes)) {
      return "invalid num_stripes:sub_stripes "
          + numStripes
          + ":"
          + subStripes
          + " for profile "
          + profileBits;
    }
    return null;
  }

  /**
   * The kernel's per-profile rule, read off the profile table: a profile with a fixed device count
   * (SINGLE, DUP, RAID1, RAID1C3/4) has exactly that many stripes; the others (RAID0, RAID10,
   * RAID5/6) at least their minimum, and RAID10 its sub-stripe count.
   */
  private static boolean validStripeCount(RaidProfile p, int numStripes, int subStripes) {
    if (p.devsMax() != 0) return numStripes == p.devsMax() * p.devStripes();
    return numStripes >= p.devsMin() && (p.subStripes() == 1 || subStripes == p.subStripes());
  }
}
