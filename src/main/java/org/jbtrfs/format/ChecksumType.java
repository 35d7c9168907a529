package org.jbtrfs.format;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.zip.CRC32C;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;
import org.bouncycastle.crypto.digests.Blake2bDigest;

/**
 * The checksum algorithms btrfs can use for metadata blocks, the superblock and data sectors
 * (superblock field csum_type). The on-disk csum field is 32 bytes; only the first {@link #size()}
 * bytes are significant, the rest is zero.
 *
 * <p>All methods are thread-safe: stateful digests are kept per thread.
 */
public enum ChecksumType {
  CRC32C(0, 4) {
    @Override
    void digest(byte[] buf, int off, int len, byte[] out, int outOff) {
      // java.util.zip.CRC32C is the standard (inverted) CRC-32C; btrfs stores it little-endian.
      CRC32C crc = new CRC32C();
      crc.update(buf, off, len);
      putLe(out, outOff, crc.getValue(), 4);
    }
  },
  XXHASH64(1, 8) {
    @Override
    void digest(byte[] buf, int off, int len, byte[] out, int outOff) {
      // Seed 0, stored little-endian (the kernel writes the u64 with cpu_to_le64).
      putLe(out, outOff, Holder.XXH64.hash(buf, off, len, 0L), 8);
    }
  },
  SHA256(2, 32) {
    @Override
    void digest(byte[] buf, int off, int len, byte[] out, int outOff) {
      MessageDigest md = Holder.SHA.get();
      md.update(buf, off, len);
      byte[] d = md.digest(); // digest() also resets the instance for the next caller
      System.arraycopy(d, 0, out, outOff, 32);
    }
  },
  BLAKE2B(3, 32) {
    @Override
    void digest(byte[] buf, int off, int len, byte[] out, int outOff) {
      Blake2bDigest b = Holder.BLAKE.get();
      b.update(buf, off, len);
      b.doFinal(out, outOff); // doFinal resets the digest
    }
  };

  /** Width of the csum field in on-disk structures (BTRFS_CSUM_SIZE). */
  public static final int ON_DISK_FIELD_SIZE = 32;

  private final int code;
  private final int size;

  ChecksumType(int code, int size) {
    this.code = code;
    this.size = size;
  }

  /** Maps the superblock csum_type value to a type. */
  public static ChecksumType fromCode(int code) {
    for (ChecksumType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("unsupported checksum type " + code);
  }

  public int code() {
    return code;
  }

  /** Number of significant digest bytes (the rest of the 32-byte field is zero). */
  public int size() {
    return size;
  }

  /**
   * Writes exactly {@link #size()} bytes of the checksum of buf[off, off+len) into out at outOff.
   */
  public void compute(byte[] buf, int off, int len, byte[] out, int outOff) {
    java.util.Objects.checkFromIndexSize(off, len, buf.length);
    java.util.Objects.checkFromIndexSize(outOff, size, out.length);
    digest(buf, off, len, out, outOff);
  }

  /** Returns the {@link #size()}-byte checksum of buf[off, off+len). */
  public byte[] compute(byte[] buf, int off, int len) {
    byte[] out = new byte[size];
    compute(buf, off, len, out, 0);
    return out;
  }

  /** True when the checksum of buf[off, off+len) equals expected[expectedOff, +size()). */
  public boolean verify(byte[] buf, int off, int len, byte[] expected, int expectedOff) {
    java.util.Objects.checkFromIndexSize(expectedOff, size, expected.length);
    byte[] actual = compute(buf, off, len);
    return Arrays.equals(actual, 0, size, expected, expectedOff, expectedOff + size);
  }

  abstract void digest(byte[] buf, int off, int len, byte[] out, int outOff);

  private static void putLe(byte[] out, int off, long v, int bytes) {
    for (int i = 0; i < bytes; i++) {
      out[off + i] = (byte) (v >>> (8 * i));
    }
  }

  /**
   * Lazily created shared state; enum constants cannot reference static fields of their own enum.
   */
  private static final class Holder {
    static final XXHash64 XXH64 =
        XXHashFactory.fastestInstance().hash64(); // stateless, thread-safe
    static final ThreadLocal<MessageDigest> SHA =
        ThreadLocal.withInitial(
            () -> {
              try {
                return MessageDigest.getInstance("SHA-256");
              } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
              }
            });
    static final ThreadLocal<Blake2bDigest> BLAKE =
        ThreadLocal.withInitial(() -> new Blake2bDigest(256));
  }
}
