//! `topoplan`: with no arguments, the desktop app; with a command, the CLI.

/// mimalloc rather than the system allocator: the Terraform export and the
/// engines build and free millions of small values, and glibc's `malloc`
/// was a third of a large export's time (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    topoplan::cli::main()
}
