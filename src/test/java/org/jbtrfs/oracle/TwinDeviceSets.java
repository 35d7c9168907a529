package org.jbtrfs.oracle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One multi-device filesystem made by mkfs.btrfs and copied, so the kernel and jbtrfs start from
 * the same bytes: {@code jbtrfs} are the images made, {@code kernel} their sparse copies.
 */
record TwinDeviceSets(List<Path> jbtrfs, List<Path> kernel) {
  private static final long MiB = 1L << 20;

  /** A device set's mkfs profiles and device sizes, shown as the parameterised tests name it. */
  record Layout(String data, String metadata, long[] deviceMiB) {
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("-d " + data + " -m " + metadata + " on");
      for (long s : deviceMiB) b.append(' ').append(s).append("M");
      return b.toString();
    }

    TwinDeviceSets make(Path dir) {
      return TwinDeviceSets.make(dir, data, metadata, deviceMiB);
    }
  }

  static TwinDeviceSets make(Path dir, String data, String metadata, long[] deviceMiB) {
    List<Path> jimgs = new ArrayList<>();
    List<Path> kimgs = new ArrayList<>();
    List<String> mkfs =
        new ArrayList<>(List.of("mkfs.btrfs", "-q", "-f", "-d", data, "-m", metadata));
    for (int i = 0; i < deviceMiB.length; i++) {
      jimgs.add(dir.resolve("j" + i + ".img"));
      kimgs.add(dir.resolve("k" + i + ".img"));
      Loop.createSparse(jimgs.get(i), deviceMiB[i] * MiB);
      mkfs.add(jimgs.get(i).toString());
    }
    Cmd.run(mkfs).check();
    for (int i = 0; i < jimgs.size(); i++) {
      Cmd.run(List.of("cp", "--sparse=always", jimgs.get(i).toString(), kimgs.get(i).toString()))
          .check();
    }
    return new TwinDeviceSets(List.copyOf(jimgs), List.copyOf(kimgs));
  }
}
