package org.jbtrfs.volume;

/** Where {@code len} bytes of a logical range sit on one device: its devid and physical offset. */
public record Placement(long devid, long physical, int len) {}
