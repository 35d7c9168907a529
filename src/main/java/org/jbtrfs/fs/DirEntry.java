package org.jbtrfs.fs;

/**
 * One directory entry as readdir returns it: name, the dir index (a stable readdir position), the
 * target and its type. A subvolume link has {@code subvolumeId != 0}.
 */
public record DirEntry(byte[] name, long index, long targetIno, long subvolumeId, int fileType) {}
