package org.jbtrfs.format;

/** Field offsets of a tree block: the 101-byte header, leaf items and node key pointers. */
public final class TreeHeader {
  private TreeHeader() {}

  public static final int CSUM = 0;
  public static final int FSID = 0x20;
  public static final int BYTENR = 0x30;
  public static final int FLAGS = 0x38;
  public static final int CHUNK_TREE_UUID = 0x40;
  public static final int GENERATION = 0x50;
  public static final int OWNER = 0x58;
  public static final int NRITEMS = 0x60;
  public static final int LEVEL = 0x64;
  public static final int SIZE = 0x65;

  /** Leaf item descriptor: key, then data offset and size (relative to the header's end). */
  public static final int ITEM_SIZE = 25;

  public static final int ITEM_DATA_OFFSET = 17;
  public static final int ITEM_DATA_SIZE = 21;

  /** Node key pointer: key, child block address, child generation. */
  public static final int KEY_PTR_SIZE = 33;

  public static final int KEY_PTR_BLOCKPTR = 17;
  public static final int KEY_PTR_GENERATION = 25;

  public static final int MAX_LEVEL = 8;

  /** Header flag: block was written (part of a committed transaction). */
  public static final long FLAG_WRITTEN = 1L << 0;

  public static final long FLAG_RELOC = 1L << 1;

  /** The top byte of the flags holds the backref revision. */
  public static final int BACKREF_REV_SHIFT = 56;
}
