package org.jbtrfs.fuse;

import jnr.ffi.Struct;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/**
 * Sets bits of struct fuse_file_info that jnr-fuse declares only as padding. In libfuse 2 the
 * 32-bit word just before {@code fh} holds the flags bitfield; direct_io is its lowest bit.
 */
final class FileInfoBits {
  private static final int DIRECT_IO = 1;

  private FileInfoBits() {}

  static void setDirectIo(FuseFileInfo fi) {
    long off = fi.fh.offset() - 4;
    jnr.ffi.Pointer mem = Struct.getMemory(fi);
    mem.putInt(off, mem.getInt(off) | DIRECT_IO);
  }
}
