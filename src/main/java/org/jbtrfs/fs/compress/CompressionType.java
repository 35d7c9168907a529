package org.jbtrfs.fs.compress;

/** Value of the compression byte in a FILE_EXTENT_ITEM (and the compression property). */
public enum CompressionType {
  NONE(0),
  ZLIB(1),
  LZO(2),
  ZSTD(3);

  private final int code;

  CompressionType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static CompressionType fromCode(int code) {
    for (CompressionType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown compression type " + code);
  }
}
