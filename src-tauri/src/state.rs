//! What every command reaches: the open event library, or why it could not be opened. The
//! library can be swapped while the app runs (restoring a backup), so it sits behind a lock
//! that commands hold only for the length of one engine call.

use std::collections::HashMap;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, RwLock, RwLockReadGuard};
use std::thread::JoinHandle;

use ddesk_core::import::{Preview, Table};
use ddesk_core::words::Text;
use ddesk_core::Store;

use crate::error::CommandError;
use crate::startup::Startup;

type Opened = Result<Store, (&'static str, String, Option<Text>)>;

/// The library being opened on a thread of its own while the window starts.
pub type Opening = JoinHandle<Result<Store, ddesk_core::Error>>;

#[derive(Debug)]
pub struct AppState {
    /// Filled by the first command from `opening`: it waits for the open to finish.
    store: OnceLock<RwLock<Opened>>,
    /// Opening the library checks the whole file (`quick_check`: about 90 ms at 20,000
    /// officials) and may seed or migrate it. That runs beside GTK's and WebKit's start (some
    /// 200 ms before the page can ask for anything) instead of before it.
    opening: Mutex<Option<Opening>>,
    /// Where the library lives, known even when it could not be opened (to offer a backup).
    pub library: Option<PathBuf>,
    pub startup: Startup,
    /// The registration file being imported, between reading it and committing it.
    import: Mutex<Option<Arc<Table>>>,
    /// The preview last shown for that file, which the commit may write without checking
    /// every row again (the engine decides whether it still holds).
    preview: Mutex<Option<Preview>>,
    /// What this run of the app wrote (PDFs, spreadsheets, itineraries or their folder), by
    /// the token the window received for it: the window can ask to open only these, never a
    /// path of its choosing (issue 15).
    outputs: Mutex<HashMap<String, PathBuf>>,
    /// A team-sync bundle the app was opened with, or handed by a second launch (a
    /// double-click while the window is open), until it is received.
    pub opened_bundle: Mutex<Option<PathBuf>>,
}

/// The open library, borrowed for one command.
#[derive(Debug)]
pub struct StoreRef<'a>(RwLockReadGuard<'a, Opened>);

impl Deref for StoreRef<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        match &*self.0 {
            Ok(store) => store,
            // `AppState::store` hands out a StoreRef only for an open library.
            Err(_) => unreachable!("StoreRef of a library that is not open"),
        }
    }
}

fn opened(store: Result<Store, ddesk_core::Error>) -> Opened {
    store.map_err(|e| (e.code(), e.to_string(), e.text().cloned()))
}

fn error((code, message, text): &(&'static str, String, Option<Text>)) -> CommandError {
    CommandError {
        code,
        message: message.clone(),
        text: text.clone().map(Box::new),
        fields: Vec::new(),
        count: None,
        current: None,
    }
}

impl AppState {
    pub fn new(library: Option<PathBuf>, opening: Opening, startup: Startup) -> Self {
        AppState {
            store: OnceLock::new(),
            opening: Mutex::new(Some(opening)),
            library,
            import: Mutex::new(None),
            preview: Mutex::new(None),
            opened_bundle: Mutex::new(startup.bundle.as_ref().map(PathBuf::from)),
            startup,
            outputs: Mutex::new(HashMap::new()),
        }
    }

    /// The library's slot, once the open begun at start has finished (the first caller
    /// waits for it; later ones find it filled).
    fn slot(&self) -> &RwLock<Opened> {
        self.store.get_or_init(|| {
            let opening = self
                .opening
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            let result = match opening.map(|thread| thread.join()) {
                Some(Ok(result)) => result,
                Some(Err(_)) | None => Err(ddesk_core::Error::Io(std::io::Error::other(
                    "the library could not be opened (the opening thread stopped)",
                ))),
            };
            RwLock::new(opened(result))
        })
    }

    fn read(&self) -> RwLockReadGuard<'_, Opened> {
        // A panic in another command cannot leave the Result half-written; go on with it.
        self.slot().read().unwrap_or_else(|e| e.into_inner())
    }

    /// The library; when it could not be opened every command answers with the reason, so the
    /// window can tell the officer instead of failing silently.
    pub fn store(&self) -> Result<StoreRef<'_>, CommandError> {
        let guard = self.read();
        if let Err(e) = &*guard {
            return Err(error(e));
        }
        Ok(StoreRef(guard))
    }

    /// The file being imported (shared: preview and commit must not hold the lock).
    pub fn import(&self) -> Option<Arc<Table>> {
        self.import
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_import(&self, table: Option<Table>) {
        *self.import.lock().unwrap_or_else(|e| e.into_inner()) = table.map(Arc::new);
        self.set_preview(None);
    }

    pub fn set_preview(&self, preview: Option<Preview>) {
        *self.preview.lock().unwrap_or_else(|e| e.into_inner()) = preview;
    }

    pub fn take_preview(&self) -> Option<Preview> {
        self.preview
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// Remembers a file or folder this run wrote; the token names it to `written`.
    pub fn remember_output(&self, path: PathBuf) -> String {
        let token = uuid::Uuid::new_v4().to_string();
        self.outputs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.clone(), path);
        token
    }

    /// The file or folder this run wrote under `token`, if it did.
    pub fn written(&self, token: &str) -> Option<PathBuf> {
        self.outputs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .cloned()
    }

    /// Why the library could not be opened, if it could not.
    pub fn open_error(&self) -> Option<CommandError> {
        self.read().as_ref().err().map(error)
    }

    /// Opens the library anew (unlocking it) in place of the one that could not be opened;
    /// the open's error, if it fails, is both kept (for the window's status) and returned.
    pub fn reopen(
        &self,
        open: impl FnOnce() -> Result<Store, ddesk_core::Error>,
    ) -> Result<(), CommandError> {
        let mut guard = self.slot().write().unwrap_or_else(|e| e.into_inner());
        if guard.is_ok() {
            return Ok(());
        }
        let opened = opened(open());
        let failed = opened.as_ref().err().map(error);
        *guard = opened;
        failed.map_or(Ok(()), Err)
    }

    /// Closes the library, runs `f` on its file (restoring a backup), and opens it again with
    /// `reopen`, whatever `f` answered. Commands wait meanwhile.
    pub fn swap<T>(
        &self,
        f: impl FnOnce() -> Result<T, ddesk_core::Error>,
        reopen: impl FnOnce() -> Result<Store, ddesk_core::Error>,
    ) -> Result<T, CommandError> {
        let mut guard = self.slot().write().unwrap_or_else(|e| e.into_inner());
        // Drop the open connection first: the file is replaced underneath it. A preview made
        // of the old library says nothing about the new one.
        *guard = Err((
            "library_closed",
            "The library is being restored.".into(),
            None,
        ));
        self.set_preview(None);
        let outcome = f();
        *guard = opened(reopen());
        drop(guard);
        Ok(outcome?)
    }
}
