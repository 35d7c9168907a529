package org.jbtrfs.format;

/** Joining item payloads: several dir items or back references share one tree item. */
public final class ByteArrays {
  private ByteArrays() {}

  public static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) n += p.length;
    byte[] out = new byte[n];
    int pos = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, pos, p.length);
      pos += p.length;
    }
    return out;
  }
}
