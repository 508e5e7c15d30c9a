//! Bringing other processes' documents to where a stage needs them: a
//! request to each document's owner, its answer back (two supersteps). What
//! a stage fetches is a batch of its work's documents — the other side of a
//! candidate pair, of a pair to align, the documents of a part of the
//! passage graph — held for that batch only.

use rayon::prelude::*;
use timely::ExchangeData;
use timely::worker::Worker;

use super::owned::{Layout, Owned};
use super::superstep::send;
use crate::model::DocId;
use crate::spill::store::Store;

/// `provide(d)` for every document `d` of `wanted` (any order, repeats
/// allowed), computed by its owner: sorted by document, without repeats.
/// Every process must call it (with its own `wanted`, maybe empty).
pub(super) fn fetch<T: ExchangeData + Clone + Send>(
    worker: &mut Worker,
    layout: &Layout,
    wanted: &[u32],
    provide: &(dyn Fn(u32) -> T + Sync),
) -> Vec<(u32, T)> {
    let me = worker.index() as u64;
    let mut wanted = wanted.to_vec();
    wanted.par_sort_unstable();
    wanted.dedup();
    let (mine, theirs): (Vec<u32>, Vec<u32>) = wanted.into_iter().partition(|&d| layout.owner(d) == me);
    let requests: Vec<(u64, (u32, u64))> = theirs.into_iter().map(|d| (layout.owner(d), (d, me))).collect();
    let asked = send(worker, requests);
    let answers: Vec<(u64, (u32, T))> = asked.into_par_iter().map(|(d, from)| (from, (d, provide(d)))).collect();
    let mut got = send(worker, answers);
    got.par_extend(mine.into_par_iter().map(|d| (d, provide(d))));
    got.par_sort_unstable_by_key(|x| x.0);
    got
}

/// Documents' words (or other `u32` sequences) in a numbering of their own:
/// the stage functions of one process run on them as on a whole crawl
/// (local numbers keep the global order, so every tie breaks the same way).
pub(super) struct Local {
    /// The global number of each local document, ascending.
    pub(super) ids: Vec<u32>,
    pub(super) store: Store,
}

impl Local {
    /// From [`fetch`]'s answer.
    pub(super) fn new(items: Vec<(u32, Vec<u32>)>) -> Local {
        let mut store = Store::new(usize::MAX, None);
        let mut ids = Vec::with_capacity(items.len());
        for (d, words) in items {
            ids.push(d);
            store.push(&words).expect("a store in memory does not write");
        }
        store.finish().expect("a store in memory does not write");
        Local { ids, store }
    }

    /// Local number of global document `d` (one of them).
    pub(super) fn local(&self, d: u32) -> DocId {
        DocId(self.ids.binary_search(&d).expect("a fetched document") as u32)
    }

    /// Global number of local document `d`.
    pub(super) fn global(&self, d: DocId) -> DocId {
        DocId(self.ids[d.index()])
    }
}

/// The words of `wanted` from their owners, numbered locally.
pub(super) fn words(worker: &mut Worker, layout: &Layout, owned: &Owned, wanted: &[u32]) -> Local {
    Local::new(fetch(worker, layout, wanted, &|d| owned.words(d)))
}

/// `provide(key)` for every key of `keys` (sorted, without repeats),
/// computed by the process the key hashes to (`key mod P`: where an
/// exchange by key sent it): sorted by key.
pub(super) fn lookup<T: ExchangeData + Clone + Send>(
    worker: &mut Worker,
    keys: Vec<u64>,
    provide: &(dyn Fn(u64) -> T + Sync),
) -> Vec<(u64, T)> {
    let me = worker.index() as u64;
    let asked = send(worker, keys.into_iter().map(|k| (k, (k, me))).collect());
    let answers: Vec<(u64, (u64, T))> = asked.into_par_iter().map(|(k, from)| (from, (k, provide(k)))).collect();
    let mut got = send(worker, answers);
    got.par_sort_unstable_by_key(|x| x.0);
    got
}
