//! The cost panel: the monthly bill of the design, per region, per category
//! and per node, and the same topology priced under every deployment mode
//! (chart and table). The same `core::cost` calls as `topoplan cost` and
//! `topoplan cost --compare`.
//!
//! Pricing runs on a background thread whenever the document changes (a
//! 5,000-node estate takes tens of milliseconds), so typing in the inspector
//! never waits for it; the last result stays on screen, marked as updating.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use egui::{RichText, Ui};
use egui_plot::{Bar, BarChart, Plot};
use topoplan_core::Topology;
use topoplan_core::availability::Figure;
use topoplan_core::availability::modes::Assessed;
use topoplan_core::availability::topology::Options;
use topoplan_core::cost::{
    self, Catalog, Category, Comparison, Estimate, LineItem, ModeAssessor, NoAssessment, Recovery,
    Variant, format_usd,
};
use topoplan_core::model::Edit;

use crate::edits::Labelled;
use crate::jobs::Background;
use crate::style;

/// Everything the panel shows for one revision of the document.
#[derive(Debug)]
pub struct Costing {
    pub estimate: Estimate,
    pub lines: Vec<LineItem>,
    /// Monthly cost per element (node id, `from -> to`, `(region)`), largest first.
    pub by_element: Vec<(String, String, f64)>,
    pub comparison: Comparison,
    pub catalog: String,
    pub warnings: Vec<String>,
}

/// Prices `topology` under its own mode and every other (what the CLI's
/// `cost` and `cost --compare` print).
pub fn price(topology: &Topology) -> Result<Costing, String> {
    let catalog = Catalog::embedded().map_err(|e| format!("price catalog: {e}"))?;
    let comparison = cost::compare(topology, catalog, &NoAssessment).map_err(|e| e.to_string())?;
    let current = Variant::of(&topology.meta().deployment);
    let estimate = match comparison.rows.iter().find(|r| r.variant == current) {
        Some(row) => row.estimate.clone(),
        None => cost::estimate_variant(topology, catalog, current).map_err(|e| e.to_string())?,
    };
    let lines = estimate.lines(topology);
    let mut per: BTreeMap<(String, String), f64> = BTreeMap::new();
    for l in &lines {
        *per.entry((l.element.clone(), l.kind.clone())).or_default() += l.monthly_usd;
    }
    let mut by_element: Vec<(String, String, f64)> =
        per.into_iter().map(|((e, k), v)| (e, k, v)).collect();
    by_element.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    let warnings = estimate.warning_texts(topology, Some(20));
    Ok(Costing {
        estimate,
        lines,
        by_element,
        comparison,
        catalog: catalog.describe(),
        warnings,
    })
}

/// The panel's state: the last results and the jobs computing the next.
#[derive(Debug, Default)]
pub struct CostPanel {
    /// The document priced under every mode (kept on screen, marked stale,
    /// while the next revision is priced).
    pricing: Background<Costing>,
    /// Each mode's availability and recovery: slower than pricing (it
    /// simulates every mode), so it has its own job and the prices show
    /// first.
    resilience: Background<Assessed>,
    show_all_nodes: bool,
}

/// What the panel asks the app to do.
#[derive(Debug, Default)]
pub struct CostOutput {
    pub edit: Option<Labelled>,
    pub select_node: Option<String>,
}

impl CostPanel {
    /// Starts pricing the document when it changed, and collects finished
    /// results. `valid`: the document has no errors (costing needs a
    /// valid design). `visible`: the panel is on screen (the modes'
    /// availability and recovery are computed only then; prices always, for
    /// the inspector).
    pub fn update(
        &mut self,
        ctx: &egui::Context,
        topology: &Topology,
        key: u64,
        valid: bool,
        visible: bool,
    ) {
        let now = (key, topology.revision());
        self.pricing
            .update(ctx, valid.then_some(now), "pricing", || {
                let snapshot = topology.clone();
                move |_: &crate::jobs::Progress| price(&snapshot)
            });
        self.resilience.update(
            ctx,
            (valid && visible).then_some(now),
            "mode assessment",
            || {
                let snapshot = topology.clone();
                move |_: &crate::jobs::Progress| Ok(Assessed::new(&snapshot, Options::default()))
            },
        );
    }

    /// Whether pricing is under way (tests wait for it).
    pub fn is_busy(&self) -> bool {
        self.pricing.job.is_some() || self.resilience.job.is_some()
    }

    /// The result, if it is for this revision.
    pub fn current(&self, key: u64, revision: u64) -> Option<&Costing> {
        self.pricing.current((key, revision))
    }

    /// The monthly cost of one element, for the inspector.
    pub fn element_usd(&self, key: u64, revision: u64, element: &str) -> Option<f64> {
        let costing = self.current(key, revision)?;
        Some(
            costing
                .by_element
                .iter()
                .filter(|(e, _, _)| e == element)
                .map(|(_, _, usd)| usd)
                .sum(),
        )
    }

    pub fn ui(&mut self, ui: &mut Ui, topology: &Topology, key: u64, errors: usize) -> CostOutput {
        let mut out = CostOutput::default();
        if errors > 0 {
            ui.label(format!(
                "The document has {}: costing needs a valid design. Fix them in the Problems tab.",
                crate::edits::count(errors, "error")
            ));
            return out;
        }
        let Some((priced_at, result)) = &self.pricing.result else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Pricing the design…");
            });
            return out;
        };
        let show_all = &mut self.show_all_nodes;
        let stale = *priced_at != (key, topology.revision());
        let costing = match result {
            Ok(c) => c,
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, format!("Cannot price it: {e}"));
                return out;
            }
        };
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                if stale {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(RichText::new("updating for the latest change…").weak());
                    });
                }
                headline(ui, costing);
                ui.add_space(6.0);
                breakdowns(ui, costing);
                ui.add_space(6.0);
                let resilience = self.resilience.current((key, topology.revision()));
                if let Some(edit) = modes(ui, topology, &costing.comparison, resilience) {
                    out.edit = Some(edit);
                }
                ui.add_space(6.0);
                out.select_node = elements(ui, topology, costing, show_all);
                if !costing.warnings.is_empty() {
                    ui.add_space(6.0);
                    ui.strong("Warnings");
                    for w in &costing.warnings {
                        ui.colored_label(ui.visuals().warn_fg_color, w);
                    }
                }
                ui.add_space(6.0);
                egui::CollapsingHeader::new("What is not priced")
                    .default_open(false)
                    .show(ui, |ui| {
                        for note in &costing.estimate.notes {
                            ui.label(RichText::new(note).small());
                        }
                        ui.label(RichText::new(&costing.catalog).small().weak());
                    });
            });
        out
    }
}

/// Cost per element, largest first; clicking a node selects it.
fn elements(
    ui: &mut Ui,
    topology: &Topology,
    costing: &Costing,
    show_all: &mut bool,
) -> Option<String> {
    let mut select = None;
    ui.strong("By element");
    let shown = if *show_all { usize::MAX } else { 12 };
    egui::Grid::new("cost-elements")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (element, kind, usd) in costing.by_element.iter().take(shown) {
                if topology.contains(element) {
                    if ui.link(element).on_hover_text(kind).clicked() {
                        select = Some(element.clone());
                    }
                } else {
                    ui.label(element);
                }
                ui.label(format_usd(*usd));
                ui.end_row();
            }
        });
    if costing.by_element.len() > 12 {
        let label = if *show_all {
            "Show the top 12".to_owned()
        } else {
            format!("Show all {}", costing.by_element.len())
        };
        if ui.small_button(label).clicked() {
            *show_all = !*show_all;
        }
    }
    select
}

fn headline(ui: &mut Ui, costing: &Costing) {
    let e = &costing.estimate;
    ui.label(RichText::new("Monthly cost").weak());
    ui.label(
        RichText::new(format_usd(e.monthly_usd()))
            .size(26.0)
            .strong(),
    )
    .on_hover_text(&costing.catalog);
    let mut sub = format!("{} · {:.0} h a month", e.variant.label(), e.hours_per_month);
    if e.discount_percent > 0.0 {
        let _ = write!(
            sub,
            " · {} list, {}% discount",
            format_usd(e.list_usd()),
            e.discount_percent
        );
    }
    ui.label(RichText::new(sub).weak());
    let unverified = e.unverified_usd();
    if unverified >= 0.005 {
        ui.label(
            RichText::new(format!(
                "{} of it priced from hand-entered prices no second source confirmed",
                format_usd(unverified)
            ))
            .small()
            .color(ui.visuals().warn_fg_color),
        );
    }
}

/// Per region and per category, as proportional bars.
fn breakdowns(ui: &mut Ui, costing: &Costing) {
    let e = &costing.estimate;
    let total = e.monthly_usd().max(f64::EPSILON);
    ui.strong("By region");
    let slots = e.by_slot();
    bars(
        ui,
        "cost-regions",
        slots
            .iter()
            .enumerate()
            .filter(|(_, usd)| **usd >= 0.005)
            .map(|(s, usd)| (e.slot_name(s).to_owned(), *usd)),
        total,
    );
    ui.add_space(4.0);
    ui.strong("By category");
    bars(
        ui,
        "cost-categories",
        Category::ALL
            .iter()
            .zip(e.by_category())
            .filter(|(_, usd)| *usd >= 0.005)
            .map(|(c, usd)| (c.label().to_owned(), usd)),
        total,
    );
}

fn bars(ui: &mut Ui, id: &str, rows: impl Iterator<Item = (String, f64)>, total: f64) {
    egui::Grid::new(id).num_columns(3).show(ui, |ui| {
        for (label, usd) in rows {
            ui.label(label);
            ui.label(format_usd(usd));
            #[expect(clippy::cast_possible_truncation, reason = "a share for a bar")]
            let share = (usd / total) as f32;
            ui.add(
                egui::ProgressBar::new(share)
                    .desired_width(90.0)
                    .text(format!("{:.0}%", share * 100.0)),
            );
            ui.end_row();
        }
    });
}

/// The deployment modes side by side: a stacked bar chart by category and
/// a table; a button switches the document to a mode.
fn modes(
    ui: &mut Ui,
    topology: &Topology,
    c: &Comparison,
    resilience: Option<&Assessed>,
) -> Option<Labelled> {
    let mut edit = None;
    ui.strong("Deployment modes");
    let mut charts = Vec::new();
    let mut below: Vec<f64> = vec![0.0; c.rows.len()];
    for (ci, category) in Category::ALL.iter().enumerate() {
        let bars: Vec<Bar> = c
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let usd = row.by_category.get(ci).map_or(0.0, |(_, v)| *v);
                let color = category_color(*category);
                let bar = Bar::new(i as f64, usd)
                    .width(0.6)
                    .fill(color.gamma_multiply(0.85))
                    .stroke(egui::Stroke::new(1.0, color))
                    .base_offset(below[i])
                    .name(format!("{}: {}", category.label(), format_usd(usd)));
                below[i] += usd;
                bar
            })
            .collect();
        charts.push(BarChart::new(category.label(), bars).color(category_color(*category)));
    }
    let labels: Vec<&'static str> = c.rows.iter().map(|r| r.variant.short_label()).collect();
    Plot::new("modes-chart")
        .height(170.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .show_grid([false, true])
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 0.01 && i >= 0.0 {
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "checked above"
                )]
                labels
                    .get(i as usize)
                    .map_or(String::new(), |l| (*l).to_owned())
            } else {
                String::new()
            }
        })
        .y_axis_formatter(|mark, _| format!("${}", style::compact(mark.value)))
        .show(ui, |plot| {
            for chart in charts {
                plot.bar_chart(chart);
            }
        });
    // The legend, under the chart rather than over its bars.
    ui.horizontal_wrapped(|ui| {
        for category in Category::ALL {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter()
                .rect_filled(rect, 2.0, category_color(category));
            ui.label(RichText::new(category.label()).small());
            ui.add_space(4.0);
        }
    });
    egui::Grid::new("modes-table")
        .num_columns(4)
        .striped(true)
        .show(ui, |ui| {
            ui.label(RichText::new("mode").weak());
            ui.label(RichText::new("monthly").weak());
            ui.label(RichText::new("vs single").weak());
            ui.label("");
            ui.end_row();
            for row in &c.rows {
                let name = RichText::new(row.label);
                ui.label(if row.current { name.strong() } else { name });
                ui.label(format_usd(row.monthly_usd));
                if row.variant == Variant::Single {
                    ui.label("—");
                } else {
                    ui.label(format!(
                        "{}{} ({:+.0}%)",
                        if row.premium_usd >= 0.0 { "+" } else { "-" },
                        format_usd(row.premium_usd.abs()),
                        row.premium_percent
                    ));
                }
                if row.current {
                    ui.label(RichText::new("current").weak());
                } else if ui
                    .small_button("Use")
                    .on_hover_text(format!("Switch the document to {}", row.label))
                    .clicked()
                {
                    let mut meta = topology.meta().clone();
                    row.variant.apply_to(&mut meta.deployment);
                    edit = Some(Labelled::new(
                        Edit::SetMeta(Box::new(meta)),
                        format!("Deploy as {}", row.label),
                    ));
                }
                ui.end_row();
            }
        });
    ui.add_space(4.0);
    if let Some(assessed) = resilience {
        egui::Grid::new("modes-resilience")
            .num_columns(3)
            .striped(true)
            .show(ui, |ui| {
                ui.label(RichText::new("mode").weak());
                ui.label(RichText::new("availability").weak())
                    .on_hover_text(
                        "From the component SLAs, failover assumed to succeed: the minutes it \
                     takes are the next column",
                    );
                ui.label(RichText::new("region lost").weak()).on_hover_text(
                    "Time back to full service after losing the primary region (simulated)",
                );
                ui.end_row();
                for row in &c.rows {
                    ui.label(row.variant.short_label());
                    match assessed
                        .availability(topology, row.variant)
                        .map(Figure::new)
                    {
                        Some(f) => ui.label(f.percent_text()).on_hover_text(f.short()),
                        None => ui.label("—"),
                    };
                    ui.label(
                        assessed
                            .recovery(topology, row.variant)
                            .map_or_else(|| "—".to_owned(), Recovery::describe),
                    );
                    ui.end_row();
                }
            });
    } else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new("simulating each mode's availability and recovery…").weak());
        });
    }
    for (variant, why) in &c.skipped {
        ui.label(
            RichText::new(format!("{}: {why}", variant.label()))
                .small()
                .weak(),
        );
    }
    for finding in &c.findings {
        ui.label(RichText::new(finding).small());
    }
    edit
}

fn category_color(c: Category) -> egui::Color32 {
    use egui::Color32;
    match c {
        Category::Compute => Color32::from_rgb(237, 113, 0),
        Category::Data => Color32::from_rgb(59, 110, 220),
        Category::Network => Color32::from_rgb(140, 79, 255),
        Category::Transfer => Color32::from_rgb(120, 170, 60),
        Category::Edge => Color32::from_rgb(231, 21, 123),
    }
}
