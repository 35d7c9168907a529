package org.jbtrfs.oracle;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Applies each operation twice: through the jbtrfs CLI to the image (under {@code /prefix}) and
 * with coreutils/attr to the local expected tree. Also records which paths an operation stamps with
 * the current time (see {@link LocalVsImage}); moves and deletes come before the stamps they might
 * invalidate in the tests, so recorded paths are final paths.
 */
final class TwinOps implements TreeOps {
  private final Path image;
  private final Path local;
  private final String prefix;
  private final Set<String> stamped = new TreeSet<>();

  TwinOps(Path image, Path local, String prefix) {
    this.image = image;
    this.local = local;
    this.prefix = prefix;
  }

  @Override
  public Set<String> stamped() {
    return stamped;
  }

  /** Marks a path whose mtime was set to "now" by something outside this class (the kernel). */
  @Override
  public void stamp(String rel) {
    stamped.add(rel);
  }

  @Override
  public void rmTree(String rel) {
    JbtrfsCli.run("rm", "-r", image.toString(), img(rel));
    sh("rm", "-r", loc(rel));
    stamped.add(parent(rel));
  }

  @Override
  public void mv(String from, String to) {
    JbtrfsCli.run("mv", image.toString(), img(from), img(to));
    sh("mv", "-T", loc(from), loc(to));
    stamped.add(parent(from));
    stamped.add(parent(to));
  }

  @Override
  public void truncate(String rel, long size) {
    JbtrfsCli.run("truncate", image.toString(), img(rel), Long.toString(size));
    sh("truncate", "-s", Long.toString(size), loc(rel));
    stamped.add(rel);
  }

  /** setxattr changes only ctime (not compared), so nothing is stamped. */
  @Override
  public void setXattr(String rel, String name, String value) {
    JbtrfsCli.run("setfattr", image.toString(), img(rel), "-n", name, "-v", value);
    sh("setfattr", "-h", "-n", name, "-v", value, loc(rel));
  }

  @Override
  public void removeXattr(String rel, String name) {
    JbtrfsCli.run("setfattr", image.toString(), img(rel), "-x", name);
    sh("setfattr", "-h", "-x", name, loc(rel));
  }

  /** Copies a local directory in on both sides (cp -a keeps what put keeps). */
  @Override
  public void put(Path source, String rel) {
    JbtrfsCli.run("put", image.toString(), source.toString(), img(rel));
    sh("cp", "-a", source.toString(), loc(rel));
    stamped.add(parent(rel));
  }

  private String img(String rel) {
    return rel.equals(".") ? prefix : prefix + "/" + rel;
  }

  private String loc(String rel) {
    return local.resolve(rel).toString();
  }

  static String parent(String rel) {
    int slash = rel.lastIndexOf('/');
    return slash < 0 ? "." : rel.substring(0, slash);
  }

  private static void sh(String... cmd) {
    Cmd.run(List.of(cmd), null, 600).check();
  }
}
