package org.jbtrfs.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One request as read from /dev/fuse: the header (struct fuse_in_header) and accessors for the
 * opcode's argument structure, which starts right after it. The buffer is reused for the next
 * request, so nothing here may be kept beyond the call that handles it.
 */
final class FuseRequest {
  private final ByteBuffer buf;
  private int length;

  FuseRequest(int capacity) {
    this.buf = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }

  ByteBuffer buffer() {
    return buf;
  }

  /** A request of {@code length} bytes now fills the buffer. */
  void filled(int length) {
    this.length = length;
  }

  int opcode() {
    return buf.getInt(4);
  }

  long unique() {
    return buf.getLong(8);
  }

  long nodeid() {
    return buf.getLong(16);
  }

  /** The caller's fsuid: the header's, else (see ProcCredentials) the process's. */
  int uid() {
    int uid = buf.getInt(24);
    return uid != FuseProtocol.INVALID_UIDGID ? uid : ProcCredentials.fsuid(pid());
  }

  /** The caller's fsgid, as {@link #uid}. */
  int gid() {
    int gid = buf.getInt(28);
    return gid != FuseProtocol.INVALID_UIDGID ? gid : ProcCredentials.fsgid(pid());
  }

  /** The calling thread's process id (0 for requests the kernel makes itself). */
  int pid() {
    return buf.getInt(32);
  }

  /** A 32-bit argument field at {@code off} bytes into the arguments. */
  int u32(int off) {
    return buf.getInt(FuseProtocol.IN_HEADER + off);
  }

  long u64(int off) {
    return buf.getLong(FuseProtocol.IN_HEADER + off);
  }

  /** The NUL-terminated name starting {@code off} bytes into the arguments. */
  byte[] name(int off) {
    int start = FuseProtocol.IN_HEADER + off;
    int end = start;
    while (end < length && buf.get(end) != 0) end++;
    byte[] out = new byte[end - start];
    buf.get(start, out);
    return out;
  }

  /** Where the name at {@code off} ends, past its NUL, relative to the arguments. */
  int afterName(int off) {
    int end = FuseProtocol.IN_HEADER + off;
    while (end < length && buf.get(end) != 0) end++;
    return end + 1 - FuseProtocol.IN_HEADER;
  }

  String nameString(int off) {
    return new String(name(off), StandardCharsets.UTF_8);
  }

  /** {@code len} raw bytes at {@code off} into the arguments. */
  byte[] bytes(int off, int len) {
    byte[] out = new byte[len];
    buf.get(FuseProtocol.IN_HEADER + off, out);
    return out;
  }

  /**
   * The bytes at {@code off} into the arguments up to their NUL, looking at most {@code max} bytes
   * far; null when there is no NUL within them (an ioctl's fixed-size string field).
   */
  byte[] terminated(int off, int max) {
    byte[] raw = bytes(off, max);
    int len = 0;
    while (len < max && raw[len] != 0) len++;
    return len == max ? null : java.util.Arrays.copyOf(raw, len);
  }

  /** Copies argument bytes straight into {@code dst}. */
  void copy(int off, byte[] dst, int dstOff, int len) {
    buf.get(FuseProtocol.IN_HEADER + off, dst, dstOff, len);
  }
}
