package org.jbtrfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jbtrfs.format.Le;
import org.jbtrfs.os.ErrnoValues;
import org.jbtrfs.relocation.Balance;
import org.jbtrfs.relocation.BalanceFilters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/** `balance`: relocating block groups, like `btrfs balance`. */
@Command(
    name = "balance",
    description = "Balance commands.",
    subcommands = {
      BalanceCommand.Start.class,
      BalanceCommand.Status.class,
      BalanceCommand.Cancel.class,
      BalanceCommand.Pause.class,
      BalanceCommand.Resume.class
    })
final class BalanceCommand implements Runnable {
  @Override
  public void run() {
    System.err.println(
        "usage: jbtrfs balance start [-d[F]] [-m[F]] [-s[F]] [-f] [--full-balance]"
            + " MOUNTPOINT|IMAGE [--device IMAGE]...");
    System.err.println("       jbtrfs balance status|cancel|pause|resume MOUNTPOINT");
  }

  @Command(
      name = "start",
      description =
          "Relocate block groups, like `btrfs balance start -d[F] -m[F] -s[F]`: of a mounted jbtrfs"
              + " filesystem given its mountpoint, or of an unmounted one given its image (and"
              + " --device for its other images). FILTERS, comma separated: usage=N|MIN..MAX,"
              + " devid=N, drange=S..E, vrange=S..E, limit=N|MIN..MAX, stripes=MIN..MAX,"
              + " profiles=P|Q, convert=PROFILE, soft. -m covers system groups too; without -d,"
              + " -m or -s everything is balanced.")
  static final class Start implements Callable<Integer> {
    /** _IOWR('j', 9, 4096): see fuse.BalanceIoctl. */
    private static final long START = 0xd0006a09L;

    @Option(
        names = "--full-balance",
        description = "Balance everything without the warning and the 10 s wait.")
    boolean full;

    @Option(
        names = {"-f", "--force"},
        description = "Allow -s alone, and conversions that reduce metadata redundancy.")
    boolean force;

    @Mixin ExtraDevices others = new ExtraDevices();

    @Parameters(arity = "1", description = "The mountpoint, or an image of the filesystem.")
    Path where;

    /** -d[FILTERS], -m[FILTERS], -s[FILTERS]: flags with an attached argument, as btrfs-progs. */
    @Unmatched List<String> types = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      String[] text = new String[3]; // data, metadata, system
      for (String t : types) {
        int i = t.startsWith("-d") ? 0 : t.startsWith("-m") ? 1 : t.startsWith("-s") ? 2 : -1;
        if (i < 0 || t.length() < 2) throw new IllegalArgumentException("unknown option: " + t);
        text[i] = t.substring(2);
      }
      if (text[2] != null && text[1] == null && !force) {
        throw new IllegalArgumentException(
            "Refusing to explicitly operate on system chunks. Pass --force if you really want to"
                + " do that.");
      }
      if (text[1] != null && text[2] == null) text[2] = text[1]; // -m covers system, as progs
      if (text[0] == null && text[1] == null && text[2] == null) {
        text = new String[] {"", "", ""};
        if (!full) warnFullBalance();
      }
      for (String t : text) if (t != null) BalanceFilters.parse(t); // refuses bad filters here
      Balance.Result r = Files.isDirectory(where) ? live(text) : offline(text);
      printDone(r);
      return 0;
    }

    /** btrfs-progs' warning before a balance without filters, and its 10 seconds to think. */
    private static void warnFullBalance() throws InterruptedException {
      System.out.println(
          "WARNING:\n\n\tFull balance without filters requested. This operation is very\n"
              + "\tintense and takes potentially very long. It is recommended to\n"
              + "\tuse the balance filters to narrow down the scope of balance.\n"
              + "\tUse 'jbtrfs balance start --full-balance' option to skip this\n"
              + "\twarning. The operation will start in 10 seconds.\n"
              + "\tUse Ctrl-C to stop it.");
      for (int i = 10; i > 0; i--) {
        System.out.print(i + " ");
        System.out.flush();
        Thread.sleep(1000);
      }
      System.out.println("\nStarting balance without any filters.");
    }

    private Balance.Request request(String[] text) {
      return new Balance.Request(
          text[0] == null ? null : BalanceFilters.parse(text[0]),
          text[1] == null ? null : BalanceFilters.parse(text[1]),
          text[2] == null ? null : BalanceFilters.parse(text[2]),
          force);
    }

    private Balance.Result offline(String[] text) throws IOException {
      try (WritableImage img = WritableImage.open(where, others.list)) {
        Balance.Transactions tx = img.transactions();
        return Balance.run(tx, request(text), null);
      }
    }

    private Balance.Result live(String[] text) throws IOException {
      byte[] arg = new byte[4096];
      long flags = force ? 8 : 0;
      for (int i = 0; i < 3; i++) {
        if (text[i] == null) continue;
        flags |= 1L << i;
        byte[] b = text[i].getBytes(StandardCharsets.UTF_8);
        if (b.length >= FIELD) throw new IllegalArgumentException("filters too long");
        System.arraycopy(b, 0, arg, 8 + i * FIELD, b.length);
      }
      Le.put64(arg, 0, flags);
      try (LiveIoctl io = new LiveIoctl(where)) {
        io.call(START, arg, "balance start");
      } catch (LiveIoctl.Failed e) {
        String why =
            switch (e.errno) {
              case ErrnoValues.EBUSY -> "a scrub, replace or balance is running";
              case ErrnoValues.ENOSPC -> "No space left on device";
              case ErrnoValues.ECANCELED -> "Operation canceled";
              case ErrnoValues.EINPROGRESS ->
                  "Operation now in progress (a balance is paused or running: resume or cancel"
                      + " it)";
              case ErrnoValues.EOPNOTSUPP, ErrnoValues.EINVAL ->
                  "refused (the daemon's log says why)";
              default -> e.getMessage();
            };
        throw new IOException("error during balancing '" + where + "': " + why, e);
      }
      return new Balance.Result((int) Le.u64(arg, 0), (int) Le.u64(arg, 8), Le.u64(arg, 16));
    }

    /** Bytes of each type's filter text in the ioctl's argument (see fuse.BalanceIoctl). */
    private static final int FIELD = 1360;
  }

  @Command(
      name = "status",
      description =
          "Show the balance running on a mounted jbtrfs filesystem, like `btrfs balance status`.")
  static final class Status implements Callable<Integer> {
    /** _IOR('j', 11, 4096): see fuse.BalanceControlIoctls. */
    private static final long STATUS = 0x90006a0bL;

    /** btrfs-progs' exit status when no balance runs. */
    private static final int NONE = 0;

    @Parameters(arity = "1", description = "The mountpoint.")
    Path where;

    @Override
    public Integer call() throws IOException {
      byte[] arg = new byte[4096];
      try (LiveIoctl io = new LiveIoctl(where)) {
        io.call(STATUS, arg, "balance status");
      }
      if (Le.u64(arg, 0) == 0) {
        System.out.println("No balance found on '" + where + "'");
        return NONE;
      }
      if (Le.u64(arg, 0) == 2) {
        System.out.println("Balance on '" + where + "' is paused");
        return 1;
      }
      long done = Le.u64(arg, 8);
      long total = Le.u64(arg, 16);
      String what = LiveIoctl.cString(arg, 40);
      System.out.println(
          (what.equals("balance") ? "Balance" : "A " + what + " (a balance)")
              + " on '"
              + where
              + "' is running");
      long left = total == 0 ? 100 : 100 - done * 100 / total;
      System.out.println(
          done
              + " out of about "
              + total
              + " chunks balanced ("
              + HumanSize.of(Le.u64(arg, 24))
              + " moved), "
              + left
              + "% left");
      return 1;
    }
  }

  @Command(
      name = "cancel",
      description =
          "Stop the balance running on a mounted jbtrfs filesystem after its current step, like"
              + " `btrfs balance cancel`; what moved stays moved.")
  static final class Cancel implements Callable<Integer> {
    /** _IO('j', 12): see fuse.BalanceControlIoctls. */
    private static final long CANCEL = 0x00006a0cL;

    @Parameters(arity = "1", description = "The mountpoint, or an image (a paused balance).")
    Path where;

    @Mixin ExtraDevices others = new ExtraDevices();

    @Override
    public Integer call() throws IOException {
      if (!Files.isDirectory(where)) {
        try (WritableImage img = WritableImage.open(where, others.list)) {
          if (!Balance.forgetRecorded(img.engine())) {
            throw new IOException("balance cancel on '" + where + "' failed: Not in progress");
          }
          img.commit();
        }
        return 0;
      }
      return control(where, CANCEL, "cancel");
    }
  }

  @Command(
      name = "pause",
      description =
          "Pause the balance running on a mounted jbtrfs filesystem after its current step,"
              + " keeping its record for `balance resume` (also after a remount).")
  static final class Pause implements Callable<Integer> {
    /** _IO('j', 14): see fuse.BalanceControlIoctls. */
    private static final long PAUSE = 0x00006a0eL;

    @Parameters(arity = "1", description = "The mountpoint.")
    Path where;

    @Override
    public Integer call() throws IOException {
      return control(where, PAUSE, "pause");
    }
  }

  @Command(
      name = "resume",
      description =
          "Go on with a paused balance (paused, left by an unmount or a crash, or kept by"
              + " skip_balance): of a mounted jbtrfs filesystem, or of an image.")
  static final class Resume implements Callable<Integer> {
    /** _IO('j', 13): see fuse.BalanceControlIoctls. */
    private static final long RESUME = 0x00006a0dL;

    @Parameters(arity = "1", description = "The mountpoint, or an image.")
    Path where;

    @Mixin ExtraDevices others = new ExtraDevices();

    @Override
    public Integer call() throws IOException {
      if (!Files.isDirectory(where)) {
        try (WritableImage img = WritableImage.open(where, others.list)) {
          Balance.Request recorded = Balance.recorded(img.engine());
          if (recorded == null) {
            throw new IOException("balance resume on '" + where + "' failed: Not in progress");
          }
          Balance.Result r = Balance.resume(img.transactions(), recorded, null);
          printDone(r);
        }
        return 0;
      }
      try (LiveIoctl io = new LiveIoctl(where)) {
        io.call(RESUME, "balance resume");
      } catch (LiveIoctl.Failed e) {
        String why =
            switch (e.errno) {
              case ErrnoValues.ENOTCONN -> "Not in progress";
              case ErrnoValues.EINPROGRESS -> "Operation now in progress (it is running)";
              case ErrnoValues.ECANCELED -> "Operation canceled";
              default -> e.getMessage();
            };
        throw new IOException("balance resume on '" + where + "' failed: " + why, e);
      }
      System.out.println("Done");
      return 0;
    }
  }

  /** btrfs-progs' last line of a balance. */
  private static void printDone(Balance.Result r) {
    System.out.println(
        "Done, had to relocate " + r.relocated() + " out of " + r.considered() + " chunks");
  }

  /** An argument-less balance ioctl on a mountpoint; ENOTCONN is btrfs-progs' "Not in progress". */
  private static int control(Path where, long cmd, String name) throws IOException {
    try (LiveIoctl io = new LiveIoctl(where)) {
      io.call(cmd, "balance " + name);
    } catch (LiveIoctl.Failed e) {
      if (e.errno == ErrnoValues.ENOTCONN) {
        throw new IOException("balance " + name + " on '" + where + "' failed: Not in progress", e);
      }
      throw e;
    }
    return 0;
  }
}
