#!/usr/bin/env python3
"""Peer benchmark of the single-failure sweep: networkx and python-igraph.

The quantity (the reachability part of `topoplan spof`): for every single
failure (each deployed node, AZ and region, in the order of
`sim::sweep::elements`), the set of *units* (one deployed copy of a node per
region, or its one global copy) that are down once regional failover is
done, under hard-dependency semantics, capacity ignored. It is defined on
the dependency graph our engine exports (`sim::sweep::DependencyGraph`,
`sweep_peer graph` below), JSON with:

  units     unit labels, by unit number
  requires  per unit, its clauses: each clause is one hard call and lists
            the units (every region and failover tier) it may be served by
  failures  per element: {"element": label, "fails": units it fails directly}

A unit is down when its element fails it, or when every unit of one of its
clauses is down (an empty clause is never satisfied): the least fixed point.

Both peers compute it the naive way, as a user of the library would:
for each failure, copy the graph, delete the failed units, then delete
until nothing changes every vertex with fewer surviving out-edges than it
needs (a clause vertex needs 1 alternative, a unit vertex all its clauses);
the units gone are the down set. networkx-topo is a faster pure-Python
variant on networkx's adjacency: one pass per failure in reverse
topological order.

  sweep_peer.py check GRAPH.json
      every peer's down sets, as JSON {"networkx": [...], "networkx-topo":
      [...], "igraph": [...]} (what core/tests/sweep_peer.rs compares with
      our engine's)

  sweep_peer.py time --ours BIN SOURCE [--limit K] [--repeat R]
      side by side in one run: BIN is the sweep_peer example binary
      (target/release/examples/sweep_peer), SOURCE a topology JSON file or
      `--synthetic N`. Prints our times (from `BIN time`) and each peer's on
      the same graph, with the ratios; a peer runs the first K failures
      (default all) and its time is scaled to all of them. Checks that the
      peers and ours agree on the failures they ran.
"""

import argparse
import json
import subprocess
import sys
import time


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def vertices(graph):
    """Unit vertices 0..n-1, then one vertex per clause; (need, edges)."""
    n = len(graph["units"])
    need = [len(clauses) for clauses in graph["requires"]]
    edges = []
    for u, clauses in enumerate(graph["requires"]):
        for clause in clauses:
            c = len(need)
            need.append(1)
            edges.append((u, c))
            edges.extend((c, v) for v in clause)
    return n, need, edges


class NetworkxPeer:
    name = "networkx"

    def __init__(self, graph):
        import networkx as nx

        self.n, need, edges = vertices(graph)
        self.g = nx.DiGraph()
        self.g.add_nodes_from((v, {"need": k}) for v, k in enumerate(need))
        self.g.add_edges_from(edges)

    def down(self, fails):
        h = self.g.copy()
        h.remove_nodes_from(fails)
        need = self.g.nodes
        while True:
            dead = [v for v, d in h.out_degree() if d < need[v]["need"]]
            if not dead:
                break
            h.remove_nodes_from(dead)
        return [u for u in range(self.n) if u not in h]


class NetworkxTopoPeer:
    name = "networkx-topo"

    def __init__(self, graph):
        import networkx as nx

        self.n, need, edges = vertices(graph)
        self.g = nx.DiGraph()
        self.g.add_nodes_from(range(len(need)))
        self.g.add_edges_from(edges)
        self.need = need
        # Callees first.
        self.order = list(reversed(list(nx.topological_sort(self.g))))

    def down(self, fails):
        dead = set(fails)
        succ = self.g.succ
        n = self.n
        for v in self.order:
            if v in dead:
                continue
            if v >= n:
                if all(w in dead for w in succ[v]):
                    dead.add(v)
            elif any(c in dead for c in succ[v]):
                dead.add(v)
        return sorted(u for u in dead if u < n)


class IgraphPeer:
    name = "igraph"

    def __init__(self, graph):
        import igraph as ig

        self.n, need, edges = vertices(graph)
        self.g = ig.Graph(n=len(need), edges=edges, directed=True)
        self.g.vs["need"] = need
        self.g.vs["id"] = list(range(len(need)))

    def down(self, fails):
        h = self.g.copy()
        h.delete_vertices(fails)
        while True:
            dead = [i for i, (d, k) in enumerate(zip(h.outdegree(), h.vs["need"])) if d < k]
            if not dead:
                break
            h.delete_vertices(dead)
        alive = set(h.vs["id"])
        return [u for u in range(self.n) if u not in alive]


PEERS = [NetworkxPeer, NetworkxTopoPeer, IgraphPeer]


def check(args):
    graph = load(args.graph)
    out = {}
    for peer_class in PEERS:
        peer = peer_class(graph)
        out[peer.name] = [peer.down(f["fails"]) for f in graph["failures"]]
    json.dump(out, sys.stdout)


def ours(binary, command, source, *extra):
    out = subprocess.run([binary, command, *source, *extra], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def timed(args):
    source = ["--synthetic", str(args.synthetic)] if args.synthetic else [args.file]
    graph = ours(args.ours, "graph", source)
    mine = ours(args.ours, "time", source, "--repeat", str(args.repeat))
    reference = ours(args.ours, "down", source)
    failures = graph["failures"]
    limit = min(args.limit or len(failures), len(failures))
    # An even sample of the failures (nodes, AZs and regions alike).
    sample = [round(i * len(failures) / limit) for i in range(limit)]
    print(
        f"{mine['nodes']} nodes, {mine['edges']} edges, {mine['units']} units, "
        f"{len(failures)} single failures ({mine['down_units']} units down in all), "
        f"{mine['spofs']} SPOFs ({mine['blackouts']} black out every entry point)"
    )
    rows = [
        ("ours: down matrix (sweep::down_matrix, 1 thread)", mine["down_matrix_secs"], None),
        ("ours: down sets (sweep::down_sets, 1 thread)", mine["down_sets_secs"], None),
        (f"ours: full sweep (served + recovered, {mine['threads']} threads)", mine["sweep_secs"], None),
        ("ours: compact graph (built once per document version)", mine["compact_secs"], None),
    ]
    for peer_class in PEERS:
        if args.only and peer_class.name not in args.only:
            continue
        start = time.perf_counter()
        peer = peer_class(graph)
        setup = time.perf_counter() - start
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            sets = [peer.down(failures[i]["fails"]) for i in sample]
            best = min(best, time.perf_counter() - start)
        for i, theirs in zip(sample, sets):
            if theirs != reference[i]:
                sys.exit(f"{peer.name} disagrees with ours on {failures[i]['element']}")
        rows.append((f"{peer.name} (graph built in {setup:.3f} s)", best * len(failures) / limit, limit))
    matrix, sets = mine["down_matrix_secs"], mine["down_sets_secs"]
    print(f"{'':<62} {'seconds':>10} {'× matrix':>10} {'× sets':>10}")
    for name, secs, ran in rows:
        note = "" if ran is None or ran == len(failures) else f"  ({ran} failures run, scaled)"
        print(f"{name:<62} {secs:>10.4f} {secs / matrix:>10.1f} {secs / sets:>10.1f}{note}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check")
    c.add_argument("graph")
    t = sub.add_parser("time")
    t.add_argument("--ours", required=True)
    group = t.add_mutually_exclusive_group(required=True)
    group.add_argument("--synthetic", type=int)
    group.add_argument("file", nargs="?")
    t.add_argument("--limit", type=int, default=0)
    t.add_argument("--repeat", type=int, default=1)
    t.add_argument("--only", action="append", help="peer name (repeatable)")
    args = parser.parse_args()
    {"check": check, "time": timed}[args.command](args)


if __name__ == "__main__":
    main()
