//! The `inloop` binary; everything happens in `inloop_cli::cli`.

fn main() -> std::process::ExitCode {
    inloop_cli::cli::main()
}
