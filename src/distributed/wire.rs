//! What crosses the network and is not a pipeline type as it is.
//!
//! Most stages send the pipeline's own types (candidates, edges, clusters,
//! passages derive serde for it). An [`Analysis`] cannot: its signature is
//! not serde, so it travels as its lanes.

use serde::{Deserialize, Serialize};

use crate::analyze::Analysis;
use crate::model::Document;
use crate::sign::{Method, Signature};

/// An [`Analysis`] on the wire: the document as it is, its signature as
/// lanes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct WireAnalysis {
    /// As JSON: [`Document`]'s `Meta` omits absent fields, which bincode
    /// cannot read back.
    #[serde(with = "crate::model::document::as_json")]
    pub(super) doc: Document,
    pub(super) content: Option<u64>,
    pub(super) lanes: Vec<u32>,
    pub(super) set: Option<Vec<u64>>,
    pub(super) words: Vec<u32>,
}

impl From<Analysis> for WireAnalysis {
    fn from(a: Analysis) -> WireAnalysis {
        let lanes = a.sig.as_ref().map_or_else(Vec::new, |s| s.lanes().into_owned());
        WireAnalysis { doc: a.doc, content: a.content, lanes, set: a.set, words: a.words }
    }
}

impl WireAnalysis {
    pub(super) fn into_analysis(self, method: Method) -> Analysis {
        let sig = Signature::from_lanes(&self.lanes, method == Method::Simhash);
        Analysis { doc: self.doc, content: self.content, sig, set: self.set, words: self.words }
    }
}
