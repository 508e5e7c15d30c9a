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
    superstep(worker, items, Some(route))
}

/// How many copies of what a round sends a process holds at once (what it
/// sends, timely's buffers, what it receives): rounds are sized so that all
/// of them fit the share of `--memory-limit` a single process's round has.
pub(super) const IN_FLIGHT: usize = 3;

/// Sends each `(process, item)` to that process (mod P) and returns the
/// items this process received (in no particular order).
pub(super) fn send<T: ExchangeData + Clone>(worker: &mut Worker, items: Vec<(u64, T)>) -> Vec<T> {
    fn to<T>(x: &(u64, T)) -> u64 {
        x.0
    }
    superstep(worker, items, Some(to::<T>)).into_iter().map(|x| x.1).collect()
}

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
    superstep(worker, items, None)
}

/// [`exchange`] when `route` is given, else [`gather`]: one dataflow, stepped
/// until it retires.
fn superstep<T: ExchangeData + Clone>(worker: &mut Worker, items: Vec<T>, route: Option<fn(&T) -> u64>) -> Vec<T> {
    let received: Rc<RefCell<Vec<T>>> = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&received);
    let mut input: InputHandleVec<u64, T> = InputHandleVec::new();
    let id = worker.next_dataflow_index();
    worker.dataflow::<u64, _, _>(|scope| {
        let stream = scope.input_from(&mut input);
        let moved = match route {
            Some(route) => stream.exchange(route),
            None => stream.broadcast(),
        };
        // Moved out of timely's buffers, not cloned: a round can be a
        // share of every band key or anchor of the run.
        moved.sink(Pipeline, "Collect", move |(input, _frontier)| {
            input.for_each(|_, data| sink.borrow_mut().append(data));
        });
    });
    for x in items {
        input.send(x);
    }
    input.advance_to(1);
    drop(input);
    // The dataflow is retired once every operator is done, the collecting
    // sink included: then everything sent to this process is in `received`.
    while worker.installed_dataflows().contains(&id) {
        worker.step_or_park(Some(Duration::from_millis(20)));
    }
    std::mem::take(&mut *received.borrow_mut())
}
