//! Which record of each document cluster `--write` keeps.

use crate::model::{Scan, Status};

/// Which member of each document cluster `--write` keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Keep {
    /// Every record (nothing is removed; malformed lines stay as they were).
    All,
    /// The member earliest in input order.
    First,
    /// The cluster's representative, as in clusters.jsonl.
    #[default]
    Representative,
    /// The member with the most tokens (ties: earliest in input order).
    Longest,
    /// The member with the earliest `date` (compared as text; undated
    /// members last; ties: earliest in input order).
    Earliest,
}

/// The member of each cluster that `keep` keeps (for [`Keep::All`], the
/// representative: the others are then marked `duplicate` but kept). With
/// `scan --against`, a cluster that holds an archived record keeps that
/// one (the earliest): the archive has the article already, so none of the
/// run's own members is kept, whatever the rule.
pub fn chosen(scan: &Scan, keep: Keep) -> Vec<usize> {
    scan.clusters
        .iter()
        .map(|c| {
            let members = c.members.iter().map(|m| m.0.index());
            let doc = |i: usize| &scan.docs[i];
            if let Some(archived) = members.clone().filter(|&i| i < scan.archived).min() {
                return archived;
            }
            match keep {
                Keep::All | Keep::Representative => c.representative.index(),
                Keep::First => members.min().expect("a cluster has members"),
                Keep::Longest => {
                    members.min_by_key(|&i| (std::cmp::Reverse(doc(i).tokens), i)).expect("a cluster has members")
                }
                Keep::Earliest => members
                    .min_by_key(|&i| (doc(i).meta.date.is_none(), doc(i).meta.date.clone(), i))
                    .expect("a cluster has members"),
            }
        })
        .collect()
}

/// The records `keep` keeps: those in no cluster and the chosen member of
/// each cluster, never an `error` record (it is not a record of the
/// dataset) — except with [`Keep::All`], which keeps everything.
pub fn wanted(scan: &Scan, keep: Keep) -> Vec<bool> {
    let mut wanted: Vec<bool> =
        scan.docs.iter().map(|d| keep == Keep::All || !matches!(d.status, Status::Error(_))).collect();
    if keep != Keep::All {
        for (c, &keeper) in scan.clusters.iter().zip(&chosen(scan, keep)) {
            for m in &c.members {
                wanted[m.0.index()] = m.0.index() == keeper;
            }
        }
    }
    wanted
}
