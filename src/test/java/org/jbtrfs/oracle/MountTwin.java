package org.jbtrfs.oracle;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Applies each change twice: through a mounted filesystem (a jbtrfs FUSE mount) and to a local
 * expected tree, with the same system calls where the local disk allows them (coreutils, attr,
 * fallocate(1), positional writes). O_DIRECT goes to the mount only; the local side gets the same
 * bytes buffered. Paths are relative to {@code root/prefix}; stamps are recorded relative to the
 * roots, so {@link LocalVsImage#diff} can compare the whole trees. Views made with {@link #under}
 * share one set of stamps.
 */
final class MountTwin implements TreeOps {
  private static final int DIRECT_ALIGN = 4096;

  private final Path mount;
  private final Path local;
  private final String prefix;
  private final Set<String> stamped;

  MountTwin(Path mount, Path local) {
    this(mount, local, "", new TreeSet<>());
  }

  private MountTwin(Path mount, Path local, String prefix, Set<String> stamped) {
    this.mount = mount;
    this.local = local;
    this.prefix = prefix;
    this.stamped = stamped;
  }

  /** The same twin with paths relative to {@code dir} (relative to this one's root). */
  MountTwin under(String dir) {
    return new MountTwin(mount, local, full(dir), stamped);
  }

  Path mountPath(String rel) {
    return mount.resolve(full(rel));
  }

  Path localPath(String rel) {
    return local.resolve(full(rel));
  }

  @Override
  public Set<String> stamped() {
    return stamped;
  }

  @Override
  public void stamp(String rel) {
    stamped.add(full(rel));
  }

  @Override
  public void rmTree(String rel) {
    both("rm", "-r", rel);
    stamp(TwinOps.parent(rel));
  }

  @Override
  public void mv(String from, String to) {
    for (Path root : roots()) {
      sh("mv", "-T", root.resolve(full(from)).toString(), root.resolve(full(to)).toString());
    }
    stamp(TwinOps.parent(from));
    stamp(TwinOps.parent(to));
  }

  @Override
  public void truncate(String rel, long size) {
    both("truncate", "-s", Long.toString(size), rel);
    stamp(rel);
  }

  @Override
  public void setXattr(String rel, String name, String value) {
    both("setfattr", "-h", "-n", name, "-v", value, rel);
  }

  @Override
  public void removeXattr(String rel, String name) {
    both("setfattr", "-h", "-x", name, rel);
  }

  @Override
  public void put(Path source, String rel) {
    for (Path root : roots()) sh("cp", "-a", source.toString(), root.resolve(full(rel)).toString());
    stamp(TwinOps.parent(rel));
  }

  void mkdirs(String rel) {
    for (Path root : roots()) {
      try {
        Files.createDirectories(root.resolve(full(rel)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    stamp(TwinOps.parent(rel));
    stamp(rel);
  }

  /** Creates (or replaces) a file with {@code data}. */
  void create(String rel, byte[] data) {
    for (Path root : roots()) {
      try {
        Files.write(root.resolve(full(rel)), data);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    stamp(TwinOps.parent(rel));
    stamp(rel);
  }

  void delete(String rel) {
    for (Path root : roots()) {
      try {
        Files.delete(root.resolve(full(rel)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    stamp(TwinOps.parent(rel));
  }

  /** A buffered write of {@code data} at {@code offset}, creating the file if needed. */
  void write(String rel, long offset, byte[] data) {
    boolean isNew = !Files.exists(localPath(rel));
    for (Path root : roots()) {
      try (FileChannel ch =
          FileChannel.open(
              root.resolve(full(rel)), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        writeFully(ch, ByteBuffer.wrap(data), offset);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (isNew) stamp(TwinOps.parent(rel));
    stamp(rel);
  }

  /**
   * An O_DIRECT write on the mount (offset and length sector aligned, as O_DIRECT requires); the
   * local copy gets the same bytes with a buffered write.
   */
  void writeDirect(String rel, long offset, byte[] data) {
    if (offset % DIRECT_ALIGN != 0 || data.length % DIRECT_ALIGN != 0) {
      throw new IllegalArgumentException("O_DIRECT needs aligned offset and length");
    }
    boolean isNew = !Files.exists(localPath(rel));
    ByteBuffer buf =
        ByteBuffer.allocateDirect(data.length + DIRECT_ALIGN)
            .alignedSlice(DIRECT_ALIGN)
            .limit(data.length);
    buf.put(data).flip();
    try (FileChannel ch =
        FileChannel.open(
            mountPath(rel),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            ExtendedOpenOption.DIRECT)) {
      writeFully(ch, buf, offset);
    } catch (IOException e) {
      throw new UncheckedIOException("O_DIRECT write to " + mountPath(rel), e);
    }
    try (FileChannel ch =
        FileChannel.open(localPath(rel), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      writeFully(ch, ByteBuffer.wrap(data), offset);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (isNew) stamp(TwinOps.parent(rel));
    stamp(rel);
  }

  /** fallocate(1) on both sides; {@code keepSize} is -n (FALLOC_FL_KEEP_SIZE). */
  void fallocate(String rel, long offset, long length, boolean keepSize) {
    boolean isNew = !Files.exists(localPath(rel));
    List<String> args = new ArrayList<>(List.of("fallocate"));
    if (keepSize) args.add("-n");
    args.addAll(List.of("-o", Long.toString(offset), "-l", Long.toString(length)));
    for (Path root : roots()) {
      List<String> cmd = new ArrayList<>(args);
      cmd.add(root.resolve(full(rel)).toString());
      Cmd.run(cmd, null, 600).check();
    }
    if (isNew) stamp(TwinOps.parent(rel));
    stamp(rel);
  }

  /** fsync of one file: on jbtrfs it commits the transaction (FUSE does not pass syncfs on). */
  void fsync(String rel) {
    try (FileChannel ch = FileChannel.open(mountPath(rel), StandardOpenOption.WRITE)) {
      ch.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf, long offset) throws IOException {
    long pos = offset;
    while (buf.hasRemaining()) pos += ch.write(buf, pos);
  }

  private void both(String... cmdThenRel) {
    String rel = cmdThenRel[cmdThenRel.length - 1];
    for (Path root : roots()) {
      List<String> cmd = new ArrayList<>(List.of(cmdThenRel).subList(0, cmdThenRel.length - 1));
      cmd.add(root.resolve(full(rel)).toString());
      Cmd.run(cmd, null, 600).check();
    }
  }

  private List<Path> roots() {
    return List.of(mount, local);
  }

  private String full(String rel) {
    if (prefix.isEmpty()) return rel;
    return rel.equals(".") ? prefix : prefix + "/" + rel;
  }

  private static void sh(String... cmd) {
    Cmd.run(List.of(cmd), null, 600).check();
  }
}
