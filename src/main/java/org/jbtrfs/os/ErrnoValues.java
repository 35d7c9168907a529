package org.jbtrfs.os;

/**
 * Linux errno values (x86-64 and every other Linux ABI jbtrfs runs on share them), in one place for
 * the native calls below and the FUSE replies above.
 */
public interface ErrnoValues {
  int EPERM = 1;
  int ENOENT = 2;
  int ENXIO = 6;
  int EINTR = 4;
  int EIO = 5;
  int EBADF = 9;
  int EAGAIN = 11;
  int EWOULDBLOCK = EAGAIN;
  int ENOMEM = 12;
  int EACCES = 13;
  int EBUSY = 16;
  int EEXIST = 17;
  int EXDEV = 18;
  int ENODEV = 19;
  int ENOTDIR = 20;
  int EISDIR = 21;
  int EINVAL = 22;
  int ENOTTY = 25;
  int EFBIG = 27;
  int ENOSPC = 28;
  int EROFS = 30;
  int ERANGE = 34;
  int ENAMETOOLONG = 36;
  int ENOSYS = 38;
  int ENOTEMPTY = 39;
  int ENODATA = 61;
  int EPROTO = 71;
  int EOVERFLOW = 75;
  int EOPNOTSUPP = 95;
  int ENOTCONN = 107;
  int EINPROGRESS = 115;
  int ESTALE = 116;
  int EUCLEAN = 117;
  int ECANCELED = 125;
}
