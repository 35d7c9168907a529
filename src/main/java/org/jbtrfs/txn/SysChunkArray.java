package org.jbtrfs.txn;

import java.io.ByteArrayOutputStream;
import org.jbtrfs.format.ChunkItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.Key;

/** Edits of the superblock's system chunk array: (key, chunk item) pairs back to back. */
final class SysChunkArray {
  private SysChunkArray() {}

  /** The array without the chunk at {@code logical}; refuses when it is not there. */
  static byte[] without(byte[] array, long logical) throws FormatException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean found = false;
    int pos = 0;
    while (pos < array.length) {
      if (pos + Key.SIZE > array.length) throw new FormatException("system chunk array truncated");
      Key key = Key.read(array, pos);
      ChunkItem item = ChunkItem.parse(array, pos + Key.SIZE, array.length - pos - Key.SIZE);
      int len = Key.SIZE + ChunkItem.sizeFor(item.stripes().size());
      if (key.offset() == logical) found = true;
      else out.write(array, pos, len);
      pos += len;
    }
    if (!found) throw new FormatException("system chunk " + logical + " not in the chunk array");
    return out.toByteArray();
  }
}
