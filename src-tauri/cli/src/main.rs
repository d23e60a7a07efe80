//! `ddesk`, the command line: the program itself is the library `ddesk_cli`, so that the
//! tests can build it with their own dependency features (tests/src/bin/ddesk_under_test.rs).

fn main() -> std::process::ExitCode {
    ddesk_cli::main()
}
