//! `export terraform`: a document as a Terraform root module.

use std::path::Path;
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use serde::Serialize;
use topoplan_core::model::io;
use topoplan_exports::terraform::{
    self, ExportError, ExportOptions, ExportWarning, NatGateways, WriteError, WriteOptions,
    WriteReport,
};

#[derive(Debug, Subcommand)]
pub enum Target {
    /// Write a Terraform root module for the document into DIR.
    ///
    /// Refuses documents with errors, and refuses to overwrite files it did
    /// not write or that were edited since it wrote them (see --force).
    /// Warnings name the nodes the export could not express.
    Terraform {
        /// The topology document.
        file: std::path::PathBuf,
        /// The directory to write (created if missing).
        #[arg(long, short)]
        out: std::path::PathBuf,
        /// NAT gateways: one per AZ running services (highly available), or
        /// one per region (cheaper).
        #[arg(long, value_enum, default_value_t = Nat::PerAz)]
        nat: Nat,
        /// Overwrite files in the way (foreign or edited).
        #[arg(long)]
        force: bool,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Nat {
    PerAz,
    PerRegion,
}

#[derive(Serialize)]
struct Report<'a> {
    file: String,
    out: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    written: Option<&'a WriteReport>,
    warnings: &'a [ExportWarning],
    required_variables: Vec<&'a str>,
    resources: usize,
}

pub(super) fn run(target: Target, out: &mut dyn std::io::Write) -> anyhow::Result<ExitCode> {
    let Target::Terraform {
        file,
        out: dir,
        nat,
        force,
        json,
    } = target;
    let loaded = io::load(&file)?;
    let mut options = ExportOptions::default();
    options.nat_gateways = match nat {
        Nat::PerAz => NatGateways::PerAz,
        Nat::PerRegion => NatGateways::PerRegion,
    };
    let export = match terraform::export(&loaded.topology, &options) {
        Ok(export) => export,
        Err(err @ ExportError::Invalid(_)) => {
            return fail(&file, &dir, &err.to_string(), json, out);
        }
        Err(err) => return Err(err.into()),
    };
    let written = match export.write_to(&dir, &WriteOptions::force(force)) {
        Ok(report) => report,
        Err(err @ WriteError::Refused { .. }) => {
            return fail(&file, &dir, &err.to_string(), json, out);
        }
        Err(err) => return Err(err.into()),
    };
    let required: Vec<&str> = export
        .variables()
        .iter()
        .filter(|v| v.required)
        .map(|v| v.name.as_str())
        .collect();
    if json {
        let report = Report {
            file: file.display().to_string(),
            out: dir.display().to_string(),
            ok: true,
            error: None,
            written: Some(&written),
            warnings: export.warnings(),
            required_variables: required,
            resources: export.resources().len(),
        };
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    for w in export.warnings() {
        writeln!(out, "{}: warning: {w}", file.display())?;
    }
    writeln!(
        out,
        "{}: wrote {} files ({} unchanged{}) with {} resources to {}",
        file.display(),
        written.written.len(),
        written.unchanged.len(),
        if written.removed.is_empty() {
            String::new()
        } else {
            format!(
                ", {} removed: {}",
                written.removed.len(),
                written.removed.join(", ")
            )
        },
        export.resources().len(),
        dir.display()
    )?;
    if !required.is_empty() {
        writeln!(
            out,
            "set before applying: {} (see {})",
            required.join(", "),
            Path::new(&dir).join("terraform.tfvars.example").display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn fail(
    file: &Path,
    dir: &Path,
    message: &str,
    json: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<ExitCode> {
    if json {
        let report = Report {
            file: file.display().to_string(),
            out: dir.display().to_string(),
            ok: false,
            error: Some(message.to_owned()),
            written: None,
            warnings: &[],
            required_variables: Vec::new(),
            resources: 0,
        };
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}: {message}", file.display())?;
    }
    Ok(ExitCode::from(1))
}
