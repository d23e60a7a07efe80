//! `ddesk`, the command line: the program itself lives in `ddesk_core::cli`.

fn main() -> std::process::ExitCode {
    ddesk_core::cli::main()
}
