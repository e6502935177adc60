//! The `crossroads` binary: the command line lives in `crossroads::cli`.

fn main() -> std::process::ExitCode {
    crossroads::cli::main()
}
