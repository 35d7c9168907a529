package org.jbtrfs.fs.write;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.format.Le;

/**
 * A POSIX ACL in the xattr form the kernel stores (version 2, then 8-byte entries of tag, perm and
 * id), with the rules that tie it to the mode bits: which ACLs the mode alone can say, how a new
 * inode's mode and ACL come from its directory's default ACL, and how chmod rewrites an ACL. The
 * rules are those of the kernel's fs/posix_acl.c, which btrfs uses unchanged.
 */
public final class PosixAcl {
  public static final byte[] ACCESS = "system.posix_acl_access".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] DEFAULT =
      "system.posix_acl_default".getBytes(StandardCharsets.US_ASCII);

  private static final int VERSION = 2;
  private static final int HEADER = 4;
  private static final int ENTRY = 8;
  static final int USER_OBJ = 0x01;
  static final int USER = 0x02;
  static final int GROUP_OBJ = 0x04;
  static final int GROUP = 0x08;
  static final int MASK = 0x10;
  static final int OTHER = 0x20;
  private static final int UNDEFINED_ID = -1;
  private static final int RWX = 7;

  /** One entry: a tag, its rwx bits, and the uid or gid of a named entry. */
  record Entry(int tag, int perm, int id) {}

  private final List<Entry> entries;

  private PosixAcl(List<Entry> entries) {
    this.entries = entries;
  }

  /**
   * The ACL in {@code value}, or null when it is not one the kernel would accept: wrong version or
   * length, an unknown tag or permission bit, entries out of the kernel's order, or named entries
   * without a mask.
   */
  public static PosixAcl parse(byte[] value) {
    if (value.length < HEADER || (value.length - HEADER) % ENTRY != 0) return null;
    if (Le.i32(value, 0) != VERSION) return null;
    List<Entry> list = new ArrayList<>();
    for (int off = HEADER; off < value.length; off += ENTRY) {
      int tag = Le.u16(value, off);
      int perm = Le.u16(value, off + 2);
      if ((perm & ~RWX) != 0) return null;
      int id = Le.i32(value, off + 4);
      boolean named = tag == USER || tag == GROUP;
      list.add(new Entry(tag, perm, named ? id : UNDEFINED_ID));
    }
    PosixAcl acl = new PosixAcl(list);
    return acl.valid() ? acl : null;
  }

  /**
   * The kernel's posix_acl_valid: owner first, then named users, owning group, named groups, then
   * the mask (required when there are named entries) and other last.
   */
  private boolean valid() {
    final int wantOwner = 0, users = 1, groups = 2, wantOther = 3, done = 4;
    int state = wantOwner;
    boolean needsMask = false;
    for (Entry e : entries) {
      switch (e.tag()) {
        case USER_OBJ -> {
          if (state != wantOwner) return false;
          state = users;
        }
        case USER -> {
          if (state != users) return false;
          needsMask = true;
        }
        case GROUP_OBJ -> {
          if (state != users) return false;
          state = groups;
        }
        case GROUP -> {
          if (state != groups) return false;
          needsMask = true;
        }
        case MASK -> {
          if (state != groups) return false;
          state = wantOther;
        }
        case OTHER -> {
          if (state != wantOther && (state != groups || needsMask)) return false;
          state = done;
        }
        default -> {
          return false;
        }
      }
    }
    return state == done;
  }

  public byte[] encode() {
    byte[] out = new byte[HEADER + ENTRY * entries.size()];
    Le.put32(out, 0, VERSION);
    int off = HEADER;
    for (Entry e : entries) {
      Le.put16(out, off, e.tag());
      Le.put16(out, off + 2, e.perm());
      Le.put32(out, off + 4, e.id());
      off += ENTRY;
    }
    return out;
  }

  /** True when the mode bits alone say all this ACL says (no named entries, no mask). */
  public boolean equivalentToMode() {
    for (Entry e : entries)
      if (e.tag() == USER || e.tag() == GROUP || e.tag() == MASK) return false;
    return true;
  }

  /**
   * The mode this access ACL gives {@code mode}: owner and other bits from their entries, the group
   * bits from the mask when there is one, else from the owning group's entry
   * (posix_acl_equiv_mode).
   */
  public int modeFor(int mode) {
    int user = 0, group = 0, other = 0, mask = -1;
    for (Entry e : entries) {
      switch (e.tag()) {
        case USER_OBJ -> user = e.perm();
        case GROUP_OBJ -> group = e.perm();
        case OTHER -> other = e.perm();
        case MASK -> mask = e.perm();
        default -> {}
      }
    }
    int groupBits = mask >= 0 ? mask : group;
    return (mode & ~0777) | (user << 6) | (groupBits << 3) | other;
  }

  /**
   * What a new inode gets from its directory's default ACL (this one): {@code mode} (the mode asked
   * for, umask not applied) is narrowed by the owner, group-or-mask and other entries, and those
   * entries by the mode, as posix_acl_create_masq does. Returns the inode's mode and its access
   * ACL, null when the mode says it all.
   */
  public Inherited inherit(int mode) {
    List<Entry> out = new ArrayList<>(entries.size());
    int m = mode;
    int groupAt = -1, maskAt = -1;
    boolean notEquivalent = false;
    for (Entry e : entries) {
      int perm = e.perm();
      switch (e.tag()) {
        case USER_OBJ -> {
          perm &= (m >> 6) & RWX;
          m = (m & ~0700) | ((m & 0700) & (perm << 6));
        }
        case OTHER -> {
          perm &= m & RWX;
          m = (m & ~07) | ((m & 07) & perm);
        }
        case GROUP_OBJ -> groupAt = out.size();
        case MASK -> {
          maskAt = out.size();
          notEquivalent = true;
        }
        default -> notEquivalent = true;
      }
      out.add(new Entry(e.tag(), perm, e.id()));
    }
    int at = maskAt >= 0 ? maskAt : groupAt;
    Entry g = out.get(at);
    int perm = g.perm() & ((m >> 3) & RWX);
    out.set(at, new Entry(g.tag(), perm, g.id()));
    m = (m & ~070) | ((m & 070) & (perm << 3));
    return new Inherited(m, notEquivalent ? new PosixAcl(out) : null);
  }

  /** A new inode's mode and access ACL (null: none stored). */
  public record Inherited(int mode, PosixAcl access) {}

  /**
   * This access ACL after chmod to {@code mode}: owner, other and the mask (or, without one, the
   * owning group) take the new bits; named entries keep theirs (posix_acl_chmod).
   */
  public PosixAcl chmod(int mode) {
    boolean hasMask = false;
    for (Entry e : entries) hasMask |= e.tag() == MASK;
    List<Entry> out = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      int perm =
          switch (e.tag()) {
            case USER_OBJ -> (mode >> 6) & RWX;
            case OTHER -> mode & RWX;
            case MASK -> (mode >> 3) & RWX;
            case GROUP_OBJ -> hasMask ? e.perm() : (mode >> 3) & RWX;
            default -> e.perm();
          };
      out.add(new Entry(e.tag(), perm, e.id()));
    }
    return new PosixAcl(out);
  }
}
