package org.jbtrfs.format;

/** A feature jbtrfs recognises but does not implement; the FUSE layer maps it to EOPNOTSUPP. */
public class UnsupportedFeatureException extends FormatException {
  public UnsupportedFeatureException(String message) {
    super(message);
  }
}
