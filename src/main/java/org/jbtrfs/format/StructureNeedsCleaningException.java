package org.jbtrfs.format;

/**
 * Corruption the kernel reports with EUCLEAN ("Structure needs cleaning") rather than EIO: damage
 * found outside the tree checker, in a structure it has no rule for, such as the length header of
 * an lzo-compressed extent. jbtrfs answers with the same errno, so a program sees the same failure
 * on both.
 */
public class StructureNeedsCleaningException extends FormatException {
  public StructureNeedsCleaningException(String message) {
    super(message);
  }
}
