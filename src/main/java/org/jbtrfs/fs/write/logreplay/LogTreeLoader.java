package org.jbtrfs.fs.write.logreplay;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.tree.MetadataReader;
import org.jbtrfs.tree.TreeBlock;

/**
 * Reads the tree of log roots the superblock points at and every per-subvolume log tree in it
 * (ROOT_ITEM keys with objectid TREE_LOG and the subvolume id as offset), reporting the address of
 * every block on the way: those blocks are free space to the committed state and must be kept from
 * allocation until the replay is committed.
 */
final class LogTreeLoader {
  private final MetadataReader reader;
  private final LongConsumer blockSeen;

  private LogTreeLoader(MetadataReader reader, LongConsumer blockSeen) {
    this.reader = reader;
    this.blockSeen = blockSeen;
  }

  /** The logs in descending subvolume id, the order the kernel replays them in. */
  static List<LogTree> load(MetadataReader reader, Superblock sb, LongConsumer blockSeen)
      throws IOException {
    LogTreeLoader l = new LogTreeLoader(reader, blockSeen);
    // The log was written by the transaction that never committed: one past the superblock's.
    TreeMap<Key, byte[]> roots = new TreeMap<>();
    l.walk(sb.logRootBytenr(), sb.generation() + 1, sb.logRootLevel(), roots);
    List<LogTree> logs = new ArrayList<>();
    for (var e : roots.descendingMap().entrySet()) {
      if (e.getKey().objectId() != ObjectIds.TREE_LOG || e.getKey().type() != ItemType.ROOT_ITEM) {
        continue;
      }
      RootItem ri = RootItem.parse(e.getValue(), 0, e.getValue().length);
      TreeMap<Key, byte[]> items = new TreeMap<>();
      l.walk(ri.bytenr(), ri.generation(), ri.level(), items);
      logs.add(new LogTree(e.getKey().offset(), items));
    }
    return logs;
  }

  private void walk(long bytenr, long generation, int level, TreeMap<Key, byte[]> into)
      throws IOException {
    TreeBlock b = reader.read(bytenr, generation, level);
    if (b.owner() != ObjectIds.TREE_LOG)
      throw new FormatException("log tree block " + bytenr + " has owner " + b.owner());
    blockSeen.accept(bytenr);
    if (b.isLeaf()) {
      for (int i = 0; i < b.nritems(); i++) {
        int off = b.itemDataOffset(i);
        into.put(b.key(i), Arrays.copyOfRange(b.raw(), off, off + b.itemDataSize(i)));
      }
      return;
    }
    for (int i = 0; i < b.nritems(); i++)
      walk(b.childBlockPtr(i), b.childGeneration(i), level - 1, into);
  }
}
