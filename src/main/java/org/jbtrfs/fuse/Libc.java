package org.jbtrfs.fuse;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The few libc calls the FUSE session makes on /dev/fuse: one read(2) takes one whole request and
 * one write(2) gives one whole reply, which Java's own channels cannot promise for a character
 * device shared by many threads. Buffers must be direct; they are read and written from position 0.
 */
public interface Libc {
  long read(int fd, @Out ByteBuffer buf, long count);

  long write(int fd, @In ByteBuffer buf, long count);

  int close(int fd);

  int open(String path, int flags);

  int fcntl(int fd, int cmd, int arg);

  int ioctl(int fd, long request, @In int[] arg);

  int umount2(String target, int flags);

  int geteuid();

  static Libc load() {
    return Holder.LIBC;
  }

  /** The last errno of this thread. */
  static int errno() {
    return jnr.ffi.Runtime.getRuntime(Holder.LIBC).getLastError();
  }

  final class Holder {
    private Holder() {}

    static final Libc LIBC = LibraryLoader.create(Libc.class).failImmediately().load("c");
  }
}
