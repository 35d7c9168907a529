package org.jbtrfs.volume;

/** One stripe of a chunk: the device it lives on and where the chunk's slice starts there. */
public record Stripe(long devid, long offset) {}
