package org.jbtrfs.relocation;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.txn.WriteEngine;

/**
 * The blocks of trees that share blocks (subvolumes and their snapshots), each read once however
 * many trees reach it, with every node pointing at it and every tree it is the root of: what
 * relocation needs to copy a shared block once and repoint all of its parents.
 */
final class TreeBlockGraph {
  /** One block as the walk found it. */
  static final class Block {
    final long bytenr;
    final int level;
    final long generation;

    /** The first tree that reached it: any of them reads it the same. */
    final long via;

    /** Nodes pointing at it (one entry per pointer). */
    final List<Long> parents = new ArrayList<>(1);

    /** Trees whose root it is. */
    final List<Long> rootOf = new ArrayList<>(0);

    Block(long bytenr, int level, long generation, long via) {
      this.bytenr = bytenr;
      this.level = level;
      this.generation = generation;
      this.via = via;
    }
  }

  private final Map<Long, Block> blocks = new HashMap<>();

  private TreeBlockGraph() {}

  /** Walks the trees as the running transaction has them; leaves are named, not read. */
  static TreeBlockGraph walk(WriteEngine engine, List<Long> treeIds) throws IOException {
    TreeBlockGraph g = new TreeBlockGraph();
    for (long id : treeIds) {
      engine
          .tree(id)
          .visitNodes(
              (level, bytenr, generation, parent) -> {
                Block b = g.blocks.get(bytenr);
                boolean first = b == null;
                if (first) {
                  b = new Block(bytenr, level, generation, id);
                  g.blocks.put(bytenr, b);
                } else if (b.level != level || b.generation != generation) {
                  throw new FormatException(
                      "tree block "
                          + bytenr
                          + " is reached at level "
                          + b.level
                          + " generation "
                          + b.generation
                          + " and at level "
                          + level
                          + " generation "
                          + generation);
                }
                if (parent == 0) b.rootOf.add(id);
                else b.parents.add(parent);
                // A block seen before was walked below already: what is under it is the same.
                return first;
              });
    }
    return g;
  }

  Block get(long bytenr) {
    return blocks.get(bytenr);
  }

  Collection<Block> blocks() {
    return blocks.values();
  }

  /** The given blocks and every block above one of them in any tree. */
  Set<Long> withAncestors(Collection<Long> start) {
    Set<Long> out = new LinkedHashSet<>();
    ArrayDeque<Long> todo = new ArrayDeque<>(start);
    while (!todo.isEmpty()) {
      long b = todo.pop();
      if (!out.add(b)) continue;
      todo.addAll(blocks.get(b).parents);
    }
    return out;
  }
}
