//! Queueing delay of a pool of instances: the M/M/c queue.
//!
//! A node's instances are `c` identical servers, each serving `mu` requests
//! a second when fully busy, fed by Poisson arrivals at `lambda` requests a
//! second with exponential service times. Requests that find every server
//! busy wait in one queue (a load balancer spreading requests over
//! instances behaves close to this; it is the textbook model, not a claim
//! about any one load balancer).
//!
//! - The probability that a request waits is Erlang C, computed from Erlang
//!   B by the recurrence `B(0) = 1`, `B(k) = a·B(k−1) / (k + a·B(k−1))` with
//!   `a = λ/μ`, then `C = B / (1 − ρ(1 − B))` with `ρ = a/c`. It has no
//!   factorials or powers, stays in `[0, 1]` at every step, and costs O(c)
//!   (c = 100,000 is a few hundred microseconds).
//! - The waiting time of a request that waits is exponential with rate
//!   `cμ − λ`, so `P(W > t) = C·e^{−(cμ−λ)t}` and the q-quantile is
//!   `ln(C / (1 − q)) / (cμ − λ)` when `C > 1 − q`, else 0.
//!
//! [`p95_ms`] turns this into a node's p95 latency: its unloaded latency
//! plus the 95th percentile of the queueing wait. Adding a percentile of the
//! wait to the base latency is an upper-bound style estimate (the p95 of a
//! sum is at most the sum of the p95s only for comonotone parts), which is
//! the side to err on for an SLO check.

use serde::Serialize;

/// Utilisation at which [`p95_ms`] stops following the load: the M/M/c wait
/// grows without bound as utilisation nears 1 (and a queue that close to
/// the edge never reaches its steady state in minutes anyway), so from 99%
/// busy on, and for a saturated node, the p95 reported is the one at 99%;
/// saturation itself is flagged.
pub const SATURATION_UTILISATION: f64 = 0.99;

/// The percentile [`p95_ms`] reports.
pub const P95: f64 = 0.95;

/// One server pool: `servers` servers each serving `service_rate` requests/s,
/// Poisson arrivals at `lambda` requests/s (the argument of each method).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MmC {
    pub servers: u32,
    /// μ, requests a second one server completes while busy.
    pub service_rate: f64,
}

impl MmC {
    /// The total service rate `c·μ` (0 when there is no server or μ is not
    /// a positive number).
    pub fn capacity(&self) -> f64 {
        if self.service_rate > 0.0 {
            f64::from(self.servers) * self.service_rate
        } else {
            0.0
        }
    }

    /// `ρ = λ / (c·μ)`: the share of time a server is busy when below 1.
    /// Without capacity: 0 for no traffic, infinite for any traffic.
    pub fn utilisation(&self, lambda: f64) -> f64 {
        let lambda = arrivals(lambda);
        let capacity = self.capacity();
        if lambda <= 0.0 {
            0.0
        } else if capacity <= 0.0 {
            f64::INFINITY
        } else {
            lambda / capacity
        }
    }

    /// Erlang C: the probability that an arrival finds every server busy
    /// and waits. 1 when the pool is unstable (λ ≥ c·μ) or has no server,
    /// 0 without arrivals.
    pub fn wait_probability(&self, lambda: f64) -> f64 {
        let lambda = arrivals(lambda);
        if lambda <= 0.0 {
            return 0.0;
        }
        let capacity = self.capacity();
        if lambda >= capacity {
            return 1.0;
        }
        // Offered load in Erlangs; finite and below c here.
        let a = lambda / self.service_rate;
        let b = erlang_b(self.servers, a);
        let rho = lambda / capacity;
        (b / (1.0 - rho * (1.0 - b))).clamp(0.0, 1.0)
    }

    /// The `q`-quantile of the waiting time in seconds: 0 when
    /// P(wait) ≤ 1 − q, infinite when λ ≥ c·μ (the queue grows without
    /// bound). `q` is clamped to `0..=1`; q = 1 is infinite whenever
    /// anyone waits.
    pub fn wait_quantile_secs(&self, lambda: f64, q: f64) -> f64 {
        let lambda = arrivals(lambda);
        if lambda <= 0.0 {
            return 0.0;
        }
        let capacity = self.capacity();
        if lambda >= capacity {
            return f64::INFINITY;
        }
        let c = self.wait_probability(lambda);
        let tail = 1.0 - if q.is_nan() { 0.0 } else { q.clamp(0.0, 1.0) };
        if c <= tail {
            0.0
        } else if tail <= 0.0 {
            f64::INFINITY
        } else {
            (c / tail).ln() / (capacity - lambda)
        }
    }
}

/// Arrivals as a rate the formulas accept: NaN and negative rates are none.
fn arrivals(lambda: f64) -> f64 {
    if lambda > 0.0 { lambda } else { 0.0 }
}

/// Erlang B for `c` servers and `a` Erlangs, by the stable recurrence. Once
/// B is below 1e-300 it only shrinks further (each step multiplies by
/// a / (k + a·B) < 1 when k > a), so the loop stops there.
fn erlang_b(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        let ab = a * b;
        b = ab / (f64::from(k) + ab);
        if b < 1e-300 && f64::from(k) > a {
            return 0.0;
        }
    }
    b
}

/// A node's p95 latency under load.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct P95 {
    /// Base latency plus the p95 of the queueing wait, in ms, with the
    /// utilisation capped at [`SATURATION_UTILISATION`] (so it never
    /// decreases with load); infinite when the node has no capacity at all
    /// and receives traffic.
    pub ms: f64,
    /// Offered load ÷ full capacity (`instances × rps_per_instance ÷
    /// target_cpu`), not capped: above 1 says by how much the node is
    /// overloaded. Infinite without capacity and with traffic.
    pub utilisation: f64,
    /// Offered load at or above full capacity: requests queue without
    /// bound (or are shed), and `ms` is only the latency at the edge.
    pub saturated: bool,
}

/// p95 latency of a node with `instances` instances, each serving
/// `rps_per_instance` requests/s at `target_cpu` utilisation (so its full
/// rate is μ = `rps_per_instance / target_cpu`), whose unloaded p95 latency
/// is `base_ms`, under `offered_rps`.
///
/// `ms` is computed with the utilisation capped at
/// [`SATURATION_UTILISATION`]. Saturation (offered ≥ `instances × μ`) sets
/// `saturated`;
/// with no capacity at all (no instance, or a non-positive rate) any
/// traffic gives infinite `ms` and utilisation. A `target_cpu` outside
/// `(0, 1]` is taken as 1 (the instance's full rate is what it serves).
pub fn p95_ms(
    instances: u32,
    rps_per_instance: f64,
    target_cpu: f64,
    base_ms: f64,
    offered_rps: f64,
) -> P95 {
    let pool = pool(instances, rps_per_instance, target_cpu);
    let base_ms = if base_ms > 0.0 { base_ms } else { 0.0 };
    let offered = arrivals(offered_rps);
    let capacity = pool.capacity();
    if offered <= 0.0 {
        return P95 {
            ms: base_ms,
            utilisation: 0.0,
            saturated: false,
        };
    }
    if capacity <= 0.0 {
        return P95 {
            ms: f64::INFINITY,
            utilisation: f64::INFINITY,
            saturated: true,
        };
    }
    let utilisation = offered / capacity;
    let lambda = offered.min(SATURATION_UTILISATION * capacity);
    P95 {
        ms: base_ms + 1000.0 * pool.wait_quantile_secs(lambda, P95),
        utilisation,
        saturated: utilisation >= 1.0,
    }
}

/// The highest offered load, in requests/s, at which the [`p95_ms`] of
/// such a node stays within `budget_ms`: loads up to and including it meet
/// the budget, higher ones do not (p95 never decreases with load).
/// `f64::NEG_INFINITY` when not even an idle node meets it (base latency
/// over budget); the full capacity when every load below it does (loads
/// at capacity are saturated, whatever the budget).
///
/// Found by bisection to a relative precision of 1e-12 of capacity (about
/// 40 evaluations of Erlang C, each O(instances)).
pub fn max_rps_within(
    instances: u32,
    rps_per_instance: f64,
    target_cpu: f64,
    base_ms: f64,
    budget_ms: f64,
) -> f64 {
    let base_ms = if base_ms > 0.0 { base_ms } else { 0.0 };
    if budget_ms.is_nan() || budget_ms < base_ms {
        return f64::NEG_INFINITY;
    }
    let pool = pool(instances, rps_per_instance, target_cpu);
    let capacity = pool.capacity();
    if capacity <= 0.0 || !capacity.is_finite() {
        return capacity.max(0.0);
    }
    let wait_budget_secs = (budget_ms - base_ms) / 1000.0;
    if wait_budget_secs.is_infinite() {
        return capacity;
    }
    let fits = |lambda: f64| pool.wait_quantile_secs(lambda, P95) <= wait_budget_secs;
    let plateau = SATURATION_UTILISATION * capacity;
    if fits(plateau) {
        return capacity;
    }
    // Invariant: fits(lo), !fits(hi).
    let (mut lo, mut hi) = (0.0, plateau);
    while hi - lo > capacity * 1e-12 {
        let mid = 0.5 * (lo + hi);
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The full rate μ of one instance: the requests/s it serves at
/// `target_cpu` ÷ `target_cpu` (a target outside `(0, 1]` counts as 1; a
/// non-positive rate as 0).
pub fn full_rate(rps_per_instance: f64, target_cpu: f64) -> f64 {
    let target = if target_cpu > 0.0 && target_cpu <= 1.0 {
        target_cpu
    } else {
        1.0
    };
    if rps_per_instance > 0.0 {
        rps_per_instance / target
    } else {
        0.0
    }
}

/// The pool of a node: μ = [`full_rate`].
fn pool(instances: u32, rps_per_instance: f64, target_cpu: f64) -> MmC {
    MmC {
        servers: instances,
        service_rate: full_rate(rps_per_instance, target_cpu),
    }
}

#[cfg(test)]
#[expect(
    clippy::float_cmp,
    reason = "exact values: degenerate pools return exactly 0, 1 or infinity, and light loads exactly the base latency"
)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-12)
    }

    /// Erlang C straight from its textbook formula (factorials and powers),
    /// fine for small c:
    /// C = (a^c/c!)·(c/(c−a)) / (Σ_{k<c} a^k/k! + (a^c/c!)·(c/(c−a))).
    fn erlang_c_direct(c: u32, a: f64) -> f64 {
        let mut term = 1.0; // a^k / k!
        let mut sum = 0.0;
        for k in 0..c {
            sum += term;
            term *= a / f64::from(k + 1);
        }
        let last = term * f64::from(c) / (f64::from(c) - a);
        last / (sum + last)
    }

    #[test]
    fn one_server_is_the_m_m_1_queue() {
        let pool = MmC {
            servers: 1,
            service_rate: 10.0,
        };
        for lambda in [0.5, 3.0, 7.0, 9.9] {
            let rho = lambda / 10.0;
            assert!(close(pool.utilisation(lambda), rho, 1e-12));
            assert!(close(pool.wait_probability(lambda), rho, 1e-12), "{lambda}");
            for q in [0.5, 0.9, 0.95, 0.99] {
                let expected = if rho <= 1.0 - q {
                    0.0
                } else {
                    (rho / (1.0 - q)).ln() / (10.0 - lambda)
                };
                let got = pool.wait_quantile_secs(lambda, q);
                assert!(
                    (got - expected).abs() <= 1e-12 * expected.max(1.0),
                    "λ {lambda}, q {q}: {got} vs {expected}"
                );
            }
        }
        // ρ = 0.3: only 30% wait, so the median and p50 wait is 0, the p95 is not.
        assert!(pool.wait_quantile_secs(3.0, 0.5) == 0.0);
        assert!(pool.wait_quantile_secs(3.0, 0.95) > 0.0);
    }

    #[test]
    fn erlang_c_matches_textbook_values() {
        // Two servers, λ = μ = 1: a = 1, ρ = 1/2, C = 1/3.
        let two = MmC {
            servers: 2,
            service_rate: 1.0,
        };
        assert!(close(two.wait_probability(1.0), 1.0 / 3.0, 1e-12));
        // Ten servers at 8 Erlangs: ≈ 0.409 (the textbook call-centre figure).
        let ten = MmC {
            servers: 10,
            service_rate: 1.0,
        };
        let c = ten.wait_probability(8.0);
        assert!(close(c, erlang_c_direct(10, 8.0), 1e-12), "{c}");
        assert!((c - 0.409).abs() < 5e-4, "{c}");
        for (servers, a) in [(1, 0.5), (3, 2.5), (20, 15.0), (50, 49.0), (100, 60.0)] {
            let pool = MmC {
                servers,
                service_rate: 2.0,
            };
            assert!(
                close(
                    pool.wait_probability(a * 2.0),
                    erlang_c_direct(servers, a),
                    1e-10
                ),
                "c {servers}, a {a}"
            );
        }
    }

    #[test]
    fn waiting_grows_with_load() {
        let pool = MmC {
            servers: 8,
            service_rate: 100.0,
        };
        let mut last = (0.0, 0.0);
        for i in 1..800 {
            let lambda = f64::from(i);
            let now = (
                pool.wait_probability(lambda),
                pool.wait_quantile_secs(lambda, 0.95),
            );
            assert!(now.0 >= last.0 && now.1 >= last.1, "λ {lambda}");
            last = now;
        }
        let mut last = 0.0;
        for i in 0..=200 {
            let p = p95_ms(8, 70.0, 0.7, 20.0, f64::from(i) * 5.0);
            assert!(p.ms >= last, "{i}");
            last = p.ms;
        }
    }

    #[test]
    fn degenerate_pools_give_numbers_not_nan() {
        let none = MmC {
            servers: 0,
            service_rate: 100.0,
        };
        assert_eq!(none.utilisation(0.0), 0.0);
        assert_eq!(none.wait_probability(0.0), 0.0);
        assert_eq!(none.wait_quantile_secs(0.0, 0.95), 0.0);
        assert_eq!(none.utilisation(5.0), f64::INFINITY);
        assert_eq!(none.wait_probability(5.0), 1.0);
        assert_eq!(none.wait_quantile_secs(5.0, 0.95), f64::INFINITY);
        let p = p95_ms(0, 100.0, 0.7, 30.0, 5.0);
        assert!(p.saturated && p.ms.is_infinite());
        let p = p95_ms(0, 100.0, 0.7, 30.0, 0.0);
        assert!(!p.saturated && p.ms == 30.0);

        let pool = MmC {
            servers: 4,
            service_rate: 10.0,
        };
        for lambda in [0.0, -1.0, f64::NAN] {
            assert_eq!(pool.wait_probability(lambda), 0.0);
            assert_eq!(pool.wait_quantile_secs(lambda, 0.95), 0.0);
            assert_eq!(pool.utilisation(lambda), 0.0);
        }
        assert_eq!(pool.wait_quantile_secs(40.0, 0.95), f64::INFINITY);
        assert_eq!(pool.wait_quantile_secs(1e300, 0.95), f64::INFINITY);
        assert_eq!(pool.wait_quantile_secs(39.0, 1.0), f64::INFINITY);
        assert!(!pool.wait_quantile_secs(39.0, f64::NAN).is_nan());

        // A hundred thousand servers, near and far from capacity.
        let huge = MmC {
            servers: 100_000,
            service_rate: 1.0,
        };
        for lambda in [1.0, 50_000.0, 99_000.0, 99_990.0, 99_999.9, 100_000.0, 1e9] {
            let c = huge.wait_probability(lambda);
            let w = huge.wait_quantile_secs(lambda, 0.95);
            assert!((0.0..=1.0).contains(&c), "{lambda}: {c}");
            assert!(!w.is_nan() && w >= 0.0, "{lambda}: {w}");
        }
        assert_eq!(huge.wait_probability(50_000.0), 0.0);
        assert!(huge.wait_probability(99_990.0) > 0.5);
        // Capped at 99% busy, where a pool this large has no queue yet.
        let p = p95_ms(100_000, 1.0, 1.0, 5.0, 99_999.0);
        assert!(!p.saturated && p.ms.is_finite() && p.ms >= 5.0);
        let p = p95_ms(100_000, 1.0, 1.0, 5.0, 1e9);
        assert!(p.saturated && p.ms.is_finite());
    }

    #[test]
    fn p95_uses_the_full_rate_and_flags_saturation() {
        // One instance serving 70 rps at 70% CPU has μ = 100: M/M/1 at ρ = 0.7.
        let p = p95_ms(1, 70.0, 0.7, 20.0, 70.0);
        let expected = 20.0 + 1000.0 * (0.7_f64 / 0.05).ln() / 30.0;
        assert!(close(p.ms, expected, 1e-12), "{p:?}");
        assert!(close(p.utilisation, 0.7, 1e-12) && !p.saturated);
        // Light load: nobody waits past the p95; the base latency is the answer.
        let p = p95_ms(4, 70.0, 0.7, 20.0, 10.0);
        assert!(p.ms == 20.0, "{p:?}");
        // From 99% busy on: the latency at 99%; overloaded is flagged, with
        // the utilisation uncapped.
        let edge = 20.0 + 1000.0 * (0.99_f64 / 0.05).ln() / 1.0;
        for offered in [99.5, 100.0, 250.0] {
            let p = p95_ms(1, 70.0, 0.7, 20.0, offered);
            assert!(close(p.ms, edge, 1e-9), "{p:?}");
            assert_eq!(p.saturated, offered >= 100.0);
            assert!(close(p.utilisation, offered / 100.0, 1e-12));
        }
    }

    #[test]
    fn max_rps_within_is_the_edge_of_the_budget() {
        for (instances, budget) in [(1, 60.0), (3, 25.0), (12, 21.0), (40, 20.5)] {
            let edge = max_rps_within(instances, 70.0, 0.7, 20.0, budget);
            let capacity = f64::from(instances) * 100.0;
            assert!(edge > 0.0 && edge < capacity, "{instances}: {edge}");
            assert!(p95_ms(instances, 70.0, 0.7, 20.0, edge).ms <= budget);
            assert!(p95_ms(instances, 70.0, 0.7, 20.0, edge * (1.0 + 1e-6)).ms > budget);
        }
        assert_eq!(max_rps_within(3, 70.0, 0.7, 20.0, 10.0), f64::NEG_INFINITY);
        assert_eq!(
            max_rps_within(3, 70.0, 0.7, 20.0, f64::NAN),
            f64::NEG_INFINITY
        );
        assert_eq!(max_rps_within(3, 70.0, 0.7, 20.0, f64::INFINITY), 300.0);
        // A budget above the p95 at 99% busy: every load short of capacity fits.
        assert_eq!(max_rps_within(3, 70.0, 0.7, 20.0, 10_000.0), 300.0);
        assert_eq!(max_rps_within(0, 70.0, 0.7, 20.0, 100.0), 0.0);
    }
}
