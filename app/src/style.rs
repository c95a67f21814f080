//! Colours, icons and one-line summaries, shared by the canvas and panels.

use egui::{Color32, Painter, Pos2, Visuals};
use topoplan_core::model::{
    CdnProvider, DatabaseEngine, DnsRouting, EdgeKind, ListenerProtocol, LoadBalancerType, Node,
    NodeKind, NodeSpec, QueueEngine,
};

/// The accent colour of a node kind (close to the AWS architecture icon palette).
pub fn kind_color(kind: NodeKind) -> Color32 {
    match kind {
        // Networking and content delivery share AWS's purple.
        NodeKind::Dns | NodeKind::Cdn | NodeKind::LoadBalancer => Color32::from_rgb(140, 79, 255),
        // Application integration shares AWS's pink.
        NodeKind::ApiGateway | NodeKind::Queue => Color32::from_rgb(231, 21, 123),
        NodeKind::Service => Color32::from_rgb(237, 113, 0),
        NodeKind::Cache => Color32::from_rgb(201, 37, 209),
        NodeKind::Database => Color32::from_rgb(59, 72, 204),
        NodeKind::ObjectStore => Color32::from_rgb(122, 161, 22),
        NodeKind::External => Color32::from_rgb(125, 137, 152),
    }
}

pub fn edge_color(kind: EdgeKind, visuals: &Visuals) -> Color32 {
    let base = if visuals.dark_mode {
        Color32::from_gray(170)
    } else {
        Color32::from_gray(90)
    };
    match kind {
        EdgeKind::Call => base,
        EdgeKind::Publish | EdgeKind::Consume => Color32::from_rgb(214, 80, 150),
        EdgeKind::Replicate => Color32::from_rgb(70, 130, 230),
    }
}

pub fn canvas_background(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_rgb(24, 26, 30)
    } else {
        Color32::from_rgb(243, 245, 248)
    }
}

pub fn lane_fill(visuals: &Visuals, global: bool, inactive: bool) -> Color32 {
    let c = match (visuals.dark_mode, global) {
        (true, true) => Color32::from_rgb(36, 34, 44),
        (true, false) => Color32::from_rgb(32, 37, 44),
        (false, true) => Color32::from_rgb(246, 243, 252),
        (false, false) => Color32::from_rgb(255, 255, 255),
    };
    if inactive { c.gamma_multiply(0.75) } else { c }
}

pub fn lane_stroke(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_gray(62)
    } else {
        Color32::from_gray(205)
    }
}

pub fn band_line(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_gray(48)
    } else {
        Color32::from_gray(228)
    }
}

pub fn node_fill(visuals: &Visuals, inactive: bool) -> Color32 {
    match (visuals.dark_mode, inactive) {
        (true, false) => Color32::from_rgb(44, 48, 56),
        (true, true) => Color32::from_rgb(36, 39, 45),
        (false, false) => Color32::from_rgb(252, 252, 253),
        (false, true) => Color32::from_rgb(240, 241, 243),
    }
}

/// Adds egui's bundled monospace font (Hack) as a fallback of the
/// proportional one: it has the arrows (→) and bullets (●) the engines'
/// texts use, which Ubuntu Light lacks.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    if fonts.font_data.contains_key("Hack")
        && let Some(family) = fonts.families.get_mut(&egui::FontFamily::Proportional)
        && !family.iter().any(|f| f == "Hack")
    {
        family.push("Hack".to_owned());
        ctx.set_fonts(fonts);
    }
}

/// Traffic figures (rps) on nodes, edges and in panels.
pub fn load_color(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_rgb(110, 190, 150)
    } else {
        Color32::from_rgb(20, 125, 80)
    }
}

/// The icon of a kind (from `assets/icons/`), centred at `c` with half-size `r`.
pub fn paint_icon(painter: &Painter, kind: NodeKind, c: Pos2, r: f32, color: Color32) {
    crate::icons::paint(painter, kind, c, r, color);
}

/// A one-line summary of a node's size, e.g. `m6i.large × 9 (3–15)`.
pub fn badge(node: &Node) -> String {
    match &node.spec {
        NodeSpec::Dns(s) => {
            let routing = match s.routing {
                DnsRouting::Latency => "latency",
                DnsRouting::Failover => "failover",
                DnsRouting::Weighted => "weighted",
                DnsRouting::Simple => "simple",
            };
            let checks = if s.health_checks {
                " · health checks"
            } else {
                ""
            };
            format!("Route 53 · {routing}{checks}")
        }
        NodeSpec::Cdn(s) => {
            let provider = match s.provider {
                CdnProvider::Cloudfront => "CloudFront",
                CdnProvider::ThirdParty => "third-party CDN",
            };
            format!("{provider} · {:.0}% hit", s.cache_hit_ratio * 100.0)
        }
        NodeSpec::LoadBalancer(s) => {
            let t = match s.lb_type {
                LoadBalancerType::Alb => "ALB",
                LoadBalancerType::Nlb => "NLB",
            };
            let proto = match s.protocol {
                ListenerProtocol::Https => "HTTPS",
                ListenerProtocol::Http => "HTTP",
                ListenerProtocol::Tcp => "TCP",
                ListenerProtocol::Tls => "TLS",
            };
            let scope = if s.internal { "internal" } else { "public" };
            format!("{t} · {proto}:{} · {scope}", s.port)
        }
        NodeSpec::ApiGateway(s) => format!("API Gateway · {} rps limit", compact(s.throttle_rps)),
        NodeSpec::Service(s) => {
            format!("{} × {} ({}–{})", s.instance_type, s.desired, s.min, s.max)
        }
        NodeSpec::Cache(s) => {
            format!(
                "{} × {} shard{} × (1+{})",
                s.node_type,
                s.shards,
                plural(s.shards),
                s.replicas
            )
        }
        NodeSpec::Queue(s) => match s.engine {
            QueueEngine::Sqs if s.fifo => "SQS FIFO + DLQ".to_owned(),
            QueueEngine::Sqs => "SQS standard + DLQ".to_owned(),
            QueueEngine::Kafka => format!(
                "MSK {} × {} · {} partitions",
                s.brokers, s.broker_type, s.partitions
            ),
        },
        NodeSpec::Database(s) => {
            let engine = match s.engine {
                DatabaseEngine::AuroraPostgresql => "Aurora PG",
                DatabaseEngine::AuroraMysql => "Aurora MySQL",
                DatabaseEngine::Postgres => "RDS PostgreSQL",
                DatabaseEngine::Mysql => "RDS MySQL",
            };
            let class = match &s.serverless {
                Some(cap) => format!("{}–{} ACU", cap.min_acu, cap.max_acu),
                None => s.instance_class.clone(),
            };
            let shards = if s.shards > 1 {
                format!("{} shards × ", s.shards)
            } else {
                String::new()
            };
            format!("{engine} · {class} · {shards}(1+{})", s.replicas)
        }
        NodeSpec::ObjectStore(s) => format!("S3 · {} GB", compact(s.storage_gb)),
        NodeSpec::External(s) => {
            let who = if s.provider.is_empty() {
                "third party"
            } else {
                s.provider.as_str()
            };
            format!("{who} · SLA {}", percent(s.sla))
        }
    }
}

/// What a node runs in one AZ of `region`, for the chip drawn in that AZ's
/// band: `3 instances`, `writer`, `replica`. Empty when it has nothing to say.
pub fn per_az(node: &Node, region: &str) -> Vec<(String, String)> {
    let Some(azs) = node.placement.get(region) else {
        return Vec::new();
    };
    let n = u32::try_from(azs.len().max(1)).unwrap_or(u32::MAX);
    match &node.spec {
        NodeSpec::Service(s) => azs
            .iter()
            .zip(0u32..)
            .map(|(az, i)| {
                // An ASG balances instances across its AZs; the first AZs take the remainder.
                let count = s.desired / n + u32::from(i < s.desired % n);
                (az.clone(), format!("{count} instance{}", plural(count)))
            })
            .collect(),
        NodeSpec::Database(s) => {
            let is_writer_region = s.writer_region(&node.placement) == Some(region);
            let replicas = if is_writer_region {
                s.replicas
            } else {
                s.cross_region_replicas
            };
            azs.iter()
                .zip(0u32..)
                .map(|(az, i)| {
                    let label = if is_writer_region && i == 0 {
                        "writer".to_owned()
                    } else {
                        let index = if is_writer_region { i - 1 } else { i };
                        let here = replicas / n + u32::from(index < replicas % n);
                        match here {
                            0 if is_writer_region
                                && s.multi_az
                                && !s.engine.is_aurora()
                                && i == 1 =>
                            {
                                "standby".to_owned()
                            }
                            0 => String::new(),
                            1 => "replica".to_owned(),
                            k => format!("{k} replicas"),
                        }
                    };
                    (az.clone(), label)
                })
                .filter(|(_, label)| !label.is_empty())
                .collect()
        }
        NodeSpec::Cache(s) => azs
            .iter()
            .zip(0u32..)
            .map(|(az, i)| {
                let label = match i {
                    0 => "primary",
                    i if i <= s.replicas => "replica",
                    _ => "",
                };
                (az.clone(), label.to_owned())
            })
            .filter(|(_, label)| !label.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// 12000 → "12k".
pub fn compact(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.1}M", v / 1e6).replace(".0M", "M")
    } else if v >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

/// 0.9995 → "99.95%".
pub fn percent(v: f64) -> String {
    let s = format!("{:.4}", v * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_spread_over_azs_like_an_asg() {
        let mut node = Node::new("web", NodeKind::Service)
            .placed("us-east-1", &["us-east-1a", "us-east-1b", "us-east-1c"]);
        if let NodeSpec::Service(s) = &mut node.spec {
            s.desired = 7;
        }
        let labels: Vec<String> = per_az(&node, "us-east-1")
            .into_iter()
            .map(|(_, l)| l)
            .collect();
        assert_eq!(labels, ["3 instances", "2 instances", "2 instances"]);
        assert!(per_az(&node, "eu-west-1").is_empty());
    }

    #[test]
    fn badges_summarise_size() {
        let node = Node::new("web", NodeKind::Service);
        assert_eq!(badge(&node), "m6i.large × 3 (2–6)");
        assert_eq!(percent(0.9995), "99.95%");
        assert_eq!(percent(0.99), "99%");
        assert_eq!(compact(10_000.0), "10k");
        assert_eq!(compact(2_500_000.0), "2.5M");
    }
}
