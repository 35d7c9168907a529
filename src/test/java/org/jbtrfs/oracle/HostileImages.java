package org.jbtrfs.oracle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * btrfs-progs' fuzz-tests and fsck-tests images, unpacked and restored by
 * scripts/lib/hostile-images (from JBTRFS_THIRDPARTY or ../shared/thirdparty), each named as in the
 * verdict tables.
 */
final class HostileImages {
  record Image(String name, Path path) {}

  private HostileImages() {}

  static List<Image> unpack(Path dest) {
    Path script = Path.of(System.getProperty("user.dir"), "scripts", "lib", "hostile-images");
    Cmd.Result r = Cmd.run(List.of(script.toString(), dest.toString()), null, 600);
    if (r.exitCode() != 0)
      throw new AssertionError("scripts/lib/hostile-images failed:\n" + r.out() + r.stderr());
    List<Image> images = new ArrayList<>();
    for (String line : r.out().split("\n")) {
      String[] f = line.split("\t");
      if (f.length == 2) images.add(new Image(f[0], Path.of(f[1])));
    }
    return images;
  }
}
