//! `ddesk`, the command line: the program itself is the library `ddesk_cli`, so that the
//! tests can build it with their own dependency features (tests/src/bin/ddesk_under_test.rs).

/// A print of 1,000 badges allocates and frees millions of small pieces (typst's layout, the
/// PDF's objects) on both cores; glibc's allocator and the page faults of its growing heap
/// were a tenth of the run. With mimalloc the badges took 0.73 s where they took 0.85 s, and
/// the participant list 0.27 s where it took 0.32 s (medians of nine, in turn). Its version 2:
/// version 3 held 60 MB more at the peak, over the 250 MB the badges may take. The command
/// line runs and exits; the app, open all day beside WebKitGTK and held to a memory share,
/// keeps the system's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    ddesk_cli::main()
}
