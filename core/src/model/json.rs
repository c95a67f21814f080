//! The document's JSON form: reading (strict, with precise errors) and
//! writing (canonical, diff-friendly).
//!
//! Reading goes bytes → [`Value`] (syntax, duplicate keys, nesting depth) →
//! schema check and migration → typed document (unknown fields, wrong types,
//! each error with its JSON path; all of them, not just the first) → graph
//! (duplicate ids, edges to missing nodes). Semantic rules are
//! [`crate::validate`]'s job.

use serde::de::{DeserializeOwned, Error as _, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::edge::{EdgeJson, EdgeRecord};
use super::meta::Meta;
use super::node::{
    ApiGatewaySpec, CacheSpec, CdnSpec, DatabaseSpec, DnsSpec, ExternalSpec, LoadBalancerSpec,
    Node, NodeKind, NodeSpec, ObjectStoreSpec, Placement, QueueSpec, ServiceSpec,
};
use super::topology::{EditError, Topology};
use crate::diagnostic::{Diagnostic, Element, did_you_mean};

/// The schema version this build reads and writes.
pub const SCHEMA_VERSION: u64 = 1;

/// `serde_json` refuses to nest deeper than this (it would otherwise recurse
/// without bound); documents are at most ~6 levels deep.
pub const MAX_DEPTH: usize = 128;

/// A migration step: rewrites a document of schema `n` into schema `n + 1`.
pub type Migration = fn(&mut Map<String, Value>) -> Result<(), String>;

/// Steps from each older schema to the next, indexed by `schema - 1`. Schema
/// 1 is the first; when schema 2 arrives, its step goes here.
pub const MIGRATIONS: &[Migration] = &[];

/// Parses a document. `Err` holds every problem found, each with its place.
pub fn from_slice(bytes: &[u8]) -> Result<Topology, Vec<Diagnostic>> {
    from_slice_with(bytes, SCHEMA_VERSION, MIGRATIONS)
}

pub fn from_str(text: &str) -> Result<Topology, Vec<Diagnostic>> {
    from_slice(text.as_bytes())
}

fn from_slice_with(
    bytes: &[u8],
    current: u64,
    migrations: &[Migration],
) -> Result<Topology, Vec<Diagnostic>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value = parse_strict(bytes).map_err(|err| vec![syntax_diagnostic(&err)])?;
    let Value::Object(mut root) = value else {
        return Err(vec![Diagnostic::error(
            "not-a-document",
            "",
            format!(
                "expected a JSON object (a topoplan document), found {}",
                type_name(&value)
            ),
        )]);
    };
    migrate(&mut root, current, migrations).map_err(|d| vec![d])?;
    from_object(root)
}

fn from_object(mut root: Map<String, Value>) -> Result<Topology, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let nodes = take_array(&mut root, "nodes", &mut errors);
    let edges = take_array(&mut root, "edges", &mut errors);
    let meta: Option<Meta> = typed(Value::Object(root), "", &mut errors);

    // Ids of nodes that exist but failed to parse: edges to them are not
    // reported again as edges to missing nodes.
    let mut broken_ids = std::collections::HashSet::new();
    let nodes: Vec<Node> = nodes
        .into_iter()
        .enumerate()
        .filter_map(|(i, value)| {
            let id = value.get("id").and_then(Value::as_str).map(str::to_owned);
            match node_from_value(i, value) {
                Ok(node) => Some(node),
                Err(mut errs) => {
                    errors.append(&mut errs);
                    broken_ids.extend(id);
                    None
                }
            }
        })
        .collect();
    let edges: Vec<(usize, EdgeRecord)> = edges
        .into_iter()
        .enumerate()
        .filter_map(|(i, value)| {
            typed::<EdgeJson>(value, &format!("edges[{i}]"), &mut errors)
                .map(|e| (i, EdgeRecord::from(e)))
        })
        .collect();

    let Some(meta) = meta else {
        return Err(errors);
    };
    let mut topology = Topology::new(meta);
    let mut first_use = std::collections::HashMap::new();
    for (i, node) in nodes.into_iter().enumerate() {
        let id = node.id.clone();
        let path = format!("nodes[{i}]");
        match topology.add_node(node) {
            Ok(_) => {
                first_use.insert(id, i);
            }
            Err(EditError::DuplicateId(id)) => {
                let first = first_use.get(&id).copied().unwrap_or_default();
                errors.push(
                    Diagnostic::error(
                        "duplicate-id",
                        format!("{path}.id"),
                        format!("duplicate id \"{id}\" (first used by nodes[{first}])"),
                    )
                    .on(Element::Node { id }),
                );
            }
            Err(err) => errors.push(Diagnostic::error(
                "invalid-id",
                format!("{path}.id"),
                err.to_string(),
            )),
        }
    }
    let ids: Vec<String> = topology.nodes().map(|n| n.id.clone()).collect();
    for (i, record) in edges {
        let path = format!("edges[{i}] ({} -> {})", record.from, record.to);
        let element = Element::Edge {
            from: record.from.clone(),
            to: record.to.clone(),
        };
        let error = match topology.add_edge(record) {
            Ok(_) => continue,
            Err(EditError::NoSuchNode(id)) if broken_ids.contains(&id) => continue,
            Err(EditError::NoSuchNode(id)) => {
                let hint = did_you_mean(&id, ids.iter().map(String::as_str));
                Diagnostic::error(
                    "missing-node",
                    path,
                    format!("edge to a node that does not exist: no node with id \"{id}\"{hint}"),
                )
            }
            Err(err @ EditError::SelfLoop(_)) => {
                Diagnostic::error("self-loop", path, err.to_string())
            }
            Err(err) => Diagnostic::error("duplicate-edge", path, err.to_string()),
        };
        errors.push(error.on(element));
    }
    if errors.is_empty() {
        Ok(topology)
    } else {
        Err(errors)
    }
}

/// Reads and checks `"schema"`, then runs the migration steps up to `current`.
fn migrate(
    root: &mut Map<String, Value>,
    current: u64,
    migrations: &[Migration],
) -> Result<(), Diagnostic> {
    let Some(schema) = root.remove("schema") else {
        return Err(Diagnostic::error(
            "schema-missing",
            "schema",
            format!(
                "no \"schema\" field: expected \"schema\": {current} (is this a topoplan document?)"
            ),
        ));
    };
    let Some(mut version) = schema.as_u64() else {
        return Err(Diagnostic::error(
            "schema-invalid",
            "schema",
            format!("expected a schema version number such as {current}, found {schema}"),
        ));
    };
    if version > current {
        return Err(Diagnostic::error(
            "schema-unsupported",
            "schema",
            if current == 1 {
                format!(
                    "schema {version} was written by a newer topoplan; this version reads schema 1"
                )
            } else {
                format!(
                    "schema {version} was written by a newer topoplan; this version reads schemas 1 to {current}"
                )
            },
        ));
    }
    if version == 0 {
        return Err(Diagnostic::error(
            "schema-invalid",
            "schema",
            format!("schema 0 does not exist; expected 1 to {current}"),
        ));
    }
    while version < current {
        let step = usize::try_from(version - 1)
            .ok()
            .and_then(|i| migrations.get(i))
            .ok_or_else(|| {
                Diagnostic::error(
                    "schema-unsupported",
                    "schema",
                    format!("no migration from schema {version}"),
                )
            })?;
        step(root).map_err(|message| {
            Diagnostic::error(
                "migration-failed",
                "",
                format!("migrating from schema {version}: {message}"),
            )
        })?;
        version += 1;
    }
    Ok(())
}

fn take_array(
    root: &mut Map<String, Value>,
    key: &str,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Value> {
    match root.remove(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => {
            errors.push(Diagnostic::error(
                "invalid-value",
                key,
                format!("expected an array, found {}", type_name(&other)),
            ));
            Vec::new()
        }
    }
}

/// Deserializes `value` as `T`, recording an error at `base` + the path
/// serde reports.
fn typed<T: DeserializeOwned>(value: Value, base: &str, errors: &mut Vec<Diagnostic>) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(v) => Some(v),
        Err(err) => {
            let inner = err.path().to_string();
            let path = join_path(base, if inner == "." { "" } else { &inner });
            errors.push(serde_diagnostic(path, &err.into_inner().to_string()));
            None
        }
    }
}

fn join_path(base: &str, inner: &str) -> String {
    match (base.is_empty(), inner.is_empty()) {
        (_, true) => base.to_owned(),
        (true, false) => inner.to_owned(),
        (false, false) if inner.starts_with('[') => format!("{base}{inner}"),
        (false, false) => format!("{base}.{inner}"),
    }
}

/// Turns serde's wording into the document's.
fn serde_diagnostic(path: String, message: &str) -> Diagnostic {
    let code = if message.starts_with("unknown field") {
        "unknown-field"
    } else if message.starts_with("missing field") {
        "missing-field"
    } else if message.starts_with("unknown variant") {
        "unknown-value"
    } else {
        "invalid-value"
    };
    let message = message
        .replace("expected u64", "expected a whole number ≥ 0")
        .replace("expected u32", "expected a whole number ≥ 0")
        .replace("expected u16", "expected a whole number from 0 to 65535")
        .replace("expected f64", "expected a number")
        .replace("invalid type: ", "wrong type: ")
        .replace("invalid value: ", "");
    Diagnostic::error(code, path, message)
}

const COMMON_FIELDS: [&str; 7] = [
    "id",
    "name",
    "kind",
    "placement",
    "position",
    "availability",
    "notes",
];
fn node_from_value(i: usize, value: Value) -> Result<Node, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let Value::Object(mut map) = value else {
        return Err(vec![Diagnostic::error(
            "invalid-value",
            format!("nodes[{i}]"),
            format!("expected a node object, found {}", type_name(&value)),
        )]);
    };
    let id = match map.remove("id") {
        Some(Value::String(id)) => id,
        Some(other) => {
            errors.push(Diagnostic::error(
                "invalid-value",
                format!("nodes[{i}].id"),
                format!("expected a string id, found {}", type_name(&other)),
            ));
            String::new()
        }
        None => {
            errors.push(Diagnostic::error(
                "missing-field",
                format!("nodes[{i}]"),
                "missing field `id`",
            ));
            String::new()
        }
    };
    let base = if id.is_empty() {
        format!("nodes[{i}]")
    } else {
        format!("nodes[{i}] ({id:?})")
    };
    let kind = match map.remove("kind") {
        Some(Value::String(kind)) => NodeKind::parse(&kind).or_else(|| {
            let names = NodeKind::ALL.map(NodeKind::as_str);
            errors.push(Diagnostic::error(
                "unknown-kind",
                format!("{base}.kind"),
                format!(
                    "unknown kind \"{kind}\"{}; expected one of {}",
                    did_you_mean(&kind, names),
                    names.join(", ")
                ),
            ));
            None
        }),
        Some(other) => {
            errors.push(Diagnostic::error(
                "invalid-value",
                format!("{base}.kind"),
                format!("expected a kind name, found {}", type_name(&other)),
            ));
            None
        }
        None => {
            errors.push(Diagnostic::error(
                "missing-field",
                base.clone(),
                "missing field `kind`",
            ));
            None
        }
    };
    let mut field = |key: &str| map.remove(key).filter(|v| !v.is_null());
    let name: Option<String> =
        field("name").and_then(|v| typed(v, &format!("{base}.name"), &mut errors));
    let placement_value = field("placement");
    let position_value = field("position");
    let availability_value = field("availability");
    let notes_value = field("notes");
    let placement: Placement = placement_value
        .and_then(|v| typed(v, &format!("{base}.placement"), &mut errors))
        .unwrap_or_default();
    let position: Option<[f64; 2]> =
        position_value.and_then(|v| typed(v, &format!("{base}.position"), &mut errors));
    let availability: Option<f64> =
        availability_value.and_then(|v| typed(v, &format!("{base}.availability"), &mut errors));
    let notes: Option<String> =
        notes_value.and_then(|v| typed(v, &format!("{base}.notes"), &mut errors));

    let spec = kind.and_then(|kind| {
        let rest = Value::Object(map);
        let before = errors.len();
        let spec = spec_from_value(kind, rest, &base, &mut errors);
        for error in &mut errors[before..] {
            if error.code == "unknown-field" {
                error.message = format!(
                    "{} (settings of a {kind} node), or one of the common fields {}",
                    error.message,
                    COMMON_FIELDS.join(", ")
                );
            }
        }
        spec
    });

    match spec {
        Some(spec) if errors.is_empty() => Ok(Node {
            name: name.unwrap_or_else(|| id.clone()),
            id,
            placement,
            position,
            availability,
            notes,
            spec,
        }),
        _ => {
            if !id.is_empty() {
                for error in &mut errors {
                    error.element = Some(Element::Node { id: id.clone() });
                }
            }
            Err(errors)
        }
    }
}

fn spec_from_value(
    kind: NodeKind,
    rest: Value,
    base: &str,
    errors: &mut Vec<Diagnostic>,
) -> Option<NodeSpec> {
    Some(match kind {
        NodeKind::Dns => NodeSpec::Dns(typed::<DnsSpec>(rest, base, errors)?),
        NodeKind::Cdn => NodeSpec::Cdn(typed::<CdnSpec>(rest, base, errors)?),
        NodeKind::LoadBalancer => {
            NodeSpec::LoadBalancer(typed::<LoadBalancerSpec>(rest, base, errors)?)
        }
        NodeKind::ApiGateway => NodeSpec::ApiGateway(typed::<ApiGatewaySpec>(rest, base, errors)?),
        NodeKind::Service => NodeSpec::Service(typed::<ServiceSpec>(rest, base, errors)?),
        NodeKind::Cache => NodeSpec::Cache(typed::<CacheSpec>(rest, base, errors)?),
        NodeKind::Queue => NodeSpec::Queue(typed::<QueueSpec>(rest, base, errors)?),
        NodeKind::Database => NodeSpec::Database(typed::<DatabaseSpec>(rest, base, errors)?),
        NodeKind::ObjectStore => {
            NodeSpec::ObjectStore(typed::<ObjectStoreSpec>(rest, base, errors)?)
        }
        NodeKind::External => NodeSpec::External(typed::<ExternalSpec>(rest, base, errors)?),
    })
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn syntax_diagnostic(err: &serde_json::Error) -> Diagnostic {
    let place = format!("line {} column {}", err.line(), err.column());
    let text = err.to_string();
    // serde_json appends " at line L column C"; the path says it already.
    let message = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(m, _)| m)
        .to_owned();
    if message.contains("recursion limit exceeded") {
        return Diagnostic::error(
            "too-deep",
            place,
            format!(
                "nested deeper than {MAX_DEPTH} levels; a topoplan document is a few levels deep"
            ),
        );
    }
    if message.contains("invalid unicode code point") {
        return Diagnostic::error(
            "not-utf8",
            place,
            "not valid UTF-8 text: a topoplan document is UTF-8 encoded JSON",
        );
    }
    let code = if message.starts_with("duplicate key") {
        "duplicate-key"
    } else {
        "json-syntax"
    };
    Diagnostic::error(code, place, format!("not valid JSON: {message}"))
}

/// Parses JSON into a [`Value`], refusing duplicate object keys (JSON allows
/// them; silently keeping the last would hide a mistake) and trailing data.
fn parse_strict(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue::deserialize(&mut de)?.0;
    de.end()?;
    Ok(value)
}

struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(StrictValue(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(A::Error::custom(format!("duplicate key \"{key}\"")));
            }
            let StrictValue(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

// ---------------------------------------------------------------------------
// writing

/// The document as canonical JSON: every setting written out, two-space
/// indents, short flat objects and arrays on one line, a final newline.
pub fn to_string(topology: &Topology) -> String {
    let value = to_value(topology);
    let mut out = String::with_capacity(256 * (topology.node_count() + 4));
    write_value(&mut out, &value, 0);
    out.push('\n');
    out
}

/// The document as a JSON value (the same content [`to_string`] writes).
pub fn to_value(topology: &Topology) -> Value {
    let mut root = Map::new();
    root.insert("schema".into(), Value::from(SCHEMA_VERSION));
    if let Ok(Value::Object(meta)) = serde_json::to_value(topology.meta()) {
        root.extend(meta);
    }
    root.insert(
        "nodes".into(),
        Value::Array(topology.nodes().map(node_to_value).collect()),
    );
    root.insert(
        "edges".into(),
        Value::Array(
            topology
                .edges()
                .map(|e| {
                    serde_json::to_value(EdgeJson::from_parts(&e.from.id, &e.to.id, e.edge))
                        .unwrap_or(Value::Null)
                })
                .collect(),
        ),
    );
    Value::Object(root)
}

fn node_to_value(node: &Node) -> Value {
    #[derive(Serialize)]
    struct Common<'a> {
        id: &'a str,
        name: &'a str,
        kind: NodeKind,
        #[serde(skip_serializing_if = "Placement::is_empty")]
        placement: &'a Placement,
        #[serde(skip_serializing_if = "Option::is_none")]
        position: Option<[f64; 2]>,
        #[serde(skip_serializing_if = "Option::is_none")]
        availability: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        notes: Option<&'a str>,
    }
    let common = Common {
        id: &node.id,
        name: &node.name,
        kind: node.kind(),
        placement: &node.placement,
        position: node.position,
        availability: node.availability,
        notes: node.notes.as_deref(),
    };
    let spec = match &node.spec {
        NodeSpec::Dns(s) => serde_json::to_value(s),
        NodeSpec::Cdn(s) => serde_json::to_value(s),
        NodeSpec::LoadBalancer(s) => serde_json::to_value(s),
        NodeSpec::ApiGateway(s) => serde_json::to_value(s),
        NodeSpec::Service(s) => serde_json::to_value(s),
        NodeSpec::Cache(s) => serde_json::to_value(s),
        NodeSpec::Queue(s) => serde_json::to_value(s),
        NodeSpec::Database(s) => serde_json::to_value(s),
        NodeSpec::ObjectStore(s) => serde_json::to_value(s),
        NodeSpec::External(s) => serde_json::to_value(s),
    };
    // Serializing plain structs of numbers, strings and maps cannot fail.
    let mut out = match serde_json::to_value(common) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    if let Ok(Value::Object(spec)) = spec {
        out.extend(spec);
    }
    Value::Object(out)
}

const LINE_WIDTH: usize = 120;

fn write_value(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Array(items) if !items.is_empty() => {
            if let Some(inline) = inline(value, LINE_WIDTH.saturating_sub(indent)) {
                out.push_str(&inline);
                return;
            }
            if items.iter().all(|v| !v.is_array() && !v.is_object()) {
                // Long lists of scalars fill lines instead of taking one each.
                out.push_str("[\n");
                let mut line = String::new();
                for (i, item) in items.iter().enumerate() {
                    let mut text = item.to_string();
                    if i + 1 < items.len() {
                        text.push(',');
                    }
                    if !line.is_empty() && indent + 2 + line.len() + 1 + text.len() > LINE_WIDTH {
                        push_indent(out, indent + 2);
                        out.push_str(&line);
                        out.push('\n');
                        line.clear();
                    }
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(&text);
                }
                push_indent(out, indent + 2);
                out.push_str(&line);
                out.push('\n');
                push_indent(out, indent);
                out.push(']');
                return;
            }
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                push_indent(out, indent + 2);
                write_value(out, item, indent + 2);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            push_indent(out, indent);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            if let Some(inline) = inline(value, LINE_WIDTH.saturating_sub(indent)) {
                out.push_str(&inline);
                return;
            }
            out.push_str("{\n");
            for (i, (key, item)) in map.iter().enumerate() {
                push_indent(out, indent + 2);
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(": ");
                write_value(out, item, indent + 2);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            push_indent(out, indent);
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// A one-line rendering of `value` when it fits and no object in it holds
/// another object.
fn inline(value: &Value, width: usize) -> Option<String> {
    fn go(value: &Value, out: &mut String, in_object: bool, width: usize) -> Option<()> {
        match value {
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    go(item, out, in_object, width)?;
                }
                out.push(']');
            }
            Value::Object(map) => {
                if in_object {
                    return None;
                }
                out.push_str("{ ");
                for (i, (key, item)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push_str(": ");
                    go(item, out, true, width)?;
                }
                out.push_str(" }");
            }
            scalar => out.push_str(&scalar.to_string()),
        }
        (out.len() <= width).then_some(())
    }
    let mut out = String::new();
    go(value, &mut out, false, width)?;
    Some(out)
}

fn push_indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<&'static str> {
        match from_str(text) {
            Ok(_) => Vec::new(),
            Err(errs) => errs.iter().map(|e| e.code).collect(),
        }
    }

    fn first_error(text: &str) -> String {
        from_str(text).unwrap_err()[0].to_string()
    }

    const MINIMAL: &str = r#"{"schema": 1, "name": "t"}"#;

    #[test]
    fn minimal_document_loads() {
        let t = from_str(MINIMAL).unwrap();
        assert_eq!(t.meta().name, "t");
        assert_eq!(t.node_count(), 0);
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let err = first_error("{\n  \"schema\": 1,\n  \"name\": \"t\",\n}");
        assert!(
            err.starts_with("error: line 4 column 1: not valid JSON: trailing comma"),
            "{err}"
        );
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let err = first_error(r#"{"schema": 1, "name": "a", "name": "b"}"#);
        assert!(err.contains("duplicate key \"name\""), "{err}");
        assert_eq!(
            codes(r#"{"schema": 1, "name": "a", "name": "b"}"#),
            ["duplicate-key"]
        );
    }

    #[test]
    fn deep_nesting_fails_cleanly() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(codes(&deep), ["too-deep"]);
        let deep_in_doc = format!(
            r#"{{"schema": 1, "name": "t", "description": {}1{}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        assert_eq!(codes(&deep_in_doc), ["too-deep"]);
    }

    #[test]
    fn schema_is_required_and_bounded() {
        assert_eq!(codes(r#"{"name": "t"}"#), ["schema-missing"]);
        assert_eq!(
            codes(r#"{"schema": 2, "name": "t"}"#),
            ["schema-unsupported"]
        );
        assert_eq!(codes(r#"{"schema": "1", "name": "t"}"#), ["schema-invalid"]);
        assert_eq!(codes(r#"{"schema": 0, "name": "t"}"#), ["schema-invalid"]);
    }

    #[test]
    fn migrations_run_in_order_up_to_the_current_schema() {
        fn one_to_two(doc: &mut Map<String, Value>) -> Result<(), String> {
            let title = doc.remove("title").ok_or("no title")?;
            doc.insert("name".into(), title);
            Ok(())
        }
        #[expect(
            clippy::unnecessary_wraps,
            reason = "a migration step has this signature"
        )]
        fn two_to_three(doc: &mut Map<String, Value>) -> Result<(), String> {
            doc.insert("description".into(), Value::from("migrated"));
            Ok(())
        }
        let table: &[Migration] = &[one_to_two, two_to_three];
        let t = from_slice_with(br#"{"schema": 1, "title": "old"}"#, 3, table).unwrap();
        assert_eq!(t.meta().name, "old");
        assert_eq!(t.meta().description.as_deref(), Some("migrated"));
        let t = from_slice_with(br#"{"schema": 2, "name": "mid"}"#, 3, table).unwrap();
        assert_eq!(t.meta().description.as_deref(), Some("migrated"));
        let errs = from_slice_with(br#"{"schema": 1, "name": "x"}"#, 3, table).unwrap_err();
        assert_eq!(errs[0].code, "migration-failed");
        assert!(errs[0].message.contains("no title"));
    }

    #[test]
    fn unknown_fields_are_errors_with_their_path() {
        let err = first_error(r#"{"schema": 1, "name": "t", "regoins": []}"#);
        assert!(err.contains("unknown field `regoins`"), "{err}");
        let err = first_error(
            r#"{"schema": 1, "name": "t", "nodes": [{"id": "c", "kind": "cache", "replicaz": 2}]}"#,
        );
        assert!(
            err.starts_with("error: nodes[0] (\"c\").replicaz: unknown field `replicaz`"),
            "{err}"
        );
        assert!(err.contains("settings of a cache node"), "{err}");
    }

    #[test]
    fn negative_counts_name_the_field() {
        let err = first_error(
            r#"{"schema": 1, "name": "t", "nodes": [{"id": "web", "kind": "service", "min": -1}]}"#,
        );
        assert_eq!(
            err,
            "error: nodes[0] (\"web\").min: integer `-1`, expected a whole number ≥ 0"
        );
    }

    #[test]
    fn all_node_errors_are_reported_at_once() {
        let text = r#"{"schema": 1, "name": "t", "nodes": [
            {"id": "a", "kind": "servce"},
            {"id": "b", "kind": "cache", "hit_ratio": "high"},
            {"kind": "queue"}
        ]}"#;
        let errs = from_str(text).unwrap_err();
        let codes: Vec<_> = errs.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["unknown-kind", "invalid-value", "missing-field"]);
        assert!(
            errs[0].message.contains("did you mean \"service\""),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn a_broken_node_does_not_make_its_edges_errors_too() {
        let text = r#"{"schema": 1, "name": "t",
            "nodes": [{"id": "web", "kind": "service", "min": -1}, {"id": "db", "kind": "database"}],
            "edges": [{"from": "web", "to": "db"}]}"#;
        assert_eq!(codes(text), ["invalid-value"]);
    }

    #[test]
    fn graph_errors_name_both_ends() {
        let text = r#"{"schema": 1, "name": "t",
            "nodes": [{"id": "web", "kind": "service"}, {"id": "orders-db", "kind": "database"},
                      {"id": "web", "kind": "cache"}],
            "edges": [{"from": "web", "to": "orders-dbb"}, {"from": "web", "to": "web"},
                      {"from": "web", "to": "orders-db"}, {"from": "web", "to": "orders-db"}]}"#;
        let errs = from_str(text).unwrap_err();
        let shown: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "error: nodes[2].id: duplicate id \"web\" (first used by nodes[0])",
                "error: edges[0] (web -> orders-dbb): edge to a node that does not exist: no node with id \"orders-dbb\" (did you mean \"orders-db\"?)",
                "error: edges[1] (web -> web): \"web\" cannot be connected to itself",
                "error: edges[3] (web -> orders-db): an edge from \"web\" to \"orders-db\" already exists",
            ]
        );
    }

    #[test]
    fn long_scalar_lists_fill_lines() {
        let value = Value::Array((0..60).map(|i| Value::from(f64::from(i) / 7.0)).collect());
        let mut out = String::new();
        write_value(&mut out, &value, 0);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.len() > 3 && lines.len() < 20, "{out}");
        assert!(lines.iter().all(|l| l.len() <= LINE_WIDTH), "{out}");
        let back: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(MINIMAL.as_bytes());
        assert!(from_slice(&bytes).is_ok());
    }

    #[test]
    fn non_utf8_and_non_objects_fail_cleanly() {
        assert_eq!(
            from_slice(b"{\"schema\": 1, \"name\": \"\xff\"}").unwrap_err()[0].code,
            "not-utf8"
        );
        assert_eq!(codes("[1, 2]"), ["not-a-document"]);
        assert_eq!(codes(""), ["json-syntax"]);
        assert_eq!(
            codes(r#"{"schema": 1, "name": "t"} trailing"#),
            ["json-syntax"]
        );
        assert_eq!(
            codes(r#"{"schema": 1, "name": "t", "traffic": {"peak_rps": 1e999}}"#),
            ["json-syntax"]
        );
    }

    #[test]
    fn writer_puts_short_flat_values_on_one_line() {
        let value: Value = serde_json::from_str(
            r#"{"a": [1, 2], "b": {"x": "y"}, "c": [{"p": 1}, {"q": {"r": [1, 2]}}], "d": {"e": {"f": 1}}}"#,
        )
        .unwrap();
        let mut out = String::new();
        write_value(&mut out, &value, 0);
        assert_eq!(
            out,
            "{\n  \"a\": [1, 2],\n  \"b\": { \"x\": \"y\" },\n  \"c\": [\n    { \"p\": 1 },\n    {\n      \"q\": { \"r\": [1, 2] }\n    }\n  ],\n  \"d\": {\n    \"e\": { \"f\": 1 }\n  }\n}"
        );
    }
}
