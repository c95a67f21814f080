//! `topoplan`: with no arguments, the desktop app; with a command, the CLI.

fn main() -> std::process::ExitCode {
    topoplan::cli::main()
}
