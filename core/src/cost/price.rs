//! Resolving price keys for one costing run: the document's overrides first,
//! then the catalog, each key resolved once and then reused by index.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use indexmap::IndexMap;
use serde::Serialize;

use super::catalog::{Catalog, CatalogError, Price, Service};

/// A unit price as one costing run uses it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Resolved {
    /// `service:item@place`.
    pub key: String,
    #[serde(skip)]
    pub price: Price,
    /// The first (or only) unit price in USD.
    pub unit_usd: f64,
    pub tiered: bool,
    /// The catalog's unit, e.g. "USD per hour".
    pub unit: String,
    /// Set by `pricing.overrides` in the document.
    pub overridden: bool,
    /// A second source confirmed the catalog's figure (overrides count as verified:
    /// the user vouches for them).
    pub verified: bool,
    /// Where the figure comes from, and its date.
    pub source: String,
    pub date: String,
}

/// Index into [`Pricer::prices`].
pub type PriceId = usize;

#[derive(Clone, Debug)]
pub struct Pricer<'a> {
    catalog: &'a Catalog,
    overrides: &'a IndexMap<String, f64>,
    pub prices: Vec<Resolved>,
    /// place name → index into `by_place`.
    places: Vec<String>,
    /// By service (in [`Service::ALL`] order), item → price id by place index.
    by_place: Vec<HashMap<String, Vec<Option<PriceId>>, Fnv>>,
}

/// FNV-1a: the keys are short item names looked up once per node and
/// region, where `SipHash`'s resistance to hash flooding buys nothing and costs time.
#[derive(Clone, Copy, Debug, Default)]
struct FnvHasher(u64);

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Fnv = BuildHasherDefault<FnvHasher>;

fn service_index(service: Service) -> usize {
    Service::ALL.iter().position(|&s| s == service).unwrap_or(0)
}

impl<'a> Pricer<'a> {
    /// A pricer whose places `0..regions.len()` are `regions`, so callers can
    /// name a region by its slot.
    pub fn new(
        catalog: &'a Catalog,
        overrides: &'a IndexMap<String, f64>,
        regions: &[String],
    ) -> Self {
        Self {
            catalog,
            overrides,
            prices: Vec::new(),
            places: regions.to_vec(),
            by_place: (0..Service::ALL.len())
                .map(|_| HashMap::default())
                .collect(),
        }
    }

    /// The price of `item` of `service` at `place` (a region, a CloudFront
    /// geography, or `global`).
    pub fn get(
        &mut self,
        service: Service,
        item: &str,
        place: &str,
    ) -> Result<PriceId, CatalogError> {
        let p = if let Some(p) = self.places.iter().position(|x| x == place) {
            p
        } else {
            self.places.push(place.to_owned());
            self.places.len() - 1
        };
        self.at(service, item, p)
    }

    /// The price of `item` of `service` at place index `p` (a region slot).
    pub fn at(&mut self, service: Service, item: &str, p: usize) -> Result<PriceId, CatalogError> {
        let si = service_index(service);
        if let Some(id) = self.by_place[si]
            .get(item)
            .and_then(|v| v.get(p).copied().flatten())
        {
            return Ok(id);
        }
        let place = self.places.get(p).cloned().unwrap_or_default();
        let resolved = self.resolve(service, item, &place)?;
        self.prices.push(resolved);
        let id = self.prices.len() - 1;
        let slots = self.by_place[si].entry(item.to_owned()).or_default();
        if slots.len() <= p {
            slots.resize(p + 1, None);
        }
        slots[p] = Some(id);
        Ok(id)
    }

    fn resolve(&self, service: Service, item: &str, place: &str) -> Result<Resolved, CatalogError> {
        let key = format!("{service}:{item}@{place}");
        let general = format!("{service}:{item}");
        let record = self.catalog.lookup(service, item, place);
        let override_usd = self
            .overrides
            .get(&key)
            .or_else(|| self.overrides.get(&general))
            .copied();
        match (override_usd, record) {
            (Some(usd), record) => Ok(Resolved {
                key,
                price: Price::Flat(usd),
                unit_usd: usd,
                tiered: false,
                unit: record.map_or_else(|_| "USD per unit".to_owned(), |r| r.unit.clone()),
                overridden: true,
                verified: true,
                source: "the document's pricing.overrides".to_owned(),
                date: String::new(),
            }),
            (None, Ok(r)) => Ok(Resolved {
                key,
                unit_usd: r.price.first_usd(),
                tiered: matches!(r.price, Price::Tiered(_)),
                price: r.price.clone(),
                unit: r.unit.clone(),
                overridden: false,
                verified: r.verified,
                source: r.source.clone(),
                date: r.date.clone(),
            }),
            (None, Err(e)) => Err(e),
        }
    }
}
