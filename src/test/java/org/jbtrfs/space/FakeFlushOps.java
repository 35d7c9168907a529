package org.jbtrfs.space;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Flush operations that only record which state ran; a test gives any of them an effect (free some
 * space, throw) through the hooks.
 */
class FakeFlushOps implements FlushOps {
  interface Effect {
    void run() throws IOException;
  }

  final List<FlushState> calls = Collections.synchronizedList(new ArrayList<>());
  Effect onDelayedItems = () -> {};
  Effect onDelayedRefs = () -> {};
  Effect onDelalloc = () -> {};
  Effect onDelallocFull = () -> {};
  Effect onChunk = () -> {};
  Effect onCommit = () -> {};
  boolean chunkAllocated;

  @Override
  public void flushDelayedItems() throws IOException {
    calls.add(FlushState.FLUSH_DELAYED_ITEMS);
    onDelayedItems.run();
  }

  @Override
  public void runDelayedRefs() throws IOException {
    calls.add(FlushState.RUN_DELAYED_REFS);
    onDelayedRefs.run();
  }

  @Override
  public void flushDelalloc(long bytes) throws IOException {
    calls.add(FlushState.FLUSH_DELALLOC);
    onDelalloc.run();
  }

  @Override
  public void flushAllDelalloc() throws IOException {
    calls.add(FlushState.FLUSH_DELALLOC_FULL);
    onDelallocFull.run();
  }

  @Override
  public boolean allocateChunk(SpaceInfo info, ChunkForce force) throws IOException {
    calls.add(force == ChunkForce.FORCE ? FlushState.ALLOC_CHUNK_FORCE : FlushState.ALLOC_CHUNK);
    onChunk.run();
    return chunkAllocated;
  }

  @Override
  public void commit() throws IOException {
    calls.add(FlushState.COMMIT_TRANS);
    onCommit.run();
  }
}
