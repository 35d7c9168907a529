package org.jbtrfs.tree;

/**
 * What copy-on-write needs from the running transaction: its id, the header fields new blocks
 * carry, the allocator, the dirty block set, and a reader for committed blocks.
 */
public record WriteContext(
    long transid,
    int nodeSize,
    byte[] fsid,
    byte[] chunkTreeUuid,
    TreeBlockAllocator allocator,
    DirtyBlocks dirty,
    MetadataReader reader) {}
