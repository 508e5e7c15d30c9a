//! The superstep primitives every stage is built of: a small timely dataflow
//! that moves a batch of items between the processes and runs to
//! completion, so that between two supersteps every process is in the same
//! place (see the module docs of [`super`]).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use timely::ExchangeData;
use timely::dataflow::InputHandleVec;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::operator::Operator;
use timely::dataflow::operators::vec::Broadcast;
use timely::dataflow::operators::{Exchange, Input};
use timely::worker::Worker;

/// Sends each item to the process `route(item) mod P` and returns what this
/// process received (in no particular order).
pub(super) fn exchange<T: ExchangeData + Clone>(worker: &mut Worker, items: Vec<T>, route: fn(&T) -> u64) -> Vec<T> {
    flatten(superstep(worker, |input| items.into_iter().for_each(|x| input.send(x)), Some(route)))
}

/// How many copies of what a round sends a process holds at once (what it
/// sends, timely's buffers, what it receives): rounds are sized so that all
/// of them fit the share of `--memory-limit` a single process's round has.
pub(super) const IN_FLIGHT: usize = 3;

/// Sends each `(process, item)` to that process (mod P) and returns the
/// items this process received (in no particular order). The items travel
/// in batches of [`SEND_BATCH`] bytes with their process named once a
/// batch, not once an item (8 bytes, as much as a pair of documents).
pub(super) fn send<T: ExchangeData + Clone>(worker: &mut Worker, items: Vec<(u64, T)>) -> Vec<T> {
    fn to<T>(x: &(u64, Vec<T>)) -> u64 {
        x.0
    }
    let peers = worker.peers() as u64;
    let per_batch = (SEND_BATCH / std::mem::size_of::<T>().max(1)).max(1);
    let batches = superstep(
        worker,
        |input| {
            let mut open: Vec<Vec<T>> = (0..peers).map(|_| Vec::new()).collect();
            for (dest, x) in items {
                let dest = dest % peers;
                let batch = &mut open[dest as usize];
                batch.push(x);
                if batch.len() == per_batch {
                    input.send((dest, std::mem::replace(batch, Vec::with_capacity(per_batch))));
                }
            }
            for (dest, batch) in open.into_iter().enumerate() {
                if !batch.is_empty() {
                    input.send((dest as u64, batch));
                }
            }
        },
        Some(to::<T>),
    );
    let mut all = Vec::with_capacity(batches.iter().flatten().map(|b| b.1.len()).sum());
    for batch in batches.into_iter().flatten() {
        all.extend(batch.1);
    }
    all
}

/// The bytes of items (their size in a vector) [`send`] puts in one batch:
/// the process's number and the batch's length cost half a byte a 16-byte
/// item. timely buffers 256 batches for a process before it sends them (its
/// 8 KiB of batch headers): a batch much larger would hold rounds of
/// documents' words in those buffers (46 MB a process at 256 items).
const SEND_BATCH: usize = 512;

/// The smallest of every process's `value` (a superstep): for sizes that
/// decide how many exchanges follow, when `--memory-limit` defaults to each
/// machine's own memory.
pub(super) fn smallest(worker: &mut Worker, value: usize) -> usize {
    gather(worker, vec![value as u64]).into_iter().min().map_or(value, |v| v as usize)
}

/// The largest of every process's `value`: how many rounds every process
/// makes when each has its own number of items to send.
pub(super) fn largest(worker: &mut Worker, value: usize) -> usize {
    gather(worker, vec![value as u64]).into_iter().max().map_or(value, |v| v as usize)
}

/// The sum of every process's `value`.
pub(super) fn total(worker: &mut Worker, value: u64) -> u64 {
    gather(worker, vec![value]).into_iter().sum()
}

/// Sends every item to every process: all processes return the same items
/// (in no particular order; callers sort).
pub(super) fn gather<T: ExchangeData + Clone>(worker: &mut Worker, items: Vec<T>) -> Vec<T> {
    flatten(superstep(worker, |input| items.into_iter().for_each(|x| input.send(x)), None))
}

/// The items of `batches` in one vector allocated once at its size: a
/// round can be a share of every band key or anchor of the run, and a
/// vector grown by doubling leaves the smaller copies behind, which the
/// allocator returns to the system only after a delay.
fn flatten<T>(batches: Vec<Vec<T>>) -> Vec<T> {
    let mut all = Vec::with_capacity(batches.iter().map(Vec::len).sum());
    for batch in batches {
        all.extend(batch);
    }
    all
}

/// [`exchange`] when `route` is given, else [`gather`], of the items `feed`
/// sends: one dataflow, stepped until it retires; what came in, in timely's
/// batches.
fn superstep<T: ExchangeData + Clone>(
    worker: &mut Worker,
    feed: impl FnOnce(&mut InputHandleVec<u64, T>),
    route: Option<fn(&T) -> u64>,
) -> Vec<Vec<T>> {
    let received: Rc<RefCell<Vec<Vec<T>>>> = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&received);
    let mut input: InputHandleVec<u64, T> = InputHandleVec::new();
    let id = worker.next_dataflow_index();
    worker.dataflow::<u64, _, _>(|scope| {
        let stream = scope.input_from(&mut input);
        let moved = match route {
            Some(route) => stream.exchange(route),
            None => stream.broadcast(),
        };
        // timely's batches taken as they are, not copied: a round can be a
        // share of every band key or anchor of the run.
        moved.sink(Pipeline, "Collect", move |(input, _frontier)| {
            input.for_each(|_, data| sink.borrow_mut().push(std::mem::take(data)));
        });
    });
    feed(&mut input);
    input.advance_to(1);
    drop(input);
    // The dataflow is retired once every operator is done, the collecting
    // sink included: then everything sent to this process is in `received`.
    while worker.installed_dataflows().contains(&id) {
        worker.step_or_park(Some(Duration::from_millis(20)));
    }
    std::mem::take(&mut *received.borrow_mut())
}
