//! The command line: the same engine as the window, for scripts and CI.
//!
//! Exit codes: 0 success; 1 the command ran and found problems (`check`
//! found errors, `fmt --check` found unformatted files); 2 bad usage or
//! input that could not be read.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use topoplan_core::templates;

mod autoscale;
mod aws;
mod cost;
mod document;
mod export;
mod sim;

#[derive(Debug, Parser)]
#[command(
    name = "topoplan",
    version,
    about = "Draw cloud service topologies; simulate failures, price them and ship them as Terraform.",
    long_about = "Without a command, opens the desktop app (on FILE, or on the default template).",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// A topology document to open in the desktop app.
    pub file: Option<PathBuf>,
    /// Open the desktop app on its What-if tab with these elements failed,
    /// comma-separated as `simulate --fail` takes them
    /// (`az:us-east-1a,node:orders-db`; `none` for nothing failed).
    #[arg(long = "what-if", value_name = "ELEMENTS")]
    pub what_if: Option<String>,
    /// Open the desktop app on this tab of the right-hand panel.
    #[arg(long, value_enum)]
    pub tab: Option<crate::app::Tab>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate documents: exit 0 when all are valid, 1 when any has errors.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// List the starter templates.
    Templates {
        #[arg(long)]
        json: bool,
    },
    /// Start a new document from a template.
    New {
        /// Template name (see `topoplan templates`).
        #[arg(long, short, default_value = templates::DEFAULT)]
        template: String,
        /// Where to write the document.
        out: PathBuf,
        /// Overwrite OUT if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Monthly cost, itemised; `--compare` prices every deployment mode; `cost diff OLD NEW`.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Cost {
        #[command(subcommand)]
        diff: Option<CostCommand>,
        /// The document to price.
        #[arg(required = true)]
        file: Option<PathBuf>,
        /// Only the line items of this region (or `global`).
        #[arg(long, conflicts_with = "compare")]
        region: Option<String>,
        /// Single region vs active-passive (pilot light, warm standby) vs active-active.
        #[arg(long)]
        compare: bool,
        /// Machine-readable output (every line item with its price key).
        #[arg(long)]
        json: bool,
    },
    /// Autoscaling over the daily profile: reactive target tracking vs predictive, per group.
    Autoscale {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Rewrite documents in canonical form (every setting written out, stable order).
    Fmt {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Only report files that are not in canonical form (exit 1 if any).
        #[arg(long)]
        check: bool,
    },
    /// What a set of failures does: served traffic, node states, recovery timeline.
    Simulate {
        file: PathBuf,
        /// A failed element: region:ID, az:ID, node:ID, node:ID@REGION,
        /// edge:FROM->TO or degraded:ID=FRACTION. Repeat for several.
        #[arg(long, value_name = "ELEMENT")]
        fail: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every single failure (and pairs with --pairs), ranked; the single points of failure.
    Spof {
        file: PathBuf,
        /// Also every pair of elements that are not SPOFs alone.
        #[arg(long)]
        pairs: bool,
        /// Rows shown per table.
        #[arg(long, default_value_t = 25)]
        top: usize,
        #[arg(long)]
        json: bool,
    },
    /// End-to-end availability: %, nines, downtime per month and year.
    Availability {
        file: PathBuf,
        /// Use Monte Carlo with this many trials (exact evaluation otherwise, where possible).
        #[arg(long)]
        trials: Option<u64>,
        /// Seed of the Monte Carlo draws.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
    /// Export a document: `export terraform FILE -o DIR`.
    Export {
        #[command(subcommand)]
        target: export::Target,
    },
    /// `plan aws` and `apply aws`: the autoscaling groups against an AWS account.
    #[command(flatten)]
    Aws(aws::AwsCommand),
}

#[derive(Debug, Subcommand)]
pub enum CostCommand {
    /// What changed between two versions of a document, and by how much.
    Diff {
        old: PathBuf,
        new: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

/// Parses the arguments and runs; `None` means "open the window".
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => {
            let what_if = match cli.what_if.as_deref().map(what_if_failures).transpose() {
                Ok(w) => w,
                Err(err) => return fail(&err.into()),
            };
            match crate::app::run(cli.file, cli.tab, what_if) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => fail(&err),
            }
        }
        Some(command) => match run(command, &mut std::io::stdout().lock()) {
            Ok(code) => code,
            Err(err) => fail(&err),
        },
    }
}

/// The elements of `--what-if`.
fn what_if_failures(
    list: &str,
) -> Result<Vec<topoplan_core::sim::Failure>, topoplan_core::sim::ScenarioError> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "none")
        .map(topoplan_core::sim::Failure::parse)
        .collect()
}

fn fail(err: &anyhow::Error) -> ExitCode {
    eprintln!("topoplan: {err:#}");
    ExitCode::from(2)
}

/// Runs one command, writing its report to `out`.
pub fn run(command: Command, out: &mut dyn std::io::Write) -> anyhow::Result<ExitCode> {
    match command {
        Command::Check { files, json } => document::check(&files, json, out),
        Command::Templates { json } => document::list_templates(json, out),
        Command::New {
            template,
            out: path,
            force,
        } => document::new(&template, &path, force, out),
        Command::Fmt { files, check } => document::fmt(&files, check, out),
        Command::Autoscale { file, json } => autoscale::run(&file, json, out),
        Command::Cost {
            diff,
            file,
            region,
            compare,
            json,
        } => cost::run(diff, file, region.as_deref(), compare, json, out),
        Command::Aws(command) => aws::run(command, out),
        Command::Export { target } => export::run(target, out),
        Command::Simulate { file, fail, json } => sim::simulate(&file, &fail, json, out),
        Command::Spof {
            file,
            pairs,
            top,
            json,
        } => sim::spof(&file, pairs, top, json, out),
        Command::Availability {
            file,
            trials,
            seed,
            json,
        } => sim::availability(&file, trials, seed, json, out),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;
    use topoplan_core::sim::Failure;

    use super::*;

    #[test]
    fn what_if_opens_the_window_with_those_elements_failed() {
        let cli = Cli::try_parse_from([
            "topoplan",
            "shop.json",
            "--what-if",
            "az:us-east-1a, node:db",
        ])
        .unwrap();
        assert!(cli.command.is_none());
        let failures = what_if_failures(cli.what_if.as_deref().unwrap()).unwrap();
        assert_eq!(
            failures,
            [
                Failure::Az {
                    id: "us-east-1a".to_owned()
                },
                Failure::Node {
                    id: "db".to_owned(),
                    region: None
                }
            ]
        );
        assert_eq!(what_if_failures("none").unwrap(), []);
        assert!(what_if_failures("rack:7").is_err());
    }

    #[test]
    fn tab_opens_the_window_on_a_tab() {
        let cli = Cli::try_parse_from(["topoplan", "shop.json", "--tab", "cost"]).unwrap();
        assert_eq!(cli.tab, Some(crate::app::Tab::Cost));
        let cli = Cli::try_parse_from(["topoplan", "--tab", "what-if"]).unwrap();
        assert_eq!(cli.tab, Some(crate::app::Tab::WhatIf));
        assert!(Cli::try_parse_from(["topoplan", "--tab", "bills"]).is_err());
    }
}
