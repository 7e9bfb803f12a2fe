//! The `inloop` binary; everything happens in `inloop_app::cli`.

fn main() -> std::process::ExitCode {
    inloop_app::cli::main()
}
