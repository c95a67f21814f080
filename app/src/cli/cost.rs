//! `topoplan cost`: the monthly bill of a document, itemised; the deployment
//! modes side by side (`--compare`); and what changed between two versions
//! (`cost diff`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::document::{load_valid, write_json};
use anyhow::{Context as _, bail};
use serde::Serialize;
use topoplan_core::availability::Figure;
use topoplan_core::availability::modes::Assessed;
use topoplan_core::availability::topology::Options;
use topoplan_core::cost::{
    self, Catalog, Category, Comparison, CostDiff, Estimate, LineItem, Variant, format_usd,
};

/// Dispatches `topoplan cost ...`.
pub(super) fn run(
    sub: Option<super::CostCommand>,
    file: Option<PathBuf>,
    region: Option<&str>,
    compare_modes: bool,
    as_json: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<ExitCode> {
    match (sub, file) {
        (Some(super::CostCommand::Diff { old, new, json }), _) => diff(&old, &new, json, out),
        (None, Some(file)) if compare_modes => compare(&file, as_json, out),
        (None, Some(file)) => cost(&file, region, as_json, out),
        (None, None) => bail!("topoplan cost needs a FILE (or: topoplan cost diff OLD NEW)"),
    }
}

fn catalog() -> anyhow::Result<&'static Catalog> {
    Ok(Catalog::embedded()?)
}

#[derive(Serialize)]
struct CatalogInfo {
    description: String,
    ec2_date: String,
    services_date: String,
}

fn catalog_info(c: &Catalog) -> CatalogInfo {
    CatalogInfo {
        description: c.describe(),
        ec2_date: c.ec2_date.clone(),
        services_date: c.services_date.clone(),
    }
}

#[derive(Serialize)]
struct CostJson<'a> {
    file: String,
    name: &'a str,
    variant: Variant,
    hours_per_month: f64,
    discount_percent: f64,
    catalog: CatalogInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    list_usd: f64,
    monthly_usd: f64,
    /// Of `monthly_usd`, what hand-entered prices no second source confirmed make up.
    unverified_usd: f64,
    by_region: Vec<(String, f64)>,
    by_category: Vec<(Category, f64)>,
    lines: Vec<LineItem>,
    warnings: Vec<String>,
    notes: &'a [String],
}

/// `topoplan cost FILE [--region R] [--json]`
pub(super) fn cost(
    path: &Path,
    region: Option<&str>,
    as_json: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<ExitCode> {
    let t = load_valid(path)?;
    let catalog = catalog()?;
    let variant = Variant::of(&t.meta().deployment);
    let estimate =
        cost::estimate_variant(&t, catalog, variant).with_context(|| path.display().to_string())?;
    if let Some(r) = region
        && !estimate.regions.iter().any(|x| x == r)
        && r != "global"
    {
        bail!(
            "--region {r}: not a region of {} (regions: {}, global)",
            path.display(),
            estimate.regions.join(", ")
        );
    }
    let mut lines = estimate.lines(&t);
    if let Some(r) = region {
        lines.retain(|l| l.region == r);
    }
    let factor = estimate.discount_factor();
    let list_usd: f64 = lines.iter().map(|l| l.list_usd).sum();
    let unverified: f64 = lines
        .iter()
        .filter(|l| !l.verified)
        .map(|l| l.monthly_usd)
        .sum();
    if as_json {
        let by_region = estimate
            .by_slot()
            .iter()
            .enumerate()
            .map(|(s, v)| (estimate.slot_name(s).to_owned(), *v))
            .filter(|(r, _)| region.is_none_or(|x| x == r))
            .collect();
        let by_category = Category::ALL
            .iter()
            .map(|&c| {
                (
                    c,
                    lines
                        .iter()
                        .filter(|l| l.category == c)
                        .map(|l| l.monthly_usd)
                        .sum(),
                )
            })
            .collect();
        let json = CostJson {
            file: path.display().to_string(),
            name: &t.meta().name,
            variant,
            hours_per_month: estimate.hours_per_month,
            discount_percent: estimate.discount_percent,
            catalog: catalog_info(catalog),
            region,
            list_usd,
            monthly_usd: list_usd * factor,
            unverified_usd: unverified,
            by_region,
            by_category,
            lines,
            warnings: estimate.warning_texts(&t, None),
            notes: &estimate.notes,
        };
        return write_json(out, &json);
    }
    let mut s = String::new();
    writeln!(
        s,
        "{} ({}): {}, {} hours a month",
        t.meta().name,
        path.display(),
        variant.label(),
        estimate.hours_per_month
    )?;
    writeln!(s, "Prices: {}", catalog.describe())?;
    write_lines(&mut s, &estimate, &lines)?;
    writeln!(s)?;
    let total = list_usd * factor;
    if estimate.discount_percent > 0.0 {
        writeln!(s, "{:<64}{:>16}", "List price", format_usd(list_usd))?;
        writeln!(
            s,
            "{:<64}{:>16}",
            format!("Discount {}%", estimate.discount_percent),
            format_usd(total - list_usd)
        )?;
    }
    let label = match region {
        Some(r) => format!("Total a month in {r}"),
        None => "Total a month".to_owned(),
    };
    writeln!(s, "{label:<64}{:>16}", format_usd(total))?;
    let mut cats = Vec::new();
    for c in Category::ALL {
        let v: f64 = lines
            .iter()
            .filter(|l| l.category == c)
            .map(|l| l.monthly_usd)
            .sum();
        if v > 0.0 {
            cats.push(format!("{} {}", c.label(), format_usd(v)));
        }
    }
    writeln!(s, "By category: {}", cats.join(" · "))?;
    let unverified_lines = lines.iter().filter(|l| !l.verified).count();
    if unverified_lines > 0 {
        writeln!(
            s,
            "~ {unverified_lines} line item(s), {} of the total, use hand-entered prices no second source confirmed (assets/pricing/NOTICE); set the ones that matter in \"pricing\": {{\"overrides\": {{KEY: USD}}}} (KEYs: topoplan cost --json)",
            format_usd(unverified)
        )?;
    }
    if lines.iter().any(|l| l.overridden) {
        writeln!(s, "* priced by the document's pricing.overrides")?;
    }
    for w in estimate.warning_texts(&t, Some(20)) {
        writeln!(s, "warning: {w}")?;
    }
    for n in &estimate.notes {
        writeln!(s, "note: {n}")?;
    }
    out.write_all(s.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// Quantities with thousands separators and sensible precision.
fn quantity(v: f64) -> String {
    let text = if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    };
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), ""), |(a, b)| (a, b));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        grouped
    } else {
        format!("{grouped}.{frac}")
    }
}

fn unit_price(l: &LineItem) -> String {
    let mark = if l.overridden {
        "*"
    } else if l.verified {
        ""
    } else {
        "~"
    };
    let tier = if l.tiered { " tiered" } else { "" };
    format!("{mark}{}{tier}", trim_price(l.unit_usd))
}

/// A unit price with as many decimals as it needs (at least two).
fn trim_price(usd: f64) -> String {
    let text = format!("{usd:.6}");
    let text = text.trim_end_matches('0');
    match text.split_once('.') {
        Some((_, frac)) if frac.len() < 2 => format!("{usd:.2}"),
        _ => text.to_owned(),
    }
}

fn write_lines(s: &mut String, e: &Estimate, lines: &[LineItem]) -> std::fmt::Result {
    let factor = e.discount_factor();
    let mut region: Option<&str> = None;
    let mut element: Option<&str> = None;
    let mut subtotal = 0.0;
    let header = format!(
        "\n{:<58}{:>14}  {:<12}{:>14}{:>14}",
        "", "quantity", "unit", "unit price", "list USD"
    );
    for l in lines {
        if region != Some(l.region.as_str()) {
            if let Some(r) = region {
                region_total(s, r, subtotal * factor)?;
            }
            region = Some(&l.region);
            element = None;
            subtotal = 0.0;
            writeln!(s, "{header}")?;
            writeln!(s, "{}", l.region)?;
        }
        if element != Some(l.element.as_str()) {
            element = Some(&l.element);
            writeln!(s, "  {} ({})", l.element, l.kind)?;
        }
        subtotal += l.list_usd;
        writeln!(
            s,
            "    {:<54}{:>14}  {:<12}{:>14}{:>14}",
            clip(&l.name, 54),
            quantity(l.quantity),
            l.unit,
            unit_price(l),
            format!("{:.2}", l.list_usd)
        )?;
        if !l.detail.is_empty() {
            writeln!(s, "      {}", l.detail)?;
        }
    }
    if let Some(r) = region {
        region_total(s, r, subtotal * factor)?;
    }
    Ok(())
}

fn region_total(s: &mut String, region: &str, usd: f64) -> std::fmt::Result {
    writeln!(
        s,
        "  {:<100}{:>12}",
        format!("{region} total"),
        format_usd(usd)
    )
}

fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut t: String = text.chars().take(width - 1).collect();
        t.push('…');
        t
    }
}

#[derive(Serialize)]
struct CompareJson<'a> {
    file: String,
    name: &'a str,
    catalog: CatalogInfo,
    #[serde(flatten)]
    comparison: &'a Comparison,
}

/// `topoplan cost FILE --compare`
pub(super) fn compare(
    path: &Path,
    as_json: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<ExitCode> {
    let t = load_valid(path)?;
    let catalog = catalog()?;
    let c = cost::compare(&t, catalog, &Assessed::new(&t, Options::default()))
        .with_context(|| path.display().to_string())?;
    if as_json {
        let json = CompareJson {
            file: path.display().to_string(),
            name: &t.meta().name,
            catalog: catalog_info(catalog),
            comparison: &c,
        };
        return write_json(out, &json);
    }
    let mut s = String::new();
    let regions: Vec<&str> = t.meta().regions.iter().map(|r| r.id.as_str()).collect();
    writeln!(
        s,
        "{} ({}): the same topology under each deployment mode ({})",
        t.meta().name,
        path.display(),
        regions.join(", ")
    )?;
    writeln!(s, "Prices: {}", catalog.describe())?;
    let availability = c.rows.iter().any(|r| r.availability.is_some());
    let rto = c.rows.iter().any(|r| r.recovery.is_some());
    writeln!(s)?;
    let mut head = format!("{:<32}{:>16}{:>24}", "mode", "monthly", "premium vs single");
    if availability {
        let _ = write!(head, "{:>34}", "availability");
    }
    if rto {
        let _ = write!(head, "{:>22}", "RTO (region lost)");
    }
    writeln!(s, "{head}")?;
    for row in &c.rows {
        let premium = if row.variant == Variant::Single {
            "—".to_owned()
        } else {
            format!(
                "+{} ({:+.0}%)",
                format_usd(row.premium_usd).trim_start_matches('-'),
                row.premium_percent
            )
            .replace("+-", "-")
        };
        let mut line = format!(
            "{:<32}{:>16}{:>24}",
            row.label,
            format_usd(row.monthly_usd),
            premium
        );
        if availability {
            let _ = write!(
                line,
                "{:>34}",
                row.availability
                    .map_or_else(|| "—".to_owned(), |a| Figure::new(a).short())
            );
        }
        if rto {
            let _ = write!(
                line,
                "{:>22}",
                row.recovery
                    .map_or_else(|| "—".to_owned(), cost::Recovery::describe)
            );
        }
        if row.current {
            line.push_str("   ← this document's mode");
        }
        writeln!(s, "{line}")?;
    }
    for (v, why) in &c.skipped {
        writeln!(s, "{:<32}{:>16}   {why}", v.label(), "n/a")?;
    }
    if c.rows.len() > 1 {
        writeln!(s)?;
        let mut head = format!("{:<16}", "by category");
        for row in &c.rows {
            let _ = write!(head, "{:>16}", row.variant.short_label());
        }
        writeln!(s, "{head}")?;
        for (i, cat) in Category::ALL.iter().enumerate() {
            let mut line = format!("{:<16}", cat.label());
            for row in &c.rows {
                let _ = write!(line, "{:>16}", format_usd(row.by_category[i].1));
            }
            writeln!(s, "{line}")?;
        }
        let mut line = format!("{:<16}", "total");
        for row in &c.rows {
            let _ = write!(line, "{:>16}", format_usd(row.monthly_usd));
        }
        writeln!(s, "{line}")?;
    }
    if !c.findings.is_empty() {
        writeln!(s, "\nDoes active-active double the bill?")?;
        for f in &c.findings {
            writeln!(s, "  - {f}")?;
        }
    }
    for row in &c.rows {
        for w in &row.warnings {
            writeln!(s, "warning ({}): {w}", row.label)?;
        }
    }
    out.write_all(s.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct DiffJson<'a> {
    old: String,
    new: String,
    catalog: CatalogInfo,
    #[serde(flatten)]
    diff: &'a CostDiff,
}

/// `topoplan cost diff OLD NEW`
pub(super) fn diff(
    old_path: &Path,
    new_path: &Path,
    as_json: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<ExitCode> {
    let catalog = catalog()?;
    let old_t = load_valid(old_path)?;
    let new_t = load_valid(new_path)?;
    let old = cost::estimate_variant(&old_t, catalog, Variant::of(&old_t.meta().deployment))
        .with_context(|| old_path.display().to_string())?;
    let new = cost::estimate_variant(&new_t, catalog, Variant::of(&new_t.meta().deployment))
        .with_context(|| new_path.display().to_string())?;
    let d = cost::diff(&old_t, &old, &new_t, &new);
    if as_json {
        let json = DiffJson {
            old: old_path.display().to_string(),
            new: new_path.display().to_string(),
            catalog: catalog_info(catalog),
            diff: &d,
        };
        return write_json(out, &json);
    }
    let mut s = String::new();
    writeln!(
        s,
        "{} → {}: {} → {} a month ({}{}, {:+.1}%)",
        old_path.display(),
        new_path.display(),
        format_usd(d.old_usd),
        format_usd(d.new_usd),
        if d.delta_usd >= 0.0 { "+" } else { "" },
        format_usd(d.delta_usd),
        d.delta_percent
    )?;
    writeln!(s, "Prices: {}", catalog.describe())?;
    for setting in &d.settings {
        writeln!(s, "changed: {setting}")?;
    }
    if d.changes.is_empty() {
        writeln!(s, "\nno line item changed")?;
    } else {
        writeln!(
            s,
            "\n{:>14}  {:<40}{:<16}what",
            "monthly", "element", "region"
        )?;
        for ch in &d.changes {
            let name = match &ch.old_name {
                Some(old) => format!("{old} → {}", ch.name),
                None => ch.name.clone(),
            };
            let what = match ch.kind {
                cost::diff::ChangeKind::Added => format!("added: {name}"),
                cost::diff::ChangeKind::Removed => format!("removed: {name}"),
                cost::diff::ChangeKind::Changed => format!(
                    "{name}: {} → {} {}",
                    quantity(ch.old_quantity),
                    quantity(ch.new_quantity),
                    ch.unit
                ),
            };
            writeln!(
                s,
                "{:>14}  {:<40}{:<16}{what}",
                format!(
                    "{}{}",
                    if ch.delta_usd >= 0.0 { "+" } else { "" },
                    format_usd(ch.delta_usd)
                ),
                clip(&ch.element, 39),
                ch.region,
            )?;
        }
    }
    writeln!(s, "\nby region:")?;
    for (r, a, b) in &d.by_region {
        writeln!(
            s,
            "  {r:<16}{:>14} → {:>14}",
            format_usd(*a),
            format_usd(*b)
        )?;
    }
    out.write_all(s.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
