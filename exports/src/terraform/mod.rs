//! Terraform export: a topology document as a Terraform root module.
//!
//! [`export`] turns a [`Topology`] into the files of a root module, held in
//! memory ([`Export`]); [`Export::write_to`] writes them into a directory
//! without clobbering anything it did not write. The GUI and the CLI call
//! the same two functions.
//!
//! # Layout of the module
//!
//! | file | holds |
//! |---|---|
//! | `versions.tf` | Terraform and `hashicorp/aws` version constraints |
//! | `providers.tf` | one aliased `aws` provider per region, `default_tags` with the topology id |
//! | `variables.tf` | what the user supplies: AMIs, certificates, domain, CIDR plan, credentials source |
//! | `outputs.tf` | endpoints, ASG names, DNS names |
//! | `global.tf` | IAM, Route 53, CloudFront, Aurora global clusters (on the primary region's provider) |
//! | `<region>.tf` | everything in one region: network first, then each node's resources in document order |
//! | `README.md` | what was generated, the variables to set, the assumptions made, the warnings |
//! | `terraform.tfvars.example` | every variable with its default or a placeholder |
//!
//! One file per region (rather than per layer) keeps a region's whole
//! footprint in one place: a reviewer sees what a regional failover leans
//! on, and removing a region from the design removes one file.
//!
//! Every resource carries the tag `topoplan:node` with the id of the node it
//! implements; the providers' `default_tags` add `topoplan:topology`.

mod api_gateway;
mod cache;
mod cdn;
mod compute;
mod database;
mod dns;
mod dsl;
mod encryption;
mod format;
mod iam;
mod load_balancer;
mod naming;
mod network;
mod providers;
mod queue;
mod readme;
mod security;
mod storage;
mod variables;
mod write;

use std::collections::{BTreeMap, BTreeSet};

use hcl::Block;
use hcl::expr::Expression;
use serde::Serialize;
use topoplan_core::Diagnostic;
use topoplan_core::model::{
    DeploymentMode, EdgeView, Node, NodeSpec, RegionRole, Standby, Topology,
};

pub use write::{WriteError, WriteOptions, WriteReport};

use naming::NodeIdents;

/// Tag key holding the topology id (on every resource, through the providers' `default_tags`).
pub const TAG_TOPOLOGY: &str = "topoplan:topology";
/// Tag key holding the id of the node a resource implements.
pub const TAG_NODE: &str = "topoplan:node";

/// How many NAT gateways a region gets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NatGateways {
    /// One per AZ that runs services: losing an AZ never cuts the others'
    /// egress (the highly available layout, and the default).
    #[default]
    PerAz,
    /// One per region, shared by all AZs: cheaper, but the region's egress
    /// depends on one AZ.
    PerRegion,
}

/// Choices that are not part of the document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportOptions {
    pub nat_gateways: NatGateways,
    /// Threads to generate large documents with; 0 (the default) uses every
    /// core. The output does not depend on it.
    pub threads: usize,
}

/// Something in the document the export could not express, or expressed
/// differently from what it says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExportWarning {
    /// The node concerned.
    pub node: String,
    /// Stable, machine-readable class, e.g. `third-party-cdn`.
    pub code: &'static str,
    pub message: String,
}

impl std::fmt::Display for ExportWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.node, self.message)
    }
}

/// One resource or data source of the export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GeneratedResource {
    /// Terraform address, e.g. `aws_autoscaling_group.web_us_east_1`.
    pub address: String,
    /// The file it is in.
    pub file: String,
    /// The node it implements; `None` for shared network and security plumbing.
    pub node: Option<String>,
}

/// A variable of the generated module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VariableInfo {
    pub name: String,
    pub description: String,
    /// No default: `terraform plan` asks for it.
    pub required: bool,
    pub sensitive: bool,
}

/// A generated root module, in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    topology_id: String,
    files: BTreeMap<String, String>,
    warnings: Vec<ExportWarning>,
    resources: Vec<GeneratedResource>,
    variables: Vec<VariableInfo>,
}

impl Export {
    /// The id of the topology exported (the `topoplan:topology` tag).
    pub fn topology_id(&self) -> &str {
        &self.topology_id
    }

    /// Relative path → contents, in path order.
    pub fn files(&self) -> &BTreeMap<String, String> {
        &self.files
    }

    /// What could not be expressed, per node, in document order.
    pub fn warnings(&self) -> &[ExportWarning] {
        &self.warnings
    }

    /// Every resource and data source, in file order.
    pub fn resources(&self) -> &[GeneratedResource] {
        &self.resources
    }

    /// Every variable, in the order of `variables.tf`.
    pub fn variables(&self) -> &[VariableInfo] {
        &self.variables
    }
}

/// Why a document was not exported.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ExportError {
    #[error("{}", invalid_message(.0))]
    Invalid(Vec<Diagnostic>),
    #[error("internal error while exporting: {0}")]
    Internal(String),
}

fn invalid_message(errors: &[Diagnostic]) -> String {
    let mut message = format!(
        "the document has {} error{}; fix {} before exporting:",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" },
        if errors.len() == 1 { "it" } else { "them" },
    );
    for d in errors {
        message.push_str("\n  ");
        message.push_str(&d.to_string());
    }
    message
}

/// Exports `topology` as a Terraform root module. Refuses a document with
/// validation errors. Deterministic: the same document and options give the
/// same bytes.
pub fn export(topology: &Topology, options: &ExportOptions) -> Result<Export, ExportError> {
    let report = topoplan_core::validate::validate(topology);
    if !report.is_ok() {
        return Err(ExportError::Invalid(report.errors));
    }
    let mut forced = BTreeSet::new();
    // Each round either succeeds or forces a hash onto one more node, so
    // this ends; the bound only guards against a bug.
    for _ in 0..=topology.node_count() {
        let idents = NodeIdents::new(topology.nodes().map(|n| n.id.as_str()), &forced);
        let ctx = Ctx::new(topology, options, idents);
        let mut out = Out::default();
        generate(&ctx, &mut out);
        match out.collision(&ctx) {
            None => return Ok(out.finish(&ctx)),
            Some(Collision::Node(id)) => {
                forced.insert(id);
            }
            Some(Collision::Fixed(what)) => return Err(ExportError::Internal(what)),
        }
    }
    Err(ExportError::Internal(
        "could not make resource names unique".to_owned(),
    ))
}

/// Documents this small are exported on the calling thread.
const PARALLEL_FROM_NODES: usize = 256;

fn generate(ctx: &Ctx<'_>, out: &mut Out) {
    providers::emit(ctx, out);
    for region in &ctx.regions {
        network::emit(ctx, region, out);
    }
    // Blocks several nodes share, before the nodes are spread over threads.
    if ctx.global_region().is_some() {
        iam::partition(ctx, out);
        iam::account_id(ctx, out);
    }
    database::shared(ctx, out);
    let nodes: Vec<&Node> = ctx.t.nodes().collect();
    let threads = match ctx.threads {
        0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        n => n,
    }
    .min(8);
    if threads < 2 || nodes.len() < PARALLEL_FROM_NODES {
        for node in nodes {
            emit_node(ctx, node, out);
        }
        return;
    }
    // Contiguous runs of nodes, each into its own output, merged in order:
    // the same bytes as one thread would write.
    let chunk = nodes.len().div_ceil(threads);
    let outputs: Vec<Out> = std::thread::scope(|scope| {
        let handles: Vec<_> = nodes
            .chunks(chunk)
            .map(|chunk| {
                let once = out.once.clone();
                scope.spawn(move || {
                    let mut part = Out {
                        once,
                        ..Out::default()
                    };
                    for node in chunk {
                        emit_node(ctx, node, &mut part);
                    }
                    part
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    for part in outputs {
        out.merge(part);
    }
}

/// Everything one node contributes.
fn emit_node(ctx: &Ctx<'_>, node: &Node, out: &mut Out) {
    match &node.spec {
        NodeSpec::Dns(spec) => dns::emit(ctx, node, spec, out),
        NodeSpec::Cdn(spec) => cdn::emit(ctx, node, spec, out),
        NodeSpec::LoadBalancer(spec) => load_balancer::emit(ctx, node, spec, out),
        NodeSpec::ApiGateway(spec) => api_gateway::emit(ctx, node, spec, out),
        NodeSpec::Service(spec) => compute::emit(ctx, node, spec, out),
        NodeSpec::Cache(spec) => cache::emit(ctx, node, spec, out),
        NodeSpec::Queue(spec) => queue::emit(ctx, node, spec, out),
        NodeSpec::Database(spec) => database::emit(ctx, node, spec, out),
        NodeSpec::ObjectStore(spec) => storage::emit(ctx, node, spec, out),
        NodeSpec::External(spec) => {
            let provider = if spec.provider.trim().is_empty() {
                String::new()
            } else {
                format!(" ({})", spec.provider.trim())
            };
            out.warn(
                node,
                "external",
                format!(
                    "a third-party service{provider}: nothing to create in AWS; services \
                     calling it reach it over HTTPS through the NAT gateways"
                ),
            );
        }
    }
    ctx.unplaced_warnings(node, out);
}

// ---------------------------------------------------------------------------
// Context: what every generator reads.

/// How much of a service's capacity runs in a region.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Sizing {
    Full,
    /// Active-passive warm standby: this share of min and desired.
    WarmStandby(f64),
    /// Active-passive pilot light: compute at zero until a failover.
    PilotLight,
}

/// What a region's network must provide.
#[derive(Clone, Debug, Default)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent needs of one network, read by name"
)]
pub(crate) struct Needs {
    /// Internet-facing load balancers or NAT gateways.
    pub public: bool,
    /// Services, internal load balancers, MSK, VPC links.
    pub private: bool,
    /// Caches and databases.
    pub data: bool,
    /// AZs that get a NAT gateway (services need egress).
    pub nat_azs: Vec<String>,
    /// Services that call S3: a gateway endpoint keeps that traffic off the NAT.
    pub s3_endpoint: bool,
    /// A customer-managed KMS key for data at rest.
    pub kms: bool,
}

impl Needs {
    pub(crate) fn vpc(&self) -> bool {
        self.public || self.private || self.data
    }
}

/// A region the export creates resources in.
#[derive(Clone, Debug)]
pub(crate) struct RegionCtx {
    pub id: String,
    /// `us_east_1`: provider alias and label suffix.
    pub ident: String,
    /// AZs in use, in document order.
    pub azs: Vec<String>,
    pub sizing: Sizing,
    pub primary: bool,
    /// The file holding its resources.
    pub file: String,
    pub needs: Needs,
}

impl RegionCtx {
    /// `aws.us_east_1`
    pub(crate) fn provider(&self) -> Expression {
        dsl::traversal("aws", &[&self.ident])
    }

    /// Position of `az` in the region's AZ list (its CIDR slot).
    pub(crate) fn az_index(&self, az: &str) -> usize {
        self.azs.iter().position(|a| a == az).unwrap_or(0)
    }
}

pub(crate) struct Ctx<'a> {
    pub t: &'a Topology,
    /// The topology id, as tagged.
    pub topology_id: String,
    /// The topology id folded for AWS names.
    pub prefix: String,
    pub idents: NodeIdents,
    /// Regions exported, in document order.
    pub regions: Vec<RegionCtx>,
    /// Index into `regions` of the region whose provider holds global resources.
    pub global: Option<usize>,
    /// Threads to generate with (0: one per core).
    pub threads: usize,
}

impl<'a> Ctx<'a> {
    fn new(t: &'a Topology, opts: &'a ExportOptions, idents: NodeIdents) -> Self {
        let meta = t.meta();
        let mode = meta.deployment.mode;
        let primary = meta.primary_region().map(|r| r.id.clone());
        let mut regions: Vec<RegionCtx> = meta
            .regions
            .iter()
            .filter(|r| mode != DeploymentMode::Single || Some(&r.id) == primary.as_ref())
            .filter(|r| t.nodes().any(|n| n.placement.contains_key(&r.id)))
            .map(|r| {
                let is_primary = Some(&r.id) == primary.as_ref();
                let sizing = match (mode, is_primary || r.role == RegionRole::Primary) {
                    (DeploymentMode::ActivePassive, false) => match meta.deployment.standby {
                        Standby::WarmStandby => {
                            Sizing::WarmStandby(meta.deployment.warm_standby_fraction)
                        }
                        Standby::PilotLight => Sizing::PilotLight,
                    },
                    _ => Sizing::Full,
                };
                RegionCtx {
                    id: r.id.clone(),
                    ident: naming::region_ident(&r.id),
                    azs: r.azs.clone(),
                    sizing,
                    primary: is_primary,
                    file: format!("{}.tf", r.id),
                    needs: Needs::default(),
                }
            })
            .collect();
        for region in &mut regions {
            region.needs = network::needs(t, opts, region);
        }
        let global = regions
            .iter()
            .position(|r| r.primary)
            .or(if regions.is_empty() { None } else { Some(0) });
        let topology_id = meta.topology_id();
        Self {
            t,
            threads: opts.threads,
            prefix: naming::aws_name(&[&topology_id], 24, true),
            topology_id,
            idents,
            regions,
            global,
        }
    }

    /// The node's Terraform identifier.
    pub(crate) fn ident(&self, node: &Node) -> String {
        self.idents.get(&node.id)
    }

    pub(crate) fn region(&self, id: &str) -> Option<&RegionCtx> {
        self.regions.iter().find(|r| r.id == id)
    }

    /// The exported regions a node is placed in, with its AZs there, in
    /// document region order.
    pub(crate) fn placements<'n>(&self, node: &'n Node) -> Vec<(&RegionCtx, &'n [String])> {
        self.regions
            .iter()
            .filter_map(|r| node.placement.get(&r.id).map(|azs| (r, azs.as_slice())))
            .collect()
    }

    pub(crate) fn placed_in(node: &Node, region: &RegionCtx) -> bool {
        node.placement.contains_key(&region.id)
    }

    /// The region holding global resources (IAM, Route 53, CloudFront).
    pub(crate) fn global_region(&self) -> Option<&RegionCtx> {
        self.global.map(|i| &self.regions[i])
    }

    /// An AWS name: the topology prefix, then `parts`, at most `max` characters.
    pub(crate) fn name(&self, parts: &[&str], max: usize) -> String {
        let mut all = Vec::with_capacity(parts.len() + 1);
        all.push(self.prefix.as_str());
        all.extend_from_slice(parts);
        naming::aws_name(&all, max, true)
    }

    /// Edges leaving `id`, in document order (petgraph lists a node's
    /// edges newest first).
    pub(crate) fn outgoing(&self, id: &str) -> std::vec::IntoIter<EdgeView<'a>> {
        let mut edges: Vec<EdgeView<'a>> = self.t.outgoing(id).collect();
        edges.sort_by_key(|e| e.index);
        edges.into_iter()
    }

    /// Edges arriving at `id`, in document order.
    pub(crate) fn incoming(&self, id: &str) -> std::vec::IntoIter<EdgeView<'a>> {
        let mut edges: Vec<EdgeView<'a>> = self.t.incoming(id).collect();
        edges.sort_by_key(|e| e.index);
        edges.into_iter()
    }

    /// The label of a node's main resources in a region: `web_us_east_1`.
    pub(crate) fn label(&self, node: &Node, region: &RegionCtx) -> String {
        format!("{}_{}", self.ident(node), region.ident)
    }

    /// The node's identifier with dashes, for AWS names.
    pub(crate) fn dashed(&self, node: &Node) -> String {
        self.ident(node).replace('_', "-")
    }

    /// `{ Name = name, "topoplan:node" = id }`
    pub(crate) fn tags(node: &Node, name: &str) -> Expression {
        dsl::object([
            ("Name", dsl::string(name)),
            (TAG_NODE, dsl::string(node.id.as_str())),
        ])
    }

    /// A warning for each region a node is placed in that is not exported
    /// (single mode exports the primary region only).
    fn unplaced_warnings(&self, node: &Node, out: &mut Out) {
        for region in node.placement.keys() {
            if self.region(region).is_none() {
                out.warn(
                    node,
                    "region-not-exported",
                    format!(
                        "placed in {region}, which a single-region deployment does not use: \
                         nothing is exported there"
                    ),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Output being assembled.

/// A run of blocks in a file, under one comment header.
#[derive(Debug, Default)]
pub(crate) struct Section {
    pub header: Vec<String>,
    pub node: Option<String>,
    pub blocks: Vec<Block>,
    /// Sort key within the file: shared lookups, then shared plumbing, then
    /// nodes (each group in generation order).
    pub order: u8,
}

impl Section {
    /// A section for `node`'s resources; `what` says where or which part
    /// (`in us-east-1 (us-east-1a, us-east-1b)`, `instance role`).
    pub(crate) fn node(node: &Node, what: &str) -> Self {
        let name = format::comment_text(&node.name);
        let mut header = node.id.clone();
        if !name.is_empty() && name != node.id {
            header.push_str(": ");
            header.push_str(&name);
        }
        header.push_str(" — ");
        let label = node.kind().label();
        // "Load balancer" reads "load balancer"; "DNS" and "API gateway" keep their capitals.
        if label
            .split(' ')
            .next()
            .is_some_and(|w| w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase()))
        {
            header.push_str(label);
        } else {
            header.push_str(&label.to_lowercase());
        }
        if !what.is_empty() {
            header.push_str(if what.starts_with("in ") { " " } else { ", " });
            header.push_str(what);
        }
        Self {
            header: vec![header],
            node: Some(node.id.clone()),
            blocks: Vec::new(),
            order: 2,
        }
    }

    /// A node's section in a region: `in us-east-1 (us-east-1a, us-east-1b)`.
    pub(crate) fn placed(node: &Node, region: &RegionCtx, azs: &[String]) -> Self {
        if azs.is_empty() {
            Self::node(node, &format!("in {}", region.id))
        } else {
            Self::node(node, &format!("in {} ({})", region.id, azs.join(", ")))
        }
    }

    pub(crate) fn plain(header: &str) -> Self {
        Self {
            header: vec![header.to_owned()],
            node: None,
            blocks: Vec::new(),
            order: 1,
        }
    }

    pub(crate) fn push(&mut self, block: Block) {
        self.blocks.push(block);
    }
}

/// A variable declaration.
#[derive(Clone, Debug)]
pub(crate) struct VarDef {
    pub name: String,
    /// Sort key of its group in `variables.tf`.
    pub group: u8,
    pub ty: Expression,
    pub description: String,
    pub default: Option<Expression>,
    pub sensitive: bool,
    /// `(condition, error message)`
    pub validations: Vec<(Expression, String)>,
    /// A value for `terraform.tfvars.example` when there is no default.
    pub example: Option<Expression>,
}

/// An output declaration.
#[derive(Clone, Debug)]
pub(crate) struct OutputDef {
    pub name: String,
    pub description: String,
    pub value: Expression,
    pub sensitive: bool,
    pub node: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Out {
    /// Sections rendered as they are added (the blocks are dropped at once:
    /// large exports would otherwise hold millions of small allocations).
    files: BTreeMap<String, FileOut>,
    variables: BTreeMap<String, VarDef>,
    outputs: Vec<OutputDef>,
    warnings: Vec<ExportWarning>,
    /// AWS names that must be unique: (scope, name, node).
    names: Vec<(String, String, Option<String>)>,
    /// Assumptions for the README, in first-mention order.
    assumptions: Vec<String>,
    /// `locals` of `global.tf`.
    locals: BTreeMap<String, Expression>,
    /// Keys of shared blocks already emitted.
    once: BTreeSet<String>,
}

/// The sections of one order in a file, as text, with their blocks'
/// addresses (`aws_vpc.us_east_1`, `data.aws_iam_policy_document.web`).
#[derive(Debug, Default)]
struct Part {
    /// The sections' text, in pieces: growing one string of tens of
    /// megabytes would copy it over and over.
    text: Vec<String>,
    addresses: Vec<String>,
    /// `(index of the section's first address, its node)`.
    nodes: Vec<(usize, Option<String>)>,
}

impl Part {
    /// Appends a section (a blank line before all but the first).
    fn push(&mut self, section: Section) {
        let mut text = String::with_capacity(1024 * section.blocks.len());
        if !self.text.is_empty() {
            text.push('\n');
        }
        for line in &section.header {
            for wrapped in wrap(line, 78) {
                text.push_str("# ");
                text.push_str(&wrapped);
                text.push('\n');
            }
        }
        if !section.header.is_empty() {
            text.push('\n');
        }
        format::write_blocks(&mut text, &section.blocks);
        self.text.push(text);
        self.nodes.push((self.addresses.len(), section.node));
        self.addresses
            .extend(section.blocks.iter().filter_map(|block| {
                match (block.identifier(), block.labels()) {
                    ("resource", [ty, label]) => {
                        Some(format!("{}.{}", ty.as_str(), label.as_str()))
                    }
                    ("data", [ty, label]) => {
                        Some(format!("data.{}.{}", ty.as_str(), label.as_str()))
                    }
                    _ => None,
                }
            }));
    }

    /// Appends the sections of `other` after these.
    fn append(&mut self, other: Part) {
        // Both sides start their first section without a separator.
        let mut pieces = other.text.into_iter();
        let Some(first) = pieces.next() else {
            return;
        };
        if self.text.is_empty() {
            self.text.push(first);
        } else {
            self.text.push(format!("\n{first}"));
        }
        self.text.extend(pieces);
        let offset = self.addresses.len();
        self.nodes.extend(
            other
                .nodes
                .into_iter()
                .map(|(start, node)| (start + offset, node)),
        );
        self.addresses.extend(other.addresses);
    }

    /// Each address with its node, by value.
    fn into_blocks(self) -> impl Iterator<Item = (String, Option<String>)> {
        let ends: Vec<usize> = self
            .nodes
            .iter()
            .skip(1)
            .map(|n| n.0)
            .chain(std::iter::once(self.addresses.len()))
            .collect();
        let mut addresses = self.addresses.into_iter();
        let mut start = 0;
        self.nodes
            .into_iter()
            .zip(ends)
            .flat_map(move |((_, node), end)| {
                let run: Vec<String> = addresses.by_ref().take(end - start).collect();
                start = end;
                run.into_iter().map(move |address| (address, node.clone()))
            })
    }

    /// Each address with its node.
    fn blocks(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.nodes
            .iter()
            .enumerate()
            .flat_map(move |(k, (start, node))| {
                let end = self.nodes.get(k + 1).map_or(self.addresses.len(), |n| n.0);
                self.addresses[*start..end]
                    .iter()
                    .map(move |a| (a.as_str(), node.as_deref()))
            })
    }
}

/// A file being written, by section order: shared lookups, shared
/// plumbing, nodes. Sections are rendered as they are added, so the
/// blocks' many small allocations are freed at once.
#[derive(Debug, Default)]
struct FileOut {
    parts: [Part; 3],
}

impl FileOut {
    /// The file's text (`header`, then each non-empty part after a blank
    /// line) and its resources, in order.
    fn join(self, header: &str, name: &str) -> (String, Vec<GeneratedResource>) {
        let size: usize = self
            .parts
            .iter()
            .flat_map(|p| &p.text)
            .map(|t| t.len() + 1)
            .sum();
        let mut text = String::with_capacity(header.len() + size);
        text.push_str(header);
        let mut resources = Vec::new();
        for mut part in self.parts {
            if part.text.is_empty() {
                continue;
            }
            text.push('\n');
            for piece in std::mem::take(&mut part.text) {
                text.push_str(&piece);
            }
            resources.extend(part.into_blocks().map(|(address, node)| GeneratedResource {
                address,
                file: name.to_owned(),
                node,
            }));
        }
        (text, resources)
    }
}

enum Collision {
    /// Force a hash onto this node's identifier and try again.
    Node(String),
    /// Two fixed names collide: a bug in the exporter.
    Fixed(String),
}

impl Out {
    pub(crate) fn add(&mut self, file: &str, section: Section) {
        if section.blocks.is_empty() {
            return;
        }
        let order = usize::from(section.order.min(2));
        if let Some(f) = self.files.get_mut(file) {
            f.parts[order].push(section);
        } else {
            let mut f = FileOut::default();
            f.parts[order].push(section);
            self.files.insert(file.to_owned(), f);
        }
    }

    pub(crate) fn warn(&mut self, node: &Node, code: &'static str, message: impl Into<String>) {
        self.warnings.push(ExportWarning {
            node: node.id.clone(),
            code,
            message: message.into(),
        });
    }

    pub(crate) fn assume(&mut self, text: impl Into<String>) {
        let text = text.into();
        if !self.assumptions.contains(&text) {
            self.assumptions.push(text);
        }
    }

    /// Whether a variable is declared already (building a declaration costs
    /// more than looking it up, and variables are asked for per resource).
    pub(crate) fn has_variable(&self, name: &str) -> bool {
        self.variables.contains_key(name)
    }

    /// Declares a variable (the first declaration of a name wins).
    pub(crate) fn variable(&mut self, def: VarDef) {
        self.variables.entry(def.name.clone()).or_insert(def);
    }

    pub(crate) fn output(&mut self, def: OutputDef) {
        self.outputs.push(def);
    }

    /// Adds what `other` generated after what this holds, as if one output
    /// had seen both in turn.
    fn merge(&mut self, other: Out) {
        for (name, file) in other.files {
            let mine = self.files.entry(name).or_default();
            for (mine, theirs) in mine.parts.iter_mut().zip(file.parts) {
                mine.append(theirs);
            }
        }
        for (name, def) in other.variables {
            self.variables.entry(name).or_insert(def);
        }
        self.outputs.extend(other.outputs);
        self.warnings.extend(other.warnings);
        self.names.extend(other.names);
        for text in other.assumptions {
            self.assume(text);
        }
        for (name, value) in other.locals {
            self.locals.entry(name).or_insert(value);
        }
        self.once.extend(other.once);
    }

    /// True the first time `key` is asked for: for blocks several nodes
    /// share (one `aws_partition` data source, one monitoring role).
    pub(crate) fn once(&mut self, key: &str) -> bool {
        self.once.insert(key.to_owned())
    }

    pub(crate) fn local(&mut self, name: &str, value: Expression) {
        self.locals.entry(name.to_owned()).or_insert(value);
    }

    /// Records an AWS name that must be unique within `scope` (e.g.
    /// `aws_lb/us-east-1`), and returns it.
    pub(crate) fn claim(&mut self, scope: String, name: String, node: Option<&Node>) -> String {
        self.names
            .push((scope, name.clone(), node.map(|n| n.id.clone())));
        name
    }

    /// The first label, output or AWS name used twice, and which node to rename.
    fn collision(&self, ctx: &Ctx<'_>) -> Option<Collision> {
        type Entry<'a> = (u64, (&'a str, &'a str), usize, Option<&'a str>);
        // Sorting beats hashing a few hundred thousand names.
        let blocks = self
            .files
            .values()
            .flat_map(|f| f.parts.iter().flat_map(Part::blocks))
            .map(|(address, node)| (("block", address), node));
        let outputs = self
            .outputs
            .iter()
            .map(|o| (("output", o.name.as_str()), o.node.as_deref()));
        let names = self
            .names
            .iter()
            .map(|(scope, name, node)| ((scope.as_str(), name.as_str()), node.as_deref()));
        // Sorted by a hash first: comparing long, similar strings is slow,
        // and ties (even crafted ones) only fall back to comparing them.
        let hash = |(scope, name): (&str, &str)| {
            naming::fnv1a(name.as_bytes()) ^ naming::fnv1a(scope.as_bytes()).rotate_left(1)
        };
        let mut all: Vec<Entry<'_>> = blocks
            .chain(outputs)
            .chain(names)
            .enumerate()
            .map(|(seq, (key, node))| (hash(key), key, seq, node))
            .collect();
        all.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| a.1.cmp(&b.1))
                .then(a.2.cmp(&b.2))
        });
        // The collision met first in generation order.
        all.windows(2)
            .filter(|w| w[0].1 == w[1].1)
            .min_by_key(|w| w[1].2)
            .map(|w| pick(ctx, w[0].3, w[1].3, w[0].1))
    }

    fn finish(self, ctx: &Ctx<'_>) -> Export {
        let mut files = BTreeMap::new();
        let mut resources = Vec::new();
        let header = file_header(ctx);
        let mut tf_files = self.files;
        // variables.tf and outputs.tf come from declarations, not sections.
        tf_files.entry("variables.tf".to_owned()).or_default().parts[1].push(Section {
            blocks: variables::blocks(&self.variables),
            ..Section::default()
        });
        if !self.outputs.is_empty() {
            tf_files.entry("outputs.tf".to_owned()).or_default().parts[1].push(Section {
                blocks: outputs_blocks(&self.outputs),
                ..Section::default()
            });
        }
        if !self.locals.is_empty() {
            let mut locals = dsl::block("locals");
            for (name, value) in &self.locals {
                locals = locals.add_attribute(dsl::attr(name.as_str(), value.clone()));
            }
            tf_files.entry("global.tf".to_owned()).or_default().parts[0].push(Section {
                header: vec![
                    "CloudFront managed policies (AWS-owned, the same in every account)".to_owned(),
                ],
                node: None,
                blocks: vec![locals.build()],
                order: 0,
            });
        }
        // Each file is joined on its own thread: the region files are tens
        // of megabytes, and their resources' addresses move rather than copy.
        let joined: Vec<(String, String, Vec<GeneratedResource>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = tf_files
                .into_iter()
                .map(|(name, file)| {
                    let header = &header;
                    scope.spawn(move || {
                        let (text, resources) = file.join(header, &name);
                        (name, text, resources)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        for (name, text, mut file_resources) in joined {
            resources.append(&mut file_resources);
            files.insert(name, text);
        }
        let variables: Vec<VariableInfo> = variables::ordered(&self.variables)
            .map(|v| VariableInfo {
                name: v.name.clone(),
                description: v.description.clone(),
                required: v.default.is_none(),
                sensitive: v.sensitive,
            })
            .collect();
        files.insert(
            "terraform.tfvars.example".to_owned(),
            variables::tfvars_example(ctx, &self.variables),
        );
        let export = Export {
            topology_id: ctx.topology_id.clone(),
            warnings: self.warnings,
            resources,
            variables,
            files,
        };
        let readme = readme::render(ctx, &export, &self.assumptions);
        let mut export = export;
        export.files.insert("README.md".to_owned(), readme);
        export
    }
}

/// Which node to rename when two of them produce the same name.
fn pick(ctx: &Ctx<'_>, a: Option<&str>, b: Option<&str>, key: (&str, &str)) -> Collision {
    let ident = |id: &str| ctx.idents.get(id);
    match (a, b) {
        (Some(a), Some(b)) if a != b => {
            // The longer identifier is the likelier compound one
            // (`orders_dlq` against `orders` + `_dlq`); ties go to the later id.
            let (ia, ib) = (ident(a), ident(b));
            if (ia.len(), a) > (ib.len(), b) {
                Collision::Node(a.to_owned())
            } else {
                Collision::Node(b.to_owned())
            }
        }
        (Some(n), None) | (None, Some(n)) => Collision::Node(n.to_owned()),
        _ => Collision::Fixed(format!("{} {} is generated twice", key.0, key.1)),
    }
}

/// Splits `text` into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

fn file_header(ctx: &Ctx<'_>) -> String {
    format!(
        "{}\n# Regenerating overwrites this file: keep your own changes in other files\n# (for example override.tf).\n",
        write::marker_line(&ctx.topology_id)
    )
}

fn outputs_blocks(outputs: &[OutputDef]) -> Vec<Block> {
    outputs
        .iter()
        .map(|o| {
            let mut b = dsl::block("output")
                .add_label(o.name.as_str())
                .add_attribute(dsl::attr(
                    "description",
                    dsl::string(o.description.as_str()),
                ))
                .add_attribute(dsl::attr("value", o.value.clone()));
            if o.sensitive {
                b = b.add_attribute(dsl::attr("sensitive", true));
            }
            b.build()
        })
        .collect()
}

#[cfg(test)]
mod tests;
