//! Where a node runs when it is dropped on the canvas: the rules that turn
//! "dropped in this lane, on this AZ band" into a [`Placement`].
//!
//! Pure functions of the document, so they are tested without a window.
//!
//! **New nodes** (from the palette): a global kind (DNS, CDN, external) is
//! never placed; any other kind dropped in a region lane runs in that region,
//! across *every* AZ of it when it is zonal (the highly available default —
//! the preview shows the span before the drop; AZs are then ticked off in
//! the inspector). Dropped in the Global lane, it goes to the primary region.
//!
//! **Moving a node** keeps the *shape* of its AZ spread and moves it by the
//! bands the pointer moved: a node in AZs {a, b} of {a, b, c} dragged one
//! band down runs in {b, c}; the shift is clamped so every AZ stays inside
//! the region (a node spanning every AZ cannot move within its region).
//! Dropped in another region's lane, the region the box was grabbed in is
//! replaced by the new one, keeping the AZ pattern anchored at the band under
//! the pointer (compressed to consecutive AZs when the new region has fewer);
//! a database whose writer was there takes its writer along. A node that
//! already runs in the target region is refused (its box is already there),
//! as are global kinds dropped in a region and regional kinds dropped in the
//! Global lane — each with the reason.

use indexmap::IndexMap;
use topoplan_core::model::{Meta, Node, NodeSpec, Placement};

/// Where something is dropped: the Global lane, or a region lane and
/// (when over one) the index of an AZ band in that region's `azs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spot<'a> {
    Global,
    Region { region: &'a str, az: Option<usize> },
}

/// The placement of a new node dropped at `spot`.
pub fn for_new(meta: &Meta, node: &Node, spot: Spot<'_>) -> Placement {
    let mut placement = Placement::new();
    if node.kind().is_global() {
        return placement;
    }
    let region = match spot {
        Spot::Region { region, .. } => meta.region(region),
        Spot::Global => meta.primary_region(),
    };
    if let Some(region) = region {
        let azs = if node.is_zonal() {
            region.azs.clone()
        } else {
            Vec::new()
        };
        placement.insert(region.id.clone(), azs);
    }
    placement
}

/// The node after moving its box from `from` (where it was grabbed) to
/// `to`; `Ok(None)` when its placement does not change, `Err` with the
/// reason when the move is refused.
pub fn moved(
    meta: &Meta,
    node: &Node,
    from: Spot<'_>,
    to: Spot<'_>,
) -> Result<Option<Node>, String> {
    let what = node.kind().label();
    match (from, to) {
        (Spot::Global, Spot::Global) => Ok(None),
        (Spot::Global, Spot::Region { region, .. }) => Err(format!(
            "{} is a {} — a global service, not placed in a region such as {region}",
            node.id,
            what.to_lowercase()
        )),
        (Spot::Region { .. }, Spot::Global) => Err(format!(
            "{} runs in a region: a {} cannot move to the Global lane",
            node.id,
            what.to_lowercase()
        )),
        (
            Spot::Region {
                region: from_region,
                az: grab,
            },
            Spot::Region {
                region: to_region,
                az: target,
            },
        ) => {
            let Some(current) = node.placement.get(from_region) else {
                return Err(format!("{} is not placed in {from_region}", node.id));
            };
            if from_region != to_region && node.placement.contains_key(to_region) {
                return Err(format!(
                    "{} already runs in {to_region}; change its placement in the inspector to merge them",
                    node.id
                ));
            }
            let azs = if node.is_zonal() {
                shifted_azs(
                    meta,
                    &node.id,
                    current,
                    from_region,
                    to_region,
                    grab,
                    target,
                )?
            } else {
                Vec::new()
            };
            if from_region == to_region && &azs == current {
                return Ok(None);
            }
            let mut out = node.clone();
            out.placement = node
                .placement
                .iter()
                .map(|(r, a)| {
                    if r == from_region {
                        (to_region.to_owned(), azs.clone())
                    } else {
                        (r.clone(), a.clone())
                    }
                })
                .collect::<IndexMap<_, _>>();
            if let NodeSpec::Database(db) = &mut out.spec
                && db.writer.as_deref() == Some(from_region)
            {
                db.writer = Some(to_region.to_owned());
            }
            Ok(Some(out))
        }
    }
}

/// The AZs of a zonal node after its box moves from band `grab` of
/// `from_region` to band `target` of `to_region` (see the module docs).
fn shifted_azs(
    meta: &Meta,
    id: &str,
    current: &[String],
    from_region: &str,
    to_region: &str,
    grab: Option<usize>,
    target: Option<usize>,
) -> Result<Vec<String>, String> {
    let from_azs = meta
        .region(from_region)
        .map(|r| r.azs.as_slice())
        .unwrap_or_default();
    let to_azs = meta
        .region(to_region)
        .map(|r| r.azs.as_slice())
        .unwrap_or_default();
    if to_azs.is_empty() {
        return Err(format!(
            "{to_region} lists no AZs: add some in its settings first"
        ));
    }
    let mut indices = Vec::with_capacity(current.len());
    for az in current {
        match from_azs.iter().position(|a| a == az) {
            Some(i) => indices.push(i),
            None => {
                return Err(format!(
                    "{id} runs in {az}, which {from_region} does not list: fix its placement in the inspector first"
                ));
            }
        }
    }
    indices.sort_unstable();
    indices.dedup();
    let (Some(&lo), Some(&hi)) = (indices.first(), indices.last()) else {
        // No AZs yet: dropping it on a band puts it there.
        return Ok(target
            .map(|t| vec![to_azs[t.min(to_azs.len() - 1)].clone()])
            .unwrap_or_default());
    };
    let n = to_azs.len();
    let same_region = from_region == to_region;
    // The band offset the pointer moved, as a signed count of AZ bands.
    let shift = match (grab, target) {
        (Some(g), Some(t)) => signed(t) - signed(g),
        // Off the bands (title strip, regional band): no vertical move in
        // the same region; in another region, keep the pattern's start.
        _ => 0,
    };
    let new: Vec<usize> = if hi - lo < n {
        let shift = shift.clamp(-signed(lo), signed(n - 1) - signed(hi));
        indices
            .iter()
            .map(|&i| usize::try_from(signed(i) + shift).unwrap_or(0))
            .collect()
    } else {
        // Wider than the target region: consecutive AZs from the anchor.
        let k = indices.len().min(n);
        let start = usize::try_from((signed(lo) + shift).max(0))
            .unwrap_or(0)
            .min(n - k);
        (start..start + k).collect()
    };
    if same_region && new == indices {
        return Ok(current.to_vec());
    }
    Ok(new.into_iter().map(|i| to_azs[i].clone()).collect())
}

/// AZ counts are tiny; as `isize` for offsets.
fn signed(i: usize) -> isize {
    isize::try_from(i).unwrap_or(isize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use topoplan_core::model::{NodeKind, Region, RegionRole};

    fn meta() -> Meta {
        let mut m = Meta::new("t");
        m.regions = vec![
            Region::new(
                "us-east-1",
                RegionRole::Primary,
                &["us-east-1a", "us-east-1b", "us-east-1c"],
            ),
            Region::new(
                "eu-west-1",
                RegionRole::Secondary,
                &["eu-west-1a", "eu-west-1b"],
            ),
        ];
        m
    }

    fn us(az: Option<usize>) -> Spot<'static> {
        Spot::Region {
            region: "us-east-1",
            az,
        }
    }

    fn eu(az: Option<usize>) -> Spot<'static> {
        Spot::Region {
            region: "eu-west-1",
            az,
        }
    }

    #[test]
    fn new_zonal_nodes_span_every_az_and_global_ones_none() {
        let m = meta();
        let web = Node::new("web", NodeKind::Service);
        let p = for_new(&m, &web, eu(Some(1)));
        assert_eq!(p["eu-west-1"], ["eu-west-1a", "eu-west-1b"]);
        let sqs = Node::new("q", NodeKind::Queue);
        assert!(for_new(&m, &sqs, us(Some(2)))["us-east-1"].is_empty());
        assert!(for_new(&m, &Node::new("dns", NodeKind::Dns), us(None)).is_empty());
        // Dropped in the Global lane, a regional kind goes to the primary region.
        assert!(for_new(&m, &web, Spot::Global).contains_key("us-east-1"));
    }

    #[test]
    fn moving_down_one_band_shifts_the_az_pattern() {
        let web =
            Node::new("web", NodeKind::Service).placed("us-east-1", &["us-east-1a", "us-east-1b"]);
        let moved = moved(&meta(), &web, us(Some(0)), us(Some(1)))
            .unwrap()
            .unwrap();
        assert_eq!(moved.placement["us-east-1"], ["us-east-1b", "us-east-1c"]);
        // Two bands down is clamped to the last AZ.
        let clamped = super::moved(&meta(), &web, us(Some(0)), us(Some(2)))
            .unwrap()
            .unwrap();
        assert_eq!(clamped.placement["us-east-1"], ["us-east-1b", "us-east-1c"]);
    }

    #[test]
    fn a_node_in_every_az_does_not_move_within_its_region() {
        let web = Node::new("web", NodeKind::Service)
            .placed("us-east-1", &["us-east-1a", "us-east-1b", "us-east-1c"]);
        assert_eq!(moved(&meta(), &web, us(Some(0)), us(Some(2))), Ok(None));
    }

    #[test]
    fn moving_to_another_region_replaces_that_region_and_compresses() {
        let mut db = Node::new("db", NodeKind::Database)
            .placed("us-east-1", &["us-east-1a", "us-east-1b", "us-east-1c"]);
        if let NodeSpec::Database(s) = &mut db.spec {
            s.writer = Some("us-east-1".into());
        }
        let moved = moved(&meta(), &db, us(Some(0)), eu(Some(0)))
            .unwrap()
            .unwrap();
        assert_eq!(moved.placement.keys().collect::<Vec<_>>(), ["eu-west-1"]);
        assert_eq!(moved.placement["eu-west-1"], ["eu-west-1a", "eu-west-1b"]);
        let NodeSpec::Database(s) = &moved.spec else {
            unreachable!()
        };
        assert_eq!(s.writer.as_deref(), Some("eu-west-1"));
    }

    #[test]
    fn refused_moves_say_why() {
        let m = meta();
        let both = Node::new("web", NodeKind::Service)
            .placed("us-east-1", &["us-east-1a"])
            .placed("eu-west-1", &["eu-west-1a"]);
        let err = moved(&m, &both, us(Some(0)), eu(Some(1))).unwrap_err();
        assert!(err.contains("already runs in eu-west-1"), "{err}");
        let dns = Node::new("dns", NodeKind::Dns);
        let err = moved(&m, &dns, Spot::Global, us(Some(0))).unwrap_err();
        assert!(err.contains("global"), "{err}");
        let err = moved(&m, &both, us(Some(0)), Spot::Global).unwrap_err();
        assert!(err.contains("Global lane"), "{err}");
    }

    #[test]
    fn regional_nodes_move_between_regions_without_azs() {
        let q = Node::new("q", NodeKind::Queue).placed("us-east-1", &[]);
        let moved = moved(&meta(), &q, us(None), eu(Some(1))).unwrap().unwrap();
        assert_eq!(moved.placement["eu-west-1"], Vec::<String>::new());
        assert_eq!(super::moved(&meta(), &q, us(None), us(Some(2))), Ok(None));
    }
}
