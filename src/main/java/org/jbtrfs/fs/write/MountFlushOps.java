package org.jbtrfs.fs.write;

import java.io.IOException;
import org.jbtrfs.space.ChunkForce;
import org.jbtrfs.space.FlushOps;
import org.jbtrfs.space.SpaceInfo;
import org.jbtrfs.txn.EngineFlushOps;

/**
 * The flusher's states on a mount: deferred inode updates, delayed refs, writeback of buffered
 * pages, a chunk, a commit (with its writeback). They run in the thread that holds the mount's
 * write lock and could not reserve, before its change has touched anything.
 */
final class MountFlushOps implements FlushOps {
  private final MountedWriter mw;
  private final EngineFlushOps engineOps;

  MountFlushOps(MountedWriter mw) {
    this.mw = mw;
    this.engineOps = new EngineFlushOps(mw.engine());
  }

  @Override
  public void flushDelayedItems() throws IOException {
    mw.storeDeferredInodes();
  }

  @Override
  public void runDelayedRefs() throws IOException {
    engineOps.runDelayedRefs();
  }

  @Override
  public void flushDelalloc(long bytes) throws IOException {
    mw.writebackSome(bytes);
  }

  @Override
  public void flushAllDelalloc() throws IOException {
    mw.writebackOrAbort();
  }

  @Override
  public boolean allocateChunk(SpaceInfo info, ChunkForce force) throws IOException {
    return engineOps.allocateChunk(info, force);
  }

  @Override
  public void commit() throws IOException {
    mw.commit();
  }
}
