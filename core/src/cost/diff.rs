//! What changed between two estimates (two versions of a document), line by
//! line, and by how much.

use serde::Serialize;

use super::lines::LineItem;
use super::model::{Category, Estimate};
use crate::model::Topology;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// One line that differs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub element: String,
    pub region: String,
    pub category: Category,
    /// The new name (the old one when removed).
    pub name: String,
    pub old_name: Option<String>,
    pub unit: &'static str,
    pub old_quantity: f64,
    pub new_quantity: f64,
    pub old_usd: f64,
    pub new_usd: f64,
    pub delta_usd: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostDiff {
    pub old_usd: f64,
    pub new_usd: f64,
    pub delta_usd: f64,
    /// Relative to the old total, in percent (0 when the old total is 0).
    pub delta_percent: f64,
    /// Largest change first.
    pub changes: Vec<Change>,
    /// (region, old, new) for every region of either side, then global.
    pub by_region: Vec<(String, f64, f64)>,
    pub by_category: Vec<(Category, f64, f64)>,
    /// Settings that changed the whole bill (mode, hours, discount).
    pub settings: Vec<String>,
}

/// Compares two estimates line by line (after each one's discount). Lines
/// match by element, region and what is billed, so an instance type change
/// is one changed line, not a removal and an addition.
pub fn diff(old_t: &Topology, old: &Estimate, new_t: &Topology, new: &Estimate) -> CostDiff {
    let old_lines = old.lines(old_t);
    let new_lines = new.lines(new_t);
    let key = |l: &LineItem| (l.element.clone(), l.region.clone(), l.item.clone());
    let mut changes = Vec::new();
    let mut matched = vec![false; new_lines.len()];
    let mut index = std::collections::HashMap::new();
    for (i, l) in new_lines.iter().enumerate() {
        index.entry(key(l)).or_insert(i);
    }
    for o in &old_lines {
        match index.get(&key(o)).copied().filter(|&i| !matched[i]) {
            Some(i) => {
                matched[i] = true;
                let n = &new_lines[i];
                let delta = n.monthly_usd - o.monthly_usd;
                if delta.abs() < 0.005 && n.name == o.name {
                    continue;
                }
                changes.push(Change {
                    kind: ChangeKind::Changed,
                    element: n.element.clone(),
                    region: n.region.clone(),
                    category: n.category,
                    name: n.name.clone(),
                    old_name: (n.name != o.name).then(|| o.name.clone()),
                    unit: n.unit,
                    old_quantity: o.quantity,
                    new_quantity: n.quantity,
                    old_usd: o.monthly_usd,
                    new_usd: n.monthly_usd,
                    delta_usd: delta,
                });
            }
            None => changes.push(Change {
                kind: ChangeKind::Removed,
                element: o.element.clone(),
                region: o.region.clone(),
                category: o.category,
                name: o.name.clone(),
                old_name: None,
                unit: o.unit,
                old_quantity: o.quantity,
                new_quantity: 0.0,
                old_usd: o.monthly_usd,
                new_usd: 0.0,
                delta_usd: -o.monthly_usd,
            }),
        }
    }
    for (i, n) in new_lines.iter().enumerate() {
        if !matched[i] {
            changes.push(Change {
                kind: ChangeKind::Added,
                element: n.element.clone(),
                region: n.region.clone(),
                category: n.category,
                name: n.name.clone(),
                old_name: None,
                unit: n.unit,
                old_quantity: 0.0,
                new_quantity: n.quantity,
                old_usd: 0.0,
                new_usd: n.monthly_usd,
                delta_usd: n.monthly_usd,
            });
        }
    }
    changes.sort_by(|a, b| {
        b.delta_usd
            .abs()
            .total_cmp(&a.delta_usd.abs())
            .then_with(|| a.element.cmp(&b.element))
            .then_with(|| a.region.cmp(&b.region))
            .then_with(|| a.name.cmp(&b.name))
    });

    let mut regions: Vec<String> = old.regions.clone();
    for r in &new.regions {
        if !regions.contains(r) {
            regions.push(r.clone());
        }
    }
    regions.push("global".to_owned());
    let sum = |lines: &[LineItem], region: &str| -> f64 {
        lines
            .iter()
            .filter(|l| l.region == region)
            .map(|l| l.monthly_usd)
            .sum()
    };
    let by_region = regions
        .iter()
        .map(|r| (r.clone(), sum(&old_lines, r), sum(&new_lines, r)))
        .filter(|(_, a, b)| *a != 0.0 || *b != 0.0)
        .collect();
    let (oc, nc) = (old.by_category(), new.by_category());
    let by_category = Category::ALL
        .iter()
        .enumerate()
        .map(|(i, &c)| (c, oc[i], nc[i]))
        .collect();
    let mut settings = Vec::new();
    if old.variant != new.variant {
        settings.push(format!(
            "deployment: {} → {}",
            old.variant.label(),
            new.variant.label()
        ));
    }
    if (old.hours_per_month - new.hours_per_month).abs() > 1e-9 {
        settings.push(format!(
            "pricing.hours_per_month: {} → {}",
            old.hours_per_month, new.hours_per_month
        ));
    }
    if (old.discount_percent - new.discount_percent).abs() > 1e-9 {
        settings.push(format!(
            "pricing.discount_percent: {} → {}",
            old.discount_percent, new.discount_percent
        ));
    }
    let (old_usd, new_usd) = (old.monthly_usd(), new.monthly_usd());
    CostDiff {
        old_usd,
        new_usd,
        delta_usd: new_usd - old_usd,
        delta_percent: if old_usd > 0.0 {
            100.0 * (new_usd - old_usd) / old_usd
        } else {
            0.0
        },
        changes,
        by_region,
        by_category,
        settings,
    }
}
