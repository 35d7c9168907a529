package org.jbtrfs.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.jbtrfs.os.Libc;

/**
 * A FUSE mount in the kernel and the /dev/fuse descriptor that serves it. Mounting is left to
 * libfuse 2's fuse_mount, which calls mount(2) directly as root and otherwise goes through the
 * setuid fusermount helper (passing the descriptor back over a socket), so both work without code
 * of ours that needs privileges. The requests on the descriptor are ours to read ({@link
 * FuseSession}). Unmounting is umount2 (root) or fusermount -u, lazily, so open files keep working
 * until closed, as with the kernel's own umount -l.
 *
 * <p>As root, {@link #mountBlock} mounts a {@code fuseblk} instead: a FUSE mount whose source is a
 * block device. For those (and only those) the kernel's unmount sends DESTROY and waits for its
 * answer, which the daemon gives after its final commit, so umount(8) returns only once every write
 * is on the devices.
 */
final class KernelMount {
  /** The libfuse 2 calls used: mount, and the channel's descriptor. */
  public interface LibFuse {
    Pointer fuse_mount(String mountpoint, Pointer args);

    int fuse_chan_fd(Pointer channel);
  }

  private static final LibFuse LIB = load();

  private final String mountPoint;
  private final int fd;
  private boolean unmounted;
  private boolean closed;

  private KernelMount(String mountPoint, int fd) {
    this.mountPoint = mountPoint;
    this.fd = fd;
  }

  /** libfuse 2, or null when it is not installed (mounting then fails with a clear message). */
  private static LibFuse load() {
    for (String name : new String[] {"fuse", "libfuse.so.2"}) {
      try {
        return LibraryLoader.create(LibFuse.class).failImmediately().load(name);
      } catch (UnsatisfiedLinkError e) {
        // try the next name
      }
    }
    return null;
  }

  /**
   * Mounts {@code mountPoint} with the kernel mount options {@code options} (comma separated, as
   * for fusermount: fsname, subtype, allow_other, default_permissions, max_read, ro ...).
   */
  static KernelMount mount(String mountPoint, String options) throws IOException {
    if (LIB == null) {
      throw new IOException(
          "libfuse 2 (libfuse.so.2) is needed to mount; install it (Debian: apt-get install"
              + " libfuse2)");
    }
    List<String> argv = new ArrayList<>(List.of("jbtrfs", "-o", options));
    Runtime rt = Runtime.getRuntime(LIB);
    int ptr = rt.addressSize();
    Pointer strings = Memory.allocateDirect(rt, ptr * (argv.size() + 1));
    List<Pointer> keep = new ArrayList<>();
    for (int i = 0; i < argv.size(); i++) {
      byte[] b = argv.get(i).getBytes(StandardCharsets.UTF_8);
      Pointer s = Memory.allocateDirect(rt, b.length + 1);
      s.put(0, b, 0, b.length);
      s.putByte(b.length, (byte) 0);
      keep.add(s);
      strings.putAddress((long) i * ptr, s.address());
    }
    strings.putAddress((long) argv.size() * ptr, 0);
    // struct fuse_args { int argc; char **argv; int allocated; }
    Pointer args = Memory.allocateDirect(rt, 3L * ptr);
    args.putInt(0, argv.size());
    args.putAddress(ptr, strings.address());
    args.putInt(2L * ptr, 0);
    Pointer ch = LIB.fuse_mount(mountPoint, args);
    if (ch == null || ch.address() == 0) {
      throw new IOException("fuse_mount of " + mountPoint + " failed (see the message above)");
    }
    keep.clear();
    return new KernelMount(mountPoint, LIB.fuse_chan_fd(ch));
  }

  /**
   * Mounts {@code mountPoint} as {@code fuseblk.jbtrfs} with {@code blockDevice} as its source,
   * through mount(2) (root only). {@code data} holds the FUSE options after the descriptor
   * (default_permissions, allow_other, max_read ...); {@code flags} the MS_* flags.
   */
  static KernelMount mountBlock(String mountPoint, String blockDevice, String data, long flags)
      throws IOException {
    Libc libc = Libc.load();
    int fd = libc.open("/dev/fuse", Libc.O_RDWR | Libc.O_CLOEXEC);
    if (fd < 0) throw new IOException("open /dev/fuse: " + Libc.describe(Libc.errno()));
    // rootmode: the root's type, which the kernel needs before the first GETATTR; user_id and
    // group_id: whose mount it is (root's), which FUSE checks without allow_other.
    String all =
        "fd="
            + fd
            + ",rootmode=40000,user_id=0,group_id=0,blksize=4096"
            + (data.isEmpty() ? "" : "," + data);
    if (libc.mount(blockDevice, mountPoint, "fuseblk.jbtrfs", flags, all) != 0) {
      int err = Libc.errno();
      libc.close(fd);
      throw new IOException(
          "mount of " + blockDevice + " on " + mountPoint + ": " + Libc.describe(err));
    }
    return new KernelMount(mountPoint, fd);
  }

  int fd() {
    return fd;
  }

  String mountPoint() {
    return mountPoint;
  }

  /**
   * Asks the kernel to detach the mount (a no-op when it is already gone). Serving threads then see
   * the connection end; the descriptor stays open until {@link #close}, so its number cannot be
   * reused under a thread still reading it.
   */
  synchronized void requestUnmount() {
    if (unmounted) return;
    unmounted = true;
    Libc libc = Libc.load();
    if (libc.geteuid() == 0) {
      libc.umount2(mountPoint, MNT_DETACH);
      return;
    }
    try {
      new ProcessBuilder("fusermount", "-u", "-z", "-q", mountPoint)
          .redirectErrorStream(true)
          .start()
          .waitFor();
    } catch (IOException e) {
      LOG.warning("fusermount -u " + mountPoint + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes the descriptor once nothing reads it any more. */
  synchronized void close() {
    if (closed) return;
    closed = true;
    Libc.load().close(fd);
  }

  private static final int MNT_DETACH = 2;
  private static final java.util.logging.Logger LOG =
      java.util.logging.Logger.getLogger(KernelMount.class.getName());
}
