//! Availability: the generic mathematics (formulas, structures, exact and
//! Monte Carlo evaluation), and [`topology`], which builds the structure of a
//! topology from its compact graph.
//!
//! - [`formula`]: closed forms for independent components (series, parallel,
//!   k-of-n, the whitepaper's spares approximation, MTBF/MTTR).
//! - [`structure`]: a monotone boolean structure (a DAG of all / any /
//!   at-least gates over independent components) and its exact availability,
//!   bottom-up when it is a tree, by factoring on shared components otherwise.
//! - [`montecarlo`]: the same structure estimated by bit-parallel sampling,
//!   with a 95% interval, for structures too entangled to factor.
//! - [`Figure`]: an availability as people read it: percent, nines, downtime
//!   per year and per month, and [`format_duration`] for the downtime.
//!
//! All figures treat component availabilities (often SLA figures) as
//! independent, so they are upper bounds: correlated failures (an AZ, a
//! region) must be modelled as components of their own.

pub mod formula;
pub mod modes;
pub mod montecarlo;
pub mod structure;
pub mod topology;

pub use formula::{from_mtbf, k_of_n, parallel, series, spares_approx};
pub use montecarlo::{Estimate, monte_carlo};
pub use structure::{Exact, GateKind, Input, Structure};

use serde::Serialize;

use formula::clamp_probability;

/// Seconds in a year of 365.25 days (8,766 h): the year the published
/// "nines" tables use (99.99% = 52 min 35 s a year, 0.0001 × 31,557,600 s).
pub const YEAR_SECS: f64 = 31_557_600.0;

/// Seconds in a month of 730 h (a 8,760-hour year over 12): the month of the
/// published tables and of the SLA credits (99.9% = 43 min 48 s a month,
/// 0.001 × 2,628,000 s). Note that twelve of them are not [`YEAR_SECS`].
pub const MONTH_SECS: f64 = 2_628_000.0;

/// The most nines [`Figure::nines`] reports: an `f64` below 1 is at most
/// 1 − 2⁻⁵³ (15.95 nines), so a perfect 1 reads as 16.
pub const MAX_NINES: f64 = 16.0;

/// An availability as people read it. Serialises as
/// `{"availability", "percent", "nines", "downtime_per_year_secs",
/// "downtime_per_month_secs"}`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Figure {
    availability: f64,
}

impl Figure {
    /// From a probability; clamped to `[0, 1]`, `NaN` counts as 0.
    pub fn new(availability: f64) -> Self {
        Self {
            availability: clamp_probability(availability),
        }
    }

    pub fn availability(self) -> f64 {
        self.availability
    }

    /// 1 − availability.
    pub fn unavailability(self) -> f64 {
        1.0 - self.availability
    }

    /// 99.99 for 0.9999.
    pub fn percent(self) -> f64 {
        self.availability * 100.0
    }

    /// −log₁₀(1 − a): 4 for 99.99%, capped at [`MAX_NINES`] (so 1 reads 16).
    pub fn nines(self) -> f64 {
        let down = self.unavailability();
        if down <= 0.0 {
            MAX_NINES
        } else {
            (-down.log10()).min(MAX_NINES)
        }
    }

    /// Expected downtime in a [`YEAR_SECS`] year.
    pub fn downtime_per_year_secs(self) -> f64 {
        self.unavailability() * YEAR_SECS
    }

    /// Expected downtime in a [`MONTH_SECS`] month.
    pub fn downtime_per_month_secs(self) -> f64 {
        self.unavailability() * MONTH_SECS
    }

    /// The percentage with as many decimals as it has nines (at least two,
    /// at most nine, no trailing zeros past two), truncated so that it never
    /// shows a nine it does not have: "99.95%", "99.999987%", "100%" only
    /// for exactly 1.
    pub fn percent_text(self) -> String {
        if self.availability >= 1.0 {
            return "100%".to_owned();
        }
        #[expect(clippy::cast_possible_truncation, reason = "clamped to 2..=9")]
        let decimals = self.nines().floor().clamp(2.0, 9.0) as i32;
        let scale = 10f64.powi(decimals);
        let truncated = (self.percent() * scale).floor() / scale;
        let mut text = format!("{truncated:.0$}", decimals.unsigned_abs() as usize);
        // Trailing zeros past the second decimal say nothing.
        while text.ends_with('0') && text.len() - text.find('.').unwrap_or(0) > 3 {
            text.pop();
        }
        text + "%"
    }

    /// "99.95% · 21 min 54 s a month": how tables print a figure.
    pub fn short(self) -> String {
        format!(
            "{} · {} a month",
            self.percent_text(),
            format_duration(self.downtime_per_month_secs())
        )
    }
}

impl Serialize for Figure {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wire {
            availability: f64,
            percent: f64,
            nines: f64,
            downtime_per_year_secs: f64,
            downtime_per_month_secs: f64,
        }
        Wire {
            availability: self.availability,
            percent: self.percent(),
            nines: self.nines(),
            downtime_per_year_secs: self.downtime_per_year_secs(),
            downtime_per_month_secs: self.downtime_per_month_secs(),
        }
        .serialize(serializer)
    }
}

/// Units from the largest, as printed.
const UNITS: [(u64, &str); 4] = [(86_400, "d"), (3_600, "h"), (60, "min"), (1, "s")];

/// A duration the way the nines tables print it: the two most significant
/// units, truncated, a zero second unit left out: "3 d 15 h", "8 h 45 min",
/// "52 min 35 s", "1 h", "26 s". Zero (or negative, or `NaN`) is "0 s";
/// under a second is "< 1 s"; infinite is "∞". The value is first rounded
/// to the millisecond so that float noise (2627.999 999 s for 0.1% of a
/// month) does not truncate a whole unit away.
pub fn format_duration(secs: f64) -> String {
    if secs.is_nan() || secs <= 0.0 {
        return "0 s".to_owned();
    }
    if secs.is_infinite() {
        return "∞".to_owned();
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "positive and finite here; `as` saturates beyond u64::MAX ms (585 million years)"
    )]
    let millis = (secs * 1000.0).round() as u64;
    let whole = millis / 1000;
    if whole == 0 {
        return "< 1 s".to_owned();
    }
    let Some(major) = UNITS.iter().position(|&(unit, _)| whole >= unit) else {
        return "< 1 s".to_owned();
    };
    let (unit, name) = UNITS[major];
    let count = whole / unit;
    match UNITS.get(major + 1) {
        Some(&(minor_unit, minor_name)) if whole % unit / minor_unit > 0 => {
            format!("{count} {name} {} {minor_name}", whole % unit / minor_unit)
        }
        _ => format!("{count} {name}"),
    }
}

/// A duration in its largest whole unit with one decimal, rounded, as the
/// worked-example tables print it: "17.5 h", "52.6 min", "10.8 d", "0.3 s".
/// Zero (or negative, or `NaN`) is "0 s"; infinite is "∞".
pub fn format_duration_decimal(secs: f64) -> String {
    if secs.is_nan() || secs <= 0.0 {
        return "0 s".to_owned();
    }
    if secs.is_infinite() {
        return "∞".to_owned();
    }
    for (unit, name) in UNITS {
        let tenths = (secs / unit as f64 * 10.0).round();
        if tenths >= 10.0 {
            return format!("{:.1} {name}", tenths / 10.0);
        }
    }
    format!("{:.1} s", (secs * 10.0).round() / 10.0)
}

#[cfg(test)]
#[expect(
    clippy::float_cmp,
    reason = "exact values: percentages rounded to the decimals the research table prints, and the nines cap"
)]
mod tests {
    use super::*;

    /// `percent` rounded to `decimals` places, as a table prints it.
    fn printed_percent(figure: Figure, decimals: i32) -> f64 {
        let scale = 10f64.powi(decimals);
        (figure.percent() * scale).round() / scale
    }

    #[test]
    fn every_nines_to_downtime_figure_of_the_research_table() {
        // (availability, per year, per month) as availability.md prints them.
        let table: [(f64, &str, Option<&str>); 6] = [
            (0.99, "3 d 15 h", Some("7 h 18 min")),
            (0.995, "1 d 19 h", None),
            (0.999, "8 h 45 min", Some("43 min 48 s")),
            (0.9995, "4 h 22 min", None),
            (0.9999, "52 min 35 s", Some("4 min 22 s")),
            (0.999_99, "5 min 15 s", Some("26 s")),
        ];
        for (availability, per_year, per_month) in table {
            let figure = Figure::new(availability);
            assert_eq!(
                format_duration(figure.downtime_per_year_secs()),
                per_year,
                "{availability}"
            );
            if let Some(per_month) = per_month {
                assert_eq!(
                    format_duration(figure.downtime_per_month_secs()),
                    per_month,
                    "{availability}"
                );
            }
        }
        // "An error budget of 0.1% is 43 minutes a month."
        assert_eq!(
            (Figure::new(0.999).downtime_per_month_secs() / 60.0).floor(),
            43.0
        );
    }

    #[test]
    fn the_worked_examples_of_the_research_table() {
        // 2 × 99.9% in series: 99.8001%, 17.5 h a year.
        let two_in_series = Figure::new(series(&[0.999, 0.999]));
        assert_eq!(printed_percent(two_in_series, 4), 99.8001);
        assert_eq!(
            format_duration_decimal(two_in_series.downtime_per_year_secs()),
            "17.5 h"
        );
        // 2 × 99% in parallel: 99.99%, 52.6 min.
        let two_in_parallel = Figure::new(parallel(&[0.99, 0.99]));
        assert_eq!(printed_percent(two_in_parallel, 2), 99.99);
        assert_eq!(
            format_duration_decimal(two_in_parallel.downtime_per_year_secs()),
            "52.6 min"
        );
        // 99% × 99% × 99% in series: 97.0299%. The table prints 10.9 d, but
        // 0.029701 × 365.25 d = 10.848 d: "10.9" is 10.848 rounded twice
        // (10.85, then 10.9). One rounding gives 10.8 d.
        let three_in_series = Figure::new(series(&[0.99, 0.99, 0.99]));
        assert_eq!(printed_percent(three_in_series, 4), 97.0299);
        let days = three_in_series.downtime_per_year_secs() / 86_400.0;
        assert!((days - 10.848).abs() < 5e-4, "{days}");
        assert_eq!(
            format_duration_decimal(three_in_series.downtime_per_year_secs()),
            "10.8 d"
        );
        // ALB 99.99% × EC2 multi-AZ 99.99% × RDS Multi-AZ 99.95%: 99.930%, 6.1 h.
        let web_stack = Figure::new(series(&[0.9999, 0.9999, 0.9995]));
        assert_eq!(printed_percent(web_stack, 3), 99.930);
        assert_eq!(
            format_duration_decimal(web_stack.downtime_per_year_secs()),
            "6.1 h"
        );
        // MTBF 1000 h with MTTR 10 h and 1 h.
        assert_eq!(
            printed_percent(Figure::new(from_mtbf(1000.0, 10.0)), 4),
            99.0099
        );
        assert_eq!(
            printed_percent(Figure::new(from_mtbf(1000.0, 1.0)), 4),
            99.9001
        );
    }

    #[test]
    fn percentages_never_show_a_nine_they_do_not_have() {
        let text = |a: f64| Figure::new(a).percent_text();
        assert_eq!(text(0.999_999_878_9), "99.999987%");
        assert_eq!(text(0.999_597_06), "99.959%");
        assert_eq!(text(0.9995), "99.95%");
        assert_eq!(text(0.99), "99.00%");
        assert_eq!(text(0.5), "50.00%");
        assert_eq!(text(1.0), "100%");
        // Rounding would print 99.99%.
        assert_eq!(text(0.999_899_9), "99.989%");
        assert_eq!(Figure::new(0.9995).short(), "99.95% · 21 min 54 s a month");
    }

    #[test]
    fn nines_count_the_leading_nines_and_cap_at_perfect() {
        assert!((Figure::new(0.999).nines() - 3.0).abs() < 1e-9);
        assert!((Figure::new(0.9995).nines() - 3.301).abs() < 1e-3);
        assert_eq!(Figure::new(1.0).nines(), MAX_NINES);
        assert_eq!(Figure::new(0.0).nines(), 0.0);
        assert_eq!(Figure::new(f64::NAN).availability(), 0.0);
        assert_eq!(Figure::new(1.5).availability(), 1.0);
    }

    #[test]
    fn durations_read_in_two_truncated_units() {
        assert_eq!(format_duration(0.0), "0 s");
        assert_eq!(format_duration(-3.0), "0 s");
        assert_eq!(format_duration(f64::NAN), "0 s");
        assert_eq!(format_duration(0.4), "< 1 s");
        assert_eq!(format_duration(26.28), "26 s");
        assert_eq!(format_duration(59.999_9), "1 min");
        assert_eq!(format_duration(3_600.0), "1 h");
        assert_eq!(format_duration(3_659.0), "1 h");
        assert_eq!(format_duration(3_660.0), "1 h 1 min");
        assert_eq!(format_duration(86_400.0 * 400.0 + 7_200.0), "400 d 2 h");
        assert_eq!(format_duration(f64::INFINITY), "∞");
        assert_eq!(format_duration_decimal(0.0), "0 s");
        assert_eq!(format_duration_decimal(0.26), "0.3 s");
        assert_eq!(format_duration_decimal(59.97), "1.0 min");
        assert_eq!(format_duration_decimal(3_598.2), "1.0 h");
        assert_eq!(format_duration_decimal(90.0), "1.5 min");
    }

    #[test]
    fn a_figure_serialises_with_its_derived_values() {
        let json = serde_json::to_value(Figure::new(0.999)).unwrap();
        assert_eq!(json["availability"], 0.999);
        assert!((json["percent"].as_f64().unwrap() - 99.9).abs() < 1e-9);
        assert!((json["nines"].as_f64().unwrap() - 3.0).abs() < 1e-9);
        assert!((json["downtime_per_year_secs"].as_f64().unwrap() - 31_557.6).abs() < 1e-6);
        assert!((json["downtime_per_month_secs"].as_f64().unwrap() - 2_628.0).abs() < 1e-6);
        // A perfect figure still serialises to numbers (JSON has no infinity).
        let perfect = serde_json::to_value(Figure::new(1.0)).unwrap();
        assert_eq!(perfect["nines"], MAX_NINES);
    }
}
