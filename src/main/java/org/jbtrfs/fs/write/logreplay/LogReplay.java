package org.jbtrfs.fs.write.logreplay;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.UnsupportedFeatureException;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.txn.WriteEngine;

/**
 * Replays the fsync log a crash left behind, as the kernel does when it mounts such a filesystem
 * read-write: the log's blocks are kept from allocation, then every log is replayed in three passes
 * (inode items; dir index entries; back references, xattrs and file extents, followed by the link
 * count fixup), and one commit makes the result durable and clears the superblock's log root. The
 * log's blocks were never in the extent tree, so after that commit they are simply free.
 *
 * <p>Anything the replay cannot do exactly as the kernel would stops it before anything is written,
 * with a message naming what it met; the image stays as it was.
 */
public final class LogReplay {
  private static final Logger LOG = Logger.getLogger(LogReplay.class.getName());

  private LogReplay() {}

  /**
   * The write engine for {@code fs}; when the filesystem carries an fsync log, the log is replayed
   * and committed first.
   */
  public static WriteEngine openEngine(Filesystem fs) throws IOException {
    if (fs.superblock().logRootBytenr() == 0) return WriteEngine.open(fs);
    WriteEngine engine = WriteEngine.openForLogReplay(fs);
    int nodeSize = fs.superblock().nodeSize();
    List<LogTree> logs;
    try {
      logs =
          LogTreeLoader.load(
              fs.metadata(),
              fs.superblock(),
              bytenr -> engine.groups().holdUntilCommit(bytenr, nodeSize));
      replayAll(engine, logs);
    } catch (IOException | RuntimeException e) {
      engine.abort(e);
      throw new UnsupportedFeatureException(
          "cannot replay the fsync log left by an unclean shutdown: "
              + e.getMessage()
              + "; nothing was written (the kernel can replay it)");
    }
    engine.commit();
    int items = 0;
    for (LogTree l : logs) items += l.items().size();
    LOG.info("replayed the fsync log: " + logs.size() + " log tree(s), " + items + " item(s)");
    return engine;
  }

  private static void replayAll(WriteEngine engine, List<LogTree> logs) throws IOException {
    List<ReplayTarget> targets = new ArrayList<>();
    for (LogTree log : logs) {
      if (!subvolumeExists(engine, log.subvolumeId())) {
        LOG.info("skipping the log of deleted subvolume " + log.subvolumeId());
        continue;
      }
      targets.add(new ReplayTarget(engine, log));
    }
    for (ReplayTarget t : targets) {
      InodeReplay inodes = new InodeReplay(t);
      for (Map.Entry<Key, byte[]> e : t.log.items().entrySet())
        if (e.getKey().type() == ItemType.INODE_ITEM)
          inodes.replay(e.getKey().objectId(), e.getValue());
    }
    for (ReplayTarget t : targets) {
      DirIndexReplay names = new DirIndexReplay(t);
      for (Map.Entry<Key, byte[]> e : t.log.items().entrySet())
        if (e.getKey().type() == ItemType.DIR_INDEX && !t.ignored.contains(e.getKey().objectId()))
          names.replay(e.getKey(), e.getValue());
    }
    for (ReplayTarget t : targets) {
      InodeRefReplay refs = new InodeRefReplay(t);
      ExtentReplay extents = new ExtentReplay(t);
      for (Map.Entry<Key, byte[]> e : t.log.items().entrySet()) {
        Key k = e.getKey();
        if (t.ignored.contains(k.objectId())) continue;
        switch (k.type()) {
          case ItemType.XATTR_ITEM -> copyItem(t, k, e.getValue());
          case ItemType.INODE_REF, ItemType.INODE_EXTREF -> refs.replay(k, e.getValue());
          case ItemType.EXTENT_DATA -> extents.replay(k, e.getValue());
          default -> {
            // Inode items and dir entries were done above; dir log ranges and csums are read
            // through the log; other item types the kernel does not replay either.
          }
        }
      }
      new LinkCountFixup(t).run();
    }
  }

  private static void copyItem(ReplayTarget t, Key key, byte[] logged) throws IOException {
    byte[] cur = t.tree().get(key);
    if (cur == null || !Arrays.equals(cur, logged)) t.tree().put(key, logged);
  }

  private static boolean subvolumeExists(WriteEngine engine, long id) throws IOException {
    if (id != ObjectIds.FS_TREE && !ObjectIds.isFsTree(id)) return false;
    var c =
        engine.tree(ObjectIds.ROOT_TREE).readView().seekCeil(new Key(id, ItemType.ROOT_ITEM, 0));
    return c.valid() && c.objectId() == id && c.type() == ItemType.ROOT_ITEM;
  }
}
