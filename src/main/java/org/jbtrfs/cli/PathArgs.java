package org.jbtrfs.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.PathResolver;
import org.jbtrfs.fs.SubvolumeSelector;

/** Resolves a path inside an unmounted image the way a default mount would show it. */
final class PathArgs {
  private PathArgs() {}

  static Node resolve(Filesystem fs, String path) throws IOException {
    Node root = SubvolumeSelector.select(fs, MountOptions.readOnlyDefaults());
    String p = path.startsWith("/") ? path : "/" + path;
    if (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
    Node n = new PathResolver(fs, root).resolve(p);
    if (n == null) throw new FileNotFoundException(path + ": no such file or directory");
    return n;
  }
}
