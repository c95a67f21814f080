//! A monotone boolean structure over independent components: a DAG of
//! all / any / at-least gates, built bottom-up (a gate only ever reads
//! components and gates that exist already, so creation order is a
//! topological order), and its exact availability.
//!
//! ```
//! use topoplan_core::availability::{GateKind, Structure};
//!
//! let mut s = Structure::new();
//! let lb = s.component(0.9999);
//! let web: Vec<_> = (0..3).map(|_| s.component(0.995)).collect();
//! let web_tier = s.gate(GateKind::AtLeast(2), &web);
//! let db = s.component(0.9995);
//! let app = s.gate(GateKind::All, &[lb, web_tier, db]);
//! let exact = s.exact(&[(app, 1.0)], 16).unwrap();
//! assert!((exact.availability - 0.9999 * 0.999_925_25 * 0.9995).abs() < 1e-9);
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

use super::formula::clamp_probability;

/// A node of a [`Structure`], or a constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Input {
    Component(u32),
    Gate(u32),
    True,
    False,
}

/// What a gate needs of its inputs to be up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GateKind {
    /// Every input (series).
    All,
    /// One input (parallel).
    Any,
    /// At least this many inputs (k of n; an input listed twice counts twice).
    AtLeast(u32),
}

/// The exact availability of some outputs of a [`Structure`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Exact {
    /// Σ weight × P(output up).
    pub availability: f64,
    /// The most components conditioned on at once for any output: the
    /// evaluation took 2^pivots passes over (part of) the structure for it.
    /// 0 when every output is a tree over its random components.
    pub pivots: u32,
}

/// Independent components, each up with its own probability, and gates over
/// them. Gates are simplified as they are built (constants folded, a gate
/// of one input is that input), so no stored gate has a constant input.
#[derive(Clone, Debug)]
pub struct Structure {
    up: Vec<f64>,
    kinds: Vec<GateKind>,
    /// Gate g reads `inputs[starts[g]..starts[g + 1]]`.
    starts: Vec<usize>,
    /// Only components and gates, never `True`/`False`.
    inputs: Vec<Input>,
}

impl Default for Structure {
    fn default() -> Self {
        Self::new()
    }
}

/// The most pivots factoring ever takes: a case is a bit mask in a `u64`.
const MAX_PIVOTS: u32 = 63;

/// No pivot: marks a component that is not conditioned on.
const NOT_A_PIVOT: u32 = u32::MAX;

impl Structure {
    pub fn new() -> Self {
        Self {
            up: Vec::new(),
            kinds: Vec::new(),
            starts: vec![0],
            inputs: Vec::new(),
        }
    }

    /// A new independent component, up with `up_probability` (clamped to
    /// `[0, 1]`, `NaN` counts as 0).
    ///
    /// # Panics
    /// Beyond `u32::MAX` components.
    pub fn component(&mut self, up_probability: f64) -> Input {
        let Ok(index) = u32::try_from(self.up.len()) else {
            panic!("a structure holds at most u32::MAX components");
        };
        self.up.push(clamp_probability(up_probability));
        Input::Component(index)
    }

    /// A gate over existing components and gates, simplified: constants are
    /// folded (`All` with a `False` input is `False`, `AtLeast(k)` with t
    /// `True` inputs needs k − t of the others, …), an empty `All` is `True`
    /// and an empty `Any` is `False`, `AtLeast` that needs every input is
    /// `All` and one that needs one is `Any`, duplicates of `All`/`Any` are
    /// dropped, and a gate of a single input is that input. So the result
    /// may be a constant, a component or an earlier gate.
    ///
    /// # Panics
    /// If an input names a component or gate that does not exist yet (the
    /// invariant that gates are in topological order rests on it).
    pub fn gate(&mut self, kind: GateKind, inputs: &[Input]) -> Input {
        let mut kept = Vec::with_capacity(inputs.len());
        let (mut trues, mut falses) = (0u64, 0u64);
        for &input in inputs {
            match input {
                Input::True => trues += 1,
                Input::False => falses += 1,
                Input::Component(c) => {
                    assert!(
                        (c as usize) < self.up.len(),
                        "gate input {input:?}: the structure has {} components",
                        self.up.len()
                    );
                    kept.push(input);
                }
                Input::Gate(g) => {
                    assert!(
                        (g as usize) < self.kinds.len(),
                        "gate input {input:?}: the structure has {} gates so far",
                        self.kinds.len()
                    );
                    kept.push(input);
                }
            }
        }
        let count = kept.len() as u64;
        // How many of the kept inputs must be up.
        let need = match kind {
            GateKind::All if falses > 0 => return Input::False,
            GateKind::All => count,
            GateKind::Any if trues > 0 => return Input::True,
            GateKind::Any => 1,
            GateKind::AtLeast(k) => u64::from(k).saturating_sub(trues),
        };
        if need == 0 {
            return Input::True;
        }
        if need > count {
            return Input::False;
        }
        let kind = if need == count {
            GateKind::All
        } else if need == 1 {
            GateKind::Any
        } else {
            // Only `AtLeast(k)` gets here, and need ≤ k fits a u32.
            GateKind::AtLeast(u32::try_from(need).unwrap_or(u32::MAX))
        };
        if !matches!(kind, GateKind::AtLeast(_)) {
            kept.sort_unstable();
            kept.dedup();
        }
        if let [single] = kept[..] {
            return single;
        }
        let Ok(index) = u32::try_from(self.kinds.len()) else {
            panic!("a structure holds at most u32::MAX gates");
        };
        self.kinds.push(kind);
        self.inputs.extend_from_slice(&kept);
        self.starts.push(self.inputs.len());
        Input::Gate(index)
    }

    pub fn component_count(&self) -> usize {
        self.up.len()
    }

    pub fn gate_count(&self) -> usize {
        self.kinds.len()
    }

    /// A component's up-probability.
    ///
    /// # Panics
    /// If the component does not exist.
    pub fn up_probability(&self, component: u32) -> f64 {
        self.up[component as usize]
    }

    /// Changes a component's up-probability (clamped like [`Self::component`]);
    /// gates never depend on it, so a what-if sweep reuses the structure.
    ///
    /// # Panics
    /// If the component does not exist.
    pub fn set_up_probability(&mut self, component: u32, up_probability: f64) {
        self.up[component as usize] = clamp_probability(up_probability);
    }

    /// A gate's kind after simplification.
    ///
    /// # Panics
    /// If the gate does not exist.
    pub fn gate_kind(&self, gate: u32) -> GateKind {
        self.kinds[gate as usize]
    }

    /// A gate's inputs after simplification (components and earlier gates).
    ///
    /// # Panics
    /// If the gate does not exist.
    pub fn gate_inputs(&self, gate: u32) -> &[Input] {
        let g = gate as usize;
        &self.inputs[self.starts[g]..self.starts[g + 1]]
    }

    pub(super) fn up_probabilities(&self) -> &[f64] {
        &self.up
    }

    /// Whether `out` is up when component c is up exactly when `up[c]`.
    ///
    /// # Panics
    /// If `up` is shorter than the component count or `out` does not exist.
    pub fn evaluate(&self, up: &[bool], out: Input) -> bool {
        let last = match out {
            Input::True => return true,
            Input::False => return false,
            Input::Component(c) => return up[c as usize],
            Input::Gate(g) => g as usize,
        };
        let mut value = vec![false; last + 1];
        for g in 0..=last {
            let kind = self.kinds[g];
            let mut ups = 0u64;
            let mut count = 0u64;
            for &input in &self.inputs[self.starts[g]..self.starts[g + 1]] {
                count += 1;
                let is_up = match input {
                    Input::Component(c) => up[c as usize],
                    Input::Gate(h) => value[h as usize],
                    Input::True => true,
                    Input::False => false,
                };
                ups += u64::from(is_up);
            }
            value[g] = match kind {
                GateKind::All => ups == count,
                GateKind::Any => ups > 0,
                GateKind::AtLeast(k) => ups >= u64::from(k),
            };
        }
        value[last]
    }

    /// Σ weight × P(output up), exactly; `None` when some output would need
    /// to condition on more than `max_pivots` components at once (at most
    /// 63 are ever tried).
    ///
    /// # Method
    ///
    /// A *pivot* of an output is a component with an up-probability strictly
    /// between 0 and 1 that is reachable from the output through two or more
    /// paths (an input listed twice by one gate makes two paths). Each
    /// output's value is computed conditionally on every up/down assignment
    /// of its pivots (pivotal decomposition, "factoring") and the cases are
    /// summed with their probabilities. Within a case every gate's
    /// probability is the series / parallel / k-of-n (Poisson binomial)
    /// combination of its inputs' probabilities, and that is exact:
    ///
    /// *Claim.* With the pivots fixed, the inputs of any gate G below the
    /// output are independent. *Proof.* An input's value is a function of
    /// the pivots (fixed) and of the random non-pivot components below it
    /// (constant components are independent of everything). If one such
    /// component C were below two inputs of G (or below an input listed
    /// twice), there would be two distinct paths from G to C, and with a
    /// path from the output to G, two from the output to C: C would be a
    /// pivot. So the inputs depend on disjoint sets of independent
    /// components. ∎
    ///
    /// A gate reached through two paths therefore has only pivots and
    /// constants below it and is 0 or 1 in each case; gates with no pivot
    /// below them have the same probability in every case, computed once.
    /// Cases are visited in Gray-code order, so moving to the next case
    /// flips one pivot and recomputes only the gates above it. Outputs with
    /// the same pivot set share one pass (the sum is linear, so outputs with
    /// different pivot sets need not be conditioned on each other's).
    ///
    /// # Panics
    /// If an output names a component or gate that does not exist.
    pub fn exact(&self, outputs: &[(Input, f64)], max_pivots: u32) -> Option<Exact> {
        let max_pivots = max_pivots.min(MAX_PIVOTS) as usize;
        let mut scratch = Scratch::default();
        let independent = self.independent_probabilities(&mut scratch);
        let mut total = 0.0;
        let mut groups: BTreeMap<Vec<u32>, Vec<(u32, f64)>> = BTreeMap::new();
        let mut paths = PathCounter::default();
        for &(out, weight) in outputs {
            match out {
                Input::True => total += weight,
                Input::False => {}
                Input::Component(c) => total += weight * self.up[c as usize],
                Input::Gate(g) => {
                    let pivots = paths.pivots(self, g);
                    if pivots.len() > max_pivots {
                        return None;
                    }
                    groups.entry(pivots).or_default().push((g, weight));
                }
            }
        }
        let mut widest = 0;
        for (pivots, group) in &groups {
            widest = widest.max(pivots.len());
            total += if pivots.is_empty() {
                group
                    .iter()
                    .map(|&(g, weight)| weight * independent[g as usize])
                    .sum()
            } else {
                self.factor(pivots, group, &independent, &mut scratch)
            };
        }
        // Rounding can step a hair outside the possible range.
        let lowest: f64 = outputs.iter().map(|&(_, w)| w.min(0.0)).sum();
        let highest: f64 = outputs.iter().map(|&(_, w)| w.max(0.0)).sum();
        Some(Exact {
            availability: total.clamp(lowest, highest),
            pivots: u32::try_from(widest).unwrap_or(MAX_PIVOTS),
        })
    }

    /// Every gate's probability if all its inputs were independent (exact
    /// for gates whose random components are each reached by one path).
    fn independent_probabilities(&self, scratch: &mut Scratch) -> Vec<f64> {
        let mut value = Vec::with_capacity(self.kinds.len());
        for g in 0..self.kinds.len() {
            scratch.inputs.clear();
            for &input in &self.inputs[self.starts[g]..self.starts[g + 1]] {
                scratch.inputs.push(match input {
                    Input::Component(c) => self.up[c as usize],
                    Input::Gate(h) => value[h as usize],
                    Input::True => 1.0,
                    Input::False => 0.0,
                });
            }
            value.push(combine(self.kinds[g], &scratch.inputs, &mut scratch.table));
        }
        value
    }

    /// Σ weight × P(output up) for outputs (gates) that share the pivot set
    /// `pivots` (sorted, 1 to 63 components), by Gray-code factoring.
    fn factor(
        &self,
        pivots: &[u32],
        outputs: &[(u32, f64)],
        independent: &[f64],
        scratch: &mut Scratch,
    ) -> f64 {
        let top = outputs.iter().map(|&(g, _)| g as usize).max().unwrap_or(0);
        let mut pivot_of = vec![NOT_A_PIVOT; self.up.len()];
        for (j, &c) in (0u32..).zip(pivots) {
            pivot_of[c as usize] = j;
        }
        // The gates below the outputs.
        let mut in_cone = vec![false; top + 1];
        for &(g, _) in outputs {
            in_cone[g as usize] = true;
        }
        for g in (0..=top).rev() {
            if in_cone[g] {
                for &input in &self.inputs[self.starts[g]..self.starts[g + 1]] {
                    if let Input::Gate(h) = input {
                        in_cone[h as usize] = true;
                    }
                }
            }
        }
        // Which pivots lie below each gate, and the gates above each pivot.
        let mut below = vec![0u64; top + 1];
        let mut above: Vec<Vec<u32>> = vec![Vec::new(); pivots.len()];
        let mut dynamic = Vec::new();
        for (g, gate) in (0..=top).zip(0u32..) {
            if !in_cone[g] {
                continue;
            }
            let mut mask = 0;
            for &input in &self.inputs[self.starts[g]..self.starts[g + 1]] {
                mask |= match input {
                    Input::Component(c) if pivot_of[c as usize] != NOT_A_PIVOT => {
                        1 << pivot_of[c as usize]
                    }
                    Input::Gate(h) => below[h as usize],
                    _ => 0,
                };
            }
            below[g] = mask;
            if mask != 0 {
                dynamic.push(gate);
                let mut bits = mask;
                while bits != 0 {
                    above[bits.trailing_zeros() as usize].push(gate);
                    bits &= bits - 1;
                }
            }
        }
        let mut value = independent[..=top].to_vec();
        // Case 0: every pivot down (bit j of `state` set = pivot j up).
        let mut state = 0u64;
        for &g in &dynamic {
            value[g as usize] = self.conditional(g, state, &pivot_of, &value, scratch);
        }
        let mut total = 0.0;
        for case in 0..1u64 << pivots.len() {
            if case > 0 {
                let flipped = case.trailing_zeros() as usize;
                state ^= 1 << flipped;
                for &g in &above[flipped] {
                    value[g as usize] = self.conditional(g, state, &pivot_of, &value, scratch);
                }
            }
            let weight: f64 = (0..pivots.len())
                .map(|j| {
                    let up = self.up[pivots[j] as usize];
                    if state >> j & 1 == 1 { up } else { 1.0 - up }
                })
                .product();
            let score: f64 = outputs.iter().map(|&(g, w)| w * value[g as usize]).sum();
            total += weight * score;
        }
        total
    }

    /// P(gate up | pivots as in `state`), from its inputs' current values.
    fn conditional(
        &self,
        gate: u32,
        state: u64,
        pivot_of: &[u32],
        value: &[f64],
        scratch: &mut Scratch,
    ) -> f64 {
        let g = gate as usize;
        scratch.inputs.clear();
        for &input in &self.inputs[self.starts[g]..self.starts[g + 1]] {
            scratch.inputs.push(match input {
                Input::Component(c) => match pivot_of[c as usize] {
                    NOT_A_PIVOT => self.up[c as usize],
                    j if state >> j & 1 == 1 => 1.0,
                    _ => 0.0,
                },
                Input::Gate(h) => value[h as usize],
                Input::True => 1.0,
                Input::False => 0.0,
            });
        }
        combine(self.kinds[g], &scratch.inputs, &mut scratch.table)
    }
}

/// Buffers reused across gates.
#[derive(Default)]
struct Scratch {
    inputs: Vec<f64>,
    table: Vec<f64>,
}

/// Counts the paths from one output to the nodes below it (saturating at 2).
#[derive(Default)]
struct PathCounter {
    gates: Vec<u8>,
    components: Vec<u8>,
    touched: Vec<u32>,
}

impl PathCounter {
    /// The output's pivots: random components reached through ≥ 2 paths,
    /// sorted.
    fn pivots(&mut self, s: &Structure, out: u32) -> Vec<u32> {
        let top = out as usize;
        self.gates.clear();
        self.gates.resize(top + 1, 0);
        self.components.resize(s.up.len(), 0);
        self.gates[top] = 1;
        for g in (0..=top).rev() {
            let paths = self.gates[g];
            if paths == 0 {
                continue;
            }
            for &input in &s.inputs[s.starts[g]..s.starts[g + 1]] {
                match input {
                    Input::Component(c) => {
                        let count = &mut self.components[c as usize];
                        if *count == 0 {
                            self.touched.push(c);
                        }
                        *count = count.saturating_add(paths).min(2);
                    }
                    Input::Gate(h) => {
                        let count = &mut self.gates[h as usize];
                        *count = count.saturating_add(paths).min(2);
                    }
                    Input::True | Input::False => {}
                }
            }
        }
        let mut pivots: Vec<u32> = self
            .touched
            .iter()
            .copied()
            .filter(|&c| {
                let up = s.up[c as usize];
                self.components[c as usize] >= 2 && up > 0.0 && up < 1.0
            })
            .collect();
        for &c in &self.touched {
            self.components[c as usize] = 0;
        }
        self.touched.clear();
        pivots.sort_unstable();
        pivots
    }
}

/// P(gate up) from its inputs' probabilities, the inputs independent.
/// `AtLeast` runs the Poisson-binomial recurrence over whichever side is
/// shorter, O(n · min(k, n − k + 1)), summing only non-negative terms.
fn combine(kind: GateKind, inputs: &[f64], table: &mut Vec<f64>) -> f64 {
    let n = inputs.len();
    let p = match kind {
        GateKind::All => inputs.iter().product(),
        GateKind::Any => 1.0 - inputs.iter().map(|q| 1.0 - q).product::<f64>(),
        GateKind::AtLeast(k) => {
            let k = k as usize;
            if k == 0 {
                return 1.0;
            }
            if k > n {
                return 0.0;
            }
            let downs_allowed = n - k;
            table.clear();
            if k <= downs_allowed + 1 {
                // table[j] = P(exactly j up so far) for j < k; table[k] = P(≥ k up).
                table.resize(k + 1, 0.0);
                table[0] = 1.0;
                for &q in inputs {
                    table[k] += table[k - 1] * q;
                    for j in (1..k).rev() {
                        table[j] = table[j] * (1.0 - q) + table[j - 1] * q;
                    }
                    table[0] *= 1.0 - q;
                }
                table[k]
            } else {
                // table[j] = P(exactly j down so far), j ≤ n − k; more is lost.
                table.resize(downs_allowed + 1, 0.0);
                table[0] = 1.0;
                for &q in inputs {
                    for j in (1..=downs_allowed).rev() {
                        table[j] = table[j] * q + table[j - 1] * (1.0 - q);
                    }
                    table[0] *= q;
                }
                table.iter().sum()
            }
        }
    };
    clamp_probability(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::formula::{k_of_n, parallel, series};

    /// Σ over all 2ⁿ states of P(state) × Σ weight × [output up].
    fn brute_force(s: &Structure, outputs: &[(Input, f64)]) -> f64 {
        let n = s.component_count();
        let mut total = 0.0;
        for state in 0u32..1 << n {
            let up: Vec<bool> = (0..n).map(|c| state >> c & 1 == 1).collect();
            let probability: f64 = (0..n)
                .map(|c| {
                    let p = s.up_probabilities()[c];
                    if up[c] { p } else { 1.0 - p }
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

    #[test]
    fn gates_fold_constants_and_collapse_trivial_cases() {
        let mut s = Structure::new();
        let a = s.component(0.9);
        let b = s.component(0.8);
        assert_eq!(s.gate(GateKind::All, &[]), Input::True);
        assert_eq!(s.gate(GateKind::Any, &[]), Input::False);
        assert_eq!(s.gate(GateKind::All, &[a]), a);
        assert_eq!(s.gate(GateKind::Any, &[a, Input::False]), a);
        assert_eq!(s.gate(GateKind::All, &[a, Input::False, b]), Input::False);
        assert_eq!(s.gate(GateKind::Any, &[a, Input::True]), Input::True);
        assert_eq!(s.gate(GateKind::All, &[a, a, Input::True]), a);
        assert_eq!(s.gate(GateKind::AtLeast(0), &[a, b]), Input::True);
        assert_eq!(s.gate(GateKind::AtLeast(3), &[a, b]), Input::False);
        assert_eq!(
            s.gate(GateKind::AtLeast(2), &[a, Input::True, Input::True]),
            Input::True
        );
        assert_eq!(s.gate(GateKind::AtLeast(2), &[a, a]), a);
        assert_eq!(s.gate_count(), 0);
        // AtLeast(2) of (True, a, b) is Any(a, b); of (a, b) it is All.
        let any = s.gate(GateKind::AtLeast(2), &[Input::True, a, b]);
        assert_eq!(s.gate_kind(0), GateKind::Any);
        let all = s.gate(GateKind::AtLeast(2), &[a, b]);
        assert_eq!((any, all), (Input::Gate(0), Input::Gate(1)));
        assert_eq!(s.gate_kind(1), GateKind::All);
        let c = s.component(0.7);
        let two_of_three = s.gate(GateKind::AtLeast(2), &[a, b, c]);
        assert_eq!(s.gate_kind(2), GateKind::AtLeast(2));
        assert_eq!(s.gate_inputs(2), &[a, b, c]);
        assert_eq!((s.component_count(), s.gate_count()), (3, 3));
        assert!(s.evaluate(&[true, false, true], two_of_three));
        assert!(!s.evaluate(&[true, false, false], two_of_three));
    }

    #[test]
    #[should_panic(expected = "gate input Gate(5)")]
    fn a_gate_cannot_read_a_gate_that_does_not_exist() {
        let mut s = Structure::new();
        let a = s.component(0.5);
        s.gate(GateKind::All, &[a, Input::Gate(5)]);
    }

    #[test]
    fn trees_are_series_parallel_and_k_of_n_formulas() {
        let mut s = Structure::new();
        let lb = s.component(0.9999);
        let web: Vec<_> = (0..3).map(|_| s.component(0.995)).collect();
        let tier = s.gate(GateKind::AtLeast(2), &web);
        let dbs: Vec<_> = (0..2).map(|_| s.component(0.999)).collect();
        let db = s.gate(GateKind::Any, &dbs);
        let app = s.gate(GateKind::All, &[lb, tier, db]);
        let exact = s.exact(&[(app, 1.0)], 0).unwrap();
        let want = series(&[0.9999, k_of_n(2, 3, 0.995), parallel(&[0.999, 0.999])]);
        assert!((exact.availability - want).abs() < 1e-15);
        assert_eq!(exact.pivots, 0);
        assert!((exact.availability - brute_force(&s, &[(app, 1.0)])).abs() < 1e-14);
    }

    #[test]
    fn at_least_with_unequal_inputs_is_the_poisson_binomial() {
        let ps = [0.9, 0.8, 0.7, 0.6, 0.95, 0.5, 0.99];
        let mut s = Structure::new();
        let cs: Vec<_> = ps.iter().map(|&p| s.component(p)).collect();
        for k in 0..=8 {
            let gate = s.gate(GateKind::AtLeast(k), &cs);
            let exact = s.exact(&[(gate, 1.0)], 0).unwrap().availability;
            let want = brute_force(&s, &[(gate, 1.0)]);
            assert!((exact - want).abs() < 1e-14, "k={k}: {exact} vs {want}");
        }
    }

    #[test]
    fn a_shared_component_is_factored_on() {
        // Two services in one AZ, each with its own instance: both need the AZ.
        let mut s = Structure::new();
        let az = s.component(0.99);
        let i1 = s.component(0.9);
        let i2 = s.component(0.9);
        let left = s.gate(GateKind::All, &[az, i1]);
        let right = s.gate(GateKind::All, &[az, i2]);
        let either = s.gate(GateKind::Any, &[left, right]);
        let exact = s.exact(&[(either, 1.0)], 4).unwrap();
        // P = P(az) × (1 − 0.1²); the independent formula would say 1 − (1 − 0.891)².
        assert!((exact.availability - 0.99 * 0.99).abs() < 1e-15);
        assert_eq!(exact.pivots, 1);
        // Not enough pivots allowed.
        assert_eq!(s.exact(&[(either, 1.0)], 0), None);
        // Each branch alone is a tree; together they share one pass.
        let both = [(left, 0.5), (right, 0.25), (either, 0.25)];
        let exact = s.exact(&both, 1).unwrap();
        assert!((exact.availability - brute_force(&s, &both)).abs() < 1e-15);
    }

    #[test]
    fn a_shared_gate_and_a_duplicated_input_are_exact() {
        let mut s = Structure::new();
        let cs: Vec<_> = (0..6)
            .map(|i| s.component(0.6 + 0.05 * f64::from(i)))
            .collect();
        let shared = s.gate(GateKind::Any, &[cs[0], cs[1]]);
        let g1 = s.gate(GateKind::All, &[shared, cs[2]]);
        let g2 = s.gate(GateKind::AtLeast(2), &[shared, cs[3], cs[4]]);
        let g3 = s.gate(GateKind::AtLeast(2), &[g1, g1, cs[5]]);
        let top = s.gate(GateKind::AtLeast(2), &[g1, g2, g3, cs[0]]);
        let outputs = [(top, 0.7), (g2, 0.2), (cs[5], 0.1), (Input::True, 0.0)];
        let exact = s.exact(&outputs, 8).unwrap();
        assert!((exact.availability - brute_force(&s, &outputs)).abs() < 1e-14);
        assert!(exact.pivots >= 2);
    }

    #[test]
    fn certain_components_are_never_pivots() {
        let mut s = Structure::new();
        let always = s.component(1.0);
        let never = s.component(0.0);
        let a = s.component(0.9);
        let b = s.component(0.8);
        let g1 = s.gate(GateKind::All, &[always, a]);
        let g2 = s.gate(GateKind::Any, &[never, always, b]);
        let c = s.component(0.7);
        let g3 = s.gate(GateKind::Any, &[never, a, c]);
        let top = s.gate(GateKind::All, &[g1, g2, g3]);
        let exact = s.exact(&[(top, 1.0)], 2).unwrap();
        // `always` and `never` are shared too, but only `a` (through g1
        // and g3) is random.
        assert_eq!(exact.pivots, 1);
        assert!((exact.availability - brute_force(&s, &[(top, 1.0)])).abs() < 1e-15);
    }
}
