package org.jbtrfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.format.RootItemLayout;
import org.jbtrfs.format.RootRef;

/**
 * What `subvolume list` and `show` print of one subvolume, read from its root item and root back
 * reference as btrfs-progs reads them. Deleted subvolumes still being dropped are not listed.
 */
record SubvolumeInfo(
    long id,
    long keyOffset,
    long generation,
    long otransid,
    long parent,
    String path,
    long flags,
    byte[] uuid,
    byte[] parentUuid,
    byte[] receivedUuid,
    long otime,
    long stransid,
    long rtransid,
    long rtime) {

  boolean isReadOnly() {
    return (flags & RootItem.FLAG_RDONLY) != 0;
  }

  /** The name: the last part of its path ("<FS_TREE>" for the top level). */
  String name() {
    if (id == ObjectIds.FS_TREE) return "<FS_TREE>";
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  /** Every subvolume but the top level, in id order. */
  static List<SubvolumeInfo> all(RootTreeSource src) throws IOException {
    Map<Long, byte[]> rootItems = new HashMap<>();
    Map<Long, Key> rootKeys = new HashMap<>();
    Map<Long, Long> parents = new HashMap<>();
    Map<Long, RootRef> refs = new HashMap<>();
    List<Long> order = new ArrayList<>();
    for (RootTreeSource.Item i :
        src.items(
            ObjectIds.ROOT_TREE,
            new Key(ObjectIds.FIRST_FREE, ItemType.ROOT_ITEM, 0),
            new Key(ObjectIds.LAST_FREE, ItemType.ROOT_BACKREF, -1L))) {
      long id = i.key().objectId();
      if (i.key().type() == ItemType.ROOT_ITEM) {
        rootItems.put(id, i.data());
        rootKeys.put(id, i.key());
      } else if (i.key().type() == ItemType.ROOT_BACKREF && !parents.containsKey(id)) {
        parents.put(id, i.key().offset());
        refs.put(id, RootRef.parse(i.data(), 0, i.data().length));
        order.add(id);
      }
    }
    Map<Long, String> paths = new HashMap<>();
    paths.put(ObjectIds.FS_TREE, "");
    List<SubvolumeInfo> out = new ArrayList<>();
    for (long id : order) {
      byte[] item = rootItems.get(id);
      if (item == null || Le.u32(item, RootItemLayout.REFS) == 0) continue;
      String path = pathOf(id, src, parents, refs, paths, 0);
      out.add(of(id, rootKeys.get(id).offset(), item, parents.get(id), path));
    }
    return out;
  }

  /** The same subvolume shown under another path. */
  SubvolumeInfo withPath(String shown) {
    return new SubvolumeInfo(
        id,
        keyOffset,
        generation,
        otransid,
        parent,
        shown,
        flags,
        uuid,
        parentUuid,
        receivedUuid,
        otime,
        stransid,
        rtransid,
        rtime);
  }

  /**
   * Deleted subvolumes whose trees are still being dropped (an ORPHAN_ITEM names each), as `list
   * -d` prints them: top level 0, path "DELETED".
   */
  static List<SubvolumeInfo> deleted(RootTreeSource src) throws IOException {
    List<SubvolumeInfo> out = new ArrayList<>();
    for (long id : src.deletedIds()) {
      RootTreeSource.Item item = src.rootItem(id);
      if (item != null) out.add(of(id, item.key().offset(), item.data(), 0, "DELETED"));
    }
    return out;
  }

  /** The top-level subvolume (id 5), as `show /` prints it. */
  static SubvolumeInfo topLevel(RootTreeSource src) throws IOException {
    RootTreeSource.Item item = src.rootItem(ObjectIds.FS_TREE);
    if (item == null) throw new IOException("the top-level subvolume has no root item");
    return of(ObjectIds.FS_TREE, 0, item.data(), 0, "");
  }

  private static String pathOf(
      long id,
      RootTreeSource src,
      Map<Long, Long> parents,
      Map<Long, RootRef> refs,
      Map<Long, String> paths,
      int depth)
      throws IOException {
    String known = paths.get(id);
    if (known != null) return known;
    Long parent = parents.get(id);
    if (parent == null || depth > 4096) throw new IOException("subvolume " + id + " is unlinked");
    String above = pathOf(parent, src, parents, refs, paths, depth + 1);
    RootRef ref = refs.get(id);
    String path =
        (above.isEmpty() ? "" : above + "/")
            + src.dirPath(parent, ref.dirId())
            + new String(ref.name(), StandardCharsets.UTF_8);
    paths.put(id, path);
    return path;
  }

  private static SubvolumeInfo of(long id, long keyOffset, byte[] item, long parent, String path)
      throws IOException {
    RootItem r = RootItem.parse(item, 0, item.length);
    boolean v2 = item.length >= RootItemLayout.SIZE;
    return new SubvolumeInfo(
        id,
        keyOffset,
        r.generation(),
        r.otransid(),
        parent,
        path,
        r.flags(),
        r.uuid(),
        r.parentUuid(),
        v2 ? copy(item, RootItemLayout.RECEIVED_UUID) : new byte[16],
        r.otime().sec(),
        v2 ? Le.u64(item, RootItemLayout.STRANSID) : 0,
        v2 ? Le.u64(item, RootItemLayout.RTRANSID) : 0,
        v2 ? Le.u64(item, RootItemLayout.RTIME) : 0);
  }

  private static byte[] copy(byte[] item, int at) {
    return java.util.Arrays.copyOfRange(item, at, at + 16);
  }
}
