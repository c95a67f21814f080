//! The inspector: every setting of the selected node, edge or region, or of
//! the document when nothing is selected, validated as it is typed.
//!
//! The inspector edits a copy of the element and, when the copy differs,
//! emits one [`Edit`] replacing it (merged with the following edits of the
//! same element until the gesture ends, so dragging a number or typing a
//! name is one undo step).

use std::fmt::Write as _;

use egui::{RichText, Ui};
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use topoplan_core::load::Load;
use topoplan_core::model::{
    ApiType, CacheEngine, CdnProvider, DatabaseEngine, Dependency, DeploymentMode, DnsRouting,
    Edge, EdgeKind, Edit, EntryPoint, HealthCheckType, ListenerProtocol, LoadBalancerType, Meta,
    Node, NodeSpec, Platform, QueueEngine, Region, RegionRole, Requests, ScalingPolicy,
    ServerlessCapacity, Standby, StorageClass, aws_regions, check_id,
};
use topoplan_core::{Diagnostic, Element, Report, Topology};

use crate::edits::Labelled;
use crate::form::{Form, weak};
use crate::selection::Selection;
use crate::style;

/// An inspector edit: the edit, and the key that merges a gesture's edits.
#[derive(Debug)]
pub struct InspectorEdit {
    pub edit: Labelled,
    pub merge: String,
}

/// Text being typed that is applied only once valid (a node's id).
#[derive(Debug, Default)]
pub struct Inspector {
    id_draft: Option<(NodeIndex, String)>,
    new_region: String,
}

/// What the inspector needs to read.
#[derive(Clone, Copy, Debug)]
pub struct View<'a> {
    pub topology: &'a Topology,
    pub report: &'a Report,
    pub load: Option<&'a Load>,
    /// The selected node's monthly cost, once priced.
    pub monthly_usd: Option<f64>,
}

impl Inspector {
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        view: &View<'_>,
        selection: &mut Selection,
    ) -> Vec<InspectorEdit> {
        let mut out = Vec::new();
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                if let Some(ix) = selection.single_node() {
                    self.node(ui, view, ix, &mut out);
                } else if let Some(e) = selection.single_edge() {
                    edge(ui, view, e, selection, &mut out);
                } else if let Some(region) = selection.region.clone() {
                    region_ui(ui, view, &region, &mut out);
                } else if !selection.is_empty() {
                    multiple(ui, view, selection);
                } else {
                    self.document(ui, view, &mut out);
                }
            });
        out
    }

    fn node(&mut self, ui: &mut Ui, view: &View<'_>, ix: NodeIndex, out: &mut Vec<InspectorEdit>) {
        let t = view.topology;
        let Some(original) = t.graph().node_weight(ix) else {
            return;
        };
        let element = Element::Node {
            id: original.id.clone(),
        };
        let diags: Vec<&Diagnostic> = view
            .report
            .iter()
            .filter(|d| d.element.as_ref() == Some(&element))
            .collect();
        let mut node = original.clone();
        let kind = node.kind();
        ui.horizontal(|ui| {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(22.0, 22.0), egui::Sense::hover());
            style::paint_icon(
                ui.painter(),
                kind,
                rect.center(),
                9.0,
                style::kind_color(kind),
            );
            ui.heading(&original.name);
        });
        ui.label(RichText::new(style::badge(original)).color(weak(ui)));
        if let Some(load) = view.load {
            node_load(ui, load, ix);
        }
        if let Some(usd) = view.monthly_usd {
            ui.label(format!(
                "Costs {} a month (see the Cost tab)",
                topoplan_core::cost::format_usd(usd)
            ));
        }
        ui.separator();
        let mut form = Form::new(&diags);
        form.grid(ui, "node-common", |form, ui| {
            form.text(ui, "Name", "name", &mut node.name);
            // The id is applied only when valid and free; until then the
            // draft shows why not.
            let draft = match &mut self.id_draft {
                Some((i, text)) if *i == ix => text,
                slot => &mut slot.insert((ix, original.id.clone())).1,
            };
            let label = ui.label("Id");
            let response = ui
                .add(egui::TextEdit::singleline(draft).desired_width(170.0))
                .labelled_by(label.id)
                .on_hover_text(
                    "The stable key of the node: referenced by edges, Terraform names and AWS tags",
                );
            ui.end_row();
            let problem = if *draft == original.id {
                None
            } else if let Err(reason) = check_id(draft) {
                Some(reason.to_owned())
            } else if t.contains(draft) {
                Some(format!("\"{draft}\" is already used by another node"))
            } else {
                None
            };
            if let Some(problem) = &problem {
                ui.label("");
                ui.scope(|ui| {
                    ui.set_max_width(190.0);
                    let text = RichText::new(problem).color(ui.visuals().error_fg_color);
                    ui.add(egui::Label::new(text).wrap());
                });
                ui.end_row();
            }
            let commit = response.lost_focus() || ui.input(|i| i.key_pressed(egui::Key::Enter));
            if commit && problem.is_none() && *draft != original.id {
                out.push(InspectorEdit {
                    edit: Labelled::new(
                        Edit::UpdateNode {
                            id: original.id.clone(),
                            node: Box::new(Node {
                                id: draft.clone(),
                                ..original.clone()
                            }),
                        },
                        format!("Rename {} -> {draft}", original.id),
                    ),
                    merge: format!("rename:{}", ix.index()),
                });
            }
            ui.label("Kind");
            ui.label(kind.label());
            ui.end_row();
        });
        ui.add_space(4.0);
        placement_ui(ui, t.meta(), &mut node, &mut form);
        ui.add_space(4.0);
        ui.strong(format!("{} settings", kind.label()));
        spec_ui(ui, t.meta(), &mut node, &mut form);
        ui.add_space(4.0);
        form.grid(ui, "node-extra", |form, ui| {
            let mut overridden = node.availability.is_some();
            form.check(
                ui,
                "Own availability",
                "availability",
                &mut overridden,
                "Override the availability the engine takes from published SLAs",
            );
            if overridden {
                let mut a = node.availability.unwrap_or(0.999);
                form.share(ui, "Availability", "availability", &mut a);
                node.availability = Some(a);
            } else {
                node.availability = None;
            }
            let mut notes = node.notes.clone().unwrap_or_default();
            let response = form.row(ui, "Notes", "notes", "", |ui| {
                ui.add(
                    egui::TextEdit::multiline(&mut notes)
                        .desired_rows(2)
                        .desired_width(170.0),
                )
            });
            if response.changed() {
                node.notes = (!notes.is_empty()).then_some(notes);
            }
        });
        form.rest(ui);
        if node != *original {
            let field = form.changed.unwrap_or("settings");
            out.push(InspectorEdit {
                edit: Labelled::new(
                    Edit::UpdateNode {
                        id: original.id.clone(),
                        node: Box::new(node),
                    },
                    format!("Edit {} {}", original.id, field.to_lowercase()),
                ),
                merge: format!("node:{}:{field}", ix.index()),
            });
        }
    }

    fn document(&mut self, ui: &mut Ui, view: &View<'_>, out: &mut Vec<InspectorEdit>) {
        let t = view.topology;
        let original = t.meta();
        let mut meta = original.clone();
        let diags: Vec<&Diagnostic> = view.report.iter().filter(|d| d.element.is_none()).collect();
        ui.heading("Document");
        ui.label(
            RichText::new("Nothing is selected: these are the settings of the whole topology.")
                .color(weak(ui)),
        );
        ui.separator();
        let mut form = Form::new(&diags);
        form.grid(ui, "doc", |form, ui| {
            form.text(ui, "Name", "name", &mut meta.name);
            let mut description = meta.description.clone().unwrap_or_default();
            if form
                .row(ui, "Description", "description", "", |ui| {
                    ui.add(
                        egui::TextEdit::multiline(&mut description)
                            .desired_rows(2)
                            .desired_width(170.0),
                    )
                })
                .changed()
            {
                meta.description = (!description.is_empty()).then_some(description);
            }
            form.share(
                ui,
                "SLO availability",
                "slo.availability",
                &mut meta.slo.availability,
            );
            form.f64(
                ui,
                "SLO p95",
                "slo.p95_ms",
                &mut meta.slo.p95_ms,
                1.0..=60_000.0,
                " ms",
            );
        });
        ui.add_space(6.0);
        ui.strong("Deployment");
        form.grid(ui, "deployment", |form, ui| {
            let d = &mut meta.deployment;
            form.choice(
                ui,
                "Mode",
                "deployment.mode",
                &mut d.mode,
                &[
                    (DeploymentMode::Single, "single region"),
                    (DeploymentMode::ActivePassive, "active-passive"),
                    (DeploymentMode::ActiveActive, "active-active"),
                ],
            );
            if d.mode == DeploymentMode::ActivePassive {
                form.choice(
                    ui,
                    "Standby",
                    "deployment.standby",
                    &mut d.standby,
                    &[
                        (Standby::PilotLight, "pilot light"),
                        (Standby::WarmStandby, "warm standby"),
                    ],
                );
                if d.standby == Standby::WarmStandby {
                    form.share(
                        ui,
                        "Warm standby size",
                        "deployment.warm_standby_fraction",
                        &mut d.warm_standby_fraction,
                    );
                }
                form.u32(
                    ui,
                    "Failover",
                    "deployment.failover_secs",
                    &mut d.failover_secs,
                    0..=86_400,
                    " s",
                );
            }
            form.u32(
                ui,
                "Detection",
                "deployment.detection_secs",
                &mut d.detection_secs,
                0..=3_600,
                " s",
            );
        });
        ui.add_space(6.0);
        self.regions_list(ui, &mut meta, t);
        ui.add_space(6.0);
        traffic_ui(ui, t, &mut meta, &mut form);
        ui.add_space(6.0);
        pricing_ui(ui, &mut meta, &mut form);
        form.rest(ui);
        if meta != *original {
            let field = form.changed.unwrap_or("settings");
            out.push(InspectorEdit {
                edit: Labelled::new(
                    Edit::SetMeta(Box::new(meta)),
                    format!("Edit {}", field.to_lowercase()),
                ),
                merge: format!("meta:{field}"),
            });
        }
    }

    /// The document's regions, with a picker to add one.
    fn regions_list(&mut self, ui: &mut Ui, meta: &mut Meta, t: &Topology) {
        ui.strong("Regions");
        let mut remove = None;
        for (i, region) in meta.regions.iter().enumerate() {
            ui.horizontal_wrapped(|ui| {
                let name = aws_regions::find(&region.id).map_or("unknown region", |r| r.name);
                let role = match region.role {
                    RegionRole::Primary => "primary",
                    RegionRole::Secondary => "secondary",
                };
                ui.label(format!(
                    "{} · {name} · {role} · {} AZs",
                    region.id,
                    region.azs.len()
                ));
                // `any` stops at the first node placed here: this runs every
                // frame, on documents of thousands of nodes.
                let used = t.nodes().any(|n| n.placement.contains_key(&region.id));
                let button = ui.add_enabled(!used, egui::Button::new("Remove").small());
                let button = if used {
                    button.on_disabled_hover_ui(|ui| {
                        let n = t
                            .nodes()
                            .filter(|n| n.placement.contains_key(&region.id))
                            .count();
                        ui.label(format!(
                            "{} run here: move or delete them first",
                            crate::edits::count(n, "node")
                        ));
                    })
                } else {
                    button
                };
                if button.clicked() {
                    remove = Some(i);
                }
            });
        }
        if let Some(i) = remove {
            meta.regions.remove(i);
        }
        ui.horizontal(|ui| {
            let label = ui.label("Add region");
            egui::ComboBox::from_id_salt("add-region")
                .selected_text(if self.new_region.is_empty() {
                    "choose…"
                } else {
                    self.new_region.as_str()
                })
                .height(300.0)
                .show_ui(ui, |ui| {
                    for r in aws_regions::REGIONS {
                        if meta.region(r.code).is_none() {
                            ui.selectable_value(
                                &mut self.new_region,
                                r.code.to_owned(),
                                format!("{} · {}", r.code, r.name),
                            );
                        }
                    }
                })
                .response
                .labelled_by(label.id);
            let known = aws_regions::find(&self.new_region);
            if ui
                .add_enabled(known.is_some(), egui::Button::new("Add"))
                .clicked()
                && let Some(r) = known
            {
                let role = if meta.regions.is_empty() {
                    RegionRole::Primary
                } else {
                    RegionRole::Secondary
                };
                let azs: Vec<String> = r
                    .az_letters
                    .chars()
                    .take(3)
                    .map(|c| format!("{}{c}", r.code))
                    .collect();
                let azs: Vec<&str> = azs.iter().map(String::as_str).collect();
                meta.regions.push(Region::new(r.code, role, &azs));
                self.new_region.clear();
            }
        });
    }
}

/// Where a node runs: a row per region, with its AZs for zonal kinds.
fn placement_ui(ui: &mut Ui, meta: &Meta, node: &mut Node, form: &mut Form<'_>) {
    ui.strong("Placement");
    if node.kind().is_global() {
        ui.label(RichText::new("A global service: not placed in a region.").color(weak(ui)));
        return;
    }
    if meta.regions.is_empty() {
        ui.label(RichText::new("The document has no regions yet: add one in the document settings (click empty canvas).").color(weak(ui)));
    }
    let zonal = node.is_zonal();
    for region in &meta.regions {
        ui.horizontal_wrapped(|ui| {
            let mut placed = node.placement.contains_key(&region.id);
            if ui.checkbox(&mut placed, region.id.as_str()).changed() {
                form.changed = Some("placement");
                if placed {
                    let azs = if zonal {
                        region.azs.clone()
                    } else {
                        Vec::new()
                    };
                    node.placement.insert(region.id.clone(), azs);
                } else {
                    node.placement.shift_remove(&region.id);
                }
            }
            if placed
                && zonal
                && let Some(azs) = node.placement.get_mut(&region.id)
            {
                ui.label("·");
                for az in &region.azs {
                    let mut on = azs.contains(az);
                    let short = az.strip_prefix(region.id.as_str()).unwrap_or(az);
                    if ui
                        .checkbox(&mut on, short)
                        .on_hover_text(az.as_str())
                        .changed()
                    {
                        form.changed = Some("AZs");
                        if on {
                            azs.push(az.clone());
                            // Keep the region's order.
                            azs.sort_by_key(|a| region.azs.iter().position(|r| r == a));
                        } else {
                            azs.retain(|a| a != az);
                        }
                    }
                }
            }
        });
    }
    // Placements in regions the document does not list (an error shown below).
    let unknown: Vec<String> = node
        .placement
        .keys()
        .filter(|r| meta.region(r).is_none())
        .cloned()
        .collect();
    for region in unknown {
        ui.horizontal(|ui| {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("{region} (not a region of this document)"),
            );
            if ui.small_button("Remove").clicked() {
                node.placement.shift_remove(&region);
                form.changed = Some("placement");
            }
        });
    }
    form.grid(ui, "placement-diags", |form, ui| {
        form.field_diagnostics(ui, "placement");
    });
}

const LB_TYPES: &[(LoadBalancerType, &str)] = &[
    (LoadBalancerType::Alb, "ALB (HTTP, layer 7)"),
    (LoadBalancerType::Nlb, "NLB (TCP, layer 4)"),
];
const PROTOCOLS: &[(ListenerProtocol, &str)] = &[
    (ListenerProtocol::Https, "HTTPS"),
    (ListenerProtocol::Http, "HTTP"),
    (ListenerProtocol::Tcp, "TCP"),
    (ListenerProtocol::Tls, "TLS"),
];

/// The settings of the node's kind.
#[expect(
    clippy::too_many_lines,
    reason = "one arm per kind, every setting listed"
)]
fn spec_ui(ui: &mut Ui, meta: &Meta, node: &mut Node, form: &mut Form<'_>) {
    let placed: Vec<String> = node.placement.keys().cloned().collect();
    form.grid(ui, "spec", |form, ui| match &mut node.spec {
        NodeSpec::Dns(s) => {
            form.choice(
                ui,
                "Routing",
                "routing",
                &mut s.routing,
                &[
                    (DnsRouting::Latency, "latency"),
                    (DnsRouting::Failover, "failover"),
                    (DnsRouting::Weighted, "weighted"),
                    (DnsRouting::Simple, "simple"),
                ],
            );
            form.check(ui, "Health checks", "health_checks", &mut s.health_checks, "Route 53 health checks on each regional endpoint (needed for failover)");
            form.u32(ui, "TTL", "ttl_secs", &mut s.ttl_secs, 0..=86_400, " s");
            if s.routing == DnsRouting::Weighted {
                for region in &meta.regions {
                    let mut w = s.weights.get(&region.id).copied().unwrap_or(1);
                    let label = ui.label(format!("Weight {}", region.id));
                    let drag = egui::DragValue::new(&mut w).range(0..=255);
                    if ui.add(drag).labelled_by(label.id).changed() {
                        s.weights.insert(region.id.clone(), w);
                        form.changed = Some("weights");
                    }
                    ui.end_row();
                }
            }
        }
        NodeSpec::Cdn(s) => {
            form.choice(ui, "Provider", "provider", &mut s.provider, &[(CdnProvider::Cloudfront, "CloudFront"), (CdnProvider::ThirdParty, "third-party CDN")]);
            form.share(ui, "Cache hit ratio", "cache_hit_ratio", &mut s.cache_hit_ratio);
            form.f64(ui, "Edge latency", "edge_latency_ms", &mut s.edge_latency_ms, 0.0..=10_000.0, " ms");
        }
        NodeSpec::LoadBalancer(s) => {
            form.choice(ui, "Type", "type", &mut s.lb_type, LB_TYPES);
            form.check(ui, "Internal", "internal", &mut s.internal, "Private subnets only, not internet-facing");
            form.choice(ui, "Protocol", "protocol", &mut s.protocol, PROTOCOLS);
            let mut port = u32::from(s.port);
            if form.u32(ui, "Port", "port", &mut port, 1..=65_535, "").changed() {
                s.port = u16::try_from(port).unwrap_or(s.port);
            }
            form.text(ui, "Health check path", "health_check_path", &mut s.health_check_path);
            form.check(ui, "Cross-zone", "cross_zone", &mut s.cross_zone, "Balance across every AZ, not just the client's");
        }
        NodeSpec::ApiGateway(s) => {
            form.choice(ui, "API type", "api_type", &mut s.api_type, &[(ApiType::Http, "HTTP API"), (ApiType::Rest, "REST API")]);
            form.f64(ui, "Throttle", "throttle_rps", &mut s.throttle_rps, 0.0..=1e7, " rps");
            form.f64(ui, "Latency", "latency_ms", &mut s.latency_ms, 0.0..=10_000.0, " ms");
        }
        NodeSpec::Service(s) => {
            form.choice(ui, "Platform", "platform", &mut s.platform, &[(Platform::Ec2, "EC2 (ASG)"), (Platform::Ecs, "ECS on EC2"), (Platform::Eks, "EKS node group")]);
            form.text(ui, "Instance type", "instance_type", &mut s.instance_type);
            form.u32(ui, "Min", "min", &mut s.min, 0..=10_000, "");
            form.u32(ui, "Desired", "desired", &mut s.desired, 0..=10_000, "");
            form.u32(ui, "Max", "max", &mut s.max, 0..=10_000, "");
            form.f64(ui, "Per instance", "rps_per_instance", &mut s.rps_per_instance, 0.0..=1e7, " rps");
            form.share(ui, "Target CPU", "target_cpu", &mut s.target_cpu);
            form.u32(ui, "Warm-up", "warmup_secs", &mut s.warmup_secs, 0..=3_600, " s");
            form.f64(ui, "Latency", "latency_ms", &mut s.latency_ms, 0.0..=60_000.0, " ms");
            form.choice(ui, "Scaling", "scaling", &mut s.scaling, &[(ScalingPolicy::TargetTracking, "target tracking"), (ScalingPolicy::Step, "step"), (ScalingPolicy::Predictive, "predictive")]);
            form.u32(ui, "Metric period", "metric_period_secs", &mut s.metric_period_secs, 10..=3_600, " s");
            form.choice(ui, "Health check", "health_check", &mut s.health_check, &[(HealthCheckType::Elb, "ELB"), (HealthCheckType::Ec2, "EC2")]);
            form.u32(ui, "Grace period", "health_check_grace_secs", &mut s.health_check_grace_secs, 0..=7_200, " s");
        }
        NodeSpec::Cache(s) => {
            form.choice(ui, "Engine", "engine", &mut s.engine, &[(CacheEngine::Redis, "Redis"), (CacheEngine::Valkey, "Valkey"), (CacheEngine::Memcached, "Memcached")]);
            form.text(ui, "Node type", "node_type", &mut s.node_type);
            form.u32(ui, "Shards", "shards", &mut s.shards, 1..=500, "");
            form.u32(ui, "Replicas per shard", "replicas", &mut s.replicas, 0..=5, "");
            form.share(ui, "Hit ratio", "hit_ratio", &mut s.hit_ratio);
            form.f64(ui, "Ops per node", "ops_per_node", &mut s.ops_per_node, 0.0..=1e8, " /s");
            form.f64(ui, "Latency", "latency_ms", &mut s.latency_ms, 0.0..=10_000.0, " ms");
        }
        NodeSpec::Queue(s) => {
            form.choice(ui, "Engine", "engine", &mut s.engine, &[(QueueEngine::Sqs, "SQS"), (QueueEngine::Kafka, "Kafka (MSK)")]);
            if s.engine == QueueEngine::Sqs {
                form.check(ui, "FIFO", "fifo", &mut s.fifo, "Ordered, exactly-once processing");
                form.u32(ui, "Max receives", "max_receive_count", &mut s.max_receive_count, 0..=1_000, "");
            } else {
                form.u32(ui, "Partitions", "partitions", &mut s.partitions, 1..=10_000, "");
                form.u32(ui, "Brokers", "brokers", &mut s.brokers, 1..=300, "");
                form.text(ui, "Broker type", "broker_type", &mut s.broker_type);
                form.f64(ui, "Storage per broker", "storage_gb", &mut s.storage_gb, 1.0..=16_384.0, " GB");
            }
            form.u32(ui, "Retention", "retention_hours", &mut s.retention_hours, 1..=8_760, " h");
        }
        NodeSpec::Database(s) => {
            form.choice(
                ui,
                "Engine",
                "engine",
                &mut s.engine,
                &[
                    (DatabaseEngine::AuroraPostgresql, "Aurora PostgreSQL"),
                    (DatabaseEngine::AuroraMysql, "Aurora MySQL"),
                    (DatabaseEngine::Postgres, "RDS PostgreSQL"),
                    (DatabaseEngine::Mysql, "RDS MySQL"),
                ],
            );
            let mut serverless = s.serverless.is_some();
            if s.engine.is_aurora() {
                form.check(ui, "Serverless v2", "serverless", &mut serverless, "Aurora Serverless v2 capacity instead of fixed instances");
            } else {
                serverless = false;
            }
            if serverless {
                let cap = s.serverless.get_or_insert(ServerlessCapacity { min_acu: 0.5, max_acu: 16.0 });
                form.f64(ui, "Min capacity", "min_acu", &mut cap.min_acu, 0.0..=256.0, " ACU");
                form.f64(ui, "Max capacity", "max_acu", &mut cap.max_acu, 0.5..=256.0, " ACU");
                "db.serverless".clone_into(&mut s.instance_class);
            } else {
                if s.serverless.take().is_some() && s.instance_class == "db.serverless" {
                    "db.r6g.large".clone_into(&mut s.instance_class);
                }
                form.text(ui, "Instance class", "instance_class", &mut s.instance_class);
            }
            if placed.len() > 1 {
                let mut writer = s.writer.clone().unwrap_or_default();
                let options: Vec<(usize, &str)> = placed.iter().map(String::as_str).enumerate().collect();
                let mut chosen = placed.iter().position(|r| *r == writer).unwrap_or(0);
                if form.choice(ui, "Writer region", "writer", &mut chosen, &options).changed() {
                    writer.clone_from(&placed[chosen]);
                    s.writer = Some(writer);
                }
            }
            if !s.engine.is_aurora() {
                form.check(ui, "Multi-AZ standby", "multi_az", &mut s.multi_az, "RDS Multi-AZ standby for the writer");
            }
            form.u32(ui, "Read replicas", "replicas", &mut s.replicas, 0..=15, "");
            if placed.len() > 1 {
                form.u32(ui, "Cross-region replicas", "cross_region_replicas", &mut s.cross_region_replicas, 0..=15, "");
                if s.engine.is_aurora() {
                    form.check(ui, "Global database", "global", &mut s.global, "Aurora global database: storage-level replication and managed cross-region failover");
                }
            }
            form.u32(ui, "Shards", "shards", &mut s.shards, 1..=1_000, "");
            form.u32(ui, "Logical shards", "logical_shards", &mut s.logical_shards, 1..=100_000, "");
            form.f64(ui, "Storage", "storage_gb", &mut s.storage_gb, 1.0..=1e6, " GB");
            form.f64(ui, "Per instance", "rps_per_instance", &mut s.rps_per_instance, 0.0..=1e7, " qps");
            form.f64(ui, "Latency", "latency_ms", &mut s.latency_ms, 0.0..=10_000.0, " ms");
        }
        NodeSpec::ObjectStore(s) => {
            form.f64(ui, "Storage", "storage_gb", &mut s.storage_gb, 0.0..=1e9, " GB");
            form.choice(ui, "Storage class", "storage_class", &mut s.storage_class, &[(StorageClass::Standard, "Standard"), (StorageClass::IntelligentTiering, "Intelligent-Tiering"), (StorageClass::StandardIa, "Standard-IA")]);
            form.check(ui, "Versioning", "versioning", &mut s.versioning, "");
        }
        NodeSpec::External(s) => {
            form.text(ui, "Provider", "provider", &mut s.provider);
            form.share(ui, "SLA", "sla", &mut s.sla);
            form.f64(ui, "Latency", "latency_ms", &mut s.latency_ms, 0.0..=60_000.0, " ms");
            let mut limited = s.rate_limit_rps.is_some();
            form.check(ui, "Rate limited", "rate_limit_rps", &mut limited, "The provider caps the requests it accepts");
            if limited {
                let mut rps = s.rate_limit_rps.unwrap_or(100.0);
                form.f64(ui, "Rate limit", "rate_limit_rps", &mut rps, 0.0..=1e8, " rps");
                s.rate_limit_rps = Some(rps);
            } else {
                s.rate_limit_rps = None;
            }
        }
    });
}

/// Steady-state traffic at a node: total and per region.
fn node_load(ui: &mut Ui, load: &Load, ix: NodeIndex) {
    let total = load.node(ix);
    if total.total() < 0.005 {
        ui.label(RichText::new("No traffic reaches this node at peak.").color(weak(ui)));
        return;
    }
    let mut line = format!(
        "Peak load {} rps ({} reads, {} writes)",
        style::compact(total.total()),
        style::compact(total.read_rps),
        style::compact(total.write_rps)
    );
    let per_region: Vec<String> = load
        .regions
        .iter()
        .map(|r| (r, load.node_in(ix, r).total()))
        .filter(|(_, rps)| *rps >= 0.5)
        .map(|(r, rps)| format!("{r} {}", style::compact(rps)))
        .collect();
    if per_region.len() > 1 {
        let _ = write!(line, " · {}", per_region.join(" · "));
    }
    ui.label(RichText::new(line).color(style::load_color(ui.visuals())));
}

fn edge(
    ui: &mut Ui,
    view: &View<'_>,
    edge_ix: EdgeIndex,
    selection: &mut Selection,
    out: &mut Vec<InspectorEdit>,
) {
    let t = view.topology;
    let g = t.graph();
    let (Some((a, b)), Some(original)) = (g.edge_endpoints(edge_ix), g.edge_weight(edge_ix)) else {
        return;
    };
    let (from, to) = (g[a].id.clone(), g[b].id.clone());
    let element = Element::Edge {
        from: from.clone(),
        to: to.clone(),
    };
    let diags: Vec<&Diagnostic> = view
        .report
        .iter()
        .filter(|d| d.element.as_ref() == Some(&element))
        .collect();
    ui.heading(format!("{from} -> {to}"));
    ui.horizontal(|ui| {
        if ui.link(format!("select {from}")).clicked() {
            *selection = Selection::node(a);
        }
        if ui.link(format!("select {to}")).clicked() {
            *selection = Selection::node(b);
        }
    });
    if let Some(load) = view.load {
        let flow = load.edge(edge_ix);
        let mut line = format!("Peak flow {} rps", style::compact(flow.rates.total()));
        if flow.cross_az_rps >= 0.5 {
            let _ = write!(line, " · {} cross-AZ", style::compact(flow.cross_az_rps));
        }
        if flow.cross_region_rps >= 0.5 {
            let _ = write!(
                line,
                " · {} cross-region",
                style::compact(flow.cross_region_rps)
            );
        }
        ui.label(RichText::new(line).color(style::load_color(ui.visuals())));
    }
    ui.separator();
    let mut edge: Edge = original.clone();
    let mut form = Form::new(&diags);
    form.grid(ui, "edge", |form, ui| {
        form.choice(
            ui,
            "Kind",
            "kind",
            &mut edge.kind,
            &[
                (EdgeKind::Call, "call (synchronous)"),
                (EdgeKind::Publish, "publish (to a queue)"),
                (EdgeKind::Consume, "consume (from a queue)"),
                (EdgeKind::Replicate, "replicate (data)"),
            ],
        );
        form.choice(
            ui,
            "Dependency",
            "dependency",
            &mut edge.dependency,
            &[
                (Dependency::Hard, "hard: fails without it"),
                (Dependency::Soft, "soft: degrades without it"),
            ],
        );
        form.share(ui, "Fraction", "fraction", &mut edge.fraction);
        form.choice(
            ui,
            "Requests",
            "requests",
            &mut edge.requests,
            &[
                (Requests::All, "all"),
                (Requests::Reads, "reads"),
                (Requests::Writes, "writes"),
            ],
        );
        let mut sized = edge.payload_kb.is_some();
        form.check(
            ui,
            "Own payload size",
            "payload_kb",
            &mut sized,
            "Override the document's request/response sizes for this edge",
        );
        if sized {
            let mut kb = edge.payload_kb.unwrap_or(4.0);
            form.f64(ui, "Payload", "payload_kb", &mut kb, 0.0..=1e6, " KB");
            edge.payload_kb = Some(kb);
        } else {
            edge.payload_kb = None;
        }
        let mut notes = edge.notes.clone().unwrap_or_default();
        if form
            .row(ui, "Notes", "notes", "", |ui| {
                ui.add(
                    egui::TextEdit::multiline(&mut notes)
                        .desired_rows(2)
                        .desired_width(170.0),
                )
            })
            .changed()
        {
            edge.notes = (!notes.is_empty()).then_some(notes);
        }
    });
    form.rest(ui);
    if edge != *original {
        let field = form.changed.unwrap_or("settings");
        out.push(InspectorEdit {
            edit: Labelled::new(
                Edit::UpdateEdge {
                    from: from.clone(),
                    to: to.clone(),
                    edge,
                },
                format!("Edit {from} -> {to} {}", field.to_lowercase()),
            ),
            merge: format!("edge:{}:{field}", edge_ix.index()),
        });
    }
}

fn region_ui(ui: &mut Ui, view: &View<'_>, id: &str, out: &mut Vec<InspectorEdit>) {
    let t = view.topology;
    let original = t.meta();
    let Some(index) = original.regions.iter().position(|r| r.id == id) else {
        return;
    };
    let mut meta = original.clone();
    let element = Element::Region { id: id.to_owned() };
    let diags: Vec<&Diagnostic> = view
        .report
        .iter()
        .filter(|d| {
            d.element.as_ref() == Some(&element)
                || matches!(&d.element, Some(Element::Az { id: az }) if az.starts_with(id))
        })
        .collect();
    let info = aws_regions::find(id);
    ui.heading(id);
    ui.label(
        RichText::new(info.map_or("not an AWS region topoplan knows", |r| r.name)).color(weak(ui)),
    );
    let nodes = t.nodes().filter(|n| n.placement.contains_key(id)).count();
    ui.label(format!("{} run here.", crate::edits::count(nodes, "node")));
    ui.separator();
    let mut form = Form::new(&diags);
    let region = &mut meta.regions[index];
    form.grid(ui, "region", |form, ui| {
        form.choice(
            ui,
            "Role",
            "role",
            &mut region.role,
            &[
                (RegionRole::Primary, "primary"),
                (RegionRole::Secondary, "secondary"),
            ],
        );
        let label = ui.label("AZs in use");
        ui.horizontal_wrapped(|ui| {
            for letter in info.map_or("", |r| r.az_letters).chars() {
                let az = format!("{id}{letter}");
                let mut on = region.azs.contains(&az);
                if ui
                    .checkbox(&mut on, letter.to_string())
                    .on_hover_text(&az)
                    .changed()
                {
                    form.changed = Some("AZs");
                    if on {
                        region.azs.push(az);
                        region.azs.sort();
                    } else {
                        region.azs.retain(|a| *a != az);
                    }
                }
            }
        })
        .response
        .labelled_by(label.id);
        ui.end_row();
        form.field_diagnostics(ui, "azs");
        let mut own = region.availability.is_some();
        form.check(
            ui,
            "Own availability",
            "availability",
            &mut own,
            "Override the published regional availability",
        );
        region.availability = own.then(|| region.availability.unwrap_or(0.9999));
        if let Some(a) = &mut region.availability {
            form.share(ui, "Region availability", "availability", a);
        }
        let mut own_az = region.az_availability.is_some();
        form.check(
            ui,
            "Own AZ availability",
            "az_availability",
            &mut own_az,
            "Override the availability of each AZ",
        );
        region.az_availability = own_az.then(|| region.az_availability.unwrap_or(0.9995));
        if let Some(a) = &mut region.az_availability {
            form.share(ui, "AZ availability", "az_availability", a);
        }
    });
    form.rest(ui);
    if meta != *original {
        let field = form.changed.unwrap_or("settings");
        out.push(InspectorEdit {
            edit: Labelled::new(
                Edit::SetMeta(Box::new(meta)),
                format!("Edit {id} {}", field.to_lowercase()),
            ),
            merge: format!("region:{id}:{field}"),
        });
    }
}

/// The traffic model: entry points, peak, mix, sizes, users, daily profile.
fn traffic_ui(ui: &mut Ui, t: &Topology, meta: &mut Meta, form: &mut Form<'_>) {
    ui.strong("Traffic");
    form.grid(ui, "traffic", |form, ui| {
        let tr = &mut meta.traffic;
        form.f64(
            ui,
            "Peak",
            "traffic.peak_rps",
            &mut tr.peak_rps,
            0.0..=1e9,
            " rps",
        );
        form.share(ui, "Reads", "traffic.read_fraction", &mut tr.read_fraction);
        form.f64(
            ui,
            "Request size",
            "traffic.request_kb",
            &mut tr.request_kb,
            0.0..=1e6,
            " KB",
        );
        form.f64(
            ui,
            "Response size",
            "traffic.response_kb",
            &mut tr.response_kb,
            0.0..=1e6,
            " KB",
        );
    });
    ui.label("Entry points");
    let mut remove = None;
    for (i, entry) in meta.traffic.entry.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            let label = ui.label(&entry.node);
            let mut shared = entry.share.is_some();
            if ui.checkbox(&mut shared, "own share").changed() {
                entry.share = shared.then_some(0.5);
                form.changed = Some("entry points");
            }
            if let Some(share) = &mut entry.share {
                let mut percent = *share * 100.0;
                let drag = egui::DragValue::new(&mut percent)
                    .range(0.0..=100.0)
                    .suffix(" %");
                if ui.add(drag).labelled_by(label.id).changed() {
                    *share = percent / 100.0;
                    form.changed = Some("entry points");
                }
            }
            if ui.small_button("Remove").clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        meta.traffic.entry.remove(i);
        form.changed = Some("entry points");
    }
    let candidates: Vec<&str> = t
        .nodes()
        .map(|n| n.id.as_str())
        .filter(|id| !meta.traffic.entry.iter().any(|e| e.node == *id))
        .collect();
    if !candidates.is_empty() {
        let mut chosen: Option<String> = None;
        ui.horizontal(|ui| {
            let label = ui.label("Add entry point");
            egui::ComboBox::from_id_salt("add-entry")
                .selected_text("choose…")
                .height(300.0)
                .show_ui(ui, |ui| {
                    for id in candidates {
                        if ui.selectable_label(false, id).clicked() {
                            chosen = Some(id.to_owned());
                        }
                    }
                })
                .response
                .labelled_by(label.id);
        });
        if let Some(id) = chosen {
            meta.traffic.entry.push(EntryPoint::new(id));
            form.changed = Some("entry points");
        }
    }
    form.grid(ui, "entry-diags", |form, ui| {
        form.field_diagnostics(ui, "entry");
    });
    if meta.regions.len() > 1 {
        ui.label("Users per region (weights for active-active)");
        for region in &meta.regions {
            let mut users = meta.traffic.users.get(&region.id).copied().unwrap_or(0.0);
            ui.horizontal(|ui| {
                let label = ui.label(&region.id);
                let drag = egui::DragValue::new(&mut users)
                    .range(0.0..=1e10)
                    .speed(100.0);
                if ui.add(drag).labelled_by(label.id).changed() {
                    form.changed = Some("users");
                    if users > 0.0 {
                        meta.traffic.users.insert(region.id.clone(), users);
                    } else {
                        meta.traffic.users.shift_remove(&region.id);
                    }
                }
            });
        }
    }
    let mut profiled = meta.traffic.daily_profile.is_some();
    if ui
        .checkbox(
            &mut profiled,
            "Daily profile (24 hourly multipliers of the peak)",
        )
        .changed()
    {
        form.changed = Some("daily profile");
        meta.traffic.daily_profile = profiled.then(|| default_profile().to_vec());
    }
    if let Some(profile) = &mut meta.traffic.daily_profile {
        egui::Grid::new("profile").num_columns(8).show(ui, |ui| {
            for (hour, v) in profile.iter_mut().enumerate() {
                let label = ui.label(format!("{hour:02}h"));
                let drag = egui::DragValue::new(v)
                    .range(0.0..=1.0)
                    .speed(0.01)
                    .max_decimals(2);
                if ui.add(drag).labelled_by(label.id).changed() {
                    form.changed = Some("daily profile");
                }
                if hour % 4 == 3 {
                    ui.end_row();
                }
            }
        });
    }
}

/// How the cost engine prices the document: billing hours, a flat
/// discount, and unit prices that replace the catalog's.
fn pricing_ui(ui: &mut Ui, meta: &mut Meta, form: &mut Form<'_>) {
    ui.strong("Pricing");
    form.grid(ui, "pricing", |form, ui| {
        let p = &mut meta.pricing;
        form.f64(
            ui,
            "Hours a month",
            "pricing.hours_per_month",
            &mut p.hours_per_month,
            1.0..=744.0,
            " h",
        );
        form.f64(
            ui,
            "Discount",
            "pricing.discount_percent",
            &mut p.discount_percent,
            0.0..=99.0,
            " %",
        );
    });
    ui.label(RichText::new("Price overrides (USD per unit, by the price key the Cost tab and `topoplan cost --json` show)").small().weak());
    let mut remove = None;
    for (i, (key, usd)) in meta.pricing.overrides.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            let label = ui.label(key.as_str());
            let drag = egui::DragValue::new(usd)
                .range(0.0..=1e6)
                .speed(0.001)
                .max_decimals(6)
                .prefix("$");
            if ui.add(drag).labelled_by(label.id).changed() {
                form.changed = Some("price overrides");
            }
            if ui.small_button("Remove").clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        meta.pricing.overrides.shift_remove_index(i);
        form.changed = Some("price overrides");
    }
    let id = egui::Id::unique("new-override");
    let mut draft: String = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    ui.horizontal(|ui| {
        let label = ui.label("Add override");
        ui.add(
            egui::TextEdit::singleline(&mut draft)
                .hint_text("ec2:m6i.large@us-east-1")
                .desired_width(190.0),
        )
        .labelled_by(label.id);
        let ok = draft.contains(':') && !meta.pricing.overrides.contains_key(&draft);
        if ui.add_enabled(ok, egui::Button::new("Add")).clicked() {
            meta.pricing
                .overrides
                .insert(std::mem::take(&mut draft), 0.0);
            form.changed = Some("price overrides");
        }
    });
    ui.data_mut(|d| d.insert_temp(id, draft));
    form.grid(ui, "pricing-diags", |form, ui| {
        form.field_diagnostics(ui, "pricing");
    });
}

/// A typical business-day curve, peaking at 1.0 mid-afternoon.
fn default_profile() -> [f64; 24] {
    [
        0.25, 0.2, 0.18, 0.17, 0.18, 0.25, 0.4, 0.6, 0.75, 0.85, 0.9, 0.95, 0.95, 0.97, 1.0, 0.98,
        0.95, 0.9, 0.85, 0.8, 0.7, 0.55, 0.4, 0.3,
    ]
}

/// A multi-selection: what is selected, and the shortcuts that act on it.
fn multiple(ui: &mut Ui, view: &View<'_>, selection: &mut Selection) {
    let g = view.topology.graph();
    ui.heading(format!(
        "{} selected",
        [
            (!selection.nodes.is_empty())
                .then(|| crate::edits::count(selection.nodes.len(), "node")),
            (!selection.edges.is_empty())
                .then(|| crate::edits::count(selection.edges.len(), "edge")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" and ")
    ));
    ui.label(
        RichText::new(
            "Delete, Ctrl+C, Ctrl+D and dragging act on all of them. Click one to inspect it.",
        )
        .color(weak(ui)),
    );
    ui.separator();
    let mut pick = None;
    for &ix in selection.nodes.iter().take(200) {
        if let Some(node) = g.node_weight(ix)
            && ui
                .link(format!("{} ({})", node.name, node.kind().label()))
                .clicked()
        {
            pick = Some(ix);
        }
    }
    if selection.nodes.len() > 200 {
        ui.label(format!("… and {} more", selection.nodes.len() - 200));
    }
    if let Some(ix) = pick {
        *selection = Selection::node(ix);
    }
}
