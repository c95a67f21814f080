//! Properties of `core::availability`: exact factoring against brute-force
//! enumeration of every component state on random DAGs (shared components,
//! shared gates, duplicated inputs, constants), results in range, between
//! the best single path and the weakest cut, monotone in every component,
//! and Monte Carlo intervals that cover the exact answer as often as a 95%
//! interval should.
#![expect(
    clippy::unwrap_used,
    reason = "a test that cannot go on should fail loudly"
)]

use proptest::prelude::*;
use topoplan_core::availability::{
    Estimate, GateKind, Input, Structure, k_of_n, monte_carlo, series,
};

/// A random structure, as data, so that it can be rebuilt with one
/// component changed.
#[derive(Clone, Debug)]
struct Spec {
    up: Vec<f64>,
    /// (kind 0..3, k, picks): a pick chooses among the nodes built so far
    /// and the constants (see `build`).
    gates: Vec<(u8, u32, Vec<u32>)>,
    /// (pick, weight).
    outputs: Vec<(u32, f64)>,
}

impl Spec {
    fn build(&self) -> (Structure, Vec<(Input, f64)>) {
        let mut s = Structure::new();
        let mut nodes: Vec<Input> = self.up.iter().map(|&p| s.component(p)).collect();
        let components = nodes.len();
        // A pick is a constant one time in 32; otherwise odd picks favour
        // the gates built so far (deeper structures, more sharing).
        let pick = |nodes: &[Input], p: u32| {
            let gates = nodes.len() - components;
            match p % 64 {
                0 => Input::True,
                1 => Input::False,
                odd if odd % 2 == 1 && gates > 0 => nodes[components + (p / 64) as usize % gates],
                _ => nodes[(p / 64) as usize % nodes.len()],
            }
        };
        for (kind, k, picks) in &self.gates {
            let inputs: Vec<Input> = picks.iter().map(|&p| pick(&nodes, p)).collect();
            // k from 0 (always up) to the input count (all of them).
            let width = u32::try_from(inputs.len()).unwrap();
            let kind = match kind {
                0 => GateKind::All,
                1 => GateKind::Any,
                _ => GateKind::AtLeast(k % (width + 1)),
            };
            let gate = s.gate(kind, &inputs);
            nodes.push(gate);
        }
        // Outputs favour the last nodes built: the deepest gates.
        let outputs = self
            .outputs
            .iter()
            .map(|&(p, w)| (nodes[nodes.len() - 1 - p as usize % nodes.len().min(4)], w))
            .collect();
        (s, outputs)
    }
}

fn probability() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => 0.0..=1.0f64,
        6 => 0.9..1.0f64,
        1 => Just(0.0),
        1 => Just(1.0),
    ]
}

fn spec(max_components: usize) -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec(probability(), 1..=max_components),
        prop::collection::vec(
            (
                0u8..3,
                any::<u32>(),
                prop::collection::vec(any::<u32>(), 1..=5),
            ),
            1..=16,
        ),
        prop::collection::vec((any::<u32>(), 0.0..=1.0f64), 1..=3),
    )
        .prop_map(|(up, gates, outputs)| Spec { up, gates, outputs })
}

/// Σ over all 2ⁿ states of P(state) × Σ weight × [output up].
fn brute_force(s: &Structure, outputs: &[(Input, f64)]) -> f64 {
    let n = s.component_count();
    let mut total = 0.0;
    for state in 0u32..1 << n {
        let up: Vec<bool> = (0..n).map(|c| state >> c & 1 == 1).collect();
        let probability: f64 = (0u32..)
            .zip(&up)
            .map(|(c, &is_up)| {
                let p = s.up_probability(c);
                if is_up { p } else { 1.0 - p }
            })
            .product();
        let score: f64 = outputs
            .iter()
            .filter(|&&(out, _)| s.evaluate(&up, out))
            .map(|&(_, w)| w)
            .sum();
        total += probability * score;
    }
    total
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn exact_factoring_equals_enumerating_every_state(spec in spec(12)) {
        let (s, outputs) = spec.build();
        let exact = s.exact(&outputs, 12).unwrap();
        let want = brute_force(&s, &outputs);
        prop_assert!((exact.availability - want).abs() <= 1e-12, "{} vs {want}", exact.availability);
        prop_assert!(exact.pivots as usize <= s.component_count());
        let total_weight: f64 = outputs.iter().map(|&(_, w)| w).sum();
        prop_assert!((0.0..=total_weight).contains(&exact.availability));
    }

    /// Bounds from the structure alone: never below its best single path
    /// (a set of components whose being up is enough: the system is up at
    /// least whenever they all are), never above its weakest cut (a set
    /// whose all being down is enough to bring it down), so never above a
    /// component every path needs.
    #[test]
    fn between_the_best_single_path_and_the_weakest_cut(spec in spec(10)) {
        let (s, outputs) = spec.build();
        let out = outputs[0].0;
        let a = s.exact(&[(out, 1.0)], 12).unwrap().availability;
        let n = s.component_count();
        let p = |c: usize| s.up_probability(u32::try_from(c).unwrap());
        let mut best_path = 0.0f64;
        let mut weakest_cut = 1.0f64;
        for state in 0u32..1 << n {
            let up: Vec<bool> = (0..n).map(|c| state >> c & 1 == 1).collect();
            if s.evaluate(&up, out) {
                // The components up here form a path.
                let path: f64 = (0..n).filter(|&c| up[c]).map(p).product();
                best_path = best_path.max(path);
            } else {
                // Those down here form a cut.
                let all_down: f64 = (0..n).filter(|&c| !up[c]).map(|c| 1.0 - p(c)).product();
                weakest_cut = weakest_cut.min(1.0 - all_down);
            }
        }
        prop_assert!(best_path <= a + 1e-12, "best single path {best_path} > {a}");
        prop_assert!(a <= weakest_cut + 1e-12, "{a} > weakest cut {weakest_cut}");
        prop_assert!((0.0..=1.0).contains(&a));
    }

    #[test]
    fn one_output_of_weight_one_is_a_probability(spec in spec(12)) {
        let (s, outputs) = spec.build();
        let exact = s.exact(&[(outputs[0].0, 1.0)], 12).unwrap();
        prop_assert!((0.0..=1.0).contains(&exact.availability));
        let estimate = monte_carlo(&s, &[(outputs[0].0, 1.0)], 2_000, 9);
        prop_assert!(0.0 <= estimate.low && estimate.low <= estimate.mean);
        prop_assert!(estimate.mean <= estimate.high && estimate.high <= 1.0);
    }

    #[test]
    fn raising_a_component_never_lowers_availability(
        spec in spec(10),
        which in any::<prop::sample::Index>(),
        raise in 0.0..=1.0f64,
    ) {
        let (mut s, outputs) = spec.build();
        let before = s.exact(&outputs, 10).unwrap().availability;
        let c = u32::try_from(which.index(s.component_count())).unwrap();
        let old = s.up_probability(c);
        s.set_up_probability(c, old + (1.0 - old) * raise);
        let after = s.exact(&outputs, 10).unwrap().availability;
        prop_assert!(after >= before - 1e-12, "{before} → {after}");
    }

    #[test]
    fn with_every_component_certain_monte_carlo_is_evaluate(
        spec in spec(12),
        states in prop::collection::vec(any::<bool>(), 12),
    ) {
        // Certain components make every trial the same state: the word-wise
        // gates must agree with `evaluate` on it, bit for bit.
        let spec = Spec {
            up: spec.up.iter().zip(&states).map(|(_, &up)| if up { 1.0 } else { 0.0 }).collect(),
            ..spec
        };
        let (s, outputs) = spec.build();
        let up = &states[..s.component_count()];
        let want: f64 = outputs.iter().filter(|&&(out, _)| s.evaluate(up, out)).map(|&(_, w)| w).sum();
        let estimate = monte_carlo(&s, &outputs, 1_000, 3);
        prop_assert!((estimate.mean - want).abs() <= 1e-12, "{estimate:?} vs {want}");
    }

    #[test]
    fn monte_carlo_is_deterministic_per_seed(spec in spec(8), seed in any::<u64>()) {
        let (s, outputs) = spec.build();
        prop_assert_eq!(
            monte_carlo(&s, &outputs, 3_000, seed),
            monte_carlo(&s, &outputs, 3_000, seed)
        );
    }
}

/// A small LCG for reproducible fixtures.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 31) as f64
    }
}

/// A random series-parallel tree `depth` levels deep, components up with
/// 0.9 to 0.999.
fn series_parallel(s: &mut Structure, rng: &mut Lcg, depth: u32) -> Input {
    if depth == 0 || rng.below(4) == 0 {
        return s.component(0.9 + 0.099 * rng.unit());
    }
    let width = 2 + rng.below(3);
    let children: Vec<Input> = (0..width)
        .map(|_| series_parallel(s, rng, depth - 1))
        .collect();
    let kind = match rng.below(3) {
        0 => GateKind::All,
        1 => GateKind::Any,
        _ => GateKind::AtLeast(u32::try_from(1 + rng.below(width)).unwrap()),
    };
    s.gate(kind, &children)
}

#[test]
fn monte_carlo_intervals_cover_the_exact_answer() {
    let trials = 100_000;
    let mut covered = 0;
    let mut rng = Lcg(2024);
    let mut structure = 0;
    while structure < 20 {
        let mut s = Structure::new();
        let a = series_parallel(&mut s, &mut rng, 4);
        let b = series_parallel(&mut s, &mut rng, 3);
        // Half of them: one output (Wilson); the others two weighted
        // outputs sharing a subtree (the weighted score's interval).
        let outputs = if structure % 2 == 0 {
            vec![(s.gate(GateKind::All, &[a, b]), 1.0)]
        } else {
            let both = s.gate(GateKind::Any, &[a, b]);
            vec![(a, 0.7), (both, 0.3)]
        };
        let exact = s.exact(&outputs, 0).unwrap().availability;
        // Only structures whose interval says something: an availability of
        // 1 − 10⁻⁹ is inside any interval 10⁵ trials can give.
        if !(0.5..0.9999).contains(&exact) {
            continue;
        }
        structure += 1;
        let estimate: Estimate = monte_carlo(&s, &outputs, trials, 1000 + structure);
        if estimate.contains(exact) {
            covered += 1;
        }
        // The spread of one trial's score bounds its standard deviation by
        // the largest weight times √(p(1 − p)) of the worse output: use the
        // exact single-output figure, and for the weighted pair the bound
        // from the per-output probabilities.
        let spread: f64 = outputs
            .iter()
            .map(|&(out, w)| {
                let p = s.exact(&[(out, 1.0)], 0).unwrap().availability;
                w * (p * (1.0 - p)).sqrt()
            })
            .sum();
        let standard_error = spread / (trials as f64).sqrt();
        assert!(
            (estimate.mean - exact).abs() <= 5.0 * standard_error,
            "structure {structure}: {estimate:?} vs exact {exact}, standard error {standard_error}"
        );
        assert!(estimate.low <= estimate.mean && estimate.mean <= estimate.high);
    }
    assert!(
        covered >= 17,
        "only {covered} of 20 intervals covered the exact answer"
    );
}

#[test]
fn a_zonal_deployment_factors_on_its_availability_zones() {
    // 3 AZs; 200 services with one instance per AZ, each needing 2 of its 3
    // instances; an instance needs its AZ. The app needs every service.
    let (az_up, instance_up) = (0.999, 0.995);
    let mut s = Structure::new();
    let azs: Vec<Input> = (0..3).map(|_| s.component(az_up)).collect();
    let mut services = Vec::new();
    for _ in 0..200 {
        let instances: Vec<Input> = azs
            .iter()
            .map(|&az| {
                let instance = s.component(instance_up);
                s.gate(GateKind::All, &[az, instance])
            })
            .collect();
        services.push(s.gate(GateKind::AtLeast(2), &instances));
    }
    let app = s.gate(GateKind::All, &services);
    let exact = s.exact(&[(app, 1.0)], 8).unwrap();
    assert_eq!(exact.pivots, 3);
    // By hand: with z AZs up, a service is up when 2 of its z live instances are.
    let mut want = 0.0;
    for (z, ways) in (0u32..).zip([1.0, 3.0, 3.0, 1.0]) {
        let up = i32::try_from(z).unwrap();
        let p_azs = ways * az_up.powi(up) * (1.0 - az_up).powi(3 - up);
        want += p_azs * series(&vec![k_of_n(2, z, instance_up); 200]);
    }
    assert!(
        (exact.availability - want).abs() < 1e-13,
        "{} vs {want}",
        exact.availability
    );
    // Monte Carlo agrees.
    let estimate = monte_carlo(&s, &[(app, 1.0)], 200_000, 5);
    assert!(estimate.contains(want), "{estimate:?} vs {want}");
}
