package org.jbtrfs.format;

// TEMPORARY until the codecs branch merges (crc32c only).
public enum ChecksumType {
  CRC32C(0, 4), XXHASH64(1, 8), SHA256(2, 32), BLAKE2B(3, 32);
  private final int code, size;
  ChecksumType(int c, int s) { code = c; size = s; }
  public static ChecksumType fromCode(int code) {
    for (ChecksumType t : values()) if (t.code == code) return t;
    throw new IllegalArgumentException("unsupported checksum type " + code);
  }
  public int code() { return code; }
  public int size() { return size; }
  public void compute(byte[] buf, int off, int len, byte[] out, int outOff) {
    java.util.zip.CRC32C c = new java.util.zip.CRC32C(); c.update(buf, off, len); Le.put32(out, outOff, c.getValue());
  }
  public byte[] compute(byte[] buf, int off, int len) { byte[] o = new byte[size]; compute(buf, off, len, o, 0); return o; }
  public boolean verify(byte[] buf, int off, int len, byte[] exp, int eo) {
    byte[] o = compute(buf, off, len); return java.util.Arrays.equals(o, 0, size, exp, eo, eo + size);
  }
}
