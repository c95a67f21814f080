//! The availability of a [`Structure`] estimated by sampling, for
//! structures too entangled for [`Structure::exact`].
//!
//! Bit-parallel: one `u64` word holds 64 trials, and a chunk of 64 words
//! (4,096 trials) is sampled for every component, then every gate is
//! evaluated word by word (`All` = AND, `Any` = OR, `AtLeast` = a bit-sliced
//! threshold or binary counter). A component's *down* trials are placed by
//! geometric skipping: the gap to its next failure is geometric, and the
//! memorylessness of independent trials makes this exact, so a component
//! that is up 99.99% of the time costs one random number per ten thousand
//! trials, not one per trial. Components down more than a quarter of the
//! time draw one number per trial instead.
//!
//! Deterministic: the same structure, outputs, trials and seed give the same
//! estimate, on every platform (xoshiro256** seeded by splitmix64).

use serde::Serialize;

use super::structure::{GateKind, Input, Structure};

/// Words per chunk: 64 × 64 = 4,096 trials. Per-gate overheads fall as
/// chunks grow while the buffer (3.5 MB for 7,000 nodes) leaves the caches;
/// on the benchmark 64 beat 8, 16 and 32 and tied with 128 and 256.
const CHUNK_WORDS: usize = 64;

/// z for a two-sided 95% interval.
const Z_95: f64 = 1.959_963_984_540_054;

/// Above this down-probability, a component draws one number per trial
/// rather than skipping geometrically to its next failure.
const DENSE_DOWN: f64 = 0.25;

/// A Monte Carlo estimate of Σ weight × P(output up).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub mean: f64,
    /// The 95% interval, see [`monte_carlo`].
    pub low: f64,
    pub high: f64,
    pub trials: u64,
}

impl Estimate {
    pub fn contains(&self, value: f64) -> bool {
        self.low <= value && value <= self.high
    }
}

/// Estimates Σ weight × P(output up) over `trials` independent trials.
///
/// The 95% interval is the Wilson score interval, generalised to a
/// weighted score: the per-trial score s = Σ weight × [output up] is
/// rescaled to x in `[0, 1]` by the range it can take (`[0, 1]` already
/// when the weights are shares that sum to 1), and
///
/// ```text
/// center = (x̄ + z²/2n) / (1 + z²/n)
/// half   = z / (1 + z²/n) · √(v/n + z²/4n²),   z = 1.96
/// ```
///
/// with v the sample variance of x (divided by n). For a single output x is
/// 0 or 1, v = x̄(1 − x̄), and this is exactly Wilson's interval. For
/// several weighted outputs it is the normal approximation on the score
/// with the sample variance (the z²/n terms vanish as n grows), plus
/// Wilson's correction, which keeps it honest when failures are rare: with
/// no failure seen in n trials it reads `[1/(1 + z²/n), 1]` (rescaled)
/// where the bare normal approximation would collapse to a point. The
/// interval always contains the mean. With no trials the mean is 0 and the
/// interval the whole range.
///
/// # Panics
/// If an output names a component or gate that does not exist.
pub fn monte_carlo(s: &Structure, outputs: &[(Input, f64)], trials: u64, seed: u64) -> Estimate {
    let plan = Plan::new(s, outputs);
    let (lowest, highest) = plan.range();
    if trials == 0 {
        return Estimate {
            mean: 0.0,
            low: lowest,
            high: highest,
            trials,
        };
    }
    let mut rng = Rng::new(seed);
    let mut samplers: Vec<Sampler> = plan
        .components
        .iter()
        .map(|&c| Sampler::new(s.up_probabilities()[c as usize], &mut rng))
        .collect();
    let mut buffer = vec![0u64; plan.slots() * CHUNK_WORDS];
    let mut planes = Vec::new();
    let mut tally = Tally::default();
    let chunk_trials = (CHUNK_WORDS * 64) as u64;
    let mut done = 0u64;
    while done < trials {
        let in_chunk = (trials - done).min(chunk_trials);
        let words = usize::try_from(in_chunk.div_ceil(64)).unwrap_or(CHUNK_WORDS);
        for (slot, sampler) in samplers.iter_mut().enumerate() {
            let words_of = &mut buffer[slot * CHUNK_WORDS..slot * CHUNK_WORDS + words];
            sampler.fill(words_of, done, &mut rng);
        }
        plan.evaluate(&mut buffer, words, &mut planes);
        plan.score(&buffer, words, in_chunk, &mut tally);
        done += in_chunk;
    }
    plan.estimate(&tally, trials)
}

/// The structure below the outputs, flattened into slots: the reachable
/// components first, then the reachable gates in topological order. Slot
/// `i` owns `buffer[i * CHUNK_WORDS..][..CHUNK_WORDS]`.
struct Plan {
    components: Vec<u32>,
    kinds: Vec<GateKind>,
    /// Gate i (slot `components.len() + i`) reads the slots
    /// `inputs[starts[i]..starts[i + 1]]`, all lower than its own.
    starts: Vec<usize>,
    inputs: Vec<usize>,
    /// (slot, weight) of the outputs that are components or gates.
    outputs: Vec<(usize, f64)>,
    /// Σ weight of the outputs that are `True`.
    always: f64,
    /// Σ weight of every output: the score of a trial where all are up.
    all_up: f64,
}

impl Plan {
    fn new(s: &Structure, outputs: &[(Input, f64)]) -> Self {
        let gate_count = s.gate_count();
        let mut gate_reached = vec![false; gate_count];
        let mut component_reached = vec![false; s.component_count()];
        let mut always = 0.0;
        for &(out, weight) in outputs {
            match out {
                Input::Gate(g) => gate_reached[g as usize] = true,
                Input::Component(c) => component_reached[c as usize] = true,
                Input::True => always += weight,
                Input::False => {}
            }
        }
        // `Structure::gate` keeps the gate count within u32.
        let last_gate = u32::try_from(gate_count).unwrap_or(u32::MAX);
        for gate in (0..last_gate).rev() {
            let g = gate as usize;
            if gate_reached[g] {
                for &input in s.gate_inputs(gate) {
                    match input {
                        Input::Gate(h) => gate_reached[h as usize] = true,
                        Input::Component(c) => component_reached[c as usize] = true,
                        Input::True | Input::False => {}
                    }
                }
            }
        }
        let mut slot_of_component = vec![usize::MAX; s.component_count()];
        let mut components = Vec::new();
        for (c, component) in (0..s.component_count()).zip(0u32..) {
            if component_reached[c] {
                slot_of_component[c] = components.len();
                components.push(component);
            }
        }
        let mut slot_of_gate = vec![usize::MAX; gate_count];
        let mut kinds = Vec::new();
        let mut starts = vec![0];
        let mut inputs = Vec::new();
        for (g, gate) in (0..gate_count).zip(0u32..) {
            if !gate_reached[g] {
                continue;
            }
            slot_of_gate[g] = components.len() + kinds.len();
            kinds.push(s.gate_kind(gate));
            for &input in s.gate_inputs(gate) {
                match input {
                    Input::Gate(h) => inputs.push(slot_of_gate[h as usize]),
                    Input::Component(c) => inputs.push(slot_of_component[c as usize]),
                    // Never stored: `Structure::gate` folds constants.
                    Input::True | Input::False => {}
                }
            }
            starts.push(inputs.len());
        }
        let slotted: Vec<(usize, f64)> = outputs
            .iter()
            .filter_map(|&(out, weight)| match out {
                Input::Gate(g) => Some((slot_of_gate[g as usize], weight)),
                Input::Component(c) => Some((slot_of_component[c as usize], weight)),
                Input::True | Input::False => None,
            })
            .collect();
        Self {
            components,
            kinds,
            starts,
            inputs,
            all_up: always + slotted.iter().map(|&(_, w)| w).sum::<f64>(),
            outputs: slotted,
            always,
        }
    }

    fn slots(&self) -> usize {
        self.components.len() + self.kinds.len()
    }

    /// The lowest and highest score a trial can have.
    fn range(&self) -> (f64, f64) {
        let low: f64 = self.outputs.iter().map(|&(_, w)| w.min(0.0)).sum();
        let high: f64 = self.outputs.iter().map(|&(_, w)| w.max(0.0)).sum();
        (self.always + low, self.always + high)
    }

    /// Every gate's first `words` words from its inputs'.
    fn evaluate(&self, buffer: &mut [u64], words: usize, planes: &mut Vec<u64>) {
        let first_gate = self.components.len();
        for (i, &kind) in self.kinds.iter().enumerate() {
            let slot = first_gate + i;
            let (below, rest) = buffer.split_at_mut(slot * CHUNK_WORDS);
            let out = &mut rest[..words];
            let inputs = &self.inputs[self.starts[i]..self.starts[i + 1]];
            let word_of = |input: usize| &below[input * CHUNK_WORDS..input * CHUNK_WORDS + words];
            match kind {
                GateKind::All => {
                    out.copy_from_slice(word_of(inputs[0]));
                    for &input in &inputs[1..] {
                        for (o, x) in out.iter_mut().zip(word_of(input)) {
                            *o &= x;
                        }
                    }
                }
                GateKind::Any => {
                    out.copy_from_slice(word_of(inputs[0]));
                    for &input in &inputs[1..] {
                        for (o, x) in out.iter_mut().zip(word_of(input)) {
                            *o |= x;
                        }
                    }
                }
                GateKind::AtLeast(k) => {
                    at_least(
                        out,
                        k as usize,
                        inputs.iter().map(|&input| word_of(input)),
                        inputs.len(),
                        planes,
                    );
                }
            }
        }
    }

    /// Adds the chunk's `trials` (its first `words` words) to the tally.
    fn score(&self, buffer: &[u64], words: usize, trials: u64, tally: &mut Tally) {
        let word = |slot: usize, w: usize| buffer[slot * CHUNK_WORDS + w];
        for w in 0..words {
            let valid = match trials - 64 * w as u64 {
                left @ 0..64 => (1u64 << left) - 1,
                _ => u64::MAX,
            };
            let mut every_output_up = valid;
            for &(slot, _) in &self.outputs {
                every_output_up &= word(slot, w);
            }
            // Failures are rare: look at the trials where some output is down.
            let mut some_down = valid & !every_output_up;
            while some_down != 0 {
                let bit = some_down.trailing_zeros();
                some_down &= some_down - 1;
                let lost: f64 = self
                    .outputs
                    .iter()
                    .filter(|&&(slot, _)| word(slot, w) >> bit & 1 == 0)
                    .map(|&(_, weight)| weight)
                    .sum();
                tally.lost += lost;
                tally.lost_squared += lost * lost;
            }
        }
    }

    fn estimate(&self, tally: &Tally, trials: u64) -> Estimate {
        let n = trials as f64;
        let (lowest, highest) = self.range();
        // The score is all_up − loss, so its variance is the loss's.
        let mean_loss = tally.lost / n;
        let mean = (self.all_up - mean_loss).clamp(lowest, highest);
        let range = highest - lowest;
        if range <= 0.0 {
            return Estimate {
                mean,
                low: mean,
                high: mean,
                trials,
            };
        }
        let variance = (tally.lost_squared / n - mean_loss * mean_loss).max(0.0);
        let (low, high) = wilson((mean - lowest) / range, variance / (range * range), n);
        Estimate {
            mean,
            low: lowest + low * range,
            high: lowest + high * range,
            trials,
        }
    }
}

/// Sums over the trials of the per-trial loss (score when all are up − score).
#[derive(Default)]
struct Tally {
    lost: f64,
    lost_squared: f64,
}

/// The Wilson score interval for a mean `p` of n values in `[0, 1]` with
/// variance `variance` (p(1 − p) for a proportion).
fn wilson(p: f64, variance: f64, n: f64) -> (f64, f64) {
    let z2 = Z_95 * Z_95;
    let denominator = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denominator;
    let half = Z_95 / denominator * (variance / n + z2 / (4.0 * n * n)).sqrt();
    // At p = 0 or 1 one bound is exactly 0 or 1; rounding must not move it.
    let low = if p <= 0.0 {
        0.0
    } else {
        (center - half).clamp(0.0, p)
    };
    let high = if p >= 1.0 {
        1.0
    } else {
        (center + half).clamp(p, 1.0)
    };
    (low, high)
}

/// out = at least `k` of the `count` input words set, bit by bit. `planes`
/// is scratch. With need = min(k, count − k + 1) small, a threshold
/// recurrence (`t[j] |= t[j − 1] & x`, O(count · need) word operations) on the
/// up bits, or on the down bits for "not more than count − k down";
/// otherwise a bit-sliced binary counter and a comparison with k
/// (O(count · log count)).
fn at_least<'a>(
    out: &mut [u64],
    k: usize,
    inputs: impl Iterator<Item = &'a [u64]>,
    count: usize,
    planes: &mut Vec<u64>,
) {
    let words = out.len();
    if k == 0 {
        out.fill(u64::MAX);
        return;
    }
    if k > count {
        out.fill(0);
        return;
    }
    let bits = (usize::BITS - count.leading_zeros()) as usize;
    let (need, on_downs) = if k <= count - k + 1 {
        (k, false)
    } else {
        (count - k + 1, true)
    };
    planes.clear();
    if need <= bits.max(4) {
        // planes[j - 1] = "at least j set so far", j = 1..=need.
        planes.resize(need * words, 0);
        let flip = if on_downs { u64::MAX } else { 0 };
        for input in inputs {
            for j in (1..need).rev() {
                let (lower, upper) = planes.split_at_mut(j * words);
                let previous = &lower[(j - 1) * words..];
                for ((t, p), x) in upper[..words].iter_mut().zip(previous).zip(input) {
                    *t |= p & (x ^ flip);
                }
            }
            for (t, x) in planes[..words].iter_mut().zip(input) {
                *t |= x ^ flip;
            }
        }
        // At least `need` down is "fewer than k up".
        for (o, t) in out.iter_mut().zip(&planes[(need - 1) * words..]) {
            *o = t ^ flip;
        }
    } else {
        // planes[l] = bit l of the count of set inputs.
        planes.resize(bits * words, 0);
        for input in inputs {
            for (w, &x) in input.iter().enumerate() {
                let mut carry = x;
                for l in 0..bits {
                    if carry == 0 {
                        break;
                    }
                    let plane = &mut planes[l * words + w];
                    let sum = *plane ^ carry;
                    carry &= *plane;
                    *plane = sum;
                }
            }
        }
        // count ≥ k, most significant bit first.
        for (w, o) in out.iter_mut().enumerate() {
            let (mut greater, mut equal) = (0u64, u64::MAX);
            for l in (0..bits).rev() {
                let plane = planes[l * words + w];
                if k >> l & 1 == 1 {
                    equal &= plane;
                } else {
                    greater |= equal & plane;
                    equal &= !plane;
                }
            }
            *o = greater | equal;
        }
    }
}

/// How one component's up bits are drawn.
enum Sampler {
    Always,
    Never,
    /// The next trial (absolute index) at which the component is down, and
    /// 1 / ln(up) for drawing the gaps.
    Sparse {
        next_down: u64,
        inverse_ln_up: f64,
    },
    /// Down when a uniform u64 falls below this threshold.
    Dense {
        down_below: u64,
    },
}

impl Sampler {
    fn new(up: f64, rng: &mut Rng) -> Self {
        let down = 1.0 - up;
        if up >= 1.0 {
            Self::Always
        } else if up <= 0.0 {
            Self::Never
        } else if down > DENSE_DOWN {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "down is in (0.25, 1), so down · 2⁶⁴ is in range"
            )]
            let down_below = (down * 18_446_744_073_709_551_616.0) as u64;
            Self::Dense { down_below }
        } else {
            let inverse_ln_up = 1.0 / up.ln();
            Self::Sparse {
                next_down: geometric(inverse_ln_up, rng),
                inverse_ln_up,
            }
        }
    }

    /// The up bits of trials `first..first + 64 · words.len()`.
    fn fill(&mut self, words: &mut [u64], first: u64, rng: &mut Rng) {
        match self {
            Self::Always => words.fill(u64::MAX),
            Self::Never => words.fill(0),
            Self::Dense { down_below } => {
                for word in words {
                    let mut up = 0;
                    for bit in 0..64 {
                        up |= u64::from(rng.next() >= *down_below) << bit;
                    }
                    *word = up;
                }
            }
            Self::Sparse {
                next_down,
                inverse_ln_up,
            } => {
                words.fill(u64::MAX);
                let end = first + 64 * words.len() as u64;
                while *next_down < end {
                    let offset = *next_down - first;
                    // offset < 64 · words.len(): the index is a valid usize.
                    let word = usize::try_from(offset / 64).unwrap_or(usize::MAX);
                    words[word] &= !(1 << (offset % 64));
                    *next_down = next_down
                        .saturating_add(1)
                        .saturating_add(geometric(*inverse_ln_up, rng));
                }
            }
        }
    }
}

/// The number of up trials before the next down one: ⌊ln U / ln up⌋ for U
/// uniform in (0, 1], geometric with P(down) = 1 − up.
fn geometric(inverse_ln_up: f64, rng: &mut Rng) -> u64 {
    let gap = rng.uniform().ln() * inverse_ln_up;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "ln U ≤ 0 and 1/ln up < 0, so the gap is ≥ 0; `as` saturates a huge one"
    )]
    let gap = gap as u64;
    gap
}

/// xoshiro256** (Blackman and Vigna), seeded through splitmix64.
struct Rng([u64; 4]);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut state = seed;
        let mut splitmix = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Self([splitmix(), splitmix(), splitmix(), splitmix()])
    }

    fn next(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in (0, 1], in steps of 2⁻⁵³.
    fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) + 1) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }
}

#[cfg(test)]
#[expect(
    clippy::float_cmp,
    reason = "exact values: interval bounds clamped to 0 or 1, and constant outputs"
)]
mod tests {
    use super::*;

    /// A structure over `n` components with gates of every kind, including
    /// shared inputs, duplicated inputs and wide `AtLeast`s.
    fn mixed(n: u32) -> (Structure, Vec<Input>) {
        let mut s = Structure::new();
        let cs: Vec<Input> = (0..n)
            .map(|i| s.component(0.5 + f64::from(i) / 40.0))
            .collect();
        let mut nodes = cs.clone();
        let mut pick = 7u64;
        let mut next = |bound: usize| {
            pick = pick
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(pick >> 33).unwrap() % bound
        };
        for i in 0..40 {
            let width = 2 + next(9);
            let inputs: Vec<Input> = (0..width).map(|_| nodes[next(nodes.len())]).collect();
            let kind = match i % 4 {
                0 => GateKind::All,
                1 => GateKind::Any,
                _ => GateKind::AtLeast(u32::try_from(1 + next(width)).unwrap()),
            };
            let gate = s.gate(kind, &inputs);
            nodes.push(gate);
        }
        // Wide thresholds: the recurrence on ups, on downs, and the counter.
        for k in [1, 2, 5, 6, 7, 9, 11, 12] {
            let gate = s.gate(GateKind::AtLeast(k), &cs);
            nodes.push(gate);
        }
        (s, nodes)
    }

    #[test]
    fn word_evaluation_matches_evaluate_on_every_state() {
        // 12 components: the 4,096 states are 64 words; trial t is state t.
        let (s, nodes) = mixed(12);
        let outputs: Vec<(Input, f64)> = nodes.iter().map(|&n| (n, 1.0)).collect();
        let plan = Plan::new(&s, &outputs);
        assert_eq!(plan.components.len(), 12);
        let states = 1usize << 12;
        let words = states / 64;
        let mut planes = Vec::new();
        for block in 0..words.div_ceil(CHUNK_WORDS) {
            let mut buffer = vec![0u64; plan.slots() * CHUNK_WORDS];
            for (slot, &c) in plan.components.iter().enumerate() {
                for w in 0..CHUNK_WORDS {
                    let mut up = 0u64;
                    for bit in 0..64 {
                        let state = (block * CHUNK_WORDS + w) * 64 + bit;
                        up |= u64::from(state >> c & 1 == 1) << bit;
                    }
                    buffer[slot * CHUNK_WORDS + w] = up;
                }
            }
            plan.evaluate(&mut buffer, CHUNK_WORDS, &mut planes);
            for (&node, &(slot, _)) in nodes.iter().zip(&plan.outputs) {
                for w in 0..CHUNK_WORDS {
                    for bit in 0..64 {
                        let state = (block * CHUNK_WORDS + w) * 64 + bit;
                        let up: Vec<bool> = (0..12).map(|c| state >> c & 1 == 1).collect();
                        let got = buffer[slot * CHUNK_WORDS + w] >> bit & 1 == 1;
                        assert_eq!(got, s.evaluate(&up, node), "{node:?} in state {state:#b}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_estimate() {
        let (s, nodes) = mixed(12);
        let outputs = [(nodes[20], 0.5), (nodes[30], 0.5)];
        let a = monte_carlo(&s, &outputs, 10_000, 42);
        assert_eq!(a, monte_carlo(&s, &outputs, 10_000, 42));
        assert_ne!(a, monte_carlo(&s, &outputs, 10_000, 43));
        assert_eq!(a.trials, 10_000);
    }

    #[test]
    fn one_component_is_sampled_at_its_availability() {
        // Sparse (geometric skipping) and dense (one draw per trial) samplers,
        // and a trial count that is not a whole number of words.
        for up in [0.999, 0.99, 0.8, 0.7, 0.3] {
            let mut s = Structure::new();
            let c = s.component(up);
            let trials = 200_003;
            let estimate = monte_carlo(&s, &[(c, 1.0)], trials, 7);
            let error = (up * (1.0 - up) / trials as f64).sqrt();
            assert!(
                (estimate.mean - up).abs() < 4.0 * error,
                "{up}: {estimate:?}"
            );
            assert!(estimate.contains(up), "{up}: {estimate:?}");
            assert!(estimate.low < estimate.mean && estimate.mean < estimate.high);
        }
        for (up, want) in [(1.0, 1.0), (0.0, 0.0)] {
            let mut s = Structure::new();
            let c = s.component(up);
            let estimate = monte_carlo(&s, &[(c, 1.0)], 1000, 1);
            assert_eq!(estimate.mean, want);
            assert!(estimate.contains(want));
        }
    }

    #[test]
    fn constants_weights_and_no_trials() {
        let mut s = Structure::new();
        let c = s.component(0.5);
        let always = monte_carlo(&s, &[(Input::True, 1.0)], 100, 1);
        assert_eq!((always.mean, always.low, always.high), (1.0, 1.0, 1.0));
        let never = monte_carlo(&s, &[(Input::False, 1.0), (c, 0.0)], 100, 1);
        assert_eq!((never.mean, never.low, never.high), (0.0, 0.0, 0.0));
        let half = monte_carlo(&s, &[(Input::True, 0.5), (c, 0.5)], 100_000, 1);
        assert!((half.mean - 0.75).abs() < 0.01, "{half:?}");
        assert!(half.contains(0.75) || (half.mean - 0.75).abs() < 0.005);
        let none = monte_carlo(&s, &[(c, 1.0)], 0, 1);
        assert_eq!(
            (none.mean, none.low, none.high, none.trials),
            (0.0, 0.0, 1.0, 0)
        );
        // A weighted single output scales the Wilson interval.
        let scaled = monte_carlo(&s, &[(c, 2.0)], 10_000, 3);
        assert!(scaled.high <= 2.0 && scaled.contains(1.0), "{scaled:?}");
        // Two weighted outputs with no failure seen: still an interval,
        // about z²/n wide.
        let mut rare = Structure::new();
        let a = rare.component(0.999_999);
        let b = rare.component(0.999_999);
        let estimate = monte_carlo(&rare, &[(a, 0.5), (b, 0.5)], 10_000, 1);
        assert_eq!(estimate.mean, 1.0);
        assert!(
            estimate.low < 0.9997 && estimate.high == 1.0,
            "{estimate:?}"
        );
    }

    #[test]
    fn the_wilson_interval_is_not_empty_without_failures() {
        let (low, high) = wilson(1.0, 0.0, 1000.0);
        assert!(low < 1.0 && high == 1.0);
        assert_eq!(wilson(0.0, 0.0, 10.0).0, 0.0);
        assert!((low - 0.996_17).abs() < 1e-4, "{low}");
        // A textbook case: 81 of 263, (0.2553, 0.3662).
        let p = 81.0 / 263.0;
        let (low, high) = wilson(p, p * (1.0 - p), 263.0);
        assert!(
            (low - 0.2553).abs() < 1e-4 && (high - 0.3662).abs() < 1e-4,
            "{low} {high}"
        );
    }
}
