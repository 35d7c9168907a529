package org.jbtrfs.oracle;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.fs.DirEntry;
import org.jbtrfs.fs.Directories;
import org.jbtrfs.fs.FileReader;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.PathResolver;
import org.jbtrfs.fs.Subvolume;
import org.jbtrfs.fs.Xattrs;

/**
 * Touches everything a reader can reach through the Filesystem API: every directory listing, every
 * inode, file contents, symlink targets and xattrs. An IOException on one entry is counted and the
 * walk goes on with the next, so one bad block does not hide the code behind it; any other
 * exception propagates, because a corrupt image must never produce one. Public for the fuzz targets
 * (org.jbtrfs.fuzz), which walk mutated images with it.
 */
public final class FsWalk {
  /** Bounds so a corrupted size or link count cannot turn the walk into hours of reading. */
  private static final long MAX_FILE_BYTES = 4L << 20;

  private static final int MAX_NODES = 20_000;
  private static final int MAX_DEPTH = 64;

  public int nodes;
  public int ioErrors;
  public long bytesRead;
  public final List<String> errors = new ArrayList<>();
  private final Set<String> seen = new HashSet<>();
  private final byte[] buf = new byte[128 << 10];

  /** Walks the default subvolume of an opened filesystem. */
  public static FsWalk of(Filesystem fs) throws IOException {
    Subvolume sv = fs.subvolume(fs.defaultSubvolumeId());
    Node root = new Node(sv, sv.rootDirIno());
    FsWalk w = new FsWalk();
    w.visit(new PathResolver(fs, root), root, 0);
    return w;
  }

  private void visit(PathResolver paths, Node n, int depth) {
    if (depth > MAX_DEPTH
        || nodes >= MAX_NODES
        || !seen.add(n.subvolume().id() + ":" + n.ino() + ":" + n.placeholderParent())) {
      return;
    }
    nodes++;
    InodeItem inode;
    try {
      inode = n.inode();
      if (inode == null) return;
      for (byte[] name : Xattrs.list(n)) Xattrs.get(n, name);
      if (FileType.isDir(inode.mode())) {
        for (DirEntry e : listAll(n)) {
          Node child;
          try {
            child = paths.target(n, e);
            paths.child(n, e.name()); // the DIR_ITEM lookup path, not just the DIR_INDEX one
          } catch (IOException ex) {
            fail(ex);
            continue;
          }
          visit(paths, child, depth + 1);
        }
      } else if ((inode.mode() & FileType.S_IFMT) == FileType.S_IFLNK) {
        bytesRead += FileReader.readLink(n, inode).length;
      } else if ((inode.mode() & FileType.S_IFMT) == FileType.S_IFREG) {
        readFile(n, inode);
      }
    } catch (IOException e) {
      fail(e);
    }
  }

  private List<DirEntry> listAll(Node dir) throws IOException {
    List<DirEntry> all = new ArrayList<>();
    long from = 0;
    while (all.size() < MAX_NODES) {
      List<DirEntry> batch = Directories.list(dir.subvolume(), dir.ino(), from, 256);
      if (batch.isEmpty()) break;
      all.addAll(batch);
      long last = batch.get(batch.size() - 1).index();
      if (last == -1L) break; // the next index would wrap around to 0 and loop forever
      from = last + 1;
    }
    return all;
  }

  private void readFile(Node n, InodeItem inode) throws IOException {
    long limit =
        Math.min(
            Long.compareUnsigned(inode.size(), MAX_FILE_BYTES) > 0 ? MAX_FILE_BYTES : inode.size(),
            MAX_FILE_BYTES);
    for (long pos = 0; pos < limit; ) {
      int got = FileReader.read(n, inode, pos, buf, 0, (int) Math.min(buf.length, limit - pos));
      if (got <= 0) break;
      pos += got;
      bytesRead += got;
    }
  }

  private void fail(IOException e) {
    ioErrors++;
    if (errors.size() < 20) errors.add(e.toString());
  }
}
