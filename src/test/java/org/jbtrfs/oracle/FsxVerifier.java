package org.jbtrfs.oracle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Compares a mounted tree with the model once no worker runs: the names in every directory, and for
 * each file its bytes, size, link count, permissions, xattrs, and that all names of one model inode
 * share one inode number.
 */
final class FsxVerifier {
  private final Path root;
  private final Map<ModelFile, Object> inodeNumbers = new HashMap<>();
  long files;
  long bytes;

  FsxVerifier(Path root) {
    this.root = root;
  }

  void verify(ModelDir d) throws IOException {
    Path p = d.on(root);
    Set<String> got = new TreeSet<>();
    try (Stream<Path> s = Files.list(p)) {
      s.forEach(x -> got.add(x.getFileName().toString()));
    }
    Set<String> want = new TreeSet<>(d.entries.keySet());
    if (!got.equals(want))
      throw new AssertionError("names in " + p + ": " + got + ", expected " + want);
    if (d.parent != null) {
      FsxDataOps.checkXattrs(
          p, d.xattrs, Files.getFileAttributeView(p, UserDefinedFileAttributeView.class));
    }
    for (Map.Entry<String, Object> e : d.entries.entrySet()) {
      Path q = p.resolve(e.getKey());
      if (e.getValue() instanceof ModelDir sub) {
        if (!Files.isDirectory(q, LinkOption.NOFOLLOW_LINKS))
          throw new AssertionError(q + " is not a directory");
        verify(sub);
      } else {
        verifyFile(q, (ModelFile) e.getValue());
      }
    }
  }

  private void verifyFile(Path q, ModelFile f) throws IOException {
    FsxDataOps.stat(q, f);
    Object ino = Files.readAttributes(q, "unix:ino", LinkOption.NOFOLLOW_LINKS).get("ino");
    Object first = inodeNumbers.putIfAbsent(f, ino);
    if (first != null && !first.equals(ino)) {
      throw new AssertionError(q + " has inode " + ino + " but another link of it has " + first);
    }
    files++;
    if (f.isSymlink()) {
      String t = Files.readSymbolicLink(q).toString();
      if (!t.equals(f.symlinkTarget)) throw new AssertionError("symlink " + q + " -> " + t);
      return;
    }
    byte[] want = f.contents();
    FsxDataOps.compare(q, 0, want, Files.readAllBytes(q), "final contents of");
    bytes += want.length;
    FsxDataOps.checkXattrs(
        q, f.xattrs, Files.getFileAttributeView(q, UserDefinedFileAttributeView.class));
  }
}
