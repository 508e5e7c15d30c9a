//! Connected components across the cluster, by min-label propagation in a
//! timely loop (labels exchanged by node): of the verified edges, for
//! `duplicates.rs` to decide which process clusters which component, and of
//! the passages and cluster co-membership, for `statements.rs` to decide
//! which process groups which part.
//!
//! It finds what `crate::cluster`'s `UnionFind` finds inside one process,
//! but it is not a second union-find: no node's parent is kept; each
//! process owns the labels of the nodes that hash to it, and the rounds of
//! the loop carry label proposals between the processes. The clusters
//! themselves are made by the single-process code, union-find included, on
//! each process's components.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use timely::ExchangeData;
use timely::dataflow::channels::pact::Exchange as ExchangePact;
use timely::dataflow::operators::generic::operator::Operator;
use timely::dataflow::operators::vec::{Map, Partition};
use timely::dataflow::operators::{
    CapabilitySet, Concat, ConnectLoop, Enter, Input, Inspect, Leave, LoopVariable, Probe,
};
use timely::dataflow::{InputHandleVec, ProbeHandle, Scope, StreamVec};
use timely::order::Product;
use timely::progress::Stamp;
use timely::worker::Worker;

use super::mix;
use super::superstep::send;

type Inner = Product<u64, u32>;

/// One loop round's label proposals, with the capability to answer them.
type Round = (CapabilitySet<Inner>, Vec<(u32, u32)>);

/// Connected components of the edges given by every process (`mine`
/// here) by min-label propagation in a timely
/// loop: every node starts with the smallest of itself and its neighbours
/// and passes any smaller label it learns on to its neighbours; the loop
/// ends by itself when no label changes (nothing goes around, the frontier
/// empties). Returns `(node, component)` for the nodes this process owns
/// (nodes are exchanged by hash), the component being its smallest node.
pub(super) fn components(worker: &mut Worker, mine: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    let changes: Rc<RefCell<Vec<(u32, u32)>>> = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&changes);
    let mut input: InputHandleVec<u64, (u32, u32)> = InputHandleVec::new();
    let probe = ProbeHandle::new();
    worker.dataflow::<u64, _, _>(|scope| {
        let edges = scope.input_from(&mut input).flat_map(|(a, b)| [(a, b), (b, a)]);
        let seeds = edges.clone().map(|(a, b)| (a, a.min(b)));
        let found = min_labels(scope, edges, seeds);
        found.inspect(move |x| sink.borrow_mut().push(*x)).probe_with(&probe);
    });
    for e in mine {
        input.send(e);
    }
    input.advance_to(1);
    drop(input);
    worker.step_or_park_while(Some(Duration::from_millis(20)), || !probe.done());
    // Several changes per node may leave the loop; the smallest is final.
    let mut found = std::mem::take(&mut *changes.borrow_mut());
    found.sort_unstable();
    found.dedup_by_key(|x| x.0);
    found
}

fn by_node(x: &(u32, u32)) -> u64 {
    crate::sign::oph::mix(x.0 as u64)
}

fn min_labels<'s>(
    scope: Scope<'s, u64>,
    edges: StreamVec<'s, u64, (u32, u32)>,
    seeds: StreamVec<'s, u64, (u32, u32)>,
) -> StreamVec<'s, u64, (u32, u32)> {
    scope.iterative::<u32, _, _>(|inner| {
        let edges = edges.enter(inner);
        let (handle, proposals) = inner.loop_variable::<Vec<(u32, u32)>>(1);
        let proposals = seeds.enter(inner).concat(proposals);
        let tagged = edges.binary_frontier(
            proposals,
            ExchangePact::new(by_node),
            ExchangePact::new(by_node),
            "MinLabel",
            move |_cap, _info| {
                // Node → neighbours and node → best label so far, of the
                // nodes this process owns. Never iterated into output.
                let mut adjacent: std::collections::HashMap<u32, Vec<u32>> = std::collections::HashMap::new();
                let mut label: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
                let mut pending: std::collections::BTreeMap<Stamp<Inner>, Round> = std::collections::BTreeMap::new();
                move |(edges_in, edges_frontier), (props_in, props_frontier), output| {
                    edges_in.for_each(|_cap, data| {
                        for (a, b) in data.drain(..) {
                            adjacent.entry(a).or_default().push(b);
                        }
                    });
                    props_in.for_each(|cap, data| {
                        let slot =
                            pending.entry(cap.stamp().clone()).or_insert_with(|| (cap.retain_stamp(0), Vec::new()));
                        slot.1.append(data);
                    });
                    // A round is complete when both inputs have passed it:
                    // all edges are in and all proposals of the round too.
                    let ready: Vec<Stamp<Inner>> = pending
                        .keys()
                        .filter(|s| s.iter().all(|t| !edges_frontier.less_equal(t) && !props_frontier.less_equal(t)))
                        .cloned()
                        .collect();
                    for stamp in ready {
                        let (caps, mut props) = pending.remove(&stamp).expect("listed");
                        props.sort_unstable();
                        let mut session = output.session(&caps);
                        for group in props.chunk_by(|x, y| x.0 == y.0) {
                            let (node, best) = group[0];
                            let current = label.entry(node).or_insert(u32::MAX);
                            if best < *current {
                                *current = best;
                                session.give((node, best, true));
                                for &n in adjacent.get(&node).into_iter().flatten() {
                                    session.give((n, best, false));
                                }
                            }
                        }
                    }
                }
            },
        );
        let mut parts = tagged.partition(2, |(n, l, change)| (change as u64, (n, l)));
        let changes = parts.pop().expect("two parts");
        let around = parts.pop().expect("two parts");
        around.connect_loop(handle);
        changes.leave(scope)
    })
}

/// Sends each item to the process its component's label hashes to, with
/// the label: first to the process that holds the label of the item's
/// `node` (where [`components`] left it: where the node hashes), then on.
/// `labels` is what [`components`] returned on this process.
pub(super) fn to_components<T: ExchangeData + Clone>(
    worker: &mut Worker,
    items: Vec<T>,
    node: fn(&T) -> u32,
    labels: &[(u32, u32)],
) -> Vec<(u32, T)> {
    let items = send(worker, items.into_iter().map(|x| (mix(node(&x)), x)).collect());
    let label = |d: u32| labels.binary_search_by_key(&d, |x| x.0).map_or(d, |i| labels[i].1);
    send(
        worker,
        items
            .into_iter()
            .map(|x| {
                let l = label(node(&x));
                (mix(l), (l, x))
            })
            .collect(),
    )
}
