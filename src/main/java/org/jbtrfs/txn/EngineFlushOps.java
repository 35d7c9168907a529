package org.jbtrfs.txn;

import java.io.IOException;
import org.jbtrfs.space.ChunkForce;
import org.jbtrfs.space.FlushOps;
import org.jbtrfs.space.SpaceInfo;

/**
 * What the flusher can do with the write engine alone (no buffered file data): run delayed refs,
 * add a chunk, commit. A mount replaces these with operations that also write back its buffered
 * data and deferred inode updates.
 */
public final class EngineFlushOps implements FlushOps {
  private final WriteEngine engine;

  public EngineFlushOps(WriteEngine engine) {
    this.engine = engine;
  }

  @Override
  public void flushDelayedItems() {
    // The engine defers no items of its own.
  }

  @Override
  public void runDelayedRefs() throws IOException {
    engine.runDelayedRefs();
  }

  @Override
  public void flushDelalloc(long bytes) {
    // No buffered data below the mount.
  }

  @Override
  public void flushAllDelalloc() {
    // No buffered data below the mount.
  }

  @Override
  public boolean allocateChunk(SpaceInfo info, ChunkForce force) throws IOException {
    return engine.allocateChunkFor(info, force);
  }

  @Override
  public void commit() throws IOException {
    engine.commit();
  }
}
