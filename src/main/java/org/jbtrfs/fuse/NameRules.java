package org.jbtrfs.fuse;

import org.jbtrfs.fs.write.FsError;

/** Name checks the kernel's btrfs makes before looking anything up. */
final class NameRules {
  private static final int NAME_MAX = 255;
  private static final String[] XATTR_PREFIXES = {"user.", "trusted.", "security.", "btrfs."};
  private static final String[] SYSTEM_XATTRS = {
    "system.posix_acl_access", "system.posix_acl_default"
  };

  private NameRules() {}

  /** ENAMETOOLONG for a name longer than 255 bytes. */
  static void checkName(byte[] name) throws FsError {
    if (name.length > NAME_MAX)
      throw new FsError(FsError.ENAMETOOLONG, "name longer than " + NAME_MAX + " bytes");
  }

  /**
   * EOPNOTSUPP for an xattr outside the namespaces btrfs has handlers for; EINVAL for a namespace
   * prefix with no name after it (the VFS's xattr_resolve_name).
   */
  static void checkXattrName(String name) throws FsError {
    for (String p : XATTR_PREFIXES) {
      if (!name.startsWith(p)) continue;
      if (name.length() == p.length()) throw new FsError(FsError.EINVAL, "empty xattr name");
      return;
    }
    for (String s : SYSTEM_XATTRS) if (name.equals(s)) return;
    throw new FsError(Errno.EOPNOTSUPP, "no handler for xattr namespace of " + name);
  }

  /** btrfs.* names are properties, and btrfs has one: setting or removing others is EINVAL. */
  static void checkXattrChange(String name) throws FsError {
    if (name.startsWith(PROPERTY_PREFIX) && !PROPERTIES.contains(name))
      throw new FsError(FsError.EINVAL, "no btrfs property " + name);
  }

  private static final String PROPERTY_PREFIX = "btrfs.";
  private static final java.util.Set<String> PROPERTIES = java.util.Set.of("btrfs.compression");
}
