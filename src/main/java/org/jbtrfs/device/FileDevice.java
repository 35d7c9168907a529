package org.jbtrfs.device;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jbtrfs.os.Libc;

/** A device backed by an image file or a block device node, using positional I/O. */
public final class FileDevice implements Device {
  private final Path path;
  private final FileChannel channel;
  private final long size;

  private FileDevice(Path path, FileChannel channel, long size) {
    this.path = path;
    this.channel = channel;
    this.size = size;
  }

  public static FileDevice open(Path path, boolean writable) throws IOException {
    FileChannel ch =
        writable
            ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
            : FileChannel.open(path, StandardOpenOption.READ);
    // Block devices report size 0 through the channel; seeking to the end gives the real size.
    long size = ch.size();
    if (size == 0) size = BlockDeviceSize.of(path);
    return new FileDevice(path, ch, size);
  }

  @Override
  public void read(long offset, byte[] buf, int off, int len) throws IOException {
    if (offset < 0 || offset + len > size) {
      throw new EOFException(
          path + ": read of " + len + " bytes at " + offset + " past the end (" + size + ")");
    }
    ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
    long pos = offset;
    while (bb.hasRemaining()) {
      int n = channel.read(bb, pos);
      if (n < 0) throw new EOFException(path + ": unexpected end at " + pos);
      pos += n;
    }
  }

  @Override
  public void write(long offset, byte[] buf, int off, int len) throws IOException {
    if (offset < 0 || offset + len > size) {
      throw new IOException(path + ": write of " + len + " bytes at " + offset + " past the end");
    }
    ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
    long pos = offset;
    while (bb.hasRemaining()) {
      pos += channel.write(bb, pos);
    }
  }

  @Override
  public void flush() throws IOException {
    channel.force(false);
  }

  @Override
  public boolean discard(long offset, long len) throws IOException {
    if (offset < 0 || len <= 0 || offset + len > size) {
      throw new IOException(path + ": discard of " + len + " bytes at " + offset + " past the end");
    }
    Libc libc = Libc.load();
    int fd = libc.open(path.toString(), Libc.O_WRONLY | Libc.O_CLOEXEC);
    if (fd < 0) return false;
    try {
      if (java.nio.file.Files.isRegularFile(path)) {
        return libc.fallocate(fd, Libc.FALLOC_PUNCH_HOLE_KEEP_SIZE, offset, len) == 0;
      }
      byte[] range = new byte[16];
      ByteBuffer.wrap(range).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(offset).putLong(len);
      return libc.ioctl(fd, Libc.BLKDISCARD, range) == 0;
    } finally {
      libc.close(fd);
    }
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public String name() {
    return path.toString();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
