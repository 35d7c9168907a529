package org.jbtrfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jbtrfs.device.Device;
import org.jbtrfs.device.DeviceClaims;
import org.jbtrfs.device.FileDevice;
import org.jbtrfs.format.Le;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.os.ErrnoValues;
import org.jbtrfs.replace.DeviceReplace;
import org.jbtrfs.replace.ReplaceFinish;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `replace start|status|cancel`, with btrfs replace's arguments: a device of a mounted jbtrfs
 * filesystem replaced in the background while it is in use, or of an unmounted image set in the
 * foreground.
 */
@Command(
    name = "replace",
    description = "Replace a device.",
    subcommands = {
      ReplaceCommand.Start.class,
      ReplaceCommand.Status.class,
      ReplaceCommand.Cancel.class
    })
public final class ReplaceCommand implements Runnable {
  private static final long START = 0x50006a05L;
  private static final long STATUS = 0x90006a06L;
  private static final long CANCEL = 0x00006a07L;
  private static final String[] STATES = {
    "never started", "started", "finished", "canceled", "failed"
  };
  private static final int PIECE = 4 << 20;
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("d.MMM HH:mm:ss", Locale.ROOT);

  @Override
  public void run() {
    System.err.println(
        "usage: jbtrfs replace start [-r] [-f] [-B] SRCDEV|DEVID TGTDEV MOUNTPOINT|IMAGE...\n"
            + "       jbtrfs replace status|cancel MOUNTPOINT");
  }

  @Command(
      name = "start",
      description =
          "Copy a device (present, or rebuilt from the other copies or parity when missing) onto"
              + " TGTDEV, which then takes its place (same devid), like `btrfs replace start`: on a"
              + " mountpoint in the background while the filesystem is in use, or on the images of"
              + " an unmounted filesystem (all present ones; the source may be missing).")
  static final class Start implements Callable<Integer> {
    @Option(names = "-r", description = "Read the source only where no other copy serves.")
    boolean spareSource;

    @Option(names = "-f", description = "Overwrite a target that holds a filesystem.")
    boolean force;

    @Option(names = "-B", description = "On a mountpoint: wait until the replace is done.")
    boolean foreground;

    @Parameters(index = "0", description = "The device to replace: its path or devid.")
    String source;

    @Parameters(index = "1", description = "The new device or image file.")
    Path target;

    @Parameters(index = "2..*", arity = "1..*", description = "The mountpoint, or every image.")
    List<Path> where;

    @Override
    public Integer call() throws Exception {
      if (where.size() == 1 && Files.isDirectory(where.get(0))) return live(where.get(0));
      return offline();
    }

    private int live(Path mnt) throws IOException {
      long devid = devidOf(source, LiveDeviceStats.read(mnt, false));
      byte[] arg = new byte[4096];
      Le.put64(arg, 0, devid);
      Le.put64(arg, 8, (spareSource ? 1 : 0) | (force ? 2 : 0));
      byte[] path = target.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
      if (path.length >= arg.length - 16) throw new IOException("target path too long");
      System.arraycopy(path, 0, arg, 16, path.length);
      try (LiveIoctl io = new LiveIoctl(mnt)) {
        io.call(START, arg, "replace start");
      } catch (LiveIoctl.Failed e) {
        String why = status(mnt).failure();
        System.err.println(
            "ERROR: replace start on "
                + mnt
                + " failed: "
                + (why.isEmpty() ? e.getMessage() : why));
        return e.errno == ErrnoValues.EINPROGRESS ? 2 : 1;
      }
      if (!foreground) return 0;
      Replace s;
      while ((s = status(mnt)).state().equals("started")) {
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      print(s);
      return s.state().equals("finished") ? 0 : 1;
    }

    private int offline() throws IOException {
      try (WritableImage img =
              WritableImage.openDegraded(where.get(0), where.subList(1, where.size()));
          DeviceClaims claim = DeviceClaims.claim(List.of(target), false)) {
        Filesystem fs = img.fs();
        Map<Long, LiveDeviceStats.Device> names = new java.util.TreeMap<>();
        for (var d : fs.devItems()) {
          String n = fs.devices().deviceName(d.devid());
          names.put(d.devid(), new LiveDeviceStats.Device(n == null ? "" : n, 0, null));
        }
        long devid = devidOf(source, names);
        Device dev = FileDevice.open(target, true);
        DeviceReplace r;
        try {
          if (!force && DeviceReplace.holdsBtrfs(dev)) {
            throw new IOException(target + " holds a btrfs filesystem; use -f to overwrite it");
          }
          r = new DeviceReplace(fs, devid, dev, spareSource);
        } catch (IOException | RuntimeException e) {
          dev.close();
          throw e;
        }
        long started = System.currentTimeMillis();
        r.begin();
        while (r.step(PIECE)) {}
        Device old = ReplaceFinish.swapAndRecord(img.engine(), r, spareSource, started / 1000);
        img.commit();
        ReplaceFinish.retire(old);
        System.out.printf(
            Locale.ROOT,
            "Started on %s, finished on %s, 0 write errs, %d uncorr. read errs%n",
            WHEN.format(Instant.ofEpochMilli(started).atZone(ZoneId.systemDefault())),
            WHEN.format(Instant.now().atZone(ZoneId.systemDefault())),
            r.readErrors());
        return 0;
      }
    }
  }

  @Command(name = "status", description = "Show the replace of a mounted jbtrfs filesystem.")
  static final class Status implements Callable<Integer> {
    @Parameters(arity = "1", description = "The mountpoint.")
    Path mnt;

    @Override
    public Integer call() throws Exception {
      print(status(mnt));
      return 0;
    }
  }

  @Command(name = "cancel", description = "Stop the replace of a mounted jbtrfs filesystem.")
  static final class Cancel implements Callable<Integer> {
    @Parameters(arity = "1", description = "The mountpoint.")
    Path mnt;

    @Override
    public Integer call() throws Exception {
      try (LiveIoctl io = new LiveIoctl(mnt)) {
        io.call(CANCEL, "replace cancel");
      } catch (LiveIoctl.Failed e) {
        if (e.errno != ErrnoValues.ENOTCONN) throw e;
        System.out.println("INFO: ioctl(DEV_REPLACE_CANCEL)\"" + mnt + "\": not started");
        return 0;
      }
      return 0;
    }
  }

  /** What STATUS reports (public for tests that follow a replace through a mount). */
  public record Replace(
      String state,
      long source,
      long done,
      long total,
      long started,
      long stopped,
      long readErrors,
      String target,
      String failure) {}

  /** The replace of the mount at {@code mnt}, as its daemon reports it. */
  public static Replace status(Path mnt) throws IOException {
    byte[] b = new byte[4096];
    try (LiveIoctl io = new LiveIoctl(mnt)) {
      io.call(STATUS, b, "replace status");
    }
    int st = (int) Le.u64(b, 0);
    return new Replace(
        st >= 0 && st < STATES.length ? STATES[st] : "unknown",
        Le.u64(b, 8),
        Le.u64(b, 16),
        Le.u64(b, 24),
        Le.u64(b, 32),
        Le.u64(b, 40),
        Le.u64(b, 48),
        LiveIoctl.cString(b, 256),
        LiveIoctl.cString(b, 1280));
  }

  /** btrfs replace status's lines. */
  static void print(Replace s) {
    ZoneId z = ZoneId.systemDefault();
    switch (s.state()) {
      case "started" ->
          System.out.printf(
              Locale.ROOT,
              "%.1f%% done, 0 write errs, %d uncorr. read errs%n",
              s.total() == 0 ? 100.0 : 100.0 * s.done() / s.total(),
              s.readErrors());
      case "finished" ->
          System.out.printf(
              Locale.ROOT,
              "Started on %s, finished on %s, 0 write errs, %d uncorr. read errs%n",
              WHEN.format(Instant.ofEpochMilli(s.started()).atZone(z)),
              WHEN.format(Instant.ofEpochMilli(s.stopped()).atZone(z)),
              s.readErrors());
      case "canceled" ->
          System.out.printf(
              Locale.ROOT,
              "Started on %s, canceled on %s at %.1f%%, 0 write errs, %d uncorr. read errs%n",
              WHEN.format(Instant.ofEpochMilli(s.started()).atZone(z)),
              WHEN.format(Instant.ofEpochMilli(s.stopped()).atZone(z)),
              s.total() == 0 ? 0.0 : 100.0 * s.done() / s.total(),
              s.readErrors());
      case "failed" -> System.out.println("Failed: " + s.failure());
      default -> System.out.println("Never started");
    }
  }

  /** The devid named by {@code spec}: a number, or the path of one of the devices. */
  static long devidOf(String spec, Map<Long, LiveDeviceStats.Device> devices) throws IOException {
    if (spec.matches("\\d+")) return Long.parseLong(spec);
    Path want = Path.of(spec).toAbsolutePath().normalize();
    List<String> known = new ArrayList<>();
    for (Map.Entry<Long, LiveDeviceStats.Device> e : devices.entrySet()) {
      String p = e.getValue().path();
      known.add(e.getKey() + ": " + (p.isEmpty() ? "missing" : p));
      if (!p.isEmpty() && Path.of(p).toAbsolutePath().normalize().equals(want)) return e.getKey();
    }
    throw new IOException(spec + " is not a device of this filesystem (" + known + ")");
  }
}
