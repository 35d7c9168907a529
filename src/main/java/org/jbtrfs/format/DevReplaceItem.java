package org.jbtrfs.format;

/**
 * The device tree's DEV_REPLACE item (key: 0, DEV_REPLACE, 0), where the kernel records the state
 * of a device replace: the source devid, how far the copy got (cursor left and right), whether it
 * avoided reading the source (replace -r), its state, start and stop times (seconds) and its error
 * counts; nine little-endian u64s.
 */
public record DevReplaceItem(
    long srcDevid,
    long cursorLeft,
    long cursorRight,
    long avoidSource,
    long state,
    long timeStarted,
    long timeStopped,
    long writeErrors,
    long uncorrectableReadErrors) {
  public static final int SIZE = 72;
  public static final long NEVER_STARTED = 0;
  public static final long STARTED = 1;
  public static final long FINISHED = 2;
  public static final long CANCELED = 3;

  public static Key key() {
    return new Key(0, ItemType.DEV_REPLACE, 0);
  }

  public byte[] encode() {
    byte[] b = new byte[SIZE];
    long[] v = {
      srcDevid,
      cursorLeft,
      cursorRight,
      avoidSource,
      state,
      timeStarted,
      timeStopped,
      writeErrors,
      uncorrectableReadErrors
    };
    for (int i = 0; i < v.length; i++) Le.put64(b, i * 8, v[i]);
    return b;
  }
}
