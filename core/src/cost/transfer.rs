//! Data transfer: what each leg of the load moves, and who pays for it.
//!
//! ## Bytes
//!
//! A request along an edge without `payload_kb` sends `traffic.request_kb` to
//! the callee and brings `traffic.response_kb` back. With `payload_kb`, the
//! payload moves in the direction of the data: back to the caller for reads,
//! to the callee for writes. 1 GB = 1024 × 1024 KB, as AWS bills.
//!
//! ## Who pays (AWS rules, as of the catalog date)
//!
//! - **Across AZs** in a region: $0.01/GB out of one AZ and $0.01/GB into the
//!   other, so every GB that crosses costs twice the catalog's per-direction
//!   rate. Free when an **ALB** sends it (cross-zone load balancing is free on
//!   ALBs); an **NLB** with cross-zone enabled is charged, and one with it
//!   disabled keeps traffic in the AZ. Regional services (SQS, S3, API
//!   Gateway) are not counted as cross-AZ by the load model.
//! - **Across regions**: each direction is charged out of the region it
//!   leaves (requests out of the caller's, responses out of the callee's);
//!   data coming in is free.
//! - **To the internet**: responses to users that reach a region directly
//!   (an entry point in a region, or through Route 53), responses to a
//!   third-party CDN, and requests to third-party services are internet
//!   egress, tiered per region by monthly volume. Responses from an AWS
//!   origin to CloudFront are free; CloudFront's own egress is priced as
//!   CloudFront.
//! - Data coming in from the internet is free.

use crate::load::Rates;
use crate::model::{Edge, NodeKind, NodeSpec, Traffic};

/// KB in a GB, as AWS bills data transfer.
pub const KB_PER_GB: f64 = 1024.0 * 1024.0;

/// Kilobytes per second a leg moves at peak, each way.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Bytes {
    /// Caller → callee.
    pub up_kb: f64,
    /// Callee → caller.
    pub down_kb: f64,
    /// Caller → callee, writes only (what replication copies).
    pub write_up_kb: f64,
}

impl Bytes {
    pub fn total_kb(self) -> f64 {
        self.up_kb + self.down_kb
    }

    pub fn add(&mut self, other: Self) {
        self.up_kb += other.up_kb;
        self.down_kb += other.down_kb;
        self.write_up_kb += other.write_up_kb;
    }

    #[must_use]
    pub fn scale(self, k: f64) -> Self {
        Self {
            up_kb: self.up_kb * k,
            down_kb: self.down_kb * k,
            write_up_kb: self.write_up_kb * k,
        }
    }
}

/// What `rates` along `edge` move per second (see the module docs).
pub fn leg_bytes(edge: Option<&Edge>, traffic: &Traffic, rates: Rates) -> Bytes {
    match edge.and_then(|e| e.payload_kb) {
        Some(payload) => Bytes {
            up_kb: rates.write_rps * payload,
            down_kb: rates.read_rps * payload,
            write_up_kb: rates.write_rps * payload,
        },
        None => Bytes {
            up_kb: rates.total() * traffic.request_kb,
            down_kb: rates.total() * traffic.response_kb,
            write_up_kb: rates.write_rps * traffic.request_kb,
        },
    }
}

/// The share of a leg's cross-AZ traffic that AWS charges, by the caller.
pub fn cross_az_charged(caller: &NodeSpec) -> f64 {
    match caller {
        NodeSpec::LoadBalancer(lb) => {
            if lb.lb_type == crate::model::LoadBalancerType::Nlb && lb.cross_zone {
                1.0
            } else {
                0.0
            }
        }
        _ => 1.0,
    }
}

/// How a leg between a global node and a region is billed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Boundary {
    /// Responses leave the region for the internet (users, third parties).
    InternetResponses,
    /// Requests leave the region for the internet (calls to third parties).
    InternetRequests,
    /// CloudFront fetching from an AWS origin: responses free, requests
    /// billed as CloudFront origin transfer.
    CloudfrontOrigin,
    /// Nothing moves that AWS bills (DNS resolution).
    Free,
}

/// The billing of a leg from a global caller into a region, or from a
/// regional caller to a global callee.
pub fn boundary(from: &NodeSpec, to: &NodeSpec, into_region: bool) -> Boundary {
    use crate::model::CdnProvider;
    if into_region {
        match from {
            NodeSpec::Cdn(cdn) if cdn.provider == CdnProvider::Cloudfront => {
                Boundary::CloudfrontOrigin
            }
            // Route 53 only resolves names: the users then call the region.
            NodeSpec::Dns(_) | NodeSpec::Cdn(_) | NodeSpec::External(_) => {
                Boundary::InternetResponses
            }
            _ => Boundary::Free,
        }
    } else {
        match to.kind() {
            NodeKind::External | NodeKind::Cdn => Boundary::InternetRequests,
            _ => Boundary::Free,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EdgeKind, LoadBalancerSpec, LoadBalancerType};

    #[test]
    fn payloads_move_with_the_data() {
        let traffic = Traffic::default();
        let rates = Rates {
            read_rps: 10.0,
            write_rps: 2.0,
        };
        let plain = leg_bytes(None, &traffic, rates);
        assert!((plain.up_kb - 12.0 * traffic.request_kb).abs() < 1e-12);
        assert!((plain.down_kb - 12.0 * traffic.response_kb).abs() < 1e-12);
        assert!((plain.write_up_kb - 2.0 * traffic.request_kb).abs() < 1e-12);
        let mut edge = Edge::new(EdgeKind::Call);
        edge.payload_kb = Some(500.0);
        let upload = leg_bytes(Some(&edge), &traffic, rates);
        assert!((upload.up_kb - 1000.0).abs() < 1e-12);
        assert!((upload.down_kb - 5000.0).abs() < 1e-12);
    }

    #[test]
    fn alb_cross_zone_is_free_and_nlb_cross_zone_is_charged() {
        let alb = NodeSpec::LoadBalancer(LoadBalancerSpec::default());
        assert!(cross_az_charged(&alb).abs() < f64::EPSILON);
        let mut nlb = LoadBalancerSpec {
            lb_type: LoadBalancerType::Nlb,
            ..LoadBalancerSpec::default()
        };
        assert!(
            (cross_az_charged(&NodeSpec::LoadBalancer(nlb.clone())) - 1.0).abs() < f64::EPSILON
        );
        nlb.cross_zone = false;
        assert!(cross_az_charged(&NodeSpec::LoadBalancer(nlb)).abs() < f64::EPSILON);
        assert!(
            (cross_az_charged(&NodeSpec::default_for(NodeKind::Service)) - 1.0).abs()
                < f64::EPSILON
        );
    }
}
