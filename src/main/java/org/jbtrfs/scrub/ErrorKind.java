package org.jbtrfs.scrub;

import org.jbtrfs.format.DevStatsItem;

/**
 * Why a copy of a sector is bad, as the kernel's scrub sorts it: the summary field it counts in and
 * the device error counter it raises.
 */
enum ErrorKind {
  /** The device returned an error. */
  READ("read", DevStatsItem.READ_ERRS),
  /** The bytes do not match their checksum (data csum, or a tree block's own). */
  CSUM("csum", DevStatsItem.CORRUPTION_ERRS),
  /** A tree block whose checksum holds but whose header is wrong (address, fsid, level...). */
  VERIFY("verify", DevStatsItem.CORRUPTION_ERRS),
  /** A tree block from another transaction than the extent tree says: a lost or stray write. */
  GENERATION("verify", DevStatsItem.GENERATION_ERRS);

  final String summaryField;
  final int devStat;

  ErrorKind(String summaryField, int devStat) {
    this.summaryField = summaryField;
    this.devStat = devStat;
  }
}
