package org.jbtrfs.fuse;

import org.jbtrfs.format.InodeItem;
import org.jbtrfs.fs.Node;

/** What a FUSE file handle refers to: the node and its inode as of open. */
record OpenFile(Node node, InodeItem inode) {}
