package org.jbtrfs.fuse;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.write.MountedWriter;

/**
 * What every request handler shares: the filesystem, its writer (null on a read-only mount), the
 * kernel's node ids, open file handles, the lock discipline, and the reply shapes that carry an
 * inode's attributes.
 */
final class FuseFs {
  interface Op {
    int run() throws IOException;
  }

  /**
   * An open file or directory. {@code listing} is a directory handle's bound on what readdir
   * returns (null for files).
   */
  record Handle(Node node, boolean direct, DirListing listing) {}

  /**
   * How far a directory handle lists, as the kernel's btrfs does: up to the last dir index that
   * existed when it was opened (or rewound), so entries renamed during a listing (which get new,
   * higher indexes) are not returned again and the listing ends.
   */
  static final class DirListing {
    volatile long lastIndex;
    volatile boolean started;

    DirListing(long lastIndex) {
      this.lastIndex = lastIndex;
    }
  }

  final Filesystem fs;
  final MountedWriter rw;

  /** The background scrub of this mount, for the scrub ioctls. */
  final LiveScrub scrub;

  /** The background device replace of this mount, for the replace ioctls. */
  final LiveReplace replace;

  /** The balance of this mount: scrub, replace and device add wait or refuse while it runs. */
  final LiveBalance balance = new LiveBalance();

  final NodeTable nodes;
  private final NodeDecoder decoder;
  private final Node root;
  final CacheTimes cache;
  private final long mountedSubvolume;
  private final Map<Long, Handle> handles = new ConcurrentHashMap<>();
  private final Map<Node, Integer> openCounts = new ConcurrentHashMap<>();
  private final AtomicLong nextHandle = new AtomicLong(1);
  private final LinkDropsInFlight linkDrops = new LinkDropsInFlight();
  private volatile FuseSession session;

  /** POSIX ACLs decide access and are inherited (off with mount option noacl). */
  final boolean acl;

  /** The INIT flags agreed with the kernel. */
  volatile long negotiated;

  FuseFs(Filesystem fs, Node root, MountedWriter rw, boolean acl) {
    this.fs = fs;
    this.rw = rw;
    this.acl = acl;
    this.root = root;
    this.nodes = new NodeTable(root, NodeIds::of);
    this.decoder = new NodeDecoder(fs, root, nodes);
    this.mountedSubvolume = root.subvolume().id();
    // A scrub and a replace of one mount run one at a time, as the kernel's share its scrub code.
    this.scrub = new LiveScrub(fs, rw, () -> replacing() || balance.running());
    this.replace = new LiveReplace(fs, rw, () -> scrubbing() || balance.running());
    // Nothing changes under a read-only mount, so the kernel may cache for long. Read-write, all
    // changes pass through the kernel, which keeps its caches exact; a second bounds anything it
    // cannot see.
    this.cache = rw == null ? new CacheTimes(60, 60) : new CacheTimes(1, 1);
    // A deleted subvolume's tree is dropped only once none of its files is open, as the kernel
    // keeps a deleted root while inodes of it are in use.
    if (rw != null) rw.setBusySubvolumes(this::isOpenIn);
  }

  private boolean replacing() {
    return replace.running();
  }

  boolean scrubbing() {
    return scrub.running();
  }

  void attach(FuseSession s) {
    session = s;
  }

  /** Every request read, by the thread that sent it (see LinkDropsInFlight). */
  void requestFrom(int pid) {
    linkDrops.requestFrom(pid);
  }

  /** Runs a read-only operation (under the read lock when the mount is writable). */
  int reading(String op, long nodeid, Op body) {
    if (rw != null) rw.lock().beginRead();
    try {
      return body.run();
    } catch (Throwable t) {
      return Errno.of(t, op, "node " + nodeid);
    } finally {
      if (rw != null) rw.lock().endRead();
    }
  }

  /**
   * Runs a change under the write lock; EROFS on a read-only mount. Metadata for {@code items} tree
   * items is reserved before the change starts and what it did not use is given back after. Changes
   * that free space ({@code freesSpace}) may borrow from the global reserve, so a full filesystem
   * can be cleaned.
   */
  int changing(String op, long nodeid, int items, boolean freesSpace, Op body) {
    if (rw == null || rw.frozen()) return -Errno.EROFS;
    rw.lock().beginChange();
    int result;
    try {
      rw.engine().checkNotAborted();
      try (var reservation = rw.reserveChange(items, freesSpace)) {
        result = body.run();
      }
    } catch (Throwable t) {
      result = Errno.of(t, op, "node " + nodeid);
    } finally {
      rw.lock().endChange();
    }
    // Data a writeback queued goes to the devices now that nobody waits for the lock on it.
    try {
      rw.engine().writeQueuedData();
    } catch (Throwable t) {
      return Errno.of(t, op, "node " + nodeid);
    }
    return result;
  }

  /** The node behind a kernel node id, also one we no longer hold (see NodeIds). */
  Node node(long nodeid) throws IOException {
    Node n = nodes.node(nodeid);
    if (n == null) n = decoder.decode(nodeid);
    if (n == null) throw new FileNotFoundException("unknown node id " + nodeid);
    // A directory the kernel still caches in a deleted subvolume: gone, as under the kernel;
    // files open in it live on until closed.
    if (n.subvolume().isDeleted() && !isOpen(n)) {
      throw new FileNotFoundException("node " + nodeid + " is in a deleted subvolume");
    }
    return n;
  }

  /** Whether the inode of {@code n} is gone (an unlinked file, closed and deleted). */
  boolean inodeGone(Node n) throws IOException {
    return (rw != null ? rw.inode(n) : n.inode()) == null;
  }

  InodeItem inode(Node n) throws IOException {
    InodeItem i = rw != null ? rw.inode(n) : n.inode();
    if (i == null) throw new FileNotFoundException("inode " + n + " has no inode item");
    // The kernel's tree checker refuses such an inode (EIO); until jbtrfs's checker does too, and
    // for any inode that got past it, nothing is served from it.
    if (!FileModes.isShowable(i.mode()))
      throw new IOException(
          "inode " + n + ": invalid mode 0" + Integer.toOctalString(i.mode()) + " (corrupt inode)");
    return i;
  }

  /**
   * The directory {@code nodeid} is in: the one it was looked up from, else as the trees say; null
   * when it has none.
   */
  Node parent(long nodeid, Node n) throws IOException {
    Node p = nodes.parent(nodeid);
    return p != null ? p : ParentDirs.of(fs, root, n);
  }

  /** The subvolume this mount shows at its root. */
  long mountedSubvolume() {
    return mountedSubvolume;
  }

  /** The node a st_ino of this mount names (see InodeNumbers), or null if none does. */
  Node nodeOfIno(long stIno) throws IOException {
    long sv = stIno >>> InodeNumbers.SUBVOL_SHIFT;
    long ino = stIno & ((1L << InodeNumbers.SUBVOL_SHIFT) - 1);
    var subvolume = fs.subvolume(sv == 0 ? mountedSubvolume : sv);
    return subvolume == null ? null : new Node(subvolume, ino);
  }

  /** st_ino of a node (see InodeNumbers). */
  long ino(Node n) {
    return InodeNumbers.of(n, mountedSubvolume);
  }

  /** struct fuse_attr of {@code n}. */
  void attr(FuseReply out, Node n) throws IOException {
    attr(out, n, inode(n));
  }

  private void attr(FuseReply out, Node n, InodeItem i) {
    long nlink = linkDrops.reported(n, i.nlink(), out.request());
    out.attr(ino(n), i, nlink, fs.sectorSize(), rw == null ? 0 : rw.bufferedBytes(n));
  }

  /** struct fuse_attr_out of {@code n}. */
  int attrReply(FuseReply out, Node n) throws IOException {
    InodeItem i = inode(n);
    out.attrHeader(cache);
    attr(out, n, i);
    return 0;
  }

  /** struct fuse_statx_out for {@code n}: its attributes and birth time. */
  int statxReply(FuseReply out, Node n) throws IOException {
    InodeItem i = inode(n);
    long nlink = linkDrops.reported(n, i.nlink(), out.request());
    out.statx(cache, ino(n), i, nlink, fs.sectorSize(), rw == null ? 0 : rw.bufferedBytes(n));
    return 0;
  }

  /**
   * A change about to drop one name of the non-directory {@code victim} (unlink, rename over it):
   * attribute replies to requests read before this one's reply goes out carry its link count from
   * before (see LinkDropsInFlight).
   */
  void dropsLink(FuseReply out, Node victim, int pid) throws IOException {
    InodeItem i = inode(victim);
    if (FileType.isDir(i.mode())) return; // the kernel clears a directory's count: nothing to race
    FuseSession s = session;
    if (s == null) return;
    linkDrops.started(victim, i.nlink(), pid, s);
    out.beforeSend(() -> linkDrops.replying(victim, s));
  }

  /** struct fuse_entry_out for {@code child}, found in {@code parent}: one kernel reference. */
  int entryReply(FuseReply out, Node child, Node parent) throws IOException {
    return entryReply(out, child, parent, inode(child));
  }

  /** As above, with the child's inode already read (and checked) by the caller. */
  int entryReply(FuseReply out, Node child, Node parent, InodeItem i) {
    long id = nodes.lookedUp(child, parent);
    // The inode's generation goes into the kernel's file handles, so a handle of a deleted file
    // whose number a new file got (after a remount) is stale, as on the kernel's btrfs. FUSE fixes
    // the root's at 0.
    out.entryHeader(id, id == FuseProtocol.ROOT_ID ? 0 : i.generation(), cache);
    attr(out, child, i);
    return 0;
  }

  /** A name that does not exist, cached by the kernel like a positive entry. */
  int negativeEntryReply(FuseReply out) {
    out.entryHeader(0, 0, cache);
    out.zeros(FuseProtocol.ATTR);
    return 0;
  }

  /** Notes a read of {@code n}; when its atime changes, the kernel's cached copy is dropped. */
  void accessed(long nodeid, Node n) throws IOException {
    if (rw != null && rw.accessed(n)) {
      FuseSession s = session;
      if (s != null) s.invalidateAttributes(nodeid);
    }
  }

  /** Drops the kernel's cached entry {@code name} of {@code parent} and the parent's attributes. */
  void invalidateEntry(long parent, byte[] name) {
    FuseSession s = session;
    if (s == null) return;
    s.invalidateEntry(parent, name);
    s.invalidateAttributes(parent);
  }

  /** st_dev of the mount as its users see it (0 until the mount is live). */
  volatile long deviceNumber;

  // ---- open files ----

  long open(Node n, boolean direct) {
    return open(n, direct, null);
  }

  long open(Node n, boolean direct, DirListing listing) {
    long fh = nextHandle.getAndIncrement();
    handles.put(fh, new Handle(n, direct, listing));
    openCounts.merge(n, 1, Integer::sum);
    return fh;
  }

  Handle handle(long fh) {
    return handles.get(fh);
  }

  /** Closes a handle; true when it was the node's last. */
  boolean close(long fh, Node[] closed) {
    Handle h = handles.remove(fh);
    if (h == null) return false;
    closed[0] = h.node();
    boolean last = openCounts.computeIfPresent(h.node(), (k, v) -> v > 1 ? v - 1 : null) == null;
    // The last open file of a deleted subvolume: its drop may start.
    if (last && rw != null && h.node().subvolume().isDeleted()) rw.subvolumeDeleted();
    return last;
  }

  boolean isOpen(Node n) {
    return openCounts.containsKey(n);
  }

  /** True when some file or directory of subvolume {@code id} is open. */
  boolean isOpenIn(long subvolumeId) {
    return openCounts.keySet().stream().anyMatch(n -> n.subvolume().id() == subvolumeId);
  }
}
