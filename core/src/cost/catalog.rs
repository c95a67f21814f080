//! The embedded price catalog: AWS list prices, parsed once and indexed.
//!
//! Two data files under `assets/pricing/` are compiled into the binary:
//! `ec2.json` (EC2 on-demand Linux, from `sparecores-data` 0.1.0, CC BY-SA 4.0)
//! and `services.json` (every other service, hand-entered, each record with
//! its source page, date and whether a second source confirmed it). See
//! `assets/pricing/NOTICE` and `assets/pricing/regenerate.py`.
//!
//! A price is found by its key, `service:item@region` (`ec2:m6i.large@us-east-1`,
//! `cloudfront:gb@europe`, `route53:zone-month@global`). A lookup never
//! invents a price: a missing item or region is an error that names both.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// The data files, embedded at build time.
const EC2_JSON: &str = include_str!("../../../assets/pricing/ec2.json");
const SERVICES_JSON: &str = include_str!("../../../assets/pricing/services.json");

/// A priced AWS service. The string form is the first part of a price key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    Ec2,
    Elb,
    Nat,
    Transfer,
    Elasticache,
    Aurora,
    RdsPostgres,
    RdsMysql,
    Msk,
    Sqs,
    S3,
    Apigw,
    Eks,
    Cloudfront,
    Route53,
}

impl Service {
    pub const ALL: [Self; 15] = [
        Self::Ec2,
        Self::Elb,
        Self::Nat,
        Self::Transfer,
        Self::Elasticache,
        Self::Aurora,
        Self::RdsPostgres,
        Self::RdsMysql,
        Self::Msk,
        Self::Sqs,
        Self::S3,
        Self::Apigw,
        Self::Eks,
        Self::Cloudfront,
        Self::Route53,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ec2 => "ec2",
            Self::Elb => "elb",
            Self::Nat => "nat",
            Self::Transfer => "transfer",
            Self::Elasticache => "elasticache",
            Self::Aurora => "aurora",
            Self::RdsPostgres => "rds-postgres",
            Self::RdsMysql => "rds-mysql",
            Self::Msk => "msk",
            Self::Sqs => "sqs",
            Self::S3 => "s3",
            Self::Apigw => "apigw",
            Self::Eks => "eks",
            Self::Cloudfront => "cloudfront",
            Self::Route53 => "route53",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// What a reader calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ec2 => "EC2 instance type",
            Self::Elb => "Elastic Load Balancing item",
            Self::Nat => "NAT gateway item",
            Self::Transfer => "data transfer item",
            Self::Elasticache => "ElastiCache node type",
            Self::Aurora => "Aurora instance class",
            Self::RdsPostgres => "RDS for PostgreSQL instance class",
            Self::RdsMysql => "RDS for MySQL instance class",
            Self::Msk => "MSK broker type",
            Self::Sqs => "SQS item",
            Self::S3 => "S3 item",
            Self::Apigw => "API Gateway item",
            Self::Eks => "EKS item",
            Self::Cloudfront => "CloudFront item",
            Self::Route53 => "Route 53 item",
        }
    }

    /// Global services are priced by CloudFront geography or once for the account.
    pub fn is_global(self) -> bool {
        matches!(self, Self::Cloudfront | Self::Route53)
    }
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step of a tiered price: `usd` per unit up to `up_to` units a month
/// (cumulative; `None` for the last tier).
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub up_to: Option<f64>,
    pub usd: f64,
}

/// A unit price: flat, or tiered by monthly volume.
#[derive(Clone, Debug, PartialEq)]
pub enum Price {
    Flat(f64),
    Tiered(Vec<Tier>),
}

impl Price {
    /// The cost of `quantity` units in a month.
    pub fn cost(&self, quantity: f64) -> f64 {
        match self {
            Self::Flat(usd) => usd * quantity,
            Self::Tiered(tiers) => {
                let mut cost = 0.0;
                let mut below = 0.0;
                for tier in tiers {
                    let top = tier.up_to.unwrap_or(f64::INFINITY);
                    let here = (quantity.min(top) - below).max(0.0);
                    cost += here * tier.usd;
                    below = top;
                    if quantity <= top {
                        break;
                    }
                }
                cost
            }
        }
    }

    /// The first (highest) unit price, for display.
    pub fn first_usd(&self) -> f64 {
        match self {
            Self::Flat(usd) => *usd,
            Self::Tiered(tiers) => tiers.first().map_or(0.0, |t| t.usd),
        }
    }

    fn is_valid(&self) -> bool {
        match self {
            Self::Flat(usd) => usd.is_finite() && *usd >= 0.0,
            Self::Tiered(tiers) => {
                !tiers.is_empty()
                    && tiers.iter().all(|t| t.usd.is_finite() && t.usd >= 0.0)
                    && tiers.last().is_some_and(|t| t.up_to.is_none())
                    && tiers
                        .iter()
                        .filter_map(|t| t.up_to)
                        .collect::<Vec<_>>()
                        .windows(2)
                        .all(|w| w[0] < w[1])
            }
        }
    }
}

/// One price in the catalog, with where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceRecord {
    pub service: Service,
    /// Instance type, node type or item name (`m6i.large`, `alb-hour`).
    pub item: String,
    /// Region code, CloudFront geography, or `global`.
    pub region: String,
    pub price: Price,
    /// e.g. "USD per instance-hour ...".
    pub unit: String,
    /// Where the figure comes from (a package or an AWS pricing page).
    pub source: String,
    /// The date of the figure (YYYY-MM-DD).
    pub date: String,
    /// Extracted by machine from a published data set (EC2), or hand-entered
    /// and confirmed by a second, independent source.
    pub verified: bool,
}

impl PriceRecord {
    pub fn key(&self) -> String {
        format!("{}:{}@{}", self.service, self.item, self.region)
    }
}

/// Why a price could not be found or the catalog not be read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CatalogError {
    #[error(
        "no price for {label} \"{item}\"{hint}: the catalog does not list it; give one in the document: \"pricing\": {{\"overrides\": {{\"{service}:{item}@{region}\": USD}}}}"
    )]
    UnknownItem {
        service: Service,
        label: &'static str,
        item: String,
        region: String,
        hint: String,
    },
    #[error(
        "no price for {label} \"{item}\" in {region}: the catalog prices {service} in {known}; give one in the document: \"pricing\": {{\"overrides\": {{\"{service}:{item}@{region}\": USD}}}}"
    )]
    RegionNotPriced {
        service: Service,
        label: &'static str,
        item: String,
        region: String,
        known: String,
    },
    #[error("the embedded price catalog is broken: {0}")]
    Broken(String),
}

/// The parsed, indexed catalog.
#[derive(Debug)]
pub struct Catalog {
    records: Vec<PriceRecord>,
    /// `service:item@region` → record.
    index: HashMap<String, usize>,
    /// `service:item` → the regions that have it.
    regions_of: HashMap<String, Vec<usize>>,
    /// Regions the catalog covers, in its order.
    pub regions: Vec<String>,
    /// Date of the EC2 prices (YYYY-MM-DD).
    pub ec2_date: String,
    /// Where the EC2 prices come from.
    pub ec2_source: String,
    /// Date the other services were hand-entered.
    pub services_date: String,
}

impl Catalog {
    /// The catalog compiled into this build, parsed on first use.
    pub fn embedded() -> Result<&'static Self, CatalogError> {
        static CATALOG: OnceLock<Result<Catalog, CatalogError>> = OnceLock::new();
        CATALOG
            .get_or_init(|| Self::parse(EC2_JSON, SERVICES_JSON))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Parses the two data files and checks every record.
    pub fn parse(ec2_json: &str, services_json: &str) -> Result<Self, CatalogError> {
        let ec2: Ec2File = serde_json::from_str(ec2_json)
            .map_err(|e| CatalogError::Broken(format!("ec2.json: {e}")))?;
        let services: ServicesFile = serde_json::from_str(services_json)
            .map_err(|e| CatalogError::Broken(format!("services.json: {e}")))?;
        let source = ec2
            .sources
            .values()
            .next()
            .ok_or_else(|| CatalogError::Broken("ec2.json: no source".to_owned()))?;
        let ec2_source = format!("{} ({})", source.name, source.licence);
        let ec2_date = source.date.clone();
        let mut records = Vec::with_capacity(ec2.records.len() + services.records.len());
        for r in ec2.records {
            let source = ec2
                .sources
                .get(&r.source)
                .map_or_else(|| r.source.clone(), |s| format!("{} <{}>", s.name, s.url));
            records.push(PriceRecord {
                service: Service::Ec2,
                item: r.r#type,
                region: r.region,
                price: Price::Flat(r.usd),
                unit: ec2.unit.clone(),
                source,
                date: r.date,
                // Extracted by a script from a published data set, not typed in.
                verified: true,
            });
        }
        for r in services.records {
            let service = Service::parse(&r.service).ok_or_else(|| {
                CatalogError::Broken(format!("services.json: unknown service {:?}", r.service))
            })?;
            let price = match (r.usd, r.tiers) {
                (Some(usd), None) => Price::Flat(usd),
                (None, Some(tiers)) => Price::Tiered(tiers),
                _ => {
                    return Err(CatalogError::Broken(format!(
                        "services.json: {}:{}@{} needs exactly one of usd and tiers",
                        r.service, r.item, r.region
                    )));
                }
            };
            records.push(PriceRecord {
                service,
                item: r.item,
                region: r.region,
                price,
                unit: r.unit,
                source: r.source,
                date: r.date,
                verified: r.verified,
            });
        }
        let mut index = HashMap::with_capacity(records.len());
        let mut regions_of: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in records.iter().enumerate() {
            if !r.price.is_valid() {
                return Err(CatalogError::Broken(format!(
                    "{}: not a valid price",
                    r.key()
                )));
            }
            if r.source.is_empty() || r.date.len() != 10 {
                return Err(CatalogError::Broken(format!(
                    "{}: every record needs a source and a YYYY-MM-DD date",
                    r.key()
                )));
            }
            if index.insert(r.key(), i).is_some() {
                return Err(CatalogError::Broken(format!("{}: listed twice", r.key())));
            }
            regions_of
                .entry(format!("{}:{}", r.service, r.item))
                .or_default()
                .push(i);
        }
        Ok(Self {
            records,
            index,
            regions_of,
            regions: ec2.regions,
            ec2_date,
            ec2_source,
            services_date: services.date,
        })
    }

    pub fn records(&self) -> &[PriceRecord] {
        &self.records
    }

    /// The price of `item` of `service` in `region` (a region code, a
    /// CloudFront geography, or `global`).
    pub fn lookup(
        &self,
        service: Service,
        item: &str,
        region: &str,
    ) -> Result<&PriceRecord, CatalogError> {
        let key = format!("{service}:{item}@{region}");
        if let Some(&i) = self.index.get(&key) {
            return Ok(&self.records[i]);
        }
        if let Some(found) = self.regions_of.get(&format!("{service}:{item}")) {
            let known: Vec<&str> = found
                .iter()
                .map(|&i| self.records[i].region.as_str())
                .collect();
            return Err(CatalogError::RegionNotPriced {
                service,
                label: service.label(),
                item: item.to_owned(),
                region: region.to_owned(),
                known: known.join(", "),
            });
        }
        let items = self.items(service);
        let hint = crate::diagnostic::did_you_mean(item, items.iter().copied());
        Err(CatalogError::UnknownItem {
            service,
            label: service.label(),
            item: item.to_owned(),
            region: region.to_owned(),
            hint,
        })
    }

    /// The items a service has, sorted.
    pub fn items(&self, service: Service) -> Vec<&str> {
        let mut items: Vec<&str> = self
            .records
            .iter()
            .filter(|r| r.service == service)
            .map(|r| r.item.as_str())
            .collect();
        items.sort_unstable();
        items.dedup();
        items
    }

    /// The catalog's date as users see it.
    pub fn describe(&self) -> String {
        format!(
            "AWS list prices (USD, on-demand): EC2 of {} from {}; other services hand-entered {} (see assets/pricing/NOTICE)",
            self.ec2_date, self.ec2_source, self.services_date
        )
    }
}

/// CloudFront prices by edge geography; the region a user is nearest decides it.
pub fn cloudfront_geography(region: &str) -> &'static str {
    if region.starts_with("us-") || region.starts_with("ca-") || region.starts_with("mx-") {
        "north-america"
    } else if region.starts_with("eu-") || region.starts_with("il-") {
        "europe"
    } else if region.starts_with("ap-northeast-1") || region.starts_with("ap-northeast-3") {
        "japan"
    } else if region.starts_with("ap-") {
        "asia-pacific"
    } else if region.starts_with("sa-") {
        "south-america"
    } else if region.starts_with("me-") || region.starts_with("af-") {
        "middle-east-africa"
    } else {
        "other"
    }
}

// -- file formats -----------------------------------------------------------

#[derive(Deserialize)]
struct Ec2File {
    unit: String,
    sources: std::collections::BTreeMap<String, SourceJson>,
    regions: Vec<String>,
    records: Vec<Ec2Record>,
}

#[derive(Deserialize)]
struct SourceJson {
    name: String,
    url: String,
    licence: String,
    date: String,
}

#[derive(Deserialize)]
struct Ec2Record {
    r#type: String,
    region: String,
    usd: f64,
    source: String,
    date: String,
}

#[derive(Deserialize)]
struct ServicesFile {
    date: String,
    records: Vec<ServiceRecord>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceRecord {
    service: String,
    item: String,
    region: String,
    #[serde(default)]
    usd: Option<f64>,
    #[serde(default)]
    tiers: Option<Vec<Tier>>,
    unit: String,
    source: String,
    date: String,
    verified: bool,
    #[serde(default)]
    #[expect(dead_code, reason = "provenance for readers of services.json")]
    check: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> &'static Catalog {
        Catalog::embedded().unwrap()
    }

    #[test]
    fn reference_figures_from_the_research_notes() {
        let c = catalog();
        let usd = |s, item, region| c.lookup(s, item, region).unwrap().price.first_usd();
        for (region, m5, c5, r6g) in [
            ("us-east-1", 0.096, 0.17, 0.1008),
            ("us-west-2", 0.096, 0.17, 0.1008),
            ("eu-west-1", 0.107, 0.192, 0.1128),
            ("eu-central-1", 0.115, 0.194, 0.1216),
            ("ap-southeast-1", 0.12, 0.196, 0.1216),
        ] {
            assert!(
                (usd(Service::Ec2, "m5.large", region) - m5).abs() < 1e-9,
                "{region}"
            );
            assert!(
                (usd(Service::Ec2, "c5.xlarge", region) - c5).abs() < 1e-9,
                "{region}"
            );
            assert!(
                (usd(Service::Ec2, "r6g.large", region) - r6g).abs() < 1e-9,
                "{region}"
            );
        }
        assert!((usd(Service::Elb, "alb-hour", "us-east-1") - 0.0225).abs() < 1e-12);
        assert!((usd(Service::Elb, "alb-lcu-hour", "us-east-1") - 0.008).abs() < 1e-12);
        assert!((usd(Service::Nat, "gb", "ap-southeast-1") - 0.059).abs() < 1e-12);
        assert!((usd(Service::Msk, "kafka.m5.large", "us-east-1") - 0.21).abs() < 1e-12);
    }

    #[test]
    fn every_record_has_a_source_a_date_and_a_sane_price() {
        for r in catalog().records() {
            assert!(!r.source.is_empty(), "{}", r.key());
            assert!(
                r.date.len() == 10 && r.date.starts_with("20"),
                "{}",
                r.key()
            );
            assert!(r.price.is_valid(), "{}", r.key());
            assert!(r.price.first_usd() > 0.0, "{}: a zero list price", r.key());
        }
    }

    #[test]
    fn every_supported_family_and_service_is_priced_in_every_region() {
        let c = catalog();
        let families = [
            "m5", "m6i", "m7i", "c5", "c6i", "c7i", "r5", "r6i", "m6g", "m7g", "c6g", "c7g", "r6g",
            "r7g", "t3", "t4g",
        ];
        let regions = [
            "us-east-1",
            "us-west-2",
            "eu-west-1",
            "eu-central-1",
            "ap-southeast-1",
            "ap-northeast-1",
        ];
        assert_eq!(c.regions, regions);
        for family in families {
            for region in regions {
                let size = if family.starts_with('t') {
                    "medium"
                } else {
                    "large"
                };
                c.lookup(Service::Ec2, &format!("{family}.{size}"), region)
                    .unwrap();
            }
        }
        // Every non-global service item exists in every region.
        for r in c.records().iter().filter(|r| !r.service.is_global()) {
            for region in regions {
                c.lookup(r.service, &r.item, region).unwrap();
            }
        }
        for geo in ["north-america", "europe", "japan", "asia-pacific"] {
            assert_eq!(
                geo,
                cloudfront_geography(match geo {
                    "north-america" => "us-east-1",
                    "europe" => "eu-central-1",
                    "japan" => "ap-northeast-1",
                    _ => "ap-southeast-1",
                })
            );
            for item in ["gb", "https-10k", "http-10k", "origin-gb"] {
                c.lookup(Service::Cloudfront, item, geo).unwrap();
            }
        }
    }

    #[test]
    fn a_missing_item_or_region_is_an_error_naming_it() {
        let c = catalog();
        let err = c.lookup(Service::Ec2, "m6i.larg", "us-east-1").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("EC2 instance type \"m6i.larg\""), "{text}");
        assert!(text.contains("did you mean"), "{text}");
        assert!(text.contains("\"ec2:m6i.larg@us-east-1\""), "{text}");
        let err = c
            .lookup(Service::Ec2, "m6i.large", "sa-east-1")
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("in sa-east-1"), "{text}");
        assert!(text.contains("us-east-1, us-west-2"), "{text}");
    }

    #[test]
    fn tiered_prices_charge_each_tier_for_its_share() {
        let p = Price::Tiered(vec![
            Tier {
                up_to: Some(10.0),
                usd: 1.0,
            },
            Tier {
                up_to: Some(50.0),
                usd: 0.5,
            },
            Tier {
                up_to: None,
                usd: 0.25,
            },
        ]);
        assert!((p.cost(5.0) - 5.0).abs() < 1e-12);
        assert!((p.cost(10.0) - 10.0).abs() < 1e-12);
        assert!((p.cost(30.0) - 20.0).abs() < 1e-12);
        assert!((p.cost(150.0) - (10.0 + 20.0 + 25.0)).abs() < 1e-12);
        assert!((p.cost(0.0)).abs() < 1e-12);
    }

    #[test]
    fn a_broken_data_file_is_reported_not_panicked_on() {
        let err = Catalog::parse("{", SERVICES_JSON).unwrap_err();
        assert!(err.to_string().contains("ec2.json"), "{err}");
        let bad = SERVICES_JSON.replacen("\"usd\": 0.0225", "\"usd\": -1", 1);
        let err = Catalog::parse(EC2_JSON, &bad).unwrap_err();
        assert!(err.to_string().contains("not a valid price"), "{err}");
    }
}
