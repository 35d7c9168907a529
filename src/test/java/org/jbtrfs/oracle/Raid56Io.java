package org.jbtrfs.oracle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The device I/O a {@link CountingDevice.Log} recorded, summed by direction and by the type of the
 * chunk each byte belongs to (per {@link Raid56Layout}, i.e. btrfs-progs' view), plus the helpers
 * the RAID5/6 evidence tests share: formatting an array and reading its layout.
 */
final class Raid56Io {
  private Raid56Io() {}

  /** Bytes per "read DATA", "write METADATA", ... and per "read devid 2", ... */
  static Map<String, Long> sum(
      List<CountingDevice.Io> events, Raid56Layout layout, List<Path> imgs) {
    Map<String, Long> devids = new TreeMap<>();
    for (int i = 0; i < imgs.size(); i++) devids.put(imgs.get(i).toString(), (long) i + 1);
    Map<String, Long> out = new TreeMap<>();
    for (CountingDevice.Io io : events) {
      long devid = devids.get(io.device());
      String dir = io.write() ? "write " : "read ";
      out.merge(dir + layout.typeAt(devid, io.offset()), (long) io.len(), Long::sum);
      out.merge(dir + "devid " + devid, (long) io.len(), Long::sum);
      out.merge(dir + "all", (long) io.len(), Long::sum);
    }
    return out;
  }

  static long get(Map<String, Long> sums, String key) {
    return sums.getOrDefault(key, 0L);
  }

  /** {@code n} sparse images of {@code bytes} in {@code dir}, formatted with {@code mkfsArgs}. */
  static List<Path> mkfs(Path dir, String name, int n, long bytes, String... mkfsArgs) {
    List<Path> imgs = new ArrayList<>();
    List<String> cmd = new ArrayList<>(List.of("mkfs.btrfs", "-q", "-f"));
    cmd.addAll(List.of(mkfsArgs));
    for (int i = 1; i <= n; i++) {
      Path p = dir.resolve(name + ".dev" + i + ".img");
      Loop.createSparse(p, bytes);
      imgs.add(p);
      cmd.add(p.toString());
    }
    Cmd.run(cmd).check();
    return imgs;
  }

  /** The chunk layout as btrfs-progs reads it from the (unmounted) images. */
  static Raid56Layout layout(List<Path> imgs) {
    try (Loop loop = Loop.attach(imgs)) {
      return new Raid56Layout(DeviceSetDump.of(loop.devices()));
    }
  }

  /** Devid (mkfs numbers devices in argument order) to image file. */
  static Map<Long, Path> byDevid(List<Path> imgs) {
    Map<Long, Path> m = new TreeMap<>();
    for (int i = 0; i < imgs.size(); i++) m.put((long) i + 1, imgs.get(i));
    return m;
  }

  /** btrfs check --readonly of the whole device set is clean. */
  static void assertChecked(List<Path> imgs) {
    try (Loop loop = Loop.attach(imgs)) {
      Cmd.run(concat(List.of("btrfs", "device", "scan"), loop.devices())).check();
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)));
    }
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
