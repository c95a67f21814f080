//! Commands about documents: `check`, `templates`, `new`, `fmt`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::fmt::Write as _;

use anyhow::{Context as _, bail};
use serde::Serialize;
use topoplan_core::model::{io, json};
use topoplan_core::{Diagnostic, Topology, templates};

#[derive(Serialize)]
struct CheckResult<'a> {
    file: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    nodes: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    edges: Option<usize>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    #[serde(skip)]
    _marker: std::marker::PhantomData<&'a ()>,
}

pub(super) fn check(
    files: &[PathBuf],
    as_json: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<ExitCode> {
    let mut results = Vec::with_capacity(files.len());
    for path in files {
        let file = path.display().to_string();
        let result = match io::load(path) {
            Ok(loaded) => CheckResult {
                file,
                ok: loaded.report.is_ok(),
                nodes: Some(loaded.topology.node_count()),
                edges: Some(loaded.topology.edge_count()),
                errors: loaded.report.errors,
                warnings: loaded.report.warnings,
                _marker: std::marker::PhantomData,
            },
            Err(err) => CheckResult {
                file,
                ok: false,
                nodes: None,
                edges: None,
                errors: err.diagnostics(),
                warnings: Vec::new(),
                _marker: std::marker::PhantomData,
            },
        };
        results.push(result);
    }
    let all_ok = results.iter().all(|r| r.ok);
    if as_json {
        serde_json::to_writer_pretty(&mut *out, &results)?;
        writeln!(out)?;
    } else {
        for r in &results {
            let counts = match (r.nodes, r.edges) {
                (Some(n), Some(e)) => format!(" ({n} nodes, {e} edges)"),
                _ => String::new(),
            };
            let verdict = if r.ok {
                match r.warnings.len() {
                    0 => "ok".to_owned(),
                    1 => "ok, 1 warning".to_owned(),
                    n => format!("ok, {n} warnings"),
                }
            } else {
                match r.errors.len() {
                    1 => "1 error".to_owned(),
                    n => format!("{n} errors"),
                }
            };
            for d in r.errors.iter().chain(&r.warnings) {
                writeln!(out, "{}: {d}", r.file)?;
            }
            writeln!(out, "{}: {verdict}{counts}", r.file)?;
        }
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub(super) fn list_templates(
    as_json: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<ExitCode> {
    #[derive(Serialize)]
    struct Row {
        name: &'static str,
        title: String,
        description: String,
        nodes: usize,
        regions: usize,
    }
    let rows: Vec<Row> = templates::TEMPLATES
        .iter()
        .map(|t| {
            let doc = t
                .load()
                .map_err(|e| anyhow::anyhow!("template {} is invalid: {}", t.name, e[0]))?;
            Ok(Row {
                name: t.name,
                title: doc.meta().name.clone(),
                description: doc.meta().description.clone().unwrap_or_default(),
                nodes: doc.node_count(),
                regions: doc.meta().regions.len(),
            })
        })
        .collect::<anyhow::Result<_>>()?;
    if as_json {
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        writeln!(out)?;
    } else {
        let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
        for r in &rows {
            writeln!(
                out,
                "{:width$}  {} ({} nodes, {} region{})",
                r.name,
                r.title,
                r.nodes,
                r.regions,
                if r.regions == 1 { "" } else { "s" }
            )?;
            writeln!(out, "{:width$}  {}", "", r.description)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn new(
    template: &str,
    path: &Path,
    force: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<ExitCode> {
    let Some(t) = templates::find(template) else {
        let names: Vec<&str> = templates::TEMPLATES.iter().map(|t| t.name).collect();
        anyhow::bail!(
            "no template named {template:?}; templates: {}",
            names.join(", ")
        );
    };
    if path.exists() && !force {
        anyhow::bail!("{} exists; pass --force to overwrite it", path.display());
    }
    let doc = t
        .load()
        .map_err(|e| anyhow::anyhow!("template {} is invalid: {}", t.name, e[0]))?;
    io::save(path, &doc)?;
    writeln!(out, "wrote {} from template {}", path.display(), t.name)?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn fmt(
    files: &[PathBuf],
    check_only: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<ExitCode> {
    let mut unformatted = 0;
    for path in files {
        let loaded = io::load(path)?;
        let canonical = json::to_string(&loaded.topology);
        let current = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        if current == canonical {
            continue;
        }
        unformatted += 1;
        if check_only {
            writeln!(out, "{}: not in canonical form", path.display())?;
        } else {
            io::write_atomic(path, canonical.as_bytes())?;
            writeln!(out, "formatted {}", path.display())?;
        }
    }
    Ok(if check_only && unformatted > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads a document and refuses one with errors: the engines need a valid
/// design (exit 2 with the first errors).
pub(super) fn load_valid(path: &Path) -> anyhow::Result<Topology> {
    let loaded = io::load(path)?;
    if !loaded.report.is_ok() {
        let mut text = format!(
            "{} has {} error(s); fix them first (topoplan check {}):",
            path.display(),
            loaded.report.errors.len(),
            path.display()
        );
        for d in loaded.report.errors.iter().take(5) {
            let _ = write!(text, "\n  {d}");
        }
        bail!(text);
    }
    Ok(loaded.topology)
}

/// Writes `value` as pretty JSON: the `--json` output of every command.
pub(super) fn write_json(
    out: &mut dyn std::io::Write,
    value: &impl Serialize,
) -> anyhow::Result<ExitCode> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}
