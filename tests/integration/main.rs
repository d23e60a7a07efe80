//! Integration tests of the engine and the `ddesk` CLI, as one test binary.

mod audience;
mod backups;
mod cli;
mod crash;
mod demo;
mod ground;
mod hostile;
mod import;
mod letters;
mod library;
mod officer;
mod outputs;
mod print;
mod privacy;
mod protocol;
mod records;
mod roundtrip;
mod scale;
mod search;
mod sync;
mod trust;
mod undo;
