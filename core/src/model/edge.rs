//! Edges: who calls, publishes to, consumes from or replicates to whom.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// Synchronous request/response: the caller waits for the callee.
    #[default]
    Call,
    /// Asynchronous send into a queue (producer → queue).
    Publish,
    /// Asynchronous delivery from a queue to its consumer (queue → consumer),
    /// in the direction messages flow. A consumer's failure never reaches
    /// the producers: the queue buffers.
    Consume,
    /// Data replication between stores (source → replica).
    Replicate,
}

impl EdgeKind {
    pub const ALL: [Self; 4] = [Self::Call, Self::Publish, Self::Consume, Self::Replicate];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Call => "call",
            Self::Publish => "publish",
            Self::Consume => "consume",
            Self::Replicate => "replicate",
        }
    }

    /// The dependency an edge of this kind has when the document does not say.
    pub fn default_dependency(self) -> Dependency {
        match self {
            Self::Call | Self::Publish => Dependency::Hard,
            Self::Consume | Self::Replicate => Dependency::Soft,
        }
    }

    pub fn is_sync(self) -> bool {
        self == Self::Call
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dependency {
    /// The caller fails when this dependency has no healthy instance.
    #[default]
    Hard,
    /// The caller degrades (serves without it) when it fails.
    Soft,
}

/// Which of the caller's requests take this edge.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requests {
    #[default]
    All,
    Reads,
    Writes,
}

/// The settings of an edge; its endpoints live in the graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub kind: EdgeKind,
    pub dependency: Dependency,
    /// Share (0..1) of the caller's selected requests that flow along this edge.
    pub fraction: f64,
    pub requests: Requests,
    /// Payload per request along this edge, when it differs from the
    /// traffic model's request + response size.
    pub payload_kb: Option<f64>,
    pub notes: Option<String>,
}

impl Edge {
    pub fn new(kind: EdgeKind) -> Self {
        Self {
            kind,
            dependency: kind.default_dependency(),
            fraction: 1.0,
            requests: Requests::All,
            payload_kb: None,
            notes: None,
        }
    }

    pub fn call() -> Self {
        Self::new(EdgeKind::Call)
    }

    #[must_use]
    pub fn soft(mut self) -> Self {
        self.dependency = Dependency::Soft;
        self
    }

    #[must_use]
    pub fn fraction(mut self, fraction: f64) -> Self {
        self.fraction = fraction;
        self
    }

    #[must_use]
    pub fn requests(mut self, requests: Requests) -> Self {
        self.requests = requests;
        self
    }

    pub fn is_hard_call(&self) -> bool {
        self.kind == EdgeKind::Call && self.dependency == Dependency::Hard
    }
}

impl Default for Edge {
    fn default() -> Self {
        Self::call()
    }
}

/// An edge with its endpoints named by node id: the document's form, and the
/// unit the editing API adds and removes.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeRecord {
    pub from: String,
    pub to: String,
    pub edge: Edge,
}

impl EdgeRecord {
    pub fn new(from: impl Into<String>, to: impl Into<String>, edge: Edge) -> Self {
        Self {
            from: from.into(),
            to: to.into(),
            edge,
        }
    }
}

/// The serialized shape of an edge.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EdgeJson {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub kind: EdgeKind,
    /// Absent means the kind's default (`call`/`publish`: hard, else soft).
    #[serde(default)]
    pub dependency: Option<Dependency>,
    #[serde(default = "one")]
    pub fraction: f64,
    #[serde(default)]
    pub requests: Requests,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_kb: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

fn one() -> f64 {
    1.0
}

impl From<EdgeJson> for EdgeRecord {
    fn from(json: EdgeJson) -> Self {
        Self {
            from: json.from,
            to: json.to,
            edge: Edge {
                kind: json.kind,
                dependency: json.dependency.unwrap_or(json.kind.default_dependency()),
                fraction: json.fraction,
                requests: json.requests,
                payload_kb: json.payload_kb,
                notes: json.notes,
            },
        }
    }
}

impl EdgeJson {
    pub fn from_parts(from: &str, to: &str, edge: &Edge) -> Self {
        Self {
            from: from.to_owned(),
            to: to.to_owned(),
            kind: edge.kind,
            dependency: Some(edge.dependency),
            fraction: edge.fraction,
            requests: edge.requests,
            payload_kb: edge.payload_kb,
            notes: edge.notes.clone(),
        }
    }
}
