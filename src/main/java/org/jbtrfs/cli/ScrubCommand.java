package org.jbtrfs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.os.ErrnoValues;
import org.jbtrfs.scrub.ScrubPace;
import org.jbtrfs.scrub.ScrubSummary;
import org.jbtrfs.scrub.Scrubber;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `scrub start|status|cancel|resume`, with btrfs scrub's options and output: of an unmounted image
 * set in the foreground, or of a mounted jbtrfs filesystem (given its mountpoint), whose daemon
 * scrubs in the background while it serves requests.
 */
@Command(
    name = "scrub",
    description = "Scrub commands.",
    subcommands = {
      ScrubCommand.Start.class,
      ScrubCommand.Resume.class,
      ScrubCommand.Status.class,
      ScrubCommand.Cancel.class
    })
final class ScrubCommand implements Runnable {
  /** btrfs-progs' status when errors could not be corrected. */
  static final int UNCORRECTABLE = 3;

  /** btrfs-progs' status for "no scrub running" (cancel) and "nothing to resume". */
  static final int NOT_RUNNING = 2;

  /** Bytes of extents per step offline, where pacing needs steps. */
  private static final long OFFLINE_STEP = 16L << 20;

  @Override
  public void run() {
    System.err.println(
        "usage: jbtrfs scrub start [-B] [-r] [--limit SIZE] IMAGE...|MOUNTPOINT\n"
            + "       jbtrfs scrub status|cancel MOUNTPOINT\n"
            + "       jbtrfs scrub resume [-B] [--limit SIZE] MOUNTPOINT");
  }

  /** The options start and resume share. */
  abstract static class Run implements Callable<Integer> {
    @Option(
        names = "-B",
        description =
            "Stay in the foreground until the scrub is done and print its summary (always so"
                + " for images).")
    boolean foreground;

    @Option(
        names = "--limit",
        paramLabel = "SIZE",
        description = "At most SIZE bytes read per second (k, m, g suffixes; 0: no limit).")
    String limit = "0";

    long limitBytes() {
      return HumanSize.parse(limit);
    }

    /** Starts (or resumes) the live scrub, then follows it when in the foreground. */
    int live(Path mnt, boolean readOnly, boolean resume) throws IOException {
      String fsid = ScrubReport.uuid(LiveDeviceStats.fsid(mnt));
      try {
        LiveScrubClient.start(mnt, readOnly, limitBytes(), resume);
      } catch (LiveIoctl.Failed e) {
        if (e.errno == ErrnoValues.EINPROGRESS) {
          System.err.println("ERROR: scrub is already running on " + mnt);
          System.err.println("To cancel use 'jbtrfs scrub cancel " + mnt + "'.");
          return 1;
        }
        if (e.errno == ErrnoValues.EBUSY) {
          System.err.println("ERROR: a device replace is running on " + mnt);
          return 1;
        }
        if (resume && e.errno == ErrnoValues.ENOENT) {
          System.err.println("scrub: nothing to resume for " + mnt + ", fsid " + fsid);
          return NOT_RUNNING;
        }
        throw e;
      }
      if (!foreground) {
        System.out.println(
            "scrub " + (resume ? "resumed" : "started") + " on " + mnt + ", fsid " + fsid);
        return 0;
      }
      boolean tty = System.console() != null;
      LiveScrubClient.Status s;
      while (true) {
        s = LiveScrubClient.status(mnt);
        if (!s.running()) break;
        if (tty) {
          System.err.print(ScrubReport.bar(s.fraction(), s.summary().bytesScrubbed(), s.elapsed()));
        }
        try {
          // Often enough that the end is seen soon after it comes; a status is cheap.
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (tty) System.err.println();
      System.out.println("scrub done for " + fsid);
      return finish(mnt, s, total(mnt));
    }
  }

  @Command(
      name = "start",
      description =
          "Read and verify every copy of all metadata and data and rewrite bad copies from good"
              + " ones, like `btrfs scrub start`: of an unmounted image set (in the foreground), or"
              + " of a mounted jbtrfs filesystem in the background. Exits 3 when errors remain"
              + " uncorrectable.")
  static final class Start extends Run {
    @Option(names = "-r", description = "Read-only: report errors, correct nothing.")
    boolean readOnly;

    @Parameters(
        arity = "1..*",
        description = "Every image or device of the filesystem, or its mountpoint.")
    List<Path> devices;

    @Override
    public Integer call() throws Exception {
      if (devices.size() == 1 && Files.isDirectory(devices.get(0))) {
        return live(devices.get(0), readOnly, false);
      }
      long startedMillis = System.currentTimeMillis();
      ScrubSummary s;
      String fsid;
      long total;
      ScrubPace pace = new ScrubPace(limitBytes());
      if (readOnly) {
        try (ReadOnlyImages img = ReadOnlyImages.open(devices)) {
          fsid = ScrubReport.uuid(img.fs().superblock().fsid());
          total = allocated(img.fs());
          s = offline(new Scrubber(img.fs(), true, ScrubCommand::log), pace);
        }
      } else {
        try (WritableImage img =
            WritableImage.open(devices.get(0), devices.subList(1, devices.size()))) {
          fsid = ScrubReport.uuid(img.fs().superblock().fsid());
          total = allocated(img.fs());
          s = offline(new Scrubber(img.fs(), false, ScrubCommand::log), pace);
          // The kernel counts what scrub found in the devices' persistent error counters: the
          // scrub raised them, and the commit writes them.
          if (!s.deviceErrors().isEmpty()) img.commit();
        }
      }
      System.out.println("scrub done for " + fsid);
      ScrubReport.print(System.out, startedMillis, "finished", s.duration(), total, s, null);
      return verdict(s);
    }

    /** The scrub in steps: paced when limited, and with a progress bar on a terminal. */
    private static ScrubSummary offline(Scrubber scrubber, ScrubPace pace) throws IOException {
      boolean tty = System.console() != null;
      if (pace.limit() == 0 && !tty) return scrubber.run();
      long started = System.nanoTime();
      while (true) {
        long before = scrubber.summary().bytesScrubbed();
        if (!scrubber.step(OFFLINE_STEP)) break;
        ScrubSummary now = scrubber.summary();
        if (tty) {
          long[] p = scrubber.progress();
          double fraction = p[1] == 0 ? 1 : (double) p[0] / p[1];
          System.err.print(
              ScrubReport.bar(
                  fraction,
                  now.bytesScrubbed(),
                  java.time.Duration.ofNanos(System.nanoTime() - started)));
        }
        long wait = pace.after(now.bytesScrubbed() - before);
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("scrub interrupted");
        }
      }
      if (tty) System.err.println();
      return scrubber.summary();
    }
  }

  @Command(
      name = "resume",
      description =
          "Go on with the scrub of a mounted jbtrfs filesystem that was cancelled, from where it"
              + " stopped (with the read-only setting it had).")
  static final class Resume extends Run {
    @Parameters(arity = "1", description = "The mountpoint.")
    Path mnt;

    @Override
    public Integer call() throws Exception {
      return live(mnt, false, true);
    }
  }

  @Command(name = "status", description = "Show the scrub of a mounted jbtrfs filesystem.")
  static final class Status implements Callable<Integer> {
    @Parameters(arity = "1", description = "The mountpoint.")
    Path mnt;

    @Override
    public Integer call() throws Exception {
      String fsid = ScrubReport.uuid(LiveDeviceStats.fsid(mnt));
      LiveScrubClient.Status s = LiveScrubClient.status(mnt);
      System.out.println("UUID:             " + fsid);
      if (s.state().equals("none")) {
        System.out.println("\tno stats available");
        return 0;
      }
      ScrubReport.print(
          System.out,
          s.startedMillis(),
          s.state(),
          s.elapsed(),
          total(mnt),
          s.summary(),
          s.fraction());
      if (!s.failure().isEmpty()) System.out.println("Failure:          " + s.failure());
      return 0;
    }
  }

  @Command(name = "cancel", description = "Stop the scrub of a mounted jbtrfs filesystem.")
  static final class Cancel implements Callable<Integer> {
    @Parameters(arity = "1", description = "The mountpoint.")
    Path mnt;

    @Override
    public Integer call() throws Exception {
      try {
        LiveScrubClient.cancel(mnt);
      } catch (LiveIoctl.Failed e) {
        if (e.errno != ErrnoValues.ENOTCONN) throw e;
        System.err.println("ERROR: scrub cancel failed on " + mnt + ": not running");
        return NOT_RUNNING;
      }
      System.out.println("scrub cancelled");
      return 0;
    }
  }

  /** The summary of a live scrub that stopped, and the exit status it means. */
  private static int finish(Path mnt, LiveScrubClient.Status s, long total) {
    ScrubReport.print(
        System.out, s.startedMillis(), s.state(), s.elapsed(), total, s.summary(), null);
    for (String p : s.summary().damagedPaths()) log("unrepairable damage in file " + p);
    if (s.state().equals("failed")) {
      System.err.println("ERROR: scrub on " + mnt + " failed: " + s.failure());
      return 1;
    }
    return verdict(s.summary());
  }

  private static int verdict(ScrubSummary s) {
    if (s.uncorrectable() > 0) {
      System.err.println("ERROR: there are " + s.uncorrectable() + " uncorrectable errors");
      return UNCORRECTABLE;
    }
    if (s.totalErrors() > 0)
      System.err.println("WARNING: errors detected during scrubbing, corrected");
    return 0;
  }

  private static void log(String line) {
    System.err.println("scrub: " + line);
  }

  /** What `btrfs scrub status` calls "Total to scrub": the bytes allocated on the devices. */
  private static long allocated(Filesystem fs) {
    long sum = 0;
    for (DevItem d : fs.devItems()) sum += d.bytesUsed();
    return sum;
  }

  /** The same, of a mounted filesystem. */
  private static long total(Path mnt) throws IOException {
    long sum = 0;
    for (LiveDeviceStats.Device d : LiveDeviceStats.read(mnt, false).values()) {
      sum += d.bytesUsed();
    }
    return sum;
  }
}
