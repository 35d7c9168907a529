package org.jbtrfs.cli;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.scrub.ScrubSummary;
import org.jbtrfs.scrub.Scrubber;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `scrub start`: verify every copy of everything allocated on an unmounted image set. */
@Command(
    name = "scrub",
    description = "Scrub commands.",
    subcommands = {ScrubCommand.Start.class})
final class ScrubCommand implements Runnable {
  /** btrfs-progs' status when errors could not be corrected. */
  static final int UNCORRECTABLE = 3;

  @Override
  public void run() {
    System.err.println("usage: jbtrfs scrub start -B [-r] IMAGE...");
  }

  @Command(
      name = "start",
      description =
          "Read and verify every copy of all metadata and data of an unmounted image set and"
              + " rewrite bad copies from good ones, like `btrfs scrub start -B`. Exits 3 when"
              + " errors remain uncorrectable.")
  static final class Start implements Callable<Integer> {
    @Option(
        names = "-B",
        description = "Stay in the foreground (the only mode offline; accepted for btrfs scrub).")
    boolean foreground;

    @Option(names = "-r", description = "Read-only: report errors, correct nothing.")
    boolean readOnly;

    @Parameters(arity = "1..*", description = "Every image or device of the filesystem.")
    List<Path> devices;

    @Override
    public Integer call() throws Exception {
      ZonedDateTime started = ZonedDateTime.now();
      ScrubSummary s;
      String fsid;
      long total;
      if (readOnly) {
        try (ReadOnlyImages img = ReadOnlyImages.open(devices)) {
          fsid = fsidOf(img.fs());
          total = allocated(img.fs());
          s = new Scrubber(img.fs(), true, ScrubCommand::log).run();
        }
      } else {
        try (WritableImage img =
            WritableImage.open(devices.get(0), devices.subList(1, devices.size()))) {
          fsid = fsidOf(img.fs());
          total = allocated(img.fs());
          s = new Scrubber(img.fs(), false, ScrubCommand::log).run();
          // The kernel counts what scrub found in the devices' persistent error counters: the
          // scrub raised them, and the commit writes them.
          if (!s.deviceErrors().isEmpty()) img.commit();
        }
      }
      print(s, fsid, started, total);
      if (s.uncorrectable() > 0) {
        System.err.println("ERROR: there are " + s.uncorrectable() + " uncorrectable errors");
        return UNCORRECTABLE;
      }
      if (s.totalErrors() > 0)
        System.err.println("WARNING: errors detected during scrubbing, corrected");
      return 0;
    }
  }

  private static void log(String line) {
    System.err.println("scrub: " + line);
  }

  private static String fsidOf(Filesystem fs) {
    ByteBuffer b = ByteBuffer.wrap(fs.superblock().fsid());
    return new UUID(b.getLong(), b.getLong()).toString();
  }

  /** What `btrfs scrub status` calls "Total to scrub": the bytes allocated on the devices. */
  private static long allocated(Filesystem fs) {
    long sum = 0;
    for (DevItem d : fs.devItems()) sum += d.bytesUsed();
    return sum;
  }

  private static void print(ScrubSummary s, String fsid, ZonedDateTime started, long total) {
    Duration d = s.duration();
    long secs = d.getSeconds();
    System.out.println("scrub done for " + fsid);
    System.out.println(
        "Scrub started:    "
            + started.format(
                DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT)));
    System.out.println("Status:           finished");
    System.out.printf(
        Locale.ROOT, "Duration:         %d:%02d:%02d%n", secs / 3600, secs / 60 % 60, secs % 60);
    System.out.println("Total to scrub:   " + HumanSize.of(total));
    System.out.println(
        "Rate:             "
            + HumanSize.of(secs == 0 ? 0 : (double) s.bytesScrubbed() / secs)
            + "/s");
    if (s.totalErrors() == 0) {
      System.out.println("Error summary:    no errors found");
      return;
    }
    StringBuilder sum = new StringBuilder("Error summary:   ");
    if (s.readErrors() > 0) sum.append(" read=").append(s.readErrors());
    if (s.superErrors() > 0) sum.append(" super=").append(s.superErrors());
    if (s.verifyErrors() > 0) sum.append(" verify=").append(s.verifyErrors());
    if (s.csumErrors() > 0) sum.append(" csum=").append(s.csumErrors());
    System.out.println(sum);
    System.out.println("  Corrected:      " + s.corrected());
    System.out.println("  Uncorrectable:  " + s.uncorrectable());
    System.out.println("  Unverified:     0");
  }
}
