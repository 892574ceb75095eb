/**
 * Dependency graphs: cycle detection for a batch of submissions, and the
 * slack ordering of a graph with a deadline (Archipelago, Singhvi et al.,
 * 2021: order the stages of a DAG by the slack of their remaining critical
 * path).
 *
 * A job's effective deadline is the latest time it may finish so that
 * every descendant can still finish by its own deadline, running one after
 * another along the longest (critical) path below it:
 *
 *     effective(j) = min(deadline(j), min over children c of effective(c) - duration(c))
 *
 * with duration(c) = work(c) / slots(c), the child's estimated running time.
 * The scheduler gives the policy a job's effective deadline, so `edf` orders
 * by it and `least-slack` by `effective - remaining running time`: the slack
 * along the remaining critical path. Both walks are iterative (no recursion
 * depth limit) and visit each job once.
 */

/** A node of the graph as these walks see it. */
export interface DagNode<N> {
  /** Own deadline, epoch ms; NaN when none. */
  readonly deadline: number;
  /** Estimated running time, ms. */
  readonly durationMs: number;
  /** Children that have not finished. */
  readonly children: readonly N[];
}

/**
 * The effective deadline of `root` (NaN when neither it nor a descendant
 * has a deadline); `node` reads a job's graph fields.
 */
export function effectiveDeadline<N>(root: N, node: (n: N) => DagNode<N>): number {
  // Post-order over the descendants, memoized so shared descendants are visited once.
  const memo = new Map<N, number>();
  const stack: { n: N; next: number }[] = [{ n: root, next: 0 }];
  const onStack = new Set<N>([root]);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const fields = node(top.n);
    if (top.next < fields.children.length) {
      const child = fields.children[top.next++]!;
      if (!memo.has(child) && !onStack.has(child)) {
        stack.push({ n: child, next: 0 });
        onStack.add(child);
      }
      continue;
    }
    let effective = fields.deadline;
    for (const child of fields.children) {
      const c = memo.get(child);
      if (c === undefined || Number.isNaN(c)) continue;
      const latest = c - node(child).durationMs;
      if (Number.isNaN(effective) || latest < effective) effective = latest;
    }
    memo.set(top.n, effective);
    onStack.delete(top.n);
    stack.pop();
  }
  return memo.get(root) as number;
}

/**
 * A cycle among `nodes` following `edges` (node → the nodes it depends on),
 * as the list of nodes around it (first repeated at the end), or undefined.
 */
export function findCycle(nodes: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const done = new Set<string>();
  for (const start of nodes) {
    if (done.has(start)) continue;
    const path: string[] = [start];
    const onPath = new Set<string>([start]);
    const cursors: number[] = [0];
    while (path.length > 0) {
      const at = path[path.length - 1]!;
      const out = edges.get(at) ?? [];
      const i = cursors[cursors.length - 1]!;
      if (i < out.length) {
        cursors[cursors.length - 1] = i + 1;
        const next = out[i]!;
        if (onPath.has(next)) return [...path.slice(path.indexOf(next)), next];
        if (done.has(next) || !edges.has(next)) continue;
        path.push(next);
        onPath.add(next);
        cursors.push(0);
        continue;
      }
      done.add(at);
      onPath.delete(at);
      path.pop();
      cursors.pop();
    }
  }
  return undefined;
}
