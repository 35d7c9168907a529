package org.jbtrfs.fs;

/** An inode as the user sees it: which file tree it lives in, and its number there. */
public record Node(Subvolume subvolume, long ino) {
  @Override
  public String toString() {
    return subvolume.id() + ":" + ino;
  }
}
