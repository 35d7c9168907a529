package org.jbtrfs.fs.write;

import org.jbtrfs.format.Le;

/**
 * The access ACL as setxattr("system.posix_acl_access") carries it, reduced to what it means for
 * the mode bits. Like the kernel (posix_acl_update_mode), an ACL that says no more than the mode is
 * not stored at all: only the mode changes. Otherwise the group bits come from the mask entry.
 */
final class PosixAcl {
  static final byte[] ACCESS =
      "system.posix_acl_access".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final int VERSION = 2;
  private static final int USER_OBJ = 0x01;
  private static final int GROUP_OBJ = 0x04;
  private static final int MASK = 0x10;
  private static final int OTHER = 0x20;

  /** The new mode, and whether the ACL must still be stored as an xattr. */
  record Effect(int mode, boolean keepXattr) {}

  private PosixAcl() {}

  /** Returns null when the value is not a well-formed ACL (the caller answers EINVAL). */
  static Effect apply(byte[] value, int oldMode) {
    if (value.length < 4 || (value.length - 4) % 8 != 0 || Le.i32(value, 0) != VERSION) return null;
    int user = -1, group = -1, other = -1, mask = -1;
    boolean named = false;
    for (int off = 4; off < value.length; off += 8) {
      int tag = Le.u16(value, off);
      int perm = Le.u16(value, off + 2) & 7;
      switch (tag) {
        case USER_OBJ -> user = perm;
        case GROUP_OBJ -> group = perm;
        case OTHER -> other = perm;
        case MASK -> mask = perm;
        default -> named = true;
      }
    }
    if (user < 0 || group < 0 || other < 0) return null;
    boolean equivalent = !named && mask < 0;
    int groupBits = equivalent ? group : (mask >= 0 ? mask : group);
    int mode = (oldMode & ~0777) | (user << 6) | (groupBits << 3) | other;
    return new Effect(mode, !equivalent);
  }
}
