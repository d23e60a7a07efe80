//! What every command reaches: the open event library, or why it could not be opened.

use ddesk_core::Store;

use crate::error::CommandError;

#[derive(Debug)]
pub struct AppState {
    store: Result<Store, (&'static str, String)>,
}

impl AppState {
    pub fn new(store: Result<Store, ddesk_core::Error>) -> Self {
        AppState {
            store: store.map_err(|e| (e.code(), e.to_string())),
        }
    }

    /// The library; when it could not be opened every command answers with the reason, so the
    /// window can tell the officer instead of failing silently.
    pub fn store(&self) -> Result<&Store, CommandError> {
        self.store.as_ref().map_err(|(code, message)| CommandError {
            code,
            message: message.clone(),
            fields: Vec::new(),
            count: None,
        })
    }
}
