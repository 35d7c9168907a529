package org.jbtrfs.fuse;

import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * Sets the libfuse 2 {@code fuse_operations} flag bits that jnr-fuse declares only as padding (an
 * unsigned int bitfield: nullpath_ok, nopath, utime_omit_ok, reserved; lowest bit first).
 */
final class OperationFlags {
  /** Calls on an open file may come without a path: the file was unlinked while open. */
  private static final int NULLPATH_OK = 1;

  /** utimens gets UTIME_NOW / UTIME_OMIT, so changing only atime or only mtime reaches us. */
  private static final int UTIME_OMIT_OK = 1 << 2;

  private OperationFlags() {}

  static void enable(FuseOperations ops) {
    // The bitfield word directly follows the bmap function pointer.
    long off = ops.bmap.offset() + ops.getRuntime().addressSize();
    Pointer mem = Struct.getMemory(ops);
    mem.putInt(off, mem.getInt(off) | NULLPATH_OK | UTIME_OMIT_OK);
  }
}
