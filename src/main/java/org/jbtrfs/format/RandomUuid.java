package org.jbtrfs.format;

import java.nio.ByteBuffer;
import java.util.UUID;

/** A new random (version 4) uuid in the 16 bytes btrfs items hold. */
public final class RandomUuid {
  private RandomUuid() {}

  public static byte[] bytes() {
    UUID u = UUID.randomUUID();
    return ByteBuffer.allocate(16)
        .putLong(u.getMostSignificantBits())
        .putLong(u.getLeastSignificantBits())
        .array();
  }
}
