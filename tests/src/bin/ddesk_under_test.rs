//! The `ddesk` command line built inside the test crate, so `cargo test` hands its path to the
//! tests (`CARGO_BIN_EXE_…`) and builds it with the tests' own dependency features: asking
//! cargo for the engine's binary from a test used to compile the whole engine a second time.

fn main() -> std::process::ExitCode {
    ddesk_cli::main()
}
