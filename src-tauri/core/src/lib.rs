//! Delegation Desk engine: domain records, validation, the SQLite event library, reference
//! lists, the demo events, importing registration spreadsheets and printing (PDF through
//! typst). No Tauri here: the desktop shell (`src-tauri`) and the `ddesk` command line
//! (`src-tauri/cli`) both sit on top of this crate.

pub mod audience;
pub mod checks;
pub mod dashboard;
pub mod dates;
pub mod demo;
pub mod error;
pub mod export;
pub mod fields;
pub mod files;
pub mod generate;
pub mod import;
pub mod model;
pub mod print;
pub mod protocol;
pub mod queries;
pub mod reference;
pub mod registration;
pub mod reuse;
pub mod roster;
pub mod store;
pub mod text;
pub mod transport;
pub mod ui_module;
pub mod validate;
pub mod words;

pub use error::{Error, FieldError, Result};
pub use store::Store;
