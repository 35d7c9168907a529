package org.jbtrfs.fs.write;

import static org.jbtrfs.format.ByteArrays.concat;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.InodeRef;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.NameHash;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.format.UnsupportedFeatureException;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.WritableTree;

/**
 * Directory entries and the inode back references that mirror them. A name lives in three items:
 * DIR_ITEM (by name hash, for lookup), DIR_INDEX (by sequence, for readdir) and INODE_REF (or
 * INODE_EXTREF) on the child; a directory's size counts each name twice.
 */
public final class Entries {
  public static final int NAME_MAX = 255;

  private final FileTree ft;

  public Entries(FileTree ft) {
    this.ft = ft;
  }

  /** A resolved entry: child inode, its type and the entry's dir index. */
  public record Entry(long ino, int type, long index) {}

  public Entry lookup(long dir, byte[] name) throws IOException {
    byte[] raw = ft.tree().get(new Key(dir, ItemType.DIR_ITEM, NameHash.crc32cName(name)));
    if (raw == null) return null;
    for (DirItem d : DirItem.parseAll(raw, 0, raw.length)) {
      if (Arrays.equals(d.name(), name)) {
        if (d.location().type() != ItemType.INODE_ITEM) {
          throw new UnsupportedFeatureException("changing subvolume links is not supported yet");
        }
        return new Entry(
            d.location().objectId(), d.type(), indexOf(dir, name, d.location().objectId()));
      }
    }
    return null;
  }

  /** Adds entry {@code name} -> {@code child} in {@code dir}; the child's nlink is the caller's. */
  public long add(long dir, byte[] name, long child, int fileType) throws IOException {
    checkName(name);
    if (lookup(dir, name) != null) throw new FileAlreadyExistsException(new String(name));
    long index = nextIndex(dir);
    addAt(dir, name, child, fileType, index, true, true);
    return index;
  }

  /**
   * Adds entry {@code name} -> {@code child} at dir index {@code index}. Log replay gives the index
   * the log recorded, adds the back reference only when the log does not carry it ({@code
   * backref}), and keeps the directory's times, which the replayed inode item sets.
   */
  public void addAt(
      long dir,
      byte[] name,
      long child,
      int fileType,
      long index,
      boolean backref,
      boolean touchTimes)
      throws IOException {
    insert(dir, name, new Key(child, ItemType.INODE_ITEM, 0), fileType, index, touchTimes);
    if (backref) addRef(child, dir, index, name);
  }

  /**
   * Links subvolume {@code subvol} into {@code dir} as {@code name}; the root tree's ROOT_REF and
   * ROOT_BACKREF are its back references. The kernel writes the location's offset as -1 for a
   * snapshot and 0 for a new subvolume.
   */
  public long addSubvolumeLink(long dir, byte[] name, long subvol, long locationOffset)
      throws IOException {
    checkName(name);
    if (exists(dir, name)) throw new FileAlreadyExistsException(new String(name));
    long index = nextIndex(dir);
    insert(
        dir, name, new Key(subvol, ItemType.ROOT_ITEM, locationOffset), FileType.DIR, index, true);
    return index;
  }

  /** True when {@code dir} has an entry {@code name}, whatever it links (file or subvolume). */
  public boolean exists(long dir, byte[] name) throws IOException {
    byte[] raw = ft.tree().get(new Key(dir, ItemType.DIR_ITEM, NameHash.crc32cName(name)));
    if (raw == null) return false;
    for (DirItem d : DirItem.parseAll(raw, 0, raw.length)) {
      if (Arrays.equals(d.name(), name)) return true;
    }
    return false;
  }

  private void insert(
      long dir, byte[] name, Key location, int fileType, long index, boolean touchTimes)
      throws IOException {
    WritableTree t = ft.tree();
    DirItem entry = new DirItem(location, ft.transid(), fileType, name, new byte[0]);
    byte[] enc = entry.encode();
    if (!t.insert(new Key(dir, ItemType.DIR_INDEX, index), enc))
      throw new FormatException("directory " + dir + " already has an entry at index " + index);
    Key itemKey = new Key(dir, ItemType.DIR_ITEM, NameHash.crc32cName(name));
    byte[] existing = t.get(itemKey);
    t.put(itemKey, existing == null ? enc : concat(existing, enc));
    InodeItem d = ft.inode(dir);
    d = d.withSize(d.size() + 2L * name.length, d.nbytes());
    if (touchTimes) {
      Timespec now = FileTree.now();
      d = d.withTimes(d.atime(), now, now);
    }
    ft.putInode(dir, d);
  }

  /** Removes entry {@code name} from {@code dir}; returns the child it named. */
  public Entry remove(long dir, byte[] name) throws IOException {
    Entry e = lookup(dir, name);
    if (e == null) throw new FileNotFoundException(new String(name));
    WritableTree t = ft.tree();
    Key itemKey = new Key(dir, ItemType.DIR_ITEM, NameHash.crc32cName(name));
    byte[] rest = without(t.get(itemKey), name);
    if (rest.length == 0) t.delete(itemKey);
    else t.put(itemKey, rest);
    t.delete(new Key(dir, ItemType.DIR_INDEX, e.index()));
    removeRef(e.ino(), dir, name);
    InodeItem d = ft.inode(dir);
    Timespec now = FileTree.now();
    ft.putInode(
        dir, d.withSize(d.size() - 2L * name.length, d.nbytes()).withTimes(d.atime(), now, now));
    return e;
  }

  /**
   * Removes the entry {@code name} of {@code dir} that links a subvolume (the caller removes the
   * root refs); returns the subvolume's id.
   */
  public long removeSubvolumeLink(long dir, byte[] name, long index) throws IOException {
    WritableTree t = ft.tree();
    Key itemKey = new Key(dir, ItemType.DIR_ITEM, NameHash.crc32cName(name));
    byte[] raw = t.get(itemKey);
    DirItem link = null;
    if (raw != null) {
      for (DirItem d : DirItem.parseAll(raw, 0, raw.length)) {
        if (Arrays.equals(d.name(), name)) link = d;
      }
    }
    if (link == null || link.location().type() != ItemType.ROOT_ITEM) {
      throw new FormatException(
          "directory " + dir + " has no subvolume entry " + new String(name) + " to remove");
    }
    byte[] rest = without(raw, name);
    if (rest.length == 0) t.delete(itemKey);
    else t.put(itemKey, rest);
    if (!t.delete(new Key(dir, ItemType.DIR_INDEX, index))) {
      throw new FormatException("directory " + dir + " has no index " + index + " for the entry");
    }
    InodeItem d = ft.inode(dir);
    Timespec now = FileTree.now();
    ft.putInode(
        dir, d.withSize(d.size() - 2L * name.length, d.nbytes()).withTimes(d.atime(), now, now));
    return link.location().objectId();
  }

  /** True when the directory has no entries. */
  public boolean isEmpty(long dir) throws IOException {
    Cursor c = ft.tree().readView().seekCeil(new Key(dir, ItemType.DIR_INDEX, 0));
    return !(c.valid() && c.objectId() == dir && c.type() == ItemType.DIR_INDEX);
  }

  /** Names in {@code dir}, in index order. */
  public List<byte[]> names(long dir) throws IOException {
    List<byte[]> out = new ArrayList<>();
    Cursor c = ft.tree().readView().seekCeil(new Key(dir, ItemType.DIR_INDEX, 0));
    for (; c.valid() && c.objectId() == dir && c.type() == ItemType.DIR_INDEX; c.next()) {
      for (DirItem d : DirItem.parseAll(c.raw(), c.dataOffset(), c.dataSize())) out.add(d.name());
    }
    return out;
  }

  private long nextIndex(long dir) throws IOException {
    Cursor c = ft.tree().readView().seekFloor(new Key(dir, ItemType.DIR_INDEX, -1L));
    if (c.valid() && c.objectId() == dir && c.type() == ItemType.DIR_INDEX) return c.offset() + 1;
    return 2;
  }

  private long indexOf(long dir, byte[] name, long child) throws IOException {
    for (InodeRef r : refs(child))
      if (r.parent() == dir && Arrays.equals(r.name(), name)) return r.index();
    throw new FormatException(
        "entry in directory " + dir + " has no back reference on inode " + child);
  }

  /** Every name the inode has, from INODE_REF and INODE_EXTREF items. */
  public List<InodeRef> refs(long ino) throws IOException {
    List<InodeRef> out = new ArrayList<>();
    Cursor c = ft.tree().readView().seekCeil(new Key(ino, ItemType.INODE_REF, 0));
    for (;
        c.valid()
            && c.objectId() == ino
            && (c.type() == ItemType.INODE_REF || c.type() == ItemType.INODE_EXTREF);
        c.next()) {
      out.addAll(
          c.type() == ItemType.INODE_REF
              ? InodeRef.parseRefs(c.offset(), c.raw(), c.dataOffset(), c.dataSize())
              : InodeRef.parseExtrefs(c.raw(), c.dataOffset(), c.dataSize()));
    }
    return out;
  }

  private void addRef(long child, long dir, long index, byte[] name) throws IOException {
    WritableTree t = ft.tree();
    Key key = new Key(child, ItemType.INODE_REF, dir);
    byte[] existing = t.get(key);
    byte[] enc = new InodeRef(dir, index, name).encodeRef();
    int maxItem = (ft.engine().fs().superblock().nodeSize() - 101) / 2;
    if (existing == null || existing.length + enc.length <= maxItem) {
      t.put(key, existing == null ? enc : concat(existing, enc));
      return;
    }
    if ((ft.engine().fs().superblock().incompatFlags() & FeatureFlags.INCOMPAT_EXTENDED_IREF)
        == 0) {
      throw new FormatException("too many links (extended inode refs are off)");
    }
    byte[] ext = new InodeRef(dir, index, name).encodeExtref();
    Key extKey = new Key(child, ItemType.INODE_EXTREF, NameHash.extrefHash(dir, name));
    byte[] prev = t.get(extKey);
    t.put(extKey, prev == null ? ext : concat(prev, ext));
  }

  private void removeRef(long child, long dir, byte[] name) throws IOException {
    WritableTree t = ft.tree();
    Key key = new Key(child, ItemType.INODE_REF, dir);
    byte[] raw = t.get(key);
    if (raw != null) {
      List<InodeRef> refs = InodeRef.parseRefs(dir, raw, 0, raw.length);
      List<InodeRef> keep = new ArrayList<>();
      for (InodeRef r : refs) if (!Arrays.equals(r.name(), name)) keep.add(r);
      if (keep.size() < refs.size()) {
        if (keep.isEmpty()) t.delete(key);
        else t.put(key, encodeRefs(keep));
        return;
      }
    }
    Key extKey = new Key(child, ItemType.INODE_EXTREF, NameHash.extrefHash(dir, name));
    byte[] ext = t.get(extKey);
    if (ext == null)
      throw new FormatException("inode " + child + " has no back reference for its name");
    List<InodeRef> refs = InodeRef.parseExtrefs(ext, 0, ext.length);
    List<byte[]> keep = new ArrayList<>();
    for (InodeRef r : refs) {
      if (r.parent() == dir && Arrays.equals(r.name(), name)) continue;
      keep.add(r.encodeExtref());
    }
    if (keep.isEmpty()) t.delete(extKey);
    else t.put(extKey, concat(keep.toArray(new byte[0][])));
  }

  private static byte[] encodeRefs(List<InodeRef> refs) {
    byte[][] parts = new byte[refs.size()][];
    for (int i = 0; i < parts.length; i++) parts[i] = refs.get(i).encodeRef();
    return concat(parts);
  }

  private static byte[] without(byte[] item, byte[] name) throws FormatException {
    List<byte[]> keep = new ArrayList<>();
    for (DirItem d : DirItem.parseAll(item, 0, item.length))
      if (!Arrays.equals(d.name(), name)) keep.add(d.encode());
    return concat(keep.toArray(new byte[0][]));
  }

  static void checkName(byte[] name) throws IOException {
    if (name.length > NAME_MAX)
      throw new FsError(FsError.ENAMETOOLONG, "name longer than " + NAME_MAX);
    if (name.length == 0) throw new FsError(FsError.ENOENT, "empty name");
    for (byte b : name)
      if (b == '/' || b == 0) throw new FsError(FsError.EINVAL, "invalid character in name");
    if ((name.length == 1 && name[0] == '.')
        || (name.length == 2 && name[0] == '.' && name[1] == '.')) {
      throw new FsError(FsError.EEXIST, "reserved name");
    }
  }
}
