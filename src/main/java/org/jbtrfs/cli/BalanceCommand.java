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
    subcommands = {BalanceCommand.Start.class})
final class BalanceCommand implements Runnable {
  @Override
  public void run() {
    System.err.println(
        "usage: jbtrfs balance start -d[FILTERS] MOUNTPOINT|IMAGE [--device IMAGE]...");
  }

  @Command(
      name = "start",
      description =
          "Relocate data block groups, like `btrfs balance start -d[FILTERS]`: of a mounted jbtrfs"
              + " filesystem given its mountpoint, or of an unmounted one given its image (and"
              + " --device for its other images). FILTERS, comma separated: usage=N|MIN..MAX,"
              + " devid=N, drange=S..E, vrange=S..E, limit=N|MIN..MAX, stripes=MIN..MAX,"
              + " profiles=P|Q, convert=PROFILE, soft. Metadata and system block groups (-m, -s)"
              + " cannot be relocated yet.")
  static final class Start implements Callable<Integer> {
    /** _IOWR('j', 9, 4096): see fuse.BalanceIoctl. */
    private static final long START = 0xd0006a09L;

    @Option(names = "--full-balance", description = "Balance everything (needs -m: refused).")
    boolean full;

    @Mixin ExtraDevices others = new ExtraDevices();

    @Parameters(arity = "1", description = "The mountpoint, or an image of the filesystem.")
    Path where;

    /** -d[FILTERS], -m[FILTERS], -s[FILTERS]: flags with an attached argument, as btrfs-progs. */
    @Unmatched List<String> types = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      String dataFilters = null;
      for (String t : types) {
        if (t.startsWith("-d")) {
          dataFilters = t.substring(2);
        } else if (t.startsWith("-m") || t.startsWith("-s")) {
          throw new IllegalArgumentException(
              "relocating "
                  + (t.startsWith("-m") ? "metadata" : "system")
                  + " block groups is not supported yet; -d balances data");
        } else {
          throw new IllegalArgumentException("unknown option: " + t);
        }
      }
      if (dataFilters == null) {
        throw new IllegalArgumentException(
            "a full balance relocates metadata too, which is not supported yet; -d balances"
                + " data");
      }
      BalanceFilters data = BalanceFilters.parse(dataFilters); // refuses bad filters here
      Balance.Result r = Files.isDirectory(where) ? live(dataFilters) : offline(data);
      System.out.println(
          "Done, had to relocate " + r.relocated() + " out of " + r.considered() + " chunks");
      return 0;
    }

    private Balance.Result offline(BalanceFilters data) throws IOException {
      try (WritableImage img = WritableImage.open(where, others.list)) {
        Balance.Transactions tx =
            new Balance.Transactions() {
              @Override
              public <T> T committed(Balance.Change<T> change) throws IOException {
                T result = change.apply(img.engine());
                img.commit();
                return result;
              }
            };
        return Balance.data(tx, data, null);
      }
    }

    private Balance.Result live(String dataFilters) throws IOException {
      byte[] arg = new byte[4096];
      Le.put64(arg, 0, 1);
      byte[] text = dataFilters.getBytes(StandardCharsets.UTF_8);
      if (text.length > arg.length - 9) throw new IllegalArgumentException("filters too long");
      System.arraycopy(text, 0, arg, 8, text.length);
      try (LiveIoctl io = new LiveIoctl(where)) {
        io.call(START, arg, "balance start");
      } catch (LiveIoctl.Failed e) {
        String why =
            switch (e.errno) {
              case ErrnoValues.EBUSY -> "a scrub, replace or balance is running";
              case ErrnoValues.ENOSPC -> "no space left for the next extent";
              case ErrnoValues.EOPNOTSUPP, ErrnoValues.EINVAL ->
                  "refused (the daemon's log says why)";
              default -> e.getMessage();
            };
        throw new IOException("error during balancing '" + where + "': " + why, e);
      }
      return new Balance.Result((int) Le.u64(arg, 0), (int) Le.u64(arg, 8), Le.u64(arg, 16));
    }
  }
}
