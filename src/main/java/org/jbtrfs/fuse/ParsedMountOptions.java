package org.jbtrfs.fuse;

import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.fs.compress.CompressionType;
import org.jbtrfs.fs.write.AtimePolicy;

/** Splits -o options into those jbtrfs handles and those passed on to FUSE. */
record ParsedMountOptions(
    MountOptions fs,
    boolean debug,
    boolean allowOther,
    CompressionType compression,
    int compressLevel,
    int commitSeconds,
    AtimePolicy atime,
    boolean directoryAtime) {
  static ParsedMountOptions parse(List<String> groups) {
    MountOptions o = MountOptions.readOnlyDefaults().withReadOnly(false);
    boolean debug = false;
    boolean allowOther = false;
    CompressionType compression = CompressionType.NONE;
    int level = 0;
    int commit = 5;
    AtimePolicy atime = AtimePolicy.RELATIME;
    boolean directoryAtime = true;
    for (String group : groups) {
      for (String opt : group.split(",")) {
        if (opt.isEmpty()) continue;
        int eq = opt.indexOf('=');
        String name = eq < 0 ? opt : opt.substring(0, eq);
        String value = eq < 0 ? null : opt.substring(eq + 1);
        switch (name) {
          case "ro" -> o = o.withReadOnly(true);
          case "rw" -> o = o.withReadOnly(false);
          case "degraded" -> o = o.withDegraded(true);
          case "nologreplay" -> o = o.withNoLogReplay(true);
          case "subvol" -> o = o.withSubvol(require(name, value));
          case "subvolid" -> o = o.withSubvolId(parseId(require(name, value)));
          case "allow_other" -> allowOther = true;
          case "debug" -> debug = true;
          case "compress", "compress-force" -> {
            String v = require(name, value);
            String alg = v.contains(":") ? v.substring(0, v.indexOf(':')) : v;
            level = v.contains(":") ? parseInt(name, v.substring(v.indexOf(':') + 1)) : 0;
            compression =
                switch (alg) {
                  case "zlib" -> CompressionType.ZLIB;
                  case "lzo" -> CompressionType.LZO;
                  case "zstd" -> CompressionType.ZSTD;
                  case "no", "none" -> CompressionType.NONE;
                  default ->
                      throw new IllegalArgumentException("unknown compression '" + alg + "'");
                };
          }
          case "commit" -> commit = Math.max(1, parseInt(name, require(name, value)));
          case "noatime" -> atime = AtimePolicy.NOATIME;
          case "relatime" -> atime = AtimePolicy.RELATIME;
          case "strictatime" -> atime = AtimePolicy.STRICTATIME;
          case "nodiratime" -> directoryAtime = false;
          case "diratime" -> directoryAtime = true;
          // Accepted for compatibility with the kernel's option set; they change nothing here.
          case "defaults", "space_cache", "noacl", "acl" -> {}
          default -> throw new IllegalArgumentException("unknown mount option '" + opt + "'");
        }
      }
    }
    return new ParsedMountOptions(
        o, debug, allowOther, compression, level, commit, atime, directoryAtime);
  }

  private static String require(String name, String value) {
    if (value == null || value.isEmpty())
      throw new IllegalArgumentException("option " + name + " needs a value");
    return value;
  }

  private static int parseInt(String name, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " needs a number: " + v);
    }
  }

  private static Long parseId(String v) {
    try {
      return Long.parseUnsignedLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("subvolid must be a number: " + v);
    }
  }

  /** Arguments for libfuse: our inode numbers, kernel permission checks, large reads. */
  List<String> fuseArgs(String source) {
    List<String> opts = new ArrayList<>();
    opts.add("use_ino");
    opts.add("default_permissions");
    opts.add("fsname=" + source.replace(",", "_"));
    opts.add("subtype=jbtrfs");
    opts.add("max_read=131072");
    if (fs.readOnly()) {
      // Nothing changes under a read-only mount, so the kernel may cache freely.
      opts.add("ro");
      opts.add("kernel_cache");
      opts.add("entry_timeout=60");
      opts.add("attr_timeout=60");
      opts.add("negative_timeout=60");
    } else {
      // Writes of up to 128 KiB per request, and unlinked-but-open files handled by us (orphans)
      // rather than renamed to .fuse_hidden files by libfuse.
      opts.add("big_writes");
      opts.add("max_write=131072");
      opts.add("hard_remove");
      // The high-level API gives each name of a hard-linked file its own kernel inode, so
      // cached attributes of one name go stale when the file changes through another (link
      // counts, ctime, size). With entry_timeout=0 every path walk revalidates each name with a
      // LOOKUP, whose reply carries fresh attributes: stat of a path, open and the kernel's
      // permission checks always see the current inode. Attributes may then be cached for a
      // second, which spares the GETATTR that default_permissions would otherwise send for
      // every directory walked and every file opened; only fstat of a descriptor opened through
      // another hard link can lag by up to that second.
      opts.add("entry_timeout=0");
      opts.add("negative_timeout=0");
      opts.add("attr_timeout=1");
    }
    if (allowOther) opts.add("allow_other");
    List<String> args = new ArrayList<>();
    args.add("-o");
    args.add(String.join(",", opts));
    return args;
  }
}
