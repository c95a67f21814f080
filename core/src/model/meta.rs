//! Everything in a document that is not a node or an edge: identity, SLO,
//! deployment mode, regions and the traffic model.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::aws::AwsSettings;

/// The document-level settings. Grouped so the editor can replace them as one
/// undoable value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Stable key of the topology: tags every exported and applied resource.
    /// Derived from `name` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub slo: Slo,
    #[serde(default)]
    pub deployment: Deployment,
    #[serde(default)]
    pub regions: Vec<Region>,
    #[serde(default)]
    pub traffic: Traffic,
    /// How the cost engine prices the topology; left out of the document
    /// while it holds the defaults.
    #[serde(default, skip_serializing_if = "Pricing::is_default")]
    pub pricing: Pricing,
    /// Settings for applying the autoscaling groups to an AWS account; left
    /// out of the document while empty.
    #[serde(default, skip_serializing_if = "AwsSettings::is_empty")]
    pub aws: AwsSettings,
}

impl Meta {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            id: None,
            name: name.into(),
            description: None,
            slo: Slo::default(),
            deployment: Deployment::default(),
            regions: Vec::new(),
            traffic: Traffic::default(),
            pricing: Pricing::default(),
            aws: AwsSettings::default(),
        }
    }

    /// The topology id: the explicit `id`, or `name` turned into a slug.
    pub fn topology_id(&self) -> String {
        self.id.clone().unwrap_or_else(|| slug(&self.name))
    }

    pub fn region(&self, id: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.id == id)
    }

    /// The primary region: the first with role `primary`, else the first listed.
    pub fn primary_region(&self) -> Option<&Region> {
        self.regions
            .iter()
            .find(|r| r.role == RegionRole::Primary)
            .or_else(|| self.regions.first())
    }
}

/// Lower-case ASCII letters and digits, other runs turned into one `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("topology");
    }
    out
}

/// The service level the design must meet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Slo {
    /// Share of requests that must be served (0..1), e.g. 0.999.
    pub availability: f64,
    /// 95th percentile latency budget for a request, end to end.
    pub p95_ms: f64,
}

impl Default for Slo {
    fn default() -> Self {
        Self {
            availability: 0.999,
            p95_ms: 300.0,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentMode {
    /// Everything runs in the primary region; other regions are ignored.
    #[default]
    Single,
    /// The primary serves; a secondary takes over after a regional failure.
    ActivePassive,
    /// Every region serves; each is sized to carry the load after losing one.
    ActiveActive,
}

impl DeploymentMode {
    pub const ALL: [Self; 3] = [Self::Single, Self::ActivePassive, Self::ActiveActive];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::ActivePassive => "active_passive",
            Self::ActiveActive => "active_active",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standby {
    /// Data replicated, compute at zero until failover.
    PilotLight,
    /// A scaled-down running copy (`warm_standby_fraction` of the primary).
    #[default]
    WarmStandby,
}

/// How the logical stack is deployed across its regions. The fields that do
/// not apply to the current mode are kept, so switching modes back and forth
/// loses nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Deployment {
    pub mode: DeploymentMode,
    /// Active-passive: what the standby region runs before a failover.
    pub standby: Standby,
    /// Warm standby: the standby's compute as a share of the primary's.
    pub warm_standby_fraction: f64,
    /// Seconds from a detected regional failure until the standby serves
    /// (DNS switch, database promotion, scaling the standby up starts here).
    pub failover_secs: u32,
    /// Seconds until health checks notice a failure.
    pub detection_secs: u32,
}

impl Default for Deployment {
    fn default() -> Self {
        Self {
            mode: DeploymentMode::Single,
            standby: Standby::WarmStandby,
            warm_standby_fraction: 0.25,
            failover_secs: 300,
            detection_secs: 60,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionRole {
    #[default]
    Primary,
    Secondary,
}

/// A region the topology uses, and the AZs in use there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// AWS region code, e.g. `eu-west-1`.
    pub id: String,
    #[serde(default)]
    pub role: RegionRole,
    /// AZ names in use, e.g. `eu-west-1a`.
    #[serde(default)]
    pub azs: Vec<String>,
    /// Override of the availability of the region as a whole (0..=1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<f64>,
    /// Override of the availability of each of its AZs (0..=1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub az_availability: Option<f64>,
}

impl Region {
    pub fn new(id: &str, role: RegionRole, azs: &[&str]) -> Self {
        Self {
            id: id.to_owned(),
            role,
            azs: azs.iter().map(|az| (*az).to_owned()).collect(),
            availability: None,
            az_availability: None,
        }
    }
}

/// A node where user traffic enters, and its share of the total.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryPoint {
    pub node: String,
    /// Share of `peak_rps` entering here; entry points without one split
    /// what the others leave equally.
    pub share: Option<f64>,
}

/// Written as `"dns"` without a share, `{ "node": "dns", "share": 0.7 }` with one.
impl Serialize for EntryPoint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        match self.share {
            None => serializer.serialize_str(&self.node),
            Some(share) => {
                let mut s = serializer.serialize_struct("EntryPoint", 2)?;
                s.serialize_field("node", &self.node)?;
                s.serialize_field("share", &share)?;
                s.end()
            }
        }
    }
}

impl EntryPoint {
    pub fn new(node: impl Into<String>) -> Self {
        Self {
            node: node.into(),
            share: None,
        }
    }
}

/// Accepts `"dns"` or `{ "node": "dns", "share": 0.7 }`.
impl<'de> Deserialize<'de> for EntryPoint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            node: String,
            #[serde(default)]
            share: Option<f64>,
        }

        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = EntryPoint;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(r#"a node id ("dns") or {"node": "dns", "share": 0.5}"#)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<EntryPoint, E> {
                Ok(EntryPoint::new(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<EntryPoint, A::Error> {
                let full = Full::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(EntryPoint {
                    node: full.node,
                    share: full.share,
                })
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// The load the topology must carry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Traffic {
    pub entry: Vec<EntryPoint>,
    /// Requests per second at the daily peak, across all entry points.
    pub peak_rps: f64,
    /// Share of requests that only read (0..1).
    pub read_fraction: f64,
    pub request_kb: f64,
    pub response_kb: f64,
    /// Where users are: share of users nearest each region (latency routing).
    /// Empty means an equal split over the regions that serve.
    pub users: IndexMap<String, f64>,
    /// 24 hourly multipliers of `peak_rps` (0..1), hour 0 first, UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_profile: Option<Vec<f64>>,
}

impl Default for Traffic {
    fn default() -> Self {
        Self {
            entry: Vec::new(),
            peak_rps: 1_000.0,
            read_fraction: 0.8,
            request_kb: 2.0,
            response_kb: 16.0,
            users: IndexMap::new(),
            daily_profile: None,
        }
    }
}

impl Traffic {
    /// The effective share of each entry point, in `entry` order: explicit
    /// shares as given, the rest split what remains equally.
    pub fn entry_shares(&self) -> Vec<f64> {
        let explicit: f64 = self.entry.iter().filter_map(|e| e.share).sum();
        let implicit = self.entry.iter().filter(|e| e.share.is_none()).count();
        let rest = if implicit == 0 {
            0.0
        } else {
            (1.0 - explicit).max(0.0) / implicit as f64
        };
        self.entry.iter().map(|e| e.share.unwrap_or(rest)).collect()
    }
}

/// Pricing settings of the document: the month, a flat discount, and prices
/// the user knows better than the catalog.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Pricing {
    /// Hours in a billing month for always-on resources (AWS and Infracost use 730).
    pub hours_per_month: f64,
    /// A flat discount off every list price, in percent (0 to <100): an
    /// enterprise discount or a blended savings-plan rate.
    pub discount_percent: f64,
    /// Unit prices (USD) replacing the catalog's, by price key:
    /// `service:item` for every region or `service:item@region` for one,
    /// e.g. `"ec2:m6i.large@us-east-1": 0.08` or `"elasticache:cache.r7g.large": 0.2`.
    /// `topoplan cost --json` names the key of every line item.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub overrides: IndexMap<String, f64>,
}

impl Pricing {
    pub const DEFAULT_HOURS_PER_MONTH: f64 = 730.0;

    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

impl Default for Pricing {
    fn default() -> Self {
        Self {
            hours_per_month: Self::DEFAULT_HOURS_PER_MONTH,
            discount_percent: 0.0,
            overrides: IndexMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_keeps_words_and_drops_the_rest() {
        assert_eq!(slug("Shop: EU + US (v2)"), "shop-eu-us-v2");
        assert_eq!(slug("  "), "topology");
        assert_eq!(slug("ÆØÅ"), "topology");
    }

    #[test]
    fn entry_point_accepts_string_and_object() {
        let t: Traffic = serde_json::from_str(
            r#"{"entry": ["dns", {"node": "cdn", "share": 0.25}], "peak_rps": 10}"#,
        )
        .unwrap();
        assert_eq!(t.entry[0], EntryPoint::new("dns"));
        assert_eq!(t.entry[1].share, Some(0.25));
        assert_eq!(t.entry_shares(), vec![0.75, 0.25]);
    }

    #[test]
    fn default_pricing_is_left_out_and_a_set_one_round_trips() {
        let meta = Meta::new("x");
        let json = serde_json::to_value(&meta).unwrap();
        assert!(json.get("pricing").is_none(), "{json}");
        let mut meta = Meta::new("x");
        meta.pricing.discount_percent = 12.5;
        meta.pricing
            .overrides
            .insert("ec2:m6i.large@us-east-1".into(), 0.08);
        let json = serde_json::to_value(&meta).unwrap();
        assert_eq!(
            json["pricing"],
            serde_json::json!({"hours_per_month": 730.0, "discount_percent": 12.5,
                "overrides": {"ec2:m6i.large@us-east-1": 0.08}})
        );
        let back: Meta = serde_json::from_value(json).unwrap();
        assert_eq!(back, meta);
        let err = serde_json::from_str::<Pricing>(r#"{"discount": 5}"#).unwrap_err();
        assert!(
            err.to_string().contains("unknown field `discount`"),
            "{err}"
        );
    }

    #[test]
    fn entry_point_object_rejects_unknown_fields() {
        let err = serde_json::from_str::<Traffic>(r#"{"entry": [{"node": "a", "weight": 1}]}"#)
            .unwrap_err();
        assert!(err.to_string().contains("unknown field `weight`"), "{err}");
    }
}
