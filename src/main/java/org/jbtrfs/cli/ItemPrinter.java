package org.jbtrfs.cli;

import java.nio.charset.StandardCharsets;
import org.jbtrfs.format.ChunkItem;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.InodeRef;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.RootItem;

/** A one-line description of the common item types, for dump-tree. */
final class ItemPrinter {
  private ItemPrinter() {}

  static String describe(int type, byte[] b, int off, int size) {
    try {
      return switch (type) {
        case ItemType.INODE_ITEM -> {
          InodeItem i = InodeItem.parse(b, off);
          yield "inode size "
              + i.size()
              + " nbytes "
              + i.nbytes()
              + " nlink "
              + i.nlink()
              + " uid "
              + i.uid()
              + " gid "
              + i.gid()
              + " mode "
              + Integer.toOctalString(i.mode())
              + " flags 0x"
              + Long.toHexString(i.flags());
        }
        case ItemType.DIR_ITEM, ItemType.DIR_INDEX, ItemType.XATTR_ITEM -> {
          StringBuilder sb = new StringBuilder();
          for (DirItem d : DirItem.parseAll(b, off, size)) {
            sb.append("location ")
                .append(d.location())
                .append(" type ")
                .append(d.type())
                .append(" name ")
                .append(new String(d.name(), StandardCharsets.UTF_8))
                .append(" data_len ")
                .append(d.data().length)
                .append(' ');
          }
          yield sb.toString().trim();
        }
        case ItemType.INODE_REF -> {
          StringBuilder sb = new StringBuilder();
          for (InodeRef r : InodeRef.parseRefs(0, b, off, size)) {
            sb.append("index ")
                .append(r.index())
                .append(" name ")
                .append(new String(r.name(), StandardCharsets.UTF_8))
                .append(' ');
          }
          yield sb.toString().trim();
        }
        case ItemType.EXTENT_DATA -> {
          FileExtentItem f = FileExtentItem.parse(b, off, size);
          yield f.isInline()
              ? "inline ram_bytes "
                  + f.ramBytes()
                  + " compression "
                  + f.compression()
                  + " size "
                  + f.inlineDataSize()
              : "type "
                  + f.type()
                  + " disk_bytenr "
                  + f.diskBytenr()
                  + " disk_num_bytes "
                  + f.diskNumBytes()
                  + " offset "
                  + f.offset()
                  + " num_bytes "
                  + f.numBytes()
                  + " ram_bytes "
                  + f.ramBytes()
                  + " compression "
                  + f.compression();
        }
        case ItemType.ROOT_ITEM -> {
          RootItem r = RootItem.parse(b, off, size);
          yield "root bytenr "
              + r.bytenr()
              + " level "
              + r.level()
              + " generation "
              + r.generation()
              + " root_dirid "
              + r.rootDirId()
              + " refs "
              + r.refs()
              + " flags 0x"
              + Long.toHexString(r.flags());
        }
        case ItemType.CHUNK_ITEM -> {
          ChunkItem c = ChunkItem.parse(b, off, size);
          StringBuilder sb =
              new StringBuilder(
                  "chunk length "
                      + c.length()
                      + " type 0x"
                      + Long.toHexString(c.type())
                      + " num_stripes "
                      + c.stripes().size()
                      + " sub_stripes "
                      + c.subStripes());
          for (ChunkItem.Stripe s : c.stripes())
            sb.append(" [devid ")
                .append(s.devid())
                .append(" offset ")
                .append(s.offset())
                .append(']');
          yield sb.toString();
        }
        default -> "";
      };
    } catch (FormatException | RuntimeException e) {
      return "(undecodable: " + e.getMessage() + ")";
    }
  }
}
