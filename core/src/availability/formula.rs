//! Closed-form availability of independent components (AWS whitepaper
//! "Availability and Beyond"; Well-Architected, Reliability pillar).
//!
//! Every availability is a probability in `[0, 1]`. Inputs outside that range
//! are clamped and `NaN` counts as 0, so a bad figure can lower a result but
//! never poison it.

/// `a` as a probability: clamped to `[0, 1]`, `NaN` → 0.
pub(crate) fn clamp_probability(a: f64) -> f64 {
    if a.is_nan() { 0.0 } else { a.clamp(0.0, 1.0) }
}

/// Hard dependencies in series: all must be up, A = a₁ · a₂ · … · aₙ.
/// No dependency at all is always up (1).
pub fn series(availabilities: &[f64]) -> f64 {
    availabilities
        .iter()
        .map(|&a| clamp_probability(a))
        .product()
}

/// Redundant components in parallel: one is enough,
/// A = 1 − (1 − a₁)(1 − a₂)…(1 − aₙ). No component at all is never up (0).
pub fn parallel(availabilities: &[f64]) -> f64 {
    let all_down: f64 = availabilities
        .iter()
        .map(|&a| 1.0 - clamp_probability(a))
        .product();
    1.0 - all_down
}

/// At least `k` of `n` identical independent components up, exactly:
/// Σ_{i=k..n} C(n, i) aⁱ (1 − a)ⁿ⁻ⁱ. `k = 0` is always up; `k > n` never.
///
/// The terms are computed by their ratio t₍ᵢ₊₁₎ / tᵢ = (n − i)/(i + 1) · a/(1 − a),
/// walking outwards from the distribution's mode (whose term is set to 1)
/// and dividing by the sum of all terms at the end, so nothing overflows, no
/// binomial coefficient is ever formed, and each term carries a relative
/// error of a few ulps per step. The walk stops when the remaining terms
/// (bounded by a geometric series, since the ratio keeps shrinking away from
/// the mode) can no longer change the sum they belong to, so it costs
/// O(√n) steps for the usual cases rather than O(n). The smaller of the two
/// tails is summed on its own, so a result close to 1 keeps its nines.
pub fn k_of_n(k: u32, n: u32, a: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    let a = clamp_probability(a);
    if a <= 0.0 {
        return 0.0;
    }
    if a >= 1.0 {
        return 1.0;
    }
    let odds = a / (1.0 - a);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "(n + 1)·a lies in [0, n + 1] for a in (0, 1); `as` saturates and min(n) caps it"
    )]
    let mode = (((f64::from(n) + 1.0) * a).floor() as u32).min(n);
    // Terms scaled so that the mode's is 1: `upper` sums i ≥ k, `lower` i < k.
    let (mut upper, mut lower) = if mode >= k { (1.0, 0.0) } else { (0.0, 1.0) };
    // Upwards: i = mode + 1 ..= n.
    let mut term = 1.0;
    let mut i = mode;
    while i < n {
        term *= f64::from(n - i) / f64::from(i + 1) * odds;
        i += 1;
        if term == 0.0 {
            break;
        }
        if i >= k {
            upper += term;
        } else {
            lower += term;
        }
        // Every term still to come lands in `upper` once i + 1 ≥ k.
        if i < n && i + 1 >= k {
            let ratio = f64::from(n - i) / f64::from(i + 1) * odds;
            if ratio < 1.0 && term * ratio / (1.0 - ratio) <= upper * 1e-18 {
                break;
            }
        }
    }
    // Downwards: i = mode − 1 ..= 0.
    let mut term = 1.0;
    let mut i = mode;
    while i > 0 {
        term *= f64::from(i) / f64::from(n - i + 1) / odds;
        i -= 1;
        if term == 0.0 {
            break;
        }
        if i >= k {
            upper += term;
        } else {
            lower += term;
        }
        // Every term still to come lands in `lower` once i − 1 < k.
        if i > 0 && i - 1 < k {
            let ratio = f64::from(i) / f64::from(n - i + 1) / odds;
            if ratio < 1.0 && term * ratio / (1.0 - ratio) <= lower * 1e-18 {
                break;
            }
        }
    }
    clamp_probability(upper / (upper + lower))
}

/// The whitepaper's approximation for `n` components of which `spares` may
/// fail (so `n − spares` are needed): A ≈ 1 − C(n, s + 1)(1 − a)^(s + 1),
/// the first term of the failure tail. Good when (1 − a)·n is small;
/// pessimistic otherwise, and clamped to `[0, 1]`. Use [`k_of_n`] for the
/// exact figure. With `spares ≥ n` nothing can take the system down.
pub fn spares_approx(n: u32, spares: u32, a: f64) -> f64 {
    let failures = u64::from(spares) + 1;
    if failures > u64::from(n) {
        return 1.0;
    }
    let a = clamp_probability(a);
    if a >= 1.0 {
        return 1.0;
    }
    // ln C(n, s + 1) as a sum of logarithms of the ratios: no overflow.
    let ln_choose: f64 = (0..=spares)
        .map(|j| (f64::from(n - j) / f64::from(j + 1)).ln())
        .sum();
    let ln_tail = ln_choose + f64::from(spares + 1) * (-a).ln_1p();
    clamp_probability(-ln_tail.exp_m1())
}

/// Availability from mean time between failures and mean time to repair
/// (detection included): A = MTBF / (MTBF + MTTR). A component with no
/// positive MTBF is never up; one with no positive MTTR (or an infinite MTBF)
/// is always up.
pub fn from_mtbf(mtbf_hours: f64, mttr_hours: f64) -> f64 {
    if mtbf_hours.is_nan() || mtbf_hours <= 0.0 {
        return 0.0;
    }
    if mtbf_hours.is_infinite() || mttr_hours.is_nan() || mttr_hours <= 0.0 {
        return 1.0;
    }
    clamp_probability(mtbf_hours / (mtbf_hours + mttr_hours))
}

#[cfg(test)]
#[expect(
    clippy::float_cmp,
    reason = "exact values: probabilities clamped to 0 or 1, and percentages rounded to the decimals the whitepaper prints"
)]
mod tests {
    use super::*;

    fn pow(x: f64, e: u32) -> f64 {
        x.powi(i32::try_from(e).unwrap())
    }

    /// Σ_{i=k..n} C(n, i) aⁱ (1 − a)ⁿ⁻ⁱ the schoolbook way (small n only).
    fn k_of_n_brute(k: u32, n: u32, a: f64) -> f64 {
        let mut total = 0.0;
        for i in k..=n {
            let mut choose = 1.0;
            for j in 0..i {
                choose = choose * f64::from(n - j) / f64::from(j + 1);
            }
            total += choose * pow(a, i) * pow(1.0 - a, n - i);
        }
        total
    }

    /// Every up/down state of n components, for the smallest cases.
    fn k_of_n_enumerated(k: u32, n: u32, a: f64) -> f64 {
        (0u32..1 << n)
            .filter(|state| state.count_ones() >= k)
            .map(|state| pow(a, state.count_ones()) * pow(1.0 - a, n - state.count_ones()))
            .sum()
    }

    fn close(x: f64, y: f64, tolerance: f64) -> bool {
        (x - y).abs() <= tolerance
    }

    #[test]
    fn series_multiplies_and_parallel_multiplies_the_downs() {
        assert!(close(series(&[0.999, 0.999]), 0.998_001, 1e-15));
        assert!(close(series(&[0.99, 0.99, 0.99]), 0.970_299, 1e-15));
        assert!(close(parallel(&[0.99, 0.99]), 0.9999, 1e-15));
        assert_eq!(series(&[]), 1.0);
        assert_eq!(parallel(&[]), 0.0);
        assert_eq!(series(&[0.5, f64::NAN]), 0.0);
        assert_eq!(parallel(&[2.0, 0.1]), 1.0);
    }

    #[test]
    fn k_of_n_matches_enumeration_and_the_binomial_sum() {
        for n in 0..=10 {
            for k in 0..=n + 1 {
                for a in [0.0, 1e-6, 0.1, 0.37, 0.5, 0.9, 0.999, 0.999_999, 1.0] {
                    let got = k_of_n(k, n, a);
                    let want = k_of_n_enumerated(k, n, a);
                    assert!(
                        close(got, want, 1e-14),
                        "k={k} n={n} a={a}: {got} vs {want}"
                    );
                }
            }
        }
        for n in [20, 35, 60] {
            for k in [1, 2, n / 3, n / 2, n - 1, n] {
                for a in [0.05, 0.5, 0.95, 0.9999] {
                    let got = k_of_n(k, n, a);
                    let want = k_of_n_brute(k, n, a);
                    assert!(
                        close(got, want, 1e-12),
                        "k={k} n={n} a={a}: {got} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn k_of_n_is_series_when_all_are_needed_and_parallel_when_one_is() {
        for n in [1, 2, 3, 7, 50, 400] {
            for a in [0.2, 0.9, 0.999, 0.999_99] {
                let copies = vec![a; n as usize];
                let all = k_of_n(n, n, a);
                let one = k_of_n(1, n, a);
                assert!(
                    close(all, series(&copies), 1e-13 * f64::from(n)),
                    "n={n} a={a}"
                );
                assert!(
                    close(one, parallel(&copies), 1e-13 * f64::from(n)),
                    "n={n} a={a}"
                );
            }
        }
    }

    #[test]
    fn k_of_n_stays_accurate_for_ten_thousand_components() {
        // P(X ≥ n/2) for X ~ Bin(n, ½) with n even is ½ + ½·P(X = n/2), and
        // P(X = n/2) = C(n, n/2)/2ⁿ ≈ √(2/(πn))·(1 − 1/(4n)).
        let n = 10_000;
        let center =
            (2.0 / (std::f64::consts::PI * f64::from(n))).sqrt() * (1.0 - 0.25 / f64::from(n));
        assert!(close(k_of_n(n / 2, n, 0.5), 0.5 + 0.5 * center, 1e-9));
        // Symmetry: at least k of n up ⇔ at most n − k down.
        for (k, a) in [
            (9_990, 0.999),
            (9_000, 0.9),
            (100, 0.02),
            (1, 1e-5),
            (10_000, 0.999_99),
        ] {
            let up = k_of_n(k, n, a);
            let down = 1.0 - k_of_n(n - k + 1, n, 1.0 - a);
            assert!(close(up, down, 1e-12), "k={k} a={a}: {up} vs {down}");
            assert!((0.0..=1.0).contains(&up));
        }
        // Monotone in k.
        let mut previous = 1.0;
        for k in (0..=n).step_by(97) {
            let value = k_of_n(k, n, 0.7);
            assert!(value <= previous + 1e-15, "k={k}");
            previous = value;
        }
        // Tiny tails keep their relative precision: 1 of 10,000 at a = 1e-6
        // is 1 − (1 − 1e-6)^10000.
        let want = -(10_000.0 * (-1e-6f64).ln_1p()).exp_m1();
        assert!(close(k_of_n(1, n, 1e-6) / want, 1.0, 1e-12));
        // And all of them at 0.999: 0.999^10000 ≈ 4.5e-5.
        assert!(close(
            k_of_n(n, n, 0.999) / 0.999f64.powi(10_000),
            1.0,
            1e-10
        ));
    }

    #[test]
    fn the_spares_approximation_is_the_first_failure_term() {
        // 3 components, 1 spare: 1 − C(3, 2)(1 − a)².
        assert!(close(spares_approx(3, 1, 0.99), 1.0 - 3.0 * 1e-4, 1e-15));
        // Close to the exact figure when failures are rare…
        let exact = k_of_n(8, 10, 0.999);
        assert!(close(spares_approx(10, 2, 0.999), exact, 2e-9));
        // …never optimistic, clamped when it breaks down.
        assert!(spares_approx(10, 2, 0.9) <= k_of_n(8, 10, 0.9));
        assert_eq!(spares_approx(100, 1, 0.5), 0.0);
        assert_eq!(spares_approx(3, 3, 0.5), 1.0);
        assert_eq!(spares_approx(3, 1, 1.0), 1.0);
    }

    #[test]
    fn mtbf_and_mttr_give_the_whitepaper_figures() {
        let percent = |a: f64| (a * 100.0 * 1e4).round() / 1e4;
        assert_eq!(percent(from_mtbf(1000.0, 10.0)), 99.0099);
        assert_eq!(percent(from_mtbf(1000.0, 1.0)), 99.9001);
        assert_eq!(from_mtbf(0.0, 1.0), 0.0);
        assert_eq!(from_mtbf(10.0, 0.0), 1.0);
        assert_eq!(from_mtbf(f64::INFINITY, 5.0), 1.0);
        assert_eq!(from_mtbf(f64::NAN, 5.0), 0.0);
    }
}
