package org.jbtrfs.fs;

import java.io.FileNotFoundException;
import java.io.IOException;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;

/** Picks the mount's root: subvolid=, subvol= (a path from the top level), or the default. */
public final class SubvolumeSelector {
  private SubvolumeSelector() {}

  public static Node select(Filesystem fs, MountOptions o) throws IOException {
    Node root;
    if (o.subvolId() != null) {
      Subvolume sv = fs.subvolume(o.subvolId());
      root = new Node(sv, sv.rootDirIno());
    } else if (o.subvol() != null) {
      Subvolume top = fs.subvolume(org.jbtrfs.format.ObjectIds.FS_TREE);
      PathResolver r = new PathResolver(fs, new Node(top, top.rootDirIno()));
      String p = o.subvol().startsWith("/") ? o.subvol() : "/" + o.subvol();
      if (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
      root = r.resolve(p);
      if (root == null) throw new FileNotFoundException("subvol=" + o.subvol() + " does not exist");
      if (root.ino() != root.subvolume().rootDirIno()) {
        throw new IOException("subvol=" + o.subvol() + " is not a subvolume");
      }
    } else {
      Subvolume sv = fs.subvolume(fs.defaultSubvolumeId());
      root = new Node(sv, sv.rootDirIno());
    }
    InodeItem i = root.inode();
    if (i == null || !FileType.isDir(i.mode()))
      throw new IOException("subvolume root " + root + " is not a directory");
    return root;
  }
}
