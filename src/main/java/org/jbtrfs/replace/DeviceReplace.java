package org.jbtrfs.replace;

import java.io.IOException;
import java.util.logging.Logger;
import org.jbtrfs.device.Device;
import org.jbtrfs.format.DevExtentItem;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.DeviceSet;
import org.jbtrfs.volume.Stripe;
import org.jbtrfs.volume.StripeRebuild;

/**
 * The copy of a device replace, as the kernel's: from the moment it begins, every write to the
 * source device also goes to the target; then every device extent of the source is copied to the
 * same offset of the target, piece by piece, in device order (read from the source, or rebuilt from
 * the other copies or the parity when the source is missing, fails, or is to be spared), each piece
 * with no logical write between its read and its write. Once the copy reaches the end the target
 * holds what the source should, and {@link #swapIn} makes it that device.
 */
public final class DeviceReplace {
  private static final Logger LOG = Logger.getLogger(DeviceReplace.class.getName());

  private final Filesystem fs;
  private final long source;
  private final Device target;
  private final boolean spareSource;
  private final long total;
  private long cursor;
  private long copied;
  private long readErrors;
  private boolean begun;

  /**
   * A replace of devid {@code source} by {@code target}, refused before anything is written when
   * the target is smaller than the source or the source is not a member.
   */
  public DeviceReplace(Filesystem fs, long source, Device target, boolean spareSource)
      throws IOException {
    this.fs = fs;
    this.source = source;
    this.target = target;
    this.spareSource = spareSource;
    DevItem item = null;
    for (DevItem d : fs.devItems()) if (d.devid() == source) item = d;
    if (item == null)
      throw new FormatException("the filesystem has no device with devid " + source);
    if (target.size() < item.totalBytes()) {
      throw new FormatException(
          "target device "
              + target.name()
              + " is smaller than the source (devid "
              + source
              + "): "
              + target.size()
              + " < "
              + item.totalBytes()
              + " bytes");
    }
    this.total = allocatedOnSource();
  }

  /** Whether {@code dev} holds a btrfs superblock (a target that would need -f to overwrite). */
  public static boolean holdsBtrfs(Device dev) throws IOException {
    long off = Superblock.MIRROR_OFFSETS[0];
    if (dev.size() < off + Superblock.SIZE) return false;
    byte[] magic = new byte[8];
    dev.read(off + Superblock.OFF_MAGIC, magic, 0, 8);
    return Le.u64(magic, 0) == Superblock.MAGIC;
  }

  public long source() {
    return source;
  }

  public Device target() {
    return target;
  }

  /**
   * From now on, writes to the source go to the target too. The target is discarded first, as the
   * kernel trims it: what the copy skips (space no extent uses) is then nobody's.
   */
  public void begin() throws IOException {
    if (target.discard(0, target.size())) LOG.info("discarded all of " + target.name());
    fs.devices().mirrorWrites(source, target);
    begun = true;
    LOG.info("replace of devid " + source + " by " + target.name() + " begun");
  }

  /** Bytes of device extents on the source, and of those copied so far: {done, total}. */
  public long[] progress() {
    return new long[] {copied, total};
  }

  public long readErrors() {
    return readErrors;
  }

  /**
   * Copies the next piece of at most {@code bytes}; false when every device extent of the source is
   * on the target.
   */
  public boolean step(int bytes) throws IOException {
    if (!begun) throw new IllegalStateException("begin() first");
    Tree devTree = fs.treeOf(ObjectIds.DEV_TREE);
    if (devTree == null) throw new FormatException("no device tree: nothing says what to copy");
    Extent e = extentAtOrAfter(devTree, cursor);
    if (e == null) return false;
    long from = Math.max(cursor, e.offset);
    int n = (int) Math.min(bytes, e.offset + e.length - from);
    ChunkMapping c = chunkOf(e);
    long[] span = c == null ? null : StripeRebuild.logicalSpan(c, from - e.offset, n);
    // Space no extent uses is not copied, as the kernel's replace copies only what scrub reads;
    // on RAID5/6 a piece is copied whole when any data of its rows is in use, since the parity
    // of those rows was made from every strip.
    if (c != null && ExtentsInUse.any(fs, span[0], span[1])) {
      int stripe = stripeOf(c, e.offset);
      byte[] buf = new byte[n];
      DeviceSet devices = fs.devices();
      devices.excludingWrites(
          () -> {
            try {
              StripeRebuild.read(c, stripe, from - e.offset, buf, n, devices, spareSource);
            } catch (IOException unreadable) {
              readErrors++;
              throw new IOException(
                  "replace of devid "
                      + source
                      + ": no good copy of device bytes "
                      + from
                      + "+"
                      + n
                      + " (chunk "
                      + c.logical()
                      + "): "
                      + unreadable.getMessage(),
                  unreadable);
            }
            target.write(from, buf, 0, n);
          });
    }
    cursor = from + n;
    copied += n;
    return true;
  }

  /** The copy is complete: the target becomes the source's devid; returns the old device. */
  public Device swapIn() throws IOException {
    target.flush();
    Device old = fs.devices().swapInTarget(source);
    LOG.info("replace of devid " + source + ": " + target.name() + " took its place");
    return old;
  }

  /** Cancelled or failed: writes go to the source alone again. */
  public void abandon() {
    if (begun) fs.devices().stopMirroring();
    begun = false;
  }

  private record Extent(long offset, long length, long chunkOffset) {}

  /** The source's device extent holding {@code at}, or the first after it. */
  private Extent extentAtOrAfter(Tree devTree, long at) throws IOException {
    Cursor c = devTree.seekFloor(new Key(source, ItemType.DEV_EXTENT, at));
    if (c != null && c.valid()) {
      Extent e = extent(c);
      if (e != null && e.offset + e.length > at) return e;
    }
    c = devTree.seekCeil(new Key(source, ItemType.DEV_EXTENT, at));
    return c != null && c.valid() ? extent(c) : null;
  }

  private Extent extent(Cursor c) throws FormatException {
    if (c.objectId() != source || c.type() != ItemType.DEV_EXTENT) return null;
    DevExtentItem d = DevExtentItem.parse(c.raw(), c.dataOffset(), c.dataSize());
    return new Extent(c.offset(), d.length(), d.chunkOffset());
  }

  /** The chunk of a device extent, or null when it is gone (its space no longer used). */
  private ChunkMapping chunkOf(Extent e) {
    try {
      ChunkMapping c = fs.chunks().lookup(e.chunkOffset);
      return c.logical() == e.chunkOffset ? c : null;
    } catch (IOException gone) {
      return null;
    }
  }

  private int stripeOf(ChunkMapping c, long offset) throws FormatException {
    for (int i = 0; i < c.stripes().size(); i++) {
      Stripe s = c.stripes().get(i);
      if (s.devid() == source && s.offset() == offset) return i;
    }
    throw new FormatException(
        "chunk " + c.logical() + " has no stripe at devid " + source + " offset " + offset);
  }

  private long allocatedOnSource() throws IOException {
    Tree devTree = fs.treeOf(ObjectIds.DEV_TREE);
    long sum = 0;
    if (devTree == null) return 0;
    for (Cursor c = devTree.seekCeil(new Key(source, ItemType.DEV_EXTENT, 0));
        c.valid() && c.objectId() == source && c.type() == ItemType.DEV_EXTENT;
        c.next()) {
      sum += DevExtentItem.parse(c.raw(), c.dataOffset(), c.dataSize()).length();
    }
    return sum;
  }
}
