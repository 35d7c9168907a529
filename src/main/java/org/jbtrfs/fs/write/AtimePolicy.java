package org.jbtrfs.fs.write;

/**
 * When reads update atime, as the kernel's mount options say: noatime, relatime (its default),
 * strictatime.
 */
public enum AtimePolicy {
  NOATIME,
  RELATIME,
  STRICTATIME
}
