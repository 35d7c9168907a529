package org.jbtrfs.fuse;

import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.fs.compress.CompressionType;
import org.jbtrfs.fs.write.AtimePolicy;
import org.jbtrfs.os.Libc;

/** Splits -o options into those jbtrfs handles and those passed on to FUSE. */
record ParsedMountOptions(
    MountOptions fs,
    boolean debug,
    boolean allowOther,
    CompressionType compression,
    int compressLevel,
    int commitSeconds,
    AtimePolicy atime,
    boolean directoryAtime,
    long pollMicros,
    boolean acl,
    long perMountFlags,
    List<String> extraDevices,
    boolean skipBalance) {
  /** How long a worker polls for the next request before it blocks; see PollingChannel. */
  static final long DEFAULT_POLL_MICROS = 1000;

  static ParsedMountOptions parse(List<String> groups) {
    MountOptions o = MountOptions.readOnlyDefaults().withReadOnly(false);
    boolean debug = false;
    // A root mount serves every user, as a kernel mount does (the kernel checks permissions, with
    // default_permissions); a user's own mount keeps FUSE's rule that only its owner may enter.
    boolean allowOther = Libc.load().geteuid() == 0;
    CompressionType compression = CompressionType.NONE;
    int level = 0;
    int commit = 5;
    AtimePolicy atime = AtimePolicy.RELATIME;
    boolean directoryAtime = true;
    long poll = DEFAULT_POLL_MICROS;
    boolean acl = true;
    // As any mount: set-id programs, device files and programs work unless the options say not.
    long flags = 0;
    boolean skipBalance = false;
    List<String> extra = new ArrayList<>();
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
          // norecovery is the kernel's older name for rescue=nologreplay.
          case "nologreplay", "norecovery" -> o = o.withNoLogReplay(true);
          case "rescue" -> {
            for (String r : require(name, value).split(":")) {
              if (!r.equals("nologreplay"))
                throw new IllegalArgumentException(
                    "rescue=" + r + " is not supported (only rescue=nologreplay)");
              o = o.withNoLogReplay(true);
            }
          }
          case "subvol" -> o = o.withSubvol(require(name, value));
          case "subvolid" -> o = o.withSubvolId(parseId(require(name, value)));
          case "allow_other" -> allowOther = true;
          case "noallow_other" -> allowOther = false;
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
          case "poll_us" -> poll = Math.max(0, parseInt(name, require(name, value)));
          case "acl" -> acl = true;
          case "noacl" -> acl = false;
          case "nosuid" -> flags |= Libc.MS_NOSUID;
          case "suid" -> flags &= ~Libc.MS_NOSUID;
          case "nodev" -> flags |= Libc.MS_NODEV;
          case "dev" -> flags &= ~Libc.MS_NODEV;
          case "noexec" -> flags |= Libc.MS_NOEXEC;
          case "exec" -> flags &= ~Libc.MS_NOEXEC;
          // The kernel's way to name the other members of a multi-device filesystem.
          case "device" -> extra.add(require(name, value));
          // A balance the last mount left stays paused (balance resume or cancel), as the kernel's.
          case "skip_balance" -> skipBalance = true;
          // Accepted for compatibility with the kernel's option set; they change nothing here.
          case "defaults", "space_cache" -> {}
          default -> throw new IllegalArgumentException("unknown mount option '" + opt + "'");
        }
      }
    }
    // As the kernel's btrfs, whether or not there is a log to skip.
    if (o.noLogReplay() && !o.readOnly())
      throw new IllegalArgumentException("nologreplay must be used with ro mount option");
    return new ParsedMountOptions(
        o,
        debug,
        allowOther,
        compression,
        level,
        commit,
        atime,
        directoryAtime,
        poll,
        acl,
        flags,
        List.copyOf(extra),
        skipBalance);
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

  /** Threads serving requests: enough that slow ones (an fsync's commit) leave others free. */
  int threads() {
    return 16;
  }

  /**
   * The kernel mount options: the kernel checks permissions against our attributes, reads and
   * writes of up to 1 MiB per request, and the device as the source shown in /proc/mounts.
   */
  String kernelOptions(String source) {
    List<String> opts = new ArrayList<>();
    opts.add("default_permissions");
    opts.add("fsname=" + source.replace(",", "_"));
    opts.add("subtype=jbtrfs");
    opts.add("max_read=" + FuseSession.MAX_IO);
    if (fs.readOnly()) opts.add("ro");
    if (allowOther) opts.add("allow_other");
    // fusermount turns these into mount flags (and always adds nosuid,nodev for a user's mount).
    if ((perMountFlags & Libc.MS_NOSUID) != 0) opts.add("nosuid");
    if ((perMountFlags & Libc.MS_NODEV) != 0) opts.add("nodev");
    if ((perMountFlags & Libc.MS_NOEXEC) != 0) opts.add("noexec");
    return String.join(",", opts);
  }

  /**
   * The FUSE options of a {@code fuseblk} mount made with mount(2), after the descriptor and root
   * mode that {@link KernelMount#mountBlock} adds: the same as {@link #kernelOptions} less what
   * only fusermount reads (the source name and subtype travel as mount(2) arguments there).
   */
  String blockMountData() {
    List<String> opts = new ArrayList<>();
    opts.add("default_permissions");
    if (allowOther) opts.add("allow_other");
    opts.add("max_read=" + FuseSession.MAX_IO);
    return String.join(",", opts);
  }

  /** The MS_* flags of the mount: nosuid, nodev, noexec as asked, and ro. */
  long mountFlags() {
    return perMountFlags | (fs.readOnly() ? Libc.MS_RDONLY : 0);
  }
}
